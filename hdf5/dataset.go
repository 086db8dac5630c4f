package hdf5

import (
	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// LayoutClass is how a dataset's raw data is stored (Spec 3.0, IV.A.2.i
// "Data Layout Message"). Its String method gives "compact", "contiguous",
// "chunked" or "virtual".
type LayoutClass = object.LayoutClass

// The layout classes.
const (
	LayoutCompact    = object.LayoutCompact
	LayoutContiguous = object.LayoutContiguous
	LayoutChunked    = object.LayoutChunked
	LayoutVirtual    = object.LayoutVirtual
)

// ChunkIndexType is the structure that indexes a chunked dataset's chunks.
type ChunkIndexType int

const (
	IndexNone            ChunkIndexType = 0 // not chunked
	IndexBTreeV1         ChunkIndexType = 1 // version 1 B-tree (layout versions 1-3)
	IndexSingle          ChunkIndexType = 2 // single chunk (layout version 4, type 1)
	IndexImplicit        ChunkIndexType = 3 // implicit (type 2)
	IndexFixedArray      ChunkIndexType = 4 // fixed array (type 3)
	IndexExtensibleArray ChunkIndexType = 5 // extensible array (type 4)
	IndexBTreeV2         ChunkIndexType = 6 // version 2 B-tree (type 5)
)

func (t ChunkIndexType) String() string {
	return [...]string{"none", "v1 B-tree", "single chunk", "implicit", "fixed array", "extensible array", "v2 B-tree"}[t]
}

// FilterInfo is one stage of a dataset's filter pipeline (Spec 3.0,
// IV.A.2.l "Filter Pipeline Message").
type FilterInfo struct {
	ID       uint16
	Name     string // the name stored in the file, else the conventional name
	Flags    uint16
	Optional bool // flags bit 0
	Params   []uint32
}

// Dataset is an HDF5 dataset. Its metadata is decoded when it is opened; its
// chunk index is loaded on first read.
type Dataset struct {
	obj
	dtype    *types.Datatype
	space    *types.Dataspace
	layout   *object.Layout
	pipeline *object.FilterPipeline // nil when there is none
	fillNew  *object.FillValue      // nil when absent
	fillOld  *object.FillValueOld   // nil when absent
	external *object.External       // nil when absent
	fpipe    filters.Pipeline       // the pipeline in the filters package's form
	vds      *vdsState              // virtual layout only (virtual.go)
}

// Kind returns KindDataset.
func (d *Dataset) Kind() ObjectKind { return KindDataset }

func newDataset(o obj) (*Dataset, error) {
	d := &Dataset{obj: o}
	f := o.f
	for i := range o.hdr.Messages {
		m := &o.hdr.Messages[i]
		switch m.Type {
		case object.MsgDatatype, object.MsgDataspace, object.MsgLayout, object.MsgFilterPipeline,
			object.MsgFill, object.MsgFillOld, object.MsgExternal:
		default:
			continue
		}
		v, err := f.messageValue(m)
		if err != nil {
			return nil, err
		}
		switch v := v.(type) {
		case *types.Datatype:
			if d.dtype == nil {
				d.dtype = v
			}
		case *types.Dataspace:
			if d.space == nil {
				d.space = v
			}
		case *object.Layout:
			if d.layout == nil {
				d.layout = v
			}
		case *object.FilterPipeline:
			if d.pipeline == nil {
				d.pipeline = v
			}
		case *object.FillValue:
			d.fillNew = v
		case *object.FillValueOld:
			d.fillOld = v
		case *object.External:
			d.external = v
		}
	}
	if d.dtype == nil || d.space == nil {
		return nil, binfmt.Errorf(o.addr, "dataset object header", "missing datatype or dataspace message")
	}
	if d.layout == nil {
		return nil, binfmt.Errorf(o.addr, "dataset object header", "missing data layout message")
	}
	if d.layout.Class == object.LayoutVirtual {
		d.vds = new(vdsState)
	}
	if d.pipeline != nil {
		for _, fl := range d.pipeline.Filters {
			d.fpipe = append(d.fpipe, filters.Stage{ID: fl.ID, Name: fl.Name, Optional: fl.Flags&1 != 0, Params: fl.ClientData})
		}
	}
	return d, nil
}

// Datatype returns the element type.
func (d *Dataset) Datatype() *Datatype { return d.dtype }

// Dataspace returns the dataspace. For a virtual dataset with unlimited
// mappings its dimensions are the extent libhdf5 computes from the sources.
func (d *Dataset) Dataspace() *Dataspace { return d.effSpace() }

// Shape returns the current dimensions; nil for a scalar or null dataspace.
// For a virtual dataset with unlimited mappings it is the extent libhdf5
// computes from the sources (see Dataspace).
func (d *Dataset) Shape() []uint64 { return d.effSpace().Dims }

// MaxShape returns the maximum dimensions (Unlimited for unlimited ones). When
// the file stores none they equal the current dimensions.
func (d *Dataset) MaxShape() []uint64 {
	if d.space.MaxDims != nil {
		return d.space.MaxDims
	}
	return d.space.Dims
}

// Layout returns the storage layout class.
func (d *Dataset) Layout() LayoutClass { return d.layout.Class }

// ChunkShape returns the chunk dimensions of a chunked dataset (without the
// element-size dimension that old layout messages carry), or nil.
func (d *Dataset) ChunkShape() []uint64 {
	if d.layout.Class != 2 {
		return nil
	}
	dims := d.layout.ChunkDims
	if len(dims) == 0 {
		return nil
	}
	// The stored dimensionality carries the element size as a last dimension.
	return dims[: len(dims)-1 : len(dims)-1]
}

// ChunkIndexType returns the chunk index structure of a chunked dataset.
func (d *Dataset) ChunkIndexType() ChunkIndexType {
	if d.layout.Class != 2 {
		return IndexNone
	}
	if d.layout.Version < 4 {
		return IndexBTreeV1
	}
	switch uint8(d.layout.IndexType) {
	case 1:
		return IndexSingle
	case 2:
		return IndexImplicit
	case 3:
		return IndexFixedArray
	case 4:
		return IndexExtensibleArray
	case 5:
		return IndexBTreeV2
	}
	return IndexNone
}

// Filters returns the filter pipeline, in the order the filters were applied
// when writing.
func (d *Dataset) Filters() []FilterInfo {
	if d.pipeline == nil {
		return nil
	}
	out := make([]FilterInfo, len(d.pipeline.Filters))
	for i, fl := range d.pipeline.Filters {
		name := fl.Name
		if name == "" {
			name = filters.KnownName(fl.ID)
		}
		out[i] = FilterInfo{ID: fl.ID, Name: name, Flags: fl.Flags, Optional: fl.Flags&1 != 0, Params: fl.ClientData}
	}
	return out
}
