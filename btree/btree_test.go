package btree

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/superblock"
)

// Expected values written by testdata/gen.py from libhdf5 (h5py, h5debug,
// H5Dget_chunk_info).
type chunkInfo struct {
	Offset     []uint64 `json:"offset"`
	FilterMask uint32   `json:"filter_mask"`
	Addr       uint64   `json:"addr"`
	Size       uint64   `json:"size"`
}

type chunkList struct {
	Count  int         `json:"count"`
	List   []chunkInfo `json:"list"`
	Head   []chunkInfo `json:"head"`
	Tail   []chunkInfo `json:"tail"`
	SHA256 string      `json:"sha256"`
}

type v2Info struct {
	Addr        uint64 `json:"addr"`
	Type        uint8  `json:"type"`
	NodeSize    uint32 `json:"node_size"`
	RecordSize  uint16 `json:"record_size"`
	Depth       uint16 `json:"depth"`
	Total       uint64 `json:"total"`
	RootRecords uint16 `json:"root_records"`
	Root        uint64 `json:"root"`
	MaxNrec     []int  `json:"max_nrec"`
}

type fixture struct {
	Links []struct {
		Name string  `json:"name"`
		Addr *uint64 `json:"addr"`
		Soft string  `json:"soft"`
	} `json:"links"`
	BTree      uint64            `json:"btree"`
	Level      int               `json:"level"`
	NDims      int               `json:"ndims"`
	Rank       int               `json:"rank"`
	Chunk      []uint64          `json:"chunk"`
	ChunkBytes uint64            `json:"chunk_bytes"`
	Chunks     chunkList         `json:"chunks"`
	Names      []string          `json:"names"`
	Trees      map[string]v2Info `json:"trees"`
}

var expected map[string]fixture

func load(t testing.TB, name string) (fixture, []byte, *binfmt.Source) {
	t.Helper()
	if expected == nil {
		b, err := os.ReadFile("testdata/expected.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &expected); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return expected[name], data, source(t, data)
}

func source(t testing.TB, data []byte) *binfmt.Source {
	t.Helper()
	sb, err := superblock.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return sb.Source(bytes.NewReader(data), int64(len(data)))
}

// localHeapString reads a NUL-terminated string from a local heap ("HEAP",
// Spec 3.0 III.D). A minimal reader, for the test only.
func localHeapString(t *testing.T, src *binfmt.Source, heap, off uint64) string {
	t.Helper()
	c, err := src.Cursor(heap, uint64(8+2*src.Sizes.Lengths+src.Sizes.Offsets), "local heap")
	if err != nil {
		t.Fatal(err)
	}
	c.Signature("HEAP")
	c.Skip(4)
	size := c.Length()
	c.Length()
	data := c.Offset()
	if c.Err() != nil || off >= size {
		t.Fatalf("local heap: %v (offset %d of %d)", c.Err(), off, size)
	}
	b, err := src.ReadAt(data+off, size-off, "heap data")
	if err != nil {
		t.Fatal(err)
	}
	return string(b[:bytes.IndexByte(b, 0)])
}

func TestV1Group(t *testing.T) {
	exp, data, src := load(t, "group_v1.h5")
	sb, _ := superblock.Read(bytes.NewReader(data), int64(len(data)))
	root, err := readV1Node(src, sb.Root.BTreeAddr, V1GroupNode, src.Sizes.Lengths)
	if err != nil {
		t.Fatal(err)
	}
	if root.level < 2 {
		t.Errorf("root level %d: fixture should make a deeper tree", root.level)
	}
	i := 0
	for snod, err := range V1GroupNodes(src, sb.Root.BTreeAddr) {
		if err != nil {
			t.Fatal(err)
		}
		entries, err := ReadSymbolNode(src, snod)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if i >= len(exp.Links) {
				t.Fatalf("more than %d links", len(exp.Links))
			}
			want := exp.Links[i]
			name := localHeapString(t, src, sb.Root.HeapAddr, e.NameOffset)
			if name != want.Name {
				t.Errorf("link %d: %q, want %q", i, name, want.Name)
			}
			if want.Addr != nil {
				if e.ObjAddr != *want.Addr || e.CacheType == superblock.CacheSoftLink {
					t.Errorf("link %q: %+v, want object at %d", name, e, *want.Addr)
				}
			} else {
				if e.CacheType != superblock.CacheSoftLink {
					t.Errorf("link %q: cache type %d, want soft link", name, e.CacheType)
				} else if v := localHeapString(t, src, sb.Root.HeapAddr, uint64(e.SoftLinkOffset)); v != want.Soft {
					t.Errorf("soft link %q -> %q, want %q", name, v, want.Soft)
				}
			}
			i++
		}
	}
	if i != len(exp.Links) {
		t.Errorf("%d links, want %d", i, len(exp.Links))
	}
}

func TestV1GroupEarlyStop(t *testing.T) {
	_, data, src := load(t, "group_v1.h5")
	sb, _ := superblock.Read(bytes.NewReader(data), int64(len(data)))
	n := 0
	for _, err := range V1GroupNodes(src, sb.Root.BTreeAddr) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Fatalf("stopped after %d", n)
	}
}

