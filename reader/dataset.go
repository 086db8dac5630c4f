package reader

import (
	"fmt"
	"strings"
	"sync"

	"github.com/goh5/goh5/hdf5"
)

// Kind is the kind of a dataset proxy.
type Kind int

// Dataset kinds, after PyTables' leaf classes.
const (
	KindTable   Kind = iota + 1 // compound: PyTables Table
	KindArray                   // fixed-size elements: Array, CArray, EArray
	KindVLArray                 // variable-length elements: VLArray
)

func (k Kind) String() string {
	switch k {
	case KindTable:
		return "table"
	case KindArray:
		return "array"
	case KindVLArray:
		return "vlarray"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Dataset is a proxy for one dataset: *TableDataset, *ArrayDataset or
// *VLArrayDataset. Its methods build request descriptions; nothing is read
// until a request is submitted with Reader.Request.
type Dataset interface {
	// Path is the dataset's path in the file.
	Path() string
	// Kind says which proxy this is.
	Kind() Kind
	// Shape is the dataset's shape; the first dimension is the rows.
	Shape() []uint64
	// Datatype is the element type.
	Datatype() *hdf5.Datatype
	// HDF5 is the underlying dataset.
	HDF5() *hdf5.Dataset

	// Slice is numpy-style indexing from an expression ("30:35",
	// "-10:", "5", "::2, ..., 1").
	Slice(expr string) Request
	// Index is numpy-style indexing with hdf5.Range, Step, At, Ellipsis,
	// Mask and Coords items.
	Index(items ...hdf5.Item) Request
	// Read reads rows start:stop:step the way PyTables' read does: use
	// Omit for an omitted value; a start alone reads that one row. field
	// narrows a compound to one (nested: "info/x") column; "" reads whole
	// elements.
	Read(start, stop, step int64, field string) Request
	// ReadCoordinates reads the rows at coords, in that order (negative
	// values count from the end), narrowed to field as Read does.
	ReadCoordinates(coords []int64, field string) Request

	// NewStage preallocates memory for results of the given shape; missing
	// trailing dimensions come from the dataset's shape.
	NewStage(shape ...uint64) (*Stage, error)
	// NewStagePool makes a rotating pool of n stages of one shape.
	NewStagePool(shape []uint64, n int) (*StagePool, error)

	core() *base
}

// base is what every proxy shares.
type base struct {
	r     *Reader
	ds    *hdf5.Dataset
	path  string
	kind  Kind
	dtype *hdf5.Datatype
	shape []uint64
	id    uint64

	es        uint64 // stored element size (a vlen descriptor for VLArrays)
	rowElems  uint64 // elements per row
	rowBytes  uint64
	blockRows uint64

	// VLArray: the element type and the longest row, found on first use.
	vlBase *hdf5.Datatype
	vl     *vlInfo

	self Dataset       // the proxy that holds this base
	tbl  *TableDataset // set for tables
}

func (b *base) Path() string             { return b.path }
func (b *base) Kind() Kind               { return b.kind }
func (b *base) Shape() []uint64          { return b.shape }
func (b *base) Datatype() *hdf5.Datatype { return b.dtype }
func (b *base) HDF5() *hdf5.Dataset      { return b.ds }
func (b *base) core() *base              { return b }
func (b *base) nrows() uint64            { return b.shape[0] }

type vlInfo struct {
	once   sync.Once
	maxLen uint64
	err    error
}

// TableDataset is the proxy of a compound dataset (a PyTables Table).
type TableDataset struct {
	base

	sortMu sync.Mutex
	sorts  map[string]*memSort
	csiMu  sync.Mutex
	csis   map[string]*csiEntry
}

// ArrayDataset is the proxy of a dataset of fixed-size elements (PyTables
// Array, CArray and EArray).
type ArrayDataset struct{ base }

// VLArrayDataset is the proxy of a variable-length dataset (a PyTables
// VLArray): each row is a sequence of base elements.
type VLArrayDataset struct{ base }

// Base is the type of one element of a row.
func (v *VLArrayDataset) Base() *hdf5.Datatype { return v.vlBase }

var (
	_ Dataset = (*TableDataset)(nil)
	_ Dataset = (*ArrayDataset)(nil)
	_ Dataset = (*VLArrayDataset)(nil)
)

// Dataset returns the proxy of the dataset at path, of the kind its
// datatype gives. Proxies are made once per path and shared.
func (r *Reader) Dataset(path string) (Dataset, error) {
	r.dsMu.Lock()
	defer r.dsMu.Unlock()
	if d, ok := r.dsets[path]; ok {
		return d, nil
	}
	if r.isClosed() {
		return nil, r.closedErr()
	}
	h, err := r.f.Dataset(path)
	if err != nil {
		return nil, err
	}
	t := h.Datatype()
	shape := h.Shape()
	if len(shape) == 0 || h.Dataspace().Kind != 1 {
		return nil, fmt.Errorf("hdf5: reader: %s: scalar or null dataspace; a reader dataset needs rows", path)
	}
	r.nextID++
	b := base{r: r, ds: h, path: path, dtype: t, shape: shape, id: r.nextID, es: uint64(t.Size)}
	b.rowElems = 1
	for _, d := range shape[1:] {
		if d != 0 && b.rowElems > (1<<62)/d {
			return nil, fmt.Errorf("hdf5: reader: %s: row size overflows", path)
		}
		b.rowElems *= d
	}
	if b.es != 0 && b.rowElems > (1<<62)/b.es {
		return nil, fmt.Errorf("hdf5: reader: %s: row size overflows", path)
	}
	b.rowBytes = b.rowElems * b.es
	if b.rowBytes > maxRowBytes {
		return nil, &hdf5.LimitError{Name: "reader row size", Limit: maxRowBytes, Want: int64(b.rowBytes), Addr: h.Addr()}
	}
	b.blockRows = blockRows(h, b.rowBytes)
	var d Dataset
	switch t.Class {
	case hdf5.ClassCompound:
		b.kind = KindTable
		t := &TableDataset{base: b, sorts: map[string]*memSort{}, csis: map[string]*csiEntry{}}
		t.tbl, t.self = t, t
		d = t
	case hdf5.ClassVlen:
		b.kind = KindVLArray
		if t.VlenString {
			b.vlBase = &hdf5.Datatype{Class: hdf5.ClassInteger, Size: 1, Precision: 8}
		} else {
			b.vlBase = t.Base
		}
		if b.vlBase == nil || b.vlBase.Size == 0 || b.vlBase.Class == hdf5.ClassVlen || b.vlBase.Class == hdf5.ClassReference {
			return nil, &hdf5.UnsupportedError{Feature: "variable-length dataset of " + t.String()}
		}
		if int(t.Size) != r.f.VlenDescriptorSize() {
			return nil, fmt.Errorf("hdf5: reader: %s: vlen element of %d bytes, the file's descriptors have %d", path, t.Size, r.f.VlenDescriptorSize())
		}
		b.vl = &vlInfo{}
		v := &VLArrayDataset{base: b}
		v.self = v
		d = v
	default:
		b.kind = KindArray
		a := &ArrayDataset{base: b}
		a.self = a
		d = a
	}
	r.dsets[path] = d
	return d, nil
}

// Table returns the proxy of the compound dataset at path.
func (r *Reader) Table(path string) (*TableDataset, error) {
	d, err := r.Dataset(path)
	if err != nil {
		return nil, err
	}
	t, ok := d.(*TableDataset)
	if !ok {
		return nil, fmt.Errorf("hdf5: reader: %s is a %s, not a table", path, d.Kind())
	}
	return t, nil
}

// Array returns the proxy of the fixed-type dataset at path.
func (r *Reader) Array(path string) (*ArrayDataset, error) {
	d, err := r.Dataset(path)
	if err != nil {
		return nil, err
	}
	a, ok := d.(*ArrayDataset)
	if !ok {
		return nil, fmt.Errorf("hdf5: reader: %s is a %s, not an array", path, d.Kind())
	}
	return a, nil
}

// VLArray returns the proxy of the variable-length dataset at path.
func (r *Reader) VLArray(path string) (*VLArrayDataset, error) {
	d, err := r.Dataset(path)
	if err != nil {
		return nil, err
	}
	v, ok := d.(*VLArrayDataset)
	if !ok {
		return nil, fmt.Errorf("hdf5: reader: %s is a %s, not a vlarray", path, d.Kind())
	}
	return v, nil
}

// maxRowBytes caps the size of one row (the unit the block cache holds).
const maxRowBytes = 1 << 30

// blockRows picks the rows of one cached block: a chunk's rows for a
// chunked dataset, about 64 KiB for others, never more than 4 MiB unless
// one row is larger.
func blockRows(h *hdf5.Dataset, rowBytes uint64) uint64 {
	const target, most = 64 << 10, 4 << 20
	if rowBytes == 0 {
		return 1
	}
	rows := max(1, target/rowBytes)
	if cs := h.ChunkShape(); len(cs) > 0 && cs[0] > 0 {
		rows = cs[0]
	}
	if rows*rowBytes > most || rows > most {
		rows = max(1, most/rowBytes)
	}
	return rows
}

// field is a resolved compound member path.
type field struct {
	name string
	off  uint64
	t    *hdf5.Datatype
}

// resolveField finds a member of t by a PyTables column path such as
// "info/y".
func resolveField(t *hdf5.Datatype, name string) (field, error) {
	f := field{name: name}
	cur := t
	for _, part := range strings.Split(name, "/") {
		if cur.Class != hdf5.ClassCompound {
			return f, fmt.Errorf("hdf5: reader: field %q: %q is not a compound", name, part)
		}
		found := false
		for i := range cur.Members {
			m := &cur.Members[i]
			if m.Name == part {
				if uint64(m.Offset)+uint64(m.Type.Size) > uint64(cur.Size) {
					return f, fmt.Errorf("hdf5: reader: field %q lies outside its compound", name)
				}
				f.off += uint64(m.Offset)
				cur = m.Type
				found = true
				break
			}
		}
		if !found {
			return f, fmt.Errorf("hdf5: reader: no column %q (in %q): %w", part, name, hdf5.ErrNotFound)
		}
	}
	f.t = cur
	return f, nil
}
