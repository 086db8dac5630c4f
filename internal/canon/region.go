package canon

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/binfmt"
)

// Selection types of a serialized dataspace selection (libhdf5's
// H5S_sel_type).
const (
	selNone      = 0
	selPoints    = 1
	selHyperslab = 2
	selAll       = 3
)

// regionSel is a decoded dataspace selection.
type regionSel struct {
	kind    uint32
	npoints uint64
	points  [][]uint64
	blocks  [][2][]uint64 // start and inclusive end
}

// maxRegionCoords caps the coordinates one region reference may list.
const maxRegionCoords = 1 << 24

// decodeSelection decodes a serialized dataspace selection, as a dataset
// region reference stores it in the global heap after the object address
// (Spec 3.0, IV.A.2.d class 7 "Reference", and libhdf5's
// H5S_select_deserialize: a 4-byte selection type, then a versioned,
// type-specific body).
func decodeSelection(b []byte) (*regionSel, error) {
	r := &rd{b: b}
	s := &regionSel{kind: r.u32()}
	version := r.u32()
	switch s.kind {
	case selNone, selAll:
		r.skip(8)
	case selPoints:
		enc := 4
		if version >= 2 {
			enc = int(r.u8())
		} else {
			r.skip(8)
		}
		rank := r.u32()
		n := r.uint(enc)
		if rank == 0 || rank > 32 || n > maxRegionCoords/uint64(rank) || n*uint64(rank)*uint64(enc) > uint64(len(b)) {
			return nil, fmt.Errorf("hdf5: region reference point selection of %d points of rank %d", n, rank)
		}
		s.npoints = n
		for i := uint64(0); i < n; i++ {
			p := make([]uint64, rank)
			for j := range p {
				p[j] = r.uint(enc)
			}
			s.points = append(s.points, p)
		}
	case selHyperslab:
		if version == 1 {
			r.skip(8)
			rank := r.u32()
			n := uint64(r.u32())
			if rank == 0 || rank > 32 || n > maxRegionCoords/uint64(rank) || n*uint64(rank)*8 > uint64(len(b)) {
				return nil, fmt.Errorf("hdf5: region reference hyperslab of %d blocks of rank %d", n, rank)
			}
			for i := uint64(0); i < n; i++ {
				var bl [2][]uint64
				for k := range bl {
					bl[k] = make([]uint64, rank)
					for j := range bl[k] {
						bl[k][j] = uint64(r.u32())
					}
				}
				s.addBlock(bl)
			}
			break
		}
		flags := r.u8()
		enc := 8
		if version == 2 {
			r.skip(4)
		} else {
			enc = int(r.u8())
		}
		rank := r.u32()
		if rank == 0 || rank > 32 {
			return nil, fmt.Errorf("hdf5: region reference hyperslab of rank %d", rank)
		}
		if flags&1 == 0 {
			if version == 2 {
				return nil, &hdf5.UnsupportedError{Feature: "irregular version 2 hyperslab in a region reference"}
			}
			n := r.uint(enc)
			if n > maxRegionCoords/uint64(rank) || n*uint64(rank)*uint64(enc) > uint64(len(b)) {
				return nil, fmt.Errorf("hdf5: region reference hyperslab of %d blocks", n)
			}
			for i := uint64(0); i < n; i++ {
				var bl [2][]uint64
				for k := range bl {
					bl[k] = make([]uint64, rank)
					for j := range bl[k] {
						bl[k][j] = r.uint(enc)
					}
				}
				s.addBlock(bl)
			}
			break
		}
		var start, stride, count, block [32]uint64
		for j := uint32(0); j < rank; j++ {
			start[j], stride[j], count[j], block[j] = r.uint(enc), r.uint(enc), r.uint(enc), r.uint(enc)
		}
		total := uint64(1)
		for j := uint32(0); j < rank; j++ {
			var ok bool
			if total, ok = binfmt.Mul(total, count[j]); !ok || total > maxRegionCoords {
				return nil, fmt.Errorf("hdf5: region reference hyperslab of too many blocks")
			}
		}
		idx := make([]uint64, rank)
		for i := uint64(0); i < total; i++ {
			var bl [2][]uint64
			bl[0], bl[1] = make([]uint64, rank), make([]uint64, rank)
			for j := range idx {
				bl[0][j] = start[j] + idx[j]*stride[j]
				bl[1][j] = bl[0][j] + block[j] - 1
			}
			s.addBlock(bl)
			for j := int(rank) - 1; j >= 0; j-- {
				idx[j]++
				if idx[j] < count[j] {
					break
				}
				idx[j] = 0
			}
		}
	default:
		return nil, fmt.Errorf("hdf5: region reference selection type %d", s.kind)
	}
	if r.err {
		return nil, fmt.Errorf("hdf5: region reference selection truncated")
	}
	return s, nil
}

