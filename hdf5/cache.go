package hdf5

import (
	"container/list"
	"sync"
)

// chunkCache is an LRU cache of decoded chunks, bounded in bytes and shared
// by every read of a File (WithChunkCache). Cached slices are never
// modified after they are put, so readers share them without copying.
type chunkCache struct {
	mu    sync.Mutex
	max   int64
	used  int64
	order *list.List // front: most recently used
	items map[chunkKey]*list.Element
}

type chunkKey struct{ dataset, chunk uint64 }

type cacheEntry struct {
	key  chunkKey
	data []byte
}

func newChunkCache(max int64) *chunkCache {
	if max <= 0 {
		return nil
	}
	return &chunkCache{max: max, order: list.New(), items: map[chunkKey]*list.Element{}}
}

func (c *chunkCache) get(dataset, chunk uint64) []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[chunkKey{dataset, chunk}]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*cacheEntry).data
	}
	return nil
}

// put stores a copy of data, evicting the least recently used chunks.
func (c *chunkCache) put(dataset, chunk uint64, data []byte) {
	n := int64(len(data))
	if n > c.max {
		return
	}
	cp := make([]byte, n)
	copy(cp, data)
	c.mu.Lock()
	defer c.mu.Unlock()
	k := chunkKey{dataset, chunk}
	if _, ok := c.items[k]; ok {
		return
	}
	for c.used+n > c.max {
		last := c.order.Back()
		ce := last.Value.(*cacheEntry)
		c.order.Remove(last)
		delete(c.items, ce.key)
		c.used -= int64(len(ce.data))
	}
	c.items[k] = c.order.PushFront(&cacheEntry{key: k, data: cp})
	c.used += n
}
