package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// LayoutClass is a data layout class.
type LayoutClass uint8

// Layout classes.
const (
	LayoutCompact    LayoutClass = 0
	LayoutContiguous LayoutClass = 1
	LayoutChunked    LayoutClass = 2
	LayoutVirtual    LayoutClass = 3
)

func (c LayoutClass) String() string {
	switch c {
	case LayoutCompact:
		return "compact"
	case LayoutContiguous:
		return "contiguous"
	case LayoutChunked:
		return "chunked"
	case LayoutVirtual:
		return "virtual"
	}
	return "unknown layout"
}

// ChunkIndexType is the chunk indexing type of a version 4 chunked layout.
type ChunkIndexType uint8

// Chunk indexing types. IndexBTreeV1 is what layout versions 1-3 use; it has
// no number on disk.
const (
	IndexBTreeV1         ChunkIndexType = 0
	IndexSingleChunk     ChunkIndexType = 1
	IndexImplicit        ChunkIndexType = 2
	IndexFixedArray      ChunkIndexType = 3
	IndexExtensibleArray ChunkIndexType = 4
	IndexBTreeV2         ChunkIndexType = 5
)

// Version 4 chunked layout flags.
const (
	LayoutDontFilterPartialEdgeChunks = 0x01
	LayoutSingleIndexWithFilter       = 0x02
)

// maxLayoutDims is libhdf5's H5O_LAYOUT_NDIMS: 32 dataspace dimensions plus
// the element-size dimension.
const maxLayoutDims = 33

// Layout is the data layout message.
// Spec 3.0, IV.A.2.i "The Data Storage - Layout Message" (H5.format.html#LayoutMessage).
//
//	Versions 1, 2: Version | Dimensionality | Layout Class | Reserved (5)
//	               Data Address (not compact) | Dimension sizes (4 each)
//	               Compact Data Size (4) and Compact Data (compact only)
//	Version 3:     Version | Layout Class | Properties
//	Version 4:     as version 3, plus the chunk indexing fields and virtual storage
//
// For chunked layouts of every version, ChunkDims holds the stored
// dimensionality, which is the dataset rank plus one: the last dimension is
// the dataset element size in bytes, as libhdf5 stores it.
type Layout struct {
	Version uint8
	Class   LayoutClass

	// Compact: the raw data.
	CompactData []byte

	// Contiguous: address and size of the data (Size is only stored by
	// versions 3 and 4; versions 1 and 2 leave it 0, the caller computes it
	// from the dataspace and datatype). Addr is Undef when not allocated.
	Addr uint64
	Size uint64

	// Dims is the dimension list stored by versions 1 and 2 for compact and
	// contiguous layouts.
	Dims []uint64

	// Chunked.
	ChunkFlags   uint8    // version 4: Layout* flags
	ChunkDims    []uint64 // rank+1 values, the last is the element size
	DimSizeBytes uint8    // version 4: bytes per stored chunk dimension
	IndexType    ChunkIndexType
	IndexAddr    uint64 // B-tree, array header, or the single chunk's address; Undef when not allocated
	// Single chunk with LayoutSingleIndexWithFilter:
	FilteredSize uint64
	FilterMask   uint32
	// Fixed array:
	FAPageBits uint8
	// Extensible array:
	EAMaxBits, EAIndexElements, EAMinPointers, EAMinElements, EAPageBits uint8
	// Version 2 B-tree:
	BT2NodeSize        uint32
	BT2Split, BT2Merge uint8

	// Virtual: the global heap object holding the mappings.
	HeapAddr  uint64
	HeapIndex uint32
}

// Rank returns the dataset rank of a chunked layout (len(ChunkDims)-1).
func (l *Layout) Rank() int {
	if len(l.ChunkDims) == 0 {
		return 0
	}
	return len(l.ChunkDims) - 1
}

// ElementSize returns the element size stored as the last chunk dimension
// of a chunked layout, or 0.
func (l *Layout) ElementSize() uint64 {
	if len(l.ChunkDims) == 0 {
		return 0
	}
	return l.ChunkDims[len(l.ChunkDims)-1]
}

