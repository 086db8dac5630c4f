package hdf5

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// Read reads the elements sel selects (nil: all) into dst, in C order, in
// the dataset's element layout with every number in little-endian byte order
// (the native layout of the platforms Go targets). dst must hold at least
// SelectionBytes(sel) bytes. Variable-length and reference elements come as
// their stored descriptors; use ReadStrings, ReadVlen and ReadRefs to
// resolve them. With Fields, each element holds only the selected members,
// packed in the order named.
func (d *Dataset) Read(sel *Selection, dst []byte) error {
	return d.ReadContext(context.Background(), sel, dst)
}

// ReadAll reads the whole dataset into a new buffer (see Read).
func (d *Dataset) ReadAll() ([]byte, error) {
	n, err := d.SelectionBytes(nil)
	if err != nil {
		return nil, err
	}
	// Check the limit before allocating: n comes from the file's dataspace.
	if n > uint64(d.f.opts.maxReadBytes) {
		return nil, &binfmt.LimitError{Name: "MaxReadBytes", Limit: d.f.opts.maxReadBytes, Want: int64(min(n, 1<<62)), Addr: d.addr}
	}
	buf := make([]byte, n)
	if err := d.Read(nil, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// SelectionShape returns the shape of what sel selects and the number of
// elements, or an error when sel does not fit the dataset.
func (d *Dataset) SelectionShape(sel *Selection) ([]uint64, uint64, error) {
	c, err := sel.compile(d.readShape())
	if err != nil {
		return nil, 0, fmt.Errorf("%w (dataset %s)", err, d.path)
	}
	return c.out, c.n, nil
}

// SelectionBytes returns the size in bytes Read needs for sel.
func (d *Dataset) SelectionBytes(sel *Selection) (uint64, error) {
	_, n, err := d.SelectionShape(sel)
	if err != nil {
		return 0, err
	}
	es, err := d.outElemSize(sel)
	if err != nil {
		return 0, err
	}
	total, ok := binfmt.Mul(n, uint64(es))
	if !ok {
		return 0, fmt.Errorf("hdf5: %s: selection size overflows", d.path)
	}
	return total, nil
}

// readShape is the shape reads work on: Dims, or none for a scalar.
func (d *Dataset) readShape() []uint64 {
	if d.space.Kind != types.SpaceSimple {
		return nil
	}
	return d.effSpace().Dims
}

// outElemSize is the size of one output element under sel's field choice.
func (d *Dataset) outElemSize(sel *Selection) (uint32, error) {
	fields := sel.FieldNames()
	if len(fields) == 0 {
		return d.dtype.Size, nil
	}
	sub, err := subsetType(d.dtype, fields)
	if err != nil {
		return 0, err
	}
	return sub.Size, nil
}

// ReadContext is Read with cancellation.
func (d *Dataset) ReadContext(ctx context.Context, sel *Selection, dst []byte) error {
	if d.space.Kind == types.SpaceNull {
		return nil
	}
	c, err := sel.compile(d.readShape())
	if err != nil {
		return fmt.Errorf("%w (dataset %s)", err, d.path)
	}
	es := uint64(d.dtype.Size)
	need, ok := binfmt.Mul(c.n, es)
	if !ok || need > uint64(d.f.opts.maxReadBytes) {
		return &binfmt.LimitError{Name: "MaxReadBytes", Limit: d.f.opts.maxReadBytes, Addr: d.addr}
	}
	fields := sel.FieldNames()
	out := dst
	if len(fields) > 0 {
		sub, err := subsetType(d.dtype, fields)
		if err != nil {
			return err
		}
		if uint64(len(dst)) < c.n*uint64(sub.Size) {
			return fmt.Errorf("hdf5: %s: destination holds %d bytes, selection needs %d", d.path, len(dst), c.n*uint64(sub.Size))
		}
		out = make([]byte, need)
	} else if uint64(len(dst)) < need {
		return fmt.Errorf("hdf5: %s: destination holds %d bytes, selection needs %d", d.path, len(dst), need)
	}
	out = out[:need]
	if err := d.readRaw(ctx, c, out); err != nil {
		return err
	}
	toNative(d.dtype, out)
	if len(fields) > 0 {
		extractFields(d.dtype, fields, out, dst)
	}
	return nil
}

func (d *Dataset) readRaw(ctx context.Context, c *compiled, out []byte) error {
	if d.layout.Class == 3 {
		return d.readVirtual(ctx, c, out) // virtual.go
	}
	if c.n == 0 {
		return nil
	}
	switch d.layout.Class {
	case 0: // compact
		return d.readUnit(ctx, c, bytes.NewReader(d.layout.CompactData), uint64(len(d.layout.CompactData)), out)
	case 1: // contiguous or external
		if d.external != nil {
			r, size, err := d.externalReader()
			if err != nil {
				return err
			}
			return d.readUnit(ctx, c, r, size, out)
		}
		if d.layout.Addr == binfmt.Undef {
			fillRuns(c, d.fillValue(), out)
			return nil
		}
		if err := d.f.src.Check(d.layout.Addr, d.storageBytes(), "contiguous dataset storage"); err != nil {
			return err
		}
		off, _ := d.f.src.Abs(d.layout.Addr)
		return d.readUnit(ctx, c, io.NewSectionReader(d.f.src.R, off, int64(d.storageBytes())), d.storageBytes(), out)
	case 2:
		return d.readChunked(ctx, c, out)
	case 3:
		return &binfmt.UnsupportedError{Feature: "virtual dataset layout", Addr: d.addr, HasAddr: true}
	}
	return binfmt.Errorf(d.addr, "data layout message", "unknown layout class %d", d.layout.Class)
}

// storageBytes is the size of the whole dataset's elements.
func (d *Dataset) storageBytes() uint64 {
	n, _ := d.space.NumElements()
	return n * uint64(d.dtype.Size)
}

// readUnit reads a selection from a dataset stored as one unit (compact,
// contiguous or external), through runs coalesced into bounded reads.
func (d *Dataset) readUnit(ctx context.Context, c *compiled, r io.ReaderAt, size uint64, out []byte) error {
	es := uint64(d.dtype.Size)
	if size < d.storageBytes() {
		return binfmt.Errorf(d.layout.Addr, "dataset storage", "holds %d bytes, the dataspace needs %d", size, d.storageBytes())
	}
	if c.all {
		// One read straight into the destination.
		return readFull(r, out, 0)
	}
	co := newCoalescer(r, out, es)
	shape := d.readShape()
	if c.isPoints() {
		for i, p := range c.points {
			if i%4096 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			if err := co.add(byteRun{src: linear(p, shape) * es, dst: uint64(i) * es, n: es}); err != nil {
				return err
			}
		}
		return co.flush()
	}
	origin := make([]uint64, len(shape))
	var err error
	count := 0
	c.unitRuns(origin, shape, es, nil, func(br byteRun) bool {
		count++
		if count%4096 == 0 && ctx.Err() != nil {
			err = ctx.Err()
			return false
		}
		err = co.add(br)
		return err == nil
	})
	if err != nil {
		return err
	}
	return co.flush()
}

func linear(p, shape []uint64) uint64 {
	var off uint64
	for i := range shape {
		off = off*shape[i] + p[i]
	}
	return off
}

func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return fmt.Errorf("hdf5: reading %d bytes at storage offset %d: %w", len(p), off, err)
}

// coalescer gathers byte runs from one source and serves them with as few
// reads as it can: runs whose source ranges follow each other within
// maxGap bytes share one read of at most maxWindow bytes. A run too big for
// the window is read straight into the destination.
type coalescer struct {
	r      io.ReaderAt
	out    []byte
	es     uint64
	runs   []byteRun
	lo, hi uint64 // source span of runs
	buf    []byte
}

const (
	coalesceGap    = 64 << 10
	coalesceWindow = 4 << 20
)

func newCoalescer(r io.ReaderAt, out []byte, es uint64) *coalescer {
	return &coalescer{r: r, out: out, es: es}
}

func (co *coalescer) add(br byteRun) error {
	lo, hi := br.src, br.src+br.n
	if br.rev {
		lo, hi = br.src+co.es-br.n, br.src+co.es
	}
	if len(co.runs) > 0 {
		if lo >= co.hi && lo-co.hi <= coalesceGap && hi-co.lo <= coalesceWindow {
			co.runs = append(co.runs, br)
			co.hi = hi
			return nil
		}
		if err := co.flush(); err != nil {
			return err
		}
	}
	co.runs = append(co.runs, br)
	co.lo, co.hi = lo, hi
	return nil
}

func (co *coalescer) flush() error {
	if len(co.runs) == 0 {
		return nil
	}
	defer func() { co.runs = co.runs[:0] }()
	if len(co.runs) == 1 && !co.runs[0].rev {
		br := co.runs[0]
		return readFull(co.r, co.out[br.dst:br.dst+br.n], int64(br.src))
	}
	n := co.hi - co.lo
	if uint64(cap(co.buf)) < n {
		co.buf = make([]byte, n)
	}
	buf := co.buf[:n]
	if err := readFull(co.r, buf, int64(co.lo)); err != nil {
		return err
	}
	for _, br := range co.runs {
		br.src -= co.lo
		br.apply(co.out, buf, co.es)
	}
	return nil
}

// fillRuns writes the fill value into every selected element.
func fillRuns(c *compiled, fill []byte, out []byte) {
	es := len(fill)
	for i := 0; i+es <= len(out); i += es {
		copy(out[i:], fill)
	}
}

// fillValue returns one element of the dataset's fill value: the user's
// value when one is defined and the fill time is not "never", else zeros
// (libhdf5 leaves such storage unwritten; zeros is the documented reading).
func (d *Dataset) fillValue() []byte {
	es := int(d.dtype.Size)
	fill := make([]byte, es)
	if fv := d.fillNew; fv != nil {
		if fv.FillTime != object.FillTimeNever && fv.Defined && len(fv.Value) == es {
			copy(fill, fv.Value)
		}
		return fill
	}
	if fo := d.fillOld; fo != nil && len(fo.Value) == es {
		copy(fill, fo.Value)
	}
	return fill
}

// FillValue returns the dataset's fill value as stored (in the file's byte
// order), and whether one is defined.
func (d *Dataset) FillValue() ([]byte, bool) {
	if fv := d.fillNew; fv != nil {
		return fv.Value, fv.Defined && len(fv.Value) > 0
	}
	if fo := d.fillOld; fo != nil {
		return fo.Value, len(fo.Value) > 0
	}
	return nil, false
}
