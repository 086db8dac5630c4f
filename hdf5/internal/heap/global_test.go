package heap

import (
	"encoding/binary"
	"errors"
	"sync"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

type globalExpect struct {
	Collections []uint64
	Strings     struct {
		Offset uint64
		Count  int
		Values []string
	}
	Seqs struct {
		Offset uint64
		Count  int
		Values [][]int32
	}
}

// vlenRef is one raw variable-length element: Spec 3.0, IV.A.2.d, datatype
// class 9 storage: length, global heap collection address, object index.
type vlenRef struct {
	n     uint32
	addr  uint64
	index uint32
}

func readVlenRefs(t *testing.T, b []byte, off uint64, count int) []vlenRef {
	t.Helper()
	refs := make([]vlenRef, count)
	for i := range refs {
		p := b[off+uint64(i)*16:]
		refs[i] = vlenRef{binary.LittleEndian.Uint32(p), binary.LittleEndian.Uint64(p[4:]), binary.LittleEndian.Uint32(p[12:])}
	}
	return refs
}

func TestGlobalHeap(t *testing.T) {
	var want globalExpect
	b, src := fixture(t, "global_earliest", &want)
	g := NewGlobal(src, noLimit)
	known := map[uint64]bool{}
	for _, a := range want.Collections {
		known[a] = true
	}
	got := 0
	for i, r := range readVlenRefs(t, b, want.Strings.Offset, want.Strings.Count) {
		w := want.Strings.Values[i]
		if int(r.n) != len(w) {
			t.Errorf("string %d: stored length %d, h5py read %d bytes", i, r.n, len(w))
		}
		if r.n == 0 && r.addr == 0 {
			continue
		}
		if !known[r.addr] {
			t.Errorf("string %d: collection 0x%x is not one h5debug knows", i, r.addr)
		}
		obj, err := g.Get(r.addr, r.index)
		if err != nil {
			t.Fatalf("string %d: %v", i, err)
		}
		if string(obj) != w {
			t.Errorf("string %d = %q, want %q", i, obj, w)
		}
		got++
	}
	for i, r := range readVlenRefs(t, b, want.Seqs.Offset, want.Seqs.Count) {
		w := want.Seqs.Values[i]
		if int(r.n) != len(w) {
			t.Errorf("sequence %d: stored length %d, h5py read %d", i, r.n, len(w))
		}
		if r.n == 0 && r.addr == 0 {
			continue
		}
		obj, err := g.Get(r.addr, r.index)
		if err != nil {
			t.Fatalf("sequence %d: %v", i, err)
		}
		if len(obj) != 4*len(w) {
			t.Fatalf("sequence %d: %d bytes, want %d", i, len(obj), 4*len(w))
		}
		for j, v := range w {
			if g := int32(binary.LittleEndian.Uint32(obj[4*j:])); g != v {
				t.Errorf("sequence %d[%d] = %d, want %d", i, j, g, v)
			}
		}
		got++
	}
	if got < 8 {
		t.Fatalf("only %d objects checked", got)
	}

	// Get returns a fresh copy each time.
	r := readVlenRefs(t, b, want.Strings.Offset, want.Strings.Count)[2]
	o1, _ := g.Get(r.addr, r.index)
	o1[0] ^= 0xff
	if o2, _ := g.Get(r.addr, r.index); string(o2) != want.Strings.Values[2] {
		t.Error("Get returned a shared buffer")
	}

	// Missing objects.
	for _, idx := range []uint32{0, 9999, 1 << 20} {
		if _, err := g.Get(want.Collections[0], idx); !errors.Is(err, binfmt.ErrNotFound) {
			t.Errorf("Get(index %d) error = %v, want ErrNotFound", idx, err)
		}
	}
	// Not a collection.
	if _, err := g.Get(0, 1); err == nil {
		t.Error("Get on the superblock succeeded")
	}

	// The object size limit.
	small := NewGlobal(src, 10)
	if _, err := small.Get(r.addr, r.index); err != nil {
		t.Errorf("5-byte object under a 10-byte limit: %v", err)
	}
	long := readVlenRefs(t, b, want.Strings.Offset, want.Strings.Count)[4]
	_, err := small.Get(long.addr, long.index)
	var le *binfmt.LimitError
	if !errors.As(err, &le) || le.Name != "MaxHeapObject" || !errors.Is(err, binfmt.ErrLimit) {
		t.Errorf("300-byte object under a 10-byte limit: %v", err)
	}
}

func TestGlobalHeapConcurrent(t *testing.T) {
	var want globalExpect
	b, src := fixture(t, "global_earliest", &want)
	g := NewGlobal(src, noLimit)
	refs := readVlenRefs(t, b, want.Strings.Offset, want.Strings.Count)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				for i, r := range refs {
					if r.n == 0 {
						continue
					}
					obj, err := g.Get(r.addr, r.index)
					if err != nil || string(obj) != want.Strings.Values[i] {
						t.Errorf("string %d = %q, %v", i, obj, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func TestGlobalHeapCorrupt(t *testing.T) {
	var want globalExpect
	b, _ := fixture(t, "global_earliest", &want)
	r := readVlenRefs(t, b, want.Strings.Offset, want.Strings.Count)[3]
	col := want.Collections[0]
	for _, tc := range []struct {
		name string
		mut  func(b []byte)
	}{
		{"signature", func(b []byte) { b[col] = 'g' }},
		{"version", func(b []byte) { b[col+4] = 2 }},
		{"size too small", func(b []byte) { binary.LittleEndian.PutUint64(b[col+8:], 3) }},
		{"size huge", func(b []byte) { binary.LittleEndian.PutUint64(b[col+8:], 1<<60) }},
		{"object overruns", func(b []byte) { binary.LittleEndian.PutUint64(b[col+16+8:], 1<<40) }},
	} {
		c := append([]byte(nil), b...)
		tc.mut(c)
		obj, err := NewGlobal(memSource(c), noLimit).Get(r.addr, r.index)
		if err == nil || obj != nil {
			t.Errorf("%s: Get = %q, %v; want an error", tc.name, obj, err)
		}
	}
}
