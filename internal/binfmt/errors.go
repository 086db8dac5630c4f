package binfmt

import (
	"errors"
	"fmt"
)

// Sentinel errors shared by every goh5 package. The hdf5 package re-exports
// them, so callers test with errors.Is(err, hdf5.ErrChecksum) and friends.
var (
	// ErrChecksum reports that a stored checksum does not match the bytes it covers.
	ErrChecksum = errors.New("hdf5: checksum mismatch")
	// ErrNotFound reports that a named object, link, attribute or chunk does not exist.
	ErrNotFound = errors.New("hdf5: not found")
	// ErrLimit reports that a configured resource limit was reached.
	ErrLimit = errors.New("hdf5: limit exceeded")
	// ErrUndefinedAddress reports an attempt to follow the undefined address.
	ErrUndefinedAddress = errors.New("hdf5: undefined address")
)

// FormatError reports that the file is not valid HDF5: a structure at a file
// address holds a value the specification does not allow.
type FormatError struct {
	Addr uint64 // file address (relative to the base address) of the structure, or of the bad field
	What string // the structure being decoded, e.g. "fixed array header"
	Msg  string // what is wrong
	Err  error  // an underlying cause, may be nil
}

func (e *FormatError) Error() string {
	s := fmt.Sprintf("hdf5: %s at 0x%x: %s", e.What, e.Addr, e.Msg)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *FormatError) Unwrap() error { return e.Err }

// Errorf builds a FormatError.
func Errorf(addr uint64, what, format string, args ...any) *FormatError {
	return &FormatError{Addr: addr, What: what, Msg: fmt.Sprintf(format, args...)}
}

// Wrap builds a FormatError around a cause. The cause may be a sentinel such as
// ErrChecksum, which errors.Is then finds.
func Wrap(addr uint64, what string, err error, format string, args ...any) *FormatError {
	return &FormatError{Addr: addr, What: what, Msg: fmt.Sprintf(format, args...), Err: err}
}

// UnsupportedError reports a valid file that uses a feature goh5 does not implement.
type UnsupportedError struct {
	Feature string // e.g. "family driver", "filter 32017 (sz)"
	Addr    uint64 // where it was met, when known
	HasAddr bool
}

func (e *UnsupportedError) Error() string {
	if e.HasAddr {
		return fmt.Sprintf("hdf5: unsupported %s (at 0x%x)", e.Feature, e.Addr)
	}
	return "hdf5: unsupported " + e.Feature
}

// Unsupported builds an UnsupportedError for a feature met at addr.
func Unsupported(addr uint64, format string, args ...any) *UnsupportedError {
	return &UnsupportedError{Feature: fmt.Sprintf(format, args...), Addr: addr, HasAddr: true}
}

// LimitError reports that a named resource limit was hit. It wraps ErrLimit.
type LimitError struct {
	Name  string // the option, e.g. "MaxChunkBytes"
	Limit int64  // the configured value
	Want  int64  // what the file asked for, when known (0 if unknown)
	Addr  uint64 // where it was met
}

func (e *LimitError) Error() string {
	if e.Want != 0 {
		return fmt.Sprintf("hdf5: limit exceeded: %s=%d, file needs %d (at 0x%x)", e.Name, e.Limit, e.Want, e.Addr)
	}
	return fmt.Sprintf("hdf5: limit exceeded: %s=%d (at 0x%x)", e.Name, e.Limit, e.Addr)
}

func (e *LimitError) Unwrap() error { return ErrLimit }
