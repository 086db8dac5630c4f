package reader

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"sync"

	"github.com/goh5/goh5/hdf5"
)

// A PyTables index of column c of table /g/t lives in the group /g/_i_t/c
// (nested columns: /g/_i_t/a/b). Its attributes hold slicesize, optlevel,
// is_csi and DIRTY; its arrays are:
//
//	sorted     (nslices, slicesize)  each slice's values, sorted
//	indices    (nslices, slicesize)  the rows of those values; 8-byte
//	                                 indices (a "full" index) hold absolute
//	                                 row numbers
//	sortedLR   (slicesize + bounds,) the last, partial slice ("last row")
//	indicesLR  (slicesize,)          its rows; attribute nelements says how
//	                                 many entries are used
//	ranges, bounds, abounds, zbounds, mranges, mbounds: per-slice and
//	                                 per-chunk limits used for searching
//
// In a completely sorted index (CSI, is_csi true) the slices and then the
// last row, read in order, are one sorted sequence; entry k of
// (indices..., indicesLR) is then the row of the k-th smallest value, which
// is what ReadSorted needs: only the entries asked for are read. (From the
// PyTables "Index" documentation and the files it writes.)
type csiIndex struct {
	full      bool // 8-byte indices
	csi       bool
	dirty     bool
	slicesize uint64
	nslices   uint64
	nelemLR   uint64
	indices   *hdf5.Dataset
	indicesLR *hdf5.Dataset
}

type csiEntry struct {
	once sync.Once
	idx  *csiIndex // nil: no index
	err  error
}

// nelements is the number of indexed rows.
func (x *csiIndex) nelements() uint64 { return x.nslices*x.slicesize + x.nelemLR }

// csiFor finds (once) the index of column col.
func (t *TableDataset) csiFor(col string) (*csiIndex, error) {
	t.csiMu.Lock()
	e, ok := t.csis[col]
	if !ok {
		e = &csiEntry{}
		t.csis[col] = e
	}
	t.csiMu.Unlock()
	e.once.Do(func() { e.idx, e.err = t.loadIndex(col) })
	return e.idx, e.err
}

func (t *TableDataset) loadIndex(col string) (*csiIndex, error) {
	f := t.r.f
	dir, name := path.Split(t.path)
	gpath := path.Join(dir, "_i_"+name, col)
	g, err := f.Group(gpath)
	if err != nil {
		if errors.Is(err, hdf5.ErrNotFound) {
			return nil, nil
		}
		return nil, err
	}
	x := &csiIndex{}
	ss, err := intAttr(g, "slicesize")
	if err != nil {
		return nil, err
	}
	if ss <= 0 || ss > 1<<40 {
		return nil, fmt.Errorf("hdf5: reader: index %s: slicesize %d", gpath, ss)
	}
	x.slicesize = uint64(ss)
	if v, err := intAttr(g, "is_csi"); err == nil {
		x.csi = v != 0
	}
	if v, err := intAttr(g, "DIRTY"); err == nil {
		x.dirty = v != 0
	}
	if x.indices, err = g.Dataset("indices"); err != nil {
		return nil, err
	}
	if x.indicesLR, err = g.Dataset("indicesLR"); err != nil {
		return nil, err
	}
	it := x.indices.Datatype()
	x.full = it.Class == hdf5.ClassInteger && it.Size == 8
	sh := x.indices.Shape()
	if len(sh) != 2 || sh[1] != x.slicesize {
		return nil, fmt.Errorf("hdf5: reader: index %s: indices of shape %v, slicesize %d", gpath, sh, x.slicesize)
	}
	x.nslices = sh[0]
	lr := x.indicesLR.Shape()
	if len(lr) != 1 {
		return nil, fmt.Errorf("hdf5: reader: index %s: indicesLR of shape %v", gpath, lr)
	}
	if v, err := intAttr(x.indicesLR, "nelements"); err == nil {
		if v < 0 || uint64(v) > lr[0] {
			return nil, fmt.Errorf("hdf5: reader: index %s: %d last-row elements in %d", gpath, v, lr[0])
		}
		x.nelemLR = uint64(v)
	}
	if x.indicesLR.Datatype().Size != it.Size {
		return nil, fmt.Errorf("hdf5: reader: index %s: indices and indicesLR differ in size", gpath)
	}
	if x.nslices > math.MaxUint64/x.slicesize || x.nelements() > t.nrows() {
		return nil, fmt.Errorf("hdf5: reader: index %s covers %d rows, the table has %d", gpath, x.nelements(), t.nrows())
	}
	return x, nil
}

type attrHolder interface {
	Attribute(name string) (*hdf5.Attribute, error)
}

