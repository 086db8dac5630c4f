package h5s

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/goh5/goh5/internal/binfmt"
)

// Row is a run of N consecutive elements along the last dimension: the
// elements at coordinates (Prefix..., Start), ..., (Prefix..., Start+N-1).
// For rank 0 (a scalar) Prefix is empty and the one element is Start 0,
// N 1.
type Row struct {
	Prefix   []uint64
	Start, N uint64
}

// interval is [lo, hi) along one dimension.
type interval struct{ lo, hi uint64 }

// checkRank checks that limit fits the selection.
func (s *Selection) checkRank(limit []uint64) error {
	if s.Type == SelNone || s.Type == SelAll {
		return nil
	}
	if s.Rank != len(limit) {
		return fmt.Errorf("hdf5: selection of rank %d used on a rank-%d dataspace", s.Rank, len(limit))
	}
	return nil
}

// dimCount returns how many indices a regular hyperslab (or "all", when s
// is not regular) takes along dimension d below lim, and the number of
// blocks they form. lim may be Unlimited (no bound).
func (s *Selection) dimCount(d int, lim uint64) (n, blocks uint64, err error) {
	n, blocks, _, _, err = s.dimRange(d, lim)
	return n, blocks, err
}

// dimRange is dimCount that also returns the first and last index taken.
func (s *Selection) dimRange(d int, lim uint64) (n, blocks, first, last uint64, err error) {
	if !s.Regular {
		if lim == Unlimited {
			return 0, 0, 0, 0, fmt.Errorf("hdf5: \"all\" selection over an unbounded dimension")
		}
		if lim == 0 {
			return 0, 0, 0, 0, nil
		}
		return lim, 1, 0, lim - 1, nil
	}
	start, stride, count, block := s.Start[d], s.Stride[d], s.Count[d], s.Block[d]
	if count == 0 || block == 0 || start >= lim {
		return 0, 0, 0, 0, nil
	}
	if block == Unlimited {
		if lim == Unlimited {
			return 0, 0, 0, 0, fmt.Errorf("hdf5: unlimited hyperslab block over an unbounded dimension")
		}
		return lim - start, 1, start, lim - 1, nil
	}
	if count == Unlimited && lim == Unlimited {
		return 0, 0, 0, 0, fmt.Errorf("hdf5: unlimited hyperslab count over an unbounded dimension")
	}
	if count > 1 && stride == 0 {
		return 0, 0, 0, 0, fmt.Errorf("hdf5: hyperslab stride 0 with count %d", count)
	}
	if lim != Unlimited {
		// blocks starting below lim: ceil((lim-start)/stride)
		if stride > 0 {
			if c := (lim-start-1)/stride + 1; c < count {
				count = c
			}
		} else {
			count = 1
		}
	}
	lastStart, ok := binfmt.Mul(count-1, stride)
	if ok {
		lastStart, ok = binfmt.Add(lastStart, start)
	}
	if !ok {
		return 0, 0, 0, 0, fmt.Errorf("hdf5: hyperslab extends beyond 2^64")
	}
	lastLen := block
	if lim != Unlimited && lim-lastStart < block {
		lastLen = lim - lastStart
	} else if _, ok := binfmt.Add(lastStart, block); !ok {
		return 0, 0, 0, 0, fmt.Errorf("hdf5: hyperslab extends beyond 2^64")
	}
	n, ok = binfmt.Mul(count-1, block)
	if ok {
		n, ok = binfmt.Add(n, lastLen)
	}
	if !ok {
		return 0, 0, 0, 0, fmt.Errorf("hdf5: hyperslab element count overflows")
	}
	if stride == block && count > 1 {
		return n, 1, start, lastStart + lastLen - 1, nil
	}
	return n, count, start, lastStart + lastLen - 1, nil
}

// intervals lists dimension d's selected indices below lim as intervals.
// Call it only after dimCount said the number of blocks is affordable.
func (s *Selection) intervals(d int, lim uint64) []interval {
	n, blocks, _ := s.dimCount(d, lim)
	if n == 0 {
		return nil
	}
	if !s.Regular {
		return []interval{{0, lim}}
	}
	start, stride, block := s.Start[d], s.Stride[d], s.Block[d]
	if blocks == 1 {
		return []interval{{start, start + n}}
	}
	out := make([]interval, 0, blocks)
	for k := uint64(0); k < blocks; k++ {
		lo := start + k*stride
		hi := lo + block
		if lim != Unlimited && hi > lim {
			hi = lim
		}
		out = append(out, interval{lo, hi})
	}
	return out
}

