package hdf5

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/goh5/goh5/hdf5/internal/h5s"
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// This file reads virtual datasets (VDS, layout class 3). Each mapping of
// the dataset's global heap block takes the elements a source selection
// picks in a source dataset and puts them, in order, where the virtual
// selection says. Unmapped elements, and those whose source file or
// dataset cannot be opened, read as the fill value, as libhdf5 does. The
// view is libhdf5's default, H5D_VDS_LAST_AVAILABLE, with a printf gap of 0.

// Limits on virtual datasets.
const (
	// maxVirtualDepth bounds virtual datasets whose sources are virtual
	// datasets (a mapping may even name its own dataset).
	maxVirtualDepth = 8
	// maxPrintfSources bounds the source files probed for one printf-style
	// mapping ("%b" in its names).
	maxPrintfSources = 1 << 16
)

// vdsMapping is one entry of a virtual dataset's mapping list.
type vdsMapping struct {
	file, dset string // source file ("." for this file) and dataset names, as stored
	src, virt  *h5s.Selection
	printf     bool   // the virtual selection is unlimited and the source one is not
	clip       uint64 // unlimited mappings: the virtual extent this mapping fills
}

// vdsInfo is what a virtual dataset's reads need, worked out once.
type vdsInfo struct {
	maps  []vdsMapping
	space *types.Dataspace // with the extent libhdf5 computes
}

// vdsState caches a virtual dataset's vdsInfo.
type vdsState struct {
	info atomic.Pointer[vdsInfo]
}

// decodeVDSBlock decodes a virtual dataset's mapping list.
// Spec 3.0, III.F "Disk Format: Level 1F - Global Heap Block for Virtual
// Datasets" (H5.format.html#VirtualDatasetGlobalHeapBlock):
//
//	Version (1) = 0 | Number of Entries (size of lengths)
//	per entry: Source Filename (NUL-terminated) | Source Dataset
//	           (NUL-terminated) | Source Selection | Virtual Selection
//	Checksum (4, lookup3 over the bytes before it)
func decodeVDSBlock(b []byte, sizes binfmt.Sizes, addr uint64) ([]vdsMapping, error) {
	const what = "virtual dataset global heap block"
	c := binfmt.NewCursor(b, sizes, addr, what)
	c.Version(0)
	n := c.Length()
	if err := c.Err(); err != nil {
		return nil, err
	}
	// Each entry takes at least two NULs and two 16-byte selections.
	if err := binfmt.CheckCount(n, 34, uint64(c.Len()), addr, what); err != nil {
		return nil, err
	}
	maps := make([]vdsMapping, 0, n)
	cstr := func() string {
		rest := c.Buf()[c.Pos():]
		i := strings.IndexByte(string(rest), 0)
		if i < 0 {
			c.Failf("unterminated name")
			return ""
		}
		s := string(rest[:i])
		c.Skip(i + 1)
		return s
	}
	sel := func() *h5s.Selection {
		if c.Err() != nil {
			return nil
		}
		s, k, err := h5s.Decode(c.Buf()[c.Pos():], c.Addr())
		if err != nil {
			c.Fail(err)
			return nil
		}
		c.Skip(k)
		return s
	}
	for i := uint64(0); i < n && c.Err() == nil; i++ {
		var m vdsMapping
		m.file = cstr()
		m.dset = cstr()
		m.src = sel()
		m.virt = sel()
		maps = append(maps, m)
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return maps, nil
}

type vdsDepthKey struct{}

// virtualInfo returns the dataset's mappings and extent, computing them on
// first use. depth counts the virtual datasets being resolved above this
// one.
func (d *Dataset) virtualInfo(depth int) (*vdsInfo, error) {
	if d.vds == nil {
		return nil, fmt.Errorf("hdf5: %s is not a virtual dataset", d.path)
	}
	if info := d.vds.info.Load(); info != nil {
		return info, nil
	}
	if depth > maxVirtualDepth {
		return nil, &binfmt.LimitError{Name: "virtual dataset nesting", Limit: maxVirtualDepth, Addr: d.addr}
	}
	raw, err := d.f.global.Get(d.layout.HeapAddr, d.layout.HeapIndex)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %s: virtual dataset mappings: %w", d.path, err)
	}
	maps, err := decodeVDSBlock(raw, d.f.src.Sizes, d.layout.HeapAddr)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %s: %w", d.path, err)
	}
	if d.space.Kind != types.SpaceSimple && len(maps) > 0 {
		return nil, &binfmt.UnsupportedError{Feature: "virtual dataset with a scalar dataspace", Addr: d.addr, HasAddr: true}
	}
	rank := len(d.space.Dims)
	if rank == 0 && len(maps) > 0 {
		return nil, &binfmt.UnsupportedError{Feature: "virtual dataset of rank 0", Addr: d.addr, HasAddr: true}
	}
	for i := range maps {
		m := &maps[i]
		if m.virt.Type != h5s.SelAll && m.virt.Rank != rank {
			return nil, binfmt.Errorf(d.addr, "virtual dataset mapping", "mapping %d: virtual selection of rank %d in a rank-%d dataset", i, m.virt.Rank, rank)
		}
		m.printf = m.virt.UnlimDim() >= 0 && m.src.UnlimDim() < 0
		if m.printf && !hasBlockSpec(m.file) && !hasBlockSpec(m.dset) {
			return nil, binfmt.Errorf(d.addr, "virtual dataset mapping", "mapping %d: unlimited virtual selection with a limited source selection needs %%b in the source names", i)
		}
	}
	space, err := d.virtualExtent(maps, depth)
	if err != nil {
		return nil, err
	}
	info := &vdsInfo{maps: maps, space: space}
	d.vds.info.CompareAndSwap(nil, info)
	return d.vds.info.Load(), nil
}

