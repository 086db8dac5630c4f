package hdf5

import (
	"fmt"
	"strconv"
	"strings"
)

// Selection chooses elements of a dataset. The zero value and a nil
// *Selection select everything. Build one with All, Hyperslab, Points,
// Slice or Index, and narrow a compound to some members with Fields.
//
// A selection is a description: it is checked against a dataset's shape
// when it is used, and compiles then into contiguous runs of elements, so a
// large hyperslab costs one copy per run, not one per element.
type Selection struct {
	kind   selKind
	dims   []dimSpec  // selOrthogonal: one per dataset dimension (after ellipsis expansion)
	items  []Item     // selIndex: numpy-style items, expanded at compile time
	slab   slabSpec   // selHyperslab
	points [][]uint64 // selPoints
	fields []string
}

type selKind int

const (
	selAll selKind = iota
	selHyperslab
	selPoints
	selIndex
)

type slabSpec struct{ start, stride, count, block []uint64 }

// All selects every element.
func All() *Selection { return &Selection{} }

// Hyperslab selects a regular pattern, as H5Sselect_hyperslab does: along
// dimension i, count[i] blocks of block[i] elements, the first at start[i]
// and each stride[i] after the previous. A nil stride or block means 1s.
// Elements come out in C order of (count, block) per dimension.
func Hyperslab(start, stride, count, block []uint64) *Selection {
	return &Selection{kind: selHyperslab, slab: slabSpec{start, stride, count, block}}
}

// Points selects single elements by coordinates, in the order given. The
// result has shape (len(coords),).
func Points(coords [][]uint64) *Selection {
	return &Selection{kind: selPoints, points: coords}
}

// Fields returns a copy of s that reads only the named compound members, in
// the given order.
func (s *Selection) Fields(names ...string) *Selection {
	var c Selection
	if s != nil {
		c = *s
	}
	c.fields = append([]string(nil), names...)
	return &c
}

// FieldNames returns the compound members s selects (nil: all).
func (s *Selection) FieldNames() []string {
	if s == nil {
		return nil
	}
	return s.fields
}

// Item is one numpy-style index along a dimension: see Range, Step, At,
// Ellipsis, Mask and Coords.
type Item struct {
	kind        itemKind
	start, stop int64
	step        int64
	hasStart    bool
	hasStop     bool
	mask        []bool
	coords      []int64
}

type itemKind int

const (
	itemSlice itemKind = iota
	itemIndex
	itemEllipsis
	itemMask
	itemCoords
)

// Range is numpy's start:stop. Negative values count from the end.
func Range(start, stop int64) Item {
	return Item{kind: itemSlice, start: start, stop: stop, step: 1, hasStart: true, hasStop: true}
}

// Step is numpy's start:stop:step; step may be negative. Use Omit for an
// omitted start or stop.
func Step(start, stop, step int64) Item {
	return Item{kind: itemSlice, start: start, stop: stop, step: step, hasStart: start != Omit, hasStop: stop != Omit}
}

// Omit stands for an omitted start or stop in Step.
const Omit = int64(-1 << 63)

// Full is numpy's ":".
func Full() Item { return Item{kind: itemSlice, step: 1} }

// At is a single index; it drops the dimension from the result, as in numpy.
// Negative values count from the end.
func At(i int64) Item { return Item{kind: itemIndex, start: i} }

// Ellipsis is numpy's "...": as many full slices as the other items leave.
func Ellipsis() Item { return Item{kind: itemEllipsis} }

// Mask is a boolean mask along one dimension; it selects the indices where
// it is true. Its length must equal the dimension's.
func Mask(m []bool) Item { return Item{kind: itemMask, mask: m} }

// Coords is a list of indices along one dimension (numpy fancy indexing), in
// the order given; negative values count from the end.
func Coords(c []int64) Item { return Item{kind: itemCoords, coords: c} }

// Index builds a numpy-style selection from items. Missing trailing items
// mean full slices.
func Index(items ...Item) *Selection {
	return &Selection{kind: selIndex, items: items}
}