// NumElements returns the number of elements the selection takes inside the box
// [0, limit) (limit[d] Unlimited: no bound). For an irregular hyperslab it is
// an upper bound (the sum of the clipped block volumes), exact when the
// blocks do not overlap, as libhdf5 writes them.
func (s *Selection) NumElements(limit []uint64) (uint64, error) {
	if err := s.checkRank(limit); err != nil {
		return 0, err
	}
	switch s.Type {
	case SelNone:
		return 0, nil
	case SelPoints:
		var n uint64
		for _, p := range s.Points {
			if inside(p, limit) {
				n++
			}
		}
		return n, nil
	case SelHyperslab:
		if !s.Regular {
			var total uint64
			for _, b := range s.Blocks {
				v := uint64(1)
				for d := range limit {
					lo, hi := b[0][d], b[1][d]
					if limit[d] != Unlimited && hi >= limit[d] {
						if lo >= limit[d] {
							v = 0
							break
						}
						hi = limit[d] - 1
					}
					var ok bool
					if v, ok = binfmt.Mul(v, hi-lo+1); !ok {
						return 0, fmt.Errorf("hdf5: hyperslab block volume overflows")
					}
				}
				var ok bool
				if total, ok = binfmt.Add(total, v); !ok {
					return 0, fmt.Errorf("hdf5: hyperslab element count overflows")
				}
			}
			return total, nil
		}
	}
	// all, regular hyperslab
	total := uint64(1)
	for d, lim := range limit {
		n, _, err := s.dimCount(d, lim)
		if err != nil {
			return 0, err
		}
		var ok bool
		if total, ok = binfmt.Mul(total, n); !ok {
			return 0, fmt.Errorf("hdf5: selection element count overflows")
		}
	}
	return total, nil
}

func inside(p, limit []uint64) bool {
	for d, v := range p {
		if limit[d] != Unlimited && v >= limit[d] {
			return false
		}
	}
	return true
}

