package object

import "github.com/goh5/goh5/internal/binfmt"

// Defaults libhdf5 uses when a group info message does not store them.
const (
	DefaultMaxCompactLinks = 8
	DefaultMinDenseLinks   = 6
	DefaultEstEntries      = 4
	DefaultEstNameLen      = 8
)

// GroupInfo is the group info message of a new-style group.
// Spec 3.0, IV.A.2.k "The Group Info Message" (H5.format.html#GroupInfoMessage).
//
//	Version 0 | Flags
//	Link Phase Change: Maximum Compact Value, Minimum Dense Value (2 each, flags bit 0)
//	Estimated Number of Entries, Estimated Link Name Length (2 each, flags bit 1)
type GroupInfo struct {
	Version    uint8
	Flags      uint8
	MaxCompact uint16 // stored or DefaultMaxCompactLinks
	MinDense   uint16 // stored or DefaultMinDenseLinks
	EstEntries uint16 // stored or DefaultEstEntries
	EstNameLen uint16 // stored or DefaultEstNameLen
}

func decodeGroupInfo(b []byte, sizes binfmt.Sizes, addr uint64) (*GroupInfo, error) {
	c := binfmt.NewCursor(b, sizes, addr, "group info message")
	g := &GroupInfo{Version: c.Version(0), MaxCompact: DefaultMaxCompactLinks, MinDense: DefaultMinDenseLinks,
		EstEntries: DefaultEstEntries, EstNameLen: DefaultEstNameLen}
	g.Flags = c.Uint8()
	if g.Flags&^3 != 0 {
		c.Failf("unknown flags 0x%02x", g.Flags)
	}
	if g.Flags&1 != 0 {
		g.MaxCompact, g.MinDense = c.Uint16(), c.Uint16()
	}
	if g.Flags&2 != 0 {
		g.EstEntries, g.EstNameLen = c.Uint16(), c.Uint16()
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return g, nil
}
