package hdf5

import (
	"context"
	"errors"
	"fmt"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// ReadValues reads what sel selects and returns each element as a Go value,
// in C order (a flat slice; SelectionShape gives its shape). It reads every
// datatype. The mapping is:
//
//	integer            int64 when signed, uint64 when unsigned; *big.Int over 64 bits
//	bitfield           uint64
//	time               int64
//	float              float64 (other layouts converted, rounded to nearest)
//	fixed string       string, padding removed (see ReadStrings)
//	vlen string        string
//	opaque             []byte
//	enum               Enum{Name, Value}
//	compound           []any, one value per member in member order
//	array              []any over the first dimension, nested for the others
//	vlen sequence      []any, one value per element
//	object reference   *ObjectRef, or nil for a null reference
//	region reference   *RegionRef, or nil for a null reference
//
// References of the HDF5 1.12 kinds give an *UnsupportedError.
func (d *Dataset) ReadValues(sel *Selection) ([]any, error) {
	return d.ReadValuesContext(context.Background(), sel)
}

// ReadValuesContext is ReadValues with cancellation.
func (d *Dataset) ReadValuesContext(ctx context.Context, sel *Selection) ([]any, error) {
	if err := checkReadable(d.elemType(sel)); err != nil {
		return nil, fmt.Errorf("%w (dataset %s)", err, d.path)
	}
	e, err := d.readElems(ctx, sel)
	if err != nil {
		return nil, err
	}
	return e.values(ctx)
}

// Value returns the attribute's value with the mapping of
// Dataset.ReadValues: the bare element for a scalar, nested []any slices
// following the shape for a simple dataspace (as h5py gives), and nil for a
// null dataspace.
func (a *Attribute) Value() (any, error) {
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	if a.space.Kind == types.SpaceNull {
		return nil, nil
	}
	if err := checkReadable(e.t); err != nil {
		return nil, fmt.Errorf("%w (%s)", err, e.what)
	}
	vals, err := e.values(context.Background())
	if err != nil {
		return nil, err
	}
	if a.space.Kind == types.SpaceScalar {
		if len(vals) != 1 {
			return nil, fmt.Errorf("hdf5: %s: scalar holds %d elements", e.what, len(vals))
		}
		return vals[0], nil
	}
	return Nest(vals, e.shape), nil
}

// Nest arranges flat C-order values into nested []any slices of the given
// shape. A zero-length dimension gives empty slices; a nil shape returns
// the single value.
func Nest(vals []any, shape []uint64) any {
	if len(shape) == 0 {
		if len(vals) == 0 {
			return nil
		}
		return vals[0]
	}
	if len(shape) == 1 {
		return vals
	}
	n := shape[0]
	if n == 0 {
		return []any{}
	}
	step := uint64(len(vals)) / n
	out := make([]any, n)
	for i := range out {
		out[i] = Nest(vals[uint64(i)*step:uint64(i+1)*step], shape[1:])
	}
	return out
}

// checkReadable rejects, before anything is read, types whose values cannot
// be decoded at all.
func checkReadable(t *types.Datatype) error {
	return walkType(t, 0, func(t *types.Datatype) error {
		if t.Class == types.ClassReference && t.RefKind > types.RefRegion {
			return refUnsupported(t)
		}
		return nil
	})
}

func walkType(t *types.Datatype, depth int, fn func(*types.Datatype) error) error {
	if t == nil {
		return fmt.Errorf("hdf5: incomplete datatype")
	}
	if depth > types.MaxDepth {
		return fmt.Errorf("hdf5: datatype nests deeper than %d", types.MaxDepth)
	}
	if err := fn(t); err != nil {
		return err
	}
	switch t.Class {
	case types.ClassCompound:
		for _, m := range t.Members {
			if err := walkType(m.Type, depth+1, fn); err != nil {
				return err
			}
		}
	case types.ClassArray, types.ClassEnum:
		return walkType(t.Base, depth+1, fn)
	case types.ClassVlen:
		if !t.VlenString {
			return walkType(t.Base, depth+1, fn)
		}
	}
	return nil
}

func (e *elems) values(ctx context.Context) ([]any, error) {
	dec := &valueDecoder{f: e.f, enums: map[*types.Datatype]*enumTable{}}
	out := make([]any, e.n)
	for i := range e.n {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		v, err := dec.value(e.t, e.at(i), 0)
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: %w", e.what, i, err)
		}
		out[i] = v
	}
	return out, nil
}

