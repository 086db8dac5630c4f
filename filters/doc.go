// Package filters decodes the stages of an HDF5 filter pipeline, the read
// direction only.
//
// A dataset's filter pipeline message (Spec 3.0, IV.A.2.l "Data Storage -
// Filter Pipeline Message", H5.format.html#FilterMessage) lists the filters
// applied, in order, when each chunk was written. Pipeline.Decode undoes them
// in reverse, skipping the stages whose bit is set in the chunk's filter mask
// (libhdf5 sets the bit when an optional filter failed on write, storing the
// chunk without it). A stage that was applied but has no registered decoder
// fails the read with an *UnsupportedError, whether optional or not, as in
// libhdf5.
//
// # Registry
//
// Filters register themselves by ID in init functions; Register adds or
// replaces a filter (a user's own codec, say) and Lookup finds one. Every
// Filter's Decode must be safe for concurrent use.
//
// # Supported filters
//
//	1      deflate     zlib stream, adler32 verified
//	2      shuffle     byte unshuffle, any element size
//	3      fletcher32  checksum verified (both byte orders libhdf5 accepts)
//	307    bzip2       bzip2 stream, CRCs verified
//	32000  lzf         h5py's LZF filter
//	32004  lz4         HDF5 LZ4 filter framing, raw blocks
//	32008  bitshuffle  none, LZ4 and zstd modes (zstd from bitshuffle 0.4)
//	32015  zstd        zstd frames, content checksum verified when present
//
// Other files of this package add blosc, blosc2, nbit, scaleoffset and szip.
//
// # Hostile input
//
// Every size in a chunk is hostile. Decode is given a limit, the most bytes
// its output may hold, and fails with an error wrapping ErrTooLarge instead
// of producing or allocating more: sizes declared in headers (lz4, bitshuffle,
// a zstd frame's content size) are checked against the limit before any
// allocation, and stream codecs grow their output gradually. Checksums that
// do not match give errors wrapping ErrChecksum; undecodable data gives
// ErrCorrupt. Any panic on any input is a bug.
package filters