// Walk calls fn for each row of elements the selection takes inside the box
// [0, limit), in the order libhdf5 transfers them: increasing C order for
// "all" and hyperslabs, the stored order for points. It stops when fn
// returns false. Row.Prefix is reused between calls.
//
// The work Walk does is proportional to the number of elements and rows;
// callers bound NumElements first.
func (s *Selection) Walk(limit []uint64, fn func(Row) bool) error {
	if err := s.checkRank(limit); err != nil {
		return err
	}
	r := len(limit)
	switch s.Type {
	case SelNone:
		return nil
	case SelPoints:
		for _, p := range s.Points {
			if !inside(p, limit) {
				continue
			}
			if r == 0 {
				if !fn(Row{N: 1}) {
					return nil
				}
				continue
			}
			if !fn(Row{Prefix: p[:r-1], Start: p[r-1], N: 1}) {
				return nil
			}
		}
		return nil
	case SelHyperslab:
		if !s.Regular {
			return s.walkBlocks(limit, fn)
		}
	}
	if r == 0 {
		fn(Row{N: 1})
		return nil
	}
	ivs := make([][]interval, r)
	for d := range limit {
		n, _, err := s.dimCount(d, limit[d])
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	for d := range limit {
		ivs[d] = s.intervals(d, limit[d])
	}
	prefix := make([]uint64, r-1)
	idx := make([]int, r-1) // interval index per outer dimension
	for d := 0; d < r-1; d++ {
		prefix[d] = ivs[d][0].lo
	}
	for {
		for _, iv := range ivs[r-1] {
			if !fn(Row{Prefix: prefix, Start: iv.lo, N: iv.hi - iv.lo}) {
				return nil
			}
		}
		d := r - 2
		for ; d >= 0; d-- {
			prefix[d]++
			if prefix[d] < ivs[d][idx[d]].hi {
				break
			}
			idx[d]++
			if idx[d] < len(ivs[d]) {
				prefix[d] = ivs[d][idx[d]].lo
				break
			}
			idx[d] = 0
			prefix[d] = ivs[d][0].lo
		}
		if d < 0 {
			return nil
		}
	}
}

// walkBlocks walks an irregular hyperslab: the union of its blocks, in C
// order, with overlapping or touching runs merged.
func (s *Selection) walkBlocks(limit []uint64, fn func(Row) bool) error {
	r := len(limit)
	rows := map[string][]interval{}
	key := make([]byte, 8*(r-1))
	pre := make([]uint64, r-1)
	for _, b := range s.Blocks {
		st, en := slices.Clone(b[0]), slices.Clone(b[1])
		empty := false
		for d := range limit {
			if limit[d] != Unlimited && en[d] >= limit[d] {
				if st[d] >= limit[d] {
					empty = true
					break
				}
				en[d] = limit[d] - 1
			}
		}
		if empty {
			continue
		}
		copy(pre, st[:r-1])
		for {
			for d, v := range pre {
				binary.BigEndian.PutUint64(key[8*d:], v)
			}
			rows[string(key)] = append(rows[string(key)], interval{st[r-1], en[r-1] + 1})
			d := r - 2
			for ; d >= 0; d-- {
				if pre[d] < en[d] {
					pre[d]++
					break
				}
				pre[d] = st[d]
			}
			if d < 0 {
				break
			}
		}
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int { return bytes.Compare([]byte(a), []byte(b)) })
	for _, k := range keys {
		for d := range pre {
			pre[d] = binary.BigEndian.Uint64([]byte(k[8*d:]))
		}
		ivs := rows[k]
		slices.SortFunc(ivs, func(a, b interval) int {
			switch {
			case a.lo < b.lo:
				return -1
			case a.lo > b.lo:
				return 1
			}
			return 0
		})
		cur := ivs[0]
		for _, iv := range ivs[1:] {
			if iv.lo <= cur.hi {
				cur.hi = max(cur.hi, iv.hi)
				continue
			}
			if !fn(Row{Prefix: pre, Start: cur.lo, N: cur.hi - cur.lo}) {
				return nil
			}
			cur = iv
		}
		if !fn(Row{Prefix: pre, Start: cur.lo, N: cur.hi - cur.lo}) {
			return nil
		}
	}
	return nil
}

// Bounds returns the smallest box holding the selection's elements inside
// [0, limit): lo and hi, both inclusive. ok is false when it selects
// nothing.
func (s *Selection) Bounds(limit []uint64) (lo, hi []uint64, ok bool, err error) {
	r := len(limit)
	if err := s.checkRank(limit); err != nil {
		return nil, nil, false, err
	}
	lo, hi = make([]uint64, r), make([]uint64, r)
	add := func(a, b []uint64) {
		for d := range lo {
			if !ok || a[d] < lo[d] {
				lo[d] = a[d]
			}
			if !ok || b[d] > hi[d] {
				hi[d] = b[d]
			}
		}
		ok = true
	}
	switch {
	case s.Type == SelNone:
		return nil, nil, false, nil
	case s.Type == SelPoints:
		for _, p := range s.Points {
			if inside(p, limit) {
				add(p, p)
			}
		}
	case s.Type == SelHyperslab && !s.Regular:
		en := make([]uint64, r)
	blocks:
		for _, b := range s.Blocks {
			copy(en, b[1])
			for d := range limit {
				if limit[d] != Unlimited && en[d] >= limit[d] {
					if b[0][d] >= limit[d] {
						continue blocks
					}
					en[d] = limit[d] - 1
				}
			}
			add(b[0], en)
		}
	default: // all, regular hyperslab
		for d := range limit {
			n, _, first, last, err := s.dimRange(d, limit[d])
			if err != nil || n == 0 {
				return nil, nil, false, err
			}
			lo[d], hi[d] = first, last
		}
		return lo, hi, true, nil
	}
	if !ok {
		return nil, nil, false, nil
	}
	return lo, hi, true, nil
}

// UnlimBlock returns the regular hyperslab holding only the j-th block of
// s's unlimited dimension (libhdf5 H5S_hyper_get_unlim_block), which needs
// an unlimited count there.
func (s *Selection) UnlimBlock(j uint64) (*Selection, error) {
	u := s.UnlimDim()
	if u < 0 || s.Count[u] != Unlimited {
		return nil, fmt.Errorf("hdf5: selection has no unlimited count")
	}
	off, ok := binfmt.Mul(j, s.Stride[u])
	if ok {
		off, ok = binfmt.Add(off, s.Start[u])
	}
	if ok {
		_, ok = binfmt.Add(off, s.Block[u])
	}
	if !ok {
		return nil, fmt.Errorf("hdf5: unlimited block %d lies beyond 2^64", j)
	}
	c := *s
	c.Start, c.Count = slices.Clone(s.Start), slices.Clone(s.Count)
	c.Start[u], c.Count[u] = off, 1
	return &c, nil
}

// ClipExtentMatch returns the extent s's unlimited dimension must be
// clipped to so that it holds as many slices as match holds when its own
// unlimited dimension is clipped to matchSize: libhdf5's
// H5S_hyper_get_clip_extent_match with incl_trail false (the
// H5D_VDS_LAST_AVAILABLE view). Both must be regular with an unlimited
// dimension.
func (s *Selection) ClipExtentMatch(match *Selection, matchSize uint64) (uint64, error) {
	su, mu := s.UnlimDim(), match.UnlimDim()
	if su < 0 || mu < 0 {
		return 0, fmt.Errorf("hdf5: clip of a selection without an unlimited dimension")
	}
	start, stride := match.Start[mu], match.Stride[mu]
	count, block := match.Count[mu], match.Block[mu]
	// H5S__hyper_get_clip_diminfo
	switch {
	case start >= matchSize:
		count, block = 0, 0
	case block == Unlimited || block == stride:
		block, count = matchSize-start, 1
	default:
		if stride == 0 {
			return 0, fmt.Errorf("hdf5: hyperslab stride 0")
		}
		count = (matchSize-start-1)/stride + 1
	}
	var slices uint64
	switch {
	case block == 0 || count == 0:
	case count == 1:
		slices = block
	default:
		var ok bool
		if slices, ok = binfmt.Mul(block, count); !ok {
			return 0, fmt.Errorf("hdf5: hyperslab element count overflows")
		}
		end := stride*(count-1) + block // fits: count was derived from matchSize
		if end > matchSize-start {
			slices -= end - (matchSize - start)
		}
	}
	return s.clipExtentReal(su, slices)
}

// clipExtentReal is H5S__hyper_get_clip_extent_real with incl_trail false.
func (s *Selection) clipExtentReal(u int, slices uint64) (uint64, error) {
	start, stride, block := s.Start[u], s.Stride[u], s.Block[u]
	var v uint64
	var ok = true
	switch {
	case slices == 0:
		return 0, nil
	case block == Unlimited || block == stride:
		v, ok = binfmt.Add(start, slices)
	default:
		if block == 0 {
			return 0, fmt.Errorf("hdf5: hyperslab block 0")
		}
		count := slices / block
		rem := slices - count*block
		if rem > 0 {
			v, ok = binfmt.Mul(count, stride)
			if ok {
				v, ok = binfmt.Add(v, start)
			}
			if ok {
				v, ok = binfmt.Add(v, rem)
			}
		} else {
			v, ok = binfmt.Mul(count-1, stride)
			if ok {
				v, ok = binfmt.Add(v, start)
			}
			if ok {
				v, ok = binfmt.Add(v, block)
			}
		}
	}
	if !ok {
		return 0, fmt.Errorf("hdf5: clipped extent overflows")
	}
	return v, nil
}

// MinExtent returns, per dimension, one past the largest index the
// selection reaches, with 0 for the unlimited dimension (libhdf5
// H5D__virtual_update_min_dims). ok is false for "all" and "none" and for
// selections that cannot be bounded.
func (s *Selection) MinExtent(rank int) ([]uint64, bool) {
	if s.Type == SelAll || s.Type == SelNone {
		return nil, false
	}
	limit := make([]uint64, rank)
	for d := range limit {
		limit[d] = Unlimited
	}
	u := s.UnlimDim()
	if u >= 0 {
		// Any finite bound will do: the unlimited dimension is ignored.
		limit[u] = s.Start[u] + 1
	}
	_, hi, ok, err := s.Bounds(limit)
	if !ok || err != nil {
		return nil, false
	}
	out := make([]uint64, rank)
	for d := range out {
		if d != u {
			out[d] = hi[d] + 1
		}
	}
	return out, true
}
