package object

import "github.com/goh5/goh5/internal/binfmt"

// BTreeK holds the v1 B-tree 'K' values of a superblock extension.
// Spec 3.0, IV.A.2.t "The B-tree 'K' Values Message" (H5.format.html#BtreeKValuesMessage).
//
//	Version 0 | Indexed Storage Internal Node K (2) | Group Internal Node K (2) | Group Leaf Node K (2)
type BTreeK struct {
	Version         uint8
	IndexedStorageK uint16
	GroupInternalK  uint16
	GroupLeafK      uint16
}

func decodeBTreeK(b []byte, sizes binfmt.Sizes, addr uint64) (*BTreeK, error) {
	c := binfmt.NewCursor(b, sizes, addr, "B-tree 'K' values message")
	k := &BTreeK{Version: c.Version(0)}
	k.IndexedStorageK, k.GroupInternalK, k.GroupLeafK = c.Uint16(), c.Uint16(), c.Uint16()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return k, nil
}
