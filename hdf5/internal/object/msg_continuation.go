package object

import "github.com/goh5/goh5/internal/binfmt"

// Continuation points at the next chunk of an object header.
// Spec 3.0, IV.A.2.q "The Object Header Continuation Message" (H5.format.html#ContinuationMessage).
//
//	Offset | Length (size of lengths)
type Continuation struct {
	Addr   uint64
	Length uint64
}

func decodeContinuation(b []byte, sizes binfmt.Sizes, addr uint64) (*Continuation, error) {
	c := binfmt.NewCursor(b, sizes, addr, "continuation message")
	m := &Continuation{Addr: c.Offset(), Length: c.Length()}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return m, nil
}