// valueDecoder turns elements into Go values; it keeps the enum tables it
// builds.
type valueDecoder struct {
	f     *File
	enums map[*types.Datatype]*enumTable
}

// value decodes one little-endian element b of type t.
func (dec *valueDecoder) value(t *types.Datatype, b []byte, depth int) (any, error) {
	if depth > types.MaxDepth {
		return nil, fmt.Errorf("hdf5: datatype nests deeper than %d", types.MaxDepth)
	}
	if uint64(len(b)) < uint64(t.Size) {
		return nil, fmt.Errorf("hdf5: element of %d bytes for %s", len(b), t)
	}
	b = b[:t.Size]
	switch t.Class {
	case types.ClassInteger, types.ClassBitfield, types.ClassTime:
		src, err := numericSource(t, "a value")
		if err != nil {
			var ue *binfmt.UnsupportedError
			if errors.As(err, &ue) && t.Class == types.ClassInteger && t.Precision > 64 {
				return types.BigInt(t, b), nil
			}
			return nil, err
		}
		if src.signed || t.Class == types.ClassTime {
			if t.Class == types.ClassTime {
				src.signed = true
			}
			return src.int64At(b), nil
		}
		return src.raw(b), nil
	case types.ClassFloat:
		src, err := numericSource(t, "a value")
		if err != nil {
			return nil, err
		}
		return src.float64At(b), nil
	case types.ClassString:
		return string(unpadString(b, t.Pad)), nil
	case types.ClassOpaque:
		return append([]byte(nil), b...), nil
	case types.ClassEnum:
		tab := dec.enums[t]
		if tab == nil {
			var err error
			if tab, err = newEnumTable(t); err != nil {
				return nil, err
			}
			dec.enums[t] = tab
		}
		return tab.at(b), nil
	case types.ClassCompound:
		out := make([]any, len(t.Members))
		for i, m := range t.Members {
			end := uint64(m.Offset) + uint64(m.Type.Size)
			if end > uint64(len(b)) {
				return nil, fmt.Errorf("hdf5: compound member %q lies outside its %d-byte element", m.Name, len(b))
			}
			v, err := dec.value(m.Type, b[m.Offset:end], depth+1)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case types.ClassArray:
		return dec.array(t, b, depth)
	case types.ClassVlen:
		if t.VlenString {
			s, err := dec.f.stringAt(t, b)
			if err != nil {
				return nil, err
			}
			return s, nil
		}
		n, data, err := dec.f.vlenSeq(t, b)
		if err != nil {
			return nil, err
		}
		out := make([]any, n)
		es := uint64(t.Base.Size)
		for i := range n {
			if out[i], err = dec.value(t.Base, data[i*es:(i+1)*es], depth+1); err != nil {
				return nil, err
			}
		}
		return out, nil
	case types.ClassReference:
		switch t.RefKind {
		case types.RefObject:
			r, err := dec.f.objectRefAt(t, b)
			if r == nil || err != nil {
				return nil, err
			}
			return r, nil
		case types.RefRegion:
			r, err := dec.f.regionRefAt(t, b)
			if r == nil || err != nil {
				return nil, err
			}
			return r, nil
		}
		return nil, refUnsupported(t)
	}
	return nil, &binfmt.UnsupportedError{Feature: fmt.Sprintf("datatype class %s", t.Class)}
}

// array decodes an array element as nested []any over its dimensions.
func (dec *valueDecoder) array(t *types.Datatype, b []byte, depth int) (any, error) {
	if t.Base == nil || t.Base.Size == 0 {
		return nil, fmt.Errorf("hdf5: array of a zero-sized type")
	}
	n, ok := uint64(1), true
	shape := make([]uint64, len(t.Dims))
	for i, d := range t.Dims {
		shape[i] = uint64(d)
		if n, ok = binfmt.Mul(n, uint64(d)); !ok {
			break
		}
	}
	es := uint64(t.Base.Size)
	if total, ok2 := binfmt.Mul(n, es); !ok || !ok2 || total > uint64(len(b)) {
		return nil, fmt.Errorf("hdf5: %s does not fit its %d bytes", t, len(b))
	}
	flat := make([]any, n)
	for i := range n {
		v, err := dec.value(t.Base, b[i*es:(i+1)*es], depth+1)
		if err != nil {
			return nil, err
		}
		flat[i] = v
	}
	return Nest(flat, shape), nil
}
