package binfmt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// TestSkipChecksums: a Source with SkipChecksums hands out cursors whose
// Checksum reads the field without verifying it, and its VerifyChecksum
// passes; without it both report ErrChecksum.
func TestSkipChecksums(t *testing.T) {
	b := []byte("abcdefgh\x00\x00\x00\x00")
	binary.LittleEndian.PutUint32(b[8:], Lookup3(b[:8], 0)^1) // wrong
	for _, skip := range []bool{false, true} {
		src := &Source{R: bytes.NewReader(b), Size: int64(len(b)), Sizes: Sizes{Offsets: 8, Lengths: 8}, SkipChecksums: skip}
		c, err := src.Cursor(0, uint64(len(b)), "test")
		if err != nil {
			t.Fatal(err)
		}
		c.Skip(8)
		c.Checksum()
		if got := errors.Is(c.Err(), ErrChecksum); got == skip {
			t.Errorf("skip=%v: Checksum error %v", skip, c.Err())
		}
		if c.Pos() != 12 {
			t.Errorf("skip=%v: Checksum left the cursor at %d, want 12", skip, c.Pos())
		}
		if got := errors.Is(src.VerifyChecksum(b, 0, "test"), ErrChecksum); got == skip {
			t.Errorf("skip=%v: VerifyChecksum mismatch reported %v", skip, got)
		}
	}
}
