package heap

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

type fractalExpect struct {
	HeapAddr    uint64   `json:"heap_addr"`
	Count       int      `json:"count"`
	Names       []string `json:"names"`
	NamesSHA256 string   `json:"names_sha256"`
	H5debug     []string `json:"h5debug"`
}

// checkHeader compares the decoded header with what libhdf5's h5debug printed.
func checkHeader(t *testing.T, f *Fractal, lines []string) {
	t.Helper()
	for _, c := range []struct {
		label string
		got   uint64
	}{
		{"Number of managed objects in heap:", f.ManagedObjects},
		{"Number of 'huge' objects in heap:", f.HugeObjects},
		{"Number of 'tiny' objects in heap:", f.TinyObjects},
		{"Max. size of managed object:", uint64(f.MaxManagedSize)},
		{"Doubling table width:", uint64(f.TableWidth)},
		{"Starting block size:", f.StartBlockSize},
		{"Max. direct block size:", f.MaxDirectSize},
		{"Max. index size:", uint64(f.MaxHeapBits)},
		{"Table's root address:", f.RootAddr},
		{"Current # of rows in root indirect block:", uint64(f.RootRows)},
		{"Max. # of rows in root indirect block:", uint64(f.maxRootRows)},
		{"Max. # of direct rows in any indirect block:", uint64(f.maxDirectRows)},
		{"# of bits for IDs in first row:", uint64(f.firstRowBits)},
		{"Total managed space allocated:", f.ManagedAlloc},
	} {
		if want := debugValue(t, lines, c.label); c.got != want {
			t.Errorf("%s %d, h5debug says %d", c.label, c.got, want)
		}
	}
}

// managedID builds a managed-object heap ID (Spec 3.0, III.G "Fractal Heap
// ID", type 0): flags byte, heap offset, object length.
func managedID(f *Fractal, off, n uint64) []byte {
	id := make([]byte, f.IDLen())
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], off)
	copy(id[1:], b[:f.offSize])
	binary.LittleEndian.PutUint64(b[:], n)
	copy(id[1+f.offSize:], b[:f.lenSize])
	return id
}

// linkMsgLen returns the length of the link message at the start of b and
// its name (Spec 3.0, IV.A.2.g "Link Message"), or ok=false when b does not
// start with one (the block's free space).
func linkMsgLen(b []byte) (n int, name string, ok bool) {
	n, name, _, ok = parseLink(b)
	return n, name, ok
}

// parseLink is linkMsgLen that also returns the link information field.
func parseLink(b []byte) (n int, name string, info []byte, ok bool) {
	if len(b) < 3 || b[0] != 1 {
		return 0, "", nil, false
	}
	flags := b[1]
	p := 2
	typ := byte(0)
	if flags&0x08 != 0 {
		typ = b[p]
		p++
	}
	if flags&0x04 != 0 {
		p += 8
	}
	if flags&0x10 != 0 {
		p++
	}
	w := 1 << (flags & 3)
	var nl uint64
	for i := w - 1; i >= 0; i-- {
		nl = nl<<8 | uint64(b[p+i])
	}
	p += w
	name = string(b[p : p+int(nl)])
	p += int(nl)
	start := p
	switch typ {
	case 0:
		p += 8
	default:
		p += 2 + int(binary.LittleEndian.Uint16(b[p:]))
	}
	return p, name, b[start:p], true
}

