package btree

import (
	"iter"
	"math"
	"math/bits"

	"github.com/goh5/goh5/internal/binfmt"
)

// Version 2 B-tree record types. Spec 3.0, III.A.2 "Disk Format: Level 1A2 -
// Version 2 B-trees" (H5.format.html#V2Btrees).
const (
	V2HugeIndirect         = 1  // fractal heap huge objects, indirect, unfiltered
	V2HugeIndirectFiltered = 2  // fractal heap huge objects, indirect, filtered
	V2HugeDirect           = 3  // fractal heap huge objects, direct, unfiltered
	V2HugeDirectFiltered   = 4  // fractal heap huge objects, direct, filtered
	V2LinkName             = 5  // group links indexed by name hash
	V2LinkOrder            = 6  // group links indexed by creation order
	V2SharedMsg            = 7  // shared object header message index
	V2AttrName             = 8  // attributes indexed by name hash
	V2AttrOrder            = 9  // attributes indexed by creation order
	V2Chunk                = 10 // dataset chunks, unfiltered
	V2ChunkFiltered        = 11 // dataset chunks, filtered
)

// v2Prefix is the size of a node's signature, version, type and checksum
// (libhdf5's H5B2_METADATA_PREFIX_SIZE), the fixed overhead of every node.
const v2Prefix = 4 + 1 + 1 + 4

// V2 is an open version 2 B-tree: its header ("BTHD") plus the per-depth node
// geometry derived from it.
// Spec 3.0, III.A.2 "Version 2 B-trees" (H5.format.html#V2Btrees).
type V2 struct {
	Addr         uint64 // header address
	Type         uint8
	NodeSize     uint32
	RecordSize   uint16
	Depth        uint16
	SplitPercent uint8
	MergePercent uint8
	Root         uint64 // root node address (Undef for an empty tree)
	RootRecords  uint16
	TotalRecords uint64

	src *binfmt.Source
	// Per depth d (0 = leaf): the most records a node can hold, and the
	// byte widths of the child pointer fields in a node at depth d+1.
	maxRec    []uint64
	cumMaxRec []uint64
	cumSize   []int // bytes of the "total records" field for children at depth d (0 for leaves)
	nrecSize  int   // bytes of the "records in child" field, at every depth
}

// OpenV2 reads the version 2 B-tree header at addr and verifies its checksum.
func OpenV2(src *binfmt.Source, addr uint64) (*V2, error) {
	const what = "v2 B-tree header"
	n := uint64(4+1+1+4+2+2+1+1+2+4) + uint64(src.Sizes.Offsets+src.Sizes.Lengths)
	c, err := src.Cursor(addr, n, what)
	if err != nil {
		return nil, err
	}
	t := &V2{Addr: addr, src: src}
	c.Signature("BTHD")
	c.Version(0)
	t.Type = c.Uint8()
	t.NodeSize = c.Uint32()
	t.RecordSize = c.Uint16()
	t.Depth = c.Uint16()
	t.SplitPercent = c.Uint8()
	t.MergePercent = c.Uint8()
	t.Root = c.Offset()
	t.RootRecords = c.Uint16()
	t.TotalRecords = c.Length()
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := t.initGeometry(); err != nil {
		return nil, err
	}
	return t, nil
}

// encSize is the number of bytes libhdf5 uses to encode counts up to n
// (H5VM_limit_enc_size: floor(log2(n))/8 + 1).
func encSize(n uint64) int {
	if n == 0 {
		return 1
	}
	return (bits.Len64(n)-1)/8 + 1
}

