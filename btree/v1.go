package btree

import (
	"fmt"
	"iter"

	"github.com/goh5/goh5/internal/binfmt"
)

// MaxDepth caps the depth of every B-tree walk: the level of a version 1 node
// and the depth of a version 2 tree. Real trees are a handful of levels deep
// (a v1 tree of K=1 nodes, the thinnest possible, needs 64 levels to index
// 2^64 entries), so a deeper tree can only come from a corrupt file.
const MaxDepth = 64

// Version 1 B-tree node types. Spec 3.0, III.A.1 "Disk Format: Level 1A1 -
// Version 1 B-trees" (H5.format.html#V1Btrees).
const (
	V1GroupNode = 0 // group nodes: keys are local heap offsets, leaves point to SNODs
	V1ChunkNode = 1 // raw data chunk nodes: keys are chunk size, filter mask, offsets
)

// MaxChunkDims is the largest "dimensionality" of a v1 chunk key: a rank-32
// dataset (libhdf5's H5S_MAX_RANK) plus the element-size dimension.
const MaxChunkDims = 33

// V1Chunk is one leaf entry of a version 1 raw-data chunk B-tree (node type 1).
type V1Chunk struct {
	Addr       uint64   // chunk address
	Size       uint32   // stored (possibly filtered) chunk size in bytes
	FilterMask uint32   // bit i set: filter i of the pipeline was skipped
	Offsets    []uint64 // element offsets of the chunk: rank+1 values, last is 0 (element-size dim)
}

// v1Node is one decoded "TREE" node.
type v1Node struct {
	addr     uint64
	typ      uint8
	level    uint8
	entries  int
	left     uint64
	right    uint64
	keys     [][]byte // entries+1 raw keys
	children []uint64 // entries child addresses
}

// readV1Node reads and decodes the node at addr whose keys are keySize bytes.
// Spec 3.0, III.A.1 "Version 1 B-trees".
//
// The node holds "entries used" children and one more key than children. The
// allocated node is 2K entries long, but K lives in the superblock or the
// layout, so the count is checked against what the file can hold instead:
// the bytes for the used entries must lie inside the file before they are
// read.
func readV1Node(src *binfmt.Source, addr uint64, typ uint8, keySize int) (*v1Node, error) {
	const what = "v1 B-tree node"
	o := src.Sizes.Offsets
	hdrSize := 8 + 2*o
	c, err := src.Cursor(addr, uint64(hdrSize), what)
	if err != nil {
		return nil, err
	}
	n := &v1Node{addr: addr}
	c.Signature("TREE")
	n.typ = c.Uint8()
	n.level = c.Uint8()
	n.entries = int(c.Uint16())
	n.left = c.Offset()
	n.right = c.Offset()
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n.typ != typ {
		return nil, binfmt.Errorf(addr, what, "node type %d, want %d", n.typ, typ)
	}
	if n.level >= MaxDepth {
		return nil, binfmt.Wrap(addr, what, &binfmt.LimitError{Name: "MaxBTreeDepth", Limit: MaxDepth, Want: int64(n.level), Addr: addr},
			"level %d exceeds the depth limit %d", n.level, MaxDepth)
	}
	entry := uint64(keySize + o)
	size := entry*uint64(n.entries) + uint64(keySize) // cannot overflow: entries < 2^16
	if err := src.Check(addr+uint64(hdrSize), size, what); err != nil {
		return nil, binfmt.Wrap(addr, what, err, "%d entries do not fit in the file", n.entries)
	}
	b, err := src.ReadAt(addr+uint64(hdrSize), size, what)
	if err != nil {
		return nil, err
	}
	c = binfmt.NewCursor(b, src.Sizes, addr+uint64(hdrSize), what)
	n.keys = make([][]byte, 0, n.entries+1)
	n.children = make([]uint64, 0, n.entries)
	for i := 0; i < n.entries; i++ {
		n.keys = append(n.keys, c.Bytes(keySize))
		n.children = append(n.children, c.Offset())
	}
	n.keys = append(n.keys, c.Bytes(keySize))
	if err := c.Err(); err != nil {
		return nil, err
	}
	return n, nil
}

