package hdf5

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/goh5/goh5/hdf5/internal/heap"
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/internal/lru"
	"github.com/goh5/goh5/superblock"
)

// File is an open HDF5 file. All its methods are safe for concurrent use by
// many goroutines: it reads through io.ReaderAt and never seeks, and its
// caches are guarded.
type File struct {
	name   string // as given to Open; "" for OpenReaderAt
	dir    string // directory external links and external storage are relative to
	r      io.ReaderAt
	size   int64
	closer io.Closer
	src    *binfmt.Source
	sb     *superblock.Superblock
	opts   options
	global *heap.Global
	root   *Group

	chunkCache *chunkCache // nil unless WithChunkCache

	mu       sync.Mutex
	headers  *lru.Cache[uint64, *object.Header] // guarded by mu
	fractals map[uint64]*heap.Fractal
	locals   map[uint64]*heap.Local
	links    map[uint64][]*Link
	extFiles map[string]*File // external-link targets opened by this file
	chunkIdx map[uint64]any   // per-dataset chunk index cache, keyed by header address

	pathCache

	sohmOnce sync.Once
	sohm     *sohmTable
	sohmErr  error
}

// Open opens the named HDF5 file. Close releases it.
func Open(name string, opts ...Option) (*File, error) {
	fh, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("hdf5: %w", err)
	}
	f, err := newFile(fh, st.Size(), opts)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f.name = name
	if !f.opts.dirSet {
		f.dir = filepath.Dir(name)
	}
	f.closer = fh
	return f, nil
}

// OpenReaderAt reads an HDF5 file of the given size from r. Close does not
// close r. External links, external storage and virtual dataset sources are
// resolved relative to the current directory, or to the one WithDir names.
func OpenReaderAt(r io.ReaderAt, size int64, opts ...Option) (*File, error) {
	return newFile(r, size, opts)
}

func newFile(r io.ReaderAt, size int64, opts []Option) (*File, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	sb, err := superblock.ReadSkipChecksum(r, size, o.checksums == Skip)
	if err != nil {
		return nil, err
	}
	if err := sb.CheckDriver(); err != nil {
		return nil, err
	}
	dir := o.dir
	if dir == "" {
		dir = "."
	}
	f := &File{
		dir:      dir,
		r:        r,
		size:     size,
		sb:       sb,
		src:      sb.Source(r, size),
		opts:     o,
		headers:  lru.New[uint64, *object.Header](DefaultHeaderCache),
		fractals: make(map[uint64]*heap.Fractal),
		locals:   make(map[uint64]*heap.Local),
		links:    make(map[uint64][]*Link),
		extFiles: make(map[string]*File),
		chunkIdx: make(map[uint64]any),
	}
	f.global = heap.NewGlobal(f.src, o.maxHeapObject)
	f.chunkCache = newChunkCache(o.chunkCache)
	// Read the root group now, so that Open fails on a file whose root
	// cannot be read.
	root, err := f.groupAt(sb.Root.ObjAddr, "/")
	if err != nil {
		return nil, fmt.Errorf("hdf5: root group: %w", err)
	}
	f.root = root
	return f, nil
}

// Close closes the file if Open opened it, and any files opened through
// external links. It does not close a ReaderAt given to OpenReaderAt.
func (f *File) Close() error {
	f.mu.Lock()
	ext := f.extFiles
	f.extFiles = map[string]*File{}
	f.mu.Unlock()
	var errs []error
	for _, e := range ext {
		if e != nil {
			errs = append(errs, e.Close())
		}
	}
	if f.closer != nil {
		errs = append(errs, f.closer.Close())
		f.closer = nil
	}
	return errors.Join(errs...)
}

// Name returns the file name given to Open, or "" for OpenReaderAt.
func (f *File) Name() string { return f.name }

// Size returns the size in bytes of the file.
func (f *File) Size() int64 { return f.size }

// SuperblockVersion returns the version of the file's superblock (0 to 3).
func (f *File) SuperblockVersion() int { return f.sb.Version }

// Superblock returns the decoded superblock.
func (f *File) Superblock() *superblock.Superblock { return f.sb }

// Root returns the root group.
func (f *File) Root() *Group { return f.root }

// header returns the decoded object header at addr, from the cache if it was
// read before.
func (f *File) header(addr uint64) (*object.Header, error) {
	f.mu.Lock()
	h, ok := f.headers.Get(addr)
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := object.ReadHeader(f.src, addr, object.Limits{
		MaxMessages:      f.opts.maxHeaderMessages,
		MaxContinuations: f.opts.maxContinuations,
	})
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.headers.Put(addr, h)
	f.mu.Unlock()
	return h, nil
}

// fractal returns the fractal heap at addr, opened once.
func (f *File) fractal(addr uint64) (*heap.Fractal, error) {
	f.mu.Lock()
	h, ok := f.fractals[addr]
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := heap.OpenFractal(f.src, addr, f.opts.maxHeapObject)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.fractals[addr] = h
	f.mu.Unlock()
	return h, nil
}

// localHeap returns the local heap at addr, read once.
func (f *File) localHeap(addr uint64) (*heap.Local, error) {
	f.mu.Lock()
	h, ok := f.locals[addr]
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := heap.ReadLocal(f.src, addr)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.locals[addr] = h
	f.mu.Unlock()
	return h, nil
}
