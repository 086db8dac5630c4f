package btree

import (
	"math/bits"

	"github.com/goh5/goh5/internal/binfmt"
)

// eaHeader is an Extensible Array header (signature "EAHD").
// Spec 3.0, Appendix C "The Extensible Array Index"
// (H5.format.html#ExtensibleArray): signature, version 0, client ID (0:
// unfiltered chunks, 1: filtered chunks), element size, "Max Number of
// Elements Bits", "Number of Elements in Index Block", "Minimum Number of
// Elements in Data Block", "Minimum Number of Data Block Pointers in Super
// Block", "Max Number of Elements in Data Block Page Bits", six statistics
// (lengths: super blocks, their size, data blocks, their size, max index
// set, elements realized), the index block address and a checksum.
type eaHeader struct {
	addr        uint64
	client      uint8
	elemSize    uint8
	maxBits     uint8
	idxElems    uint8
	minElems    uint8
	minPointers uint8
	pageBits    uint8
	maxIdxSet   uint64
	indexBlock  uint64

	// Derived geometry, as libhdf5's H5EA__hdr_init computes it.
	arrOffSize  int      // bytes of a block offset field: ceil(maxBits/8)
	pageNelmts  uint64   // elements per data block page: 2^pageBits
	sblk        []eaSblk // one per super block index
	iblkSblks   int      // super blocks whose data blocks the index block points to directly
	iblkDblks   int      // data block pointers in the index block
	iblkSblkPtr int      // super block pointers in the index block
}

// eaSblk is the geometry of super block u: 2^floor(u/2) data blocks of
// 2^ceil(u/2) * minElems elements each, starting at element startIdx (past
// the index block's elements) and at data block number startDblk.
type eaSblk struct {
	ndblks     uint64
	dblkNelmts uint64
	startIdx   uint64
	startDblk  uint64
	npages     uint64 // pages per data block; 0 when its data blocks are not paged
}

func readEAHeader(src *binfmt.Source, addr uint64) (*eaHeader, error) {
	const what = "extensible array header"
	n := uint64(4+1+1+6+4) + uint64(6*src.Sizes.Lengths+src.Sizes.Offsets)
	c, err := checkedCursor(src, addr, n, what)
	if err != nil {
		return nil, err
	}
	h := &eaHeader{addr: addr}
	c.Signature("EAHD")
	c.Version(0)
	h.client = c.Uint8()
	h.elemSize = c.Uint8()
	h.maxBits = c.Uint8()
	h.idxElems = c.Uint8()
	h.minElems = c.Uint8()
	h.minPointers = c.Uint8()
	h.pageBits = c.Uint8()
	for range 4 {
		c.Length() // super blocks, their size, data blocks, their size
	}
	h.maxIdxSet = c.Length()
	c.Length() // elements realized
	h.indexBlock = c.Offset()
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return h, h.initGeometry()
}

// initGeometry derives the super block table (H5EA__hdr_init) and the index
// block's shape (H5EA__iblock_alloc):
//
//	nsblks          = 1 + maxBits - log2(minElems)
//	sblk[u].ndblks  = 2^floor(u/2)
//	sblk[u].nelmts  = 2^ceil(u/2) * minElems (elements per data block)
//	index block:      2*log2(minPointers) super blocks' data blocks pointed
//	                  to directly (2*(minPointers-1) pointers), and one
//	                  pointer per remaining super block.
func (h *eaHeader) initGeometry() error {
	const what = "extensible array header"
	pow2 := func(v uint8) bool { return v != 0 && v&(v-1) == 0 }
	if !pow2(h.minElems) || !pow2(h.minPointers) {
		return binfmt.Errorf(h.addr, what, "data block minimum %d elements and super block minimum %d pointers must be powers of 2", h.minElems, h.minPointers)
	}
	minBits := bits.TrailingZeros8(h.minElems)
	if h.maxBits == 0 || h.maxBits > 64 || int(h.maxBits) < minBits {
		return binfmt.Errorf(h.addr, what, "max element bits %d", h.maxBits)
	}
	if h.pageBits >= 64 {
		return binfmt.Errorf(h.addr, what, "page bits %d", h.pageBits)
	}
	h.arrOffSize = (int(h.maxBits) + 7) / 8
	h.pageNelmts = uint64(1) << h.pageBits
	nsblks := 1 + int(h.maxBits) - minBits
	h.sblk = make([]eaSblk, nsblks)
	var start, startDblk uint64
	overflow := false
	for u := range h.sblk {
		s := &h.sblk[u]
		s.ndblks = uint64(1) << (u / 2)
		s.dblkNelmts = uint64(h.minElems) << ((u + 1) / 2)
		if s.dblkNelmts > h.pageNelmts {
			s.npages = s.dblkNelmts / h.pageNelmts
		}
		if overflow {
			// Indexes past 2^64: such a super block can never be reached.
			s.startIdx, s.startDblk = ^uint64(0), ^uint64(0)
			continue
		}
		s.startIdx, s.startDblk = start, startDblk
		size, ok := binfmt.Mul(s.ndblks, s.dblkNelmts)
		if ok {
			start, ok = binfmt.Add(start, size)
		}
		startDblk += s.ndblks
		overflow = !ok
	}
	h.iblkSblks = 2 * bits.TrailingZeros8(h.minPointers)
	h.iblkDblks = 2 * (int(h.minPointers) - 1)
	h.iblkSblkPtr = nsblks - h.iblkSblks
	if h.iblkSblkPtr < 0 {
		return binfmt.Errorf(h.addr, what, "%d super blocks, fewer than the index block's %d", nsblks, h.iblkSblks)
	}
	return nil
}

