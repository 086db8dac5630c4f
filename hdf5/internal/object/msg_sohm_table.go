package object

import "github.com/goh5/goh5/internal/binfmt"

// SOHMTable is the shared message table message of a superblock extension:
// where the shared object header message table is and how many indexes it
// has (see ReadSOHMTable).
// Spec 3.0, IV.A.2.p "The Shared Message Table Message" (H5.format.html#SOHMTableMessage).
//
//	Version 0 | Shared Object Header Message Table Address | Number of Indices (1)
type SOHMTable struct {
	Version    uint8
	Addr       uint64
	NumIndexes uint8
}

func decodeSOHMTableMsg(b []byte, sizes binfmt.Sizes, addr uint64) (*SOHMTable, error) {
	c := binfmt.NewCursor(b, sizes, addr, "shared message table message")
	t := &SOHMTable{Version: c.Version(0)}
	t.Addr = c.Offset()
	t.NumIndexes = c.Uint8()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return t, nil
}
