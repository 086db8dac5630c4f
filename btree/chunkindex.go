package btree

import (
	"iter"

	"github.com/goh5/goh5/internal/binfmt"
)

// ChunkInfo locates one stored chunk of a chunked dataset.
type ChunkInfo struct {
	// Addr is the chunk's file address. Undef means the chunk was never
	// written (an index may list unallocated slots); it reads as fill.
	Addr uint64
	// Size is the stored (filtered) size in bytes.
	Size uint64
	// FilterMask has bit i set when pipeline stage i was skipped for this chunk.
	FilterMask uint32
	// Offset is the element coordinates of the chunk's first element, one per
	// dataset dimension (rank values; never the element-size dimension).
	Offset []uint64
}

// ChunkIndex finds the chunks of one chunked dataset. Every index type of
// the data layout message (Spec 3.0, IV.A.2.i "Data Layout Message", layout
// version 4 "Chunk Indexing Type", and version 1-3's v1 B-tree) implements it.
// Implementations are safe for concurrent use.
type ChunkIndex interface {
	// Lookup returns the chunk whose first element is at offset (element
	// coordinates, a multiple of the chunk dims). ok is false when the chunk
	// was never written.
	Lookup(offset []uint64) (info ChunkInfo, ok bool, err error)
	// Chunks yields every stored chunk, in file-index order, then stops.
	// An error is yielded once and ends the walk.
	Chunks() iter.Seq2[ChunkInfo, error]
}

// ChunkParams describes a chunked dataset to OpenChunkIndex.
type ChunkParams struct {
	Src *binfmt.Source
	// LayoutVersion is the data layout message version (1-4).
	LayoutVersion uint8
	// IndexType is the layout v4 chunk indexing type: 1 single chunk,
	// 2 implicit, 3 fixed array, 4 extensible array, 5 v2 B-tree. It is
	// ignored (v1 B-tree) for layout versions 1-3.
	IndexType uint8
	// IndexAddr is the address of the index structure (the B-tree, array
	// header, or for single/implicit the chunk or first chunk address).
	IndexAddr uint64
	// Dims and MaxDims are the dataset's current and maximum dimensions.
	Dims, MaxDims []uint64
	// ChunkDims are the chunk dimensions, rank values (no element-size dim).
	ChunkDims []uint64
	// ElemSize is the datatype size in bytes.
	ElemSize uint32
	// Filtered reports that the dataset has a filter pipeline.
	Filtered bool
	// SingleSize and SingleMask are the filtered size and filter mask of a
	// filtered single-chunk index (layout v4 flags bit 1).
	SingleSize uint64
	SingleMask uint32
	// Index-type parameters of the layout v4 message.
	FAPageBits                                                     uint8  // fixed array
	EAMaxBits, EAIndexElems, EAMinPointers, EAMinElems, EAPageBits uint8  // extensible array
	BT2NodeSize                                                    uint32 // v2 B-tree
	BT2SplitPercent, BT2MergePercent                               uint8
}
