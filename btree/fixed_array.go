package btree

import (
	"github.com/goh5/goh5/internal/binfmt"
)

// faHeader is a Fixed Array header (signature "FAHD").
// Spec 3.0, Appendix C "The Fixed Array Index" (H5.format.html#FixedArray):
// signature, version 0, client ID (0: unfiltered chunks, 1: filtered
// chunks), element size, "Max Data Block Page Element Count Bits", the
// number of elements (a length), the data block address and a checksum.
type faHeader struct {
	addr      uint64
	client    uint8
	elemSize  uint8
	pageBits  uint8
	nelmts    uint64
	dataBlock uint64
}

func readFAHeader(src *binfmt.Source, addr uint64) (*faHeader, error) {
	const what = "fixed array header"
	n := uint64(4+1+1+1+1+4) + uint64(src.Sizes.Lengths+src.Sizes.Offsets)
	c, err := checkedCursor(src, addr, n, what)
	if err != nil {
		return nil, err
	}
	h := &faHeader{addr: addr}
	c.Signature("FAHD")
	c.Version(0)
	h.client = c.Uint8()
	h.elemSize = c.Uint8()
	h.pageBits = c.Uint8()
	h.nelmts = c.Length()
	h.dataBlock = c.Offset()
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return h, nil
}

// faLayout is the geometry of a fixed array data block ("FADB").
// Spec 3.0, Appendix C "The Fixed Array Index", "Fixed Array Data Block":
// signature, version 0, client ID, header address, then either the
// elements (unpaged) or a page initialization bitmap (paged), then a
// checksum. A data block is paged when it holds more than 2^pageBits
// elements (libhdf5's H5FA__dblock_alloc); each page then follows the data
// block prefix, holds 2^pageBits elements (the last one the remainder) and
// ends in its own checksum.
type faLayout struct {
	paged      bool
	pageNelmts uint64 // elements per full page
	npages     uint64
	prefix     uint64 // bytes of the data block before the first page (checksum included)
	pageSize   uint64 // bytes of a full page, checksum included
}

func faGeometry(src *binfmt.Source, h *faHeader) (faLayout, error) {
	const what = "fixed array data block"
	es := uint64(h.elemSize)
	base := uint64(4 + 1 + 1 + src.Sizes.Offsets)
	var l faLayout
	if h.pageBits < 64 && h.nelmts > uint64(1)<<h.pageBits {
		l.paged = true
		l.pageNelmts = uint64(1) << h.pageBits
		l.npages = ceilDiv(h.nelmts, l.pageNelmts)
		l.prefix = base + (l.npages+7)/8 + 4 // npages < 2^64/2, no overflow
		ps, ok := binfmt.Mul(l.pageNelmts, es)
		if !ok || ps > uint64(src.Size) {
			return l, binfmt.Errorf(h.dataBlock, what, "page of %d %d-byte elements exceeds the file", l.pageNelmts, es)
		}
		l.pageSize = ps + 4
		return l, src.Check(h.dataBlock, l.prefix, what)
	}
	body, ok := binfmt.Mul(h.nelmts, es)
	if !ok {
		return l, binfmt.Errorf(h.dataBlock, what, "%d elements of %d bytes overflow", h.nelmts, es)
	}
	l.prefix, ok = binfmt.Add(base+4, body)
	if !ok {
		return l, binfmt.Errorf(h.dataBlock, what, "size overflows")
	}
	return l, src.Check(h.dataBlock, l.prefix, what)
}

// openFixedArrayIndex opens a fixed array chunk index. Entry i is the chunk
// at position i of the row-major chunk grid over the dataset's maximum
// dimensions (libhdf5's H5D__farray_idx_get_addr uses the "max down
// chunks"); fixed arrays index only datasets without unlimited dimensions.
func openFixedArrayIndex(p ChunkParams, g *chunkGeom) (ChunkIndex, error) {
	src := p.Src
	h, err := readFAHeader(src, p.IndexAddr)
	if err != nil {
		return nil, err
	}
	for d, m := range g.maxGrid {
		if m == unlimitedChunks {
			return nil, binfmt.Errorf(h.addr, "fixed array header", "dataset dimension %d is unlimited", d)
		}
	}
	ec, err := newEntryCodec(src.Sizes, h.client, h.elemSize, h.addr, "fixed array header")
	if err != nil {
		return nil, err
	}
	if h.dataBlock == binfmt.Undef {
		return emptyIndex{}, nil
	}
	l, err := faGeometry(src, h)
	if err != nil {
		return nil, err
	}
	t := &tableIndex{geom: g}
	t.load = func() ([]ChunkInfo, error) { return loadFixedArray(src, h, l, ec, g) }
	return t, nil
}

// loadFixedArray reads the data block (and its initialized pages) and lists
// the defined entries in array order.
func loadFixedArray(src *binfmt.Source, h *faHeader, l faLayout, ec entryCodec, g *chunkGeom) ([]ChunkInfo, error) {
	const what = "fixed array data block"
	var list []ChunkInfo
	add := func(c *binfmt.Cursor, first, n uint64) error {
		for i := uint64(0); i < n; i++ {
			e := ec.decode(c, g.chunkBytes)
			if c.Err() != nil {
				return c.Err()
			}
			if e.addr == binfmt.Undef {
				continue
			}
			s, ok := gridCoords(first+i, g.maxGrid)
			if !ok {
				return binfmt.Errorf(c.Base(), what, "element %d lies outside the %v chunk grid", first+i, g.maxGrid)
			}
			off, _ := g.offsetOf(s) // s < maxGrid: cannot overflow
			list = append(list, ChunkInfo{Addr: e.addr, Size: e.size, FilterMask: e.mask, Offset: off})
		}
		return nil
	}
	c, err := checkedCursor(src, h.dataBlock, l.prefix, what)
	if err != nil {
		return nil, err
	}
	c.Signature("FADB")
	c.Version(0)
	if cl := c.Uint8(); c.Err() == nil && cl != h.client {
		c.Failf("client ID %d, header says %d", cl, h.client)
	}
	if ha := c.Offset(); c.Err() == nil && ha != h.addr {
		c.Failf("header address 0x%x, want 0x%x", ha, h.addr)
	}
	if !l.paged {
		if err := add(c, 0, h.nelmts); err != nil {
			return nil, err
		}
		c.Checksum()
		return list, c.Err()
	}
	bitmap := c.Bytes(int((l.npages + 7) / 8))
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	const pwhat = "fixed array data block page"
	for pg := uint64(0); pg < l.npages; pg++ {
		if !pageInit(bitmap, pg) {
			continue // never written: every chunk of the page is unallocated
		}
		first := pg * l.pageNelmts
		n := min(l.pageNelmts, h.nelmts-first)
		// pg*pageSize: the page must lie in the file, so no overflow below
		// can go unnoticed; check it step by step anyway.
		off, ok := binfmt.Mul(pg, l.pageSize)
		if ok {
			off, ok = binfmt.Add(off, l.prefix)
		}
		if ok {
			off, ok = binfmt.Add(off, h.dataBlock)
		}
		if !ok {
			return nil, binfmt.Errorf(h.dataBlock, pwhat, "page %d address overflows", pg)
		}
		pc, err := checkedCursor(src, off, n*uint64(ec.elemSize)+4, pwhat)
		if err != nil {
			return nil, err
		}
		if err := add(pc, first, n); err != nil {
			return nil, err
		}
		pc.Checksum()
		if err := pc.Err(); err != nil {
			return nil, err
		}
	}
	return list, nil
}
