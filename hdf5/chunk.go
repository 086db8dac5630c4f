package hdf5

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/internal/binfmt"
)

// chunkMap is a chunked dataset's loaded index: every stored chunk by its
// linear position in the chunk grid. It is built once per dataset (per
// File) from the chunk index and shared by all reads.
type chunkMap struct {
	grid   []uint64 // chunks per dimension
	chunks map[uint64]btree.ChunkInfo
}

type chunkMapEntry struct {
	once sync.Once
	m    *chunkMap
	err  error
}

// chunkDims returns the chunk shape and the decoded size of one chunk.
func (d *Dataset) chunkGeometry() ([]uint64, uint64, error) {
	cd := d.ChunkShape()
	shape := d.readShape()
	if len(cd) != len(shape) {
		return nil, 0, binfmt.Errorf(d.addr, "data layout message", "chunk rank %d, dataspace rank %d", len(cd), len(shape))
	}
	n := uint64(d.dtype.Size)
	for _, v := range cd {
		if v == 0 {
			return nil, 0, binfmt.Errorf(d.addr, "data layout message", "zero chunk dimension")
		}
		var ok bool
		if n, ok = binfmt.Mul(n, v); !ok {
			return nil, 0, binfmt.Errorf(d.addr, "data layout message", "chunk size overflows")
		}
	}
	if n > uint64(d.f.opts.maxChunkBytes) {
		return nil, 0, &binfmt.LimitError{Name: "MaxChunkBytes", Limit: d.f.opts.maxChunkBytes, Want: int64(min(n, 1<<62)), Addr: d.addr}
	}
	return cd, n, nil
}

// chunkIndex loads (once per File and dataset) the map of stored chunks.
func (d *Dataset) chunkIndex() (*chunkMap, error) {
	f := d.f
	f.mu.Lock()
	e, ok := f.chunkIdx[d.addr].(*chunkMapEntry)
	if !ok {
		e = &chunkMapEntry{}
		f.chunkIdx[d.addr] = e
	}
	f.mu.Unlock()
	e.once.Do(func() { e.m, e.err = d.loadChunkMap() })
	return e.m, e.err
}

func (d *Dataset) loadChunkMap() (*chunkMap, error) {
	cd, _, err := d.chunkGeometry()
	if err != nil {
		return nil, err
	}
	shape := d.readShape()
	m := &chunkMap{grid: make([]uint64, len(shape)), chunks: map[uint64]btree.ChunkInfo{}}
	for i := range shape {
		m.grid[i] = (shape[i] + cd[i] - 1) / cd[i]
	}
	l := d.layout
	p := btree.ChunkParams{
		Src:           d.f.src,
		LayoutVersion: l.Version,
		IndexType:     uint8(l.IndexType),
		IndexAddr:     l.IndexAddr,
		Dims:          shape,
		MaxDims:       d.MaxShape(),
		ChunkDims:     cd,
		ElemSize:      d.dtype.Size,
		Filtered:      d.pipeline != nil && len(d.pipeline.Filters) > 0,
		SingleSize:    l.FilteredSize,
		SingleMask:    l.FilterMask,
		FAPageBits:    l.FAPageBits,
		EAMaxBits:     l.EAMaxBits, EAIndexElems: l.EAIndexElements, EAMinPointers: l.EAMinPointers,
		EAMinElems: l.EAMinElements, EAPageBits: l.EAPageBits,
		BT2NodeSize: l.BT2NodeSize, BT2SplitPercent: l.BT2Split, BT2MergePercent: l.BT2Merge,
	}
	if l.IndexAddr == binfmt.Undef {
		return m, nil // nothing written yet: every chunk reads as fill
	}
	idx, err := btree.OpenChunkIndex(p)
	if err != nil {
		return nil, err
	}
	for ci, err := range idx.Chunks() {
		if err != nil {
			return nil, err
		}
		if ci.Addr == binfmt.Undef || len(ci.Offset) != len(shape) {
			continue
		}
		var key uint64
		inside := true
		for i := range shape {
			if ci.Offset[i]%cd[i] != 0 || ci.Offset[i] >= shape[i] {
				inside = false
				break
			}
			key = key*m.grid[i] + ci.Offset[i]/cd[i]
		}
		if inside {
			m.chunks[key] = ci
		}
	}
	return m, nil
}

