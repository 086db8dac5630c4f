// Package canon computes the canonical digest of a dataset's or attribute's
// data, as the corpus contract of "goh5 sum" defines it
// (/work/shared/corpus/README.md, and testdata/gen/h5ref.py, which writes
// the reference values with h5py):
//
//   - "bytes-le-packed": the sha256 of the elements in C order, each atomic
//     value little-endian at its stored size, integers sign- or zero-extended
//     from their precision bits, non-IEEE floats converted to the first IEEE
//     format that holds them, compounds packed without padding;
//   - "json": the sha256 of the bytes Python's json.dumps(value,
//     separators=(',', ':'), ensure_ascii=True) writes for the data as nested
//     lists, used for top-level fixed-length strings and for any type that
//     holds variable-length data or references.
//
// Datasets are read in bounded row blocks and hashed incrementally, so the
// memory used does not grow with the dataset. Datasets over 4 GiB are
// digested over a C-order prefix, as the contract specifies.
//
// Any panic on input is a bug.
package canon