// linkObjects walks every direct block of a link-name heap and reads each
// link message through Get, using IDs built from the block positions. It
// returns the names found, one per object.
func linkObjects(t *testing.T, f *Fractal) []string {
	t.Helper()
	var names []string
	blocks := 0
	err := f.walkDirect(func(d direct) error {
		blocks++
		data, err := f.readDirect(d)
		if err != nil {
			return err
		}
		for p := f.dblockHdr; p < len(data); {
			n, name, ok := linkMsgLen(data[p:])
			if !ok {
				break
			}
			obj, err := f.Get(managedID(f, d.blockOff+uint64(p), uint64(n)))
			if err != nil {
				return err
			}
			if !slices.Equal(obj, data[p:p+n]) {
				t.Fatalf("object at heap offset %d differs from the block's bytes", d.blockOff+uint64(p))
			}
			if on, oname, _ := linkMsgLen(obj); on != n || oname != name {
				t.Fatalf("object at heap offset %d decodes as %q", d.blockOff+uint64(p), oname)
			}
			names = append(names, name)
			p += n
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if blocks == 0 {
		t.Fatal("no direct blocks")
	}
	return names
}

func checkNames(t *testing.T, got []string, want fractalExpect) {
	t.Helper()
	slices.Sort(got)
	if len(got) != want.Count {
		t.Fatalf("found %d link messages, h5py lists %d links", len(got), want.Count)
	}
	if want.Names != nil {
		if !slices.Equal(got, want.Names) {
			t.Fatalf("names differ from h5py's")
		}
		return
	}
	sum := sha256.Sum256([]byte(strings.Join(got, "\n")))
	if hex.EncodeToString(sum[:]) != want.NamesSHA256 {
		t.Fatalf("digest of names differs from h5py's")
	}
}

func TestFractalLinks(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rootRows uint16 // 0: root direct block
		filtered bool
	}{
		{"fractal_small_latest", 0, false},
		{"fractal_links_latest", 8, false},
		{"fractal_deflate_latest", 16, true}, // child indirect blocks
	} {
		t.Run(tc.name, func(t *testing.T) {
			var want fractalExpect
			_, src := fixture(t, tc.name, &want)
			f, err := OpenFractal(src, want.HeapAddr, noLimit)
			if err != nil {
				t.Fatal(err)
			}
			checkHeader(t, f, want.H5debug)
			if f.RootRows != tc.rootRows || (f.Pipeline != nil) != tc.filtered {
				t.Fatalf("root rows %d, pipeline %v", f.RootRows, f.Pipeline)
			}
			if tc.filtered {
				if len(f.Pipeline) != 1 || f.Pipeline[0].ID != 1 || !slices.Equal(f.Pipeline[0].Params, []uint32{6}) {
					t.Fatalf("pipeline %+v, h5debug shows deflate level 6", f.Pipeline)
				}
			}
			if f.IDLen() != 7 || f.Flags&flagChecksumDirect == 0 {
				t.Fatalf("ID length %d, flags %#x", f.IDLen(), f.Flags)
			}
			checkNames(t, linkObjects(t, f), want)
		})
	}
}

func TestFractalConcurrent(t *testing.T) {
	var want fractalExpect
	_, src := fixture(t, "fractal_deflate_latest", &want)
	f, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	// Collect IDs serially, then read them from many goroutines on a fresh
	// heap so that the block cache is filled concurrently.
	var ids [][]byte
	var objs [][]byte
	_ = f.walkDirect(func(d direct) error {
		data, err := f.readDirect(d)
		if err != nil {
			return err
		}
		for p := f.dblockHdr; p < len(data); {
			n, _, ok := linkMsgLen(data[p:])
			if !ok {
				break
			}
			ids = append(ids, managedID(f, d.blockOff+uint64(p), uint64(n)))
			objs = append(objs, data[p:p+n])
			p += n
		}
		return nil
	})
	f2, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(ids); i += 3 {
				obj, err := f2.Get(ids[i])
				if err != nil || !slices.Equal(obj, objs[i]) {
					t.Errorf("object %d: %v", i, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
}

func TestFractalTinyAndIDs(t *testing.T) {
	var want fractalExpect
	_, src := fixture(t, "fractal_small_latest", &want)
	f, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	// Tiny objects live in the ID (Spec III.G: type 2, length-1 in the low
	// four bits of the first byte for IDs of at most 17 bytes).
	id := []byte{0x20 | 2, 'a', 'b', 'c', 0, 0, 0}
	if obj, err := f.Get(id); err != nil || string(obj) != "abc" {
		t.Errorf("tiny object = %q, %v", obj, err)
	}
	if _, err := f.Get([]byte{0x20 | 9, 1, 2}); err == nil {
		t.Error("tiny object longer than its ID accepted")
	}
	for _, bad := range [][]byte{
		nil,
		{0x40, 0, 0, 0, 0, 0, 0}, // version 1
		{0x30, 0, 0, 0, 0, 0, 0}, // type 3
		{0x00, 0, 0},             // short managed ID
		managedID(f, 5, 10),      // inside the block header
		managedID(f, 500, 100),   // past the block's end
		managedID(f, 1<<20, 10),  // past the root direct block
		managedID(f, 100, 0),     // empty
		{0x10, 1, 0, 0, 0, 0, 0}, // huge, but the heap has no huge objects
	} {
		if obj, err := f.Get(bad); err == nil || obj != nil {
			t.Errorf("Get(% x) = %q, %v; want an error", bad, obj, err)
		}
	}
	small, err := OpenFractal(src, want.HeapAddr, 4)
	if err != nil {
		t.Fatal(err)
	}
	var le *binfmt.LimitError
	if _, err := small.Get(managedID(f, 100, 20)); !errors.As(err, &le) || le.Name != "MaxHeapObject" {
		t.Errorf("20-byte object under a 4-byte limit: %v", err)
	}
}

// blockAddrs returns the addresses of the heap's direct blocks.
func blockAddrs(t *testing.T, f *Fractal) []direct {
	var ds []direct
	if err := f.walkDirect(func(d direct) error { ds = append(ds, d); return nil }); err != nil {
		t.Fatal(err)
	}
	return ds
}

func TestFractalChecksums(t *testing.T) {
	var want fractalExpect
	b, src := fixture(t, "fractal_links_latest", &want)
	f, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	ds := blockAddrs(t, f)
	d := ds[len(ds)/2]
	firstID := func(f *Fractal, d direct) []byte {
		data, err := f.readDirect(d)
		if err != nil {
			t.Fatal(err)
		}
		n, _, ok := linkMsgLen(data[f.dblockHdr:])
		if !ok {
			t.Fatal("no link message at the start of the block")
		}
		return managedID(f, d.blockOff+uint64(f.dblockHdr), uint64(n))
	}
	id := firstID(f, d)

	// Header: flip a statistics byte that nothing else checks.
	c := append([]byte(nil), b...)
	c[want.HeapAddr+4+1+2+2+1+4+8+8+8+8] ^= 0x40 // "Amount of Managed Space in Heap"
	if h, err := OpenFractal(memSource(c), want.HeapAddr, noLimit); !errors.Is(err, binfmt.ErrChecksum) || h != nil {
		t.Errorf("corrupt header: %v", err)
	}

	// Direct block: flip a byte of object data.
	c = append([]byte(nil), b...)
	c[d.addr+uint64(f.dblockHdr)+3] ^= 0x01
	f2, err := OpenFractal(memSource(c), want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	if obj, err := f2.Get(id); !errors.Is(err, binfmt.ErrChecksum) || obj != nil {
		t.Errorf("corrupt direct block: %q, %v", obj, err)
	}

	// Root indirect block: flip a byte of the last child address.
	c = append([]byte(nil), b...)
	c[f.RootAddr+4+1+8+uint64(f.offSize)] ^= 0x01
	f3, err := OpenFractal(memSource(c), want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	if obj, err := f3.Get(id); !errors.Is(err, binfmt.ErrChecksum) || obj != nil {
		t.Errorf("corrupt indirect block: %q, %v", obj, err)
	}

	// Filtered heap: checksum verified on the decoded block.
	var wantF fractalExpect
	bf, srcF := fixture(t, "fractal_deflate_latest", &wantF)
	ff, err := OpenFractal(srcF, wantF.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	dsF := blockAddrs(t, ff)
	dF := dsF[1]
	idF := firstID(ff, dF)
	c = append([]byte(nil), bf...)
	c[dF.addr+dF.fsize-5] ^= 0x01 // inside the deflate stream
	ff2, err := OpenFractal(memSource(c), wantF.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	if obj, err := ff2.Get(idF); err == nil || obj != nil {
		t.Errorf("corrupt filtered block: %q, %v", obj, err)
	}
}
