package heap

import "sync"

// blockCacheBytes bounds the bytes of decoded blocks one Fractal keeps.
const blockCacheBytes = 8 << 20

// blockCache is a small mutex-protected cache of decoded heap blocks, keyed
// by file address and bounded by total size. When full, it drops arbitrary
// entries; heap access patterns do not reward anything cleverer.
type blockCache struct {
	mu    sync.Mutex
	m     map[uint64]cached
	bytes int
	limit int
}

type cached struct {
	v    any
	size int
}

func newBlockCache(limit int) *blockCache {
	return &blockCache{m: make(map[uint64]cached), limit: limit}
}

func (c *blockCache) get(addr uint64) (any, bool) {
	c.mu.Lock()
	e, ok := c.m[addr]
	c.mu.Unlock()
	return e.v, ok
}

func (c *blockCache) put(addr uint64, v any, size int) {
	if size > c.limit {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[addr]; ok {
		c.bytes -= old.size
	}
	for k, e := range c.m {
		if c.bytes+size <= c.limit {
			break
		}
		delete(c.m, k)
		c.bytes -= e.size
	}
	c.m[addr] = cached{v, size}
	c.bytes += size
}
