package btree

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/superblock"
)

// idxDataset holds what testdata/gen_chunks.py recorded for one dataset:
// the layout message fields (decoded from the raw message located with
// h5debug), libhdf5's chunk list (H5Dget_chunk_info) and, per probed chunk,
// libhdf5's own lookup (H5Dread_chunk).
type idxDataset struct {
	LayoutVersion uint8    `json:"layout_version"`
	IndexType     uint8    `json:"index_type"`
	IndexAddr     uint64   `json:"index_addr"`
	SingleSize    uint64   `json:"single_size"`
	SingleMask    uint32   `json:"single_mask"`
	FAPageBits    uint8    `json:"fa_page_bits"`
	EAMaxBits     uint8    `json:"ea_max_bits"`
	EAIndexElems  uint8    `json:"ea_index_elems"`
	EAMinPointers uint8    `json:"ea_min_pointers"`
	EAMinElems    uint8    `json:"ea_min_elems"`
	EAPageBits    uint8    `json:"ea_page_bits"`
	BT2NodeSize   uint32   `json:"bt2_node_size"`
	BT2Split      uint8    `json:"bt2_split"`
	BT2Merge      uint8    `json:"bt2_merge"`
	Dims          []uint64 `json:"dims"`
	MaxDims       []uint64 `json:"max_dims"`
	Chunk         []uint64 `json:"chunk"`
	ElemSize      uint32   `json:"elem_size"`
	Filtered      bool     `json:"filtered"`
	NumChunks     int      `json:"num_chunks"`
	Chunks        []struct {
		O []uint64 `json:"o"`
		M uint32   `json:"m"`
		A uint64   `json:"a"`
		S uint64   `json:"s"`
	} `json:"chunks"`
	Direct []struct {
		O []uint64 `json:"o"`
		M uint32   `json:"m"`
		S uint64   `json:"s"`
		H string   `json:"h"` // empty: not allocated
	} `json:"direct"`
}

var (
	idxOnce sync.Once
	idxExp  map[string]map[string]*idxDataset
	idxErr  error
)

func idxLoad(t testing.TB, file string) (map[string]*idxDataset, []byte, *binfmt.Source) {
	t.Helper()
	idxOnce.Do(func() {
		b, err := os.ReadFile("testdata/idx_expected.json")
		if err == nil {
			err = json.Unmarshal(b, &idxExp)
		}
		idxErr = err
	})
	if idxErr != nil {
		t.Fatal(idxErr)
	}
	data, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	sb, err := superblock.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	return idxExp[file], data, sb.Source(bytes.NewReader(data), int64(len(data)))
}

func (d *idxDataset) params(src *binfmt.Source) ChunkParams {
	return ChunkParams{
		Src: src, LayoutVersion: d.LayoutVersion, IndexType: d.IndexType, IndexAddr: d.IndexAddr,
		Dims: d.Dims, MaxDims: d.MaxDims, ChunkDims: d.Chunk, ElemSize: d.ElemSize, Filtered: d.Filtered,
		SingleSize: d.SingleSize, SingleMask: d.SingleMask, FAPageBits: d.FAPageBits,
		EAMaxBits: d.EAMaxBits, EAIndexElems: d.EAIndexElems, EAMinPointers: d.EAMinPointers,
		EAMinElems: d.EAMinElems, EAPageBits: d.EAPageBits,
		BT2NodeSize: d.BT2NodeSize, BT2SplitPercent: d.BT2Split, BT2MergePercent: d.BT2Merge,
	}
}

// swizzled reports an extensible array whose unlimited dimension is not
// the first: libhdf5 1.10.8's H5Dget_chunk_info reports wrong offsets for
// those (the addresses are right), so only H5Dread_chunk is trusted there.
func (d *idxDataset) swizzled() bool {
	return d.IndexType == IndexExtArray && d.MaxDims[0] != ^uint64(0)
}

