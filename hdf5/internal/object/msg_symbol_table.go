package object

import "github.com/goh5/goh5/internal/binfmt"

// SymbolTable is the symbol table message of an old-style group.
// Spec 3.0, IV.A.2.r "The Symbol Table Message" (H5.format.html#SymbolTableMessage).
//
//	v1 B-tree Address | Local Heap Address
type SymbolTable struct {
	BTreeAddr uint64
	HeapAddr  uint64
}

func decodeSymbolTable(b []byte, sizes binfmt.Sizes, addr uint64) (*SymbolTable, error) {
	c := binfmt.NewCursor(b, sizes, addr, "symbol table message")
	s := &SymbolTable{BTreeAddr: c.Offset(), HeapAddr: c.Offset()}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return s, nil
}
