package hdf5

import (
	"context"
	"fmt"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// elems is a run of elements ready for typed decoding: n elements of type t,
// packed, in the element layout with every number little-endian (what Read
// delivers). Variable-length data and references are still descriptors,
// which f resolves.
type elems struct {
	f     *File
	t     *types.Datatype
	buf   []byte
	n     uint64
	shape []uint64 // shape of the selection; nil for a scalar
	what  string   // "dataset /x" or "attribute /x:name", for messages
}

// at returns element i.
func (e *elems) at(i uint64) []byte {
	es := uint64(e.t.Size)
	return e.buf[i*es : (i+1)*es]
}

// readElems reads what sel selects from d. With a field selection, the
// element type is the packed compound of the chosen members, or the member
// itself when exactly one is chosen.
func (d *Dataset) readElems(ctx context.Context, sel *Selection) (*elems, error) {
	e := &elems{f: d.f, t: d.dtype, what: "dataset " + d.path}
	if d.space.Kind == types.SpaceNull {
		return e, nil
	}
	shape, n, err := d.SelectionShape(sel)
	if err != nil {
		return nil, err
	}
	if fields := sel.FieldNames(); len(fields) > 0 {
		sub, err := subsetType(d.dtype, fields)
		if err != nil {
			return nil, err
		}
		e.t = sub
		if len(fields) == 1 {
			e.t = sub.Members[0].Type
		}
	}
	size, err := d.SelectionBytes(sel)
	if err != nil {
		return nil, err
	}
	if size > uint64(d.f.opts.maxReadBytes) {
		return nil, &binfmt.LimitError{Name: "MaxReadBytes", Limit: d.f.opts.maxReadBytes, Addr: d.addr}
	}
	e.buf = make([]byte, size)
	if err := d.ReadContext(ctx, sel, e.buf); err != nil {
		return nil, err
	}
	e.n, e.shape = n, shape
	return e, nil
}

// elems returns the attribute's value as elements, converted from the file's
// byte order.
func (a *Attribute) elems() (*elems, error) {
	e := &elems{f: a.f, t: a.dtype, what: fmt.Sprintf("attribute %q of %s", a.Name, a.OwnerPath)}
	if a.space.Kind == types.SpaceNull {
		return e, nil
	}
	n, ok := a.space.NumElements()
	if !ok {
		return nil, fmt.Errorf("hdf5: %s: element count overflows", e.what)
	}
	size, ok := binfmt.Mul(n, uint64(a.dtype.Size))
	if !ok || size > uint64(len(a.raw)) {
		return nil, fmt.Errorf("hdf5: %s: value holds %d bytes, %d elements of %d bytes need more", e.what, len(a.raw), n, a.dtype.Size)
	}
	e.buf = make([]byte, size)
	copy(e.buf, a.raw)
	toNative(a.dtype, e.buf)
	e.n = n
	if a.space.Kind == types.SpaceSimple {
		e.shape = a.space.Dims
	}
	return e, nil
}

// vlenSeq resolves the variable-length descriptor desc (of vlen type t) to
// its elements, converted to little-endian. Each element is base.Size bytes.
func (f *File) vlenSeq(t *types.Datatype, desc []byte) (n uint64, data []byte, err error) {
	count, raw, err := f.VlenElement(desc)
	if err != nil {
		return 0, nil, err
	}
	if count == 0 {
		return 0, nil, nil
	}
	if t.VlenString {
		if uint64(count) > uint64(len(raw)) {
			return 0, nil, fmt.Errorf("hdf5: variable-length string of %d bytes in a heap object of %d", count, len(raw))
		}
		return uint64(count), raw[:count], nil
	}
	if t.Base == nil || t.Base.Size == 0 {
		return 0, nil, fmt.Errorf("hdf5: variable-length sequence of a zero-sized type")
	}
	need, ok := binfmt.Mul(uint64(count), uint64(t.Base.Size))
	if !ok || need > uint64(len(raw)) {
		return 0, nil, fmt.Errorf("hdf5: variable-length sequence of %d elements of %d bytes in a heap object of %d bytes", count, t.Base.Size, len(raw))
	}
	data = make([]byte, need)
	copy(data, raw)
	toNative(t.Base, data)
	return uint64(count), data, nil
}
