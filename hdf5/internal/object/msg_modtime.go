package object

import (
	"time"

	"github.com/goh5/goh5/internal/binfmt"
)

// ModTime is an object modification time, from either the old or the new
// message.
//
// Spec 3.0, IV.A.2.o "The Object Modification Time (Old) Message"
// (H5.format.html#OldModificationTimeMessage): "YYYYMMDDHHMMSS" in ASCII
// (14 bytes, UTC) plus 2 reserved bytes.
//
// Spec 3.0, IV.A.2.s "The Object Modification Time Message"
// (H5.format.html#ModificationTimeMessage): Version 1 | Reserved (3) |
// Seconds After UNIX Epoch (4).
type ModTime struct {
	Old     bool  // from the old message (type 14)
	Version uint8 // version of the new message; 0 for the old one
	Seconds int64 // seconds since 1970-01-01 UTC
}

// Time returns the modification time.
func (m *ModTime) Time() time.Time { return time.Unix(m.Seconds, 0).UTC() }

func decodeModTime(b []byte, sizes binfmt.Sizes, addr uint64) (*ModTime, error) {
	c := binfmt.NewCursor(b, sizes, addr, "modification time message")
	m := &ModTime{Version: c.Version(1)}
	c.Skip(3)
	m.Seconds = int64(c.Uint32())
	if err := c.Err(); err != nil {
		return nil, err
	}
	return m, nil
}

func decodeModTimeOld(b []byte, sizes binfmt.Sizes, addr uint64) (*ModTime, error) {
	c := binfmt.NewCursor(b, sizes, addr, "modification time (old) message")
	s := c.Bytes(14)
	if err := c.Err(); err != nil {
		return nil, err
	}
	t, err := time.Parse("20060102150405", string(s))
	if err != nil {
		return nil, binfmt.Wrap(addr, "modification time (old) message", err, "bad time %q", s)
	}
	return &ModTime{Old: true, Seconds: t.Unix()}, nil
}
