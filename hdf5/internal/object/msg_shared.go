package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// Kinds of shared message (the "Type" field of versions 2 and 3).
const (
	SharedOtherHeader0 = 0 // version 2/3 type 0: in another object header
	SharedInHeap       = 1 // version 3 type 1: in the SOHM fractal heap
	SharedOtherHeader  = 2 // version 2/3 type 2: in another object header (committed)
)

// SharedRef is the body of a message whose FlagShared bit is set: where the
// real message lives.
// Spec 3.0, IV.A.2 "Header Message Flags" / "Shared Message" encodings
// versions 1-3 (H5.format.html#ObjectHeaderMessages); libhdf5 H5O__shared_decode.
//
//	Version 1: Version | Type | Reserved (6) | name offset (size of lengths) | Address
//	Version 2: Version | Type | Address
//	Version 3: Version | Type | Address, or an 8-byte fractal heap ID when Type is 1
type SharedRef struct {
	Version uint8
	// Kind is the stored type: 0 or 2 = in another object header (Addr);
	// 1 = in the shared message heap (HeapID). Version 1 references are
	// always in another object header and report 0.
	Kind   uint8
	Addr   uint64 // object header holding the message (Kind 0 or 2)
	HeapID []byte // 8-byte SOHM fractal heap ID (Kind 1)
}

// InHeap reports whether the message lives in the shared message heap.
func (r *SharedRef) InHeap() bool { return r.Kind == SharedInHeap }

// DecodeShared decodes a shared message encoding.
func DecodeShared(b []byte, sizes binfmt.Sizes, addr uint64) (*SharedRef, error) {
	c := binfmt.NewCursor(b, sizes, addr, "shared message")
	r := &SharedRef{Version: c.Version(1, 2, 3)}
	kind := c.Uint8()
	switch r.Version {
	case 1:
		c.Skip(6)
		c.Skip(sizes.Lengths) // name offset of the old symbol table entry form
		r.Addr = c.Offset()
	case 2:
		r.Kind = kind
		r.Addr = c.Offset()
	default:
		r.Kind = kind
		if kind == SharedInHeap {
			r.HeapID = c.Bytes(8)
		} else {
			r.Addr = c.Offset()
		}
	}
	if r.Version == 2 && kind == SharedInHeap {
		c.Failf("version 2 shared message in the heap")
	}
	if kind > 3 && r.Version > 1 {
		c.Failf("unknown shared message type %d", kind)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return r, nil
}
