package h5s

import (
	"fmt"

	"github.com/goh5/goh5/internal/binfmt"
)

// SelType is a selection type as libhdf5 numbers it (H5S_sel_type).
type SelType uint32

// Selection types.
const (
	SelNone      SelType = 0
	SelPoints    SelType = 1
	SelHyperslab SelType = 2
	SelAll       SelType = 3
)

func (t SelType) String() string {
	switch t {
	case SelNone:
		return "none"
	case SelPoints:
		return "points"
	case SelHyperslab:
		return "hyperslab"
	case SelAll:
		return "all"
	}
	return fmt.Sprintf("selection type %d", uint32(t))
}

// Unlimited is H5S_UNLIMITED: a count or block of a regular hyperslab that
// extends to the end of the dimension, however large it grows.
const Unlimited = ^uint64(0)

// MaxRank is H5S_MAX_RANK, the largest rank libhdf5 allows.
const MaxRank = 32

// Selection is a decoded dataspace selection.
type Selection struct {
	Type    SelType
	Version uint32
	// Rank is the number of dimensions the selection was encoded with; 0
	// for "all" and "none", which do not store one.
	Rank int

	// Points holds a point selection's coordinates, in the stored order
	// (which is the order libhdf5 transfers them in).
	Points [][]uint64

	// Regular marks a hyperslab stored as start, stride, count and block per
	// dimension (versions 2 and 3 with the H5S_HYPER_REGULAR flag). Count or
	// Block may be Unlimited in at most one dimension.
	Regular                     bool
	Start, Stride, Count, Block []uint64

	// Blocks holds an irregular hyperslab's blocks: start and end
	// coordinates, both inclusive.
	Blocks [][2][]uint64
}

// Serialization constants (libhdf5 H5Spkg.h).
const (
	hyperRegular = 0x01 // H5S_HYPER_REGULAR
	what         = "serialized dataspace selection"
)

// Decode decodes a serialized selection at the start of b and returns it
// with the number of bytes it occupies. at is the file address of b, for
// error messages.
//
// The encoding (libhdf5 H5S_select_serialize; Spec 3.0, IV.B describes
// version 1 under "Dataset Region References") starts with the selection
// type (4 bytes), then per type:
//
//	none, all:     version (4) = 1, reserved (4), length (4)
//	points v1:     version (4) = 1, reserved (4), length (4), rank (4),
//	               count (4), count*rank coordinates (4 each)
//	points v2:     version (4) = 2, encoding size (1), rank (4), count,
//	               coordinates (encoding size each)
//	hyperslab v1:  version (4) = 1, reserved (4), length (4), rank (4),
//	               block count (4), per block rank start then rank end
//	               coordinates (4 each)
//	hyperslab v2:  version (4) = 2, flags (1), length (4), rank (4), then
//	               8-byte fields: start, stride, count, block per dimension
//	               when flags has H5S_HYPER_REGULAR, else a block count and
//	               blocks as in version 1
//	hyperslab v3:  version (4) = 3, flags (1), encoding size (1), rank (4),
//	               then fields of the encoding size, laid out as in version 2
func Decode(b []byte, at uint64) (*Selection, int, error) {
	c := binfmt.NewCursor(b, binfmt.Sizes{Offsets: 8, Lengths: 8}, at, what)
	s := &Selection{Type: SelType(c.Uint32())}
	s.Version = c.Uint32()
	if err := c.Err(); err != nil {
		return nil, 0, err
	}
	switch s.Type {
	case SelNone, SelAll:
		if s.Version != 1 {
			return nil, 0, binfmt.Unsupported(at, "%s selection version %d", s.Type, s.Version)
		}
		c.Skip(8)
	case SelPoints:
		decodePoints(c, s)
	case SelHyperslab:
		decodeHyperslab(c, s)
	default:
		return nil, 0, binfmt.Errorf(at, what, "unknown selection type %d", uint32(s.Type))
	}
	if err := c.Err(); err != nil {
		return nil, 0, err
	}
	return s, c.Pos(), nil
}

func encSize(c *binfmt.Cursor) int {
	e := int(c.Uint8())
	if c.Err() == nil && e != 2 && e != 4 && e != 8 {
		c.Failf("encoding size %d", e)
	}
	return e
}

func rank(c *binfmt.Cursor) int {
	r := c.Uint32()
	if c.Err() == nil && (r == 0 || r > MaxRank) {
		c.Failf("rank %d", r)
	}
	return int(r)
}

// need checks that n items of size bytes each remain in c before they are
// allocated.
func need(c *binfmt.Cursor, n uint64, size int) bool {
	if c.Err() != nil {
		return false
	}
	total, ok := binfmt.Mul(n, uint64(size))
	if !ok || total > uint64(c.Len()) {
		c.Failf("%d entries of %d bytes, only %d bytes left", n, size, c.Len())
		return false
	}
	return true
}

