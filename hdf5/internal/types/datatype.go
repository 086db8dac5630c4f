package types

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Class is a datatype class, numbered as in the Datatype message's
// "Class and Version" field (Spec 3.0, IV.A.2.d, H5.format.html#DatatypeMessage).
type Class uint8

// Datatype classes.
const (
	ClassInteger   Class = 0 // fixed-point
	ClassFloat     Class = 1 // floating-point
	ClassTime      Class = 2
	ClassString    Class = 3 // fixed-length string
	ClassBitfield  Class = 4
	ClassOpaque    Class = 5
	ClassCompound  Class = 6
	ClassReference Class = 7
	ClassEnum      Class = 8
	ClassVlen      Class = 9 // variable-length sequence or string
	ClassArray     Class = 10
)

var classNames = [...]string{"integer", "float", "time", "string", "bitfield",
	"opaque", "compound", "reference", "enum", "vlen", "array"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return "class(" + strconv.Itoa(int(c)) + ")"
}

// ByteOrder is the byte order of an integer, float, time or bitfield type.
type ByteOrder uint8

// Byte orders. VAXOrder occurs for floats only (Spec 3.0, IV.A.2.d, bits 0
// and 6 of the floating-point class bit field).
const (
	LittleEndian ByteOrder = 0
	BigEndian    ByteOrder = 1
	VAXOrder     ByteOrder = 2
)

func (o ByteOrder) String() string {
	switch o {
	case LittleEndian:
		return "LE"
	case BigEndian:
		return "BE"
	case VAXOrder:
		return "VAX"
	}
	return "order(" + strconv.Itoa(int(o)) + ")"
}

// StrPad is a string padding type (Spec 3.0, IV.A.2.d, string class bits 0-3).
type StrPad uint8

// String padding types. Values 3-15 are reserved; they decode unchanged.
const (
	PadNullTerm StrPad = 0 // NUL-terminated; the terminator may be dropped when the string fills the field
	PadNull     StrPad = 1 // NUL-padded
	PadSpace    StrPad = 2 // space-padded
)

func (p StrPad) String() string {
	switch p {
	case PadNullTerm:
		return "nullterm"
	case PadNull:
		return "nullpad"
	case PadSpace:
		return "spacepad"
	}
	return "pad(" + strconv.Itoa(int(p)) + ")"
}

// CharSet is a string character set (Spec 3.0, IV.A.2.d, string class bits 4-7).
type CharSet uint8

// Character sets. Values 2-15 are reserved; they decode unchanged.
const (
	ASCII CharSet = 0
	UTF8  CharSet = 1
)

func (c CharSet) String() string {
	switch c {
	case ASCII:
		return "ascii"
	case UTF8:
		return "utf-8"
	}
	return "charset(" + strconv.Itoa(int(c)) + ")"
}

// Reference kinds (RefKind). RefObject and RefRegion are the only kinds the
// pre-1.12 encodings use; the others are the 1.12 revised references, which
// goh5 decodes but cannot read.
const (
	RefObject    = 0 // H5R_OBJECT1: object address
	RefRegion    = 1 // H5R_DATASET_REGION1: global heap ID of a region
	RefObject2   = 2 // H5R_OBJECT2
	RefRegion2   = 3 // H5R_DATASET_REGION2
	RefAttribute = 4 // H5R_ATTR
)

// Float mantissa normalizations (Datatype.MantNorm), as encoded in bits 4-5
// of the floating-point class bit field.
const (
	NormNone    = 0 // no normalization
	NormMSBSet  = 1 // the mantissa's most significant bit is always set
	NormImplied = 2 // the most significant bit is implied, not stored (IEEE)
)

// Datatype is a decoded Datatype message (Spec 3.0, IV.A.2.d "The Datatype
// Message", H5.format.html#DatatypeMessage). Which fields are meaningful
// depends on Class; the others are zero.
type Datatype struct {
	Class   Class
	Version uint8  // message version, 1-4
	Size    uint32 // size of one element in bytes as stored in the file

	// Integer, bitfield, time (time uses Order and Precision only) and float.
	Order     ByteOrder
	Signed    bool // integer only
	BitOffset uint16
	Precision uint16
	LoPad     bool // padding bits below BitOffset are ones
	HiPad     bool // padding bits above BitOffset+Precision are ones

	// Float only. Bit positions count from bit 0 of the element (they are
	// not relative to BitOffset).
	SignLoc, ExpLoc, ExpSize, MantLoc, MantSize uint8
	ExpBias                                     uint32
	MantNorm                                    uint8 // NormNone, NormMSBSet, NormImplied
	IntPad                                      bool  // unused internal bits are ones

	// String; vlen string.
	Pad     StrPad
	CharSet CharSet

	// Opaque: the tag, without its NUL padding.
	Tag string

	// Compound: members in message order. A version-1 member with
	// dimensions is represented as a member whose Type is an array.
	Members []Member

	// Enum (the integer base type), vlen (the element type; for vlen strings
	// an 8-bit character type), array (the element type).
	Base *Datatype

	// Enum: member names and raw values, Base.Size bytes each, in Base's
	// byte order.
	EnumNames  []string
	EnumValues [][]byte

	// Vlen: a string (true) or a sequence of Base (false).
	VlenString bool

	// Array: dimension sizes, slowest-varying first.
	Dims []uint32

	// Reference: RefObject, RefRegion, or 2-4 for the 1.12 kinds.
	RefKind uint8
}