// virtualExtent computes the dataset's extent the way libhdf5 does when it
// opens a virtual dataset (H5D__virtual_set_extent_unlim, view
// H5D_VDS_LAST_AVAILABLE): in each dimension that an unlimited mapping
// covers, the largest extent any such mapping's available source data
// reaches, and no less than what the fixed mappings reach. It records each
// unlimited mapping's own extent in clip.
func (d *Dataset) virtualExtent(maps []vdsMapping, depth int) (*types.Dataspace, error) {
	rank := len(d.space.Dims)
	newDims := make([]uint64, rank)
	set := make([]bool, rank)
	minDims := make([]uint64, rank)
	for i := range maps {
		m := &maps[i]
		if me, ok := m.virt.MinExtent(rank); ok {
			for k := range minDims {
				minDims[k] = max(minDims[k], me[k])
			}
		}
		u := m.virt.UnlimDim()
		if u < 0 {
			continue
		}
		var clip uint64
		if !m.printf {
			src, err := d.vdsSource(m.file, m.dset)
			if err != nil {
				return nil, err
			}
			if src != nil {
				sdims, err := src.currentDims(depth + 1)
				if err != nil {
					return nil, err
				}
				su := m.src.UnlimDim()
				if su >= len(sdims) {
					return nil, binfmt.Errorf(d.addr, "virtual dataset mapping", "mapping %d: source selection of rank %d for a rank-%d source", i, m.src.Rank, len(sdims))
				}
				if clip, err = m.virt.ClipExtentMatch(m.src, sdims[su]); err != nil {
					return nil, fmt.Errorf("hdf5: %s: mapping %d: %w", d.path, i, err)
				}
			}
		} else {
			// Probe sources 0, 1, ... up to the first missing one (a printf
			// gap of 0); the extent ends with the last present block.
			var firstMissing uint64
			for j := uint64(0); j <= firstMissing && j < maxPrintfSources; j++ {
				src, err := d.vdsSource(expandBlock(m.file, j), expandBlock(m.dset, j))
				if err != nil {
					return nil, err
				}
				if src != nil {
					firstMissing = j + 1
				}
			}
			if firstMissing > 0 {
				blk, err := m.virt.UnlimBlock(firstMissing - 1)
				if err != nil {
					return nil, fmt.Errorf("hdf5: %s: mapping %d: %w", d.path, i, err)
				}
				clip = blk.Start[u] + blk.Block[u]
			}
		}
		m.clip = clip
		if !set[u] || clip > newDims[u] {
			newDims[u], set[u] = clip, true
		}
	}
	sp := *d.space
	sp.Dims = append([]uint64(nil), d.space.Dims...)
	for k := range sp.Dims {
		if set[k] {
			sp.Dims[k] = max(newDims[k], minDims[k])
		}
	}
	return &sp, nil
}

// currentDims returns a dataset's current extent: for a virtual dataset,
// the one computed from its sources.
func (d *Dataset) currentDims(depth int) ([]uint64, error) {
	if d.layout.Class != 3 {
		return d.space.Dims, nil
	}
	info, err := d.virtualInfo(depth)
	if err != nil {
		return nil, err
	}
	return info.space.Dims, nil
}

