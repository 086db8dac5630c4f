// Package hdf5 reads HDF5 files in pure Go: no cgo, no libhdf5.
//
// Open a file with Open (or OpenReaderAt for any io.ReaderAt), walk it with
// File.Walk or Group.Links, and read datasets with Dataset.Read and the
// typed helpers. Everything a File hands out is safe for concurrent use by
// many goroutines; reads go through io.ReaderAt (pread) and never seek, so
// there is no global lock.
//
// Supported: superblock versions 0-3 (with user blocks and the superblock
// extension), object header versions 1 and 2 with continuation blocks,
// shared messages (in other object headers and in the shared object header
// message heap), symbol-table, compact and dense groups, hard, soft and
// external links, compact and dense attributes, committed datatypes, local,
// global and fractal heaps, compact, contiguous, external and chunked
// storage with every chunk index (version 1 B-tree, single chunk, implicit,
// fixed array, extensible array, version 2 B-tree) and the filters
// registered in package filters.
//
// Not supported: writing, virtual datasets, the family and multi file
// drivers (they return an *UnsupportedError), and the HDF5 1.12 reference
// types.
//
// The target is the HDF5 File Format Specification version 3.0; where a
// real file written by libhdf5 disagrees with it, goh5 follows libhdf5.
//
// Every size, count and address read from a file is treated as hostile:
// limits are options (WithMaxChunkBytes, WithMaxLinkDepth, ...), walks
// detect cycles, and checksums are verified. Any panic on input is a bug.
package hdf5