func (s *regionSel) addBlock(bl [2][]uint64) {
	n := uint64(1)
	for j := range bl[0] {
		if bl[1][j] < bl[0][j] {
			n = 0
			break
		}
		n *= bl[1][j] - bl[0][j] + 1
	}
	s.npoints += n
	s.blocks = append(s.blocks, bl)
}

// rd is a tiny little-endian reader that notes running out of bytes.
type rd struct {
	b   []byte
	off int
	err bool
}

func (r *rd) take(n int) []byte {
	if r.err || n < 0 || r.off+n > len(r.b) {
		r.err = true
		return make([]byte, max(n, 8)&0xff)
	}
	p := r.b[r.off : r.off+n]
	r.off += n
	return p
}
func (r *rd) skip(n int) { r.take(n) }
func (r *rd) u8() uint8  { return r.take(1)[0] }
func (r *rd) u32() uint32 {
	return binary.LittleEndian.Uint32(r.take(4))
}
func (r *rd) uint(n int) uint64 {
	if n != 1 && n != 2 && n != 4 && n != 8 {
		r.err = true
		return 0
	}
	return leUint(r.take(n))
}

var selNames = [...]string{"none", "points", "hyperslab", "all"}

// region writes a dataset region reference from its stored heap ID.
func (w *jsonWriter) region(v []byte) error {
	desc := make([]byte, 4, 4+len(v))
	binary.LittleEndian.PutUint32(desc, 1)
	desc = append(desc, v...)
	_, data, err := w.f.VlenElement(desc)
	so := w.f.SizeOfOffsets()
	var sel *regionSel
	var addr uint64
	var path string
	ok := false
	if err == nil && len(data) >= so {
		if sel, err = decodeSelection(data[so:]); err != nil {
			return err
		}
		addr = leUint(data[:so])
		path, ok = w.resolve(addr)
	}
	if !ok {
		// libhdf5 cannot dereference it either: h5py writes this.
		w.buf = append(w.buf, `{"ref":null,"kind":"region"}`...)
		return nil
	}
	if sel.kind == selAll {
		o, err := w.f.ObjectAt(addr)
		if err != nil {
			return err
		}
		ds, isDS := o.(*hdf5.Dataset)
		if !isDS {
			return fmt.Errorf("hdf5: region reference to a %s", o.Kind())
		}
		sel.npoints = 1
		for _, d := range ds.Shape() {
			sel.npoints *= d
		}
	}
	w.buf = append(w.buf, `{"ref":`...)
	w.appendPath(path)
	w.buf = append(w.buf, `,"addr":`...)
	w.buf = strconv.AppendUint(w.buf, addr, 10)
	w.buf = append(w.buf, `,"kind":"region","sel_type":"`...)
	w.buf = append(w.buf, selNames[sel.kind]...)
	w.buf = append(w.buf, `","npoints":`...)
	w.buf = strconv.AppendUint(w.buf, sel.npoints, 10)
	switch sel.kind {
	case selPoints:
		w.buf = append(w.buf, `,"points":[`...)
		for i, p := range sel.points {
			if i > 0 {
				w.byte(',')
			}
			w.coords(p)
			w.maybeFlush()
		}
		w.byte(']')
	case selHyperslab:
		w.buf = append(w.buf, `,"blocks":[`...)
		for i, bl := range sel.blocks {
			if i > 0 {
				w.byte(',')
			}
			w.byte('[')
			w.coords(bl[0])
			w.byte(',')
			w.coords(bl[1])
			w.byte(']')
			w.maybeFlush()
		}
		w.byte(']')
	}
	w.byte('}')
	return nil
}

func (w *jsonWriter) coords(c []uint64) {
	w.byte('[')
	for i, x := range c {
		if i > 0 {
			w.byte(',')
		}
		w.buf = strconv.AppendUint(w.buf, x, 10)
	}
	w.byte(']')
}
