package filters

import (
	"errors"
	"fmt"
	"sort"
	"sync"
)

// Filter IDs from the HDF5 filter registry (Spec 3.0, IV.A.2.l "Data Storage -
// Filter Pipeline Message", and the HDF Group's registered filter list).
const (
	IDDeflate     = 1
	IDShuffle     = 2
	IDFletcher32  = 3
	IDSzip        = 4
	IDNbit        = 5
	IDScaleOffset = 6
	IDBzip2       = 307
	IDLZF         = 32000
	IDBlosc       = 32001
	IDLZ4         = 32004
	IDBitshuffle  = 32008
	IDZstd        = 32015
	IDBlosc2      = 32026
)

// Filter decodes one stage of an HDF5 filter pipeline (the read direction).
//
// Decode appends the decoded form of src to dst[:0] and returns the result.
// params are the filter's client data values as stored in the pipeline
// message. limit is the most bytes the output may hold: a decoder must fail
// with an error wrapping ErrTooLarge rather than produce (or allocate) more.
// Decode must be safe for concurrent use; per-call state comes from pools.
// Decode never retains src or dst, and never returns src itself.
type Filter interface {
	ID() uint16
	Name() string
	Decode(dst, src []byte, params []uint32, limit int) ([]byte, error)
}

var (
	// ErrChecksum reports a checksum stored by a filter (fletcher32, or a
	// codec's own) that does not match the data.
	ErrChecksum = errors.New("hdf5: checksum mismatch")
	// ErrTooLarge reports output that would exceed the declared limit.
	ErrTooLarge = errors.New("hdf5: decoded data exceeds declared size")
	// ErrCorrupt reports a compressed stream that cannot be decoded.
	ErrCorrupt = errors.New("hdf5: corrupt filtered data")
)

// FilterError is an error from one pipeline stage.
type FilterError struct {
	ID   uint16
	Name string
	Err  error
}

func (e *FilterError) Error() string {
	return fmt.Sprintf("hdf5: filter %d (%s): %v", e.ID, e.Name, e.Err)
}

func (e *FilterError) Unwrap() error { return e.Err }

// UnsupportedError reports a filter that no registered decoder handles, or a
// form of a known filter that goh5 cannot decode.
type UnsupportedError struct {
	ID     uint16
	Name   string
	Detail string
}

func (e *UnsupportedError) Error() string {
	s := fmt.Sprintf("hdf5: unsupported filter %d", e.ID)
	if e.Name != "" {
		s += " (" + e.Name + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

var (
	regMu    sync.RWMutex
	registry = map[uint16]Filter{}
)

// Register adds f to the global registry, replacing any filter with its ID.
// Users call it to add their own filters.
func Register(f Filter) {
	regMu.Lock()
	registry[f.ID()] = f
	regMu.Unlock()
}

// Lookup returns the registered filter for id.
func Lookup(id uint16) (Filter, bool) {
	regMu.RLock()
	f, ok := registry[id]
	regMu.RUnlock()
	return f, ok
}

// Registered returns the IDs of all registered filters in ascending order.
func Registered() []uint16 {
	regMu.RLock()
	ids := make([]uint16, 0, len(registry))
	for id := range registry {
		ids = append(ids, id)
	}
	regMu.RUnlock()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// KnownName returns the conventional name of a filter ID, or "".
func KnownName(id uint16) string {
	switch id {
	case IDDeflate:
		return "deflate"
	case IDShuffle:
		return "shuffle"
	case IDFletcher32:
		return "fletcher32"
	case IDSzip:
		return "szip"
	case IDNbit:
		return "nbit"
	case IDScaleOffset:
		return "scaleoffset"
	case IDBzip2:
		return "bzip2"
	case IDLZF:
		return "lzf"
	case IDBlosc:
		return "blosc"
	case IDLZ4:
		return "lz4"
	case IDBitshuffle:
		return "bitshuffle"
	case IDZstd:
		return "zstd"
	case IDBlosc2:
		return "blosc2"
	case 32017:
		return "sz"
	case 32013:
		return "zfp"
	case 305:
		return "lzo"
	}
	return ""
}
