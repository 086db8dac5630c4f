package object

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// corpusSource finds the superblock (at 0, 512, 1024, ...) and returns a
// Source and the root object header address.
func corpusSource(b []byte) (*binfmt.Source, uint64, bool) {
	for off := 0; off+64 <= len(b); off = max(512, off*2) {
		s := b[off:]
		if string(s[:8]) != "\x89HDF\r\n\x1a\n" {
			continue
		}
		var sizes binfmt.Sizes
		var root int
		switch s[8] {
		case 0, 1:
			sizes = binfmt.Sizes{Offsets: int(s[13]), Lengths: int(s[14])}
			root = 24 + 5*sizes.Offsets
			if s[8] == 1 {
				root += 4
			}
		case 2, 3:
			sizes = binfmt.Sizes{Offsets: int(s[9]), Lengths: int(s[10])}
			root = 12 + 3*sizes.Offsets
		default:
			return nil, 0, false
		}
		if !sizes.Valid() || root+8 > len(s) {
			return nil, 0, false
		}
		src := &binfmt.Source{R: bytes.NewReader(b), Size: int64(len(b)), Base: uint64(off), Sizes: sizes}
		c := binfmt.NewCursor(s[root:], sizes, 0, "root")
		return src, c.Offset(), true
	}
	return nil, 0, false
}

// TestCorpus reads, in every corpus file, the root object header and every
// version 2 header found by its "OHDR" signature whose checksum holds. None
// may fail except for features reported as unsupported, and every message
// must decode.
func TestCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "..", "shared", "corpus", "files")
	if _, err := os.Stat(dir); err != nil {
		t.Skip("corpus absent")
	}
	headers := 0
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		src, root, ok := corpusSource(b)
		if !ok {
			return nil
		}
		addrs := []uint64{root}
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte("OHDR"))
			if j < 0 {
				break
			}
			if a := uint64(i + j); a >= src.Base {
				addrs = append(addrs, a-src.Base)
			}
			i += j + 4
		}
		rel, _ := filepath.Rel(dir, path)
		for k, a := range addrs {
			h, err := ReadHeader(src, a, Limits{})
			var ue *binfmt.UnsupportedError
			switch {
			case err == nil:
			case errors.As(err, &ue):
				t.Logf("%s: header at %d: %v", rel, a, err)
				continue
			case k > 0 && (errors.Is(err, binfmt.ErrChecksum) || binary.LittleEndian.Uint32(b[a+src.Base:]) != 0x5244484f):
				continue // "OHDR" inside raw data
			default:
				t.Errorf("%s: header at %d: %v", rel, a, err)
				continue
			}
			headers++
			for _, m := range h.Messages {
				if m.Err != nil && !errors.As(m.Err, &ue) {
					t.Errorf("%s: header at %d: %v message: %v", rel, a, m.Type, m.Err)
				}
			}
		}
		return nil
	})
	t.Logf("%d headers decoded", headers)
	if headers == 0 {
		t.Error("no headers decoded")
	}
}
