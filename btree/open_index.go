package btree

import (
	"encoding/binary"
	"iter"
	"math"
	"math/bits"
	"sync"

	"github.com/goh5/goh5/internal/binfmt"
)

// Chunk indexing types of the layout version 4 data layout message.
// Spec 3.0, IV.A.2.i "Data Layout Message", "Chunk Indexing Type", and
// Appendix C "Types of Indexes for Dataset Chunks" (H5.format.html#AppendixC).
const (
	IndexSingle     = 1 // one chunk, the whole dataset
	IndexImplicit   = 2 // chunks stored contiguously, no index structure
	IndexFixedArray = 3 // "FAHD"/"FADB"
	IndexExtArray   = 4 // "EAHD"/"EAIB"/"EASB"/"EADB"
	IndexV2BTree    = 5 // "BTHD" with record types 10 and 11
)

// maxChunkRank is the largest dataset rank (libhdf5's H5S_MAX_RANK).
const maxChunkRank = MaxChunkDims - 1

// OpenChunkIndex opens the chunk index of a chunked dataset. Layout message
// versions 1 to 3 always index chunks with a version 1 B-tree; version 4
// names the index type. Only the index's header is read here (and checked);
// its entries are loaded on first use, once, and shared by concurrent
// callers. An undefined IndexAddr gives an index with no chunks.
func OpenChunkIndex(p ChunkParams) (ChunkIndex, error) {
	g, err := newChunkGeom(p)
	if err != nil {
		return nil, err
	}
	if p.IndexAddr == binfmt.Undef {
		return emptyIndex{}, nil
	}
	switch {
	case p.LayoutVersion >= 1 && p.LayoutVersion <= 3:
		return openV1BTreeIndex(p, g)
	case p.LayoutVersion == 4:
	default:
		return nil, binfmt.Unsupported(p.IndexAddr, "data layout message version %d", p.LayoutVersion)
	}
	switch p.IndexType {
	case IndexSingle:
		return openSingleIndex(p, g)
	case IndexImplicit:
		return openImplicitIndex(p, g)
	case IndexFixedArray:
		return openFixedArrayIndex(p, g)
	case IndexExtArray:
		return openExtArrayIndex(p, g)
	case IndexV2BTree:
		return openV2BTreeIndex(p, g)
	}
	return nil, binfmt.Unsupported(p.IndexAddr, "chunk indexing type %d", p.IndexType)
}

// emptyIndex is the index of a dataset whose index was never allocated.
type emptyIndex struct{}

func (emptyIndex) Lookup([]uint64) (ChunkInfo, bool, error) { return ChunkInfo{}, false, nil }
func (emptyIndex) Chunks() iter.Seq2[ChunkInfo, error]      { return func(func(ChunkInfo, error) bool) {} }

// chunkGeom is the chunk grid every index type shares.
type chunkGeom struct {
	rank       int
	chunk      []uint64 // chunk dims, all > 0
	dims       []uint64 // current dims
	grid       []uint64 // chunks per dimension over the current dims
	maxGrid    []uint64 // chunks per dimension over the max dims; unlimitedChunks for unlimited dims
	chunkBytes uint64   // unfiltered bytes of one chunk
}

// unlimitedChunks marks an unlimited dimension in chunkGeom.maxGrid.
const unlimitedChunks = math.MaxUint64

func newChunkGeom(p ChunkParams) (*chunkGeom, error) {
	const what = "data layout message"
	r := len(p.ChunkDims)
	if r < 1 || r > maxChunkRank {
		return nil, binfmt.Errorf(p.IndexAddr, what, "chunk rank %d not in 1..%d", r, maxChunkRank)
	}
	if len(p.Dims) != r {
		return nil, binfmt.Errorf(p.IndexAddr, what, "chunk rank %d, dataspace rank %d", r, len(p.Dims))
	}
	maxDims := p.MaxDims
	if len(maxDims) == 0 {
		maxDims = p.Dims
	}
	if len(maxDims) != r {
		return nil, binfmt.Errorf(p.IndexAddr, what, "chunk rank %d, max dims rank %d", r, len(maxDims))
	}
	if p.ElemSize == 0 {
		return nil, binfmt.Errorf(p.IndexAddr, what, "element size 0")
	}
	g := &chunkGeom{rank: r, chunk: p.ChunkDims, dims: p.Dims,
		grid: make([]uint64, r), maxGrid: make([]uint64, r), chunkBytes: uint64(p.ElemSize)}
	for d, c := range p.ChunkDims {
		if c == 0 {
			return nil, binfmt.Errorf(p.IndexAddr, what, "chunk dimension %d is 0", d)
		}
		var ok bool
		if g.chunkBytes, ok = binfmt.Mul(g.chunkBytes, c); !ok {
			return nil, binfmt.Errorf(p.IndexAddr, what, "chunk byte size overflows")
		}
		g.grid[d] = ceilDiv(p.Dims[d], c)
		if maxDims[d] == math.MaxUint64 {
			g.maxGrid[d] = unlimitedChunks
		} else {
			g.maxGrid[d] = ceilDiv(maxDims[d], c)
		}
	}
	return g, nil
}