// effSpace is the dataspace reads and Shape work on: the stored one, or for
// a virtual dataset the one with the extent computed from its sources (the
// stored one when that cannot be computed; reads then report why).
func (d *Dataset) effSpace() *types.Dataspace {
	if d.layout.Class != 3 || d.vds == nil {
		return d.space
	}
	info, err := d.virtualInfo(0)
	if err != nil {
		return d.space
	}
	return info.space
}

// hasBlockSpec reports whether a source name holds a %b specifier.
func hasBlockSpec(name string) bool {
	for i := 0; i+1 < len(name); i++ {
		if name[i] == '%' {
			if name[i+1] == 'b' {
				return true
			}
			i++
		}
	}
	return false
}

// expandBlock substitutes block number j for each %b in a source name and
// turns %% into %, as libhdf5's H5D__virtual_build_source_name does.
func expandBlock(name string, j uint64) string {
	if !strings.Contains(name, "%") {
		return name
	}
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		if name[i] == '%' && i+1 < len(name) {
			switch name[i+1] {
			case 'b':
				b.WriteString(strconv.FormatUint(j, 10))
				i++
				continue
			case '%':
				b.WriteByte('%')
				i++
				continue
			}
		}
		b.WriteByte(name[i])
	}
	return b.String()
}

// vdsSource opens a mapping's source dataset. A source file or dataset that
// cannot be opened is missing (nil, nil), as libhdf5 treats it: its
// elements read as the fill value.
func (d *Dataset) vdsSource(file, dset string) (*Dataset, error) {
	f := d.f
	if file != "." {
		ef, err := d.f.externalFile(file)
		if err != nil {
			return nil, nil
		}
		f = ef
	}
	src, err := f.Dataset(dset)
	if err != nil {
		return nil, nil
	}
	return src, nil
}

// readVirtual reads a selection of a virtual dataset into out, in the
// dataset's stored byte order (ReadContext converts it).
func (d *Dataset) readVirtual(ctx context.Context, c *compiled, out []byte) error {
	depth, _ := ctx.Value(vdsDepthKey{}).(int)
	if depth > maxVirtualDepth {
		return &binfmt.LimitError{Name: "virtual dataset nesting", Limit: maxVirtualDepth, Addr: d.addr}
	}
	info, err := d.virtualInfo(depth)
	if err != nil {
		return err
	}
	if c.n == 0 {
		return nil
	}
	shape := info.space.Dims
	rank := len(shape)
	es := uint64(d.dtype.Size)
	// Assemble the selection's bounding box, then scatter it into out the
	// way a chunk is.
	lo, hi := c.bounds(shape)
	ext := make([]uint64, rank)
	vol := uint64(1)
	for k := range ext {
		ext[k] = hi[k] - lo[k] + 1
		var ok bool
		if vol, ok = binfmt.Mul(vol, ext[k]); !ok {
			vol = ^uint64(0)
		}
	}
	boxBytes, ok := binfmt.Mul(vol, es)
	if !ok || boxBytes > uint64(d.f.opts.maxReadBytes) {
		return &binfmt.LimitError{Name: "MaxReadBytes", Limit: d.f.opts.maxReadBytes, Addr: d.addr}
	}
	box := make([]byte, boxBytes)
	fill := d.fillValue()
	for i := uint64(0); i < boxBytes; i += es {
		copy(box[i:], fill)
	}
	sub := context.WithValue(ctx, vdsDepthKey{}, depth+1)
	p := &vdsPlacer{d: d, ctx: sub, lo: lo, hi: hi, ext: ext, box: box, es: es}
	for i := range info.maps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.mapping(i, &info.maps[i], shape); err != nil {
			return err
		}
	}
	if c.isPoints() {
		for i, pt := range c.points {
			off := uint64(0)
			for k := range pt {
				off = off*ext[k] + (pt[k] - lo[k])
			}
			copy(out[uint64(i)*es:], box[off*es:(off+1)*es])
		}
		return nil
	}
	c.unitRuns(lo, ext, es, nil, func(br byteRun) bool {
		br.apply(out, box, es)
		return true
	})
	return nil
}

// bounds returns the smallest box holding a non-empty compiled selection.
func (c *compiled) bounds(shape []uint64) (lo, hi []uint64) {
	r := len(shape)
	lo, hi = make([]uint64, r), make([]uint64, r)
	if c.isPoints() {
		for i, p := range c.points {
			for k, v := range p {
				if i == 0 || v < lo[k] {
					lo[k] = v
				}
				if i == 0 || v > hi[k] {
					hi[k] = v
				}
			}
		}
		return lo, hi
	}
	for k, ds := range c.dims {
		first := true
		for _, rn := range ds.runs {
			if rn.n == 0 {
				continue
			}
			a, b := rn.span()
			if first || a < lo[k] {
				lo[k] = a
			}
			if first || b > hi[k] {
				hi[k] = b
			}
			first = false
		}
	}
	return lo, hi
}