func TestChunkIndexes(t *testing.T) {
	for _, file := range []string{"idx_latest.h5", "idx_earliest.h5"} {
		exp, data, src := idxLoad(t, file)
		names := make([]string, 0, len(exp))
		for n := range exp {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			d := exp[name]
			t.Run(name, func(t *testing.T) {
				idx, err := OpenChunkIndex(d.params(src))
				if err != nil {
					t.Fatal(err)
				}
				var got []ChunkInfo
				for ci, err := range idx.Chunks() {
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, ci)
				}
				if len(got) != d.NumChunks || len(d.Chunks) != d.NumChunks {
					t.Fatalf("%d chunks, libhdf5 lists %d", len(got), d.NumChunks)
				}
				// Same chunks, in the same (index) order as H5Dget_chunk_info.
				for i, w := range d.Chunks {
					g := got[i]
					if g.Addr != w.A || g.Size != w.S || g.FilterMask != w.M {
						t.Fatalf("chunk %d: addr %d size %d mask %#x, libhdf5: addr %d size %d mask %#x",
							i, g.Addr, g.Size, g.FilterMask, w.A, w.S, w.M)
					}
					if !d.swizzled() && !equalU64(g.Offset, w.O) {
						t.Fatalf("chunk %d at %d: offset %v, libhdf5 %v", i, g.Addr, g.Offset, w.O)
					}
					back, ok, err := idx.Lookup(g.Offset)
					if err != nil || !ok || back.Addr != g.Addr || back.Size != g.Size {
						t.Fatalf("Lookup(%v) = %+v, %v, %v; Chunks gave %+v", g.Offset, back, ok, err, g)
					}
				}
				// Every probed grid position agrees with libhdf5's lookup.
				present := 0
				for _, p := range d.Direct {
					ci, ok, err := idx.Lookup(p.O)
					if err != nil {
						t.Fatal(err)
					}
					if ok != (p.H != "") {
						t.Fatalf("Lookup(%v): found %v, libhdf5 %v", p.O, ok, p.H != "")
					}
					if !ok {
						continue
					}
					present++
					if ci.Size != p.S || ci.FilterMask != p.M || !equalU64(ci.Offset, p.O) {
						t.Fatalf("Lookup(%v) = %+v; libhdf5 size %d mask %#x", p.O, ci, p.S, p.M)
					}
					sum := sha256.Sum256(data[ci.Addr : ci.Addr+ci.Size])
					if hex.EncodeToString(sum[:8]) != p.H {
						t.Fatalf("Lookup(%v): bytes at %d differ from libhdf5's chunk", p.O, ci.Addr)
					}
				}
				if present == 0 {
					t.Fatal("no probed chunk is present")
				}
			})
		}
	}
}

func equalU64(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestChunkIndexStructures checks the fixtures exercise what they should.
func TestChunkIndexStructures(t *testing.T) {
	exp, _, src := idxLoad(t, "idx_latest.h5")
	fa, err := readFAHeader(src, exp["fa_paged"].IndexAddr)
	if err != nil {
		t.Fatal(err)
	}
	if fa.pageBits != 10 || fa.nelmts != 3000 {
		t.Errorf("fa_paged: page bits %d, %d elements; want 10, 3000", fa.pageBits, fa.nelmts)
	}
	for _, name := range []string{"ea", "ea_gzip"} {
		h, err := readEAHeader(src, exp[name].IndexAddr)
		if err != nil {
			t.Fatal(err)
		}
		// libhdf5's defaults (H5D_EARRAY_*), as the layout message says.
		d := exp[name]
		if h.maxBits != d.EAMaxBits || h.idxElems != d.EAIndexElems || h.minPointers != d.EAMinPointers ||
			h.minElems != d.EAMinElems || h.pageBits != d.EAPageBits {
			t.Errorf("%s: header %+v disagrees with the layout message", name, h)
		}
		// Super block 13 holds 64 data blocks of 2048 elements: paged in two.
		if s := h.sblk[13]; s.ndblks != 64 || s.dblkNelmts != 2048 || s.npages != 2 || s.startIdx != 131056 {
			t.Errorf("%s: super block 13 = %+v", name, s)
		}
		if h.iblkSblks != 4 || h.iblkDblks != 6 || h.iblkSblkPtr != 25 {
			t.Errorf("%s: index block %d/%d/%d", name, h.iblkSblks, h.iblkDblks, h.iblkSblkPtr)
		}
	}
}

// TestChunkIndexCorrupt flips one byte in each metadata block of the fixed
// and extensible arrays: every flip must surface as a checksum error.
func TestChunkIndexCorrupt(t *testing.T) {
	exp, data, _ := idxLoad(t, "idx_latest.h5")
	for _, name := range []string{"fa_paged", "fa_3d_gzip", "ea", "ea_gzip"} {
		d := exp[name]
		// Find the metadata blocks by their signatures near the index.
		blocks := idxBlocks(t, data, d)
		if len(blocks) < 2 {
			t.Fatalf("%s: found %d metadata blocks", name, len(blocks))
		}
		for _, at := range blocks {
			bad := bytes.Clone(data)
			bad[at+4] ^= 0x10 // the version byte, covered by the checksum
			err := idxWalk(bad, d)
			if !errors.Is(err, binfmt.ErrChecksum) {
				t.Errorf("%s: corrupt block at %d: err = %v, want a checksum error", name, at, err)
			}
		}
	}
}

// idxBlocks returns the addresses of the array's metadata blocks: the ones
// whose header address field points at the index's header.
func idxBlocks(t *testing.T, data []byte, d *idxDataset) []int {
	t.Helper()
	blocks := []int{int(d.IndexAddr)}
	for _, sig := range []string{"FADB", "EAIB", "EASB", "EADB"} {
		for i := 0; ; {
			j := bytes.Index(data[i:], []byte(sig))
			if j < 0 {
				break
			}
			at := i + j
			i = at + 1
			if at+14 <= len(data) && binary.LittleEndian.Uint64(data[at+6:]) == d.IndexAddr {
				blocks = append(blocks, at)
			}
		}
	}
	return blocks
}

func idxWalk(data []byte, d *idxDataset) error {
	sb, err := superblock.Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return err
	}
	idx, err := OpenChunkIndex(d.params(sb.Source(bytes.NewReader(data), int64(len(data)))))
	if err != nil {
		return err
	}
	for _, err := range idx.Chunks() {
		if err != nil {
			return err
		}
	}
	return nil
}

