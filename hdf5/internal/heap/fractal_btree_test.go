package heap

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/internal/binfmt"
)

// These tests reach heap objects the way a reader does: through the heap IDs
// stored in the records of the group's or object's v2 B-tree indexes.

type btreeExpect struct {
	fractalExpect
	BTrees    map[string]uint64 `json:"btrees"`
	Ints      map[string]int64  `json:"ints"`
	BigLen    int               `json:"big_len"`
	BigSHA256 string            `json:"big_sha256"`
	MidLen    int               `json:"mid_len"`
	MidSHA256 string            `json:"mid_sha256"`
}

// heapIDs returns the heap IDs held by the records of the v2 B-tree at addr.
func heapIDs(t *testing.T, src *binfmt.Source, addr uint64, decode func([]byte) ([]byte, error)) [][]byte {
	t.Helper()
	tr, err := btree.OpenV2(src, addr)
	if err != nil {
		t.Fatal(err)
	}
	var ids [][]byte
	for rec, err := range tr.Records() {
		if err != nil {
			t.Fatal(err)
		}
		id, err := decode(rec)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	return ids
}

func TestFractalLinksByBTree(t *testing.T) {
	for _, name := range []string{"fractal_small_latest", "fractal_links_latest", "fractal_deflate_latest"} {
		t.Run(name, func(t *testing.T) {
			var want btreeExpect
			_, src := fixture(t, name, &want)
			f, err := OpenFractal(src, want.HeapAddr, noLimit)
			if err != nil {
				t.Fatal(err)
			}
			ids := heapIDs(t, src, want.BTrees["5"], func(rec []byte) ([]byte, error) {
				r, err := btree.DecodeLinkName(rec)
				return r.HeapID, err
			})
			var names []string
			for _, id := range ids {
				if len(id) != f.IDLen() {
					t.Fatalf("B-tree heap ID of %d bytes, heap IDs are %d", len(id), f.IDLen())
				}
				obj, err := f.Get(id)
				if err != nil {
					t.Fatal(err)
				}
				n, nm, ok := linkMsgLen(obj)
				if !ok || n != len(obj) {
					t.Fatalf("object % x is not one link message", obj[:min(len(obj), 16)])
				}
				names = append(names, nm)
			}
			checkNames(t, names, want.fractalExpect)
		})
	}
}

func TestFractalAttributesHuge(t *testing.T) {
	var want btreeExpect
	_, src := fixture(t, "fractal_attrs_latest", &want)
	f, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	checkHeader(t, f, want.H5debug)
	if f.HugeObjects != 2 || f.HugeBTreeAddr != want.BTrees["1"] || f.hugeDirect {
		t.Fatalf("huge objects %d, B-tree 0x%x (h5debug: 0x%x), direct IDs %v", f.HugeObjects, f.HugeBTreeAddr, want.BTrees["1"], f.hugeDirect)
	}
	ids := heapIDs(t, src, want.BTrees["8"], func(rec []byte) ([]byte, error) {
		r, err := btree.DecodeAttrName(rec)
		return r.HeapID, err
	})
	if len(ids) != len(want.Names) {
		t.Fatalf("%d attribute records, h5py lists %d attributes", len(ids), len(want.Names))
	}
	// Each attribute message (Spec IV.A.2.m, version 3) holds its name,
	// NUL-terminated, and ends with its value.
	found := map[string]int{}
	huge := 0
	for _, id := range ids {
		obj, err := f.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if (id[0]>>4)&3 == idHuge {
			huge++
		}
		for _, nm := range want.Names {
			if bytes.Contains(obj, append([]byte(nm), 0)) {
				found[nm]++
				check := func(n int, digest string) {
					if len(obj) < n {
						t.Fatalf("%s: object of %d bytes, value is %d", nm, len(obj), n)
					}
					sum := sha256.Sum256(obj[len(obj)-n:])
					if hex.EncodeToString(sum[:]) != digest {
						t.Errorf("%s: value differs from h5py's", nm)
					}
				}
				switch {
				case nm == "big_attr":
					check(want.BigLen, want.BigSHA256)
				case nm == "mid_attr":
					check(want.MidLen, want.MidSHA256)
				case strings.HasPrefix(nm, "attr_"):
					if v := int64(binary.LittleEndian.Uint64(obj[len(obj)-8:])); v != want.Ints[nm] {
						t.Errorf("%s = %d, h5py reads %d", nm, v, want.Ints[nm])
					}
				}
			}
		}
	}
	for _, nm := range want.Names {
		if found[nm] != 1 {
			t.Errorf("attribute %q found in %d heap objects", nm, found[nm])
		}
	}
	if huge != 2 {
		t.Errorf("%d huge IDs, h5debug says 2 huge objects", huge)
	}

	// A huge object over the limit, and a huge ID not in the B-tree.
	small, err := OpenFractal(src, want.HeapAddr, 50000)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ids {
		if (id[0]>>4)&3 != idHuge {
			continue
		}
		obj, err := small.Get(id)
		var le *binfmt.LimitError
		if err == nil && len(obj) > 50000 || err != nil && !errors.As(err, &le) {
			t.Errorf("huge object under a 50000-byte limit: %d bytes, %v", len(obj), err)
		}
	}
	if _, err := f.Get([]byte{0x10, 0xff, 0xff, 0, 0, 0, 0, 0}); !errors.Is(err, binfmt.ErrNotFound) {
		t.Errorf("unknown huge ID: %v", err)
	}
}

func TestFractalFilteredHuge(t *testing.T) {
	var want struct {
		HeapAddr   uint64            `json:"heap_addr"`
		SoftValues map[string]string `json:"soft_values"`
		H5debug    []string          `json:"h5debug"`
		BTrees     map[string]uint64 `json:"btrees"`
	}
	_, src := fixture(t, "fractal_deflate_huge_latest", &want)
	f, err := OpenFractal(src, want.HeapAddr, noLimit)
	if err != nil {
		t.Fatal(err)
	}
	checkHeader(t, f, want.H5debug)
	if f.Pipeline == nil || f.HugeBTreeAddr != want.BTrees["2"] || f.hugeDirect {
		t.Fatalf("pipeline %v, huge B-tree 0x%x (h5debug: type 2 at 0x%x), direct %v", f.Pipeline, f.HugeBTreeAddr, want.BTrees["2"], f.hugeDirect)
	}
	ids := heapIDs(t, src, want.BTrees["5"], func(rec []byte) ([]byte, error) {
		r, err := btree.DecodeLinkName(rec)
		return r.HeapID, err
	})
	got := map[string]string{}
	huge := 0
	for _, id := range ids {
		if (id[0]>>4)&3 == idHuge {
			huge++
		}
		obj, err := f.Get(id)
		if err != nil {
			t.Fatal(err)
		}
		n, name, info, ok := parseLink(obj)
		if !ok || n != len(obj) || obj[2] != 1 {
			t.Fatalf("object is not one soft link message")
		}
		got[name] = string(info[2:]) // soft link: value length (2), value
	}
	if huge != 2 {
		t.Errorf("%d huge IDs, h5debug says 2", huge)
	}
	if len(got) != len(want.SoftValues) {
		t.Fatalf("%d links decoded, h5py lists %d", len(got), len(want.SoftValues))
	}
	for k, v := range want.SoftValues {
		if got[k] != v {
			t.Errorf("link %q value of %d bytes differs from h5py's (%d bytes)", k, len(got[k]), len(v))
		}
	}
}