// vdsPlacer copies source elements into the box [lo, hi] of the virtual
// dataset.
type vdsPlacer struct {
	d      *Dataset
	ctx    context.Context
	lo, hi []uint64
	ext    []uint64
	box    []byte
	es     uint64
}

// limits returns the bounds a selection is clipped to: the extent for an
// "all" selection, no bound elsewhere except clip in dimension u (u < 0:
// none).
func limits(sel *h5s.Selection, dims []uint64, u int, clip uint64) []uint64 {
	lim := make([]uint64, len(dims))
	for k := range lim {
		lim[k] = h5s.Unlimited
		if sel.Type == h5s.SelAll {
			lim[k] = dims[k]
		}
	}
	if u >= 0 {
		lim[u] = clip
	}
	return lim
}

// mapping places one mapping's elements.
func (p *vdsPlacer) mapping(i int, m *vdsMapping, shape []uint64) error {
	d := p.d
	u := m.virt.UnlimDim()
	if !m.printf {
		vlim := limits(m.virt, shape, u, min(m.clip, dimAt(shape, u)))
		if !p.touches(m.virt, vlim) {
			return nil
		}
		src, err := d.vdsSource(m.file, m.dset)
		if err != nil || src == nil {
			return err
		}
		return p.place(i, m.virt, vlim, src, m.src)
	}
	// printf: block j of the unlimited dimension comes from source j.
	start, stride, block := m.virt.Start[u], m.virt.Stride[u], m.virt.Block[u]
	if p.hi[u] < start || block == 0 {
		return nil
	}
	jlo := uint64(0)
	if stride > 0 && p.lo[u] >= start+block {
		jlo = (p.lo[u]-start-block)/stride + 1
	}
	jhi := uint64(0)
	if stride > 0 {
		jhi = (p.hi[u] - start) / stride
	}
	for j := jlo; j <= jhi && j < maxPrintfSources; j++ {
		blk, err := m.virt.UnlimBlock(j)
		if err != nil {
			return fmt.Errorf("hdf5: %s: mapping %d: %w", d.path, i, err)
		}
		vlim := limits(blk, shape, -1, 0)
		if !p.touches(blk, vlim) {
			continue
		}
		src, err := d.vdsSource(expandBlock(m.file, j), expandBlock(m.dset, j))
		if err != nil {
			return err
		}
		if src == nil {
			continue
		}
		if err := p.place(i, blk, vlim, src, m.src); err != nil {
			return err
		}
	}
	return nil
}

func dimAt(shape []uint64, u int) uint64 {
	if u < 0 || u >= len(shape) {
		return 0
	}
	return shape[u]
}

// touches reports whether the selection, clipped to lim, reaches the box.
func (p *vdsPlacer) touches(sel *h5s.Selection, lim []uint64) bool {
	lo, hi, ok, err := sel.Bounds(lim)
	if err != nil {
		return true // place reports it
	}
	if !ok {
		return false
	}
	for k := range lo {
		if hi[k] < p.lo[k] || lo[k] > p.hi[k] {
			return false
		}
	}
	return true
}

