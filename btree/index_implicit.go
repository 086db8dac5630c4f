package btree

import (
	"iter"

	"github.com/goh5/goh5/internal/binfmt"
)

// implicitIndex is the implicit index: with early allocation and no filter,
// libhdf5 stores every chunk of the grid over the maximum dimensions
// contiguously from the index address, in row-major chunk order, each
// chunk the full unfiltered chunk size (H5D__none_idx_get_addr uses the
// "max down chunks"). Only fixed-size datasets use it.
// Spec 3.0, Appendix C "The Implicit Index" (H5.format.html#AppendixC).
type implicitIndex struct {
	g    *chunkGeom
	base uint64
}

func openImplicitIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	const what = "implicit chunk index"
	for d, m := range g.maxGrid {
		if m == unlimitedChunks {
			return nil, binfmt.Errorf(p.IndexAddr, what, "dimension %d is unlimited", d)
		}
		if g.grid[d] > m {
			return nil, binfmt.Errorf(p.IndexAddr, what, "dimension %d has %d chunks, more than the maximum %d", d, g.grid[d], m)
		}
	}
	n, ok := gridSize(g.maxGrid)
	if !ok {
		return nil, binfmt.Errorf(p.IndexAddr, what, "chunk count overflows")
	}
	total, ok := binfmt.Mul(n, g.chunkBytes)
	if !ok {
		return nil, binfmt.Errorf(p.IndexAddr, what, "%d chunks of %d bytes overflow", n, g.chunkBytes)
	}
	// Every chunk was allocated with the dataset: all of them must lie in the file.
	if err := p.Src.Check(p.IndexAddr, total, what); err != nil {
		return nil, err
	}
	return &implicitIndex{g: g, base: p.IndexAddr}, nil
}

func (x *implicitIndex) info(scaled []uint64) (ChunkInfo, bool) {
	idx, ok := linearIndex(scaled, x.g.maxGrid)
	if !ok {
		return ChunkInfo{}, false
	}
	off, ok := x.g.offsetOf(scaled)
	if !ok {
		return ChunkInfo{}, false
	}
	// Cannot overflow: the whole allocation was checked against the file.
	return ChunkInfo{Addr: x.base + idx*x.g.chunkBytes, Size: x.g.chunkBytes, Offset: off}, true
}

// Lookup implements ChunkIndex. Every chunk inside the current dims exists.
func (x *implicitIndex) Lookup(offset []uint64) (ChunkInfo, bool, error) {
	s, ok := x.g.scaled(offset)
	if !ok {
		return ChunkInfo{}, false, nil
	}
	if _, in := linearIndex(s, x.g.grid); !in {
		return ChunkInfo{}, false, nil
	}
	ci, ok := x.info(s)
	return ci, ok, nil
}

// Chunks implements ChunkIndex: the chunks of the current dims, in
// row-major order (as H5Dget_chunk_info lists them).
func (x *implicitIndex) Chunks() iter.Seq2[ChunkInfo, error] {
	return func(yield func(ChunkInfo, error) bool) {
		n, _ := gridSize(x.g.grid) // grid <= maxGrid, whose size was checked
		for i := uint64(0); i < n; i++ {
			s, _ := gridCoords(i, x.g.grid)
			ci, ok := x.info(s)
			if !ok {
				yield(ChunkInfo{}, binfmt.Errorf(x.base, "implicit chunk index", "chunk %v outside the grid", s))
				return
			}
			if !yield(ci, nil) {
				return
			}
		}
	}
}
