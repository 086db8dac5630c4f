package hdf5

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// ObjectRef is a resolved object reference (Spec 3.0, IV.A.2.d class 7,
// type 0): the address of the target's object header and the path h5py's
// visititems first reaches it by, or "" when no path does.
type ObjectRef struct {
	Addr uint64
	Path string
}

// RegionRef is a resolved dataset region reference (class 7, type 1): the
// target dataset and the selection stored with it.
//
// SelType is "none", "points", "hyperslab" or "all", and NPoints the number
// of elements selected. Points lists the coordinates of a point selection,
// in stored order. Blocks lists a hyperslab selection as [start, end] corner
// pairs, end inclusive: in stored order for an irregular selection, and for
// a regular one (start, stride, count, block) one block per combination of
// block indices, in C order.
type RegionRef struct {
	Addr    uint64
	Path    string
	SelType string
	NPoints uint64
	Points  [][]uint64
	Blocks  [][2][]uint64
}

// Selection types of a serialized selection (H5S_sel_type).
const (
	selTypeNone      = 0
	selTypePoints    = 1
	selTypeHyperslab = 2
	selTypeAll       = 3
)

// maxRegionBlocks caps the blocks a regular hyperslab in a region
// reference may enumerate.
const maxRegionBlocks = 1 << 20

// maxSelRank is libhdf5's H5S_MAX_RANK.
const maxSelRank = 32

func refUnsupported(t *types.Datatype) error {
	return &binfmt.UnsupportedError{Feature: fmt.Sprintf("HDF5 1.12 references (%s)", t)}
}

// objectRefAt decodes an object reference element: nil for a null
// reference (address 0 or undefined).
func (f *File) objectRefAt(t *types.Datatype, b []byte) (*ObjectRef, error) {
	if t.RefKind != types.RefObject {
		return nil, refUnsupported(t)
	}
	if len(b) == 0 || len(b) > 8 {
		return nil, fmt.Errorf("hdf5: object reference of %d bytes", len(b))
	}
	var buf [8]byte
	copy(buf[:], b)
	addr := binary.LittleEndian.Uint64(buf[:])
	if addr == 0 || addr == 1<<(8*uint(len(b)))-1 || (len(b) == 8 && addr == binfmt.Undef) {
		return nil, nil
	}
	p, _, _ := f.ObjectPath(addr)
	return &ObjectRef{Addr: addr, Path: p}, nil
}

// regionRefAt decodes a dataset region reference element: a global heap ID
// (collection address, object index) whose object holds the dataset's
// object header address and the serialized selection. nil for a null
// reference.
func (f *File) regionRefAt(t *types.Datatype, b []byte) (*RegionRef, error) {
	if t.RefKind != types.RefRegion {
		return nil, refUnsupported(t)
	}
	so := f.src.Sizes.Offsets
	if len(b) < so+4 {
		return nil, fmt.Errorf("hdf5: region reference of %d bytes, want %d", len(b), so+4)
	}
	c := binfmt.NewCursor(b, f.src.Sizes, 0, "region reference")
	coll := c.Offset()
	idx := c.Uint32()
	if coll == 0 || coll == binfmt.Undef {
		return nil, nil
	}
	obj, err := f.global.Get(coll, idx)
	if err != nil {
		return nil, err
	}
	if len(obj) < so {
		return nil, binfmt.Errorf(coll, "region reference", "heap object of %d bytes", len(obj))
	}
	hc := binfmt.NewCursor(obj, f.src.Sizes, coll, "region reference")
	addr := hc.Offset()
	r := &RegionRef{Addr: addr}
	r.Path, _, _ = f.ObjectPath(addr)
	if err := decodeSelection(obj[so:], r, coll); err != nil {
		return nil, err
	}
	if r.SelType == "all" {
		o, err := f.ObjectAt(addr)
		if err != nil {
			return nil, fmt.Errorf("hdf5: region reference target: %w", err)
		}
		d, ok := o.(*Dataset)
		if !ok {
			return nil, fmt.Errorf("hdf5: region reference to a %s", o.Kind())
		}
		n, ok := d.space.NumElements()
		if !ok {
			return nil, binfmt.Errorf(addr, "dataspace", "element count overflows")
		}
		if d.space.Kind == types.SpaceNull {
			n = 0
		}
		r.NPoints = n
	}
	return r, nil
}

// selReader decodes the little-endian fields of a serialized selection.
type selReader struct {
	b   []byte
	off int
	err error
	at  uint64
}

func (s *selReader) need(n int) bool {
	if s.err != nil {
		return false
	}
	if n < 0 || len(s.b)-s.off < n {
		s.err = binfmt.Errorf(s.at, "serialized selection", "truncated at byte %d (need %d more)", s.off, n)
		return false
	}
	return true
}

func (s *selReader) skip(n int) {
	if s.need(n) {
		s.off += n
	}
}

func (s *selReader) uint(size int) uint64 {
	if !s.need(size) {
		return 0
	}
	var v uint64
	for i := size - 1; i >= 0; i-- {
		v = v<<8 | uint64(s.b[s.off+i])
	}
	s.off += size
	return v
}