// openExtArrayIndex opens an extensible array chunk index. The dataset has
// exactly one unlimited dimension; entry i is the chunk at position i of the
// row-major chunk grid after the unlimited dimension has been moved first
// ("swizzled", libhdf5's H5D__earray_idx_get_addr), the other dimensions
// counting chunks over the maximum dimensions.
func openExtArrayIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	src := p.Src
	h, err := readEAHeader(src, p.IndexAddr)
	if err != nil {
		return nil, err
	}
	unlim := -1
	for d, m := range g.maxGrid {
		if m == unlimitedChunks {
			if unlim >= 0 {
				return nil, binfmt.Errorf(h.addr, "extensible array header", "dataset has more than one unlimited dimension")
			}
			unlim = d
		}
	}
	if unlim < 0 {
		return nil, binfmt.Errorf(h.addr, "extensible array header", "dataset has no unlimited dimension")
	}
	ec, err := newEntryCodec(src.Sizes, h.client, h.elemSize, h.addr, "extensible array header")
	if err != nil {
		return nil, err
	}
	if h.indexBlock == binfmt.Undef {
		return emptyIndex{}, nil
	}
	// The swizzled grid: unlimited dimension first (its extent does not
	// matter for the linearisation), then the others in order.
	sw := make([]uint64, 0, g.rank)
	sw = append(sw, unlimitedChunks)
	for d, m := range g.maxGrid {
		if d != unlim {
			sw = append(sw, m)
		}
	}
	ea := &eaReader{src: src, h: h, ec: ec, g: g, unlim: unlim, swGrid: sw, visited: map[uint64]bool{}}
	t := &tableIndex{geom: g}
	t.load = ea.load
	return t, nil
}

// eaReader walks one extensible array, once.
type eaReader struct {
	src     *binfmt.Source
	h       *eaHeader
	ec      entryCodec
	g       *chunkGeom
	unlim   int
	swGrid  []uint64
	visited map[uint64]bool
	list    []ChunkInfo
}

// visit records a block address, failing on a second visit: a corrupt file
// could otherwise share one block between many pointers or loop.
func (r *eaReader) visit(addr uint64, what string) error {
	if r.visited[addr] {
		return binfmt.Errorf(addr, what, "block referenced twice")
	}
	r.visited[addr] = true
	return nil
}

// add decodes n elements from c, element index first onwards.
func (r *eaReader) add(c *binfmt.Cursor, first, n uint64) error {
	for i := uint64(0); i < n; i++ {
		e := r.ec.decode(c, r.g.chunkBytes)
		if err := c.Err(); err != nil {
			return err
		}
		if e.addr == binfmt.Undef {
			continue
		}
		idx, ok := binfmt.Add(first, i)
		off, ok2 := r.offset(idx)
		if !ok || !ok2 {
			return binfmt.Errorf(c.Base(), c.What(), "element %d maps outside the chunk grid", first+i)
		}
		r.list = append(r.list, ChunkInfo{Addr: e.addr, Size: e.size, FilterMask: e.mask, Offset: off})
	}
	return nil
}

