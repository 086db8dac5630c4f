// Package binfmt holds the low-level pieces every goh5 decoder shares: the
// error-keeping Cursor that decodes little-endian structures with the file's
// sizes of offsets and lengths, the Source that reads bounded regions of the
// file through io.ReaderAt, the Jenkins lookup3 checksum, the error types
// (FormatError, UnsupportedError, LimitError and the sentinels), and
// overflow-checked arithmetic for sizes read from a file.
//
// Any panic on input is a bug.
package binfmt
