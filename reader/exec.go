package reader

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/goh5/goh5/hdf5"
)

var (
	errEOF        = io.EOF
	errOutOfRange = errors.New("hdf5: reader: block out of range")
)

// rowSeq is the rows a request reads, in output order.
type rowSeq struct {
	start, step int64
	coords      []int64  // kindCoords (may be negative)
	ucoords     []uint64 // computed lists (sorted, where)
	count       uint64
	n           int64 // rows in the dataset
}

func (r *rowSeq) at(i uint64) uint64 {
	switch {
	case r.ucoords != nil:
		return r.ucoords[i]
	case r.coords != nil:
		c := r.coords[i]
		if c < 0 {
			c += r.n
		}
		return uint64(c)
	}
	return uint64(r.start + int64(i)*r.step)
}

// fill serves the stage's request into the stage. It runs on a worker.
func (s *Stage) fill(ctx context.Context, w *worker) error {
	q := &s.req
	d := q.d
	if d.kind == KindVLArray {
		return s.fillVL(ctx, w)
	}
	rs := rowSeq{n: int64(d.nrows())}
	s.rrank = 0
	switch q.kind {
	case kindRows:
		rs.start, rs.step, rs.count = q.start, q.step, q.count
	case kindCoords:
		rs.coords, rs.count = q.coords, uint64(len(q.coords))
	case kindSorted:
		c, err := q.sortedRows(ctx, w, s.maxRows())
		if err != nil {
			return err
		}
		rs.ucoords, rs.count = c, uint64(len(c))
	case kindWhere:
		c, err := q.whereRows(ctx, w, s.maxRows())
		if err != nil {
			return err
		}
		rs.ucoords, rs.count = c, uint64(len(c))
	case kindIndex:
		return s.fillIndex(ctx, w)
	default:
		return fmt.Errorf("hdf5: reader: unknown request kind %d", q.kind)
	}
	if !q.drop {
		s.rshape[0] = rs.count
		s.rrank = 1
	}
	for _, dim := range d.shape[1:] {
		s.rshape[s.rrank] = dim
		s.rrank++
	}
	return s.gather(ctx, &rs)
}

// maxRows is how many rows of the request's output fit in the stage.
func (s *Stage) maxRows() uint64 {
	q := &s.req
	outEs := q.d.es
	if q.hasFld {
		outEs = uint64(q.fld.t.Size)
	}
	outRow := q.d.rowElems * outEs
	if outRow == 0 {
		return math.MaxUint64
	}
	return uint64(len(s.buf)) / outRow
}

// gather copies the rows of rs (narrowed to the request's field) into the
// stage through the block cache.
func (s *Stage) gather(ctx context.Context, rs *rowSeq) error {
	q := &s.req
	d := q.d
	outEs, t := d.es, d.dtype
	if q.hasFld {
		outEs, t = uint64(q.fld.t.Size), q.fld.t
	}
	s.rtype = t
	outRow := d.rowElems * outEs
	if rs.count != 0 && outRow > uint64(len(s.buf))/rs.count {
		return ErrStageTooSmall
	}
	need := rs.count * outRow
	s.n = need
	dst := s.buf[:need]
	cache := d.r.cache
	var cur []byte
	curB := ^uint64(0)
	nrows := d.nrows()
	for i := uint64(0); i < rs.count; i++ {
		if i&4095 == 4095 && ctx.Err() != nil {
			return ctx.Err()
		}
		row := rs.at(i)
		if row >= nrows {
			return fmt.Errorf("hdf5: reader: row %d out of range for %d rows", row, nrows)
		}
		b := row / d.blockRows
		if b != curB {
			data, err := cache.get(ctx, d, b)
			if err != nil {
				return err
			}
			cur, curB = data, b
		}
		off := (row - b*d.blockRows) * d.rowBytes
		src := cur[off : off+d.rowBytes]
		out := dst[i*outRow : (i+1)*outRow]
		if !q.hasFld {
			copy(out, src)
			continue
		}
		fo := q.fld.off
		for e := uint64(0); e < d.rowElems; e++ {
			copy(out[e*outEs:(e+1)*outEs], src[e*d.es+fo:e*d.es+fo+outEs])
		}
	}
	return nil
}