// chunkTask is one chunk of a read: its grid coordinates and, for point
// selections, the points that fall in it.
type chunkTask struct {
	coord  []uint64
	points []int // indices into compiled.points
}

// readChunked is the parallel chunk engine. It plans the chunks the
// selection touches, then workers each read a chunk's stored bytes with one
// ReadAt, undo the filter pipeline into pooled buffers and scatter the
// result into disjoint runs of out, so no lock guards out.
func (d *Dataset) readChunked(ctx context.Context, c *compiled, out []byte) error {
	cd, chunkBytes, err := d.chunkGeometry()
	if err != nil {
		return err
	}
	m, err := d.chunkIndex()
	if err != nil {
		return err
	}
	tasks := d.planChunks(c, cd, m)
	workers := max(1, min(d.f.opts.concurrency, len(tasks)))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	var (
		errOnce  sync.Once
		firstErr error
		fillOnce sync.Once
		fillUnit []byte
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	fill := func() []byte {
		fillOnce.Do(func() {
			fv := d.fillValue()
			fillUnit = make([]byte, chunkBytes)
			for i := 0; i < len(fillUnit); i += len(fv) {
				copy(fillUnit[i:], fv)
			}
		})
		return fillUnit
	}
	work := make(chan chunkTask)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bufs := getChunkBufs()
			defer putChunkBufs(bufs)
			for t := range work {
				if ctx.Err() != nil {
					continue
				}
				if err := d.readChunk(c, cd, chunkBytes, m, t, out, bufs, fill); err != nil {
					fail(err)
				}
			}
		}()
	}
