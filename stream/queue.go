package stream

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math/bits"
	"sync"
	"sync/atomic"

	"github.com/goh5/goh5/hdf5"
)

// ErrClosed is returned by Next when a non-cyclic stream has delivered its
// last block, and after Close (multitables' QueueClosed).
var ErrClosed = errors.New("stream: queue closed")

// A Queue streams the blocks of one dataset. Its methods are safe for
// concurrent use: several goroutines may call Next at once, and each block
// is delivered to exactly one of them.
type Queue struct {
	ds      *hdf5.Dataset
	g       *geometry
	fields  []string
	opts    Options
	nblocks uint64 // non-cyclic: blocks to deliver (with the partial one if Remainder)

	ctx       context.Context
	cancel    context.CancelFunc
	stopAfter func() bool
	wg        sync.WaitGroup
	pool      chan *buffer // ReadAhead tokens: a buffer, or nil for one not yet allocated
	next      atomic.Uint64

	mu        sync.Mutex
	changed   chan struct{} // closed and replaced on every change of the state below
	ordered   map[uint64]*Block
	fifo      []*Block
	want      uint64 // ordered: index of the next block to deliver
	delivered uint64
	err       error
	closed    bool
}

// buffer is one pooled block buffer.
type buffer struct {
	data []byte
	view any // the last typed slice View decoded into, reused
}

// Open starts streaming ds with opts. Close the queue when done.
func Open(ds *hdf5.Dataset, opts Options) (*Queue, error) {
	return OpenContext(context.Background(), ds, opts)
}

// OpenPath opens the dataset at path in f and streams it.
func OpenPath(f *hdf5.File, path string, opts Options) (*Queue, error) {
	ds, err := f.Dataset(path)
	if err != nil {
		return nil, err
	}
	return Open(ds, opts)
}

// OpenContext is Open with a context that bounds the workers' life:
// cancelling it stops them, and Next then returns the context's error.
// Close must still be called.
func OpenContext(ctx context.Context, ds *hdf5.Dataset, opts Options) (*Queue, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	g, err := datasetGeometry(ds, o.Field)
	if err != nil {
		return nil, err
	}
	if o.BlockRows > 0 {
		g.blockRows = uint64(o.BlockRows)
	} else {
		g.blockRows = g.defaultBlockRows(ds)
	}
	hi, blockBytes := bits.Mul64(g.blockRows, g.rowBytes)
	if hi != 0 || blockBytes > 1<<40 {
		return nil, fmt.Errorf("stream: %s: block of %d rows of %d bytes is too large", ds.Path(), g.blockRows, g.rowBytes)
	}
	q := &Queue{
		ds:      ds,
		g:       g,
		fields:  append([]string(nil), o.Field...),
		opts:    o,
		pool:    make(chan *buffer, o.ReadAhead),
		changed: make(chan struct{}),
	}
	if o.Ordered {
		q.ordered = map[uint64]*Block{}
	}
	q.nblocks = g.nrows / g.blockRows
	if o.Remainder && g.nrows%g.blockRows != 0 {
		q.nblocks++
	}
	if o.Cyclic && g.nrows == 0 {
		q.nblocks = 0 // nothing to cycle over: the stream is empty
		q.opts.Cyclic = false
	}
	for range o.ReadAhead {
		q.pool <- nil
	}
	q.ctx, q.cancel = context.WithCancel(ctx)
	q.stopAfter = context.AfterFunc(q.ctx, func() {
		q.fail(context.Cause(q.ctx))
	})
	workers := o.Workers
	if !q.opts.Cyclic {
		workers = int(min(uint64(workers), q.nblocks))
	}
	q.wg.Add(workers)
	for range workers {
		go q.work()
	}
	return q, nil
}

// BlockRows returns the queue's block size.
func (q *Queue) BlockRows() int { return int(q.g.blockRows) }

// RowBytes returns the size of one row as delivered.
func (q *Queue) RowBytes() int { return int(q.g.rowBytes) }

// ElemSize returns the size of one element as delivered (the members named
// by Options.Field when set).
func (q *Queue) ElemSize() int { return int(q.g.elemSize) }

// Len returns the number of blocks a non-cyclic queue delivers (0 for a
// cyclic one).
func (q *Queue) Len() int {
	if q.opts.Cyclic {
		return 0
	}
	return int(q.nblocks)
}

// Options returns the queue's options with the defaults filled in.
func (q *Queue) Options() Options {
	o := q.opts
	o.BlockRows = int(q.g.blockRows)
	o.Field = append([]string(nil), o.Field...)
	return o
}

// blockRange returns the first row and the row count of block k.
func (q *Queue) blockRange(k uint64) (start, rows uint64) {
	b, n := q.g.blockRows, q.g.nrows
	if q.opts.Cyclic {
		hi, lo := bits.Mul64(k, b)
		return bits.Rem64(hi, lo, n), b
	}
	start = k * b
	return start, min(b, n-start)
}

