package heap

import (
	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/internal/binfmt"
)

// maxPipelineFilters is the most filters a pipeline may hold (libhdf5's
// H5Z_MAX_NFILTERS).
const maxPipelineFilters = 32

// decodePipeline decodes the I/O filter information stored in a fractal heap
// header, which is encoded as a filter pipeline message body (versions 1 and 2).
//
// Spec 3.0, IV.A.2.l "The Data Storage - Filter Pipeline Message"
// (H5.format.html#FilterMessage).
func decodePipeline(b []byte, sizes binfmt.Sizes, addr uint64) (filters.Pipeline, error) {
	c := binfmt.NewCursor(b, sizes, addr, "fractal heap I/O filter pipeline")
	ver := c.Version(1, 2)
	n := int(c.Uint8())
	if ver == 1 {
		c.Skip(6)
	}
	if c.Err() == nil && (n == 0 || n > maxPipelineFilters) {
		c.Failf("%d filters", n)
	}
	var p filters.Pipeline
	for i := 0; i < n && c.Err() == nil; i++ {
		var st filters.Stage
		st.ID = c.Uint16()
		nameLen := 0
		if ver == 1 || st.ID >= 256 {
			nameLen = int(c.Uint16())
		}
		flags := c.Uint16()
		st.Optional = flags&1 != 0
		nvals := int(c.Uint16())
		if nameLen > 0 {
			name := c.Bytes(nameLen)
			for j, ch := range name {
				if ch == 0 {
					name = name[:j]
					break
				}
			}
			st.Name = string(name)
		}
		if c.Err() == nil && nvals*4 > c.Len() {
			c.Failf("filter %d: %d client data values overrun the pipeline", st.ID, nvals)
			break
		}
		st.Params = make([]uint32, nvals)
		for j := range st.Params {
			st.Params[j] = c.Uint32()
		}
		if ver == 1 && nvals%2 == 1 {
			c.Skip(4)
		}
		p = append(p, st)
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return p, nil
}
