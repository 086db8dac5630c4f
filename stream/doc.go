// Package stream reads a dataset as a stream of row blocks with a pool of
// goroutines: the Go form of Python multitables' Streamer.
//
// A Queue splits a dataset along its first dimension into blocks of
// BlockRows rows. Workers read whole blocks through the hdf5 chunk engine
// into buffers taken from a pool of ReadAhead buffers, and consumers take
// them with Next (or range over Blocks). Each Block is a guard over one
// pooled buffer: Release gives the buffer back so a worker can read the
// next block into it, so the memory a stream holds is bounded by
// ReadAhead×block plus what the workers' reads hold (one chunk each, see
// Options.Workers), whatever the dataset's size.
//
// Blocks come in dataset order when Options.Ordered is set (a reorder
// buffer, itself bounded by the pool, holds blocks that finish early), or
// as they are ready. With Options.Cyclic the stream wraps around: the block
// that crosses the end of the dataset carries the last rows followed by the
// first ones, every block is full, and the queue runs until Close. Without
// it, the rows after the last full block are delivered only with
// Options.Remainder; Remainder (the function) returns them as a copy.
//
// Two datasets with the same number of rows, streamed with Ordered and the
// same BlockRows, deliver blocks that cover the same rows, so their blocks
// can be zipped row for row.
//
// Rows and RowsBytes iterate over single rows (as copies), in the spirit of
// multitables' get_generator.
//
// # Data layout
//
// Block bytes are what hdf5.Dataset.Read produces: C order, every number
// little-endian, compound members packed (only the Options.Field members,
// in the order named, when Field is set). View decodes them into a typed
// slice with encoding/binary, since goh5 does not use package unsafe.
//
// # Errors
//
// A read error in a worker stops the stream: the next Next returns it,
// wrapped with the block's row range. Next returns ErrClosed when a
// non-cyclic stream has delivered its last block, and after Close.
//
// # Checked mode
//
// Using a block's data after Release is the caller's bug. With
// Options.Checked, or in a build with the goh5checked tag, the stream
// detects it: Bytes and View on a released block return nil (View with
// ErrReleased) and Block.Err reports ErrReleased; a second Release is
// recorded the same way. The released buffer is overwritten with the
// pattern PoisonByte and is never reused, so a slice kept from before the
// release reads as poison instead of as another block's rows. Nothing in
// checked mode panics. Unchecked, Bytes on a released block also returns
// nil, but the buffer is reused at once and slices kept from before the
// release see other rows.
package stream
