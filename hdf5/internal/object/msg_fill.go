package object

import "github.com/goh5/goh5/internal/binfmt"

// Space allocation times (libhdf5 H5D_alloc_time_t as stored).
const (
	AllocTimeDefault     = 0 // only in memory; not expected on disk
	AllocTimeEarly       = 1
	AllocTimeLate        = 2
	AllocTimeIncremental = 3
)

// Fill value write times (libhdf5 H5D_fill_time_t as stored).
const (
	FillTimeOnAlloc = 0
	FillTimeNever   = 1
	FillTimeIfSet   = 2
)

// FillValueOld is the old fill value message.
// Spec 3.0, IV.A.2.e "The Data Storage - Fill Value (Old) Message" (H5.format.html#OldFillValueMessage).
//
//	Size (4) | Fill Value (Size bytes, in the dataset's datatype)
type FillValueOld struct {
	Value []byte
}

func decodeFillOld(b []byte, sizes binfmt.Sizes, addr uint64) (*FillValueOld, error) {
	c := binfmt.NewCursor(b, sizes, addr, "fill value (old) message")
	n := c.Uint32()
	if c.Err() == nil && uint64(n) > uint64(c.Len()) {
		c.Failf("fill value of %d bytes in a %d-byte message", n, len(b))
	}
	f := &FillValueOld{Value: c.Bytes(int(n))}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return f, nil
}

// FillValue is the fill value message.
// Spec 3.0, IV.A.2.f "The Data Storage - Fill Value Message" (H5.format.html#FillValueMessage).
//
//	Versions 1, 2: Version | Space Allocation Time | Fill Value Write Time |
//	               Fill Value Defined | Size (4) | Fill Value
//	Version 3:     Version | Flags | Size (4) | Fill Value
//
// Version 3 flags: bits 0-1 allocation time, bits 2-3 write time, bit 4 fill
// value undefined, bit 5 fill value stored. As in libhdf5
// (H5O__fill_new_decode), versions 1 and 2 store the size and value only when
// "Fill Value Defined" is non-zero, although the spec says version 1 always
// stores them.
type FillValue struct {
	Version   uint8
	AllocTime uint8 // AllocTime* constants
	FillTime  uint8 // FillTime* constants
	// Defined reports whether a fill value is defined (libhdf5's
	// H5D_FILL_VALUE_DEFAULT or USER_DEFINED, as opposed to UNDEFINED).
	Defined bool
	// Value is the stored fill value. When it is nil or empty and Defined is
	// set, the library default applies (all zero bytes); libhdf5 stores the
	// default fill value as a size of 0.
	Value []byte
}

func decodeFill(b []byte, sizes binfmt.Sizes, addr uint64) (*FillValue, error) {
	c := binfmt.NewCursor(b, sizes, addr, "fill value message")
	f := &FillValue{Version: c.Version(1, 2, 3)}
	readValue := func() {
		n := c.Uint32()
		if c.Err() == nil && uint64(n) > uint64(c.Len()) {
			c.Failf("fill value of %d bytes in a %d-byte message", n, len(b))
			return
		}
		f.Value = c.Bytes(int(n))
	}
	if f.Version < 3 {
		f.AllocTime = c.Uint8()
		f.FillTime = c.Uint8()
		f.Defined = c.Uint8() != 0
		if f.Defined {
			readValue()
		}
	} else {
		flags := c.Uint8()
		if flags&^0x3f != 0 {
			c.Failf("unknown flags 0x%02x", flags)
		}
		f.AllocTime = flags & 3
		f.FillTime = flags >> 2 & 3
		undefined := flags&0x10 != 0
		have := flags&0x20 != 0
		if undefined && have {
			c.Failf("fill value both undefined and stored (flags 0x%02x)", flags)
		}
		f.Defined = !undefined
		if have {
			readValue()
		}
	}
	if f.AllocTime > AllocTimeIncremental || f.FillTime > FillTimeIfSet {
		c.Failf("bad allocation time %d or fill time %d", f.AllocTime, f.FillTime)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return f, nil
}
