package heap

import (
	"math/bits"

	"github.com/goh5/goh5/internal/binfmt"
)

// rowSize returns the size of the blocks in row r of the doubling table: the
// starting block size for rows 0 and 1, doubling in each row after.
func (f *Fractal) rowSize(r int) uint64 {
	if r == 0 {
		return f.StartBlockSize
	}
	return f.StartBlockSize << uint(r-1)
}

// rowOffset returns the heap offset of the first block of row r, relative to
// the start of the indirect block holding it.
func (f *Fractal) rowOffset(r int) uint64 {
	if r == 0 {
		return 0
	}
	return uint64(1) << uint(f.firstRowBits+r-1)
}

// locate returns the row and column, in an indirect block, of the block that
// holds relative heap offset rel.
func (f *Fractal) locate(rel uint64) (row, col int) {
	if rel < uint64(1)<<uint(f.firstRowBits) {
		return 0, int(rel >> uint(f.startBits))
	}
	row = bits.Len64(rel) - f.firstRowBits
	col = int((rel - f.rowOffset(row)) / f.rowSize(row))
	return row, col
}

// indirect is a decoded indirect block: the child addresses in row-major
// order, with the filtered sizes and masks of direct children when the heap
// has I/O filters.
type indirect struct {
	addr     uint64
	blockOff uint64
	nrows    int
	children []uint64
	fsize    []uint64 // filtered sizes of direct children (filtered heaps)
	fmask    []uint32
}

// direct is the location of one direct block.
type direct struct {
	addr      uint64
	blockOff  uint64
	size      uint64
	filtered  bool
	fsize     uint64
	filterMsk uint32
}

