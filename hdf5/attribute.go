package hdf5

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Attribute is a small named value attached to an object
// (Spec 3.0, IV.A.2.m "Attribute Message").
type Attribute struct {
	Name string
	// CreationOrder is the attribute's creation index when its object tracks
	// it, else -1.
	CreationOrder int64
	dtype         *types.Datatype
	space         *types.Dataspace
	raw           []byte
	f             *File
	// OwnerPath is the path of the object the attribute belongs to.
	OwnerPath string
}

// Datatype returns the attribute's datatype.
func (a *Attribute) Datatype() *Datatype { return a.dtype }

// Dataspace returns the attribute's dataspace.
func (a *Attribute) Dataspace() *Dataspace { return a.space }

// Shape returns the attribute's dimensions (nil for a scalar or null space).
func (a *Attribute) Shape() []uint64 { return a.space.Dims }

// RawBytes returns the attribute's stored value bytes, in the file's layout.
func (a *Attribute) RawBytes() []byte { return a.raw }

// Attributes lists the object's attributes in name order.
func (o *obj) Attributes() iter.Seq2[*Attribute, error] { return o.AttributesOrdered(ByName) }

// AttributesOrdered lists the object's attributes in the given order.
// ByCreation falls back to the order of the attribute messages in the header
// (which is creation order) when the object does not track creation order.
func (o *obj) AttributesOrdered(order Order) iter.Seq2[*Attribute, error] {
	return func(yield func(*Attribute, error) bool) {
		attrs, err := o.loadAttrs()
		if err != nil {
			yield(nil, err)
			return
		}
		attrs = slices.Clone(attrs)
		if order == ByName {
			slices.SortStableFunc(attrs, func(a, b *Attribute) int { return strings.Compare(a.Name, b.Name) })
		} else {
			slices.SortStableFunc(attrs, func(a, b *Attribute) int { return cmpInt(a.CreationOrder, b.CreationOrder) })
		}
		for _, a := range attrs {
			if !yield(a, nil) {
				return
			}
		}
	}
}

// Attribute returns the named attribute.
func (o *obj) Attribute(name string) (*Attribute, error) {
	attrs, err := o.loadAttrs()
	if err != nil {
		return nil, err
	}
	for _, a := range attrs {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("hdf5: %s: no attribute %q: %w", o.path, name, ErrNotFound)
}

// NumAttributes returns the number of attributes.
func (o *obj) NumAttributes() (int, error) {
	attrs, err := o.loadAttrs()
	return len(attrs), err
}

// loadAttrs reads the attributes in storage order: compact attribute
// messages first (header order), then dense storage (Spec 3.0, IV.A.2.v
// "Attribute Info Message").
func (o *obj) loadAttrs() ([]*Attribute, error) {
	f := o.f
	var attrs []*Attribute
	for i := range o.hdr.Messages {
		m := &o.hdr.Messages[i]
		if m.Type != object.MsgAttribute {
			continue
		}
		v, err := f.messageValue(m)
		if err != nil {
			return nil, err
		}
		am, ok := v.(*object.Attribute)
		if !ok {
			return nil, binfmt.Errorf(m.Addr, "attribute message", "undecodable")
		}
		a, err := f.newAttribute(o, am, m.Addr)
		if err != nil {
			return nil, err
		}
		a.CreationOrder = int64(len(attrs))
		if o.hdr.Version == 2 && o.hdr.Flags&0x04 != 0 {
			a.CreationOrder = int64(m.CreationOrder)
		}
		attrs = append(attrs, a)
	}
	if m := o.hdr.Find(object.MsgAttrInfo); m != nil {
		ai, ok := m.Value.(*object.AttrInfo)
		if ok && ai.HeapAddr != binfmt.Undef && ai.NameIndexAddr != binfmt.Undef {
			dense, err := f.denseAttrs(o, ai)
			if err != nil {
				return nil, err
			}
			attrs = append(attrs, dense...)
		}
	}
	return attrs, nil
}

func (f *File) newAttribute(o *obj, am *object.Attribute, at uint64) (*Attribute, error) {
	a := &Attribute{Name: am.Name, CreationOrder: -1, raw: am.Data, f: f, OwnerPath: o.path, dtype: am.Datatype, space: am.Dataspace}
	if am.DatatypeShared != nil {
		v, err := f.sharedValue(object.MsgDatatype, am.DatatypeShared, at, 0)
		if err != nil {
			return nil, fmt.Errorf("hdf5: attribute %q: %w", am.Name, err)
		}
		dt, ok := v.(*types.Datatype)
		if !ok {
			return nil, binfmt.Errorf(at, "attribute message", "shared datatype is not a datatype")
		}
		a.dtype = dt
	}
	if am.DataspaceShared != nil {
		v, err := f.sharedValue(object.MsgDataspace, am.DataspaceShared, at, 0)
		if err != nil {
			return nil, fmt.Errorf("hdf5: attribute %q: %w", am.Name, err)
		}
		ds, ok := v.(*types.Dataspace)
		if !ok {
			return nil, binfmt.Errorf(at, "attribute message", "shared dataspace is not a dataspace")
		}
		a.space = ds
	}
	if a.dtype == nil || a.space == nil {
		return nil, binfmt.Errorf(at, "attribute message", "attribute %q lacks a datatype or dataspace", am.Name)
	}
	return a, nil
}

// denseAttrs reads attributes kept in a fractal heap and indexed by a
// version 2 B-tree of name hashes (record type 8).
func (f *File) denseAttrs(o *obj, ai *object.AttrInfo) ([]*Attribute, error) {
	fh, bt, err := f.denseStorage(ai.HeapAddr, ai.NameIndexAddr, 8, "attribute name index")
	if err != nil {
		return nil, err
	}
	var attrs []*Attribute
	for rec, err := range bt.Records() {
		if err != nil {
			return nil, err
		}
		r, err := btree.DecodeAttrName(rec)
		if err != nil {
			return nil, err
		}
		var raw []byte
		at := ai.HeapAddr
		if r.Flags&1 != 0 {
			// The attribute itself is a shared message in the SOHM heap.
			raw, at, err = f.sohmGet(object.MsgAttribute, r.HeapID)
		} else {
			raw, err = fh.Get(r.HeapID)
		}
		if err != nil {
			return nil, err
		}
		v, err := object.DecodeMessage(object.MsgAttribute, raw, f.src.Sizes, at)
		if err != nil {
			return nil, err
		}
		am, ok := v.(*object.Attribute)
		if !ok {
			return nil, binfmt.Errorf(at, "dense attribute", "undecodable")
		}
		a, err := f.newAttribute(o, am, at)
		if err != nil {
			return nil, err
		}
		a.CreationOrder = int64(r.CreationOrder)
		attrs = append(attrs, a)
	}
	return attrs, nil
}