// walkV1 visits the leaf (level 0) entries of the v1 B-tree rooted at addr in
// key order, calling fn with the node and the entry index. It stops at the
// first error or when fn returns false. Every node is visited at most once,
// and each child's level must be one less than its parent's.
func walkV1(src *binfmt.Source, addr uint64, typ uint8, keySize int, fn func(n *v1Node, i int) bool) error {
	visited := make(map[uint64]bool)
	var walk func(addr uint64, wantLevel int) (bool, error)
	walk = func(addr uint64, wantLevel int) (bool, error) {
		if visited[addr] {
			return false, binfmt.Errorf(addr, "v1 B-tree node", "cycle: node visited twice")
		}
		visited[addr] = true
		n, err := readV1Node(src, addr, typ, keySize)
		if err != nil {
			return false, err
		}
		if wantLevel >= 0 && int(n.level) != wantLevel {
			return false, binfmt.Errorf(addr, "v1 B-tree node", "level %d, want %d", n.level, wantLevel)
		}
		for i, child := range n.children {
			if n.level == 0 {
				if !fn(n, i) {
					return false, nil
				}
				continue
			}
			more, err := walk(child, int(n.level)-1)
			if err != nil || !more {
				return false, err
			}
		}
		return true, nil
	}
	_, err := walk(addr, -1)
	return err
}

// V1GroupNodes returns the addresses of the symbol table nodes ("SNOD") of the
// group B-tree (node type 0) rooted at addr, in key (link name) order.
// Iteration stops after yielding an error.
func V1GroupNodes(src *binfmt.Source, addr uint64) iter.Seq2[uint64, error] {
	return func(yield func(uint64, error) bool) {
		stopped := false
		err := walkV1(src, addr, V1GroupNode, src.Sizes.Lengths, func(n *v1Node, i int) bool {
			if !yield(n.children[i], nil) {
				stopped = true
				return false
			}
			return true
		})
		if err != nil && !stopped {
			yield(0, err)
		}
	}
}

// V1Chunks returns the chunks indexed by the raw-data chunk B-tree (node type
// 1) rooted at addr, in key order. ndims is the key's dimensionality, the
// dataset's rank plus one. Iteration stops after yielding an error.
func V1Chunks(src *binfmt.Source, addr uint64, ndims int) iter.Seq2[V1Chunk, error] {
	return func(yield func(V1Chunk, error) bool) {
		if ndims < 1 || ndims > MaxChunkDims {
			yield(V1Chunk{}, binfmt.Errorf(addr, "v1 B-tree node", "chunk key dimensionality %d not in 1..%d", ndims, MaxChunkDims))
			return
		}
		stopped := false
		var derr error
		keySize := 8 + 8*ndims
		err := walkV1(src, addr, V1ChunkNode, keySize, func(n *v1Node, i int) bool {
			ch, err := decodeV1ChunkKey(n.keys[i], ndims, n.addr)
			if err != nil {
				derr = err
				return false
			}
			ch.Addr = n.children[i]
			if !yield(ch, nil) {
				stopped = true
				return false
			}
			return true
		})
		if err == nil {
			err = derr
		}
		if err != nil && !stopped {
			yield(V1Chunk{}, err)
		}
	}
}

// decodeV1ChunkKey decodes a raw-data chunk key: chunk size, filter mask and
// ndims 8-byte offsets. Spec 3.0, III.A.1, "Node Type 1".
func decodeV1ChunkKey(b []byte, ndims int, addr uint64) (V1Chunk, error) {
	c := binfmt.NewCursor(b, binfmt.Sizes{}, addr, "v1 B-tree chunk key")
	var ch V1Chunk
	ch.Size = c.Uint32()
	ch.FilterMask = c.Uint32()
	ch.Offsets = make([]uint64, ndims)
	for d := range ch.Offsets {
		ch.Offsets[d] = c.Uint64()
	}
	if err := c.Err(); err != nil {
		return V1Chunk{}, err
	}
	return ch, nil
}

// String formats the chunk for debugging.
func (c V1Chunk) String() string {
	return fmt.Sprintf("chunk %v at 0x%x (%d bytes, mask %#x)", c.Offsets, c.Addr, c.Size, c.FilterMask)
}
