package reader

import (
	"context"
	"sync"

	"github.com/goh5/goh5/hdf5"
)

// blockCache keeps decoded blocks of rows (native layout, as
// hdf5.Dataset.Read gives them) in least-recently-used order, bounded in
// bytes. A block's bytes never change once loaded, so requests copy from
// them without holding the lock, and a hit allocates nothing. Concurrent
// misses on one block load it once.
type blockCache struct {
	mu         sync.Mutex
	max, used  int64
	m          map[blockKey]*block
	head, tail *block // head: most recently used
}

type blockKey struct{ ds, b uint64 }

type block struct {
	key        blockKey
	data       []byte
	err        error
	ready      chan struct{} // closed once data or err is set
	prev, next *block
	linked     bool
}

func newBlockCache(max int64) *blockCache {
	return &blockCache{max: max, m: map[blockKey]*block{}}
}

// get returns block b of d: rows b*blockRows up to the next block.
func (c *blockCache) get(ctx context.Context, d *base, b uint64) ([]byte, error) {
	k := blockKey{d.id, b}
	c.mu.Lock()
	if e, ok := c.m[k]; ok {
		if e.linked {
			c.unlink(e)
			c.pushFront(e)
			c.mu.Unlock()
			return e.data, nil
		}
		c.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return nil, e.err
		}
		return e.data, nil
	}
	if c.max <= 0 {
		c.mu.Unlock()
		return loadBlock(ctx, d, b)
	}
	e := &block{key: k, ready: make(chan struct{})}
	c.m[k] = e
	c.mu.Unlock()

	e.data, e.err = loadBlock(ctx, d, b)
	c.mu.Lock()
	if e.err != nil || int64(len(e.data)) > c.max {
		delete(c.m, k)
	} else {
		c.pushFront(e)
		c.used += int64(len(e.data))
		for c.used > c.max && c.tail != nil {
			old := c.tail
			c.unlink(old)
			delete(c.m, old.key)
			c.used -= int64(len(old.data))
		}
	}
	c.mu.Unlock()
	close(e.ready)
	return e.data, e.err
}

func (c *blockCache) pushFront(e *block) {
	e.prev, e.next = nil, c.head
	if c.head != nil {
		c.head.prev = e
	}
	c.head = e
	if c.tail == nil {
		c.tail = e
	}
	e.linked = true
}

func (c *blockCache) unlink(e *block) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		c.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		c.tail = e.prev
	}
	e.prev, e.next, e.linked = nil, nil, false
}

// loadBlock reads block b of d through the hdf5 read engine.
func loadBlock(ctx context.Context, d *base, b uint64) ([]byte, error) {
	first := b * d.blockRows
	n := d.nrows()
	if first >= n {
		return nil, errOutOfRange
	}
	rows := min(d.blockRows, n-first)
	rank := len(d.shape)
	start := make([]uint64, rank)
	count := make([]uint64, rank)
	start[0], count[0] = first, rows
	copy(count[1:], d.shape[1:])
	buf := make([]byte, rows*d.rowBytes)
	if err := d.ds.ReadContext(ctx, hdf5.Hyperslab(start, nil, count, nil), buf); err != nil {
		return nil, err
	}
	return buf, nil
}
