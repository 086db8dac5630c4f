package btree

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// openV2BTreeIndex opens a version 2 B-tree chunk index. Its records (type
// 10 for unfiltered, 11 for filtered datasets) hold the chunk address, for
// type 11 the filtered size (chunkSizeWidth bytes) and filter mask, and the
// chunk's scaled coordinates (element offset / chunk dimension).
// Spec 3.0, III.A.2 "Version 2 B-trees" (H5.format.html#V2Btrees), record
// types 10 and 11, and Appendix C "The Version 2 B-trees Index".
func openV2BTreeIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	const what = "v2 B-tree chunk index"
	tr, err := OpenV2(p.Src, p.IndexAddr)
	if err != nil {
		return nil, err
	}
	if tr.Type != V2Chunk && tr.Type != V2ChunkFiltered {
		return nil, binfmt.Errorf(p.IndexAddr, what, "record type %d, want %d or %d", tr.Type, V2Chunk, V2ChunkFiltered)
	}
	width := chunkSizeWidth(g.chunkBytes)
	sizes := p.Src.Sizes
	t := &tableIndex{geom: g}
	t.load = func() ([]ChunkInfo, error) {
		var list []ChunkInfo
		for rec, err := range tr.Records() {
			if err != nil {
				return nil, err
			}
			r, err := DecodeChunkRecord(rec, tr.Type, g.rank, width, sizes)
			if err != nil {
				return nil, err
			}
			off, ok := g.offsetOf(r.Scaled)
			if !ok {
				return nil, binfmt.Errorf(p.IndexAddr, what, "scaled offset %v overflows", r.Scaled)
			}
			ci := ChunkInfo{Addr: r.Addr, Size: r.Size, FilterMask: r.FilterMask, Offset: off}
			if tr.Type == V2Chunk {
				ci.Size = g.chunkBytes
			}
			list = append(list, ci)
		}
		return list, nil
	}
	return t, nil
}
