package hdf5

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	key    uint64
	stored bool
	info   btree.ChunkInfo
}

// readChunked is the parallel chunk engine. It plans the chunks the
// selection touches and groups chunks that lie next to each other in the
// file, so that each group costs one ReadAt. Workers then undo the filter
// pipeline of each chunk into pooled buffers and scatter the result into
// disjoint runs of out, so no lock guards out. Memory beyond out is bounded
// by the workers times a group's span and a chunk's size.
func (d *Dataset) readChunked(ctx context.Context, c *compiled, out []byte) error {
	cd, chunkBytes, err := d.chunkGeometry()
	if err != nil {
		return err
	}
	m, err := d.chunkIndex()
	if err != nil {
		return err
	}
	groups := d.groupChunks(d.planChunks(c, cd, m), m, cd, chunkBytes)
	workers := max(1, min(d.f.readConcurrency(ctx), len(groups)))
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
	run := func(g *chunkGroup, bufs *chunkBufs) {
		if err := d.readGroup(c, cd, chunkBytes, g, out, bufs, fill); err != nil {
			fail(err)
		}
	}
	if workers == 1 {
		// Serial: the same code path, without goroutines.
		bufs := getChunkBufs()
		defer putChunkBufs(bufs)
		for i := range groups {
			if ctx.Err() != nil {
				break
			}
			run(&groups[i], bufs)
		}
	} else {
		work := make(chan *chunkGroup)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				bufs := getChunkBufs()
				defer putChunkBufs(bufs)
				for g := range work {
					if ctx.Err() == nil {
						run(g, bufs)
					}
				}
			}()
		}
	feed:
		for i := range groups {
			select {
			case work <- &groups[i]:
			case <-ctx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
	}
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// A chunk group is a run of planned chunks read with one ReadAt: stored
// chunks that follow each other in the file with gaps of at most
// groupGap bytes, spanning at most groupSpan bytes. Unwritten chunks ride
// along in whichever group they fall.
type chunkGroup struct {
	tasks  []chunkTask
	lo, hi uint64 // file span of the group's stored chunks; lo == hi if none
}

const (
	groupGap   = 64 << 10
	groupSpan  = 8 << 20
	groupMaxCh = 64
)

func (d *Dataset) groupChunks(tasks []chunkTask, m *chunkMap, cd []uint64, chunkBytes uint64) []chunkGroup {
	var groups []chunkGroup
	start := 0 // first task of the open group
	for k := range tasks {
		t := &tasks[k]
		var key uint64
		for i := range t.coord {
			key = key*m.grid[i] + t.coord[i]
		}
		info, ok := m.chunks[key]
		t.key, t.stored = key, ok
		if ok {
			if len(d.fpipe) == 0 || info.Size == 0 {
				info.Size = chunkBytes // unfiltered chunks are stored whole
			}
			t.info = info
		}
		if n := len(groups); n > 0 {
			g := &groups[n-1]
			if k-start < groupMaxCh {
				if !ok {
					g.tasks = tasks[start : k+1]
					continue
				}
				if g.lo == g.hi || (info.Addr >= g.hi && info.Addr-g.hi <= groupGap && info.Addr+info.Size-g.lo <= groupSpan) {
					if g.lo == g.hi {
						g.lo = info.Addr
					}
					g.hi = info.Addr + info.Size
					g.tasks = tasks[start : k+1]
					continue
				}
			}
		}
		// Groups share the tasks array: each is a contiguous run of it.
		start = k
		g := chunkGroup{tasks: tasks[k : k+1]}
		if ok {
			g.lo, g.hi = info.Addr, info.Addr+info.Size
		}
		groups = append(groups, g)
	}
	return groups
}

// readGroup reads a group's file span once and decodes and scatters each of
// its chunks.
func (d *Dataset) readGroup(c *compiled, cd []uint64, chunkBytes uint64, g *chunkGroup, out []byte, bufs *chunkBufs, fill func() []byte) error {
	var span []byte
	if g.hi > g.lo {
		n := g.hi - g.lo
		if n > uint64(d.f.opts.maxChunkBytes)+groupSpan {
			return &binfmt.LimitError{Name: "MaxChunkBytes", Limit: d.f.opts.maxChunkBytes, Want: int64(min(n, 1<<62)), Addr: g.lo}
		}
		if err := d.f.src.Check(g.lo, n, "chunk"); err != nil {
			return fmt.Errorf("hdf5: %s: chunk %v: %w", d.path, g.tasks[0].coord, err)
		}
		if uint64(cap(bufs.raw)) < n {
			bufs.raw = make([]byte, n)
		}
		span = bufs.raw[:n]
		if err := d.f.src.ReadInto(span, g.lo, "chunk"); err != nil {
			return fmt.Errorf("hdf5: %s: chunks at 0x%x: %w", d.path, g.lo, err)
		}
	}
	for i := range g.tasks {
		t := &g.tasks[i]
		var raw []byte
		if t.stored {
			raw = span[t.info.Addr-g.lo : t.info.Addr-g.lo+t.info.Size]
		}
		if err := d.readChunk(c, cd, chunkBytes, t, raw, out, bufs, fill); err != nil {
			return err
		}
	}
	return nil
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
	coords := make([]uint64, total*r) // one backing array for every task's coordinates
	idx := make([]int, r)
	for k := 0; ; k++ {
		coord := coords[k*r : (k+1)*r : (k+1)*r]
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

// chunkBufs are one worker's reusable buffers: the stored bytes, the two
// pipeline stages' outputs and the scatter planner's scratch.
type chunkBufs struct {
	raw, a, b []byte
	origin    []uint64
	scratch   runScratch
}

var chunkBufPool = sync.Pool{New: func() any { return new(chunkBufs) }}

func getChunkBufs() *chunkBufs  { return chunkBufPool.Get().(*chunkBufs) }
func putChunkBufs(b *chunkBufs) { chunkBufPool.Put(b) }

// readChunk decodes one chunk from its stored bytes (nil for a chunk never
// written, which reads as the fill value) and scatters it into out.
func (d *Dataset) readChunk(c *compiled, cd []uint64, chunkBytes uint64, t *chunkTask, raw []byte, out []byte, bufs *chunkBufs, fill func() []byte) error {
	r := len(cd)
	shape := d.readShape()
	edge := false
	if cap(bufs.origin) < r {
		bufs.origin = make([]uint64, r)
	}
	origin := bufs.origin[:r]
	for i := range t.coord {
		origin[i] = t.coord[i] * cd[i]
		if origin[i]+cd[i] > shape[i] {
			edge = true
		}
	}
	es := uint64(d.dtype.Size)
	if t.stored && d.f.chunkCache == nil && !edge && !c.isPoints() && len(d.fpipe) > 0 {
		if at, ok := c.wholeUnitAt(origin, cd, es, chunkBytes, &bufs.scratch); ok {
			// The chunk fills one stretch of out: the last filter writes there.
			n, a, b, err := d.fpipe.DecodeInto(out[at:at+chunkBytes:at+chunkBytes], raw, t.info.FilterMask, bufs.a, bufs.b)
			bufs.a, bufs.b = a, b
			if err == nil && uint64(n) != chunkBytes {
				err = binfmt.Errorf(t.info.Addr, "chunk", "decodes to %d bytes, the chunk holds %d", n, chunkBytes)
			}
			if err != nil {
				return fmt.Errorf("hdf5: %s: chunk %v at 0x%x: %w", d.path, origin, t.info.Addr, filterErr(err))
			}
			return nil
		}
	}
	var unit []byte
	switch {
	case !t.stored:
		unit = fill()
	default:
		cache := d.f.chunkCache
		if cache != nil {
			unit = cache.get(d.addr, t.key)
		}
		if unit == nil {
			data, err := d.decodeChunk(t.info, raw, chunkBytes, edge, bufs)
			if err != nil {
				return fmt.Errorf("hdf5: %s: chunk %v at 0x%x: %w", d.path, origin, t.info.Addr, err)
			}
			unit = data
			if cache != nil {
				cache.put(d.addr, t.key, data)
			}
		}
	}
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
	c.unitRuns(origin, cd, es, &bufs.scratch, func(br byteRun) bool {
		br.apply(out, unit, es)
		return true
	})
	return nil
}

// decodeChunk undoes the filter pipeline on a chunk's stored bytes. The
// result is exactly chunkBytes long and lives in bufs (or in raw).
func (d *Dataset) decodeChunk(info btree.ChunkInfo, raw []byte, chunkBytes uint64, edge bool, bufs *chunkBufs) ([]byte, error) {
	filtered := len(d.fpipe) > 0
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
		return nil, filterErr(err)
	}
	if uint64(len(out)) != chunkBytes {
		return nil, binfmt.Errorf(info.Addr, "chunk", "decodes to %d bytes, the chunk holds %d", len(out), chunkBytes)
	}
	return out, nil
}

// filterErr makes a filter's checksum mismatch match binfmt.ErrChecksum too.
func filterErr(err error) error {
	if errors.Is(err, filters.ErrChecksum) {
		return fmt.Errorf("%w: %w", binfmt.ErrChecksum, err)
	}
	return err
}

// ChunkInfo locates one stored chunk of a chunked dataset.
type ChunkInfo = btree.ChunkInfo

// StoredChunks returns the dataset's stored chunks (those ever written and
// inside the current extent), in grid C order. It is nil for a dataset that
// is not chunked.
func (d *Dataset) StoredChunks() ([]ChunkInfo, error) {
	if d.layout.Class != 2 {
		return nil, nil
	}
	m, err := d.chunkIndex()
	if err != nil {
		return nil, err
	}
	keys := make([]uint64, 0, len(m.chunks))
	for k := range m.chunks {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]ChunkInfo, len(keys))
	for i, k := range keys {
		out[i] = m.chunks[k]
	}
	return out, nil
}

// StorageSize returns the bytes the dataset's data occupies in the file (the
// sum of its stored chunks, or the contiguous or compact size).
func (d *Dataset) StorageSize() (uint64, error) {
	switch d.layout.Class {
	case 0:
		return uint64(len(d.layout.CompactData)), nil
	case 1:
		if d.layout.Addr == binfmt.Undef {
			return 0, nil
		}
		return d.storageBytes(), nil
	case 2:
		cs, err := d.StoredChunks()
		var n uint64
		for _, c := range cs {
			n += c.Size
		}
		if d.pipeline == nil || len(d.pipeline.Filters) == 0 {
			_, cb, _ := d.chunkGeometry()
			n = cb * uint64(len(cs))
		}
		return n, err
	}
	return 0, nil
}