// idxFile builds an in-memory file of one structure at address 0.
func idxFile(b []byte) *binfmt.Source {
	return &binfmt.Source{R: bytes.NewReader(b), Size: int64(len(b)), Sizes: binfmt.Sizes{Offsets: 8, Lengths: 8}}
}

func withChecksum(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, binfmt.Lookup3(b, 0))
}

// faHeaderBytes encodes a fixed array header ("FAHD", Spec 3.0 Appendix C).
func faHeaderBytes(client, elemSize, pageBits uint8, nelmts, dblk uint64) []byte {
	b := []byte("FAHD")
	b = append(b, 0, client, elemSize, pageBits)
	b = binary.LittleEndian.AppendUint64(b, nelmts)
	b = binary.LittleEndian.AppendUint64(b, dblk)
	return withChecksum(b)
}

func TestFixedArrayHugeCount(t *testing.T) {
	for _, pageBits := range []uint8{10, 0, 40, 63} {
		hdr := faHeaderBytes(0, 8, pageBits, 1<<60, 28)
		db := withChecksum(append(append([]byte("FADB"), 0, 0), hdr[:8]...))
		file := append(hdr, db...)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		p := ChunkParams{Src: idxFile(file), LayoutVersion: 4, IndexType: IndexFixedArray, IndexAddr: 0,
			Dims: []uint64{1 << 60}, ChunkDims: []uint64{1}, ElemSize: 1}
		idx, err := OpenChunkIndex(p)
		if err == nil {
			for _, e := range idx.Chunks() {
				if err = e; err != nil {
					break
				}
			}
		}
		runtime.ReadMemStats(&after)
		if err == nil {
			t.Errorf("page bits %d: a fixed array of 2^60 entries in a %d-byte file was accepted", pageBits, len(file))
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
			t.Errorf("page bits %d: allocated %d bytes", pageBits, grew)
		}
	}
}

