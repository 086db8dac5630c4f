package filters_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/hdf5"
)

// regression040 is bitshuffle's own regression file for version 0.4.0 (kept
// by hdf5plugin). Its /compressed_zstd datasets record cd_values
// [0, 3, elem, 64, 3, 10]: the version slots say 0.3 (the 0.4.0 build took
// bitshuffle_core.h's default version), yet every chunk has the 0.4 zstd
// framing, a 12-byte header (8-byte BE size, 4-byte BE block size in bytes)
// then a 4-byte BE size and a zstd frame per block.
const regression040 = "../../shared/corpus/files/silx-kit-hdf5plugin/src/bitshuffle/tests/data/regression_0.4.0.h5"

// TestBitshuffleZstdRegression040 decodes every /compressed_zstd and
// /compressed (LZ4) dataset of regression_0.4.0.h5 and compares it with the
// same data stored unfiltered in /original, as bitshuffle's own
// test_regression.py does. (/original itself matches libhdf5's digests in
// cmd/goh5's TestSumCorpus. The corpus reference for /compressed_zstd was
// made with Debian's bitshuffle 0.3.5 plugin, which does not know zstd: it
// bit-unshuffled the compressed bytes, or failed with "Non integer number of
// elements", so those digests are not the file's data.)
func TestBitshuffleZstdRegression040(t *testing.T) {
	if _, err := os.Stat(regression040); err != nil {
		t.Skip("corpus absent")
	}
	f, err := hdf5.Open(regression040)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	g, err := f.Group("/original")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for e, err := range g.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(e.Path)
		if e.Path == "" || e.Path == "/original" || name == "original" {
			continue
		}
		want := readAll(t, f, "/original/"+name)
		for _, grp := range []string{"/compressed_zstd/", "/compressed/"} {
			got := readAll(t, f, grp+name)
			if !bytes.Equal(got, want) {
				t.Errorf("%s%s: decoded data differs from /original", grp, name)
			}
		}
		n++
	}
	if n != 21 {
		t.Errorf("compared %d datasets, want 21", n)
	}
}

func readAll(t *testing.T, f *hdf5.File, path string) []byte {
	t.Helper()
	d, err := f.Dataset(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := d.ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestBitshuffleZstdLegacyParams: with the ambiguous parameters [0, 3, …, 3]
// a chunk whose framing tiles it is decoded as zstd (even when it is exactly
// the chunk's size), a framed chunk declaring more than the limit is still
// refused before allocating, and anything else is the 0.3 plugin's
// uncompressed form.
func TestBitshuffleZstdLegacyParams(t *testing.T) {
	f, _ := filters.Lookup(filters.IDBitshuffle)
	legacy := []uint32{0, 3, 1, 0, 3, 3}
	// 16 one-byte elements, one block of 16: the zstd frame of 16 zero
	// bytes (RLE block), so the unshuffled output is 16 zero bytes.
	frame := []byte{0x28, 0xb5, 0x2f, 0xfd, 0x20, 0x10, 0x83, 0x00, 0x00, 0x00} // single segment, size 16, last RLE block of 16 zeros
	chunk := binary.BigEndian.AppendUint64(nil, 16)
	chunk = binary.BigEndian.AppendUint32(chunk, 16)
	chunk = binary.BigEndian.AppendUint32(chunk, uint32(len(frame)))
	chunk = append(chunk, frame...)
	out, err := f.Decode(nil, chunk, legacy, 16)
	if err != nil || !bytes.Equal(out, make([]byte, 16)) {
		t.Fatalf("framed chunk with legacy params: %x, %v", out, err)
	}
	// The same framing declaring 1 GiB (one 1 GiB block): refused.
	bomb := append([]byte(nil), chunk...)
	binary.BigEndian.PutUint64(bomb, 1<<30)
	binary.BigEndian.PutUint32(bomb[8:], 1<<30)
	if _, err := f.Decode(nil, bomb, legacy, 1<<20); !errors.Is(err, filters.ErrTooLarge) {
		t.Fatalf("1 GiB framed chunk: err = %v, want ErrTooLarge", err)
	}
	// 26 bytes that do not tile as a frame: the 0.3 form, bit-unshuffled
	// as they are (26 one-byte elements: one block of 24 in the default
	// block size, 2 left over and copied).
	raw := make([]byte, 26)
	raw[0] = 0xff // row 0 of block 0: bit 0 of elements 0..7
	raw[25] = 7   // a leftover element, copied as it is
	out, err = f.Decode(nil, raw, legacy, 26)
	want := make([]byte, 26)
	for i := 0; i < 8; i++ {
		want[i] = 1
	}
	want[25] = 7
	if err != nil || !bytes.Equal(out, want) {
		t.Fatalf("0.3 uncompressed form: %x, %v; want %x", out, err, want)
	}
}
