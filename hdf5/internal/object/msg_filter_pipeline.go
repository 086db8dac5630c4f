package object

import (
	"bytes"

	"github.com/goh5/goh5/internal/binfmt"
)

// maxFilters is libhdf5's H5Z_MAX_NFILTERS.
const maxFilters = 32

// FilterOptional is the filter flag bit for "optional": a failure of this
// filter when writing is not an error, and a chunk may skip it (see the
// chunk's filter mask).
const FilterOptional = 0x0001

// Filter is one stage of a filter pipeline.
type Filter struct {
	ID         uint16
	Name       string // may be empty
	Flags      uint16 // FilterOptional
	ClientData []uint32
}

// FilterPipeline is the filter pipeline message.
// Spec 3.0, IV.A.2.l "The Data Storage - Filter Pipeline Message" (H5.format.html#FilterMessage).
//
//	Version 1: Version | Number of Filters | Reserved (6), then per filter:
//	  Filter ID (2) | Name Length (2) | Flags (2) | Number of Client Data Values (2)
//	  Name (null-terminated, padded to a multiple of 8) | Client Data (4 each)
//	  | Padding (4, when the number of client data values is odd)
//	Version 2: Version | Number of Filters, then per filter:
//	  Filter ID (2) | Name Length (2, only for IDs >= 256) | Flags (2) |
//	  Number of Client Data Values (2) | Name (IDs >= 256, no padding) | Client Data
type FilterPipeline struct {
	Version uint8
	Filters []Filter
}

func decodeFilterPipeline(b []byte, sizes binfmt.Sizes, addr uint64) (*FilterPipeline, error) {
	c := binfmt.NewCursor(b, sizes, addr, "filter pipeline message")
	p := &FilterPipeline{Version: c.Version(1, 2)}
	n := int(c.Uint8())
	if c.Err() == nil && n > maxFilters {
		c.Failf("%d filters exceed the maximum of %d", n, maxFilters)
	}
	if p.Version == 1 {
		c.Skip(6)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	p.Filters = make([]Filter, 0, n)
	for i := 0; i < n && c.Err() == nil; i++ {
		var f Filter
		f.ID = c.Uint16()
		nameLen := 0
		if p.Version == 1 || f.ID >= 256 {
			nameLen = int(c.Uint16())
			if p.Version == 1 && nameLen%8 != 0 {
				c.Failf("filter name length %d is not a multiple of eight", nameLen)
			}
		}
		f.Flags = c.Uint16()
		nvals := int(c.Uint16())
		if nameLen > 0 {
			name := c.Bytes(nameLen)
			if j := bytes.IndexByte(name, 0); j >= 0 {
				name = name[:j]
			} else if c.Err() == nil {
				c.Failf("filter name not null-terminated")
			}
			f.Name = string(name)
		}
		if c.Err() == nil && nvals > c.Len()/4 {
			c.Failf("%d client data values in %d bytes", nvals, c.Len())
		}
		if c.Err() != nil {
			break
		}
		f.ClientData = make([]uint32, nvals)
		for j := range f.ClientData {
			f.ClientData[j] = c.Uint32()
		}
		if p.Version == 1 && nvals%2 == 1 {
			c.Skip(4)
		}
		p.Filters = append(p.Filters, f)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return p, nil
}
