package hdf5

import (
	"context"
	"fmt"
	"reflect"

	"github.com/goh5/goh5/hdf5/internal/types"
)

// Numeric is the set of Go types ReadAs and ReadVlen convert numbers to.
type Numeric interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~int |
		~uint8 | ~uint16 | ~uint32 | ~uint64 | ~uint |
		~float32 | ~float64
}

// ConvOption adjusts how stored values convert to Go types.
type ConvOption func(*convOpts)

type convOpts struct {
	lossy bool
}

func convOptions(opts []ConvOption) convOpts {
	var o convOpts
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// Lossy allows conversions that can lose information: to a narrower
// integer (values saturate at the target's range, as libhdf5's conversions
// do), float to integer (truncation toward zero; NaN becomes 0), float64 to
// float32 and integers too wide for a float's mantissa (rounding to
// nearest). Without it such a conversion fails before any data is read.
func Lossy() ConvOption { return func(o *convOpts) { o.lossy = true } }

// ReadAs reads what sel selects (nil: everything) from d and converts each
// element to T, in C order.
//
// The element type must be a number: an integer, bitfield, enum (read as its
// base integer), time or float of any byte order, precision and bit offset,
// or a compound narrowed to one numeric member with sel.Fields. Conversions
// that keep every value are allowed: an integer to an integer type that holds
// its whole range, an integer to a float whose mantissa holds it (int32 to
// float64, not int64 to float64), float16 to float32 or float64, float32 to
// float64, and non-IEEE float layouts (bfloat16, n-bit floats) to a float
// type that holds them exactly. Others fail with an error naming both types
// unless Lossy is given. Any other element type fails with an error naming
// the stored type and T.
func ReadAs[T Numeric](d *Dataset, sel *Selection, opts ...ConvOption) ([]T, error) {
	return ReadAsContext[T](context.Background(), d, sel, opts...)
}

// ReadAsContext is ReadAs with cancellation of the underlying read.
func ReadAsContext[T Numeric](ctx context.Context, d *Dataset, sel *Selection, opts ...ConvOption) ([]T, error) {
	rt := reflect.TypeFor[T]()
	o := convOptions(opts)
	// Check the conversion before reading anything.
	t := d.dtype
	if f := sel.FieldNames(); len(f) == 1 {
		sub, err := subsetType(d.dtype, f)
		if err != nil {
			return nil, err
		}
		t = sub.Members[0].Type
	}
	if _, err := newNumConv(t, rt, o.lossy); err != nil {
		return nil, fmt.Errorf("%w (dataset %s)", err, d.path)
	}
	e, err := d.readElems(ctx, sel)
	if err != nil {
		return nil, err
	}
	return convertElems[T](e, o)
}

// ReadAttrAs returns the attribute's elements converted to T, with the rules
// of ReadAs.
func ReadAttrAs[T Numeric](a *Attribute, opts ...ConvOption) ([]T, error) {
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	return convertElems[T](e, convOptions(opts))
}

func convertElems[T Numeric](e *elems, o convOpts) ([]T, error) {
	c, err := newNumConv(e.t, reflect.TypeFor[T](), o.lossy)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, e.what)
	}
	out := make([]T, e.n)
	convertInto(c, e.buf, int(e.t.Size), out)
	return out, nil
}

// convertInto converts the packed elements of buf (es bytes each) into out.
func convertInto[T Numeric](c *numConv, buf []byte, es int, out []T) {
	switch {
	case c.tgt.float && c.tgt.bits == 32:
		for i := range out {
			out[i] = T(c.toFloat32(buf[i*es : (i+1)*es]))
		}
	case c.tgt.float:
		for i := range out {
			out[i] = T(c.toFloat64(buf[i*es : (i+1)*es]))
		}
	case c.tgt.signed:
		for i := range out {
			out[i] = T(c.toInt(buf[i*es : (i+1)*es]))
		}
	default:
		for i := range out {
			out[i] = T(c.toUint(buf[i*es : (i+1)*es]))
		}
	}
}

// ReadVlen reads variable-length sequences of numbers and converts their
// elements to T with the rules of ReadAs. An empty or null sequence is a
// nil slice.
func ReadVlen[T Numeric](d *Dataset, sel *Selection, opts ...ConvOption) ([][]T, error) {
	return ReadVlenContext[T](context.Background(), d, sel, opts...)
}

// ReadVlenContext is ReadVlen with cancellation.
func ReadVlenContext[T Numeric](ctx context.Context, d *Dataset, sel *Selection, opts ...ConvOption) ([][]T, error) {
	e, err := d.readElems(ctx, sel)
	if err != nil {
		return nil, err
	}
	return vlenElems[T](ctx, e, convOptions(opts))
}

// ReadAttrVlen is ReadVlen for an attribute.
func ReadAttrVlen[T Numeric](a *Attribute, opts ...ConvOption) ([][]T, error) {
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	return vlenElems[T](context.Background(), e, convOptions(opts))
}

func vlenElems[T Numeric](ctx context.Context, e *elems, o convOpts) ([][]T, error) {
	rt := reflect.TypeFor[T]()
	if e.t.Class != types.ClassVlen || e.t.VlenString || e.t.Base == nil {
		return nil, fmt.Errorf("hdf5: cannot read %s as variable-length sequences of %s (%s)", e.t, rt, e.what)
	}
	c, err := newNumConv(e.t.Base, rt, o.lossy)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, e.what)
	}
	out := make([][]T, e.n)
	for i := range e.n {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		n, data, err := e.f.vlenSeq(e.t, e.at(i))
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: %w", e.what, i, err)
		}
		if n == 0 {
			continue
		}
		s := make([]T, n)
		convertInto(c, data, int(e.t.Base.Size), s)
		out[i] = s
	}
	return out, nil
}