// Member is one field of a compound datatype.
type Member struct {
	Name   string
	Offset uint32 // byte offset of the field within the compound element
	Type   *Datatype
}

// String returns a short, h5ls-like description of t. The format, which goh5
// ls prints, is:
//
//	integer     "int32 LE", "uint8 BE"  (int/uint + 8*Size), followed by
//	            " precision=P offset=O" when the value does not fill the bytes
//	float       "float64 LE", "float16 BE" for IEEE layouts; any other layout
//	            appends " (sign S, exp L+N bias B, mant L+N, norm none|msbset|implied)",
//	            and " precision=P offset=O" when not filling the bytes; the
//	            order may be "VAX"
//	time        "time32 LE"
//	string      "string[10] nullpad ascii" (size, padding, charset utf-8|ascii)
//	bitfield    "bitfield8 LE"
//	opaque      "opaque[16] tag \"x\"" or, without a tag, "opaque[16]"
//	compound    "compound{a: int32 LE, b: float64 LE}"
//	reference   "reference(object)", "reference(region)", and for the 1.12
//	            kinds "reference(object2)", "reference(region2)", "reference(attribute)"
//	enum        "enum int8 LE {FALSE=0, TRUE=1}" (values as integers of the base type)
//	vlen        "vlen string utf-8", "vlen of int32 LE"
//	array       "array[3,4] of float32 LE"
func (t *Datatype) String() string {
	var b strings.Builder
	t.format(&b, 0)
	return b.String()
}

func (t *Datatype) format(b *strings.Builder, depth int) {
	if t == nil {
		b.WriteString("<nil>")
		return
	}
	if depth > MaxDepth {
		b.WriteString("...")
		return
	}
	bits := 8 * uint64(t.Size)
	switch t.Class {
	case ClassInteger:
		if !t.Signed {
			b.WriteString("u")
		}
		fmt.Fprintf(b, "int%d %s", bits, t.Order)
		t.formatPrecision(b)
	case ClassFloat:
		fmt.Fprintf(b, "float%d %s", bits, t.Order)
		if _, ok := t.ieeeLayout(); !ok {
			fmt.Fprintf(b, " (sign %d, exp %d+%d bias %d, mant %d+%d, norm %s)",
				t.SignLoc, t.ExpLoc, t.ExpSize, t.ExpBias, t.MantLoc, t.MantSize, normName(t.MantNorm))
		}
		t.formatPrecision(b)
	case ClassTime:
		fmt.Fprintf(b, "time%d %s", bits, t.Order)
	case ClassString:
		fmt.Fprintf(b, "string[%d] %s %s", t.Size, t.Pad, t.CharSet)
	case ClassBitfield:
		fmt.Fprintf(b, "bitfield%d %s", bits, t.Order)
		t.formatPrecision(b)
	case ClassOpaque:
		fmt.Fprintf(b, "opaque[%d]", t.Size)
		if t.Tag != "" {
			fmt.Fprintf(b, " tag %q", t.Tag)
		}
	case ClassCompound:
		b.WriteString("compound{")
		for i, m := range t.Members {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(m.Name)
			b.WriteString(": ")
			m.Type.format(b, depth+1)
		}
		b.WriteString("}")
	case ClassReference:
		b.WriteString("reference(")
		switch t.RefKind {
		case RefObject:
			b.WriteString("object")
		case RefRegion:
			b.WriteString("region")
		case RefObject2:
			b.WriteString("object2")
		case RefRegion2:
			b.WriteString("region2")
		case RefAttribute:
			b.WriteString("attribute")
		default:
			b.WriteString(strconv.Itoa(int(t.RefKind)))
		}
		b.WriteString(")")
	case ClassEnum:
		b.WriteString("enum ")
		t.Base.format(b, depth+1)
		b.WriteString(" {")
		for i, name := range t.EnumNames {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name)
			b.WriteString("=")
			if i < len(t.EnumValues) {
				b.WriteString(t.Base.intString(t.EnumValues[i]))
			}
		}
		b.WriteString("}")
	case ClassVlen:
		if t.VlenString {
			fmt.Fprintf(b, "vlen string %s", t.CharSet)
		} else {
			b.WriteString("vlen of ")
			t.Base.format(b, depth+1)
		}
	case ClassArray:
		b.WriteString("array[")
		for i, d := range t.Dims {
			if i > 0 {
				b.WriteString(",")
			}
			b.WriteString(strconv.FormatUint(uint64(d), 10))
		}
		b.WriteString("] of ")
		t.Base.format(b, depth+1)
	default:
		fmt.Fprintf(b, "%s[%d]", t.Class, t.Size)
	}
}