// decodeSelection decodes a serialized dataspace selection (libhdf5's
// H5S_select_serialize; Spec 3.0 IV.B "Dataset Region References" describes
// its version 1 form): a 4-byte selection type, then per type:
//
//	none, all:  version (4) = 1, reserved (8)
//	points v1:  version (4), reserved (4), length (4), rank (4), count (4), coords (4 each)
//	points v2:  version (4), encoding size (1), rank (4), count, coords (encoding size each)
//	hyperslab v1: version (4), reserved (4), length (4), rank (4), block count (4),
//	            per block start then end coords (4 each)
//	hyperslab v2: version (4), flags (1), length (4), rank (4), then 8-byte fields
//	hyperslab v3: version (4), flags (1), encoding size (1), rank (4), then fields
//	            of the encoding size
//
// In versions 2 and 3, flags bit 0 marks a regular hyperslab stored as
// start, stride, count and block per dimension; otherwise a block count and
// the blocks follow.
func decodeSelection(b []byte, r *RegionRef, at uint64) error {
	s := &selReader{b: b, at: at}
	typ := s.uint(4)
	switch typ {
	case selTypeNone, selTypeAll:
		s.uint(4)
		s.skip(8)
		r.SelType = "none"
		if typ == selTypeAll {
			r.SelType = "all"
		}
		return s.err
	case selTypePoints:
		r.SelType = "points"
		return decodePoints(s, r)
	case selTypeHyperslab:
		r.SelType = "hyperslab"
		return decodeHyperslab(s, r)
	}
	if s.err != nil {
		return s.err
	}
	return binfmt.Errorf(at, "serialized selection", "unknown selection type %d", typ)
}

func checkEncSize(enc uint64, at uint64) error {
	switch enc {
	case 2, 4, 8:
		return nil
	}
	return binfmt.Errorf(at, "serialized selection", "encoding size %d", enc)
}

func checkRank(rank uint64, at uint64) error {
	if rank == 0 || rank > maxSelRank {
		return binfmt.Errorf(at, "serialized selection", "rank %d", rank)
	}
	return nil
}

func decodePoints(s *selReader, r *RegionRef) error {
	version := s.uint(4)
	enc := 4
	switch version {
	case 1:
		s.skip(8)
	case 2:
		e := s.uint(1)
		if err := checkEncSize(e, s.at); s.err == nil && err != nil {
			return err
		}
		enc = int(e)
	default:
		if s.err != nil {
			return s.err
		}
		return binfmt.Errorf(s.at, "point selection", "version %d", version)
	}
	rank := s.uint(4)
	if s.err != nil {
		return s.err
	}
	if err := checkRank(rank, s.at); err != nil {
		return err
	}
	n := s.uint(enc)
	// Count first, then allocate: the coordinates must be in the buffer.
	total, ok := binfmt.Mul(n, rank*uint64(enc))
	if !ok || !s.need(int(min(total, 1<<62))) {
		if s.err != nil {
			return s.err
		}
		return binfmt.Errorf(s.at, "point selection", "%d points of rank %d overflow", n, rank)
	}
	r.NPoints = n
	r.Points = make([][]uint64, n)
	for i := range r.Points {
		p := make([]uint64, rank)
		for j := range p {
			p[j] = s.uint(enc)
		}
		r.Points[i] = p
	}
	return s.err
}

func decodeHyperslab(s *selReader, r *RegionRef) error {
	version := s.uint(4)
	var flags uint64
	enc := 4
	switch version {
	case 1:
		s.skip(8)
	case 2:
		flags = s.uint(1)
		s.skip(4)
		enc = 8
	case 3:
		flags = s.uint(1)
		e := s.uint(1)
		if err := checkEncSize(e, s.at); s.err == nil && err != nil {
			return err
		}
		enc = int(e)
	default:
		if s.err != nil {
			return s.err
		}
		return binfmt.Errorf(s.at, "hyperslab selection", "version %d", version)
	}
	rank := s.uint(4)
	if s.err != nil {
		return s.err
	}
	if err := checkRank(rank, s.at); err != nil {
		return err
	}
	if flags&^1 != 0 {
		return binfmt.Errorf(s.at, "hyperslab selection", "unknown flags 0x%x", flags)
	}
	if flags&1 != 0 {
		return decodeRegularHyperslab(s, r, int(rank), enc)
	}
	n := s.uint(enc)
	total, ok := binfmt.Mul(n, 2*rank*uint64(enc))
	if !ok || !s.need(int(min(total, 1<<62))) {
		if s.err != nil {
			return s.err
		}
		return binfmt.Errorf(s.at, "hyperslab selection", "%d blocks of rank %d overflow", n, rank)
	}
	r.Blocks = make([][2][]uint64, n)
	var npoints uint64
	for i := range r.Blocks {
		start, end := make([]uint64, rank), make([]uint64, rank)
		for j := range start {
			start[j] = s.uint(enc)
		}
		vol := uint64(1)
		for j := range end {
			end[j] = s.uint(enc)
			if end[j] < start[j] {
				return binfmt.Errorf(s.at, "hyperslab selection", "block ends before it starts")
			}
			vol, ok = binfmt.Mul(vol, end[j]-start[j]+1)
			if !ok {
				return binfmt.Errorf(s.at, "hyperslab selection", "block volume overflows")
			}
		}
		r.Blocks[i] = [2][]uint64{start, end}
		npoints, ok = binfmt.Add(npoints, vol)
		if !ok {
			return binfmt.Errorf(s.at, "hyperslab selection", "element count overflows")
		}
	}
	r.NPoints = npoints
	return s.err
}