// readIndirect decodes the indirect block at addr, which must have nrows rows
// and start at heap offset blockOff.
//
// Spec 3.0, III.G "Fractal Heap Indirect Block" (H5.format.html#FractalHeap).
func (f *Fractal) readIndirect(addr uint64, nrows int, blockOff uint64) (*indirect, error) {
	const what = "fractal heap indirect block"
	if v, ok := f.cache.get(addr); ok {
		if ib, ok := v.(*indirect); ok && ib.nrows == nrows && ib.blockOff == blockOff {
			return ib, nil
		}
		return nil, binfmt.Errorf(addr, what, "block is reached twice with different positions")
	}
	O, L := f.src.Sizes.Offsets, f.src.Sizes.Lengths
	w := int(f.TableWidth)
	dRows := min(nrows, f.maxDirectRows)
	iRows := nrows - dRows
	dEntry := O
	filtered := f.Pipeline != nil
	if filtered {
		dEntry += L + 4
	}
	size := uint64(4+1+O+f.offSize) + uint64(dRows*w)*uint64(dEntry) + uint64(iRows*w)*uint64(O) + 4
	c, err := f.src.Cursor(addr, size, what)
	if err != nil {
		return nil, err
	}
	c.Signature("FHIB")
	c.Version(0)
	if h := c.Offset(); c.Err() == nil && h != f.Addr {
		c.Failf("heap header address 0x%x, want 0x%x", h, f.Addr)
	}
	if off := c.UintN(f.offSize); c.Err() == nil && off != blockOff {
		c.Failf("block offset %d, want %d", off, blockOff)
	}
	ib := &indirect{addr: addr, blockOff: blockOff, nrows: nrows, children: make([]uint64, nrows*w)}
	if filtered {
		ib.fsize = make([]uint64, dRows*w)
		ib.fmask = make([]uint32, dRows*w)
	}
	for i := range ib.children {
		ib.children[i] = c.Offset()
		if filtered && i < dRows*w {
			ib.fsize[i] = c.Length()
			ib.fmask[i] = c.Uint32()
		}
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	f.cache.put(addr, ib, int(size))
	return ib, nil
}

// findDirect walks the doubling table from the root to the direct block that
// holds heap offset off.
func (f *Fractal) findDirect(off uint64) (direct, error) {
	const what = "fractal heap"
	if f.RootAddr == binfmt.Undef {
		return direct{}, binfmt.Errorf(f.Addr, what, "heap offset %d: the heap has no managed blocks", off)
	}
	if f.RootRows == 0 {
		if off >= f.StartBlockSize {
			return direct{}, binfmt.Errorf(f.Addr, what, "heap offset %d outside the %d-byte root direct block", off, f.StartBlockSize)
		}
		return direct{addr: f.RootAddr, size: f.StartBlockSize, filtered: f.Pipeline != nil,
			fsize: f.RootFilteredLen, filterMsk: f.RootFilterMask}, nil
	}
	addr, nrows, blockOff := f.RootAddr, int(f.RootRows), uint64(0)
	visited := make(map[uint64]bool, 4)
	for depth := 0; ; depth++ {
		if depth >= maxIndirectDepth {
			return direct{}, binfmt.Errorf(addr, what, "indirect blocks nested deeper than %d", maxIndirectDepth)
		}
		if visited[addr] {
			return direct{}, binfmt.Errorf(addr, what, "indirect block cycle")
		}
		visited[addr] = true
		ib, err := f.readIndirect(addr, nrows, blockOff)
		if err != nil {
			return direct{}, err
		}
		rel := off - blockOff
		row, col := f.locate(rel)
		if row >= nrows || col >= int(f.TableWidth) {
			return direct{}, binfmt.Errorf(addr, "fractal heap indirect block", "heap offset %d lies beyond its %d rows", off, nrows)
		}
		i := row*int(f.TableWidth) + col
		child := ib.children[i]
		childOff := blockOff + f.rowOffset(row) + uint64(col)*f.rowSize(row)
		if child == binfmt.Undef {
			return direct{}, binfmt.Errorf(addr, "fractal heap indirect block", "heap offset %d lies in an unallocated block", off)
		}
		if row < f.maxDirectRows {
			d := direct{addr: child, blockOff: childOff, size: f.rowSize(row)}
			if ib.fsize != nil {
				d.filtered, d.fsize, d.filterMsk = true, ib.fsize[i], ib.fmask[i]
			}
			return d, nil
		}
		// A child indirect block in row r spans the rows whose blocks add
		// up to its size: log2(rowSize(r)) - firstRowBits + 1 rows, always
		// fewer than its parent's, so the walk ends.
		childRows := f.startBits + row - 1 - f.firstRowBits + 1
		if childRows <= 0 || childRows >= nrows {
			return direct{}, binfmt.Errorf(addr, "fractal heap indirect block", "child indirect block of %d rows", childRows)
		}
		addr, nrows, blockOff = child, childRows, childOff
	}
}

// readDirect returns the decoded bytes of direct block d, header included,
// so that heap offsets index it directly.
//
// Spec 3.0, III.G "Fractal Heap Direct Block" (H5.format.html#FractalHeap).
func (f *Fractal) readDirect(d direct) ([]byte, error) {
	const what = "fractal heap direct block"
	if v, ok := f.cache.get(d.addr); ok {
		if b, ok := v.([]byte); ok && uint64(len(b)) == d.size {
			return b, nil
		}
		return nil, binfmt.Errorf(d.addr, what, "block is reached twice with different sizes")
	}
	var b []byte
	var err error
	if d.filtered {
		if d.size > maxFilteredBlockSize {
			return nil, &binfmt.LimitError{Name: "MaxHeapObject", Limit: maxFilteredBlockSize, Want: int64(d.size), Addr: d.addr}
		}
		raw, err := f.src.ReadAt(d.addr, d.fsize, what)
		if err != nil {
			return nil, err
		}
		out, _, _, err := f.Pipeline.Decode(raw, d.filterMsk, int(d.size), nil, nil)
		if err != nil {
			return nil, binfmt.Wrap(d.addr, what, err, "decoding filtered block")
		}
		if uint64(len(out)) != d.size {
			return nil, binfmt.Errorf(d.addr, what, "filtered block decodes to %d bytes, want %d", len(out), d.size)
		}
		b = out
	} else {
		b, err = f.src.ReadAt(d.addr, d.size, what)
		if err != nil {
			return nil, err
		}
	}
	if err := f.checkDirect(b, d); err != nil {
		return nil, err
	}
	f.cache.put(d.addr, b, len(b))
	return b, nil
}

// checkDirect verifies a direct block's header and, when the heap header says
// so, its checksum: lookup3 over the whole block with the checksum field
// zeroed (libhdf5's H5HF__cache_dblock_verify_chksum).
func (f *Fractal) checkDirect(b []byte, d direct) error {
	c := binfmt.NewCursor(b, f.src.Sizes, d.addr, "fractal heap direct block")
	c.Signature("FHDB")
	c.Version(0)
	if h := c.Offset(); c.Err() == nil && h != f.Addr {
		c.Failf("heap header address 0x%x, want 0x%x", h, f.Addr)
	}
	if off := c.UintN(f.offSize); c.Err() == nil && off != d.blockOff {
		c.Failf("block offset %d, want %d", off, d.blockOff)
	}
	if err := c.Err(); err != nil {
		return err
	}
	if f.Flags&flagChecksumDirect == 0 || f.src.SkipChecksums {
		return nil
	}
	p := c.Pos()
	stored := c.Uint32()
	if err := c.Err(); err != nil {
		return err
	}
	var saved [4]byte
	copy(saved[:], b[p:p+4])
	clear(b[p : p+4])
	sum := binfmt.Lookup3(b, 0)
	copy(b[p:p+4], saved[:])
	if sum != stored {
		return binfmt.Wrap(d.addr+uint64(p), "fractal heap direct block", binfmt.ErrChecksum,
			"stored checksum 0x%08x, computed 0x%08x", stored, sum)
	}
	return nil
}

// getManaged returns a managed object: the ID holds its heap offset and
// length, and the object lies in one direct block.
func (f *Fractal) getManaged(id []byte) ([]byte, error) {
	const what = "fractal heap ID"
	if len(id) < 1+f.offSize+f.lenSize {
		return nil, binfmt.Errorf(f.Addr, what, "managed heap ID of %d bytes, need %d", len(id), 1+f.offSize+f.lenSize)
	}
	c := binfmt.NewCursor(id, f.src.Sizes, f.Addr, what)
	c.Skip(1)
	off := c.UintN(f.offSize)
	n := c.UintN(f.lenSize)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, binfmt.Errorf(f.Addr, what, "managed object of length 0 at heap offset %d", off)
	}
	if f.MaxHeapBits < 64 && off >= uint64(1)<<f.MaxHeapBits {
		return nil, binfmt.Errorf(f.Addr, what, "heap offset %d beyond the %d-bit heap", off, f.MaxHeapBits)
	}
	if err := f.limit(n, f.Addr); err != nil {
		return nil, err
	}
	d, err := f.findDirect(off)
	if err != nil {
		return nil, err
	}
	rel := off - d.blockOff
	if rel < uint64(f.dblockHdr) || n > d.size || rel > d.size-n {
		return nil, binfmt.Errorf(d.addr, "fractal heap direct block", "object of %d bytes at heap offset %d lies outside the block's data", n, off)
	}
	b, err := f.readDirect(d)
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b[rel:rel+n]...), nil
}