feed:
	for _, t := range tasks {
		select {
		case work <- t:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// planChunks lists the chunks the selection touches, in grid C order.
func (d *Dataset) planChunks(c *compiled, cd []uint64, m *chunkMap) []chunkTask {
	r := len(cd)
	if c.isPoints() {
		byKey := map[uint64]int{}
		var tasks []chunkTask
		for i, p := range c.points {
			var key uint64
			coord := make([]uint64, r)
			for k := range p {
				coord[k] = p[k] / cd[k]
				key = key*m.grid[k] + coord[k]
			}
			ti, ok := byKey[key]
			if !ok {
				ti = len(tasks)
				byKey[key] = ti
				tasks = append(tasks, chunkTask{coord: coord})
			}
			tasks[ti].points = append(tasks[ti].points, i)
		}
		return tasks
	}
	touch := make([][]uint64, r)
	total := 1
	for i := range c.dims {
		touch[i] = c.dims[i].touches(cd[i])
		total *= len(touch[i])
	}
	if total == 0 {
		return nil
	}
	tasks := make([]chunkTask, 0, total)
	idx := make([]int, r)
	for {
		coord := make([]uint64, r)
		for i := range idx {
			coord[i] = touch[i][idx[i]]
		}
		tasks = append(tasks, chunkTask{coord: coord})
		i := r - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(touch[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return tasks
}

// chunkBufs are one worker's reusable buffers: the stored bytes and the two
// pipeline stages' outputs.
type chunkBufs struct {
	raw, a, b []byte
	origin    []uint64
}

var chunkBufPool = sync.Pool{New: func() any { return new(chunkBufs) }}

func getChunkBufs() *chunkBufs  { return chunkBufPool.Get().(*chunkBufs) }
func putChunkBufs(b *chunkBufs) { chunkBufPool.Put(b) }

// readChunk fetches, decodes and scatters one chunk.
func (d *Dataset) readChunk(c *compiled, cd []uint64, chunkBytes uint64, m *chunkMap, t chunkTask, out []byte, bufs *chunkBufs, fill func() []byte) error {
	r := len(cd)
	shape := d.readShape()
	var key uint64
	edge := false
	if cap(bufs.origin) < r {
		bufs.origin = make([]uint64, r)
	}
	origin := bufs.origin[:r]
	for i := range t.coord {
		key = key*m.grid[i] + t.coord[i]
		origin[i] = t.coord[i] * cd[i]
		if origin[i]+cd[i] > shape[i] {
			edge = true
		}
	}
	var unit []byte
	info, ok := m.chunks[key]
	if !ok {
		unit = fill()
	} else {
		data, err := d.decodeChunk(info, chunkBytes, edge, bufs)
		if err != nil {
			return fmt.Errorf("hdf5: %s: chunk %v at 0x%x: %w", d.path, origin, info.Addr, err)
		}
		unit = data
	}
	es := uint64(d.dtype.Size)
	if c.isPoints() {
		for _, pi := range t.points {
			p := c.points[pi]
			var off uint64
			for k := range p {
				off = off*cd[k] + (p[k] - origin[k])
			}
			copy(out[uint64(pi)*es:uint64(pi+1)*es], unit[off*es:(off+1)*es])
		}
		return nil
	}
	c.unitRuns(origin, cd, es, func(br byteRun) bool {
		br.apply(out, unit, es)
		return true
	})
	return nil
}

// decodeChunk reads a chunk's stored bytes and undoes the filter pipeline.
// The result is exactly chunkBytes long and lives in bufs.
func (d *Dataset) decodeChunk(info btree.ChunkInfo, chunkBytes uint64, edge bool, bufs *chunkBufs) ([]byte, error) {
	if info.Size > uint64(d.f.opts.maxChunkBytes) {
		return nil, &binfmt.LimitError{Name: "MaxChunkBytes", Limit: d.f.opts.maxChunkBytes, Want: int64(min(info.Size, 1<<62)), Addr: info.Addr}
	}
	if err := d.f.src.Check(info.Addr, info.Size, "chunk"); err != nil {
		return nil, err
	}
	if uint64(cap(bufs.raw)) < info.Size {
		bufs.raw = make([]byte, info.Size)
	}
	raw := bufs.raw[:info.Size]
	if err := d.f.src.ReadInto(raw, info.Addr, "chunk"); err != nil {
		return nil, err
	}
	filtered := d.pipeline != nil && len(d.pipeline.Filters) > 0
	if edge && d.layout.Version >= 4 && d.layout.ChunkFlags&object.LayoutDontFilterPartialEdgeChunks != 0 {
		filtered = false // "do not filter partial edge chunks"
	}
	if !filtered {
		if uint64(len(raw)) < chunkBytes {
			return nil, binfmt.Errorf(info.Addr, "chunk", "stored %d bytes, chunk needs %d", len(raw), chunkBytes)
		}
		return raw[:chunkBytes], nil
	}
	out, a, b, err := d.fpipe.Decode(raw, info.FilterMask, int(chunkBytes), bufs.a, bufs.b)
	bufs.a, bufs.b = a, b
	if err != nil {
		var ce *filters.FilterError
		if errors.As(err, &ce) && errors.Is(err, filters.ErrChecksum) {
			return nil, fmt.Errorf("%w: %w", binfmt.ErrChecksum, err)
		}
		return nil, err
	}
	if uint64(len(out)) != chunkBytes {
		if uint64(len(out)) > chunkBytes {
			return nil, binfmt.Errorf(info.Addr, "chunk", "decodes to %d bytes, more than the chunk's %d", len(out), chunkBytes)
		}
		return nil, binfmt.Errorf(info.Addr, "chunk", "decodes to %d bytes, the chunk needs %d", len(out), chunkBytes)
	}
	// out may alias raw when every stage was skipped; either way it is ours
	// until the next chunk.
	return out, nil
}
