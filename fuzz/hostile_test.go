package fuzz

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/h5build"
)

// hostileAlloc is the most any hostile file below may make goh5 allocate.
const hostileAlloc = 32 << 20

func fixture(t *testing.T, name string) *h5build.File {
	t.Helper()
	f, err := h5build.Load(filepath.Join("..", "testdata", "files", name))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// measure runs fn and returns the bytes it allocated.
func measure(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

// readEverything opens b with the fuzz limits and reads every dataset,
// returning every error met.
func readEverything(t *testing.T, b []byte, opts ...hdf5.Option) []error {
	t.Helper()
	f, err := hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)), append(options(), opts...)...)
	if err != nil {
		return []error{err}
	}
	defer f.Close()
	var errs []error
	for e, err := range f.Walk() {
		if err != nil {
			errs = append(errs, err)
			break
		}
		if d, ok := e.Object.(*hdf5.Dataset); ok {
			if _, err := d.ReadAll(); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errs
}

// TestHostileFixedArray2p60: a fixed array header (chunk index of a
// latest-format dataset) claims 2^60 entries, checksum resealed. Reading
// must fail with a FormatError naming the fixed array, allocating next to
// nothing.
func TestHostileFixedArray2p60(t *testing.T) {
	f := fixture(t, "chunked_latest.h5")
	// "FAHD" | version | client | entry size | page bits | entries (L=8) |
	// data block address (O=8) | checksum: 24 bytes before the checksum.
	hdrs := f.Signed("FAHD", 24)
	if len(hdrs) == 0 {
		t.Fatal("no fixed array header in the fixture")
	}
	for _, h := range hdrs {
		f.Put(h+8, 8, 1<<60)
		f.Seal(h, 24)
	}
	var errs []error
	n := measure(func() { errs = readEverything(t, f.B) })
	if n > hostileAlloc {
		t.Errorf("allocated %d MiB", n>>20)
	}
	found := 0
	for _, err := range errs {
		var fe *hdf5.FormatError
		if errors.As(err, &fe) && strings.Contains(fe.What, "fixed array") {
			found++
		}
	}
	if found != len(hdrs) {
		t.Errorf("%d of %d fixed array datasets failed with a fixed array FormatError: %v", found, len(hdrs), errs)
	}
}

// TestHostileBTreeSelfChild: a group's version 1 B-tree node (an
// earliest-format file, no checksums) is made an internal node whose first
// child is itself. Walking the file must fail with a FormatError at the
// node's address, whether the level check or the visited set catches it.
func TestHostileBTreeSelfChild(t *testing.T) {
	f := fixture(t, "groups_earliest.h5")
	// The first "TREE" of type 0 (group nodes) that a symbol table message
	// points at: a group's B-tree root. (The superblock's scratch pad may
	// name an older one the root group no longer uses.)
	at := -1
	for _, off := range f.Index([]byte("TREE")) {
		var le [8]byte
		binary.LittleEndian.PutUint64(le[:], uint64(off))
		if f.B[off+4] != 0 {
			continue
		}
		// A version 1 header message: type 0x0011, size 16, flags, 3
		// reserved bytes, then the B-tree address.
		for _, r := range f.Index(le[:]) {
			if r >= 8 && bytes.Equal(f.B[r-8:r-4], []byte{0x11, 0, 0x10, 0}) {
				at = off
			}
		}
		if at >= 0 {
			break
		}
	}
	if at < 0 {
		t.Fatal("no group B-tree node")
	}
	// "TREE" | type | level | entries used (2) | left (8) | right (8) |
	// key 0 (heap offset, L=8) | child 0 (O=8).
	f.B[at+5] = 1
	f.Put(at+24+8, 8, uint64(at))
	var err error
	n := measure(func() {
		var h *hdf5.File
		h, err = hdf5.OpenReaderAt(bytes.NewReader(f.B), int64(len(f.B)), options()...)
		if err != nil {
			return
		}
		defer h.Close()
		// The node belongs to some group (the root's links are dense);
		// the walk lists every group and stops at the first error.
		for _, e := range h.Walk() {
			if e != nil {
				err = e
				break
			}
		}
	})
	if n > hostileAlloc {
		t.Errorf("allocated %d MiB", n>>20)
	}
	var fe *hdf5.FormatError
	if !errors.As(err, &fe) || fe.Addr != uint64(at) {
		t.Fatalf("got %v, want a FormatError at 0x%x", err, at)
	}
	t.Logf("self child: %v", err)

	// The same node claiming level 200: deeper than any real tree can be,
	// it hits the fixed MaxBTreeDepth limit.
	f.B[at+5] = 200
	h, err := hdf5.OpenReaderAt(bytes.NewReader(f.B), int64(len(f.B)), options()...)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	err = nil
	for _, e := range h.Walk() {
		if e != nil {
			err = e
			break
		}
	}
	var le *hdf5.LimitError
	if !errors.Is(err, hdf5.ErrLimit) || !errors.As(err, &le) || le.Name != "MaxBTreeDepth" || le.Limit != hdf5.DefaultMaxBTreeDepth {
		t.Errorf("level 200: got %v, want a MaxBTreeDepth=%d LimitError", err, hdf5.DefaultMaxBTreeDepth)
	}
}

// TestHostileSoftLinkChain: softchain.h5 (testdata/hostile/gen.py) holds a
// chain of 1,000 soft links; following it stops at MaxLinkDepth with a
// LimitError wrapping ErrLimit, naming the limit.
func TestHostileSoftLinkChain(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "hostile", "softchain.h5"))
	if err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	// The end of the chain resolves: the limit is about depth only.
	if _, err := f.Dataset("/l0995"); err != nil {
		t.Fatalf("/l0995 (5 links): %v", err)
	}
	var oerr error
	n := measure(func() { _, oerr = f.Open("/l0000") })
	if n > hostileAlloc {
		t.Errorf("allocated %d MiB", n>>20)
	}
	var le *hdf5.LimitError
	if !errors.Is(oerr, hdf5.ErrLimit) || !errors.As(oerr, &le) || le.Name != "MaxLinkDepth" || le.Limit != hdf5.DefaultMaxLinkDepth {
		t.Fatalf("got %v, want a MaxLinkDepth=%d LimitError", oerr, hdf5.DefaultMaxLinkDepth)
	}
}

