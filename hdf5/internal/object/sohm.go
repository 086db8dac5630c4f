package object

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// SOHM index types.
const (
	SOHMIndexList  = 0 // the index is a list ("SMLI")
	SOHMIndexBTree = 1 // the index is a v2 B-tree of type 7 records
)

// maxSOHMIndexes is libhdf5's H5O_SHMESG_MAX_NINDEXES.
const maxSOHMIndexes = 8

// SOHMIndex is one index of the shared object header message table.
type SOHMIndex struct {
	Version   uint8
	IndexType uint8 // SOHMIndexList or SOHMIndexBTree
	// MessageTypes has bit n set when messages of type n are shared through
	// this index (dataspace 1, datatype 3, fill value 5, filter pipeline 11,
	// attribute 12).
	MessageTypes   uint16
	MinMessageSize uint32 // smaller messages are not shared
	ListMax        uint16 // more messages than this turn the list into a B-tree
	BTreeMin       uint16 // fewer messages than this turn the B-tree into a list
	NumMessages    uint16 // messages currently shared through this index
	IndexAddr      uint64 // the "SMLI" list or the v2 B-tree header
	HeapAddr       uint64 // fractal heap holding the shared messages
}

// Holds reports whether messages of type t are shared through this index.
func (ix *SOHMIndex) Holds(t MsgType) bool {
	return t < 16 && ix.MessageTypes&(1<<t) != 0
}

// ReadSOHMTable reads the shared object header message table at addr, whose
// number of indexes comes from the superblock extension's shared message
// table message (SOHMTable.NumIndexes).
// Spec 3.0, III.F "Shared Object Header Message Table" (H5.format.html#SOHMTable).
//
//	Signature "SMTB", then per index:
//	  Version 0 | Index Type | Message Type Flags (2) | Minimum Message Size (4) |
//	  List Cutoff (2) | v2 B-tree Cutoff (2) | Number of Messages (2) |
//	  Index Address | Fractal Heap Address
//	Checksum (4)
func ReadSOHMTable(src *binfmt.Source, addr uint64, nindexes int) ([]SOHMIndex, error) {
	const what = "shared object header message table"
	if nindexes <= 0 || nindexes > maxSOHMIndexes {
		return nil, binfmt.Errorf(addr, what, "bad number of indexes %d", nindexes)
	}
	entry := uint64(14 + 2*src.Sizes.Offsets)
	size := 4 + uint64(nindexes)*entry + 4
	c, err := src.Cursor(addr, size, what)
	if err != nil {
		return nil, err
	}
	c.Signature("SMTB")
	out := make([]SOHMIndex, nindexes)
	for i := range out {
		ix := &out[i]
		ix.Version = c.Version(0)
		ix.IndexType = c.Uint8()
		if c.Err() == nil && ix.IndexType > SOHMIndexBTree {
			c.Failf("unknown index type %d", ix.IndexType)
		}
		ix.MessageTypes = c.Uint16()
		ix.MinMessageSize = c.Uint32()
		ix.ListMax = c.Uint16()
		ix.BTreeMin = c.Uint16()
		ix.NumMessages = c.Uint16()
		ix.IndexAddr = c.Offset()
		ix.HeapAddr = c.Offset()
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// SOHM message locations.
const (
	SOHMInHeap   = 0
	SOHMInHeader = 1
)

// SOHMEntry is one record of a shared message index: a list entry or a
// version 2 B-tree type 7 record (the encodings are the same).
// Spec 3.0, III.F "Shared Object Header Message List" and III.A.2 "Version 2
// B-trees", record type 7 (H5.format.html#SOHMList, H5.format.html#V2Btrees).
//
//	Message Location (1) | Hash (4), then
//	  in the heap (0):          Reference Count (4) | Fractal Heap ID (8)
//	  in an object header (1):  Reserved (1) | Message Type (1) | Object Header Index (2) | Object Header Address
type SOHMEntry struct {
	InHeap   bool
	Hash     uint32
	RefCount uint32 // in the heap
	HeapID   []byte // in the heap: 8-byte fractal heap ID
	MsgType  uint8  // in an object header
	MsgIndex uint16 // in an object header: index of the message among those of its type
	ObjAddr  uint64 // in an object header
}

// SOHMEntrySize returns the encoded size of an SOHMEntry: 1 + 4 + the larger
// of the two location encodings (12, or 4 + size of offsets).
func SOHMEntrySize(sizes binfmt.Sizes) int {
	return 5 + max(12, 4+sizes.Offsets)
}

// DecodeSOHMEntry decodes one shared message record from the start of b.
func DecodeSOHMEntry(b []byte, sizes binfmt.Sizes, addr uint64) (SOHMEntry, error) {
	c := binfmt.NewCursor(b, sizes, addr, "shared message record")
	var e SOHMEntry
	loc := c.Uint8()
	e.Hash = c.Uint32()
	switch loc {
	case SOHMInHeap:
		e.InHeap = true
		e.RefCount = c.Uint32()
		e.HeapID = c.Bytes(8)
	case SOHMInHeader:
		c.Skip(1)
		e.MsgType = c.Uint8()
		e.MsgIndex = c.Uint16()
		e.ObjAddr = c.Offset()
	default:
		if c.Err() == nil {
			c.Failf("unknown message location %d", loc)
		}
	}
	if err := c.Err(); err != nil {
		return SOHMEntry{}, err
	}
	return e, nil
}

// ReadSOHMList reads a shared message list index at addr holding nentries
// entries (SOHMIndex.NumMessages).
// Spec 3.0, III.F "Shared Object Header Message List" (H5.format.html#SOHMList).
//
//	Signature "SMLI" | nentries records (SOHMEntrySize bytes each) | Checksum (4)
//
// As libhdf5 writes it, the checksum follows the used entries and covers the
// signature and those entries; the block on disk is sized for ListMax
// entries.
func ReadSOHMList(src *binfmt.Source, addr uint64, nentries int) ([]SOHMEntry, error) {
	const what = "shared object header message list"
	if nentries < 0 || nentries > 65535 {
		return nil, binfmt.Errorf(addr, what, "bad number of entries %d", nentries)
	}
	es := SOHMEntrySize(src.Sizes)
	size := 4 + uint64(nentries)*uint64(es) + 4
	c, err := src.Cursor(addr, size, what)
	if err != nil {
		return nil, err
	}
	c.Signature("SMLI")
	raw := c.Bytes(nentries * es)
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	out := make([]SOHMEntry, nentries)
	for i := range out {
		at := addr + 4 + uint64(i*es)
		out[i], err = DecodeSOHMEntry(raw[i*es:(i+1)*es], src.Sizes, at)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
