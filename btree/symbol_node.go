package btree

import (
	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/superblock"
)

// ReadSymbolNode reads the symbol table node ("SNOD") at addr and returns its
// entries, which are sorted by link name.
// Spec 3.0, III.B "Disk Format: Level 1B - Group Symbol Table Nodes"
// (H5.format.html#SymbolTableNode).
func ReadSymbolNode(src *binfmt.Source, addr uint64) ([]superblock.SymbolEntry, error) {
	const what = "symbol table node"
	c, err := src.Cursor(addr, 8, what)
	if err != nil {
		return nil, err
	}
	c.Signature("SNOD")
	c.Version(1)
	c.Skip(1)
	n := int(c.Uint16())
	if err := c.Err(); err != nil {
		return nil, err
	}
	esz := uint64(superblock.SymbolEntrySize(src.Sizes))
	c, err = src.Cursor(addr+8, esz*uint64(n), what) // bounded by the file size
	if err != nil {
		return nil, err
	}
	entries := make([]superblock.SymbolEntry, n)
	for i := range entries {
		entries[i] = superblock.DecodeSymbolEntry(c)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return entries, nil
}