func decodePoints(c *binfmt.Cursor, s *Selection) {
	enc := 4
	switch s.Version {
	case 1:
		c.Skip(8) // reserved, length
	case 2:
		enc = encSize(c)
	default:
		c.Unsupportedf("point selection version %d", s.Version)
		return
	}
	s.Rank = rank(c)
	n := c.UintN(enc)
	if !need(c, n, s.Rank*enc) {
		return
	}
	s.Points = make([][]uint64, n)
	flat := make([]uint64, int(n)*s.Rank)
	for i := range s.Points {
		p := flat[i*s.Rank : (i+1)*s.Rank : (i+1)*s.Rank]
		for j := range p {
			p[j] = c.UintN(enc)
		}
		s.Points[i] = p
	}
}

func decodeHyperslab(c *binfmt.Cursor, s *Selection) {
	enc := 4
	var flags uint8
	switch s.Version {
	case 1:
		c.Skip(8) // reserved, length
	case 2:
		flags = c.Uint8()
		c.Skip(4) // length
		enc = 8
	case 3:
		flags = c.Uint8()
		enc = encSize(c)
	default:
		c.Unsupportedf("hyperslab selection version %d", s.Version)
		return
	}
	if c.Err() != nil {
		return
	}
	if flags&^hyperRegular != 0 {
		c.Failf("unknown hyperslab flags 0x%02x", flags)
		return
	}
	s.Rank = rank(c)
	if flags&hyperRegular != 0 {
		if s.Version < 2 {
			c.Failf("regular flag in version %d", s.Version)
			return
		}
		decodeRegular(c, s, enc)
		return
	}
	n := c.UintN(enc)
	if !need(c, n, 2*s.Rank*enc) {
		return
	}
	s.Blocks = make([][2][]uint64, n)
	flat := make([]uint64, 2*int(n)*s.Rank)
	for i := range s.Blocks {
		st := flat[2*i*s.Rank : (2*i+1)*s.Rank : (2*i+1)*s.Rank]
		en := flat[(2*i+1)*s.Rank : (2*i+2)*s.Rank : (2*i+2)*s.Rank]
		for j := range st {
			st[j] = c.UintN(enc)
		}
		for j := range en {
			en[j] = c.UintN(enc)
			if c.Err() == nil && en[j] < st[j] {
				c.Failf("block %d ends (%d) before it starts (%d) in dimension %d", i, en[j], st[j], j)
				return
			}
		}
		s.Blocks[i] = [2][]uint64{st, en}
	}
}

func decodeRegular(c *binfmt.Cursor, s *Selection, enc int) {
	if !need(c, uint64(s.Rank), 4*enc) {
		return
	}
	s.Regular = true
	s.Start, s.Stride = make([]uint64, s.Rank), make([]uint64, s.Rank)
	s.Count, s.Block = make([]uint64, s.Rank), make([]uint64, s.Rank)
	unlim := 0
	// A count or block of all ones, in any encoding size, is H5S_UNLIMITED
	// (libhdf5's H5S__hyper_deserialize).
	ones := uint64(1)<<(8*uint(enc)) - 1
	if enc == 8 {
		ones = Unlimited
	}
	for i := 0; i < s.Rank; i++ {
		s.Start[i], s.Stride[i], s.Count[i], s.Block[i] = c.UintN(enc), c.UintN(enc), c.UintN(enc), c.UintN(enc)
		if s.Count[i] == ones {
			s.Count[i] = Unlimited
		}
		if s.Block[i] == ones {
			s.Block[i] = Unlimited
		}
		switch {
		case s.Count[i] == Unlimited && s.Block[i] == Unlimited:
			c.Failf("dimension %d has both an unlimited count and an unlimited block", i)
		case s.Block[i] == Unlimited:
			unlim++
			if s.Count[i] != 1 {
				c.Failf("dimension %d has an unlimited block and count %d", i, s.Count[i])
			}
		case s.Count[i] == Unlimited:
			unlim++
			if s.Stride[i] < s.Block[i] || s.Block[i] == 0 {
				c.Failf("dimension %d: stride %d smaller than block %d", i, s.Stride[i], s.Block[i])
			}
		case s.Count[i] > 1 && s.Stride[i] < s.Block[i]:
			c.Failf("dimension %d: stride %d smaller than block %d", i, s.Stride[i], s.Block[i])
		}
		if c.Err() != nil {
			return
		}
	}
	if unlim > 1 {
		c.Failf("%d unlimited dimensions (at most one allowed)", unlim)
	}
}

// UnlimDim returns the dimension in which a regular hyperslab has an
// unlimited count or block, or -1.
func (s *Selection) UnlimDim() int {
	if s == nil || !s.Regular {
		return -1
	}
	for i := range s.Count {
		if s.Count[i] == Unlimited || s.Block[i] == Unlimited {
			return i
		}
	}
	return -1
}
