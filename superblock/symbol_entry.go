package superblock

import "github.com/goh5/goh5/internal/binfmt"

// Cache types of a symbol table entry's scratch-pad space.
const (
	CacheNone        = 0 // nothing cached
	CacheSymbolTable = 1 // the object is a group: B-tree and local heap addresses
	CacheSoftLink    = 2 // the entry is a symbolic link: offset of its value
)

// SymbolEntrySize returns the encoded size of a symbol table entry: the name
// offset (a length, as libhdf5's H5G_ent_decode reads it), the object address,
// the cache type, four reserved bytes and a 16-byte scratch pad.
func SymbolEntrySize(s binfmt.Sizes) int { return s.Lengths + s.Offsets + 24 }

// SymbolEntry is a symbol table entry.
// Spec 3.0, III.C "Disk Format: Level 1C - Symbol Table Entry"
// (H5.format.html#SymbolTableEntry).
type SymbolEntry struct {
	NameOffset uint64 // offset of the link name in the group's local heap (size of lengths)
	ObjAddr    uint64 // object header address
	CacheType  uint32
	// CacheType 1 (CacheSymbolTable): the group's v1 B-tree and local heap.
	BTreeAddr, HeapAddr uint64
	// CacheType 2 (CacheSoftLink): offset of the link value in the local heap.
	SoftLinkOffset uint32
}

// DecodeSymbolEntry decodes one symbol table entry at the cursor. Errors are
// kept in the cursor.
func DecodeSymbolEntry(c *binfmt.Cursor) SymbolEntry {
	var e SymbolEntry
	e.NameOffset = c.Length()
	e.ObjAddr = c.Offset()
	e.CacheType = c.Uint32()
	c.Skip(4)
	scratch := c.Bytes(16)
	if c.Err() != nil {
		return SymbolEntry{}
	}
	s := binfmt.NewCursor(scratch, c.Sizes(), c.Addr()-16, c.What())
	switch e.CacheType {
	case CacheSymbolTable:
		e.BTreeAddr = s.Offset()
		e.HeapAddr = s.Offset()
	case CacheSoftLink:
		e.SoftLinkOffset = s.Uint32()
	}
	if err := s.Err(); err != nil {
		c.Fail(err)
		return SymbolEntry{}
	}
	return e
}
