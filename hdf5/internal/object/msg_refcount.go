package object

import "github.com/goh5/goh5/internal/binfmt"

// RefCount is the object reference count message of version 2 headers.
// Spec 3.0, IV.A.2.w "The Object Reference Count Message" (H5.format.html#RefCountMessage).
//
//	Version 0 | Reference count (4)
type RefCount struct {
	Version uint8
	Count   uint32
}

func decodeRefCount(b []byte, sizes binfmt.Sizes, addr uint64) (*RefCount, error) {
	c := binfmt.NewCursor(b, sizes, addr, "reference count message")
	r := &RefCount{Version: c.Version(0)}
	r.Count = c.Uint32()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return r, nil
}