// place reads the source selection's elements and copies them, in order,
// to the virtual selection's positions inside the box.
func (p *vdsPlacer) place(i int, virt *h5s.Selection, vlim []uint64, src *Dataset, ssel *h5s.Selection) error {
	d := p.d
	es := p.es
	if err := vdsCompatible(d, src); err != nil {
		return err
	}
	sdims, err := src.currentDims(0)
	if err != nil {
		return err
	}
	slim := limits(ssel, sdims, ssel.UnlimDim(), dimAt(sdims, ssel.UnlimDim()))
	nv, err := virt.NumElements(vlim)
	if err != nil {
		return fmt.Errorf("hdf5: %s: mapping %d: %w", d.path, i, err)
	}
	ns, err := ssel.NumElements(slim)
	if err != nil {
		return fmt.Errorf("hdf5: %s: mapping %d: %w", d.path, i, err)
	}
	if nv != ns {
		return binfmt.Errorf(d.addr, "virtual dataset mapping", "mapping %d selects %d elements of the virtual dataset and %d of source %s", i, nv, ns, src.path)
	}
	if nv == 0 {
		return nil
	}
	need, ok := binfmt.Mul(nv, es)
	if !ok || need > uint64(d.f.opts.maxReadBytes) {
		return &binfmt.LimitError{Name: "MaxReadBytes", Limit: d.f.opts.maxReadBytes, Addr: d.addr}
	}
	data, err := p.readSource(src, ssel, slim, need)
	if err != nil {
		return fmt.Errorf("hdf5: %s: mapping %d: source %s: %w", d.path, i, src.path, err)
	}
	// Source reads come little-endian; the box holds the stored order.
	toNative(d.dtype, data)
	r := len(p.lo)
	var idx uint64
	return virt.Walk(vlim, func(row h5s.Row) bool {
		base := idx
		idx += row.N
		off := uint64(0)
		for k := 0; k < r-1; k++ {
			v := row.Prefix[k]
			if v < p.lo[k] || v > p.hi[k] {
				return true
			}
			off = off*p.ext[k] + (v - p.lo[k])
		}
		a, b := max(row.Start, p.lo[r-1]), min(row.Start+row.N-1, p.hi[r-1])
		if row.N == 0 || a > b {
			return true
		}
		off = off*p.ext[r-1] + (a - p.lo[r-1])
		si := base + (a - row.Start)
		n := b - a + 1
		copy(p.box[off*es:(off+n)*es], data[si*es:(si+n)*es])
		return true
	})
}

// readSource reads a source selection's elements, in selection order,
// little-endian.
func (p *vdsPlacer) readSource(src *Dataset, ssel *h5s.Selection, slim []uint64, need uint64) ([]byte, error) {
	es := p.es
	data := make([]byte, need)
	if ssel.Type == h5s.SelPoints {
		return data, src.ReadContext(p.ctx, Points(ssel.Points), data)
	}
	if len(slim) == 0 {
		return data, src.ReadContext(p.ctx, nil, data)
	}
	// Read the selection's bounding box, then gather its rows.
	lo, hi, ok, err := ssel.Bounds(slim)
	if err != nil || !ok {
		return nil, fmt.Errorf("hdf5: source selection has no bounds: %v", err)
	}
	r := len(lo)
	cnt := make([]uint64, r)
	vol := uint64(1)
	for k := range cnt {
		cnt[k] = hi[k] - lo[k] + 1
		if vol, ok = binfmt.Mul(vol, cnt[k]); !ok {
			vol = ^uint64(0)
		}
	}
	boxBytes, ok := binfmt.Mul(vol, es)
	if !ok || boxBytes > uint64(p.d.f.opts.maxReadBytes) {
		return nil, &binfmt.LimitError{Name: "MaxReadBytes", Limit: p.d.f.opts.maxReadBytes, Addr: src.addr}
	}
	if vol == need/es {
		// The selection fills its box: it is the box, in C order.
		return data, src.ReadContext(p.ctx, Hyperslab(lo, nil, cnt, nil), data)
	}
	box := make([]byte, boxBytes)
	if err := src.ReadContext(p.ctx, Hyperslab(lo, nil, cnt, nil), box); err != nil {
		return nil, err
	}
	var at uint64
	ssel.Walk(slim, func(row h5s.Row) bool {
		off := uint64(0)
		for k := 0; k < r-1; k++ {
			off = off*cnt[k] + (row.Prefix[k] - lo[k])
		}
		off = off*cnt[r-1] + (row.Start - lo[r-1])
		n := min(row.N, need/es-at)
		copy(data[at*es:(at+n)*es], box[off*es:(off+n)*es])
		at += n
		return at < need/es
	})
	return data, nil
}

// vdsCompatible checks that a source's elements can be copied into the
// virtual dataset as they are: goh5 does not convert between types.
func vdsCompatible(d, src *Dataset) error {
	vt, st := d.dtype, src.dtype
	if vt.Class != st.Class || vt.Size != st.Size {
		return &binfmt.UnsupportedError{Feature: fmt.Sprintf("virtual dataset %s of type %s with a source %s of type %s (type conversion)", d.path, vt, src.path, st), Addr: d.addr, HasAddr: true}
	}
	if src.f != d.f && (vt.Class == types.ClassVlen || vt.Class == types.ClassReference) {
		return &binfmt.UnsupportedError{Feature: "variable-length or reference data from another file through a virtual dataset", Addr: d.addr, HasAddr: true}
	}
	if vt.Order == types.VAXOrder {
		return &binfmt.UnsupportedError{Feature: "virtual dataset of VAX-order floats", Addr: d.addr, HasAddr: true}
	}
	return nil
}
