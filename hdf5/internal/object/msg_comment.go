package object

import (
	"bytes"

	"github.com/goh5/goh5/internal/binfmt"
)

// Comment is the object comment message.
// Spec 3.0, IV.A.2.n "The Object Comment Message" (H5.format.html#CommentMessage).
//
//	Comment: a null-terminated ASCII string
type Comment struct {
	Text string
}

func decodeComment(b []byte, _ binfmt.Sizes, addr uint64) (*Comment, error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		return nil, binfmt.Errorf(addr, "object comment message", "comment not null-terminated")
	}
	return &Comment{Text: string(b[:i])}, nil
}
