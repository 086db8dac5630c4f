// Package lru is a small least-recently-used map with a bound on its entry
// count. It is not safe for concurrent use: its owners hold their own lock.
package lru

import "container/list"

// Cache maps K to V and keeps at most Max entries, dropping the least
// recently used when full. The zero Cache is not usable; call New.
type Cache[K comparable, V any] struct {
	max   int
	items map[K]*list.Element
	order list.List // front: most recently used
}

type entry[K comparable, V any] struct {
	key K
	val V
}

// New returns a cache of at most n entries (at least one).
func New[K comparable, V any](n int) *Cache[K, V] {
	return &Cache[K, V]{max: max(1, n), items: map[K]*list.Element{}}
}

// Get returns the value stored for k and marks it most recently used.
func (c *Cache[K, V]) Get(k K) (V, bool) {
	e, ok := c.items[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry[K, V]).val, true
}

// Put stores v for k, dropping the least recently used entry when full.
func (c *Cache[K, V]) Put(k K, v V) {
	if e, ok := c.items[k]; ok {
		e.Value.(*entry[K, V]).val = v
		c.order.MoveToFront(e)
		return
	}
	if len(c.items) >= c.max {
		last := c.order.Back()
		delete(c.items, last.Value.(*entry[K, V]).key)
		c.order.Remove(last)
	}
	c.items[k] = c.order.PushFront(&entry[K, V]{key: k, val: v})
}

// Len returns the number of entries.
func (c *Cache[K, V]) Len() int { return len(c.items) }
