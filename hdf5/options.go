package hdf5

import (
	"context"
	"fmt"
	"runtime"

	"github.com/goh5/goh5/btree"
)

// Defaults of the options. Each limit guards against a hostile file; raise one
// only for a file you trust.
const (
	// DefaultMaxLinkDepth is how many soft or external links one path lookup
	// may follow; libhdf5's own default (H5L_NUM_LINKS) is 16.
	DefaultMaxLinkDepth = 16
	// DefaultMaxHeaderMessages caps the messages of one object header.
	DefaultMaxHeaderMessages = 65536
	// DefaultMaxContinuations caps the continuation blocks of one object header.
	DefaultMaxContinuations = 4096
	// DefaultMaxHeapObject caps one heap object (a vlen element, a dense link
	// or attribute), 256 MiB.
	DefaultMaxHeapObject = 256 << 20
	// DefaultMaxChunkBytes caps the decoded size of one chunk, 1 GiB. HDF5
	// itself limits chunks to 4 GiB.
	DefaultMaxChunkBytes = 1 << 30
	// DefaultMaxReadBytes caps the bytes one Read may produce, 64 GiB.
	DefaultMaxReadBytes = 64 << 30
	// DefaultMaxBTreeDepth is the deepest B-tree (version 1 node level or
	// version 2 tree depth) a walk accepts. It is fixed, not an option: a
	// tree with even the smallest fan-out of 2 holds 2^64 records at depth
	// 64, more than any file can address, so a deeper tree is always
	// corrupt. Exceeding it returns a FormatError wrapping a LimitError
	// named "MaxBTreeDepth" (so errors.Is(err, ErrLimit) holds).
	DefaultMaxBTreeDepth = btree.MaxDepth
	// DefaultHeaderCache is how many decoded object headers a File keeps.
	DefaultHeaderCache = 4096
)

type options struct {
	concurrency       int
	maxLinkDepth      int
	maxHeaderMessages int
	maxContinuations  int
	maxHeapObject     uint64
	maxChunkBytes     int64
	maxReadBytes      int64
	chunkCache        int64
	checksums         ChecksumMode
	dir               string
	dirSet            bool
}

func defaultOptions() options {
	return options{
		concurrency:       runtime.GOMAXPROCS(0),
		maxLinkDepth:      DefaultMaxLinkDepth,
		maxHeaderMessages: DefaultMaxHeaderMessages,
		maxContinuations:  DefaultMaxContinuations,
		maxHeapObject:     DefaultMaxHeapObject,
		maxChunkBytes:     DefaultMaxChunkBytes,
		maxReadBytes:      DefaultMaxReadBytes,
	}
}

// Option configures a File. Options are applied in order; an invalid value
// makes Open fail.
type Option func(*options) error

// WithConcurrency sets how many goroutines decode chunks for one read. 0 (the
// default) means GOMAXPROCS; 1 means serial, on the same code path.
func WithConcurrency(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("hdf5: WithConcurrency(%d): must be >= 0", n)
		}
		if n == 0 {
			n = runtime.GOMAXPROCS(0)
		}
		o.concurrency = n
		return nil
	}
}

// WithMaxLinkDepth sets how many soft and external links one lookup may
// follow (default DefaultMaxLinkDepth).
func WithMaxLinkDepth(n int) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("hdf5: WithMaxLinkDepth(%d): must be >= 0", n)
		}
		o.maxLinkDepth = n
		return nil
	}
}

// WithMaxHeaderMessages caps the messages and continuation blocks of one
// object header (defaults DefaultMaxHeaderMessages, DefaultMaxContinuations).
func WithMaxHeaderMessages(messages, continuations int) Option {
	return func(o *options) error {
		if messages <= 0 || continuations <= 0 {
			return fmt.Errorf("hdf5: WithMaxHeaderMessages(%d, %d): must be > 0", messages, continuations)
		}
		o.maxHeaderMessages, o.maxContinuations = messages, continuations
		return nil
	}
}

// WithMaxHeapObject caps the size of one heap object (default DefaultMaxHeapObject).
func WithMaxHeapObject(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("hdf5: WithMaxHeapObject(%d): must be > 0", n)
		}
		o.maxHeapObject = uint64(n)
		return nil
	}
}

// WithMaxChunkBytes caps the decoded size of one chunk (default DefaultMaxChunkBytes).
func WithMaxChunkBytes(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("hdf5: WithMaxChunkBytes(%d): must be > 0", n)
		}
		o.maxChunkBytes = n
		return nil
	}
}

// WithMaxReadBytes caps the bytes one read may produce (default DefaultMaxReadBytes).
func WithMaxReadBytes(n int64) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("hdf5: WithMaxReadBytes(%d): must be > 0", n)
		}
		o.maxReadBytes = n
		return nil
	}
}

// WithChunkCache keeps up to n bytes of decoded chunks in an LRU cache shared
// by all reads of the file. It is off (0) by default; it pays off for
// repeated small reads that hit the same chunks.
func WithChunkCache(n int64) Option {
	return func(o *options) error {
		if n < 0 {
			return fmt.Errorf("hdf5: WithChunkCache(%d): must be >= 0", n)
		}
		o.chunkCache = n
		return nil
	}
}

// WithDir names the directory that external links, external raw data files
// and virtual dataset sources are resolved against. The default is the
// directory of the file given to Open, or the current directory for
// OpenReaderAt.
func WithDir(dir string) Option {
	return func(o *options) error {
		o.dir, o.dirSet = dir, true
		return nil
	}
}

// ChecksumMode says what to do with the checksums the format defines
// (superblock v2/v3, version 2 object headers, B-tree v2 nodes, fixed and
// extensible array blocks, fractal heap blocks, shared message tables).
type ChecksumMode int

const (
	// Strict (the default) verifies every checksum; a mismatch is a
	// FormatError wrapping ErrChecksum.
	Strict ChecksumMode = iota
	// Skip reads the checksum fields without verifying them, to salvage
	// what is still readable in a damaged file. Every other check (bounds,
	// signatures, versions, limits, cycles) still applies. It does not
	// disable the Fletcher-32 filter, which is part of a dataset's pipeline.
	Skip
)

// WithChecksums sets how checksums are treated (default Strict).
func WithChecksums(m ChecksumMode) Option {
	return func(o *options) error {
		if m != Strict && m != Skip {
			return fmt.Errorf("hdf5: WithChecksums(%d): unknown mode", m)
		}
		o.checksums = m
		return nil
	}
}

type readConcurrencyKey struct{}

// WithReadConcurrency returns a context that makes the reads it is passed to
// (ReadContext and the typed ...Context reads) use n decoding goroutines
// instead of the File's WithConcurrency setting; 1 means serial. Callers
// that parallelise across reads themselves, such as package stream, pass 1
// so that goroutines and decode buffers do not multiply.
func WithReadConcurrency(ctx context.Context, n int) context.Context {
	if n < 1 {
		n = 1
	}
	return context.WithValue(ctx, readConcurrencyKey{}, n)
}

// readConcurrency is the number of decoding goroutines for one read.
func (f *File) readConcurrency(ctx context.Context) int {
	if n, ok := ctx.Value(readConcurrencyKey{}).(int); ok {
		return n
	}
	return f.opts.concurrency
}
