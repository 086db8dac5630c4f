package types

import (
	"bytes"

	"github.com/goh5/goh5/internal/binfmt"
)

// MaxDepth caps how deeply datatypes may nest (compound members, enum, vlen
// and array base types). libhdf5 sets no limit, but real files stay far below
// it, and a hostile message could otherwise recurse without bound.
const MaxDepth = 32

// maxRank is the largest number of dimensions HDF5 allows (H5S_MAX_RANK).
const maxRank = 32

// Smallest encodings, used to check counts against the bytes available before
// allocating from them.
const (
	minTypeLen = 8 // class and version, class bit field, size
)

// DecodeDatatype decodes a Datatype message (Spec 3.0, IV.A.2.d "The Datatype
// Message", H5.format.html#DatatypeMessage) from b, which was read at file
// address addr. It returns the datatype and the number of bytes the encoding
// used (a message body may be longer). On error the datatype is nil. An
// unknown version or class is an *binfmt.UnsupportedError; anything else
// invalid is a *binfmt.FormatError.
func DecodeDatatype(b []byte, sizes binfmt.Sizes, addr uint64) (*Datatype, int, error) {
	c := binfmt.NewCursor(b, sizes, addr, "datatype message")
	t := decodeType(c, 0)
	if err := c.Err(); err != nil {
		return nil, 0, err
	}
	return t, c.Pos(), nil
}

// decodeType decodes one datatype encoding (the message, or a nested type
// inside it) at the cursor.
func decodeType(c *binfmt.Cursor, depth int) *Datatype {
	if depth > MaxDepth {
		c.Failf("datatype nested more than %d deep", MaxDepth)
		return nil
	}
	start := c.Addr()
	cv := c.Uint8()
	f0, f1, f2 := c.Uint8(), c.Uint8(), c.Uint8()
	flags := uint32(f0) | uint32(f1)<<8 | uint32(f2)<<16
	size := c.Uint32()
	if c.Err() != nil {
		return nil
	}
	t := &Datatype{Class: Class(cv & 0x0f), Version: cv >> 4, Size: size}
	switch {
	case t.Version == 0:
		c.Fail(binfmt.Errorf(start, c.What(), "datatype version 0"))
		return nil
	case t.Version > 4:
		c.Fail(binfmt.Unsupported(start, "datatype message version %d", t.Version))
		return nil
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		t.Order = ByteOrder(flags & 1)
		t.LoPad = flags&2 != 0
		t.HiPad = flags&4 != 0
		if t.Class == ClassInteger {
			t.Signed = flags&8 != 0
		}
		t.BitOffset = c.Uint16()
		t.Precision = c.Uint16()
		checkBits(c, t, start)
	case ClassFloat:
		decodeFloat(c, t, flags, start)
	case ClassTime:
		t.Order = ByteOrder(flags & 1)
		t.Precision = c.Uint16()
		if c.Err() == nil && (t.Precision == 0 || uint64(t.Precision) > 8*uint64(t.Size)) {
			c.Fail(binfmt.Errorf(start, c.What(), "time precision %d in a %d-byte type", t.Precision, t.Size))
		}
	case ClassString:
		t.Pad = StrPad(flags & 0x0f)
		t.CharSet = CharSet(flags >> 4 & 0x0f)
		if size == 0 {
			c.Fail(binfmt.Errorf(start, c.What(), "string of size 0"))
		}
	case ClassOpaque:
		// The tag is NUL-terminated and NUL-padded to a multiple of 8 bytes;
		// the class bit field gives the padded length.
		tag := c.Bytes(int(flags & 0xff))
		if i := bytes.IndexByte(tag, 0); i >= 0 {
			tag = tag[:i]
		}
		t.Tag = string(tag)
	case ClassCompound:
		decodeCompound(c, t, flags, start, depth)
	case ClassReference:
		t.RefKind = uint8(flags & 0x0f)
		if t.RefKind > RefAttribute {
			c.Fail(binfmt.Unsupported(start, "reference type %d", t.RefKind))
		}
	case ClassEnum:
		decodeEnum(c, t, flags, start, depth)
	case ClassVlen:
		switch flags & 0x0f {
		case 0:
		case 1:
			t.VlenString = true
			t.Pad = StrPad(flags >> 4 & 0x0f)
			t.CharSet = CharSet(flags >> 8 & 0x0f)
		default:
			c.Fail(binfmt.Errorf(start, c.What(), "variable-length type %d", flags&0x0f))
			return nil
		}
		t.Base = decodeType(c, depth+1)
	case ClassArray:
		decodeArray(c, t, start, depth)
	case 11:
		c.Fail(binfmt.Unsupported(start, "complex datatype (class 11)"))
	default:
		c.Fail(binfmt.Errorf(start, c.What(), "unknown datatype class %d", t.Class))
	}
	if c.Err() != nil {
		return nil
	}
	return t
}