// initGeometry derives, for every depth, the maximum number of records a node
// holds and the widths of the child pointer fields, exactly as libhdf5 does
// (H5B2__hdr_init):
//
//	leaf:      maxRec[0] = (NodeSize - prefix) / RecordSize
//	           nrecSize  = encSize(maxRec[0])            (records in child, all depths)
//	depth d≥1: ptr       = sizeof(offset) + nrecSize + cumSize[d-1]
//	           maxRec[d] = (NodeSize - (prefix + ptr)) / (RecordSize + ptr)
//	           cumMaxRec[d] = (maxRec[d]+1)*cumMaxRec[d-1] + maxRec[d]
//	           cumSize[d]   = encSize(cumMaxRec[d])      (total records below a child at depth d)
//
// with cumMaxRec[0] = maxRec[0] and cumSize[0] = 0 (a leaf child has no
// "total records" field).
func (t *V2) initGeometry() error {
	const what = "v2 B-tree header"
	if t.Depth > MaxDepth {
		return binfmt.Wrap(t.Addr, what, &binfmt.LimitError{Name: "MaxBTreeDepth", Limit: MaxDepth, Want: int64(t.Depth), Addr: t.Addr},
			"depth %d exceeds the limit %d", t.Depth, MaxDepth)
	}
	if t.RecordSize == 0 {
		return binfmt.Errorf(t.Addr, what, "record size 0")
	}
	if t.Type < V2HugeIndirect || t.Type > V2ChunkFiltered {
		return binfmt.Unsupported(t.Addr, "v2 B-tree record type %d", t.Type)
	}
	if t.NodeSize <= v2Prefix || uint64(t.NodeSize) > uint64(t.src.Size) {
		return binfmt.Errorf(t.Addr, what, "node size %d impossible in a %d-byte file", t.NodeSize, t.src.Size)
	}
	rs := uint64(t.RecordSize)
	ns := uint64(t.NodeSize)
	d := int(t.Depth)
	t.maxRec = make([]uint64, d+1)
	t.cumMaxRec = make([]uint64, d+1)
	t.cumSize = make([]int, d+1)
	t.maxRec[0] = (ns - v2Prefix) / rs
	if t.maxRec[0] == 0 {
		return binfmt.Errorf(t.Addr, what, "node size %d holds no %d-byte record", ns, rs)
	}
	t.cumMaxRec[0] = t.maxRec[0]
	t.nrecSize = encSize(t.maxRec[0])
	for u := 1; u <= d; u++ {
		ptr := uint64(t.src.Sizes.Offsets + t.nrecSize + t.cumSize[u-1])
		if ns < v2Prefix+ptr {
			return binfmt.Errorf(t.Addr, what, "node size %d too small for an internal node at depth %d", ns, u)
		}
		t.maxRec[u] = (ns - (v2Prefix + ptr)) / (rs + ptr)
		if t.maxRec[u] == 0 {
			return binfmt.Errorf(t.Addr, what, "node size %d holds no record at depth %d", ns, u)
		}
		m := t.maxRec[u]
		cum, ok := binfmt.Mul(m+1, t.cumMaxRec[u-1])
		if ok {
			cum, ok = binfmt.Add(cum, m)
		}
		if !ok {
			cum = math.MaxUint64
		}
		t.cumMaxRec[u] = cum
		t.cumSize[u] = encSize(cum)
	}
	if t.Root == binfmt.Undef {
		if t.RootRecords != 0 || t.TotalRecords != 0 {
			return binfmt.Errorf(t.Addr, what, "no root node but %d records", t.TotalRecords)
		}
		return nil
	}
	if uint64(t.RootRecords) > t.maxRec[d] {
		return binfmt.Errorf(t.Addr, what, "root holds %d records, at most %d fit", t.RootRecords, t.maxRec[d])
	}
	return nil
}

// MaxRecords returns the most records a node at the given depth (0 = leaf)
// can hold, or 0 for a depth outside the tree.
func (t *V2) MaxRecords(depth int) int {
	if depth < 0 || depth >= len(t.maxRec) {
		return 0
	}
	return int(t.maxRec[depth])
}

// v2Child is an internal node's pointer to a child node.
type v2Child struct {
	addr  uint64
	nrec  uint64 // records in the child node
	total uint64 // records in the child's subtree (== nrec for a leaf)
}

// v2Node is a decoded internal ("BTIN") or leaf ("BTLF") node.
type v2Node struct {
	records  [][]byte
	children []v2Child // len(records)+1 for internal nodes, nil for leaves
}