// TestHostileChunk1GiB: the layout message of the one chunked dataset of a
// 3.5 KiB file (testdata/hostile/tiny.h5, a version 1 object header, no
// checksum) is made to declare chunks of 1 GiB.
// Reading it fails with a MaxChunkBytes LimitError before anything of that
// size is allocated; with the default limit (1 GiB) the read still fails
// without allocating it: an unfiltered chunk of 1 GiB lies beyond the end of
// the file.
func TestHostileChunk1GiB(t *testing.T) {
	orig, err := h5build.Load(filepath.Join("testdata", "hostile", "tiny.h5"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := hdf5.OpenReaderAt(bytes.NewReader(orig.B), int64(len(orig.B)))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	// A 1-D chunked dataset: its layout message ends with the dimension
	// sizes (4 bytes each) chunk[0], element size.
	var path string
	var at int
	for e, err := range h.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		d, ok := e.Object.(*hdf5.Dataset)
		if !ok || d.Layout() != hdf5.LayoutChunked || len(d.ChunkShape()) != 1 {
			continue
		}
		var pat [8]byte
		binary.LittleEndian.PutUint32(pat[:], uint32(d.ChunkShape()[0]))
		binary.LittleEndian.PutUint32(pat[4:], d.Datatype().Size)
		for _, off := range orig.Index(pat[:]) {
			// version 3, class 2 (chunked), dimensionality 2, B-tree address.
			if p := off - 11; p >= 0 && orig.B[p] == 3 && orig.B[p+1] == 2 && orig.B[p+2] == 2 {
				path, at = e.Path, off
				break
			}
		}
		if path != "" {
			break
		}
	}
	if path == "" {
		t.Fatal("no 1-D chunked dataset with a version 3 layout message")
	}
	f := &h5build.File{B: bytes.Clone(orig.B)}
	es := f.Get(at+4, 4)
	f.Put(at, 4, (1<<30)/es) // 1 GiB chunks
	for _, lim := range []int64{4 << 20, hdf5.DefaultMaxChunkBytes} {
		var err error
		n := measure(func() {
			g, e := hdf5.OpenReaderAt(bytes.NewReader(f.B), int64(len(f.B)), hdf5.WithMaxChunkBytes(lim), hdf5.WithMaxReadBytes(64<<20))
			if e != nil {
				err = e
				return
			}
			defer g.Close()
			d, e := g.Dataset(path)
			if e != nil {
				err = e
				return
			}
			_, err = d.ReadAll()
		})
		t.Logf("%s, MaxChunkBytes %d: %v (%d KiB allocated)", path, lim, err, n>>10)
		if err == nil {
			t.Fatalf("MaxChunkBytes %d: a 1 GiB chunk read without error", lim)
		}
		if lim < 1<<30 {
			var le *hdf5.LimitError
			if !errors.As(err, &le) || le.Name != "MaxChunkBytes" || le.Limit != lim || !errors.Is(err, hdf5.ErrLimit) {
				t.Errorf("got %v, want a MaxChunkBytes=%d LimitError", err, lim)
			}
		}
		if n > hostileAlloc {
			t.Errorf("MaxChunkBytes %d: allocated %d MiB", lim, n>>20)
		}
	}
}

// TestHostileLinkCycles: a soft link cycle and an external link to itself
// (softchain.h5) end at MaxLinkDepth, as libhdf5's H5L_NUM_LINKS does, with
// a LimitError; the depth counts across files.
func TestHostileLinkCycles(t *testing.T) {
	f, err := hdf5.Open(filepath.Join("testdata", "hostile", "softchain.h5"), hdf5.WithMaxLinkDepth(8))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range []string{"/loop_a", "/ext_self"} {
		var err error
		n := measure(func() { _, err = f.Open(p) })
		var le *hdf5.LimitError
		if !errors.As(err, &le) || le.Name != "MaxLinkDepth" || le.Limit != 8 {
			t.Errorf("%s: got %v, want a MaxLinkDepth=8 LimitError", p, err)
		}
		if n > hostileAlloc {
			t.Errorf("%s: allocated %d MiB", p, n>>20)
		}
	}
}
