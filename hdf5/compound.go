package hdf5

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/goh5/goh5/hdf5/internal/types"
)

// ReadStructs reads compound elements (Spec 3.0, IV.A.2.d class 6) into Go
// values of type T, usually a struct.
//
// A struct field takes the member named by its `hdf5:"name"` tag, or else
// the member whose name equals the field's name; a tag naming no member is
// an error, an untagged field with no member is left zero, and `hdf5:"-"`
// skips a field. Members with no field are ignored. Field types map as
// follows:
//
//	numeric kinds      numeric members, with the conversion rules of ReadAs
//	bool               integer or enum members (non-zero is true)
//	string             fixed- or variable-length string members
//	struct             nested compound members
//	[N]E               array members whose first dimension is N (nested arrays
//	                   for more dimensions); [N]byte also takes opaque members
//	[]E                array members (flattened) and vlen sequences
//	[]byte             opaque members
//	Enum               enum members
//	*ObjectRef, *RegionRef  references
//	any                any member, as ReadValues maps it
func ReadStructs[T any](d *Dataset, sel *Selection, opts ...ConvOption) ([]T, error) {
	return ReadStructsContext[T](context.Background(), d, sel, opts...)
}

// ReadStructsContext is ReadStructs with cancellation of the underlying read.
func ReadStructsContext[T any](ctx context.Context, d *Dataset, sel *Selection, opts ...ConvOption) ([]T, error) {
	o := convOptions(opts)
	pl := &planner{f: d.f, opts: o}
	fn, err := pl.plan(d.elemType(sel), reflect.TypeFor[T](), 0)
	if err != nil {
		return nil, fmt.Errorf("%w (dataset %s)", err, d.path)
	}
	e, err := d.readElems(ctx, sel)
	if err != nil {
		return nil, err
	}
	return assignAll[T](e, fn)
}

// ReadAttrStructs is ReadStructs for an attribute.
func ReadAttrStructs[T any](a *Attribute, opts ...ConvOption) ([]T, error) {
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	pl := &planner{f: a.f, opts: convOptions(opts)}
	fn, err := pl.plan(e.t, reflect.TypeFor[T](), 0)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, e.what)
	}
	return assignAll[T](e, fn)
}

// ReadField reads one member of a compound dataset into values of type T,
// which maps to the member's type as a struct field does in ReadStructs.
func ReadField[T any](d *Dataset, sel *Selection, member string, opts ...ConvOption) ([]T, error) {
	return ReadStructsContext[T](context.Background(), d, sel.Fields(member), opts...)
}

func assignAll[T any](e *elems, fn assignFn) ([]T, error) {
	out := make([]T, e.n)
	for i := range e.n {
		if err := fn(e.at(i), reflect.ValueOf(&out[i]).Elem()); err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: %w", e.what, i, err)
		}
	}
	return out, nil
}

// assignFn stores one little-endian element into a settable Go value.
type assignFn func(b []byte, v reflect.Value) error

type planner struct {
	f    *File
	opts convOpts
}

var (
	anyType       = reflect.TypeFor[any]()
	enumType      = reflect.TypeFor[Enum]()
	objectRefType = reflect.TypeFor[*ObjectRef]()
	regionRefType = reflect.TypeFor[*RegionRef]()
	bytesType     = reflect.TypeFor[[]byte]()
)

// plan builds the assignment of elements of t into values of rt, checking
// the whole mapping before any data is read.
func (pl *planner) plan(t *types.Datatype, rt reflect.Type, depth int) (assignFn, error) {
	if t == nil {
		return nil, fmt.Errorf("hdf5: incomplete datatype")
	}
	if depth > types.MaxDepth {
		return nil, fmt.Errorf("hdf5: datatype nests deeper than %d", types.MaxDepth)
	}
	mismatch := func() error { return fmt.Errorf("hdf5: cannot read %s as %s", t, rt) }
	switch rt {
	case anyType:
		if err := checkReadable(t); err != nil {
			return nil, err
		}
		dec := &valueDecoder{f: pl.f, enums: map[*types.Datatype]*enumTable{}}
		return func(b []byte, v reflect.Value) error {
			x, err := dec.value(t, b, depth)
			if err != nil {
				return err
			}
			if x != nil {
				v.Set(reflect.ValueOf(x))
			}
			return nil
		}, nil
	case enumType:
		if t.Class != types.ClassEnum {
			return nil, mismatch()
		}
		tab, err := newEnumTable(t)
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value) error {
			v.Set(reflect.ValueOf(tab.at(b)))
			return nil
		}, nil
	case objectRefType:
		if t.Class != types.ClassReference || t.RefKind != types.RefObject {
			return nil, mismatch()
		}
		return func(b []byte, v reflect.Value) error {
			r, err := pl.f.objectRefAt(t, b)
			if err == nil {
				v.Set(reflect.ValueOf(r))
			}
			return err
		}, nil
	case regionRefType:
		if t.Class != types.ClassReference || t.RefKind != types.RefRegion {
			return nil, mismatch()
		}
		return func(b []byte, v reflect.Value) error {
			r, err := pl.f.regionRefAt(t, b)
			if err == nil {
				v.Set(reflect.ValueOf(r))
			}
			return err
		}, nil
	}
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		c, err := newNumConv(t, rt, pl.opts.lossy)
		if err != nil {
			return nil, err
		}
		return func(b []byte, v reflect.Value) error { c.set(b, v); return nil }, nil
	case reflect.Bool:
		src, err := numericSource(t, rt.String())
		if err != nil || src.float {
			return nil, mismatch()
		}
		return func(b []byte, v reflect.Value) error { v.SetBool(src.raw(b) != 0); return nil }, nil
	case reflect.String:
		if !isStringType(t) {
			return nil, mismatch()
		}
		return func(b []byte, v reflect.Value) error {
			s, err := pl.f.stringAt(t, b)
			if err == nil {
				v.SetString(s)
			}
			return err
		}, nil
	case reflect.Struct:
		if t.Class != types.ClassCompound {
			return nil, mismatch()
		}
		return pl.planStruct(t, rt, depth)
	case reflect.Array:
		return pl.planArray(t, rt, depth, mismatch)
	case reflect.Slice:
		return pl.planSlice(t, rt, depth, mismatch)
	}
	return nil, mismatch()
}