// intAttr reads an integer-like (or bool) scalar attribute.
func intAttr(o attrHolder, name string) (int64, error) {
	a, err := o.Attribute(name)
	if err != nil {
		return 0, err
	}
	v, err := a.Value()
	if err != nil {
		return 0, err
	}
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > math.MaxInt64 {
			return 0, fmt.Errorf("hdf5: reader: attribute %s = %d out of range", name, x)
		}
		return int64(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case hdf5.Enum:
		return x.Value, nil
	case []any:
		if len(x) == 1 {
			if y, ok := x[0].(int64); ok {
				return y, nil
			}
		}
	}
	return 0, fmt.Errorf("hdf5: reader: attribute %s is a %T, not an integer", name, v)
}

// sortedRange resolves ReadSorted's start, stop, step over n positions as
// PyTables' Index.read_sorted_indices does: the positions lo:hi are read,
// then taken with step (a negative step reverses, after mapping the range
// to n-stop:n-start).
func sortedRange(start, stop, step int64, n uint64) (lo, hi uint64, st int64) {
	if start != Omit && stop == Omit {
		stop = start + 1
	}
	if start == Omit {
		start = 0
	}
	if stop == Omit {
		stop = int64(n)
	}
	if step == Omit {
		step = 1
	}
	norm := func(v int64) int64 {
		if v < 0 {
			v += int64(n)
		}
		return min(max(v, 0), int64(n))
	}
	start, stop = norm(start), norm(stop)
	if start >= stop {
		return 0, 0, step
	}
	if step < 0 {
		start, stop = int64(n)-stop, int64(n)-start
	}
	return uint64(start), uint64(stop), step
}

// stepped appends buf[::step] (Python slicing) to dst.
func stepped(dst, buf []uint64, step int64) []uint64 {
	L := int64(len(buf))
	if step > 0 {
		for i := int64(0); i < L; i += step {
			dst = append(dst, buf[i])
		}
		return dst
	}
	for i := L - 1; i >= 0; i += step {
		dst = append(dst, buf[i])
	}
	return dst
}

// sortedRows computes the rows of a ReadSorted request.
func (q *Request) sortedRows(ctx context.Context, w *worker, maxRows uint64) ([]uint64, error) {
	t := q.d.tbl
	if t == nil {
		return nil, fmt.Errorf("hdf5: reader: read_sorted on a %s", q.d.kind)
	}
	x, err := t.csiFor(q.sortby)
	if err != nil {
		return nil, err
	}
	usable := x != nil && x.full && !x.dirty && x.nelements() == t.nrows()
	if q.checkCSI {
		switch {
		case !usable:
			return nil, fmt.Errorf("%w: field `%s` must have associated a 'full' index in table `%s`", ErrNoIndex, q.sortby, t.path)
		case !x.csi:
			return nil, fmt.Errorf("%w: field `%s` must have associated a CSI index in table `%s`, but the existing one is not", ErrNoIndex, q.sortby, t.path)
		}
	}
	if usable && x.csi {
		return x.rows(ctx, w, q.aStart, q.aStop, q.aS, maxRows)
	}
	ms, err := t.memSortFor(ctx, q.sortby)
	if err != nil {
		return nil, err
	}
	lo, hi, st := sortedRange(q.aStart, q.aStop, q.aS, uint64(len(ms)))
	w.coords = stepped(w.coords[:0], ms[lo:hi], st)
	return w.coords, nil
}

// rows reads the index entries start:stop:step (ReadSorted positions):
// only the slices of indices and indicesLR that hold them.
func (x *csiIndex) rows(ctx context.Context, w *worker, start, stop, step int64, maxRows uint64) ([]uint64, error) {
	n := x.nelements()
	lo, hi, st := sortedRange(start, stop, step, n)
	cnt := hi - lo
	abs := uint64(st)
	if st < 0 {
		abs = uint64(-st)
	}
	if (cnt+abs-1)/abs > maxRows {
		return nil, ErrStageTooSmall // before reading or allocating anything
	}
	if uint64(cap(w.scratch)) < cnt*8 {
		w.scratch = make([]byte, cnt*8)
	}
	raw := w.scratch[:cnt*8]
	ss := x.slicesize
	for pos := lo; pos < hi; {
		s, in := pos/ss, pos%ss
		k := min(ss-in, hi-pos)
		dst := raw[(pos-lo)*8 : (pos-lo+k)*8]
		var err error
		if s < x.nslices {
			err = x.indices.ReadContext(ctx, hdf5.Hyperslab([]uint64{s, in}, nil, []uint64{1, k}, nil), dst)
		} else {
			err = x.indicesLR.ReadContext(ctx, hdf5.Hyperslab([]uint64{in}, nil, []uint64{k}, nil), dst)
		}
		if err != nil {
			return nil, err
		}
		pos += k
	}
	buf := make([]uint64, cnt)
	for i := range buf {
		buf[i] = binary.LittleEndian.Uint64(raw[i*8:])
	}
	w.coords = stepped(w.coords[:0], buf, st)
	return w.coords, nil
}