func TestFixedArraySmall(t *testing.T) {
	// A hand-built unpaged array of 3 unfiltered entries: chunk 1 unwritten.
	hdr := faHeaderBytes(0, 8, 10, 3, 28)
	db := append([]byte("FADB"), 0, 0)
	db = binary.LittleEndian.AppendUint64(db, 0)
	for _, a := range []uint64{100, ^uint64(0), 300} {
		db = binary.LittleEndian.AppendUint64(db, a)
	}
	file := append(hdr, withChecksum(db)...)
	file = append(file, make([]byte, 400)...)
	idx, err := OpenChunkIndex(ChunkParams{Src: idxFile(file), LayoutVersion: 4, IndexType: IndexFixedArray,
		Dims: []uint64{6}, ChunkDims: []uint64{2}, ElemSize: 4})
	if err != nil {
		t.Fatal(err)
	}
	want := map[uint64]uint64{0: 100, 4: 300}
	for off, addr := range want {
		ci, ok, err := idx.Lookup([]uint64{off})
		if err != nil || !ok || ci.Addr != addr || ci.Size != 8 {
			t.Errorf("Lookup(%d) = %+v %v %v", off, ci, ok, err)
		}
	}
	if _, ok, _ := idx.Lookup([]uint64{2}); ok {
		t.Error("unwritten chunk found")
	}
	n := 0
	for _, err := range idx.Chunks() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d chunks, want 2", n)
	}
}

// Concurrent first use: every goroutine sees the same, complete index.
func TestChunkIndexConcurrent(t *testing.T) {
	exp, _, src := idxLoad(t, "idx_latest.h5")
	d := exp["ea_gzip"]
	idx, err := OpenChunkIndex(d.params(src))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, p := range d.Direct {
				if _, ok, err := idx.Lookup(p.O); err != nil || ok != (p.H != "") {
					t.Errorf("Lookup(%v): %v %v", p.O, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestChunkIndexErrorOnce(t *testing.T) {
	exp, data, _ := idxLoad(t, "idx_latest.h5")
	d := exp["ea"]
	blocks := idxBlocks(t, data, d)
	bad := bytes.Clone(data)
	bad[blocks[len(blocks)-1]+4] ^= 1
	sb, _ := superblock.Read(bytes.NewReader(bad), int64(len(bad)))
	idx, err := OpenChunkIndex(d.params(sb.Source(bytes.NewReader(bad), int64(len(bad)))))
	if err != nil {
		t.Fatal(err)
	}
	errs, n := 0, 0
	for ci, err := range idx.Chunks() {
		n++
		if err != nil {
			errs++
			if ci.Addr != 0 || ci.Offset != nil {
				t.Errorf("error came with %+v", ci)
			}
		}
	}
	if errs != 1 || n != 1 {
		t.Errorf("%d yields, %d errors; want the error once, alone", n, errs)
	}
}

func TestChunkIndexBlocksFound(t *testing.T) {
	exp, data, _ := idxLoad(t, "idx_latest.h5")
	count := func(name, sig string) int {
		n := 0
		for _, at := range idxBlocks(t, data, exp[name]) {
			if string(data[at:at+4]) == sig {
				n++
			}
		}
		return n
	}
	// ea: index block, super blocks 4-6 (dense run) and 13 (far run), and
	// the data blocks of both runs.
	if n := count("ea", "EASB"); n != 4 {
		t.Errorf("ea: %d super blocks", n)
	}
	if n := count("ea", "EAIB"); n != 1 {
		t.Errorf("ea: %d index blocks", n)
	}
	if n := count("fa_paged", "FADB"); n != 1 {
		t.Errorf("fa_paged: %d data blocks", n)
	}
}

func TestFixedArrayPageChecksum(t *testing.T) {
	exp, data, src := idxLoad(t, "idx_latest.h5")
	d := exp["fa_paged"]
	h, err := readFAHeader(src, d.IndexAddr)
	if err != nil {
		t.Fatal(err)
	}
	l, err := faGeometry(src, h)
	if err != nil {
		t.Fatal(err)
	}
	if !l.paged || l.npages != 3 {
		t.Fatalf("geometry %+v, want 3 pages", l)
	}
	for pg, initialized := range []bool{true, false, true} {
		bad := bytes.Clone(data)
		bad[h.dataBlock+l.prefix+uint64(pg)*l.pageSize+3] ^= 0x20
		err := idxWalk(bad, d)
		if initialized && !errors.Is(err, binfmt.ErrChecksum) {
			t.Errorf("page %d corrupted: err = %v, want a checksum error", pg, err)
		}
		if !initialized && err != nil {
			t.Errorf("page %d was never written, so is never read: err = %v", pg, err)
		}
	}
}