func checkChunks(t *testing.T, exp chunkList, got []chunkInfo) {
	t.Helper()
	if len(got) != exp.Count {
		t.Fatalf("%d chunks, want %d", len(got), exp.Count)
	}
	eq := func(i int, a, b chunkInfo) {
		if fmt.Sprint(a) != fmt.Sprint(b) {
			t.Errorf("chunk %d: %+v, want %+v", i, a, b)
		}
	}
	if exp.List != nil {
		for i := range got {
			eq(i, got[i], exp.List[i])
		}
		return
	}
	for i, c := range exp.Head {
		eq(i, got[i], c)
	}
	for i, c := range exp.Tail {
		eq(len(got)-len(exp.Tail)+i, got[len(got)-len(exp.Tail)+i], c)
	}
	var sb strings.Builder
	for _, c := range got {
		s := make([]string, len(c.Offset))
		for i, o := range c.Offset {
			s[i] = fmt.Sprint(o)
		}
		fmt.Fprintf(&sb, "%s:%d:%d:%d\n", strings.Join(s, ","), c.FilterMask, c.Addr, c.Size)
	}
	sum := sha256.Sum256([]byte(sb.String()))
	if hex.EncodeToString(sum[:]) != exp.SHA256 {
		t.Errorf("chunk list digest differs from H5Dget_chunk_info's")
	}
}

func TestV1Chunks(t *testing.T) {
	for _, name := range []string{"chunks_v1.h5", "chunks_v1_3d.h5"} {
		t.Run(name, func(t *testing.T) {
			exp, _, src := load(t, name)
			root, err := readV1Node(src, exp.BTree, V1ChunkNode, 8+8*exp.NDims)
			if err != nil {
				t.Fatal(err)
			}
			if int(root.level) != exp.Level {
				t.Errorf("root level %d, want %d", root.level, exp.Level)
			}
			var got []chunkInfo
			for c, err := range V1Chunks(src, exp.BTree, exp.NDims) {
				if err != nil {
					t.Fatal(err)
				}
				if len(c.Offsets) != exp.NDims || c.Offsets[exp.NDims-1] != 0 {
					t.Fatalf("offsets %v", c.Offsets)
				}
				got = append(got, chunkInfo{Offset: c.Offsets[:exp.NDims-1], FilterMask: c.FilterMask, Addr: c.Addr, Size: uint64(c.Size)})
			}
			checkChunks(t, exp.Chunks, got)
		})
	}
}

func TestV1Errors(t *testing.T) {
	exp, data, _ := load(t, "chunks_v1.h5")
	// Point the root's first child back at the root: a cycle (the level check
	// or the visited set must catch it).
	bad := bytes.Clone(data)
	first := exp.BTree + 8 + 16 + uint64(8+8*exp.NDims)
	binary.LittleEndian.PutUint64(bad[first:], exp.BTree)
	src := source(t, bad)
	n := 0
	var last error
	for _, err := range V1Chunks(src, exp.BTree, exp.NDims) {
		n++
		last = err
	}
	if last == nil || n != 1 {
		t.Fatalf("cycle: %d yields, last error %v", n, last)
	}
	// Entries used beyond the file.
	bad = bytes.Clone(data)
	binary.LittleEndian.PutUint16(bad[exp.BTree+6:], 0xffff)
	bad = bad[:exp.BTree+200]
	for _, err := range V1Chunks(source(t, bad), exp.BTree, exp.NDims) {
		last = err
	}
	if last == nil {
		t.Fatal("oversized entry count accepted")
	}
	// A wrong dimensionality is rejected up front.
	for _, err := range V1Chunks(source(t, data), exp.BTree, 0) {
		last = err
	}
	if last == nil {
		t.Fatal("ndims 0 accepted")
	}
}

