package object

import (
	"bytes"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Attribute message flags (versions 2 and 3).
const (
	AttrDatatypeShared  = 0x01
	AttrDataspaceShared = 0x02
)

// Attribute is the attribute message: one attribute stored in an object
// header (or, densely, in a fractal heap in the same encoding).
// Spec 3.0, IV.A.2.m "The Attribute Message" (H5.format.html#AttributeMessage).
//
//	Version 1: Version | Reserved | Name Size (2) | Datatype Size (2) | Dataspace Size (2)
//	           Name, Datatype, Dataspace (each padded to a multiple of 8) | Data
//	Version 2: Version | Flags | Name Size | Datatype Size | Dataspace Size
//	           Name | Datatype | Dataspace | Data (no padding)
//	Version 3: as version 2 with Name Character Set Encoding (1) after Dataspace Size
//
// The name size includes the null terminator. When flag bit 0 (bit 1) is
// set the datatype (dataspace) field holds a shared message encoding, kept
// in DatatypeShared (DataspaceShared) instead of being decoded.
type Attribute struct {
	Version uint8
	Flags   uint8
	Name    string
	CharSet types.CharSet // of the name (version 3)

	Datatype       *types.Datatype
	DatatypeShared *SharedRef

	Dataspace       *types.Dataspace
	DataspaceShared *SharedRef

	// Data is the raw attribute value: number of elements × datatype size
	// bytes when both are known here, else all the bytes that follow the
	// dataspace in the message.
	Data []byte
}

func align8(n int) int { return (n + 7) &^ 7 }

func decodeAttribute(b []byte, sizes binfmt.Sizes, addr uint64) (*Attribute, error) {
	c := binfmt.NewCursor(b, sizes, addr, "attribute message")
	a := &Attribute{Version: c.Version(1, 2, 3)}
	a.Flags = c.Uint8()
	if a.Version == 1 {
		a.Flags = 0 // reserved
	} else if a.Flags&^(AttrDatatypeShared|AttrDataspaceShared) != 0 {
		c.Failf("unknown flags 0x%02x", a.Flags)
	}
	nameLen := int(c.Uint16())
	dtLen := int(c.Uint16())
	dsLen := int(c.Uint16())
	if a.Version == 3 {
		cs := c.Uint8()
		if c.Err() == nil && cs > 1 {
			c.Failf("unknown character set %d", cs)
		}
		a.CharSet = types.CharSet(cs)
	}
	if c.Err() == nil && nameLen == 0 {
		c.Failf("empty attribute name")
	}
	pad := func(n int) int {
		if a.Version == 1 {
			return align8(n)
		}
		return n
	}
	// field returns the n-byte field and skips its padding. A version 1
	// message whose last field's padding is missing is accepted.
	field := func(n int) []byte {
		f := c.Bytes(n)
		if p := pad(n) - n; p > 0 && c.Err() == nil {
			c.Skip(min(p, c.Len()))
		}
		return f
	}
	name := field(nameLen)
	if c.Err() == nil {
		if i := bytes.IndexByte(name, 0); i >= 0 {
			name = name[:i]
		}
		a.Name = string(name)
	}
	dtAddr := c.Addr()
	dt := field(dtLen)
	dsAddr := c.Addr()
	ds := field(dsLen)
	if err := c.Err(); err != nil {
		return nil, err
	}
	var err error
	if a.Flags&AttrDatatypeShared != 0 {
		a.DatatypeShared, err = DecodeShared(dt, sizes, dtAddr)
	} else {
		a.Datatype, _, err = types.DecodeDatatype(dt, sizes, dtAddr)
		if err == nil && a.Datatype == nil {
			err = binfmt.Errorf(dtAddr, "attribute message", "datatype not decoded")
		}
	}
	if err != nil {
		return nil, err
	}
	if a.Flags&AttrDataspaceShared != 0 {
		a.DataspaceShared, err = DecodeShared(ds, sizes, dsAddr)
	} else {
		a.Dataspace, err = types.DecodeDataspace(ds, sizes, dsAddr)
		if err == nil && a.Dataspace == nil {
			err = binfmt.Errorf(dsAddr, "attribute message", "dataspace not decoded")
		}
	}
	if err != nil {
		return nil, err
	}
	rest := c.Bytes(c.Len())
	if a.Datatype != nil && a.Dataspace != nil {
		n, ok := a.Dataspace.NumElements()
		size, ok2 := binfmt.Mul(n, uint64(a.Datatype.Size))
		if !ok || !ok2 || size > uint64(len(rest)) {
			return nil, binfmt.Errorf(c.Addr(), "attribute message",
				"attribute %q data needs %d elements of %d bytes, message holds %d bytes", a.Name, n, a.Datatype.Size, len(rest))
		}
		rest = rest[:size]
	}
	a.Data = rest
	return a, nil
}