// checkBits verifies that an integer, bitfield or float's significant bits
// lie inside its size, so readers can shift and mask without checks.
func checkBits(c *binfmt.Cursor, t *Datatype, start uint64) {
	if c.Err() != nil {
		return
	}
	if t.Size == 0 || t.Precision == 0 || uint64(t.BitOffset)+uint64(t.Precision) > 8*uint64(t.Size) {
		c.Fail(binfmt.Errorf(start, c.What(), "%s of %d bytes with bit offset %d and precision %d",
			t.Class, t.Size, t.BitOffset, t.Precision))
	}
}

// decodeFloat decodes the floating-point class bit field and properties
// (Spec 3.0, IV.A.2.d, "Floating-Point Bit Field Description" and
// "Floating-Point Property Description").
func decodeFloat(c *binfmt.Cursor, t *Datatype, flags uint32, start uint64) {
	// Bit 0 is the byte order; from version 3 on, bit 6 set together with
	// bit 0 means VAX order. libhdf5 ignores bit 6 in versions 1 and 2 (and
	// 1.10 writes VAX types as version 1 messages, which it then reads back
	// as big-endian), so goh5 does the same.
	t.Order = ByteOrder(flags & 1)
	if t.Version >= 3 && flags&0x40 != 0 {
		if flags&1 == 0 {
			c.Fail(binfmt.Errorf(start, c.What(), "reserved floating-point byte order (bit field 0x%06x)", flags))
			return
		}
		t.Order = VAXOrder
	}
	t.LoPad = flags&2 != 0
	t.HiPad = flags&4 != 0
	t.IntPad = flags&8 != 0
	t.MantNorm = uint8(flags >> 4 & 3)
	if t.MantNorm == 3 {
		c.Fail(binfmt.Errorf(start, c.What(), "reserved mantissa normalization 3"))
		return
	}
	t.SignLoc = uint8(flags >> 8)
	t.BitOffset = c.Uint16()
	t.Precision = c.Uint16()
	t.ExpLoc = c.Uint8()
	t.ExpSize = c.Uint8()
	t.MantLoc = c.Uint8()
	t.MantSize = c.Uint8()
	t.ExpBias = c.Uint32()
	checkBits(c, t, start)
	if c.Err() != nil {
		return
	}
	// The field positions count from bit 0 of the element, not from
	// BitOffset (an n-bit float with offset 7 has its sign at bit 26, say).
	p := 8 * uint64(t.Size)
	if t.ExpSize == 0 || t.MantSize == 0 || uint64(t.SignLoc) >= p ||
		uint64(t.ExpLoc)+uint64(t.ExpSize) > p || uint64(t.MantLoc)+uint64(t.MantSize) > p {
		c.Fail(binfmt.Errorf(start, c.What(),
			"float fields outside its %d bits: sign %d, exponent %d+%d, mantissa %d+%d",
			p, t.SignLoc, t.ExpLoc, t.ExpSize, t.MantLoc, t.MantSize))
	}
}

// decodeName reads a NUL-terminated name. Datatype versions 1 and 2 pad the
// name with NULs to a multiple of 8 bytes (terminator included); version 3
// and later do not pad.
func decodeName(c *binfmt.Cursor, version uint8) string {
	rest := c.Buf()[c.Pos():]
	if c.Err() != nil {
		return ""
	}
	n := bytes.IndexByte(rest, 0)
	if n < 0 {
		c.Failf("name is not NUL-terminated")
		return ""
	}
	name := string(rest[:n])
	if version < 3 {
		c.Skip((n + 8) / 8 * 8)
	} else {
		c.Skip(n + 1)
	}
	return name
}

// offsetWidth is the width of a version 3+ compound member offset: the fewest
// bytes that can hold the compound's size (libhdf5's H5VM_limit_enc_size).
func offsetWidth(size uint32) int {
	n := 1
	for s := size >> 8; s != 0; s >>= 8 {
		n++
	}
	return n
}

