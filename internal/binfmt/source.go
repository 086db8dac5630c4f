package binfmt

import (
	"errors"
	"fmt"
	"io"
)

// Source is the file as the decoders see it: an io.ReaderAt, its size, the
// base address that every stored address is relative to, and the sizes of
// offsets and lengths. It never seeks, so one Source is safe for concurrent
// use by many goroutines (as safe as its ReaderAt, which pread is).
type Source struct {
	R     io.ReaderAt
	Size  int64  // bytes readable from R
	Base  uint64 // base address (Spec 3.0, II.A "Superblock": Base Address)
	Sizes Sizes
	// SkipChecksums makes every checksum check of the structures read
	// through this Source pass: cursors from Cursor skip their Checksum, and
	// VerifyChecksum returns nil. It is for salvaging a damaged file; off by
	// default.
	SkipChecksums bool
}

// VerifyChecksum is VerifyChecksum unless the Source skips checksums.
func (s *Source) VerifyChecksum(b []byte, addr uint64, what string) error {
	if s.SkipChecksums {
		if len(b) < 4 {
			return Errorf(addr, what, "%d bytes hold no checksum", len(b))
		}
		return nil
	}
	return VerifyChecksum(b, addr, what)
}

// Abs converts a relative file address to an absolute offset in R.
func (s *Source) Abs(addr uint64) (int64, bool) {
	if addr == Undef {
		return 0, false
	}
	a := addr + s.Base
	if a < addr || a > uint64(s.Size) || a > 1<<62 {
		return 0, false
	}
	return int64(a), true
}

// Check verifies that n bytes at relative address addr lie inside the file.
func (s *Source) Check(addr, n uint64, what string) error {
	if addr == Undef {
		return &FormatError{Addr: addr, What: what, Msg: "undefined address", Err: ErrUndefinedAddress}
	}
	off, ok := s.Abs(addr)
	if !ok || n > uint64(s.Size) || uint64(off) > uint64(s.Size)-n {
		return Errorf(addr, what, "%d bytes at 0x%x lie beyond the end of the file (%d bytes)", n, addr, s.Size)
	}
	return nil
}

// ReadAt reads exactly n bytes at relative address addr into a new buffer. The
// size is checked against the file before anything is allocated, so a size
// read from a hostile file can never allocate more than the file holds.
func (s *Source) ReadAt(addr, n uint64, what string) ([]byte, error) {
	if err := s.Check(addr, n, what); err != nil {
		return nil, err
	}
	b := make([]byte, n)
	if err := s.ReadInto(b, addr, what); err != nil {
		return nil, err
	}
	return b, nil
}

// ReadInto fills b from relative address addr.
func (s *Source) ReadInto(b []byte, addr uint64, what string) error {
	if err := s.Check(addr, uint64(len(b)), what); err != nil {
		return err
	}
	off, _ := s.Abs(addr)
	n, err := s.R.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	return &FormatError{Addr: addr, What: what, Msg: fmt.Sprintf("read %d of %d bytes", n, len(b)), Err: err}
}

// ReadUpTo reads at most n bytes at addr, fewer if the file ends first. It is
// for structures whose size is only known after decoding their start.
func (s *Source) ReadUpTo(addr, n uint64, what string) ([]byte, error) {
	off, ok := s.Abs(addr)
	if !ok {
		if addr == Undef {
			return nil, &FormatError{Addr: addr, What: what, Msg: "undefined address", Err: ErrUndefinedAddress}
		}
		return nil, Errorf(addr, what, "address lies beyond the end of the file (%d bytes)", s.Size)
	}
	if rem := uint64(s.Size - off); n > rem {
		n = rem
	}
	return s.ReadAt(addr, n, what)
}

// Cursor reads n bytes at addr and returns a cursor over them.
func (s *Source) Cursor(addr, n uint64, what string) (*Cursor, error) {
	b, err := s.ReadAt(addr, n, what)
	if err != nil {
		return nil, err
	}
	c := NewCursor(b, s.Sizes, addr, what)
	c.skipChecksums = s.SkipChecksums
	return c, nil
}

// Mul returns a*b, or ok=false on overflow.
func Mul(a, b uint64) (uint64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a {
		return 0, false
	}
	return p, true
}

// Add returns a+b, or ok=false on overflow.
func Add(a, b uint64) (uint64, bool) {
	s := a + b
	return s, s >= a
}

// SliceCap returns a safe initial capacity for a slice of n elements of size
// elemSize read from a file: n itself when the total fits in max bytes, else
// the largest count that does. Callers append beyond it as data actually
// arrives, so a lying count costs at most max bytes up front.
func SliceCap(n uint64, elemSize int, max int) int {
	if elemSize <= 0 {
		elemSize = 1
	}
	lim := uint64(max / elemSize)
	if n > lim {
		return int(lim)
	}
	return int(n)
}

// CheckCount fails unless count items of at least minSize bytes each could fit
// in the avail bytes that hold them. It catches counts that the structure
// cannot possibly justify before any allocation is made from them.
func CheckCount(count uint64, minSize uint64, avail uint64, addr uint64, what string) error {
	need, ok := Mul(count, minSize)
	if !ok || need > avail {
		return Errorf(addr, what, "count %d of %d-byte items exceeds the %d bytes available", count, minSize, avail)
	}
	return nil
}
