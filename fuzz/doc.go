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
package fuzz
