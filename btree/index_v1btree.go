package btree

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// openV1BTreeIndex opens the version 1 B-tree chunk index of layout message
// versions 1 to 3. The tree's keys hold rank+1 element offsets (the last,
// for the element-size dimension, is dropped), the stored chunk size and
// the filter mask.
// Spec 3.0, III.A.1 "Version 1 B-trees" (H5.format.html#V1Btrees), node
// type 1, and Appendix C "The Version 1 B-tree Index".
func openV1BTreeIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	src, addr := p.Src, p.IndexAddr
	if err := src.Check(addr, 8, "v1 B-tree node"); err != nil {
		return nil, err
	}
	t := &tableIndex{geom: g}
	t.load = func() ([]ChunkInfo, error) {
		var list []ChunkInfo
		for ch, err := range V1Chunks(src, addr, g.rank+1) {
			if err != nil {
				return nil, err
			}
			if len(ch.Offsets) != g.rank+1 {
				return nil, binfmt.Errorf(addr, "v1 B-tree chunk key", "%d offsets, want %d", len(ch.Offsets), g.rank+1)
			}
			off := ch.Offsets[:g.rank:g.rank]
			for d, o := range off {
				if o%g.chunk[d] != 0 {
					return nil, binfmt.Errorf(addr, "v1 B-tree chunk key", "offset %v is not on a chunk boundary", off)
				}
			}
			list = append(list, ChunkInfo{Addr: ch.Addr, Size: uint64(ch.Size), FilterMask: ch.FilterMask, Offset: off})
		}
		return list, nil
	}
	return t, nil
}
