package heap

import (
	"os"
	"path/filepath"
	"testing"
)

// Fuzz invariants: no panic, no hang, and an error always comes with a nil
// result. Seeds are the fixtures with the addresses of their heaps.

func seedFile(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name+".h5"))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzLocalHeap(f *testing.F) {
	var want localExpect
	b, _ := fixture(f, "local_earliest", &want)
	for _, e := range want.Entries {
		f.Add(b, want.HeapAddr, e.Offset)
	}
	f.Add(b[want.HeapAddr:want.HeapAddr+32], uint64(0), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, addr, off uint64) {
		h, err := ReadLocal(memSource(data), addr)
		if err != nil {
			if h != nil {
				t.Fatal("error with a non-nil heap")
			}
			return
		}
		if s, err := h.String(off); err != nil && s != "" {
			t.Fatal("error with a non-empty string")
		}
	})
}

func FuzzGlobalHeap(f *testing.F) {
	var want globalExpect
	b, _ := fixture(f, "global_earliest", &want)
	col := want.Collections[0]
	f.Add(b, col, uint32(1))
	f.Add(b, col, uint32(7))
	f.Add(b[col:col+4096], uint64(0), uint32(3))
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, idx uint32) {
		g := NewGlobal(memSource(data), 1<<16)
		for k := 0; k < 2; k++ { // the second Get hits the cache
			obj, err := g.Get(addr, idx)
			if err != nil && obj != nil {
				t.Fatal("error with a non-nil object")
			}
		}
	})
}

func FuzzFractalHeap(f *testing.F) {
	for _, name := range []string{"fractal_small_latest", "fractal_links_latest", "fractal_attrs_latest", "fractal_deflate_latest"} {
		var want fractalExpect
		b, src := fixture(f, name, &want)
		h, err := OpenFractal(src, want.HeapAddr, noLimit)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, want.HeapAddr, managedID(h, uint64(h.dblockHdr), 20))
		f.Add(b, want.HeapAddr, []byte{0x10, 0, 0, 0, 0, 0, 0, 0})
		f.Add(b, want.HeapAddr, []byte{0x10, 1, 0, 0, 0, 0, 0, 0})
		f.Add(b, want.HeapAddr, []byte{0x23, 1, 2, 3, 4, 5, 6})
	}
	f.Fuzz(func(t *testing.T, data []byte, addr uint64, id []byte) {
		h, err := OpenFractal(memSource(data), addr, 1<<20)
		if err != nil {
			if h != nil {
				t.Fatal("error with a non-nil heap")
			}
			return
		}
		obj, err := h.Get(id)
		if err != nil && obj != nil {
			t.Fatal("error with a non-nil object")
		}
		// Read the first object of every block, as a walk of the heap would.
		n := 0
		_ = h.walkDirect(func(d direct) error {
			if n++; n > 64 {
				return errStop
			}
			obj, err := h.Get(managedID(h, d.blockOff+uint64(h.dblockHdr), 16))
			if err != nil && obj != nil {
				t.Fatal("error with a non-nil object")
			}
			return nil
		})
	})
}
