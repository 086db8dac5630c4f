package hdf5

import (
	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/internal/binfmt"
)

// The errors goh5 returns. Every message starts with "hdf5:". All of them
// unwrap, so callers use errors.Is and errors.As.
type (
	// FormatError means the file is not valid HDF5. It carries the file
	// address and the name of the structure that failed to decode.
	FormatError = binfmt.FormatError
	// UnsupportedError means the file is valid but uses a feature goh5 does
	// not implement (a family or multi driver, an unknown filter, ...).
	UnsupportedError = binfmt.UnsupportedError
	// LimitError means a configured resource limit was reached; it wraps ErrLimit.
	LimitError = binfmt.LimitError
	// FilterError is an error from one filter pipeline stage.
	FilterError = filters.FilterError
)

var (
	// ErrChecksum reports a stored checksum that does not match its data.
	ErrChecksum = binfmt.ErrChecksum
	// ErrNotFound reports a missing object, link, attribute or chunk.
	ErrNotFound = binfmt.ErrNotFound
	// ErrLimit reports a resource limit that was reached.
	ErrLimit = binfmt.ErrLimit
)
