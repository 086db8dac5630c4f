package heap

import (
	"fmt"
	"sync"

	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/internal/lru"
)

// MaxCachedCollections bounds how many decoded global heap collections one
// Global keeps in memory.
const MaxCachedCollections = 64

// Global reads objects from global heap collections, caching decoded
// collections. It is safe for concurrent use.
//
// Spec 3.0, III.E "Disk Format: Level 1E - Global Heap" (H5.format.html#GlobalHeap).
type Global struct {
	src       *binfmt.Source
	maxObject uint64

	mu    sync.Mutex
	cache *lru.Cache[uint64, *collection] // guarded by mu
}

// collection is one decoded "GCOL" collection: its bytes and where each
// object's data lies in them.
type collection struct {
	addr    uint64
	buf     []byte
	objects map[uint16]span
}

type span struct{ start, end int }

// NewGlobal returns a reader of the global heap of src. Objects larger than
// maxObject bytes fail with a LimitError named "MaxHeapObject".
func NewGlobal(src *binfmt.Source, maxObject uint64) *Global {
	return &Global{src: src, maxObject: maxObject, cache: lru.New[uint64, *collection](MaxCachedCollections)}
}

// Get returns a copy of object index of the collection at address collection.
// A missing index is an error wrapping binfmt.ErrNotFound.
func (g *Global) Get(collection uint64, index uint32) ([]byte, error) {
	c, err := g.collection(collection)
	if err != nil {
		return nil, err
	}
	if index == 0 || index > 0xffff {
		return nil, fmt.Errorf("hdf5: global heap collection at 0x%x: object %d: %w", collection, index, binfmt.ErrNotFound)
	}
	sp, ok := c.objects[uint16(index)]
	if !ok {
		return nil, fmt.Errorf("hdf5: global heap collection at 0x%x: object %d: %w", collection, index, binfmt.ErrNotFound)
	}
	if n := uint64(sp.end - sp.start); n > g.maxObject {
		return nil, &binfmt.LimitError{Name: "MaxHeapObject", Limit: int64(min(g.maxObject, 1<<62)), Want: int64(n), Addr: collection}
	}
	out := make([]byte, sp.end-sp.start)
	copy(out, c.buf[sp.start:sp.end])
	return out, nil
}

func (g *Global) collection(addr uint64) (*collection, error) {
	g.mu.Lock()
	c, _ := g.cache.Get(addr)
	g.mu.Unlock()
	if c != nil {
		return c, nil
	}
	c, err := readCollection(g.src, addr)
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	g.cache.Put(addr, c)
	g.mu.Unlock()
	return c, nil
}

// readCollection decodes the global heap collection at addr.
//
// Spec 3.0, III.E "Global Heap Collection" (H5.format.html#GlobalHeap).
func readCollection(src *binfmt.Source, addr uint64) (*collection, error) {
	const what = "global heap collection"
	L := src.Sizes.Lengths
	hdrLen := uint64(4 + 1 + 3 + L)
	c, err := src.Cursor(addr, hdrLen, what)
	if err != nil {
		return nil, err
	}
	c.Signature("GCOL")
	c.Version(1)
	c.Skip(3)
	size := c.Length()
	if err := c.Err(); err != nil {
		return nil, err
	}
	if size < hdrLen {
		return nil, binfmt.Errorf(addr, what, "collection size %d is smaller than its header", size)
	}
	// ReadAt checks the size against the file before allocating.
	buf, err := src.ReadAt(addr, size, what)
	if err != nil {
		return nil, err
	}
	col := &collection{addr: addr, buf: buf, objects: make(map[uint16]span)}
	cur := binfmt.NewCursor(buf, src.Sizes, addr, what)
	// libhdf5 aligns the collection header and each object header to 8
	// bytes (H5HG_ALIGN), which matters when lengths are 4 bytes wide.
	align := func(n int) int { return (n + 7) &^ 7 }
	cur.Seek(min(align(int(hdrLen)), len(buf)))
	objHdr := align(2 + 2 + 4 + L)
	for cur.Err() == nil && cur.Len() >= objHdr {
		at := cur.Pos()
		idx := cur.Uint16()
		cur.Skip(2 + 4) // reference count, reserved
		osize := cur.Length()
		cur.Seek(min(at+objHdr, len(buf)))
		if idx == 0 {
			break // free space: the rest of the collection
		}
		if osize > uint64(cur.Len()) {
			return nil, binfmt.Errorf(addr+uint64(at), what, "object %d of %d bytes overruns the collection", idx, osize)
		}
		if _, dup := col.objects[idx]; dup {
			return nil, binfmt.Errorf(addr+uint64(at), what, "object index %d appears twice", idx)
		}
		start := cur.Pos()
		col.objects[idx] = span{start, start + int(osize)}
		padded := (osize + 7) &^ 7
		if padded > uint64(cur.Len()) {
			padded = uint64(cur.Len())
		}
		cur.Skip(int(padded))
	}
	if err := cur.Err(); err != nil {
		return nil, err
	}
	return col, nil
}