// memSort is a column's stable sort order, made once.
type memSort struct {
	once  sync.Once
	order []uint64
	err   error
}

func (t *TableDataset) memSortFor(ctx context.Context, col string) ([]uint64, error) {
	t.sortMu.Lock()
	m, ok := t.sorts[col]
	if !ok {
		m = &memSort{}
		t.sorts[col] = m
	}
	t.sortMu.Unlock()
	m.once.Do(func() { m.order, m.err = t.sortColumn(ctx, col) })
	if m.err != nil {
		// Do not keep a failure (a cancelled read) for later requests.
		t.sortMu.Lock()
		if t.sorts[col] == m {
			delete(t.sorts, col)
		}
		t.sortMu.Unlock()
	}
	return m.order, m.err
}

func sortable(t *hdf5.Datatype) bool {
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassBitfield, hdf5.ClassEnum:
		return t.Size >= 1 && t.Size <= 8
	case hdf5.ClassFloat:
		return t.Size == 4 || t.Size == 8
	case hdf5.ClassString:
		return true
	}
	return false
}

// sortColumn reads column col of every row and sorts the rows stably by
// it, as numpy's argsort(kind="stable") does (NaNs last).
func (t *TableDataset) sortColumn(ctx context.Context, col string) ([]uint64, error) {
	f, err := resolveField(t.dtype, col)
	if err != nil {
		return nil, err
	}
	n := t.nrows()
	fs := uint64(f.t.Size)
	if n > 0 && fs > (1<<34)/n {
		return nil, fmt.Errorf("hdf5: reader: column %q too large to sort in memory", col)
	}
	vals := make([]byte, n*fs)
	for b := uint64(0); b*t.blockRows < n; b++ {
		data, err := t.r.cache.get(ctx, &t.base, b)
		if err != nil {
			return nil, err
		}
		first := b * t.blockRows
		rows := uint64(len(data)) / t.rowBytes
		for i := uint64(0); i < rows; i++ {
			copy(vals[(first+i)*fs:(first+i+1)*fs], data[i*t.rowBytes+f.off:i*t.rowBytes+f.off+fs])
		}
	}
	order := make([]uint64, n)
	for i := range order {
		order[i] = uint64(i)
	}
	key := func(i uint64) []byte { return vals[i*fs : (i+1)*fs] }
	var less func(a, b uint64) int
	switch f.t.Class {
	case hdf5.ClassFloat:
		get := func(i uint64) float64 {
			if fs == 4 {
				return float64(math.Float32frombits(binary.LittleEndian.Uint32(key(i))))
			}
			return math.Float64frombits(binary.LittleEndian.Uint64(key(i)))
		}
		less = func(a, b uint64) int {
			x, y := get(a), get(b)
			switch {
			case math.IsNaN(x) || math.IsNaN(y):
				return cmp.Compare(b2i(math.IsNaN(x)), b2i(math.IsNaN(y)))
			}
			return cmp.Compare(x, y)
		}
	case hdf5.ClassString:
		less = func(a, b uint64) int { return bytes.Compare(key(a), key(b)) }
	default:
		signed := f.t.Signed || (f.t.Class == hdf5.ClassEnum && f.t.Base != nil && f.t.Base.Signed)
		less = func(a, b uint64) int {
			if signed {
				return cmp.Compare(signedLE(key(a)), signedLE(key(b)))
			}
			return cmp.Compare(unsignedLE(key(a)), unsignedLE(key(b)))
		}
	}
	slices.SortStableFunc(order, less)
	return order, nil
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func unsignedLE(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func signedLE(b []byte) int64 {
	v := unsignedLE(b)
	sh := 64 - 8*uint(len(b))
	return int64(v<<sh) >> sh
}

// vlMax finds (once) the longest row of a VLArray from its descriptors.
func (b *base) vlMax() (uint64, error) {
	vl := b.vl
	vl.once.Do(func() {
		ctx := context.Background()
		for blk := uint64(0); blk*b.blockRows < b.nrows(); blk++ {
			data, err := b.r.cache.get(ctx, b, blk)
			if err != nil {
				vl.err = err
				return
			}
			for off := uint64(0); off+4 <= uint64(len(data)); off += b.es {
				vl.maxLen = max(vl.maxLen, uint64(binary.LittleEndian.Uint32(data[off:])))
			}
		}
	})
	return vl.maxLen, vl.err
}
