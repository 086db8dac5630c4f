package heap

import (
	"bytes"
	"errors"
	"runtime"
	"strings"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/internal/h5build"
)

// cyclicHeap builds a fractal heap whose root indirect block lists itself
// as its first child indirect block (Spec 3.0, III.G "Fractal Heap Header"
// and "Fractal Heap Indirect Block", H5.format.html#FractalHeap), with
// valid checksums, so only the cycle is wrong. Doubling table: width 4,
// 512-byte blocks, 512-byte maximum direct blocks (2 direct rows), a 32-bit
// heap, 4 root rows: rows 2 and 3 hold child indirect blocks; a row 3 child
// has 1 row and starts at heap offset 8192.
func cyclicHeap() (*h5build.File, uint64, uint64) {
	const O, L = 8, 8
	const hdrAt, ibAt = 0, 256
	f := &h5build.File{B: make([]byte, 1024)}
	p := hdrAt
	put := func(w int, v uint64) { f.Put(p, w, v); p += w }
	copy(f.B[p:], "FRHP")
	p += 4
	put(1, 0)    // version
	put(2, 8)    // heap ID length
	put(2, 0)    // I/O filters' encoded length
	put(1, 0)    // flags
	put(4, 4096) // maximum size of managed objects
	put(L, 0)    // next huge object ID
	put(O, ^uint64(0))
	put(L, 0) // free space in managed blocks
	put(O, ^uint64(0))
	for i := 0; i < 8; i++ {
		put(L, 0) // managed space, allocated, iterator, counts and sizes
	}
	put(2, 4)    // table width
	put(L, 512)  // starting block size
	put(L, 512)  // maximum direct block size
	put(2, 32)   // maximum heap size (bits)
	put(2, 4)    // starting rows in the root indirect block
	put(O, ibAt) // root block address
	put(2, 4)    // current rows in the root indirect block
	f.Seal(hdrAt, p-hdrAt)

	p = ibAt
	copy(f.B[p:], "FHIB")
	p += 4
	put(1, 0)
	put(O, hdrAt) // heap header address
	put(4, 0)     // block offset (32-bit heap: 4 bytes)
	for i := 0; i < 16; i++ {
		v := ^uint64(0)
		if i == 12 { // row 3, column 0: a child indirect block
			v = ibAt
		}
		put(O, v)
	}
	f.Seal(ibAt, p-ibAt)
	return f, hdrAt, ibAt
}

// TestHostileCyclicIndirectBlock: looking up an object under the cyclic
// block, and walking the heap, both fail with a FormatError at the block,
// allocating next to nothing.
func TestHostileCyclicIndirectBlock(t *testing.T) {
	b, hdrAt, ibAt := cyclicHeap()
	src := &binfmt.Source{R: bytes.NewReader(b.B), Size: int64(len(b.B)), Sizes: binfmt.Sizes{Offsets: 8, Lengths: 8}}
	h, err := OpenFractal(src, hdrAt, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	// Managed ID: type 0, offset 8192 (4 bytes), length 16 (2 bytes).
	id := []byte{0, 0x00, 0x20, 0, 0, 16, 0, 0}
	var a0, a1 runtime.MemStats
	runtime.ReadMemStats(&a0)
	_, gerr := h.Get(id)
	werr := h.walkDirect(func(direct) error { return nil })
	runtime.ReadMemStats(&a1)
	if d := a1.TotalAlloc - a0.TotalAlloc; d > 1<<20 {
		t.Errorf("allocated %d KiB", d>>10)
	}
	for name, err := range map[string]error{"Get": gerr, "walk": werr} {
		t.Logf("%s: %v", name, err)
		var fe *binfmt.FormatError
		if !errors.As(err, &fe) || fe.Addr != ibAt {
			t.Errorf("%s: got %v, want a FormatError at 0x%x", name, err, ibAt)
			continue
		}
		if !strings.Contains(err.Error(), "cycle") && !strings.Contains(err.Error(), "twice") {
			t.Errorf("%s: %v does not name the cycle", name, err)
		}
	}
}
