package hdf5

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/goh5/goh5/hdf5/internal/h5s"
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
// block indices, in C order. File.RegionRef documents the rule.
type RegionRef struct {
	Addr    uint64
	Path    string
	SelType string
	NPoints uint64
	Points  [][]uint64
	Blocks  [][2][]uint64
}

// maxRegionBlocks caps the blocks a regular hyperslab in a region
// reference may enumerate.
const maxRegionBlocks = 1 << 20

// maxSelRank is libhdf5's H5S_MAX_RANK.
const maxSelRank = h5s.MaxRank

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

// regionRefAt decodes a dataset region reference element of type t.
func (f *File) regionRefAt(t *types.Datatype, b []byte) (*RegionRef, error) {
	if t.RefKind != types.RefRegion {
		return nil, refUnsupported(t)
	}
	return f.RegionRef(b)
}

// RegionRef resolves one stored dataset region reference (Spec 3.0,
// IV.A.2.d class 7, type 1), as a dataset or attribute of a region
// reference type stores it: a global heap ID (collection address, 4-byte
// object index) whose object holds the target dataset's object header
// address and the serialized selection. It returns nil for a null
// reference (collection address 0 or undefined).
//
// Blocks and NPoints are what libhdf5's H5Sget_select_hyper_blocklist and
// H5Sget_select_npoints give for the selection: an irregular hyperslab's
// blocks as stored (libhdf5 stores its span tree's blocks, in C order), a
// regular one's (start, stride, count, block) enumerated in C order of the
// block indices, at most 1<<20 of them. An "all" selection has as many
// points as the target dataset has elements (for a virtual dataset, in its
// extent computed from its sources; none for a null dataspace). This is the
// one statement of the rule: the "json" digests of internal/canon (goh5 sum)
// take their region references from here. For what libhdf5 1.10 writes
// (hyperslab version 1, explicit blocks) "as stored" and "enumerated" agree.
func (f *File) RegionRef(ref []byte) (*RegionRef, error) {
	so := f.src.Sizes.Offsets
	if len(ref) < so+4 {
		return nil, fmt.Errorf("hdf5: region reference of %d bytes, want %d", len(ref), so+4)
	}
	c := binfmt.NewCursor(ref, f.src.Sizes, 0, "region reference")
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
		n, ok := d.effSpace().NumElements()
		if !ok {
			return nil, binfmt.Errorf(addr, "dataspace", "element count overflows")
		}
		r.NPoints = n
	}
	return r, nil
}

// decodeSelection decodes the serialized selection (libhdf5's
// H5S_select_serialize, decoded by h5s.Decode) of a region reference whose
// heap object is at address at into r's SelType, NPoints, Points and
// Blocks. NPoints of an "all" selection is left to the caller, which knows
// the target.
func decodeSelection(b []byte, r *RegionRef, at uint64) error {
	s, _, err := h5s.Decode(b, at)
	if err != nil {
		return err
	}
	r.SelType = s.Type.String()
	switch s.Type {
	case h5s.SelPoints:
		r.Points = s.Points
		r.NPoints = uint64(len(s.Points))
	case h5s.SelHyperslab:
		if s.Regular {
			return regularBlocks(s, r, at)
		}
		var npoints uint64
		for _, bl := range s.Blocks {
			vol := uint64(1)
			for j := range bl[0] {
				var ok bool
				if vol, ok = binfmt.Mul(vol, bl[1][j]-bl[0][j]+1); !ok {
					return binfmt.Errorf(at, "hyperslab selection", "block volume overflows")
				}
			}
			var ok bool
			if npoints, ok = binfmt.Add(npoints, vol); !ok {
				return binfmt.Errorf(at, "hyperslab selection", "element count overflows")
			}
		}
		r.Blocks = s.Blocks
		r.NPoints = npoints
	}
	return nil
}

// regularBlocks enumerates the blocks of a regular hyperslab in C order of
// the block indices.
func regularBlocks(s *h5s.Selection, r *RegionRef, at uint64) error {
	rank := s.Rank
	nblocks, npoints := uint64(1), uint64(1)
	for i := 0; i < rank; i++ {
		if s.Count[i] == h5s.Unlimited || s.Block[i] == h5s.Unlimited {
			return &binfmt.UnsupportedError{Feature: "unlimited hyperslab in a region reference", Addr: at, HasAddr: true}
		}
		var ok bool
		if nblocks, ok = binfmt.Mul(nblocks, s.Count[i]); !ok || nblocks > maxRegionBlocks {
			return &binfmt.LimitError{Name: "region reference blocks", Limit: maxRegionBlocks, Addr: at}
		}
		if npoints, ok = binfmt.Mul(npoints, s.Count[i]); ok {
			npoints, ok = binfmt.Mul(npoints, s.Block[i])
		}
		if !ok {
			return binfmt.Errorf(at, "hyperslab selection", "element count overflows")
		}
		if s.Block[i] == 0 {
			return binfmt.Errorf(at, "hyperslab selection", "zero block size")
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
			st[i] = s.Start[i] + idx[i]*s.Stride[i]
			en[i] = st[i] + s.Block[i] - 1
		}
		r.Blocks = append(r.Blocks, [2][]uint64{st, en})
		i := rank - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < s.Count[i] {
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
	e, err := d.refElems(sel, types.RefObject, "object")
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
	e, err := d.refElems(sel, types.RefRegion, "region")
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

// refElems reads the elements sel selects from d after checking that they
// are references of the given kind (named what in errors).
func (d *Dataset) refElems(sel *Selection, kind uint8, what string) (*elems, error) {
	t := d.elemType(sel)
	if t.Class != types.ClassReference || t.RefKind != kind {
		if t.Class == types.ClassReference && t.RefKind > types.RefRegion {
			return nil, refUnsupported(t)
		}
		return nil, fmt.Errorf("hdf5: cannot read %s as %s references (dataset %s)", t, what, d.path)
	}
	return d.readElems(context.Background(), sel)
}
