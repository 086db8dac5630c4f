// Package btree decodes the B-trees of the HDF5 file format and the chunk
// indexes built on them, targeting the HDF5 File Format Specification 3.0.
//
// This file set covers:
//   - version 1 B-trees ("TREE", III.A.1): group nodes (type 0, walked by
//     V1GroupNodes to the symbol table nodes) and raw-data chunk nodes (type
//     1, walked by V1Chunks);
//   - symbol table nodes ("SNOD", III.B, ReadSymbolNode);
//   - version 2 B-trees ("BTHD", "BTIN", "BTLF", III.A.2) of any depth, with
//     checksums verified (OpenV2, V2.Records, V2.Search), and decoders for
//     record types 1 to 11.
//
// Every walk keeps the set of nodes it has visited, so cycles and shared
// nodes in a corrupt file are reported as errors, and no walk goes deeper
// than MaxDepth levels. Counts read from the file are checked against the
// file size before anything is allocated. Walks are iter.Seq2 iterators that
// yield an error once and then stop.
//
// Every value read from the file is treated as hostile. Any panic on input is
// a bug.
package btree
