// Package heap decodes the three HDF5 heaps, targeting the HDF5 File Format
// Specification 3.0 (H5.format.html):
//
//   - the local heap ("HEAP", III.D), which holds the link names of
//     symbol-table groups;
//   - global heap collections ("GCOL", III.E), which hold variable-length
//     data and dataset region references;
//   - the fractal heap ("FRHP", III.G), which holds dense links, dense
//     attributes and shared messages: managed objects in direct ("FHDB") and
//     indirect ("FHIB") blocks of the doubling table, filtered or not; tiny
//     objects stored in the heap ID itself (normal and extended forms); and
//     huge objects, either addressed directly by the heap ID or found through
//     the heap's version 2 B-tree (record types 1-4), filtered or not.
//
// Every size, count and address read from the file is treated as hostile:
// sizes are checked against the file before anything is allocated, indirect
// block walks carry a visited set and a depth cap, and objects larger than the
// caller's maximum fail with a *binfmt.LimitError named "MaxHeapObject".
// Checksums are verified; a mismatch wraps binfmt.ErrChecksum.
//
// Local, Global and Fractal values are safe for concurrent use. Any panic on
// input is a bug.
package heap