func ceilDiv(a, b uint64) uint64 {
	q := a / b
	if a%b != 0 {
		q++
	}
	return q
}

// scaled converts an element offset to chunk coordinates. ok is false when
// the offset has the wrong rank or is not on a chunk boundary.
func (g *chunkGeom) scaled(offset []uint64) ([]uint64, bool) {
	if len(offset) != g.rank {
		return nil, false
	}
	s := make([]uint64, g.rank)
	for d, o := range offset {
		if o%g.chunk[d] != 0 {
			return nil, false
		}
		s[d] = o / g.chunk[d]
	}
	return s, true
}

// offsetOf converts chunk coordinates to an element offset; false on overflow.
func (g *chunkGeom) offsetOf(scaled []uint64) ([]uint64, bool) {
	off := make([]uint64, len(scaled))
	for d, s := range scaled {
		var ok bool
		if off[d], ok = binfmt.Mul(s, g.chunk[d]); !ok {
			return nil, false
		}
	}
	return off, true
}

// linearIndex is the row-major position of coords in a grid of the given
// extents (libhdf5's H5VM_array_offset_pre over the "down" products). ok is
// false when a coordinate lies outside the grid or the product overflows.
func linearIndex(coords, grid []uint64) (uint64, bool) {
	var idx uint64
	for d, c := range coords {
		if c >= grid[d] {
			return 0, false
		}
		hi, lo := bits.Mul64(idx, grid[d])
		if hi != 0 {
			return 0, false
		}
		var ok bool
		if idx, ok = binfmt.Add(lo, c); !ok {
			return 0, false
		}
	}
	return idx, true
}

// gridCoords inverts linearIndex: the coordinates of position idx in grid.
// ok is false when idx lies beyond the grid.
func gridCoords(idx uint64, grid []uint64) ([]uint64, bool) {
	c := make([]uint64, len(grid))
	for d := len(grid) - 1; d >= 0; d-- {
		if grid[d] == 0 {
			return nil, false
		}
		c[d] = idx % grid[d]
		idx /= grid[d]
	}
	return c, idx == 0
}

// gridSize is the number of cells of grid, ok=false on overflow.
func gridSize(grid []uint64) (uint64, bool) {
	n := uint64(1)
	for _, g := range grid {
		var ok bool
		if n, ok = binfmt.Mul(n, g); !ok {
			return 0, false
		}
	}
	return n, true
}

// chunkSizeWidth is the byte width of the stored chunk size in filtered
// fixed array, extensible array and v2 B-tree entries. libhdf5 derives it
// from the unfiltered chunk size (H5D_FARRAY_FILT_COMPUTE_CHUNK_SIZE_LEN and
// friends): 1 + (floor(log2(bytes)) + 8) / 8, at most 8.
func chunkSizeWidth(chunkBytes uint64) int {
	l := 0
	if chunkBytes > 0 {
		l = bits.Len64(chunkBytes) - 1
	}
	return min(1+(l+8)/8, 8)
}

// checkedCursor reads the n-byte block at addr, whose last four bytes are a
// lookup3 checksum, and verifies the checksum before anything is decoded
// (as libhdf5's metadata cache does), so a corrupted field is reported as a
// checksum error rather than as whatever the field now says.
func checkedCursor(src *binfmt.Source, addr, n uint64, what string) (*binfmt.Cursor, error) {
	c, err := src.Cursor(addr, n, what)
	if err != nil {
		return nil, err
	}
	if err := src.VerifyChecksum(c.Buf(), addr, what); err != nil {
		return nil, err
	}
	return c, nil
}