func (t *Datatype) formatPrecision(b *strings.Builder) {
	if t.BitOffset != 0 || uint64(t.Precision) != 8*uint64(t.Size) {
		fmt.Fprintf(b, " precision=%d offset=%d", t.Precision, t.BitOffset)
	}
}

func normName(n uint8) string {
	switch n {
	case NormNone:
		return "none"
	case NormMSBSet:
		return "msbset"
	case NormImplied:
		return "implied"
	}
	return strconv.Itoa(int(n))
}

// intString formats raw, a value of integer type t (an enum base), as a
// decimal integer, honouring byte order, sign, bit offset and precision. It
// falls back to hex when t is not an integer type.
func (t *Datatype) intString(raw []byte) string {
	if t == nil || (t.Class != ClassInteger && t.Class != ClassBitfield) || len(raw) != int(t.Size) || len(raw) == 0 {
		return fmt.Sprintf("0x%x", raw)
	}
	le := make([]byte, len(raw))
	copy(le, raw)
	if t.Order == BigEndian {
		for i, j := 0, len(le)-1; i < j; i, j = i+1, j-1 {
			le[i], le[j] = le[j], le[i]
		}
	}
	if len(le) <= 8 {
		var buf [8]byte
		copy(buf[:], le)
		u := binary.LittleEndian.Uint64(buf[:])
		u >>= t.BitOffset % 64
		prec := uint(t.Precision)
		if prec == 0 || prec > 64 {
			prec = 64
		}
		if prec < 64 {
			u &= 1<<prec - 1
		}
		if t.Class == ClassInteger && t.Signed && u>>(prec-1)&1 == 1 {
			if prec == 64 {
				return strconv.FormatInt(int64(u), 10)
			}
			return strconv.FormatInt(int64(u)-int64(1)<<prec, 10)
		}
		return strconv.FormatUint(u, 10)
	}
	// Integers wider than 64 bits: use math/big.
	return BigInt(t, le).String()
}

// BigInt returns the value of le, an element of integer or bitfield type t
// in little-endian byte order: its Precision bits from BitOffset,
// sign-extended when t is a signed integer. It serves integers wider than
// 64 bits.
func BigInt(t *Datatype, le []byte) *big.Int {
	be := make([]byte, len(le))
	for i := range le {
		be[len(le)-1-i] = le[i]
	}
	v := new(big.Int).SetBytes(be)
	v.Rsh(v, uint(t.BitOffset))
	prec := uint(t.Precision)
	mask := new(big.Int).Lsh(big.NewInt(1), prec)
	mask.Sub(mask, big.NewInt(1))
	v.And(v, mask)
	if t.Class == ClassInteger && t.Signed && prec > 0 && v.Bit(int(prec-1)) == 1 {
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), prec))
	}
	return v
}

// IsIEEE reports whether t is an IEEE 754 binary16, binary32 or binary64
// floating-point type in little- or big-endian byte order (not VAX): the
// value fills all Size bytes (BitOffset 0, Precision 8*Size), the sign is the
// top bit, the exponent and mantissa sit where IEEE puts them with the IEEE
// bias, and the leading mantissa bit is implied. bits is 16, 32 or 64. Padding
// flags are ignored: an IEEE layout has no padding bits.
func (t *Datatype) IsIEEE() (bits int, ok bool) {
	if t == nil || t.Class != ClassFloat || (t.Order != LittleEndian && t.Order != BigEndian) {
		return 0, false
	}
	return t.ieeeLayout()
}

func (t *Datatype) ieeeLayout() (int, bool) {
	type layout struct {
		size                 uint32
		exp, mant            uint8
		bias                 uint32
		signLoc, expLoc, man uint8
	}
	for _, l := range [...]layout{
		{2, 5, 10, 15, 15, 10, 0},
		{4, 8, 23, 127, 31, 23, 0},
		{8, 11, 52, 1023, 63, 52, 0},
	} {
		if t.Size == l.size && t.BitOffset == 0 && uint32(t.Precision) == 8*l.size &&
			t.SignLoc == l.signLoc && t.ExpLoc == l.expLoc && t.ExpSize == l.exp &&
			t.MantLoc == l.man && t.MantSize == l.mant && t.ExpBias == l.bias &&
			t.MantNorm == NormImplied {
			return int(8 * l.size), true
		}
	}
	return 0, false
}

// HasVlenOrRef reports whether an element of t holds, anywhere inside it
// (compound members, array elements, enum base), a variable-length value or a
// reference: data that points elsewhere in the file and cannot be copied out
// as plain bytes.
func (t *Datatype) HasVlenOrRef() bool {
	return t.hasVlenOrRef(0)
}

func (t *Datatype) hasVlenOrRef(depth int) bool {
	if t == nil || depth > MaxDepth {
		return false
	}
	switch t.Class {
	case ClassVlen, ClassReference:
		return true
	case ClassCompound:
		for _, m := range t.Members {
			if m.Type.hasVlenOrRef(depth + 1) {
				return true
			}
		}
	case ClassArray, ClassEnum:
		return t.Base.hasVlenOrRef(depth + 1)
	}
	return false
}
