package reader

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/goh5/goh5/hdf5"
)

// Errors a Reader reports. All of them are sentinels for errors.Is.
var (
	// ErrStageTooSmall means a request's result does not fit its stage
	// (multitables' SharedMemoryError).
	ErrStageTooSmall = errors.New("hdf5: reader: result does not fit the stage")
	// ErrReleased means a future's data was released (or consumed) and can
	// no longer be read.
	ErrReleased = errors.New("hdf5: reader: data released")
	// ErrStopped means the reader was stopped before the request completed.
	ErrStopped = errors.New("hdf5: reader: stopped")
	// ErrClosed means the reader was closed before the request was submitted.
	ErrClosed = errors.New("hdf5: reader: closed")
	// ErrNoIndex means ReadSorted with checkCSI found no completely sorted
	// index on the column (PyTables' ValueError).
	ErrNoIndex = errors.New("hdf5: reader: no CSI index")
)

// Defaults of Options.
const (
	// DefaultCacheBytes is the size of the decoded-block cache, 64 MiB.
	DefaultCacheBytes = 64 << 20
	// DefaultQueue is how many submitted requests may wait for a worker
	// per worker before Request blocks.
	DefaultQueue = 64
)

// Options configure a Reader.
type Options struct {
	// Workers is the number of goroutines serving requests; 0 means
	// GOMAXPROCS.
	Workers int
	// CacheBytes bounds the cache of decoded row blocks shared by every
	// request (a block is one chunk's rows of a chunked dataset, about 64
	// KiB of rows of a contiguous one). 0 means DefaultCacheBytes; a
	// negative value keeps no block beyond the request that read it.
	CacheBytes int64
	// Queue is the number of submitted requests per worker that may wait
	// before Request blocks; 0 means DefaultQueue.
	Queue int
}

// Reader serves read requests on the datasets of one file from a pool of
// worker goroutines (Python multitables' Reader). It is safe for
// concurrent use.
type Reader struct {
	f     *hdf5.File
	owned bool
	opts  Options

	jobs   chan *Stage
	wg     sync.WaitGroup
	mu     sync.RWMutex // guards closed and the closing of jobs
	closed bool

	stopOnce sync.Once
	stopCh   chan struct{}
	stopped  atomic.Bool
	ctx      context.Context
	cancel   context.CancelFunc

	cache *blockCache

	fileOnce sync.Once
	fileErr  error

	dsMu   sync.Mutex
	dsets  map[string]Dataset
	nextID uint64
}

// New starts a Reader on f. The Reader does not own f: Close does not close
// it.
func New(f *hdf5.File, o Options) (*Reader, error) {
	if f == nil {
		return nil, fmt.Errorf("hdf5: reader: nil file")
	}
	if o.Workers < 0 || o.Queue < 0 {
		return nil, fmt.Errorf("hdf5: reader: Workers (%d) and Queue (%d) must be >= 0", o.Workers, o.Queue)
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Queue == 0 {
		o.Queue = DefaultQueue
	}
	if o.CacheBytes == 0 {
		o.CacheBytes = DefaultCacheBytes
	}
	r := &Reader{
		f:      f,
		opts:   o,
		jobs:   make(chan *Stage, o.Workers*o.Queue),
		stopCh: make(chan struct{}),
		cache:  newBlockCache(o.CacheBytes),
		dsets:  map[string]Dataset{},
	}
	r.ctx, r.cancel = context.WithCancel(context.Background())
	r.wg.Add(o.Workers)
	for i := 0; i < o.Workers; i++ {
		go r.work()
	}
	return r, nil
}

// Open opens the named file with opts and starts a Reader on it that owns
// the file: Close and Stop close it once the workers are gone.
func Open(name string, o Options, opts ...hdf5.Option) (*Reader, error) {
	f, err := hdf5.Open(name, opts...)
	if err != nil {
		return nil, err
	}
	r, err := New(f, o)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.owned = true
	return r, nil
}

// File returns the file the Reader reads.
func (r *Reader) File() *hdf5.File { return r.f }

// Workers returns the number of worker goroutines.
func (r *Reader) Workers() int { return r.opts.Workers }

// Request schedules req to be read into a stage taken from dst (a *Stage
// or a *StagePool) and returns its future at once. It blocks only while
// dst has no free stage or the queue is full. Errors (a malformed request,
// a closed or stopped reader, a failed read) are returned by the future's
// getters, wrapped in a *RequestError.
func (r *Reader) Request(req Request, dst StageSource) Future {
	if req.err != nil {
		return Future{err: &RequestError{Req: req, Err: req.err}}
	}
	if req.d == nil {
		return Future{err: &RequestError{Req: req, Err: errors.New("hdf5: reader: empty request")}}
	}
	if req.d.r != r {
		return Future{err: &RequestError{Req: req, Err: errors.New("hdf5: reader: request built by another reader")}}
	}
	if dst == nil {
		return Future{err: &RequestError{Req: req, Err: errors.New("hdf5: reader: nil stage")}}
	}
	if r.isClosed() {
		return Future{err: &RequestError{Req: req, Err: r.closedErr()}}
	}
	s, err := dst.acquire(r)
	if err != nil {
		return Future{err: &RequestError{Req: req, Err: err}}
	}
	if s.d != req.d && !s.compatible(req.d) {
		s.release()
		return Future{err: &RequestError{Req: req, Err: fmt.Errorf("hdf5: reader: stage of %s used for a request on %s", s.d.path, req.d.path)}}
	}
	s.mu.Lock()
	s.gen++
	gen := s.gen
	s.state = statePending
	s.req = req
	s.err = nil
	s.mu.Unlock()
	if err := r.submit(s); err != nil {
		s.complete(&RequestError{Req: req, Err: err})
	}
	return Future{s: s, gen: gen}
}

func (r *Reader) isClosed() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.closed
}