// Slice parses a numpy-style index expression such as "10:20, ::2, 5, ...".
// Each comma-separated part is an integer index, a start:stop:step slice
// with optional parts, or "..." .
func Slice(expr string) (*Selection, error) {
	expr = strings.TrimSpace(expr)
	expr = strings.TrimPrefix(expr, "[")
	expr = strings.TrimSuffix(expr, "]")
	if strings.TrimSpace(expr) == "" {
		return All(), nil
	}
	var items []Item
	for pos, part := range strings.Split(expr, ",") {
		p := strings.TrimSpace(part)
		switch {
		case p == "...":
			items = append(items, Ellipsis())
		case strings.Contains(p, ":"):
			f := strings.Split(p, ":")
			if len(f) > 3 {
				return nil, fmt.Errorf("hdf5: slice %q: part %d (%q) has too many colons", expr, pos+1, p)
			}
			vals := [3]int64{Omit, Omit, 1}
			for i, s := range f {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return nil, fmt.Errorf("hdf5: slice %q: part %d: %q is not an integer", expr, pos+1, s)
				}
				vals[i] = v
			}
			if vals[2] == 0 {
				return nil, fmt.Errorf("hdf5: slice %q: part %d: step cannot be zero", expr, pos+1)
			}
			items = append(items, Step(vals[0], vals[1], vals[2]))
		default:
			v, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("hdf5: slice %q: part %d: %q is not an index or slice", expr, pos+1, p)
			}
			items = append(items, At(v))
		}
	}
	return Index(items...), nil
}

// dimSpec is one dimension of a compiled orthogonal selection: the indices
// it takes, in output order, as runs.
type dimSpec struct {
	runs []run
	n    uint64 // number of indices taken
	drop bool   // a single index: the dimension is not in the result shape
}

// run is a sequence of n indices start, start+step, ... with step ±1.
type run struct {
	start uint64
	n     uint64
	step  int64
}

// span returns the smallest and the largest index of a non-empty run.
func (r run) span() (lo, hi uint64) {
	if r.step < 0 {
		return r.start + 1 - r.n, r.start
	}
	return r.start, r.start + r.n - 1
}

// compiled is a selection checked against a shape.
type compiled struct {
	shape  []uint64 // dataset shape
	dims   []dimSpec
	points [][]uint64 // point selection (dims is nil)
	out    []uint64   // result shape
	n      uint64     // elements selected
	all    bool
}

func (c *compiled) isPoints() bool { return c.points != nil }

// compile checks s against shape and expands it.
func (s *Selection) compile(shape []uint64) (*compiled, error) {
	c := &compiled{shape: shape}
	kind := selAll
	if s != nil {
		kind = s.kind
	}
	switch kind {
	case selAll:
		c.all = true
		for _, d := range shape {
			c.dims = append(c.dims, dimSpec{runs: []run{{0, d, 1}}, n: d})
		}
	case selHyperslab:
		if err := c.hyperslab(s.slab); err != nil {
			return nil, err
		}
	case selPoints:
		if len(s.points) == 0 {
			c.points = [][]uint64{}
		}
		for i, p := range s.points {
			if len(p) != len(shape) {
				return nil, fmt.Errorf("hdf5: point %d has %d coordinates, dataset has %d dimensions", i, len(p), len(shape))
			}
			for d, v := range p {
				if v >= shape[d] {
					return nil, fmt.Errorf("hdf5: point %d: coordinate %d in dimension %d is outside 0..%d", i, v, d, shape[d])
				}
			}
		}
		if c.points == nil {
			c.points = s.points
		}
		c.out = []uint64{uint64(len(s.points))}
		c.n = uint64(len(s.points))
		return c, nil
	case selIndex:
		if err := c.index(s.items); err != nil {
			return nil, err
		}
	}
	c.n = 1
	for _, d := range c.dims {
		c.n *= d.n
		if !d.drop {
			c.out = append(c.out, d.n)
		}
	}
	if len(shape) == 0 {
		c.n = 1 // a scalar holds one element
	}
	return c, nil
}

func (c *compiled) hyperslab(h slabSpec) error {
	r := len(c.shape)
	if len(h.start) != r || len(h.count) != r || (h.stride != nil && len(h.stride) != r) || (h.block != nil && len(h.block) != r) {
		return fmt.Errorf("hdf5: hyperslab has the wrong number of dimensions for a rank-%d dataset", r)
	}
	for i := 0; i < r; i++ {
		stride, block := uint64(1), uint64(1)
		if h.stride != nil {
			stride = h.stride[i]
		}
		if h.block != nil {
			block = h.block[i]
		}
		if h.count[i] > 0 && stride < block {
			return fmt.Errorf("hdf5: hyperslab dimension %d: stride %d is smaller than block %d", i, stride, block)
		}
		var d dimSpec
		if h.count[i] > 0 && block > 0 {
			last := h.start[i] + (h.count[i]-1)*stride + block
			if (h.count[i]-1) > 0 && stride > (^uint64(0))/(h.count[i]-1) || last < h.start[i] || last > c.shape[i] {
				return fmt.Errorf("hdf5: hyperslab dimension %d (start %d, stride %d, count %d, block %d) exceeds extent %d",
					i, h.start[i], stride, h.count[i], block, c.shape[i])
			}
			if stride == block {
				d.runs = []run{{h.start[i], h.count[i] * block, 1}}
			} else {
				for k := uint64(0); k < h.count[i]; k++ {
					d.runs = append(d.runs, run{h.start[i] + k*stride, block, 1})
				}
			}
			d.n = h.count[i] * block
		}
		c.dims = append(c.dims, d)
	}
	return nil
}

