package btree

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// Record decoders for the version 2 B-tree record types.
// Spec 3.0, III.A.2 "Version 2 B-trees", record layouts of types 1 to 11
// (H5.format.html#V2Btrees). Each takes one raw record as returned by
// V2.Records or V2.Search; the record may be longer than the fields decoded
// (libhdf5 sizes type 7 records for the larger of its two layouts).

// Heap ID lengths fixed by the record layouts.
const (
	LinkHeapIDLen = 7 // types 5 and 6: fractal heap ID of the link message
	AttrHeapIDLen = 8 // types 8 and 9: fractal heap ID of the attribute message
	SOHMHeapIDLen = 8 // type 7: fractal heap ID of the shared message
)

// HugeObjectRecord is a record of types 1 to 4, a fractal heap's huge object.
// Length is the stored (filtered) size; MemSize (filtered types 2 and 4) the
// size after the filters are undone; ID (indirect types 1 and 2) the heap ID
// the object is known by.
type HugeObjectRecord struct {
	Addr, Length uint64
	FilterMask   uint32
	MemSize      uint64
	ID           uint64
}

// DecodeHugeObject decodes a type 1-4 record.
func DecodeHugeObject(rec []byte, typ uint8, sizes binfmt.Sizes) (HugeObjectRecord, error) {
	c := binfmt.NewCursor(rec, sizes, 0, "v2 B-tree huge object record")
	var r HugeObjectRecord
	r.Addr = c.Offset()
	r.Length = c.Length()
	switch typ {
	case V2HugeIndirect:
		r.ID = c.Length()
	case V2HugeIndirectFiltered:
		r.FilterMask = c.Uint32()
		r.MemSize = c.Length()
		r.ID = c.Length()
	case V2HugeDirect:
	case V2HugeDirectFiltered:
		r.FilterMask = c.Uint32()
		r.MemSize = c.Length()
	default:
		c.Failf("record type %d is not a huge object type (1-4)", typ)
	}
	if err := c.Err(); err != nil {
		return HugeObjectRecord{}, err
	}
	return r, nil
}

// LinkNameRecord is a type 5 record: a link indexed by the lookup3 hash of
// its name.
type LinkNameRecord struct {
	Hash   uint32
	HeapID []byte // 7 bytes
}

// DecodeLinkName decodes a type 5 record.
func DecodeLinkName(rec []byte) (LinkNameRecord, error) {
	c := binfmt.NewCursor(rec, binfmt.Sizes{}, 0, "v2 B-tree link name record")
	var r LinkNameRecord
	r.Hash = c.Uint32()
	r.HeapID = c.Bytes(LinkHeapIDLen)
	if err := c.Err(); err != nil {
		return LinkNameRecord{}, err
	}
	return r, nil
}

// LinkOrderRecord is a type 6 record: a link indexed by creation order.
type LinkOrderRecord struct {
	Order  uint64
	HeapID []byte // 7 bytes
}

// DecodeLinkOrder decodes a type 6 record.
func DecodeLinkOrder(rec []byte) (LinkOrderRecord, error) {
	c := binfmt.NewCursor(rec, binfmt.Sizes{}, 0, "v2 B-tree link creation order record")
	var r LinkOrderRecord
	r.Order = c.Uint64()
	r.HeapID = c.Bytes(LinkHeapIDLen)
	if err := c.Err(); err != nil {
		return LinkOrderRecord{}, err
	}
	return r, nil
}

// SharedMsgRecord is a type 7 record, one shared object header message of a
// shared message index. A message in the index's fractal heap (InHeap) has a
// reference count and heap ID; one left in an object header has its type,
// its index among that header's messages, and the header address.
type SharedMsgRecord struct {
	InHeap   bool
	Hash     uint32
	RefCount uint32
	HeapID   []byte
	MsgType  uint8
	MsgIndex uint16
	ObjAddr  uint64
}

// DecodeSharedMsg decodes a type 7 record. The location byte is 0 for "in the
// heap" and 1 for "in an object header" (libhdf5's H5SM_IN_HEAP, H5SM_IN_OH).
func DecodeSharedMsg(rec []byte, sizes binfmt.Sizes) (SharedMsgRecord, error) {
	c := binfmt.NewCursor(rec, sizes, 0, "v2 B-tree shared message record")
	var r SharedMsgRecord
	loc := c.Uint8()
	r.Hash = c.Uint32()
	switch loc {
	case 0:
		r.InHeap = true
		r.RefCount = c.Uint32()
		r.HeapID = c.Bytes(SOHMHeapIDLen)
	case 1:
		c.Skip(1) // reserved
		r.MsgType = c.Uint8()
		r.MsgIndex = c.Uint16()
		r.ObjAddr = c.Offset()
	default:
		c.Failf("message location %d, want 0 (heap) or 1 (object header)", loc)
	}
	if err := c.Err(); err != nil {
		return SharedMsgRecord{}, err
	}
	return r, nil
}

