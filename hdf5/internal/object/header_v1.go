package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// v1PrefixSize is the size of a version 1 object header prefix: 12 bytes of
// fields padded to 16 so that the messages start 8-byte aligned.
const v1PrefixSize = 16

// v1MsgHeaderSize is the size of a version 1 header message's own header:
// type (2), size (2), flags (1), reserved (3).
const v1MsgHeaderSize = 8

// readV1 decodes a version 1 object header.
// Spec 3.0, IV.A.1.a "Version 1 Object Header" (H5.format.html#V1ObjectHeaderPrefix).
//
//	Version (1) | Reserved (1) | Total Number of Header Messages (2)
//	Object Reference Count (4)
//	Object Header Size (4)
//	(padding to 8 bytes) then messages, each 8-byte aligned
//
// The stored message count is not enforced: libhdf5 tolerates files written
// by library versions that miscounted (H5O_protect, outside strict format
// checks), so the messages are whatever the chunks hold.
func (r *headerReader) readV1(addr uint64) (*Header, error) {
	c, err := r.src.Cursor(addr, v1PrefixSize, "version 1 object header")
	if err != nil {
		return nil, err
	}
	c.Version(1)
	c.Skip(1)
	nmesgs := c.Uint16()
	h := &Header{Addr: addr, Version: 1, MaxCompact: DefaultMaxCompactAttr, MinDense: DefaultMinDenseAttr, Chunks: 1}
	h.RefCount = c.Uint32()
	size := uint64(c.Uint32())
	if err := c.Err(); err != nil {
		return nil, err
	}
	// libhdf5 (H5O__prefix_deserialize): a header with messages must have
	// room for at least one, and one without must be empty.
	if (nmesgs > 0 && size < v1MsgHeaderSize) || (nmesgs == 0 && size > 0) {
		return nil, binfmt.Errorf(addr, "version 1 object header", "bad chunk size %d for %d messages", size, nmesgs)
	}
	r.h = h
	r.bytes = v1PrefixSize + size
	if size > 0 {
		b, err := r.src.ReadAt(addr+v1PrefixSize, size, "version 1 object header")
		if err != nil {
			return nil, err
		}
		if err := r.parseV1Chunk(b, addr+v1PrefixSize); err != nil {
			return nil, err
		}
	}
	err = r.followContinuations(func(ch chunkRef) error {
		b, err := r.src.ReadAt(ch.addr, ch.length, "version 1 object header continuation")
		if err != nil {
			return err
		}
		return r.parseV1Chunk(b, ch.addr)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// parseV1Chunk decodes the messages of one version 1 chunk held in b, read
// from addr. Message sizes must be multiples of 8 (libhdf5: "message not
// aligned"), which keeps every message 8-byte aligned.
func (r *headerReader) parseV1Chunk(b []byte, addr uint64) error {
	c := binfmt.NewCursor(b, r.src.Sizes, addr, "version 1 object header message")
	for c.Len() > 0 {
		at := c.Addr()
		if c.Len() < v1MsgHeaderSize {
			return binfmt.Errorf(at, "version 1 object header", "%d trailing bytes too short for a message", c.Len())
		}
		t := MsgType(c.Uint16())
		size := int(c.Uint16())
		flags := c.Uint8()
		c.Skip(3)
		if size%8 != 0 {
			return binfmt.Errorf(at, "version 1 object header", "message size %d not aligned to 8 bytes", size)
		}
		if size > c.Len() {
			return binfmt.Errorf(at, "version 1 object header", "message of %d bytes extends past the end of its chunk (%d bytes left)", size, c.Len())
		}
		bodyAddr := c.Addr()
		body := c.Bytes(size)
		if err := c.Err(); err != nil {
			return err
		}
		if err := r.addMessage(t, flags, 0, body, bodyAddr); err != nil {
			return err
		}
	}
	return c.Err()
}