func openTree(t *testing.T, src *binfmt.Source, info v2Info) *V2 {
	t.Helper()
	tr, err := OpenV2(src, info.Addr)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Type != info.Type || tr.Depth != info.Depth {
		t.Errorf("type %d depth %d, want %d %d", tr.Type, tr.Depth, info.Type, info.Depth)
	}
	if info.MaxNrec != nil { // decoded by h5debug
		if tr.NodeSize != info.NodeSize || tr.RecordSize != info.RecordSize || tr.TotalRecords != info.Total ||
			tr.RootRecords != info.RootRecords || tr.Root != info.Root {
			t.Errorf("header %+v, want %+v", tr, info)
		}
		for d, m := range info.MaxNrec {
			if tr.MaxRecords(d) != m {
				t.Errorf("max records at depth %d: %d, want %d (h5debug)", d, tr.MaxRecords(d), m)
			}
		}
	}
	return tr
}

func records(t *testing.T, tr *V2) [][]byte {
	t.Helper()
	var out [][]byte
	for r, err := range tr.Records() {
		if err != nil {
			t.Fatal(err)
		}
		if len(r) != int(tr.RecordSize) {
			t.Fatalf("record of %d bytes", len(r))
		}
		out = append(out, r)
	}
	return out
}

func hashName(s string) uint32 { return binfmt.Lookup3([]byte(s), 0) }

func TestV2Links(t *testing.T) {
	exp, _, src := load(t, "dense_links.h5")
	byName := openTree(t, src, exp.Trees["5"])
	byOrder := openTree(t, src, exp.Trees["6"])
	if byName.Depth < 2 || byOrder.Depth < 2 {
		t.Fatalf("depths %d, %d: fixture should be deeper", byName.Depth, byOrder.Depth)
	}
	n := len(exp.Names)
	hashOf := map[string]uint32{} // heap ID -> hash
	var prev uint32
	for i, rec := range records(t, byName) {
		r, err := DecodeLinkName(rec)
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && r.Hash < prev {
			t.Fatalf("record %d: hash %#x after %#x", i, r.Hash, prev)
		}
		prev = r.Hash
		hashOf[string(r.HeapID)] = r.Hash
	}
	if len(hashOf) != n {
		t.Fatalf("%d distinct heap IDs, want %d", len(hashOf), n)
	}
	// h5py lists the links in creation order; link i has order i, and the
	// name index must hold the same heap ID under the hash of its name.
	recs := records(t, byOrder)
	if len(recs) != n {
		t.Fatalf("%d order records, want %d", len(recs), n)
	}
	for i, rec := range recs {
		r, err := DecodeLinkOrder(rec)
		if err != nil {
			t.Fatal(err)
		}
		if r.Order != uint64(i) {
			t.Fatalf("record %d has creation order %d", i, r.Order)
		}
		if h, ok := hashOf[string(r.HeapID)]; !ok || h != hashName(exp.Names[i]) {
			t.Fatalf("link %q: hash %#x (%v), want %#x", exp.Names[i], h, ok, hashName(exp.Names[i]))
		}
	}
	// Keyed lookup by name hash, as link-by-name does.
	for _, name := range exp.Names {
		h := hashName(name)
		rec, ok, err := byName.Search(func(rec []byte) int {
			r := binary.LittleEndian.Uint32(rec)
			switch {
			case h < r:
				return -1
			case h > r:
				return 1
			}
			return 0
		})
		if err != nil || !ok {
			t.Fatalf("search %q: %v %v", name, ok, err)
		}
		if r, _ := DecodeLinkName(rec); r.Hash != h {
			t.Fatalf("search %q found hash %#x", name, r.Hash)
		}
	}
	// Search by creation order, and for a missing key.
	for _, o := range []uint64{0, 1, 777, uint64(n - 1), uint64(n), 1 << 40} {
		rec, ok, err := byOrder.Search(func(rec []byte) int {
			r := binary.LittleEndian.Uint64(rec)
			switch {
			case o < r:
				return -1
			case o > r:
				return 1
			}
			return 0
		})
		if err != nil || ok != (o < uint64(n)) {
			t.Fatalf("order %d: found %v, %v", o, ok, err)
		}
		if ok && binary.LittleEndian.Uint64(rec) != o {
			t.Fatalf("order %d: wrong record", o)
		}
	}
}

