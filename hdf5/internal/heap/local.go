package heap

import (
	"bytes"

	"github.com/goh5/goh5/internal/binfmt"
)

// Local is a local heap: a header and one contiguous data segment that holds
// NUL-terminated strings (link names and soft-link values of symbol-table
// groups).
//
// Spec 3.0, III.D "Disk Format: Level 1D - Local Heaps" (H5.format.html#LocalHeap).
type Local struct {
	Addr     uint64 // address of the "HEAP" header
	DataAddr uint64 // address of the data segment
	Data     []byte // the whole data segment
}

// ReadLocal reads the local heap whose header is at addr, and its data segment.
func ReadLocal(src *binfmt.Source, addr uint64) (*Local, error) {
	const what = "local heap"
	sizes := src.Sizes
	n := uint64(4 + 1 + 3 + 2*sizes.Lengths + sizes.Offsets)
	c, err := src.Cursor(addr, n, what)
	if err != nil {
		return nil, err
	}
	c.Signature("HEAP")
	c.Version(0)
	c.Skip(3)
	size := c.Length()
	_ = c.Length() // offset to the head of the free list; not needed to read
	dataAddr := c.Offset()
	if err := c.Err(); err != nil {
		return nil, err
	}
	h := &Local{Addr: addr, DataAddr: dataAddr}
	if size == 0 {
		return h, nil
	}
	data, err := src.ReadAt(dataAddr, size, "local heap data segment")
	if err != nil {
		return nil, err
	}
	h.Data = data
	return h, nil
}

// String returns the NUL-terminated string that starts at offset off of the
// data segment.
func (h *Local) String(off uint64) (string, error) {
	if off >= uint64(len(h.Data)) {
		return "", binfmt.Errorf(h.Addr, "local heap", "string offset %d outside the %d-byte data segment", off, len(h.Data))
	}
	rest := h.Data[off:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return "", binfmt.Errorf(h.DataAddr+off, "local heap", "string at offset %d is not NUL-terminated", off)
	}
	return string(rest[:i]), nil
}
