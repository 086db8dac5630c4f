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
