package hdf5

import "slices"

// This file maps a compiled selection onto one storage unit (a chunk, or the
// whole of a contiguous or compact dataset) as runs of bytes: the planner
// that both the contiguous reader and the chunk engine use.

// segment is a stretch of one dimension inside a unit: n indices starting at
// src (relative to the unit's origin) that land at output positions starting
// at dst, with the source index moving by dir (+1 or -1) per element.
type segment struct {
	src, dst, n uint64
	dir         int64
}

// segments intersects dimension d's runs with the unit range [o, o+cd).
func (d *dimSpec) segments(o, cd uint64, out []segment) []segment {
	cum := uint64(0)
	end := o + cd
	for _, r := range d.runs {
		if r.step >= 0 {
			lo, hi := max(r.start, o), min(r.start+r.n, end)
			if lo < hi {
				out = append(out, segment{src: lo - o, dst: cum + (lo - r.start), n: hi - lo, dir: 1})
			}
		} else {
			// indices r.start, r.start-1, ..., r.start-r.n+1
			first := r.start + 1 - r.n
			lo, hi := max(first, o), min(r.start, end-1)
			if lo <= hi && hi >= o && hi < end {
				out = append(out, segment{src: hi - o, dst: cum + (r.start - hi), n: hi - lo + 1, dir: -1})
			}
		}
		cum += r.n
	}
	return out
}

// touches returns the sorted unit indices (origin/cd) along dimension d that
// the dimension's runs reach, for units of extent cd over a dimension of
// size size.
func (d *dimSpec) touches(cd uint64) []uint64 {
	var out []uint64
	seen := map[uint64]bool{}
	for _, r := range d.runs {
		if r.n == 0 {
			continue
		}
		lo, hi := r.span()
		for c := lo / cd; c <= hi/cd; c++ {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	slices.Sort(out)
	return out
}

// byteRun is one of the byte runs that carry one unit's selected elements into the
// output: for each, n bytes from unit offset src to output offset dst, or,
// when rev is set, n/elem elements copied one by one with the source moving
// backwards.
type byteRun struct {
	src, dst, n uint64
	rev         bool
}

// runScratch holds unitRuns' working slices so that a worker can plan
// chunk after chunk without allocating.
type runScratch struct {
	segs       [][]segment
	ustr, ostr []uint64
	segIdx     []int
	within     []uint64
}

func (s *runScratch) size(r int) {
	if cap(s.segs) < r {
		s.segs = make([][]segment, r)
		s.ustr, s.ostr = make([]uint64, r), make([]uint64, r)
		s.segIdx, s.within = make([]int, r), make([]uint64, r)
	}
	s.segs, s.ustr, s.ostr = s.segs[:r], s.ustr[:r], s.ostr[:r]
	s.segIdx, s.within = s.segIdx[:r], s.within[:r]
}

// unitRuns calls emit for every byte run of a unit with the given origin and
// extent under an orthogonal selection. The last dimension's segments are
// the runs; outer dimensions are walked in C order. It stops early and
// returns false when emit does. sc may be nil.
func (c *compiled) unitRuns(origin, extent []uint64, es uint64, sc *runScratch, emit func(byteRun) bool) bool {
	r := len(c.dims)
	if r == 0 { // scalar
		return emit(byteRun{0, 0, es, false})
	}
	if sc == nil {
		sc = new(runScratch)
	}
	sc.size(r)
	segs := sc.segs
	for i := range c.dims {
		segs[i] = c.dims[i].segments(origin[i], extent[i], segs[i][:0])
		if len(segs[i]) == 0 {
			return true
		}
	}
	// strides in elements
	ustr, ostr := sc.ustr, sc.ostr
	us, os := uint64(1), uint64(1)
	for i := r - 1; i >= 0; i-- {
		ustr[i], ostr[i] = us, os
		us *= extent[i]
		os *= c.dims[i].n
	}
	// iterate outer dims: for each dimension i < r-1 a segment index and an
	// offset within the segment
	segIdx, within := sc.segIdx, sc.within
	clear(segIdx)
	clear(within)
	for {
		var srcOff, dstOff uint64
		for i := 0; i < r-1; i++ {
			sg := segs[i][segIdx[i]]
			var si uint64
			if sg.dir >= 0 {
				si = sg.src + within[i]
			} else {
				si = sg.src - within[i]
			}
			srcOff += si * ustr[i]
			dstOff += (sg.dst + within[i]) * ostr[i]
		}
		for _, sg := range segs[r-1] {
			br := byteRun{src: (srcOff + sg.src) * es, dst: (dstOff + sg.dst) * es, n: sg.n * es}
			if sg.dir < 0 {
				br.rev = true
			}
			if !emit(br) {
				return false
			}
		}
		// advance the odometer over dims r-2 .. 0
		i := r - 2
		for ; i >= 0; i-- {
			within[i]++
			if within[i] < segs[i][segIdx[i]].n {
				break
			}
			within[i] = 0
			segIdx[i]++
			if segIdx[i] < len(segs[i]) {
				break
			}
			segIdx[i] = 0
		}
		if i < 0 {
			return true
		}
	}
}

// wholeUnitAt reports whether a unit's selected bytes are the whole unit
// (unitBytes long), carried in order to one contiguous stretch of the output,
// and where that stretch starts. The chunk engine then decodes the unit
// straight into the output instead of through a buffer and a copy.
func (c *compiled) wholeUnitAt(origin, extent []uint64, es, unitBytes uint64, sc *runScratch) (uint64, bool) {
	var at, next uint64 // the output offset of unit byte 0; the next unit byte expected
	ok := true
	c.unitRuns(origin, extent, es, sc, func(br byteRun) bool {
		switch {
		case br.rev || br.src != next:
			ok = false
		case next == 0:
			at = br.dst
		case br.dst != at+next:
			ok = false
		}
		next += br.n
		return ok
	})
	return at, ok && next == unitBytes
}

// apply copies one byte run from a unit's bytes into dst.
func (br byteRun) apply(dst, unit []byte, es uint64) {
	if !br.rev {
		copy(dst[br.dst:br.dst+br.n], unit[br.src:br.src+br.n])
		return
	}
	// br.src is the unit offset of the first (highest-index) element; each
	// next output element comes from one element earlier.
	n := br.n / es
	for k := uint64(0); k < n; k++ {
		s := br.src - k*es
		copy(dst[br.dst+k*es:br.dst+(k+1)*es], unit[s:s+es])
	}
}
