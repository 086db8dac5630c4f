package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/goh5/goh5/internal/binfmt"
)

// SpaceKind is the kind of a dataspace.
type SpaceKind uint8

// Dataspace kinds, numbered as in the version 2 Dataspace message's "Type"
// field. A version 1 message is scalar when its dimensionality is 0 and
// simple otherwise; it cannot express a null dataspace.
const (
	SpaceScalar SpaceKind = 0 // one element, no dimensions
	SpaceSimple SpaceKind = 1 // a regular N-dimensional array
	SpaceNull   SpaceKind = 2 // no elements at all
)

func (k SpaceKind) String() string {
	switch k {
	case SpaceScalar:
		return "scalar"
	case SpaceSimple:
		return "simple"
	case SpaceNull:
		return "null"
	}
	return "space(" + strconv.Itoa(int(k)) + ")"
}

// Unlimited is the maximum dimension size that marks a dimension as
// extendible without limit (an all-ones length in the file).
const Unlimited = math.MaxUint64

// Dataspace is a decoded Dataspace message (Spec 3.0, IV.A.2.b "The Dataspace
// Message", H5.format.html#DataspaceMessage).
type Dataspace struct {
	Version uint8 // message version, 1 or 2
	Kind    SpaceKind
	Dims    []uint64 // current dimension sizes; empty unless Kind is SpaceSimple
	MaxDims []uint64 // maximum sizes (Unlimited for no limit); nil when the message has none, which means MaxDims equals Dims
}

// DecodeDataspace decodes a Dataspace message from b, read at file address
// addr. Version 1 permutation indices, which libhdf5 never wrote, are skipped.
// On error the dataspace is nil.
func DecodeDataspace(b []byte, sizes binfmt.Sizes, addr uint64) (*Dataspace, error) {
	c := binfmt.NewCursor(b, sizes, addr, "dataspace message")
	s := &Dataspace{Version: c.Version(1, 2)}
	rank := int(c.Uint8())
	flags := c.Uint8()
	if s.Version == 1 {
		c.Skip(1 + 4) // reserved
		s.Kind = SpaceSimple
		if rank == 0 {
			s.Kind = SpaceScalar
		}
	} else {
		s.Kind = SpaceKind(c.Uint8())
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	switch {
	case s.Kind > SpaceNull:
		return nil, binfmt.Errorf(addr, c.What(), "unknown dataspace type %d", s.Kind)
	case rank > maxRank:
		return nil, binfmt.Errorf(addr, c.What(), "%d dimensions (at most %d)", rank, maxRank)
	case s.Kind != SpaceSimple && rank != 0:
		return nil, binfmt.Errorf(addr, c.What(), "%s dataspace with %d dimensions", s.Kind, rank)
	}
	if rank > 0 {
		s.Dims = make([]uint64, rank)
		for i := range s.Dims {
			s.Dims[i] = c.Length()
		}
	}
	if flags&1 != 0 && rank > 0 {
		s.MaxDims = make([]uint64, rank)
		for i := range s.MaxDims {
			s.MaxDims[i] = c.Length()
		}
	}
	if s.Version == 1 && flags&2 != 0 {
		c.Skip(rank * sizes.Lengths) // permutation indices
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	for i, m := range s.MaxDims {
		if m != Unlimited && m < s.Dims[i] {
			return nil, binfmt.Errorf(addr, c.What(), "dimension %d has size %d above its maximum %d", i, s.Dims[i], m)
		}
	}
	return s, nil
}

// NumElements returns how many elements the dataspace holds: 0 for a null
// dataspace, 1 for a scalar one, the product of Dims for a simple one. ok is
// false when the product overflows a uint64.
func (s *Dataspace) NumElements() (n uint64, ok bool) {
	switch s.Kind {
	case SpaceNull:
		return 0, true
	case SpaceScalar:
		return 1, true
	}
	n = 1
	for _, d := range s.Dims {
		if n, ok = binfmt.Mul(n, d); !ok {
			return 0, false
		}
	}
	return n, true
}

// String describes s like h5dump: "SCALAR", "NULL", or "(4, 5) / (UNLIMITED, 10)"
// for a simple dataspace (the maximum part only when the message has one).
func (s *Dataspace) String() string {
	switch s.Kind {
	case SpaceScalar:
		return "SCALAR"
	case SpaceNull:
		return "NULL"
	}
	list := func(v []uint64) string {
		parts := make([]string, len(v))
		for i, d := range v {
			if d == Unlimited {
				parts[i] = "UNLIMITED"
			} else {
				parts[i] = strconv.FormatUint(d, 10)
			}
		}
		return "(" + strings.Join(parts, ", ") + ")"
	}
	if s.MaxDims == nil {
		return list(s.Dims)
	}
	return list(s.Dims) + " / " + list(s.MaxDims)
}
