package btree

import "iter"

// singleIndex is the single chunk index: the dataset is one chunk, stored at
// the layout's index address.
// Spec 3.0, Appendix C "The Single Chunk Index" (H5.format.html#AppendixC),
// and IV.A.2.i "Data Layout Message", layout version 4, chunk indexing type
// 1: when flags bit 1 is set, the message carries the filtered chunk size
// and filter mask.
type singleIndex struct {
	info ChunkInfo
}

func openSingleIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	const what = "single chunk index"
	info := ChunkInfo{Addr: p.IndexAddr, Size: g.chunkBytes, Offset: make([]uint64, g.rank)}
	if p.Filtered {
		info.Size, info.FilterMask = p.SingleSize, p.SingleMask
	}
	if err := p.Src.Check(info.Addr, info.Size, what); err != nil {
		return nil, err
	}
	return &singleIndex{info: info}, nil
}

// Lookup implements ChunkIndex: only the all-zero offset holds a chunk.
func (s *singleIndex) Lookup(offset []uint64) (ChunkInfo, bool, error) {
	if len(offset) != len(s.info.Offset) {
		return ChunkInfo{}, false, nil
	}
	for _, o := range offset {
		if o != 0 {
			return ChunkInfo{}, false, nil
		}
	}
	return cloneInfo(s.info), true, nil
}

// Chunks implements ChunkIndex.
func (s *singleIndex) Chunks() iter.Seq2[ChunkInfo, error] {
	return func(yield func(ChunkInfo, error) bool) {
		yield(cloneInfo(s.info), nil)
	}
}

var _ ChunkIndex = (*singleIndex)(nil)
