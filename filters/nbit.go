package filters

import (
	"fmt"
)

// N-bit (filter 5) packs the significant bits of every atomic value of a
// chunk, most significant first, into a big-endian bit stream. Client values
// as libhdf5's H5Znbit.c writes them in its set_local callback:
//
//	[0] number of values, [1] 1 when no packing was needed (the chunk is
//	stored as is), [2] elements in the chunk, then the datatype:
//	atomic (1):   class, size, order (0 LE, 1 BE), precision, offset
//	array (2):    class, size, base datatype...
//	compound (3): class, size, member count, per member: offset, datatype...
//	no-op (4):    class, size (bytes copied through the bit stream)
//
// Integer and float members are atomic; anything else is no-op. Decoding
// writes the significant bits back at their offset within each value, in the
// datatype's byte order, and leaves all padding bits zero, as libhdf5 does.
type nbitFilter struct{}

var _ Filter = nbitFilter{}

func init() { Register(nbitFilter{}) }

func (nbitFilter) ID() uint16   { return IDNbit }
func (nbitFilter) Name() string { return "nbit" }

const (
	nbitAtomic   = 1
	nbitArray    = 2
	nbitCompound = 3
	nbitNoop     = 4

	nbitMaxDepth = 32
)

// nbitType is one node of the datatype description in the client values.
type nbitType struct {
	class     int
	size      int
	order     int // atomic: 0 little-endian, 1 big-endian
	precision int
	offset    int
	base      *nbitType    // array
	members   []nbitMember // compound
}

type nbitMember struct {
	offset int
	t      *nbitType
}

func nbitBad(format string, a ...any) error {
	return fmt.Errorf("%w: nbit: "+format, append([]any{ErrCorrupt}, a...)...)
}

// nbitParse reads the datatype description starting at params[*i] (its class).
func nbitParse(params []uint32, i *int, depth int) (*nbitType, error) {
	if depth > nbitMaxDepth {
		return nil, nbitBad("datatype nested deeper than %d", nbitMaxDepth)
	}
	next := func() (int, error) {
		if *i >= len(params) {
			return 0, nbitBad("client values end inside the datatype description")
		}
		v := params[*i]
		*i++
		if v > 1<<30 {
			return 0, nbitBad("client value %d out of range", v)
		}
		return int(v), nil
	}
	class, err := next()
	if err != nil {
		return nil, err
	}
	t := &nbitType{class: class}
	if t.size, err = next(); err != nil {
		return nil, err
	}
	if t.size == 0 {
		return nil, nbitBad("datatype of size 0")
	}
	switch class {
	case nbitAtomic:
		if t.order, err = next(); err != nil {
			return nil, err
		}
		if t.precision, err = next(); err != nil {
			return nil, err
		}
		if t.offset, err = next(); err != nil {
			return nil, err
		}
		if t.order > 1 || t.precision == 0 || t.precision+t.offset > 8*t.size {
			return nil, nbitBad("atomic type: size %d, order %d, precision %d, offset %d", t.size, t.order, t.precision, t.offset)
		}
	case nbitArray:
		if t.base, err = nbitParse(params, i, depth+1); err != nil {
			return nil, err
		}
		if t.base.size > t.size {
			return nil, nbitBad("array of %d bytes with %d-byte elements", t.size, t.base.size)
		}
	case nbitCompound:
		n, err := next()
		if err != nil {
			return nil, err
		}
		if n > len(params)-*i {
			return nil, nbitBad("compound with %d members in %d client values", n, len(params)-*i)
		}
		t.members = make([]nbitMember, n)
		for k := range t.members {
			m := &t.members[k]
			if m.offset, err = next(); err != nil {
				return nil, err
			}
			if m.t, err = nbitParse(params, i, depth+1); err != nil {
				return nil, err
			}
			if m.offset+m.t.size > t.size {
				return nil, nbitBad("compound member at %d of %d bytes past the %d-byte compound", m.offset, m.t.size, t.size)
			}
		}
	case nbitNoop:
	default:
		return nil, nbitBad("datatype class code %d", class)
	}
	return t, nil
}

// nbitReader reads a big-endian bit stream.
type nbitReader struct {
	src  []byte
	pos  int // byte
	left int // bits not yet read in src[pos], 1..8
	err  bool
}

// bits returns the next n (0..8) bits as the low bits of a byte.
func (r *nbitReader) bits(n int) byte {
	var v uint
	for n > 0 {
		if r.pos >= len(r.src) {
			r.err = true
			return 0
		}
		take := n
		if take > r.left {
			take = r.left
		}
		cur := uint(r.src[r.pos])
		v = v<<take | (cur>>(r.left-take))&(1<<take-1)
		r.left -= take
		n -= take
		if r.left == 0 {
			r.pos++
			r.left = 8
		}
	}
	return byte(v)
}

func (r *nbitReader) decode(t *nbitType, out []byte) {
	switch t.class {
	case nbitAtomic:
		r.atomic(t, out[:t.size])
	case nbitArray:
		n := t.size / t.base.size
		for k := 0; k < n; k++ {
			r.decode(t.base, out[k*t.base.size:])
		}
	case nbitCompound:
		for _, m := range t.members {
			r.decode(m.t, out[m.offset:])
		}
	case nbitNoop:
		for k := 0; k < t.size; k++ {
			out[k] = r.bits(8)
		}
	}
}

// atomic unpacks one value: its significant bytes from the most significant
// to the least, each taking its share of the precision bits.
func (r *nbitReader) atomic(t *nbitType, out []byte) {
	bitsLen := 8 * t.size
	hiPad := bitsLen - t.precision - t.offset // unused bits above the value
	var first, last, step int
	if t.order == 0 {
		first = (t.precision+t.offset+7)/8 - 1
		last = t.offset / 8
		step = -1
	} else {
		first = hiPad / 8
		last = (bitsLen-t.offset+7)/8 - 1
		step = 1
	}
	for k := first; ; k += step {
		n, shift := 8, 0
		switch {
		case first == last:
			n, shift = t.precision, t.offset%8
		case k == first:
			n = 8 - hiPad%8
		case k == last:
			n = 8 - t.offset%8
			shift = t.offset % 8
		}
		out[k] = r.bits(n) << shift
		if k == last {
			return
		}
	}
}

func (nbitFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	if len(params) < 5 {
		return nil, nbitBad("%d client values, need at least 5", len(params))
	}
	if params[1] != 0 {
		// Nothing was packed: every value used its full width.
		if len(src) > limit {
			return nil, fmt.Errorf("%w: nbit chunk of %d bytes, limit %d", ErrTooLarge, len(src), limit)
		}
		return append(dst[:0], src...), nil
	}
	i := 3
	t, err := nbitParse(params, &i, 0)
	if err != nil {
		return nil, err
	}
	nelem := uint64(params[2])
	total := nelem * uint64(t.size)
	if total > uint64(limit) {
		return nil, fmt.Errorf("%w: nbit chunk of %d elements of %d bytes, limit %d", ErrTooLarge, nelem, t.size, limit)
	}
	out := bloscGrow(dst, int(total))
	clear(out)
	r := nbitReader{src: src, left: 8}
	for e := 0; e < int(nelem); e++ {
		r.decode(t, out[e*t.size:])
		if r.err {
			return nil, nbitBad("packed data ends at element %d of %d", e, nelem)
		}
	}
	return out, nil
}