func decodeLayout(b []byte, sizes binfmt.Sizes, addr uint64) (*Layout, error) {
	c := binfmt.NewCursor(b, sizes, addr, "data layout message")
	l := &Layout{Version: c.Version(1, 2, 3, 4), Addr: binfmt.Undef, IndexAddr: binfmt.Undef, HeapAddr: binfmt.Undef}
	if err := c.Err(); err != nil {
		return nil, err
	}
	if l.Version < 3 {
		decodeLayoutV1(c, l)
	} else {
		decodeLayoutV3(c, l)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

func decodeLayoutV1(c *binfmt.Cursor, l *Layout) {
	ndims := int(c.Uint8())
	l.Class = LayoutClass(c.Uint8())
	c.Skip(5)
	if c.Err() != nil {
		return
	}
	if ndims == 0 || ndims > maxLayoutDims {
		c.Failf("bad dimensionality %d", ndims)
		return
	}
	switch l.Class {
	case LayoutContiguous:
		l.Addr = c.Offset()
	case LayoutChunked:
		l.IndexAddr = c.Offset()
	case LayoutCompact:
	default:
		c.Failf("bad layout class %d for version %d", l.Class, l.Version)
		return
	}
	dims := make([]uint64, ndims)
	for i := range dims {
		dims[i] = uint64(c.Uint32())
	}
	if l.Class == LayoutChunked {
		l.ChunkDims = dims
		checkChunkDims(c, dims)
	} else {
		l.Dims = dims
	}
	if l.Class == LayoutCompact {
		n := c.Uint32()
		if c.Err() == nil && uint64(n) > uint64(c.Len()) {
			c.Failf("compact data of %d bytes in a %d-byte message", n, len(c.Buf()))
			return
		}
		l.CompactData = c.Bytes(int(n))
	}
}

func checkChunkDims(c *binfmt.Cursor, dims []uint64) {
	for i, d := range dims {
		if d == 0 && c.Err() == nil {
			c.Failf("chunk dimension %d is zero", i)
		}
	}
}

func decodeLayoutV3(c *binfmt.Cursor, l *Layout) {
	l.Class = LayoutClass(c.Uint8())
	switch l.Class {
	case LayoutCompact:
		n := int(c.Uint16())
		l.CompactData = c.Bytes(n)
	case LayoutContiguous:
		l.Addr = c.Offset()
		l.Size = c.Length()
	case LayoutChunked:
		if l.Version == 3 {
			l.IndexType = IndexBTreeV1
			ndims := int(c.Uint8())
			if c.Err() == nil && (ndims == 0 || ndims > maxLayoutDims) {
				c.Failf("bad dimensionality %d", ndims)
				return
			}
			l.IndexAddr = c.Offset()
			l.ChunkDims = make([]uint64, ndims)
			for i := range l.ChunkDims {
				l.ChunkDims[i] = uint64(c.Uint32())
			}
			checkChunkDims(c, l.ChunkDims)
			return
		}
		decodeLayoutChunkedV4(c, l)
	case LayoutVirtual:
		if l.Version < 4 {
			c.Failf("virtual layout in a version %d message", l.Version)
			return
		}
		l.HeapAddr = c.Offset()
		l.HeapIndex = c.Uint32()
	default:
		c.Failf("bad layout class %d", l.Class)
	}
}

// decodeLayoutChunkedV4 decodes the version 4 chunked properties:
//
//	Flags | Dimensionality | Dimension Size Encoded Length | Dimension sizes
//	Chunk Indexing Type | Indexing Type Information | Address
func decodeLayoutChunkedV4(c *binfmt.Cursor, l *Layout) {
	l.ChunkFlags = c.Uint8()
	if l.ChunkFlags&^(LayoutDontFilterPartialEdgeChunks|LayoutSingleIndexWithFilter) != 0 {
		c.Failf("unknown chunked layout flags 0x%02x", l.ChunkFlags)
		return
	}
	ndims := int(c.Uint8())
	if c.Err() == nil && (ndims == 0 || ndims > maxLayoutDims) {
		c.Failf("bad dimensionality %d", ndims)
		return
	}
	l.DimSizeBytes = c.Uint8()
	if c.Err() == nil && (l.DimSizeBytes == 0 || l.DimSizeBytes > 8) {
		c.Failf("bad dimension size encoded length %d", l.DimSizeBytes)
		return
	}
	if c.Err() != nil {
		return
	}
	l.ChunkDims = make([]uint64, ndims)
	for i := range l.ChunkDims {
		l.ChunkDims[i] = c.UintN(int(l.DimSizeBytes))
	}
	checkChunkDims(c, l.ChunkDims)
	l.IndexType = ChunkIndexType(c.Uint8())
	switch l.IndexType {
	case IndexSingleChunk:
		if l.ChunkFlags&LayoutSingleIndexWithFilter != 0 {
			l.FilteredSize = c.Length()
			l.FilterMask = c.Uint32()
		}
	case IndexImplicit:
	case IndexFixedArray:
		l.FAPageBits = c.Uint8()
		if c.Err() == nil && l.FAPageBits == 0 {
			c.Failf("fixed array page bits 0")
		}
	case IndexExtensibleArray:
		l.EAMaxBits = c.Uint8()
		l.EAIndexElements = c.Uint8()
		l.EAMinPointers = c.Uint8()
		l.EAMinElements = c.Uint8()
		l.EAPageBits = c.Uint8()
		if c.Err() == nil && (l.EAMaxBits == 0 || l.EAIndexElements == 0 || l.EAMinPointers == 0 || l.EAMinElements == 0 || l.EAPageBits == 0) {
			c.Failf("zero extensible array parameter")
		}
	case IndexBTreeV2:
		l.BT2NodeSize = c.Uint32()
		l.BT2Split = c.Uint8()
		l.BT2Merge = c.Uint8()
		if c.Err() == nil && (l.BT2NodeSize == 0 || l.BT2Split == 0 || l.BT2Merge == 0 || l.BT2Split > 100 || l.BT2Merge > 100) {
			c.Failf("bad v2 B-tree parameters")
		}
	default:
		c.Failf("unknown chunk indexing type %d", l.IndexType)
		return
	}
	if l.ChunkFlags&LayoutSingleIndexWithFilter != 0 && l.IndexType != IndexSingleChunk {
		c.Failf("single-index-with-filter flag on index type %d", l.IndexType)
	}
	l.IndexAddr = c.Offset()
}
