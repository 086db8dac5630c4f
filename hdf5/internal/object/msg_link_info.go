package object

import "github.com/goh5/goh5/internal/binfmt"

// LinkInfo is the link info message of a new-style group.
// Spec 3.0, IV.A.2.c "The Link Info Message" (H5.format.html#LinkInfoMessage).
//
//	Version 0 | Flags | Maximum Creation Index (8, flags bit 0)
//	Fractal Heap Address | Address of v2 B-tree for Name Index
//	Address of v2 B-tree for Creation Order Index (flags bit 1)
type LinkInfo struct {
	Version          uint8
	Flags            uint8  // bit 0: creation order tracked; bit 1: creation order indexed
	MaxCreationIndex uint64 // valid when Flags bit 0 is set
	HeapAddr         uint64 // fractal heap of dense links; Undef when links are compact
	NameIndexAddr    uint64 // v2 B-tree (type 5) of link names
	OrderIndexAddr   uint64 // v2 B-tree (type 6); Undef when absent
}

// OrderTracked reports whether link creation order is tracked.
func (l *LinkInfo) OrderTracked() bool { return l.Flags&1 != 0 }

// OrderIndexed reports whether link creation order is indexed.
func (l *LinkInfo) OrderIndexed() bool { return l.Flags&2 != 0 }

func decodeLinkInfo(b []byte, sizes binfmt.Sizes, addr uint64) (*LinkInfo, error) {
	c := binfmt.NewCursor(b, sizes, addr, "link info message")
	l := &LinkInfo{Version: c.Version(0), OrderIndexAddr: binfmt.Undef}
	l.Flags = c.Uint8()
	if l.Flags&^3 != 0 {
		c.Failf("unknown flags 0x%02x", l.Flags)
	}
	if l.Flags&1 != 0 {
		l.MaxCreationIndex = c.Uint64()
	}
	l.HeapAddr = c.Offset()
	l.NameIndexAddr = c.Offset()
	if l.Flags&2 != 0 {
		l.OrderIndexAddr = c.Offset()
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return l, nil
}