// AttrNameRecord is a type 8 record: an attribute indexed by the lookup3
// hash of its name.
type AttrNameRecord struct {
	HeapID        []byte // 8 bytes
	Flags         uint8  // the attribute message's flags (bit 0: shared)
	CreationOrder uint32
	Hash          uint32
}

// DecodeAttrName decodes a type 8 record.
func DecodeAttrName(rec []byte) (AttrNameRecord, error) {
	c := binfmt.NewCursor(rec, binfmt.Sizes{}, 0, "v2 B-tree attribute name record")
	var r AttrNameRecord
	r.HeapID = c.Bytes(AttrHeapIDLen)
	r.Flags = c.Uint8()
	r.CreationOrder = c.Uint32()
	r.Hash = c.Uint32()
	if err := c.Err(); err != nil {
		return AttrNameRecord{}, err
	}
	return r, nil
}

// AttrOrderRecord is a type 9 record: an attribute indexed by creation order.
type AttrOrderRecord struct {
	HeapID        []byte // 8 bytes
	Flags         uint8
	CreationOrder uint32
}

// DecodeAttrOrder decodes a type 9 record.
func DecodeAttrOrder(rec []byte) (AttrOrderRecord, error) {
	c := binfmt.NewCursor(rec, binfmt.Sizes{}, 0, "v2 B-tree attribute creation order record")
	var r AttrOrderRecord
	r.HeapID = c.Bytes(AttrHeapIDLen)
	r.Flags = c.Uint8()
	r.CreationOrder = c.Uint32()
	if err := c.Err(); err != nil {
		return AttrOrderRecord{}, err
	}
	return r, nil
}

// ChunkRecord is a type 10 or 11 record: one chunk of a dataset indexed by a
// v2 B-tree. Scaled holds the chunk's coordinates in units of chunks (element
// offset divided by the chunk dimension), one per dataset dimension. Size and
// FilterMask are stored only by type 11; for type 10 Size is 0 and the chunk
// is the layout's full, unfiltered chunk size.
type ChunkRecord struct {
	Addr, Size uint64
	FilterMask uint32
	Scaled     []uint64
}

// DecodeChunkRecord decodes a type 10 or 11 record of a rank-dimensional
// dataset. chunkSizeLen is the width of the type 11 chunk size field, which
// libhdf5 derives from the unfiltered chunk size in bytes:
// 1 + (floor(log2(bytes)) + 8) / 8, at most 8.
func DecodeChunkRecord(rec []byte, typ uint8, rank int, chunkSizeLen int, sizes binfmt.Sizes) (ChunkRecord, error) {
	c := binfmt.NewCursor(rec, sizes, 0, "v2 B-tree chunk record")
	if rank < 1 || rank > MaxChunkDims-1 {
		return ChunkRecord{}, binfmt.Errorf(0, "v2 B-tree chunk record", "rank %d not in 1..%d", rank, MaxChunkDims-1)
	}
	var r ChunkRecord
	r.Addr = c.Offset()
	switch typ {
	case V2Chunk:
	case V2ChunkFiltered:
		if chunkSizeLen < 1 || chunkSizeLen > 8 {
			return ChunkRecord{}, binfmt.Errorf(0, "v2 B-tree chunk record", "chunk size field of %d bytes", chunkSizeLen)
		}
		r.Size = c.UintN(chunkSizeLen)
		r.FilterMask = c.Uint32()
	default:
		c.Failf("record type %d is not a chunk type (10, 11)", typ)
	}
	if c.Err() == nil && c.Len() < 8*rank {
		c.Failf("%d bytes left for %d scaled offsets", c.Len(), rank)
	}
	if err := c.Err(); err != nil {
		return ChunkRecord{}, err
	}
	r.Scaled = make([]uint64, rank)
	for i := range r.Scaled {
		r.Scaled[i] = c.Uint64()
	}
	if err := c.Err(); err != nil {
		return ChunkRecord{}, err
	}
	return r, nil
}
