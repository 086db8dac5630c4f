package canon

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/binfmt"
)

// Digest methods.
const (
	MethodPacked = "bytes-le-packed"
	MethodJSON   = "json"
)

// Limits of the contract.
const (
	// JSONMaxElements: values with more elements (array-typed elements
	// counted with their array dimensions) get no json digest.
	JSONMaxElements = 5_000_000
	// PrefixLimit: datasets of more bytes are digested over a prefix.
	PrefixLimit = 1 << 32
	// PrefixBlock is the B of the prefix rule (64 MiB).
	PrefixBlock = 1 << 26
)

// blockBytes bounds the bytes one read of a dataset produces.
const blockBytes = 32 << 20

// Digest is the canonical record of one dataset or attribute.
type Digest struct {
	// Shape is nil for a null dataspace and empty for a scalar.
	Shape []uint64
	// Method is MethodPacked or MethodJSON ("" for a null dataspace).
	Method string
	// SHA256 is the hex digest, "" when there is none (a null dataspace, or
	// json over JSONMaxElements; see Skipped).
	SHA256 string
	// Prefix is the [start, count] per dimension of the part digested, when
	// the prefix rule applied.
	Prefix [][2]uint64
	// Skipped says why there is no digest for a non-null dataspace.
	Skipped string
}

// MethodOf returns the digest method for data of type t.
func MethodOf(t *hdf5.Datatype) string {
	if isJSONType(t, true, 0) {
		return MethodJSON
	}
	return MethodPacked
}

// isJSONType follows h5ref.py's is_json_type: vlen data and references at
// any depth, and fixed-length strings (or arrays of them) at the top level.
func isJSONType(t *hdf5.Datatype, top bool, depth int) bool {
	if t == nil || depth > maxDepth {
		return false
	}
	switch t.Class {
	case hdf5.ClassVlen, hdf5.ClassReference:
		return true
	case hdf5.ClassString:
		return top
	case hdf5.ClassArray:
		return isJSONType(t.Base, top, depth+1)
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			if isJSONType(m.Type, false, depth+1) {
				return true
			}
		}
	}
	return false
}

// source yields a dataset's or attribute's elements, little-endian, in C
// order, a block at a time.
type source interface {
	// next returns the next block of whole elements, or nil at the end.
	next() ([]byte, error)
}

// DigestDataset computes d's canonical digest, reading it in bounded
// blocks.
func DigestDataset(ctx context.Context, d *hdf5.Dataset) (*Digest, error) {
	t := d.Datatype()
	sp := d.Dataspace()
	if sp.Kind == spaceNull {
		return &Digest{}, nil
	}
	shape := append([]uint64{}, d.Shape()...)
	if sp.Kind == spaceScalar {
		shape = []uint64{}
	}
	dg := &Digest{Shape: shape, Method: MethodOf(t)}
	counts := shape
	if ps := PrefixSelection(shape, uint64(t.Size)); ps != nil {
		dg.Prefix = ps
		counts = make([]uint64, len(ps))
		for i, p := range ps {
			counts[i] = p[1]
		}
	}
	src := &datasetSource{ctx: ctx, d: d, es: uint64(t.Size), counts: counts}
	if err := digest(d.File(), t, counts, src, dg); err != nil {
		return nil, err
	}
	return dg, nil
}

// DigestAttribute computes a's canonical digest; f is the file a belongs
// to (for variable-length data and references).
func DigestAttribute(f *hdf5.File, a *hdf5.Attribute) (*Digest, error) {
	t := a.Datatype()
	sp := a.Dataspace()
	if sp.Kind == spaceNull {
		return &Digest{}, nil
	}
	shape := append([]uint64{}, a.Shape()...)
	if sp.Kind == spaceScalar {
		shape = []uint64{}
	}
	dg := &Digest{Shape: shape, Method: MethodOf(t)}
	n, ok := numElements(shape)
	if !ok {
		return nil, fmt.Errorf("hdf5: attribute %q: element count overflows", a.Name)
	}
	need, ok := binfmt.Mul(n, uint64(t.Size))
	raw := a.RawBytes()
	if !ok || need > uint64(len(raw)) {
		return nil, fmt.Errorf("hdf5: attribute %q holds %d bytes, its %d elements need %d", a.Name, len(raw), n, need)
	}
	buf := append([]byte(nil), raw[:need]...)
	hdf5.ToLittleEndian(t, buf)
	if err := digest(f, t, shape, &memSource{b: buf}, dg); err != nil {
		return nil, err
	}
	return dg, nil
}

// Values of Dataspace.Kind (hdf5/internal/types.SpaceKind).
const (
	spaceScalar = 0
	spaceNull   = 2
)

func numElements(shape []uint64) (uint64, bool) {
	n := uint64(1)
	for _, d := range shape {
		var ok bool
		if n, ok = binfmt.Mul(n, d); !ok {
			return 0, false
		}
	}
	return n, true
}

// maxElementBytes caps the size of one element: a block holds at least one.
const maxElementBytes = 1 << 30

