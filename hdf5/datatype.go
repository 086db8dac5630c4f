package hdf5

import (
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Datatype describes the type of a dataset's or attribute's elements
// (Spec 3.0, IV.A.2.d "Datatype Message"). It is the decoded form: class,
// size, byte order and the class's properties, with nested types for
// compounds, enums, arrays and variable-length types.
type Datatype = types.Datatype

// Member is one field of a compound datatype.
type Member = types.Member

// Dataspace is the shape of a dataset or attribute (Spec 3.0, IV.A.2.b).
type Dataspace = types.Dataspace

// Class is a datatype class.
type Class = types.Class

// The datatype classes.
const (
	ClassInteger   = types.ClassInteger
	ClassFloat     = types.ClassFloat
	ClassTime      = types.ClassTime
	ClassString    = types.ClassString
	ClassBitfield  = types.ClassBitfield
	ClassOpaque    = types.ClassOpaque
	ClassCompound  = types.ClassCompound
	ClassReference = types.ClassReference
	ClassEnum      = types.ClassEnum
	ClassVlen      = types.ClassVlen
	ClassArray     = types.ClassArray
)

// Unlimited marks an unlimited maximum dimension.
const Unlimited = types.Unlimited

// NamedDatatype is a committed datatype: a datatype stored as an object of
// its own, which datasets and attributes can share.
type NamedDatatype struct {
	obj
	dtype *types.Datatype
}

// Kind returns KindDatatype.
func (t *NamedDatatype) Kind() ObjectKind { return KindDatatype }

// Datatype returns the committed type.
func (t *NamedDatatype) Datatype() *Datatype { return t.dtype }

func newNamedDatatype(o obj) (*NamedDatatype, error) {
	m := o.hdr.Find(object.MsgDatatype)
	v, err := o.f.messageValue(m)
	if err != nil {
		return nil, err
	}
	dt, ok := v.(*types.Datatype)
	if !ok {
		return nil, binfmt.Errorf(m.Addr, "datatype message", "undecodable")
	}
	return &NamedDatatype{obj: o, dtype: dt}, nil
}

// ByteOrder, StrPad, CharSet and SpaceKind are the enumerated properties of
// datatypes and dataspaces.
type (
	ByteOrder = types.ByteOrder
	StrPad    = types.StrPad
	CharSet   = types.CharSet
	SpaceKind = types.SpaceKind
)

// The values of the datatype and dataspace properties.
const (
	LittleEndian = types.LittleEndian
	BigEndian    = types.BigEndian
	VAXOrder     = types.VAXOrder

	PadNullTerm = types.PadNullTerm
	PadNull     = types.PadNull
	PadSpace    = types.PadSpace

	ASCII = types.ASCII
	UTF8  = types.UTF8

	SpaceScalar = types.SpaceScalar
	SpaceSimple = types.SpaceSimple
	SpaceNull   = types.SpaceNull

	RefObject = types.RefObject // Datatype.RefKind of an object reference
	RefRegion = types.RefRegion // Datatype.RefKind of a dataset region reference

	NormNone    = types.NormNone    // Datatype.MantNorm: no normalization
	NormMSBSet  = types.NormMSBSet  // the leading mantissa bit is stored
	NormImplied = types.NormImplied // the leading mantissa bit is implied (IEEE)
)

// ToLittleEndian converts, in place, every atomic number of the elements of
// type t in buf from the type's stored byte order to little-endian, as
// Dataset.Read does. Attribute.RawBytes and variable-length heap data are in
// the file's byte order; this brings them to Read's layout. Strings, opaque
// data and the descriptors of variable-length data and references are left
// as they are.
func ToLittleEndian(t *Datatype, buf []byte) { toNative(t, buf) }