// walkDirect calls fn for every allocated direct block of the heap, in heap
// offset order, walking indirect blocks with a visited set and a depth cap.
func (f *Fractal) walkDirect(fn func(d direct) error) error {
	if f.RootAddr == binfmt.Undef {
		return nil
	}
	if f.RootRows == 0 {
		return fn(direct{addr: f.RootAddr, size: f.StartBlockSize, filtered: f.Pipeline != nil,
			fsize: f.RootFilteredLen, filterMsk: f.RootFilterMask})
	}
	visited := make(map[uint64]bool)
	var walk func(addr uint64, nrows int, blockOff uint64, depth int) error
	walk = func(addr uint64, nrows int, blockOff uint64, depth int) error {
		if depth >= maxIndirectDepth {
			return binfmt.Errorf(addr, "fractal heap", "indirect blocks nested deeper than %d", maxIndirectDepth)
		}
		if visited[addr] {
			return binfmt.Errorf(addr, "fractal heap", "indirect block cycle")
		}
		visited[addr] = true
		ib, err := f.readIndirect(addr, nrows, blockOff)
		if err != nil {
			return err
		}
		w := int(f.TableWidth)
		for i, child := range ib.children {
			if child == binfmt.Undef {
				continue
			}
			row, col := i/w, i%w
			off := blockOff + f.rowOffset(row) + uint64(col)*f.rowSize(row)
			if row < f.maxDirectRows {
				d := direct{addr: child, blockOff: off, size: f.rowSize(row)}
				if ib.fsize != nil {
					d.filtered, d.fsize, d.filterMsk = true, ib.fsize[i], ib.fmask[i]
				}
				if err := fn(d); err != nil {
					return err
				}
				continue
			}
			childRows := row - f.widthBits
			if childRows <= 0 || childRows >= nrows {
				return binfmt.Errorf(addr, "fractal heap indirect block", "child indirect block of %d rows", childRows)
			}
			if err := walk(child, childRows, off, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(f.RootAddr, int(f.RootRows), 0, 0)
}