// decodeRegularHyperslab decodes start, stride, count and block per
// dimension and enumerates the blocks in C order of the block indices.
func decodeRegularHyperslab(s *selReader, r *RegionRef, rank, enc int) error {
	start, stride, count, block := make([]uint64, rank), make([]uint64, rank), make([]uint64, rank), make([]uint64, rank)
	unlimited := uint64(1)<<(8*uint(enc)) - 1
	if enc == 8 {
		unlimited = ^uint64(0)
	}
	nblocks, npoints := uint64(1), uint64(1)
	for i := 0; i < rank; i++ {
		start[i], stride[i], count[i], block[i] = s.uint(enc), s.uint(enc), s.uint(enc), s.uint(enc)
		if s.err != nil {
			return s.err
		}
		if count[i] == unlimited || block[i] == unlimited {
			return &binfmt.UnsupportedError{Feature: "unlimited hyperslab in a region reference", Addr: s.at, HasAddr: true}
		}
		var ok bool
		if nblocks, ok = binfmt.Mul(nblocks, count[i]); !ok || nblocks > maxRegionBlocks {
			return &binfmt.LimitError{Name: "region reference blocks", Limit: maxRegionBlocks, Addr: s.at}
		}
		if npoints, ok = binfmt.Mul(npoints, count[i]); ok {
			npoints, ok = binfmt.Mul(npoints, block[i])
		}
		if !ok {
			return binfmt.Errorf(s.at, "hyperslab selection", "element count overflows")
		}
		if block[i] == 0 {
			return binfmt.Errorf(s.at, "hyperslab selection", "zero block size")
		}
	}
	r.NPoints = npoints
	r.Blocks = make([][2][]uint64, 0, nblocks)
	if nblocks == 0 {
		return nil
	}
	idx := make([]uint64, rank)
	for {
		st, en := make([]uint64, rank), make([]uint64, rank)
		for i := range idx {
			st[i] = start[i] + idx[i]*stride[i]
			en[i] = st[i] + block[i] - 1
		}
		r.Blocks = append(r.Blocks, [2][]uint64{st, en})
		i := rank - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < count[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}

// ReadRefs reads object references and opens their targets; a null
// reference is a nil Object.
func (d *Dataset) ReadRefs(sel *Selection) ([]Object, error) {
	refs, err := d.ReadObjectRefs(sel)
	if err != nil {
		return nil, err
	}
	out := make([]Object, len(refs))
	for i, r := range refs {
		if r == nil {
			continue
		}
		o, err := d.f.ObjectAt(r.Addr)
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: reference to 0x%x: %w", d.path, i, r.Addr, err)
		}
		out[i] = o
	}
	return out, nil
}

// ReadObjectRefs reads object references without opening their targets; a
// null reference is nil.
func (d *Dataset) ReadObjectRefs(sel *Selection) ([]*ObjectRef, error) {
	t := d.elemType(sel)
	if t.Class != types.ClassReference || t.RefKind != types.RefObject {
		if t.Class == types.ClassReference && t.RefKind > types.RefRegion {
			return nil, refUnsupported(t)
		}
		return nil, fmt.Errorf("hdf5: cannot read %s as object references (dataset %s)", t, d.path)
	}
	e, err := d.readElems(context.Background(), sel)
	if err != nil {
		return nil, err
	}
	out := make([]*ObjectRef, e.n)
	for i := range e.n {
		if out[i], err = e.f.objectRefAt(e.t, e.at(i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadRegionRefs reads dataset region references; a null reference is nil.
func (d *Dataset) ReadRegionRefs(sel *Selection) ([]*RegionRef, error) {
	t := d.elemType(sel)
	if t.Class != types.ClassReference || t.RefKind != types.RefRegion {
		if t.Class == types.ClassReference && t.RefKind > types.RefRegion {
			return nil, refUnsupported(t)
		}
		return nil, fmt.Errorf("hdf5: cannot read %s as region references (dataset %s)", t, d.path)
	}
	e, err := d.readElems(context.Background(), sel)
	if err != nil {
		return nil, err
	}
	out := make([]*RegionRef, e.n)
	for i := range e.n {
		if out[i], err = e.f.regionRefAt(e.t, e.at(i)); err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: %w", d.path, i, err)
		}
	}
	return out, nil
}
