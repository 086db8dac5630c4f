// Package h5build makes hostile HDF5 files for tests: it takes a valid file
// written by libhdf5, finds one of its structures by signature or by the
// bytes of a known message, rewrites fields of it and, for the structures
// the format checksums, seals it again with a fresh lookup3 checksum, so the
// decoders meet the lie itself rather than a checksum error. It is used only
// by tests.
package h5build

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"

	"github.com/goh5/goh5/internal/binfmt"
)

// File is a modifiable copy of an HDF5 file.
type File struct {
	B []byte
}

// Load reads a file into a new File.
func Load(name string) (*File, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return &File{B: b}, nil
}

// Signed returns the offsets of every structure with the 4-byte signature
// sig whose lookup3 checksum over its first n bytes (stored at n) holds: the
// real structures, not data that happens to spell the signature.
func (f *File) Signed(sig string, n int) []int {
	var out []int
	for i := 0; ; {
		j := bytes.Index(f.B[i:], []byte(sig))
		if j < 0 {
			return out
		}
		off := i + j
		if off+n+4 <= len(f.B) && binfmt.VerifyChecksum(f.B[off:off+n+4], 0, sig) == nil {
			out = append(out, off)
		}
		i = off + 4
	}
}

// Index returns the offsets of every occurrence of pat.
func (f *File) Index(pat []byte) []int {
	var out []int
	for i := 0; ; {
		j := bytes.Index(f.B[i:], pat)
		if j < 0 {
			return out
		}
		out = append(out, i+j)
		i += j + 1
	}
}

// Put writes v little-endian in width bytes at off.
func (f *File) Put(off, width int, v uint64) {
	if off < 0 || off+width > len(f.B) {
		panic(fmt.Sprintf("h5build: Put at %d+%d outside %d bytes", off, width, len(f.B)))
	}
	for i := 0; i < width; i++ {
		f.B[off+i] = byte(v >> (8 * i))
	}
}

// Get reads a little-endian value of width bytes at off.
func (f *File) Get(off, width int) uint64 {
	var v uint64
	for i := width - 1; i >= 0; i-- {
		v = v<<8 | uint64(f.B[off+i])
	}
	return v
}

// Seal stores the lookup3 checksum of the n bytes at off right after them.
func (f *File) Seal(off, n int) {
	binary.LittleEndian.PutUint32(f.B[off+n:], binfmt.Lookup3(f.B[off:off+n], 0))
}