// fillIndex serves a general selection through the hdf5 read engine.
func (s *Stage) fillIndex(ctx context.Context, w *worker) error {
	q := &s.req
	d := q.d
	shape, n, err := d.ds.SelectionShape(q.sel)
	if err != nil {
		return err
	}
	if len(shape) > maxRank {
		return fmt.Errorf("hdf5: reader: result of rank %d", len(shape))
	}
	outEs, t := d.es, d.dtype
	if q.hasFld {
		outEs, t = uint64(q.fld.t.Size), q.fld.t
	}
	if n != 0 && outEs > uint64(len(s.buf))/n {
		return ErrStageTooSmall
	}
	s.rrank = copy(s.rshape[:], shape)
	s.rtype = t
	s.n = n * outEs
	if !q.hasFld {
		return d.ds.ReadContext(ctx, q.sel, s.buf[:s.n])
	}
	full := n * d.es
	if uint64(cap(w.scratch)) < full {
		w.scratch = make([]byte, full)
	}
	tmp := w.scratch[:full]
	if err := d.ds.ReadContext(ctx, q.sel, tmp); err != nil {
		return err
	}
	fo := q.fld.off
	for e := uint64(0); e < n; e++ {
		copy(s.buf[e*outEs:(e+1)*outEs], tmp[e*d.es+fo:e*d.es+fo+outEs])
	}
	return nil
}

// fillVL serves a VLArray request: descriptors come through the block
// cache (or the hdf5 engine for a general selection) and each row's
// elements from the global heap.
func (s *Stage) fillVL(ctx context.Context, w *worker) error {
	q := &s.req
	d := q.d
	if q.hasFld {
		return fmt.Errorf("hdf5: reader: fields of a vlarray")
	}
	if d.rowElems != 1 {
		return &hdf5.UnsupportedError{Feature: "multi-dimensional variable-length dataset"}
	}
	s.rtype = d.vlBase
	s.rrank = 0
	var rs rowSeq
	rs.n = int64(d.nrows())
	var descs []byte // for a general selection: the descriptors, in order
	switch q.kind {
	case kindRows:
		rs.start, rs.step, rs.count = q.start, q.step, q.count
	case kindCoords:
		rs.coords, rs.count = q.coords, uint64(len(q.coords))
	case kindIndex:
		shape, n, err := d.ds.SelectionShape(q.sel)
		if err != nil {
			return err
		}
		if len(shape) > 1 {
			return fmt.Errorf("hdf5: reader: vlarray selection of rank %d", len(shape))
		}
		if uint64(cap(w.desc)) < n*d.es {
			w.desc = make([]byte, n*d.es)
		}
		descs = w.desc[:n*d.es]
		if err := d.ds.ReadContext(ctx, q.sel, descs); err != nil {
			return err
		}
		rs.count = n
		if len(shape) == 1 {
			s.rshape[0] = shape[0]
			s.rrank = 1
		}
	default:
		return fmt.Errorf("hdf5: reader: %s requests on a vlarray", q.String())
	}
	if q.kind != kindIndex && !q.drop {
		s.rshape[0] = rs.count
		s.rrank = 1
	}
	if rs.count > uint64(len(s.offs)-1) {
		return ErrStageTooSmall
	}
	s.rrows = rs.count
	es := s.vlEs
	f := d.r.f
	cache := d.r.cache
	var cur []byte
	curB := ^uint64(0)
	var used uint64
	s.offs[0] = 0
	for i := uint64(0); i < rs.count; i++ {
		var desc []byte
		if descs != nil {
			desc = descs[i*d.es : (i+1)*d.es]
		} else {
			row := rs.at(i)
			if row >= d.nrows() {
				return fmt.Errorf("hdf5: reader: row %d out of range", row)
			}
			b := row / d.blockRows
			if b != curB {
				data, err := cache.get(ctx, d, b)
				if err != nil {
					return err
				}
				cur, curB = data, b
			}
			off := (row - b*d.blockRows) * d.es
			desc = cur[off : off+d.es]
		}
		cnt, data, err := f.VlenElement(desc)
		if err != nil {
			return err
		}
		nb := uint64(cnt) * es
		if uint64(len(data)) < nb {
			return fmt.Errorf("hdf5: reader: vlen element of %d bytes holds %d elements of %d bytes", len(data), cnt, es)
		}
		if nb > uint64(len(s.buf))-used {
			return ErrStageTooSmall
		}
		copy(s.buf[used:used+nb], data[:nb])
		if d.vlBase.Order == 1 && (d.vlBase.Class == hdf5.ClassInteger || d.vlBase.Class == hdf5.ClassFloat) {
			swapBytes(s.buf[used:used+nb], int(es))
		}
		used += nb
		s.offs[i+1] = s.offs[i] + uint64(cnt)
	}
	s.n = used
	return nil
}

// swapBytes reverses the bytes of each size-byte element of b.
func swapBytes(b []byte, size int) {
	if size < 2 {
		return
	}
	for i := 0; i+size <= len(b); i += size {
		e := b[i : i+size]
		for l, r := 0, size-1; l < r; l, r = l+1, r-1 {
			e[l], e[r] = e[r], e[l]
		}
	}
}