// chunkKey is a map key for a chunk's element offset.
func chunkKey(offset []uint64) string {
	b := make([]byte, 8*len(offset))
	for i, o := range offset {
		binary.LittleEndian.PutUint64(b[8*i:], o)
	}
	return string(b)
}

// tableIndex holds an index's stored chunks, loaded once on first use by
// load (which lists them in file-index order) and then shared by every
// caller: Lookup goes through a map keyed by chunk offset.
type tableIndex struct {
	geom  *chunkGeom
	load  func() ([]ChunkInfo, error)
	once  sync.Once
	list  []ChunkInfo
	byKey map[string]int
	err   error
}

func (t *tableIndex) loaded() error {
	t.once.Do(func() {
		t.list, t.err = t.load()
		if t.err != nil {
			t.list = nil
			return
		}
		t.byKey = make(map[string]int, len(t.list))
		for i, ci := range t.list {
			t.byKey[chunkKey(ci.Offset)] = i
		}
	})
	return t.err
}

// Lookup implements ChunkIndex.
func (t *tableIndex) Lookup(offset []uint64) (ChunkInfo, bool, error) {
	if err := t.loaded(); err != nil {
		return ChunkInfo{}, false, err
	}
	i, ok := t.byKey[chunkKey(offset)]
	if !ok {
		return ChunkInfo{}, false, nil
	}
	return cloneInfo(t.list[i]), true, nil
}

// Chunks implements ChunkIndex.
func (t *tableIndex) Chunks() iter.Seq2[ChunkInfo, error] {
	return func(yield func(ChunkInfo, error) bool) {
		if err := t.loaded(); err != nil {
			yield(ChunkInfo{}, err)
			return
		}
		for _, ci := range t.list {
			if !yield(cloneInfo(ci), nil) {
				return
			}
		}
	}
}

// cloneInfo copies ci so that callers cannot alter the shared table.
func cloneInfo(ci ChunkInfo) ChunkInfo {
	ci.Offset = append([]uint64(nil), ci.Offset...)
	return ci
}

// arrayEntry is one element of a fixed or extensible array chunk index.
// Spec 3.0, Appendix C, "Fixed Array Index" and "Extensible Array Index":
// an unfiltered element (client ID 0) is a chunk address; a filtered one
// (client ID 1) is the address, the filtered chunk size in chunkSizeWidth
// bytes and the filter mask.
type arrayEntry struct {
	addr, size uint64
	mask       uint32
}

// entryCodec decodes array elements of one client ID and element size.
type entryCodec struct {
	sizes     binfmt.Sizes
	filtered  bool
	elemSize  int
	sizeWidth int
}

// newEntryCodec checks the element size an array header declares against
// what its client ID requires.
func newEntryCodec(sizes binfmt.Sizes, client, elemSize uint8, addr uint64, what string) (entryCodec, error) {
	ec := entryCodec{sizes: sizes, elemSize: int(elemSize)}
	switch client {
	case 0:
		if int(elemSize) != sizes.Offsets {
			return ec, binfmt.Errorf(addr, what, "element size %d for unfiltered chunks, want %d", elemSize, sizes.Offsets)
		}
	case 1:
		ec.filtered = true
		ec.sizeWidth = int(elemSize) - sizes.Offsets - 4
		if ec.sizeWidth < 1 || ec.sizeWidth > 8 {
			return ec, binfmt.Errorf(addr, what, "element size %d for filtered chunks", elemSize)
		}
	default:
		return ec, binfmt.Unsupported(addr, "%s client ID %d", what, client)
	}
	return ec, nil
}

// decode reads one element from c.
func (ec entryCodec) decode(c *binfmt.Cursor, chunkBytes uint64) arrayEntry {
	e := arrayEntry{addr: c.Offset(), size: chunkBytes}
	if ec.filtered {
		e.size = c.UintN(ec.sizeWidth)
		e.mask = c.Uint32()
	}
	return e
}

// pageInit reports whether bit i of a page initialization bitmap is set.
// libhdf5 numbers the bits from the most significant bit of each byte
// (H5VM_bit_get).
func pageInit(bitmap []byte, i uint64) bool {
	if i/8 >= uint64(len(bitmap)) {
		return false
	}
	return bitmap[i/8]&(0x80>>(i%8)) != 0
}
