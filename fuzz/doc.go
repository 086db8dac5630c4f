// Package fuzz holds goh5's end-to-end fuzz targets (fuzz_test.go): FuzzOpen
// opens a file and walks every object, link and attribute; FuzzReadAll also
// reads every dataset in full through the parallel engine with two workers;
// FuzzSelection reads random selections of valid fixtures and compares them
// with a full read. The per-structure targets live beside their decoders
// (superblock, btree, hdf5/internal/{object,heap,types}, filters).
//
// Every target checks, on every input: an error comes with a nil result and
// a result with no error; nothing panics; no goroutine is left behind; the
// bytes allocated stay within the configured limits. The seeds are the small
// fixtures of testdata/files; crashers found by `go test -fuzz` are kept in
// testdata/fuzz/FuzzX/ and replayed by plain `go test`.
//
// hostile_test.go holds the hostile files of issue 8, made from valid files
// by internal/h5build (a fixed array claiming 2^60 entries, a B-tree node
// that is its own child or claims level 200, a 1,000-level soft link chain,
// soft and external link cycles, a chunk declaring 1 GiB in a 3.5 KiB file);
// each must fail with its documented error while allocating next to nothing.
// The cyclic fractal heap indirect block is built in hdf5/internal/heap
// (hostile_cycle_test.go), where the heap is reachable. checksum_test.go
// covers WithChecksums(Strict|Skip). testdata/hostile/gen.py (h5py) made the
// two small files there.
package fuzz
