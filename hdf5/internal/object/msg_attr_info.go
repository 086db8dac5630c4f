package object

import "github.com/goh5/goh5/internal/binfmt"

// AttrInfo is the attribute info message, present when an object's
// attributes may be stored densely.
// Spec 3.0, IV.A.2.v "The Attribute Info Message" (H5.format.html#AttributeInfoMessage).
//
//	Version 0 | Flags | Maximum Creation Index (2, flags bit 0)
//	Fractal Heap Address | Attribute Name v2 B-tree Address
//	Attribute Creation Order v2 B-tree Address (flags bit 1)
type AttrInfo struct {
	Version          uint8
	Flags            uint8  // bit 0: creation order tracked; bit 1: creation order indexed
	MaxCreationIndex uint16 // valid when Flags bit 0 is set
	HeapAddr         uint64 // fractal heap of dense attributes; Undef when compact
	NameIndexAddr    uint64 // v2 B-tree (type 8)
	OrderIndexAddr   uint64 // v2 B-tree (type 9); Undef when absent
}

func decodeAttrInfo(b []byte, sizes binfmt.Sizes, addr uint64) (*AttrInfo, error) {
	c := binfmt.NewCursor(b, sizes, addr, "attribute info message")
	a := &AttrInfo{Version: c.Version(0), OrderIndexAddr: binfmt.Undef}
	a.Flags = c.Uint8()
	if a.Flags&^3 != 0 {
		c.Failf("unknown flags 0x%02x", a.Flags)
	}
	if a.Flags&1 != 0 {
		a.MaxCreationIndex = c.Uint16()
	}
	a.HeapAddr = c.Offset()
	a.NameIndexAddr = c.Offset()
	if a.Flags&2 != 0 {
		a.OrderIndexAddr = c.Offset()
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return a, nil
}
