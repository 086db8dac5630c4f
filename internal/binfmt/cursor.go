package binfmt

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Undef is the undefined address: all bits set at the file's size of offsets,
// widened to 64 bits (Spec 3.0, II.A "Superblock": "the undefined address").
const Undef = ^uint64(0)

// Sizes holds a file's "Size of Offsets" and "Size of Lengths" from the
// superblock (Spec 3.0, II.A). Each is 2, 4 or 8.
type Sizes struct {
	Offsets int
	Lengths int
}

// Valid reports whether both sizes are ones the format allows.
func (s Sizes) Valid() bool {
	ok := func(n int) bool { return n == 2 || n == 4 || n == 8 }
	return ok(s.Offsets) && ok(s.Lengths)
}

// Cursor decodes a little-endian metadata structure held in memory. It is
// error-keeping (after debug/dwarf's buf): the first error sticks, later reads
// return zero values, and one Err check at the end is enough.
type Cursor struct {
	b     []byte
	pos   int
	start int // where the running checksum starts
	addr  uint64
	what  string
	sizes Sizes
	err   error

	skipChecksums bool // Checksum reads the field but does not verify it
}

// SkipChecksums makes Checksum read the stored checksum without verifying
// it (see Source.SkipChecksums). Cursors made by Source.Cursor inherit it.
func (c *Cursor) SkipChecksums(skip bool) { c.skipChecksums = skip }

// NewCursor returns a cursor over b, which was read from file address addr,
// for the structure named what.
func NewCursor(b []byte, sizes Sizes, addr uint64, what string) *Cursor {
	return &Cursor{b: b, addr: addr, what: what, sizes: sizes}
}

// Err returns the first error met, or nil.
func (c *Cursor) Err() error { return c.err }

// Pos returns the offset of the next byte to read within the buffer.
func (c *Cursor) Pos() int { return c.pos }

// Addr returns the file address of the next byte to read.
func (c *Cursor) Addr() uint64 { return c.addr + uint64(c.pos) }

// Base returns the file address of the buffer's first byte.
func (c *Cursor) Base() uint64 { return c.addr }

// What returns the structure name given to NewCursor.
func (c *Cursor) What() string { return c.what }

// Sizes returns the file's sizes of offsets and lengths.
func (c *Cursor) Sizes() Sizes { return c.sizes }

// Len returns the number of unread bytes.
func (c *Cursor) Len() int {
	if c.err != nil {
		return 0
	}
	return len(c.b) - c.pos
}

// Buf returns the whole underlying buffer.
func (c *Cursor) Buf() []byte { return c.b }

// Seek moves to absolute buffer offset pos.
func (c *Cursor) Seek(pos int) {
	if c.err != nil {
		return
	}
	if pos < 0 || pos > len(c.b) {
		c.Failf("seek to offset %d outside %d-byte structure", pos, len(c.b))
		return
	}
	c.pos = pos
}

// Fail records err (wrapped in a FormatError at the current address) unless an
// error is already recorded.
func (c *Cursor) Fail(err error) {
	if c.err == nil {
		if _, ok := err.(*FormatError); ok {
			c.err = err
			return
		}
		if _, ok := err.(*UnsupportedError); ok {
			c.err = err
			return
		}
		c.err = &FormatError{Addr: c.Addr(), What: c.what, Msg: "invalid", Err: err}
	}
}

// Failf records a FormatError at the current address.
func (c *Cursor) Failf(format string, args ...any) {
	if c.err == nil {
		c.err = &FormatError{Addr: c.Addr(), What: c.what, Msg: fmt.Sprintf(format, args...)}
	}
}

// Unsupportedf records an UnsupportedError at the current address.
func (c *Cursor) Unsupportedf(format string, args ...any) {
	if c.err == nil {
		c.err = Unsupported(c.Addr(), "%s: %s", c.what, fmt.Sprintf(format, args...))
	}
}

func (c *Cursor) need(n int) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || n > len(c.b)-c.pos {
		c.err = &FormatError{Addr: c.Addr(), What: c.what,
			Msg: fmt.Sprintf("truncated: need %d bytes, have %d", n, len(c.b)-c.pos)}
		return false
	}
	return true
}

// Bytes returns the next n bytes (a sub-slice, not a copy), or nil on error.
func (c *Cursor) Bytes(n int) []byte {
	if !c.need(n) {
		return nil
	}
	p := c.b[c.pos : c.pos+n : c.pos+n]
	c.pos += n
	return p
}

