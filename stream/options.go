package stream

import (
	"fmt"
	"runtime"

	"github.com/goh5/goh5/hdf5"
)

// Defaults of the options.
const (
	// DefaultWorkers is the number of reading goroutines when
	// Options.Workers is 0.
	DefaultWorkers = 4
	// DefaultBlockBytes is the size a chunked dataset's default block
	// approaches: the largest multiple of the chunk's rows that fits, but at
	// least one chunk row.
	DefaultBlockBytes = 1 << 20
	// DefaultContiguousBlockBytes is the default block size of a dataset
	// that is not chunked (at least one row).
	DefaultContiguousBlockBytes = 128 << 10
)

// Options configure a Queue. The zero value is valid: 4 workers, 9 blocks
// of read-ahead, the default block size, unordered, not cyclic, no
// remainder, every member.
type Options struct {
	// Workers is the number of goroutines reading blocks (default
	// DefaultWorkers). Each worker reads one whole block at a time.
	//
	// Parallelism comes from the workers, not from inside a read: each
	// worker reads its block with hdf5.WithReadConcurrency(ctx, 1), so the
	// chunk engine decodes that block's chunks on the worker's goroutine
	// and a worker holds one chunk's decode buffers at a time. That keeps
	// the memory bound above, whatever the File's WithConcurrency.
	Workers int
	// ClampWorkers limits Workers to GOMAXPROCS.
	ClampWorkers bool
	// ReadAhead is the number of block buffers in the pool, which bounds
	// the blocks read ahead of the consumers, the reorder buffer and the
	// blocks consumers hold (default 2×Workers+1).
	ReadAhead int
	// BlockRows is the block size along the first dimension. The default
	// is the largest multiple of the chunk's first dimension that fits in
	// DefaultBlockBytes (at least one chunk row), or DefaultContiguousBlockBytes
	// worth of rows when the dataset is not chunked; a default larger than
	// the dataset is cut to the dataset's rows. Any other size works, but a
	// block that does not align with the chunks decodes the chunks it
	// shares with its neighbour twice.
	BlockRows int
	// Cyclic wraps around at the end: the block that crosses the end holds
	// the last rows followed by the first ones, and the stream runs until
	// Close.
	Cyclic bool
	// Ordered delivers blocks in dataset order; otherwise blocks are
	// delivered as soon as they are read.
	Ordered bool
	// Field reads only these compound members, packed in the order named.
	Field []string
	// Remainder also delivers the last, partial block of a non-cyclic
	// stream. Without it those rows are left out (see the Remainder
	// function).
	Remainder bool
	// Checked detects the use of a block after Release (see the package
	// documentation). The goh5checked build tag turns it on everywhere.
	Checked bool
}

// geometry is what a queue needs to know about the dataset.
type geometry struct {
	dims      []uint64
	nrows     uint64
	rowElems  uint64 // elements per row
	elemSize  uint64 // bytes per element as read (after Field)
	rowBytes  uint64
	blockRows uint64
}

func datasetGeometry(ds *hdf5.Dataset, fields []string) (*geometry, error) {
	dims := ds.Shape()
	if len(dims) == 0 {
		return nil, fmt.Errorf("stream: %s: a scalar or null dataset has no rows", ds.Path())
	}
	g := &geometry{dims: append([]uint64(nil), dims...), nrows: dims[0], rowElems: 1}
	for _, v := range dims[1:] {
		if v != 0 && g.rowElems > (1<<62)/v {
			return nil, fmt.Errorf("stream: %s: row size overflows", ds.Path())
		}
		g.rowElems *= v
	}
	g.elemSize = uint64(ds.Datatype().Size)
	if len(fields) > 0 {
		// Ask the engine for one element's size, which also checks the names.
		one := make([]uint64, len(dims))
		for i := range one {
			one[i] = 1
		}
		sel := hdf5.Hyperslab(make([]uint64, len(dims)), nil, one, nil).Fields(fields...)
		if g.nrows == 0 || g.rowElems == 0 {
			sel = hdf5.Hyperslab(make([]uint64, len(dims)), nil, make([]uint64, len(dims)), nil).Fields(fields...)
		}
		n, err := ds.SelectionBytes(sel)
		if err != nil {
			return nil, fmt.Errorf("stream: %s: fields %v: %w", ds.Path(), fields, err)
		}
		if g.nrows > 0 && g.rowElems > 0 {
			g.elemSize = n
		}
	}
	g.rowBytes = g.rowElems * g.elemSize
	if g.rowElems > 0 && g.rowBytes/g.rowElems != g.elemSize {
		return nil, fmt.Errorf("stream: %s: row size overflows", ds.Path())
	}
	return g, nil
}

// defaultBlockRows computes Options.BlockRows's default.
func (g *geometry) defaultBlockRows(ds *hdf5.Dataset) uint64 {
	var chunkRows uint64
	if cs := ds.ChunkShape(); ds.Layout() == hdf5.LayoutChunked && len(cs) == len(g.dims) {
		chunkRows = cs[0]
	}
	return blockRowsFor(chunkRows, g.rowBytes, g.nrows)
}

// blockRowsFor is the default block size for rows of rowBytes bytes in a
// dataset of nrows rows whose chunks have chunkRows rows (0: not chunked).
func blockRowsFor(chunkRows, rowBytes, nrows uint64) uint64 {
	rb := max(rowBytes, 1)
	var rows uint64
	if chunkRows > 0 {
		per := chunkRows * rb
		if per/rb != chunkRows || per > DefaultBlockBytes {
			rows = chunkRows
		} else {
			rows = DefaultBlockBytes / per * chunkRows
		}
	} else {
		rows = max(1, DefaultContiguousBlockBytes/rb)
	}
	if nrows > 0 && rows > nrows {
		rows = nrows
	}
	return max(rows, 1)
}

// DefaultBlockRows returns the block size a Queue over ds uses when
// Options.BlockRows is 0 (see Options.BlockRows).
func DefaultBlockRows(ds *hdf5.Dataset, fields ...string) (int, error) {
	g, err := datasetGeometry(ds, fields)
	if err != nil {
		return 0, err
	}
	return int(g.defaultBlockRows(ds)), nil
}

// withDefaults fills the defaults of o and checks it.
func (o Options) withDefaults() (Options, error) {
	if o.Workers < 0 || o.ReadAhead < 0 || o.BlockRows < 0 {
		return o, fmt.Errorf("stream: negative option (Workers %d, ReadAhead %d, BlockRows %d)", o.Workers, o.ReadAhead, o.BlockRows)
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.ClampWorkers {
		o.Workers = min(o.Workers, runtime.GOMAXPROCS(0))
	}
	if o.ReadAhead == 0 {
		o.ReadAhead = 2*o.Workers + 1
	}
	o.Checked = o.Checked || buildChecked
	return o, nil
}
