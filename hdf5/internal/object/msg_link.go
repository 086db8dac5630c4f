package object

import (
	"bytes"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Link types (libhdf5 H5L_type_t).
const (
	LinkHard     = 0
	LinkSoft     = 1
	LinkExternal = 64
	linkUDMin    = 64 // user-defined link types are 64..255
)

// Link is a link message: one link of a new-style group.
// Spec 3.0, IV.A.2.g "The Link Message" (H5.format.html#LinkMessage).
//
//	Version 1 | Flags | Link Type (flags bit 3) | Creation Order (8, flags bit 2)
//	Link Name Character Set (flags bit 4) | Length of Link Name (1/2/4/8, flags bits 0-1)
//	Link Name (not null-terminated) | Link Information
//
// Link information is an address (hard), a 2-byte length and a path (soft),
// or a 2-byte length and opaque bytes (user-defined types 64..255). An
// external link's (type 64) bytes are a version/flags byte followed by the
// null-terminated file name and null-terminated object path.
type Link struct {
	Version          uint8
	Flags            uint8
	Type             uint8 // LinkHard, LinkSoft, LinkExternal or another user-defined type
	HasCreationOrder bool
	CreationOrder    int64
	CharSet          types.CharSet // of the name
	Name             string
	Addr             uint64 // hard links: object header address
	Target           string // soft links: the path
	Data             []byte // user-defined (incl. external) links: the raw link information
	ExtFlags         uint8  // external links: the version/flags byte (version in the high 4 bits)
	ExtFile          string // external links: file name
	ExtPath          string // external links: object path in that file
}

func decodeLink(b []byte, sizes binfmt.Sizes, addr uint64) (*Link, error) {
	c := binfmt.NewCursor(b, sizes, addr, "link message")
	l := &Link{Version: c.Version(1)}
	l.Flags = c.Uint8()
	if l.Flags&^0x1f != 0 {
		c.Failf("unknown flags 0x%02x", l.Flags)
	}
	if l.Flags&0x08 != 0 {
		l.Type = c.Uint8()
		if l.Type > LinkSoft && l.Type < linkUDMin {
			c.Failf("unknown link type %d", l.Type)
		}
	}
	if l.Flags&0x04 != 0 {
		l.HasCreationOrder = true
		l.CreationOrder = int64(c.Uint64())
	}
	if l.Flags&0x10 != 0 {
		cs := c.Uint8()
		if cs > 1 {
			c.Failf("unknown character set %d", cs)
		}
		l.CharSet = types.CharSet(cs)
	}
	n := c.UintN(1 << (l.Flags & 3))
	if c.Err() == nil && (n == 0 || n > uint64(c.Len())) {
		c.Failf("bad link name length %d", n)
	}
	l.Name = string(c.Bytes(int(n)))
	switch l.Type {
	case LinkHard:
		l.Addr = c.Offset()
	case LinkSoft:
		m := int(c.Uint16())
		l.Target = string(c.Bytes(m))
	default:
		m := int(c.Uint16())
		l.Data = c.Bytes(m)
		if l.Type == LinkExternal && c.Err() == nil {
			decodeExternalLink(c, l)
		}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return l, nil
}

// decodeExternalLink splits an external link's information into its
// version/flags byte, file name and object path (libhdf5 H5L__extern_query).
func decodeExternalLink(c *binfmt.Cursor, l *Link) {
	d := l.Data
	if len(d) < 1 {
		c.Failf("empty external link information")
		return
	}
	l.ExtFlags = d[0]
	if l.ExtFlags>>4 != 0 { // H5L_EXT_VERSION is 0
		c.Failf("unknown external link version %d", l.ExtFlags>>4)
		return
	}
	rest := d[1:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		c.Failf("external link file name not null-terminated")
		return
	}
	l.ExtFile = string(rest[:i])
	rest = rest[i+1:]
	if j := bytes.IndexByte(rest, 0); j >= 0 {
		rest = rest[:j]
	}
	l.ExtPath = string(rest)
}