func (r *Reader) closedErr() error {
	if r.stopped.Load() {
		return ErrStopped
	}
	return ErrClosed
}

func (r *Reader) submit(s *Stage) error {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.closed {
		return r.closedErr()
	}
	select {
	case r.jobs <- s:
		return nil
	case <-r.stopCh:
		return ErrStopped
	}
}

// work is one worker: it serves stages until the queue is closed.
func (r *Reader) work() {
	defer r.wg.Done()
	w := &worker{}
	for s := range r.jobs {
		if r.stopped.Load() {
			s.complete(&RequestError{Req: s.req, Err: ErrStopped})
			continue
		}
		err := s.fill(r.ctx, w)
		if err != nil {
			if r.stopped.Load() && errors.Is(err, context.Canceled) {
				err = ErrStopped
			}
			err = &RequestError{Req: s.req, Err: err}
		}
		s.complete(err)
	}
}

// Close accepts no more requests; those already submitted complete. With
// wait, Close returns when every worker has exited (and, for a Reader from
// Open, the file is closed). Close may be called more than once.
func (r *Reader) Close(wait bool) error {
	r.mu.Lock()
	if !r.closed {
		r.closed = true
		close(r.jobs)
	}
	r.mu.Unlock()
	if !wait {
		if r.owned {
			go func() { r.wg.Wait(); r.closeFile() }()
		}
		return nil
	}
	r.wg.Wait()
	return r.closeFile()
}

func (r *Reader) closeFile() error {
	if !r.owned {
		return nil
	}
	r.fileOnce.Do(func() { r.fileErr = r.f.Close() })
	return r.fileErr
}

// Stop cancels every pending request at once: reads in progress are
// interrupted, queued requests are dropped, and every get on a future of
// this Reader, pending or later, returns ErrStopped. Stop returns when the
// workers have exited.
func (r *Reader) Stop() {
	r.stopOnce.Do(func() {
		r.stopped.Store(true)
		close(r.stopCh)
		r.cancel()
	})
	r.Close(true)
}

// RequestError is a failed request's error (multitables'
// SubprocessException): the request and the error the worker met.
type RequestError struct {
	Req Request
	Err error
}

func (e *RequestError) Error() string {
	return fmt.Sprintf("hdf5: reader: request %s: %v", e.Req.String(), e.Err)
}

func (e *RequestError) Unwrap() error { return e.Err }

// worker holds one worker goroutine's reusable scratch memory.
type worker struct {
	coords  []uint64
	scratch []byte
	desc    []byte
}