// decodeCompound decodes compound properties (Spec 3.0, IV.A.2.d, "Compound
// Property Description for Datatype Version 1", "... Version 2" and
// "... Version 3").
func decodeCompound(c *binfmt.Cursor, t *Datatype, flags uint32, start uint64, depth int) {
	n := uint64(flags & 0xffff)
	if n == 0 {
		c.Fail(binfmt.Errorf(start, c.What(), "compound datatype with no members"))
		return
	}
	var minMember uint64
	switch t.Version {
	case 1:
		minMember = 8 + 4 + 1 + 3 + 4 + 4 + 16 + minTypeLen
	case 2:
		minMember = 8 + 4 + minTypeLen
	default:
		minMember = 1 + 1 + minTypeLen
	}
	if err := binfmt.CheckCount(n, minMember, uint64(c.Len()), start, c.What()); err != nil {
		c.Fail(err)
		return
	}
	t.Members = make([]Member, 0, n)
	for i := uint64(0); i < n && c.Err() == nil; i++ {
		at := c.Addr()
		var m Member
		m.Name = decodeName(c, t.Version)
		if t.Version >= 3 {
			m.Offset = uint32(c.UintN(offsetWidth(t.Size)))
		} else {
			m.Offset = c.Uint32()
		}
		var ndims int
		var dims [4]uint32
		if t.Version == 1 {
			// Dimensionality, reserved, permutation (ignored, as by
			// libhdf5), reserved, four dimension sizes.
			ndims = int(c.Uint8())
			c.Skip(3 + 4 + 4)
			for j := range dims {
				dims[j] = c.Uint32()
			}
			if c.Err() == nil && ndims > 4 {
				c.Fail(binfmt.Errorf(at, c.What(), "compound member %q has %d dimensions (at most 4)", m.Name, ndims))
				return
			}
		}
		m.Type = decodeType(c, depth+1)
		if c.Err() != nil {
			return
		}
		if ndims > 0 {
			arr := &Datatype{Class: ClassArray, Version: t.Version, Base: m.Type, Dims: append([]uint32(nil), dims[:ndims]...)}
			sz, ok := arraySize(m.Type.Size, arr.Dims)
			if !ok {
				c.Fail(binfmt.Errorf(at, c.What(), "compound member %q: array size overflows", m.Name))
				return
			}
			arr.Size = sz
			m.Type = arr
		}
		if uint64(m.Offset)+uint64(m.Type.Size) > uint64(t.Size) {
			c.Fail(binfmt.Errorf(at, c.What(), "compound member %q at offset %d with size %d overruns the %d-byte compound",
				m.Name, m.Offset, m.Type.Size, t.Size))
			return
		}
		t.Members = append(t.Members, m)
	}
}

// arraySize returns base*prod(dims) if it fits in 32 bits (the datatype size
// field's width).
func arraySize(base uint32, dims []uint32) (uint32, bool) {
	n := uint64(base)
	for _, d := range dims {
		var ok bool
		if n, ok = binfmt.Mul(n, uint64(d)); !ok || n > 1<<32-1 {
			return 0, false
		}
	}
	return uint32(n), true
}

// decodeEnum decodes enumeration properties (Spec 3.0, IV.A.2.d, "Enumeration
// Property Description for Datatype Versions 1 and 2" and "... Version 3"):
// the base type, then all names, then all values.
func decodeEnum(c *binfmt.Cursor, t *Datatype, flags uint32, start uint64, depth int) {
	n := uint64(flags & 0xffff)
	t.Base = decodeType(c, depth+1)
	if c.Err() != nil {
		return
	}
	if t.Base.Class != ClassInteger {
		c.Fail(binfmt.Errorf(start, c.What(), "enum base type is %s, not integer", t.Base.Class))
		return
	}
	if t.Base.Size != t.Size {
		c.Fail(binfmt.Errorf(start, c.What(), "enum of size %d over a %d-byte base type", t.Size, t.Base.Size))
		return
	}
	minName := uint64(1)
	if t.Version < 3 {
		minName = 8
	}
	if err := binfmt.CheckCount(n, minName+uint64(t.Base.Size), uint64(c.Len()), start, c.What()); err != nil {
		c.Fail(err)
		return
	}
	t.EnumNames = make([]string, 0, n)
	for i := uint64(0); i < n && c.Err() == nil; i++ {
		t.EnumNames = append(t.EnumNames, decodeName(c, t.Version))
	}
	vs := int(t.Base.Size)
	raw := c.Bytes(int(n) * vs) // n*vs fits: CheckCount bounded it by len(b)
	if c.Err() != nil {
		return
	}
	all := append([]byte(nil), raw...)
	t.EnumValues = make([][]byte, n)
	for i := range t.EnumValues {
		t.EnumValues[i] = all[i*vs : (i+1)*vs : (i+1)*vs]
	}
}

// decodeArray decodes array properties (Spec 3.0, IV.A.2.d, "Array Property
// Description for Datatype Version 2" and "... Version 3"). Version 2
// carries permutation indices, which libhdf5 never used; they are skipped.
func decodeArray(c *binfmt.Cursor, t *Datatype, start uint64, depth int) {
	nd := int(c.Uint8())
	if c.Err() != nil {
		return
	}
	if nd == 0 || nd > maxRank {
		c.Fail(binfmt.Errorf(start, c.What(), "array of %d dimensions", nd))
		return
	}
	if t.Version < 3 {
		c.Skip(3)
	}
	t.Dims = make([]uint32, nd)
	for i := range t.Dims {
		t.Dims[i] = c.Uint32()
	}
	if t.Version < 3 {
		c.Skip(4 * nd)
	}
	t.Base = decodeType(c, depth+1)
	if c.Err() != nil {
		return
	}
	if sz, ok := arraySize(t.Base.Size, t.Dims); !ok || sz != t.Size {
		c.Fail(binfmt.Errorf(start, c.What(), "array of size %d does not hold %v elements of %d bytes",
			t.Size, t.Dims, t.Base.Size))
	}
}