// Skip advances n bytes.
func (c *Cursor) Skip(n int) {
	if c.need(n) {
		c.pos += n
	}
}

// Uint8 reads one byte.
func (c *Cursor) Uint8() uint8 {
	if !c.need(1) {
		return 0
	}
	v := c.b[c.pos]
	c.pos++
	return v
}

// Uint16 reads a little-endian uint16.
func (c *Cursor) Uint16() uint16 {
	if !c.need(2) {
		return 0
	}
	v := binary.LittleEndian.Uint16(c.b[c.pos:])
	c.pos += 2
	return v
}

// Uint32 reads a little-endian uint32.
func (c *Cursor) Uint32() uint32 {
	if !c.need(4) {
		return 0
	}
	v := binary.LittleEndian.Uint32(c.b[c.pos:])
	c.pos += 4
	return v
}

// Uint64 reads a little-endian uint64.
func (c *Cursor) Uint64() uint64 {
	if !c.need(8) {
		return 0
	}
	v := binary.LittleEndian.Uint64(c.b[c.pos:])
	c.pos += 8
	return v
}

// UintN reads an n-byte little-endian unsigned integer, 0 <= n <= 8.
func (c *Cursor) UintN(n int) uint64 {
	if n > 8 {
		c.Failf("integer field of %d bytes", n)
		return 0
	}
	if !c.need(n) {
		return 0
	}
	var v uint64
	for i := n - 1; i >= 0; i-- {
		v = v<<8 | uint64(c.b[c.pos+i])
	}
	c.pos += n
	return v
}

// Offset reads an address of the file's size of offsets. An all-ones value is
// returned as Undef whatever the width.
func (c *Cursor) Offset() uint64 {
	n := c.sizes.Offsets
	v := c.UintN(n)
	if c.err == nil && n < 8 && v == (uint64(1)<<(8*uint(n)))-1 {
		return Undef
	}
	return v
}

// Length reads a length of the file's size of lengths.
func (c *Cursor) Length() uint64 {
	n := c.sizes.Lengths
	v := c.UintN(n)
	if c.err == nil && n < 8 && v == (uint64(1)<<(8*uint(n)))-1 {
		// an all-ones length is used as "undefined/unlimited" in places
		return math.MaxUint64
	}
	return v
}

// Signature reads len(sig) bytes and fails unless they equal sig.
func (c *Cursor) Signature(sig string) {
	at := c.Addr()
	b := c.Bytes(len(sig))
	if c.err == nil && string(b) != sig {
		c.err = &FormatError{Addr: at, What: c.what, Msg: fmt.Sprintf("bad signature %q, want %q", b, sig)}
	}
}

// Version reads a one-byte version number and fails unless it is one of allowed.
func (c *Cursor) Version(allowed ...uint8) uint8 {
	at := c.Addr()
	v := c.Uint8()
	if c.err != nil {
		return 0
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	c.err = Unsupported(at, "%s version %d", c.what, v)
	return v
}

// MarkChecksumStart sets where the bytes covered by the next Checksum begin
// (default: the start of the buffer).
func (c *Cursor) MarkChecksumStart() { c.start = c.pos }

// Checksum reads a stored lookup3 checksum and verifies it over the bytes from
// the checksum start up to (not including) the checksum. A mismatch is a
// FormatError wrapping ErrChecksum.
func (c *Cursor) Checksum() {
	if c.err != nil {
		return
	}
	covered := c.b[c.start:c.pos]
	at := c.Addr()
	stored := c.Uint32()
	if c.err != nil || c.skipChecksums {
		return
	}
	if sum := Lookup3(covered, 0); sum != stored {
		c.err = &FormatError{Addr: at, What: c.what,
			Msg: fmt.Sprintf("stored checksum 0x%08x, computed 0x%08x", stored, sum), Err: ErrChecksum}
	}
}

// VerifyChecksum checks the lookup3 checksum stored little-endian in the last
// four bytes of b against the bytes before it.
func VerifyChecksum(b []byte, addr uint64, what string) error {
	if len(b) < 4 {
		return Errorf(addr, what, "too short for a checksum")
	}
	n := len(b) - 4
	stored := binary.LittleEndian.Uint32(b[n:])
	if sum := Lookup3(b[:n], 0); sum != stored {
		return &FormatError{Addr: addr + uint64(n), What: what,
			Msg: fmt.Sprintf("stored checksum 0x%08x, computed 0x%08x", stored, sum), Err: ErrChecksum}
	}
	return nil
}
