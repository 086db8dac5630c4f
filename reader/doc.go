// Package reader serves many small, random read requests on the datasets of
// an HDF5 file in parallel, into preallocated memory, the way Python's
// multitables Reader does for PyTables files.
//
// A Reader runs a fixed pool of worker goroutines over one hdf5.File:
//
//	r, err := reader.Open("data.h5", reader.Options{Workers: 4})
//	t, err := r.Table("/t")                       // or r.Dataset, r.Array, r.VLArray
//	stages, err := t.NewStagePool([]uint64{64}, 8) // 8 stages of 64 rows
//	fut := r.Request(t.Read(i, i+64, 1, ""), stages)
//	err = fut.Direct(func(v reader.View) error { ...v.Data...; return nil })
//
// Dataset proxies know their kind: TableDataset for a compound dataset (a
// PyTables Table), ArrayDataset for fixed-size elements (Array, CArray,
// EArray), VLArrayDataset for variable-length ones (VLArray). Their methods
// build Request descriptions and read nothing: numpy-style Slice and Index
// (hdf5.Range, Step, At, Ellipsis, Mask, Coords), PyTables' Read and
// ReadCoordinates, and on tables Col/Field (one column, nested as "info/x"),
// ReadSorted (through the column's completely sorted index, the _i_<table>
// group PyTables writes, reading only the index entries asked for) and Where
// (PyTables condition syntax, parsed and evaluated in Go; errors carry the
// position).
//
// Results land in stages: memory preallocated by NewStage or a rotating
// NewStagePool. A result that does not fit fails with ErrStageTooSmall. A
// Future gives the result as a copy (Get, GetInto), in place for the length
// of a callback (Direct), in place until released (Unsafe), or through a
// checked view that fails with ErrReleased after release (Proxy). Errors of a
// worker come back from every get, wrapped in a *RequestError naming the
// request. A RequestPool returns futures in the order they were added.
// Close(wait) finishes pending requests; Stop cancels them (ErrStopped).
//
// Rows are read through a cache of decoded row blocks (one chunk's rows of
// a chunked dataset) shared by all requests, so once the cache is warm a
// one-row request allocates nothing. Data is in the element layout
// hdf5.Dataset.Read gives: C order, numbers little-endian.
//
// The file is untrusted: sizes read from it are checked before memory is
// allocated, and any panic on any input is a bug.
package reader