// digest hashes the elements src yields, which have shape counts.
func digest(f *hdf5.File, t *hdf5.Datatype, counts []uint64, src source, dg *Digest) error {
	if t.Size == 0 {
		return fmt.Errorf("hdf5: datatype of size 0")
	}
	if t.Size > maxElementBytes {
		return &binfmt.LimitError{Name: "canon element size", Limit: maxElementBytes, Want: int64(t.Size)}
	}
	h := sha256.New()
	if dg.Method == MethodJSON {
		n, ok := numElements(counts)
		if ok && t.Class == hdf5.ClassArray {
			for _, d := range t.Dims {
				if n, ok = binfmt.Mul(n, uint64(d)); !ok {
					break
				}
			}
		}
		if !ok || n > JSONMaxElements {
			dg.Skipped = fmt.Sprintf("over %d elements", JSONMaxElements)
			return nil
		}
		if err := digestJSON(f, t, counts, src, h); err != nil {
			return err
		}
	} else {
		p, err := newPlan(t)
		if err != nil {
			return err
		}
		var out []byte
		for {
			b, err := src.next()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			if p.identity {
				h.Write(b)
				continue
			}
			out = p.apply(out[:0], b)
			h.Write(out)
		}
	}
	dg.SHA256 = hex.EncodeToString(h.Sum(nil))
	return nil
}

func digestJSON(f *hdf5.File, t *hdf5.Datatype, counts []uint64, src source, h hash.Hash) error {
	w := newJSONWriter(f, h)
	es := uint64(t.Size)
	var block []byte
	var off uint64
	err := w.nest(counts, func() error {
		if off+es > uint64(len(block)) {
			b, err := src.next()
			if err != nil {
				return err
			}
			if uint64(len(b)) < es {
				return fmt.Errorf("hdf5: dataset read ended early")
			}
			block, off = b, 0
		}
		e := block[off : off+es]
		off += es
		return w.elem(t, e, 0)
	})
	if err != nil {
		return err
	}
	w.flush()
	return nil
}

// PrefixSelection returns the [start, count] pairs of the C-order prefix
// digested for a dataset of the given shape and element size, or nil when
// the whole dataset is (it is at most PrefixLimit bytes).
func PrefixSelection(shape []uint64, es uint64) [][2]uint64 {
	n, ok := numElements(shape)
	if ok {
		n, ok = binfmt.Mul(n, es)
	}
	if ok && n <= PrefixLimit || len(shape) == 0 {
		return nil
	}
	j := 0
	var later uint64
	for j = range shape {
		later = es
		over := false
		for _, d := range shape[j+1:] {
			var ok bool
			if later, ok = binfmt.Mul(later, d); !ok {
				over = true
				break
			}
		}
		if !over && later <= PrefixBlock || j == len(shape)-1 {
			break
		}
	}
	m := uint64(1)
	if later > 0 {
		m = max(1, min(shape[j], PrefixBlock/later))
	}
	ps := make([][2]uint64, len(shape))
	for i := range shape {
		switch {
		case i < j:
			ps[i] = [2]uint64{0, 1}
		case i == j:
			ps[i] = [2]uint64{0, m}
		default:
			ps[i] = [2]uint64{0, shape[i]}
		}
	}
	return ps
}

// memSource yields one in-memory block.
type memSource struct {
	b    []byte
	done bool
}

func (m *memSource) next() ([]byte, error) {
	if m.done || len(m.b) == 0 {
		return nil, nil
	}
	m.done = true
	return m.b, nil
}

// datasetSource reads the C-order box [0, counts) of a dataset in blocks
// of at most blockBytes (or one element when elements are larger), each
// a hyperslab whose elements follow the previous block's in C order.
type datasetSource struct {
	ctx    context.Context
	d      *hdf5.Dataset
	es     uint64
	counts []uint64

	started bool
	done    bool
	j       int      // the dimension blocks advance along
	m       uint64   // indices of dimension j per block
	pos     []uint64 // start of the next block
	buf     []byte
}

func (s *datasetSource) init() {
	s.started = true
	n, ok := numElements(s.counts)
	if !ok || n == 0 {
		s.done = true
		return
	}
	if len(s.counts) == 0 {
		return
	}
	later := s.es
	s.j = len(s.counts) - 1
	for j := range s.counts {
		l := s.es
		for _, d := range s.counts[j+1:] {
			l *= d // no overflow: the product of all counts fits
		}
		if l <= blockBytes {
			s.j, later = j, l
			break
		}
	}
	if s.j == len(s.counts)-1 {
		later = s.es
	}
	s.m = 1
	if later > 0 {
		s.m = max(1, min(s.counts[s.j], blockBytes/later))
	}
	s.pos = make([]uint64, len(s.counts))
}

func (s *datasetSource) next() ([]byte, error) {
	if !s.started {
		s.init()
	}
	if s.done {
		return nil, nil
	}
	if err := s.ctx.Err(); err != nil {
		return nil, err
	}
	if len(s.counts) == 0 {
		s.done = true
		buf := make([]byte, s.es)
		if err := s.d.Read(nil, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	start := append([]uint64(nil), s.pos...)
	count := make([]uint64, len(s.counts))
	for i := range count {
		switch {
		case i < s.j:
			count[i] = 1
		case i == s.j:
			count[i] = min(s.m, s.counts[i]-s.pos[i])
		default:
			count[i] = s.counts[i]
		}
	}
	n := s.es
	for _, c := range count {
		n *= c
	}
	if uint64(cap(s.buf)) < n {
		s.buf = make([]byte, n)
	}
	buf := s.buf[:n]
	if err := s.d.Read(hdf5.Hyperslab(start, nil, count, nil), buf); err != nil {
		return nil, err
	}
	// Advance: dimension j by count[j], carrying into the outer ones.
	s.pos[s.j] += count[s.j]
	for i := s.j; i > 0 && s.pos[i] >= s.counts[i]; i-- {
		s.pos[i] = 0
		s.pos[i-1]++
	}
	if s.pos[0] >= s.counts[0] {
		s.done = true
	}
	return buf, nil
}
