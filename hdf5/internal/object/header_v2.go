package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// v2MaxPrefix is the largest version 2 prefix: signature (4), version (1),
// flags (1), four times (16), two phase change values (4), chunk #0 size (8).
const v2MaxPrefix = 34

// readV2 decodes a version 2 object header.
// Spec 3.0, IV.A.1.b "Version 2 Object Header" (H5.format.html#V2ObjectHeaderPrefix).
//
//	Signature "OHDR" | Version 2 | Flags
//	Access, Modification, Change, Birth Time (4 each, if flags bit 5)
//	Maximum # of compact attributes, Minimum # of dense attributes (2 each, if flags bit 4)
//	Size of Chunk #0 (1, 2, 4 or 8 bytes, flags bits 0-1)
//	Header messages, gap, Checksum (4)
func (r *headerReader) readV2(addr uint64) (*Header, error) {
	pb, err := r.src.ReadUpTo(addr, v2MaxPrefix, "version 2 object header")
	if err != nil {
		return nil, err
	}
	c := binfmt.NewCursor(pb, r.src.Sizes, addr, "version 2 object header")
	c.Signature("OHDR")
	c.Version(2)
	flags := c.Uint8()
	if err := c.Err(); err != nil {
		return nil, err
	}
	if flags&^hdrKnownFlags != 0 {
		return nil, binfmt.Errorf(addr, "version 2 object header", "unknown header flags 0x%02x", flags)
	}
	h := &Header{Addr: addr, Version: 2, Flags: flags, RefCount: 1,
		MaxCompact: DefaultMaxCompactAttr, MinDense: DefaultMinDenseAttr, Chunks: 1}
	if flags&HdrTimesStored != 0 {
		h.Access, h.Mod, h.Change, h.Birth = c.Uint32(), c.Uint32(), c.Uint32(), c.Uint32()
	}
	if flags&HdrAttrPhaseChange != 0 {
		h.MaxCompact, h.MinDense = c.Uint16(), c.Uint16()
	}
	size := c.UintN(1 << (flags & HdrChunk0SizeMask))
	prefix := uint64(c.Pos())
	if err := c.Err(); err != nil {
		return nil, err
	}
	// Whole chunk: prefix, messages and gap, checksum.
	total, ok := binfmt.Add(prefix+4, size)
	if !ok {
		return nil, binfmt.Errorf(addr, "version 2 object header", "chunk #0 size %d overflows", size)
	}
	b, err := r.src.ReadAt(addr, total, "version 2 object header")
	if err != nil {
		return nil, err
	}
	if err := r.src.VerifyChecksum(b, addr, "version 2 object header"); err != nil {
		return nil, err
	}
	r.h = h
	r.bytes = total
	if err := r.parseV2Chunk(b[prefix:len(b)-4], addr+prefix); err != nil {
		return nil, err
	}
	err = r.followContinuations(func(ch chunkRef) error {
		b, err := r.src.ReadAt(ch.addr, ch.length, "object header continuation block")
		if err != nil {
			return err
		}
		// Spec 3.0, IV.A.1.b "Version 2 Object Header Continuation Block":
		// Signature "OCHK" | messages | gap | Checksum (4).
		if len(b) < 8 || string(b[:4]) != "OCHK" {
			return binfmt.Errorf(ch.addr, "object header continuation block", "bad signature or size %d", len(b))
		}
		if err := r.src.VerifyChecksum(b, ch.addr, "object header continuation block"); err != nil {
			return err
		}
		return r.parseV2Chunk(b[4:len(b)-4], ch.addr+4)
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// parseV2Chunk decodes the messages of one version 2 chunk (between the
// prefix or signature and the checksum). Each message is
//
//	Type (1) | Size of Header Message Data (2) | Flags (1)
//	Creation Order (2, if header flags bit 2) | Data
//
// A tail shorter than a message header is a gap and is skipped.
func (r *headerReader) parseV2Chunk(b []byte, addr uint64) error {
	hdrSize := 4
	tracked := r.h.Flags&HdrAttrOrderTracked != 0
	if tracked {
		hdrSize = 6
	}
	c := binfmt.NewCursor(b, r.src.Sizes, addr, "version 2 object header message")
	for c.Len() >= hdrSize {
		at := c.Addr()
		t := MsgType(c.Uint8())
		size := int(c.Uint16())
		flags := c.Uint8()
		var order uint16
		if tracked {
			order = c.Uint16()
		}
		if size > c.Len() {
			return binfmt.Errorf(at, "version 2 object header", "message of %d bytes extends past the end of its chunk (%d bytes left)", size, c.Len())
		}
		bodyAddr := c.Addr()
		body := c.Bytes(size)
		if err := c.Err(); err != nil {
			return err
		}
		if err := r.addMessage(t, flags, order, body, bodyAddr); err != nil {
			return err
		}
	}
	return c.Err()
}