// readNode reads the node at addr, at the given depth, holding nrec records.
// Spec 3.0, III.A.2: "Version 2 B-tree Internal Node" and "Version 2 B-tree
// Leaf Node". The checksum follows the used records (and child pointers), not
// the end of the allocated node.
func (t *V2) readNode(addr uint64, depth int, nrec uint64) (*v2Node, error) {
	what, sig := "v2 B-tree leaf node", "BTLF"
	if depth > 0 {
		what, sig = "v2 B-tree internal node", "BTIN"
	}
	if nrec > t.maxRec[depth] {
		return nil, binfmt.Errorf(addr, what, "%d records, at most %d fit", nrec, t.maxRec[depth])
	}
	ptr := 0
	if depth > 0 {
		ptr = t.src.Sizes.Offsets + t.nrecSize + t.cumSize[depth-1]
	}
	size := uint64(6) + nrec*uint64(t.RecordSize) + 4
	if depth > 0 {
		size += (nrec + 1) * uint64(ptr)
	}
	if size > uint64(t.NodeSize) {
		return nil, binfmt.Errorf(addr, what, "%d used bytes exceed the node size %d", size, t.NodeSize)
	}
	c, err := t.src.Cursor(addr, size, what)
	if err != nil {
		return nil, err
	}
	c.Signature(sig)
	c.Version(0)
	if typ := c.Uint8(); typ != t.Type && c.Err() == nil {
		c.Failf("record type %d, want %d (the header's)", typ, t.Type)
	}
	n := &v2Node{records: make([][]byte, nrec)}
	for i := range n.records {
		n.records[i] = c.Bytes(int(t.RecordSize))
	}
	if depth > 0 {
		n.children = make([]v2Child, nrec+1)
		for i := range n.children {
			ch := &n.children[i]
			ch.addr = c.Offset()
			ch.nrec = c.UintN(t.nrecSize)
			if depth > 1 {
				ch.total = c.UintN(t.cumSize[depth-1])
			} else {
				ch.total = ch.nrec
			}
		}
	}
	c.Checksum()
	if err := c.Err(); err != nil {
		return nil, err
	}
	return n, nil
}

// walker carries the state of one traversal: the set of nodes visited, so
// that a corrupt tree whose pointers form a cycle or share nodes is caught.
type walker struct {
	t       *V2
	visited map[uint64]bool
}

func (w *walker) node(addr uint64, depth int, nrec uint64) (*v2Node, error) {
	if addr == binfmt.Undef {
		return nil, binfmt.Wrap(addr, "v2 B-tree node", binfmt.ErrUndefinedAddress, "child pointer is undefined")
	}
	if w.visited[addr] {
		return nil, binfmt.Errorf(addr, "v2 B-tree node", "cycle: node reached twice")
	}
	w.visited[addr] = true
	return w.t.readNode(addr, depth, nrec)
}

// Records returns every record of the tree, in key order. Each record is
// RecordSize bytes and is not modified or reused later. Iteration stops after
// yielding an error.
func (t *V2) Records() iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		if t.Root == binfmt.Undef || t.RootRecords == 0 && t.Depth == 0 {
			return
		}
		w := &walker{t: t, visited: make(map[uint64]bool)}
		var walk func(addr uint64, depth int, nrec uint64) (bool, error)
		walk = func(addr uint64, depth int, nrec uint64) (bool, error) {
			n, err := w.node(addr, depth, nrec)
			if err != nil {
				return false, err
			}
			for i, rec := range n.records {
				if depth > 0 {
					ch := n.children[i]
					if more, err := walk(ch.addr, depth-1, ch.nrec); err != nil || !more {
						return false, err
					}
				}
				if !yield(rec, nil) {
					return false, nil
				}
			}
			if depth > 0 {
				ch := n.children[len(n.records)]
				return walk(ch.addr, depth-1, ch.nrec)
			}
			return true, nil
		}
		if _, err := walk(t.Root, int(t.Depth), uint64(t.RootRecords)); err != nil {
			yield(nil, err)
		}
	}
}

// Search finds a record by key. cmp compares the wanted key with a record:
// negative when the key sorts before the record, zero when the record is the
// one wanted, positive when the key sorts after it. It returns the record and
// true when found, or nil and false.
func (t *V2) Search(cmp func(rec []byte) int) ([]byte, bool, error) {
	if t.Root == binfmt.Undef || t.RootRecords == 0 && t.Depth == 0 {
		return nil, false, nil
	}
	w := &walker{t: t, visited: make(map[uint64]bool)}
	addr, depth, nrec := t.Root, int(t.Depth), uint64(t.RootRecords)
	for {
		n, err := w.node(addr, depth, nrec)
		if err != nil {
			return nil, false, err
		}
		// Binary search for the first record the key does not sort after.
		lo, hi := 0, len(n.records)
		for lo < hi {
			mid := int(uint(lo+hi) >> 1)
			c := cmp(n.records[mid])
			if c == 0 {
				return n.records[mid], true, nil
			}
			if c > 0 {
				lo = mid + 1
			} else {
				hi = mid
			}
		}
		if depth == 0 {
			return nil, false, nil
		}
		ch := n.children[lo]
		addr, depth, nrec = ch.addr, depth-1, ch.nrec
	}
}