func (q *Queue) work() {
	defer q.wg.Done()
	for {
		var buf *buffer
		select {
		case buf = <-q.pool:
		case <-q.ctx.Done():
			return
		}
		// The index is taken only once a buffer is held, so the undelivered
		// block with the lowest index is always being read: the ordered
		// reorder buffer cannot fill with later blocks and deadlock.
		k := q.next.Add(1) - 1
		if !q.opts.Cyclic && k >= q.nblocks {
			q.pool <- buf
			return
		}
		start, rows := q.blockRange(k)
		n := rows * q.g.rowBytes
		if buf == nil {
			buf = &buffer{data: make([]byte, q.g.blockRows*q.g.rowBytes)}
		}
		if err := q.read(start, rows, buf.data[:n]); err != nil {
			q.pool <- buf
			if q.ctx.Err() != nil {
				return // stopped: Close, another worker's error or the caller's context
			}
			end := start + rows
			if q.opts.Cyclic && end > q.g.nrows {
				end = (end-1)%q.g.nrows + 1
			}
			q.fail(fmt.Errorf("stream: %s: block %d, rows [%d, %d): %w", q.ds.Path(), k, start, end, err))
			return
		}
		blk := &Block{q: q, buf: buf, data: buf.data[:n], index: k, start: int(start), rows: int(rows)}
		q.mu.Lock()
		if q.closed || q.err != nil {
			q.mu.Unlock()
			q.pool <- buf
			return
		}
		if q.ordered != nil {
			q.ordered[k] = blk
		} else {
			q.fifo = append(q.fifo, blk)
		}
		q.broadcast()
		q.mu.Unlock()
	}
}

// read reads rows [start, start+rows) (wrapping around the end in a cyclic
// stream) into dst.
func (q *Queue) read(start, rows uint64, dst []byte) error {
	rank := len(q.g.dims)
	for rows > 0 {
		n := min(rows, q.g.nrows-start)
		s := make([]uint64, rank)
		s[0] = start
		count := append([]uint64(nil), q.g.dims...)
		count[0] = n
		sel := hdf5.Hyperslab(s, nil, count, nil)
		if len(q.fields) > 0 {
			sel = sel.Fields(q.fields...)
		}
		nb := n * q.g.rowBytes
		if err := q.ds.ReadContext(hdf5.WithReadConcurrency(q.ctx, 1), sel, dst[:nb]); err != nil {
			return err
		}
		dst = dst[nb:]
		rows -= n
		start = 0
	}
	return nil
}

// broadcast wakes every waiting Next. q.mu is held.
func (q *Queue) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}

// fail stops the stream with err, unless it is already stopped.
func (q *Queue) fail(err error) {
	q.mu.Lock()
	if q.err == nil && !q.closed {
		q.err = err
		q.broadcast()
	}
	q.mu.Unlock()
	q.cancel()
}

// take removes the next deliverable block. q.mu is held.
func (q *Queue) take() *Block {
	if q.ordered != nil {
		b, ok := q.ordered[q.want]
		if !ok {
			return nil
		}
		delete(q.ordered, q.want)
		q.want++
		return b
	}
	if len(q.fifo) == 0 {
		return nil
	}
	b := q.fifo[0]
	q.fifo[0] = nil
	q.fifo = q.fifo[1:]
	if len(q.fifo) == 0 {
		q.fifo = q.fifo[:0:0]
	}
	return b
}

// Next waits for the next block and returns it. Release the block when
// done with it: the pool holds only ReadAhead buffers, so blocks never
// released stall the stream. Next returns ErrClosed after the last block
// of a non-cyclic stream and after Close, the first worker error (wrapped
// with its block's rows) once a read fails, and ctx's error if ctx ends
// first (the stream itself goes on).
func (q *Queue) Next(ctx context.Context) (*Block, error) {
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return nil, ErrClosed
		}
		if q.err != nil {
			err := q.err
			q.mu.Unlock()
			return nil, err
		}
		if b := q.take(); b != nil {
			q.delivered++
			q.mu.Unlock()
			return b, nil
		}
		if !q.opts.Cyclic && q.delivered >= q.nblocks {
			q.mu.Unlock()
			return nil, ErrClosed
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Blocks iterates over the blocks of q, releasing each one when the loop
// body returns: keep no reference to a block or its data past its
// iteration. It stops at the end of the stream (ErrClosed is not
// reported), and yields any other error once before stopping. It does not
// close q.
func (q *Queue) Blocks(ctx context.Context) iter.Seq2[*Block, error] {
	return func(yield func(*Block, error) bool) {
		for {
			b, err := q.Next(ctx)
			if errors.Is(err, ErrClosed) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			more := yield(b, nil)
			b.Release()
			if !more {
				return
			}
		}
	}
}

// Close stops the workers, waits for them, and drops every pooled buffer
// and every block read but not delivered. Blocks already delivered stay
// valid until released. Close is idempotent and always returns nil.
func (q *Queue) Close() error {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return nil
	}
	q.closed = true
	q.broadcast()
	q.mu.Unlock()
	q.stopAfter()
	q.cancel()
	q.wg.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ordered, q.fifo = nil, nil
	for {
		select {
		case <-q.pool:
			continue
		default:
		}
		break
	}
	return nil
}

// release gives a block's buffer back to the pool.
func (q *Queue) release(buf *buffer) {
	if q.opts.Checked {
		// Poison and quarantine: a slice kept past Release keeps reading
		// the pattern, and a fresh buffer takes the pool slot.
		for i := range buf.data {
			buf.data[i] = PoisonByte
		}
		buf = nil
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return // the pool is gone
	}
	select {
	case q.pool <- buf:
	default: // cannot happen: the pool holds ReadAhead tokens in all
	}
}
