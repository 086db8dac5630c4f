package hdf5

import (
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/goh5/goh5/internal/binfmt"
)

// VlenElement resolves one stored variable-length descriptor (Spec 3.0,
// IV.A.2.d class 9: a 4-byte element count, then a global heap ID: the
// collection address and a 4-byte object index) to its count and the heap
// object's bytes. For a sequence the bytes hold count base elements in the
// file's byte order; for a string, count bytes. A count of zero, or the
// undefined collection address, is an empty element.
func (f *File) VlenElement(desc []byte) (count uint32, data []byte, err error) {
	so := f.src.Sizes.Offsets
	if len(desc) < 4+so+4 {
		return 0, nil, fmt.Errorf("hdf5: variable-length descriptor of %d bytes, want %d", len(desc), 8+so)
	}
	count = binary.LittleEndian.Uint32(desc)
	c := binfmt.NewCursor(desc[4:], f.src.Sizes, 0, "variable-length descriptor")
	coll := c.Offset()
	idx := c.Uint32()
	if count == 0 || coll == 0 || coll == binfmt.Undef {
		return 0, nil, nil
	}
	data, err = f.global.Get(coll, idx)
	if err != nil {
		return 0, nil, err
	}
	return count, data, nil
}

// VlenDescriptorSize is the stored size of a variable-length descriptor in
// this file: 4 + size of offsets + 4.
func (f *File) VlenDescriptorSize() int { return 8 + f.src.Sizes.Offsets }

// SizeOfOffsets returns the file's size of offsets (addresses), in bytes.
func (f *File) SizeOfOffsets() int { return f.src.Sizes.Offsets }

// ObjectPath returns the path under which h5py's visititems (libhdf5's
// H5Ovisit from the root) first reaches the object whose header is at
// addr, and whether any path does. The root group is "/". The map of
// paths is built on first use and kept.
func (f *File) ObjectPath(addr uint64) (string, bool, error) {
	f.pathsOnce.Do(func() {
		m := map[uint64]string{f.sb.Root.ObjAddr: "/"}
		for e, err := range f.Walk() {
			if err != nil {
				f.pathsErr = err
				break
			}
			if _, ok := m[e.Object.Addr()]; !ok {
				m[e.Object.Addr()] = e.Path
			}
		}
		f.paths = m
	})
	p, ok := f.paths[addr]
	return p, ok, f.pathsErr
}

// ObjectAt opens the object whose header is at addr (as an object reference
// names it). Its path is the one ObjectPath gives, or "" when no hard-link
// path reaches it.
func (f *File) ObjectAt(addr uint64) (Object, error) {
	p, _, _ := f.ObjectPath(addr)
	return f.objectAt(addr, p)
}

type pathCache struct {
	pathsOnce sync.Once
	paths     map[uint64]string
	pathsErr  error
}