func (pl *planner) planStruct(t *types.Datatype, rt reflect.Type, depth int) (assignFn, error) {
	type fieldPlan struct {
		index    int
		off, end uint32
		fn       assignFn
	}
	var fields []fieldPlan
	for i := range rt.NumField() {
		sf := rt.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, tagged := sf.Name, false
		if tag, ok := sf.Tag.Lookup("hdf5"); ok {
			tag, _, _ = strings.Cut(tag, ",")
			if tag == "-" {
				continue
			}
			if tag != "" {
				name, tagged = tag, true
			}
		}
		m := memberNamed(t, name)
		if m == nil {
			if tagged {
				return nil, fmt.Errorf("hdf5: field %s.%s: %s has no member %q", rt, sf.Name, t, name)
			}
			continue
		}
		if m.Type == nil || uint64(m.Offset)+uint64(m.Type.Size) > uint64(t.Size) {
			return nil, fmt.Errorf("hdf5: compound member %q lies outside its %d-byte element", m.Name, t.Size)
		}
		fn, err := pl.plan(m.Type, sf.Type, depth+1)
		if err != nil {
			return nil, fmt.Errorf("field %s.%s: %w", rt, sf.Name, err)
		}
		fields = append(fields, fieldPlan{index: i, off: m.Offset, end: m.Offset + m.Type.Size, fn: fn})
	}
	return func(b []byte, v reflect.Value) error {
		for _, fp := range fields {
			if int(fp.end) > len(b) {
				return fmt.Errorf("hdf5: element of %d bytes too short for its members", len(b))
			}
			if err := fp.fn(b[fp.off:fp.end], v.Field(fp.index)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

// subArray returns the array type of t's dimensions after the first, or
// its base for a one-dimensional array.
func subArray(t *types.Datatype) (*types.Datatype, bool) {
	if len(t.Dims) <= 1 {
		return t.Base, true
	}
	sub := *t
	sub.Dims = t.Dims[1:]
	size := uint64(t.Base.Size)
	for _, d := range sub.Dims {
		size *= uint64(d)
		if size > uint64(t.Size) {
			return nil, false
		}
	}
	sub.Size = uint32(size)
	return &sub, true
}

func (pl *planner) planArray(t *types.Datatype, rt reflect.Type, depth int, mismatch func() error) (assignFn, error) {
	n := rt.Len()
	if t.Class == types.ClassOpaque && rt.Elem().Kind() == reflect.Uint8 {
		if int(t.Size) != n {
			return nil, mismatch()
		}
		return func(b []byte, v reflect.Value) error {
			reflect.Copy(v, reflect.ValueOf(b[:n]))
			return nil
		}, nil
	}
	if t.Class != types.ClassArray || len(t.Dims) == 0 || int(t.Dims[0]) != n || t.Base == nil {
		return nil, mismatch()
	}
	sub, ok := subArray(t)
	if !ok || uint64(sub.Size)*uint64(n) > uint64(t.Size) {
		return nil, mismatch()
	}
	fn, err := pl.plan(sub, rt.Elem(), depth+1)
	if err != nil {
		return nil, err
	}
	es := int(sub.Size)
	return func(b []byte, v reflect.Value) error {
		for i := range n {
			if err := fn(b[i*es:(i+1)*es], v.Index(i)); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (pl *planner) planSlice(t *types.Datatype, rt reflect.Type, depth int, mismatch func() error) (assignFn, error) {
	switch {
	case t.Class == types.ClassOpaque && rt == bytesType:
		return func(b []byte, v reflect.Value) error {
			v.SetBytes(append([]byte(nil), b...))
			return nil
		}, nil
	case t.Class == types.ClassArray && t.Base != nil && t.Base.Size > 0:
		fn, err := pl.plan(t.Base, rt.Elem(), depth+1)
		if err != nil {
			return nil, err
		}
		es := int(t.Base.Size)
		n := int(t.Size) / es
		return func(b []byte, v reflect.Value) error {
			s := reflect.MakeSlice(rt, n, n)
			for i := range n {
				if err := fn(b[i*es:(i+1)*es], s.Index(i)); err != nil {
					return err
				}
			}
			v.Set(s)
			return nil
		}, nil
	case t.Class == types.ClassVlen && !t.VlenString && t.Base != nil:
		fn, err := pl.plan(t.Base, rt.Elem(), depth+1)
		if err != nil {
			return nil, err
		}
		es := uint64(t.Base.Size)
		return func(b []byte, v reflect.Value) error {
			n, data, err := pl.f.vlenSeq(t, b)
			if err != nil || n == 0 {
				return err
			}
			s := reflect.MakeSlice(rt, int(n), int(n))
			for i := range n {
				if err := fn(data[i*es:(i+1)*es], s.Index(int(i))); err != nil {
					return err
				}
			}
			v.Set(s)
			return nil
		}, nil
	}
	return nil, mismatch()
}