func TestV2Attrs(t *testing.T) {
	exp, _, src := load(t, "dense_attrs.h5")
	byName := openTree(t, src, exp.Trees["8"])
	byOrder := openTree(t, src, exp.Trees["9"])
	n := len(exp.Names)
	type ent struct {
		hash  uint32
		order uint32
	}
	fromName := map[string]ent{}
	for _, rec := range records(t, byName) {
		r, err := DecodeAttrName(rec)
		if err != nil {
			t.Fatal(err)
		}
		fromName[string(r.HeapID)] = ent{r.Hash, r.CreationOrder}
	}
	recs := records(t, byOrder)
	if len(recs) != n || len(fromName) != n {
		t.Fatalf("%d / %d records, want %d", len(recs), len(fromName), n)
	}
	for i, rec := range recs {
		r, err := DecodeAttrOrder(rec)
		if err != nil {
			t.Fatal(err)
		}
		e, ok := fromName[string(r.HeapID)]
		if r.CreationOrder != uint32(i) || !ok || e.order != uint32(i) || e.hash != hashName(exp.Names[i]) {
			t.Fatalf("attribute %d %q: order %d, name record %+v (%v), want hash %#x",
				i, exp.Names[i], r.CreationOrder, e, ok, hashName(exp.Names[i]))
		}
	}
}

// chunkSizeLen is libhdf5's width of the type 11 chunk size field (H5D__bt2).
func chunkSizeLen(bytes uint64) int {
	n := 1 + (log2(bytes)+8)/8
	return min(n, 8)
}

func log2(v uint64) int {
	n := -1
	for ; v != 0; v >>= 1 {
		n++
	}
	return max(n, 0)
}

func TestV2Chunks(t *testing.T) {
	for _, c := range []struct {
		name  string
		typ   string
		depth uint16
	}{{"chunks_v2.h5", "10", 2}, {"chunks_v2_filtered.h5", "11", 1}} {
		t.Run(c.name, func(t *testing.T) {
			exp, _, src := load(t, c.name)
			tr := openTree(t, src, exp.Trees[c.typ])
			if tr.Depth != c.depth {
				t.Errorf("depth %d, want %d", tr.Depth, c.depth)
			}
			csl := chunkSizeLen(exp.ChunkBytes)
			var got []chunkInfo
			for rec, err := range tr.Records() {
				if err != nil {
					t.Fatal(err)
				}
				r, err := DecodeChunkRecord(rec, tr.Type, exp.Rank, csl, src.Sizes)
				if err != nil {
					t.Fatal(err)
				}
				ci := chunkInfo{Addr: r.Addr, Size: r.Size, FilterMask: r.FilterMask}
				if tr.Type == V2Chunk {
					ci.Size = exp.ChunkBytes
				}
				for d, s := range r.Scaled {
					ci.Offset = append(ci.Offset, s*exp.Chunk[d])
				}
				got = append(got, ci)
			}
			if tr.TotalRecords != uint64(len(got)) {
				t.Errorf("header says %d records, walked %d", tr.TotalRecords, len(got))
			}
			checkChunks(t, exp.Chunks, got)
		})
	}
}

// corruptAt returns a copy of data with the byte at i flipped.
func corruptAt(data []byte, i int) []byte {
	b := bytes.Clone(data)
	b[i] ^= 0x40
	return b
}

func TestV2Checksum(t *testing.T) {
	exp, data, _ := load(t, "dense_links.h5")
	info := exp.Trees["5"]
	// Header.
	if _, err := OpenV2(source(t, corruptAt(data, int(info.Addr)+8)), info.Addr); !errors.Is(err, binfmt.ErrChecksum) {
		t.Fatalf("corrupt header: %v", err)
	}
	// Root (internal) node: a record byte.
	tr, err := OpenV2(source(t, corruptAt(data, int(info.Root)+8)), info.Addr)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	var last error
	for _, err := range tr.Records() {
		n++
		last = err
	}
	if n != 1 || !errors.Is(last, binfmt.ErrChecksum) {
		t.Fatalf("corrupt root: %d yields, %v", n, last)
	}
	if _, _, err := tr.Search(func([]byte) int { return 1 }); !errors.Is(err, binfmt.ErrChecksum) {
		t.Fatalf("search: %v", err)
	}
	// A leaf: flip a byte in the first leaf found after the header.
	leaf := bytes.Index(data[info.Addr:], []byte("BTLF")) + int(info.Addr)
	tr, err = OpenV2(source(t, corruptAt(data, leaf+7)), info.Addr)
	if err != nil {
		t.Fatal(err)
	}
	last = nil
	for _, err := range tr.Records() {
		last = err
	}
	if !errors.Is(last, binfmt.ErrChecksum) {
		t.Fatalf("corrupt leaf: %v", last)
	}
}

func TestV2Geometry(t *testing.T) {
	// encSize follows H5VM_limit_enc_size.
	for _, c := range []struct {
		n    uint64
		want int
	}{{0, 1}, {1, 1}, {255, 1}, {256, 2}, {1149, 2}, {65535, 2}, {65536, 3}, {1<<64 - 1, 8}} {
		if got := encSize(c.n); got != c.want {
			t.Errorf("encSize(%d) = %d, want %d", c.n, got, c.want)
		}
	}
}