// offset maps an array index to a chunk's element offset (the inverse of
// the swizzled linearisation).
func (r *eaReader) offset(idx uint64) ([]uint64, bool) {
	rest := r.swGrid[1:]
	n, ok := gridSize(rest)
	if !ok || n == 0 {
		return nil, false
	}
	sc, ok := gridCoords(idx%n, rest)
	if !ok {
		return nil, false
	}
	scaled := make([]uint64, 0, r.g.rank)
	scaled = append(scaled, sc[:r.unlim]...)
	scaled = append(scaled, idx/n)
	scaled = append(scaled, sc[r.unlim:]...)
	return r.g.offsetOf(scaled)
}

func (r *eaReader) load() ([]ChunkInfo, error) {
	h, src := r.h, r.src
	const what = "extensible array index block"
	o := uint64(src.Sizes.Offsets)
	es := uint64(r.ec.elemSize)
	n := 4 + 1 + 1 + o + uint64(h.idxElems)*es + uint64(h.iblkDblks+h.iblkSblkPtr)*o + 4
	c, err := checkedCursor(src, h.indexBlock, n, what)
	if err != nil {
		return nil, err
	}
	c.Signature("EAIB")
	c.Version(0)
	r.checkOwner(c)
	if err := r.add(c, 0, uint64(h.idxElems)); err != nil {
		return nil, err
	}
	dblks := make([]uint64, h.iblkDblks)
	for i := range dblks {
		dblks[i] = c.Offset()
	}
	sblks := make([]uint64, h.iblkSblkPtr)
	for i := range sblks {
		sblks[i] = c.Offset()
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	// Data blocks of the first super blocks, pointed to by the index block.
	u := 0
	for j, a := range dblks {
		for u < len(h.sblk) && uint64(j) >= h.sblk[u].startDblk+h.sblk[u].ndblks {
			u++
		}
		if a == binfmt.Undef {
			continue
		}
		if u >= h.iblkSblks {
			return nil, binfmt.Errorf(h.indexBlock, what, "data block pointer %d beyond the index block's super blocks", j)
		}
		s := h.sblk[u]
		if s.npages != 0 {
			// libhdf5 keeps no page bitmap for these; its default
			// parameters never page them.
			return nil, binfmt.Unsupported(a, "paged extensible array data block in the index block")
		}
		first := uint64(h.idxElems) + s.startIdx + (uint64(j)-s.startDblk)*s.dblkNelmts
		if err := r.dataBlock(a, first, s.dblkNelmts); err != nil {
			return nil, err
		}
	}
	for k, a := range sblks {
		if a == binfmt.Undef {
			continue
		}
		if err := r.superBlock(a, h.iblkSblks+k); err != nil {
			return nil, err
		}
	}
	return r.list, nil
}

// checkOwner reads a block's client ID and header address and checks them
// against the header (libhdf5 rejects a block of another array).
func (r *eaReader) checkOwner(c *binfmt.Cursor) {
	if cl := c.Uint8(); c.Err() == nil && cl != r.h.client {
		c.Failf("client ID %d, header says %d", cl, r.h.client)
	}
	if ha := c.Offset(); c.Err() == nil && ha != r.h.addr {
		c.Failf("header address 0x%x, want 0x%x", ha, r.h.addr)
	}
}

// superBlock reads super block u ("EASB") and the data blocks it points to.
// Spec 3.0, Appendix C, "Extensible Array Secondary Block": signature,
// version, client ID, header address, block offset, the page initialization
// bitmaps of its data blocks (when they are paged; one bit per page,
// numbered across all its data blocks), the data block addresses and a
// checksum.
func (r *eaReader) superBlock(addr uint64, u int) error {
	const what = "extensible array super block"
	h, src := r.h, r.src
	if err := r.visit(addr, what); err != nil {
		return err
	}
	s := h.sblk[u]
	if s.startIdx == ^uint64(0) {
		return binfmt.Errorf(addr, what, "super block %d lies beyond 2^64 elements", u)
	}
	o := uint64(src.Sizes.Offsets)
	var bitmapLen uint64
	if s.npages != 0 {
		var ok bool
		if bitmapLen, ok = binfmt.Mul(s.ndblks, (s.npages+7)/8); !ok {
			return binfmt.Errorf(addr, what, "page bitmap size overflows")
		}
	}
	ptrs, ok := binfmt.Mul(s.ndblks, o)
	n := 4 + 1 + 1 + o + uint64(h.arrOffSize) + 4
	if ok {
		n, ok = binfmt.Add(n, ptrs)
	}
	if ok {
		n, ok = binfmt.Add(n, bitmapLen)
	}
	if !ok {
		return binfmt.Errorf(addr, what, "size overflows")
	}
	c, err := checkedCursor(src, addr, n, what) // checked against the file before allocating
	if err != nil {
		return err
	}
	c.Signature("EASB")
	c.Version(0)
	r.checkOwner(c)
	c.Skip(h.arrOffSize) // block offset: not needed to read
	bitmap := c.Bytes(int(bitmapLen))
	dblks := make([]uint64, s.ndblks)
	for i := range dblks {
		dblks[i] = c.Offset()
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return err
	}
	for k, a := range dblks {
		if a == binfmt.Undef {
			continue
		}
		first, ok := binfmt.Mul(uint64(k), s.dblkNelmts)
		if ok {
			first, ok = binfmt.Add(first, s.startIdx+uint64(h.idxElems))
		}
		if ok {
			_, ok = binfmt.Add(first, s.dblkNelmts)
		}
		if !ok || s.startIdx+uint64(h.idxElems) < s.startIdx {
			return binfmt.Errorf(addr, what, "element index overflows")
		}
		if s.npages == 0 {
			if err := r.dataBlock(a, first, s.dblkNelmts); err != nil {
				return err
			}
			continue
		}
		if err := r.pagedDataBlock(a, first, s, bitmap, uint64(k)); err != nil {
			return err
		}
	}
	return nil
}

// dataBlock reads an unpaged data block ("EADB") of nelmts elements.
// Spec 3.0, Appendix C, "Extensible Array Data Block": signature, version,
// client ID, header address, block offset, the elements (unless paged) and
// a checksum.
func (r *eaReader) dataBlock(addr, first, nelmts uint64) error {
	const what = "extensible array data block"
	if err := r.visit(addr, what); err != nil {
		return err
	}
	o := uint64(r.src.Sizes.Offsets)
	body, ok := binfmt.Mul(nelmts, uint64(r.ec.elemSize))
	n := 4 + 1 + 1 + o + uint64(r.h.arrOffSize) + 4
	if ok {
		n, ok = binfmt.Add(n, body)
	}
	if !ok {
		return binfmt.Errorf(addr, what, "size overflows")
	}
	c, err := checkedCursor(r.src, addr, n, what)
	if err != nil {
		return err
	}
	r.dataBlockPrefix(c)
	if err := r.add(c, first, nelmts); err != nil {
		return err
	}
	c.Checksum()
	return c.Err()
}

func (r *eaReader) dataBlockPrefix(c *binfmt.Cursor) {
	c.Signature("EADB")
	c.Version(0)
	r.checkOwner(c)
	c.Skip(r.h.arrOffSize)
}

// pagedDataBlock reads the initialized pages of data block k of super block
// s. The data block's prefix ends in its own checksum; each page of
// 2^pageBits elements follows it and ends in a checksum. Pages whose bit
// (k*npages + page) in the super block's bitmap is clear were never written.
func (r *eaReader) pagedDataBlock(addr, first uint64, s eaSblk, bitmap []byte, k uint64) error {
	const what = "extensible array data block"
	if err := r.visit(addr, what); err != nil {
		return err
	}
	o := uint64(r.src.Sizes.Offsets)
	prefix := 4 + 1 + 1 + o + uint64(r.h.arrOffSize) + 4
	c, err := checkedCursor(r.src, addr, prefix, what)
	if err != nil {
		return err
	}
	r.dataBlockPrefix(c)
	c.Checksum()
	if err := c.Err(); err != nil {
		return err
	}
	psize, ok := binfmt.Mul(r.h.pageNelmts, uint64(r.ec.elemSize))
	if !ok || psize > uint64(r.src.Size) {
		return binfmt.Errorf(addr, what, "page size overflows the file")
	}
	psize += 4
	for pg := uint64(0); pg < s.npages; pg++ {
		if !pageInit(bitmap, k*s.npages+pg) {
			continue
		}
		off, ok := binfmt.Mul(pg, psize)
		if ok {
			off, ok = binfmt.Add(off, prefix)
		}
		if ok {
			off, ok = binfmt.Add(off, addr)
		}
		if !ok {
			return binfmt.Errorf(addr, what, "page %d address overflows", pg)
		}
		pc, err := checkedCursor(r.src, off, psize, "extensible array data block page")
		if err != nil {
			return err
		}
		if err := r.add(pc, first+pg*r.h.pageNelmts, r.h.pageNelmts); err != nil {
			return err
		}
		pc.Checksum()
		if err := pc.Err(); err != nil {
			return err
		}
	}
	return nil
}