func (c *compiled) index(items []Item) error {
	r := len(c.shape)
	// Expand the ellipsis.
	nEll, nReal := 0, 0
	for _, it := range items {
		if it.kind == itemEllipsis {
			nEll++
		} else {
			nReal++
		}
	}
	if nEll > 1 {
		return fmt.Errorf("hdf5: an index can only have a single ellipsis")
	}
	if nReal > r {
		return fmt.Errorf("hdf5: too many indices (%d) for a rank-%d dataset", nReal, r)
	}
	var exp []Item
	for _, it := range items {
		if it.kind == itemEllipsis {
			for k := 0; k < r-nReal; k++ {
				exp = append(exp, Full())
			}
			continue
		}
		exp = append(exp, it)
	}
	for len(exp) < r {
		exp = append(exp, Full())
	}
	for i, it := range exp {
		n := int64(c.shape[i])
		var d dimSpec
		switch it.kind {
		case itemIndex:
			v := it.start
			if v < 0 {
				v += n
			}
			if v < 0 || v >= n {
				return fmt.Errorf("hdf5: index %d is out of bounds for dimension %d with size %d", it.start, i, n)
			}
			d = dimSpec{runs: []run{{uint64(v), 1, 1}}, n: 1, drop: true}
		case itemSlice:
			start, stop, step := sliceIndices(it, n)
			cnt := int64(0)
			if step > 0 && stop > start {
				cnt = (stop - start + step - 1) / step
			} else if step < 0 && start > stop {
				cnt = (start - stop - step - 1) / (-step)
			}
			d.n = uint64(cnt)
			if cnt > 0 {
				switch step {
				case 1, -1:
					d.runs = []run{{uint64(start), uint64(cnt), step}}
				default:
					for k := int64(0); k < cnt; k++ {
						d.runs = append(d.runs, run{uint64(start + k*step), 1, 1})
					}
				}
			}
		case itemMask:
			if int64(len(it.mask)) != n {
				return fmt.Errorf("hdf5: boolean mask of length %d for dimension %d with size %d", len(it.mask), i, n)
			}
			for k, b := range it.mask {
				if b {
					d.add(uint64(k))
				}
			}
		case itemCoords:
			for _, v0 := range it.coords {
				v := v0
				if v < 0 {
					v += n
				}
				if v < 0 || v >= n {
					return fmt.Errorf("hdf5: index %d is out of bounds for dimension %d with size %d", v0, i, n)
				}
				d.add(uint64(v))
			}
		}
		c.dims = append(c.dims, d)
	}
	return nil
}

// add appends index v, extending the last run when v follows it.
func (d *dimSpec) add(v uint64) {
	if k := len(d.runs); k > 0 {
		last := &d.runs[k-1]
		if last.step == 1 && last.start+last.n == v {
			last.n++
			d.n++
			return
		}
	}
	d.runs = append(d.runs, run{v, 1, 1})
	d.n++
}

// sliceIndices resolves a slice the way Python's slice.indices does.
func sliceIndices(it Item, n int64) (start, stop, step int64) {
	step = it.step
	if step == 0 {
		step = 1
	}
	if step > 0 {
		start, stop = 0, n
	} else {
		start, stop = n-1, -1
	}
	// bound resolves a given start or stop: negative counts from the end,
	// then it is clamped to [0, n] going forward, [-1, n-1] going back.
	bound := func(v int64) int64 {
		if v < 0 {
			v += n
		}
		if step > 0 {
			return min(max(v, 0), n)
		}
		return min(max(v, -1), n-1)
	}
	if it.hasStart && it.start != Omit {
		start = bound(it.start)
	}
	if it.hasStop && it.stop != Omit {
		stop = bound(it.stop)
	}
	return start, stop, step
}
