package hdf5

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// vdsRecord is the part of a reference.jsonl record (or of
// testdata/vds/expected.json) the virtual dataset tests need.
type vdsRecord struct {
	Kind         string         `json:"kind"`
	File         string         `json:"file"`
	Path         string         `json:"path"`
	Shape        []uint64       `json:"shape"`
	Layout       string         `json:"layout"`
	H5Type       map[string]any `json:"h5type"`
	DigestMethod string         `json:"digest_method"`
	SHA256       string         `json:"sha256"`
}

func checkVDS(t *testing.T, f *File, r vdsRecord) {
	t.Helper()
	d, err := f.Dataset(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Layout() != LayoutVirtual {
		t.Fatalf("layout %v", d.Layout())
	}
	if !slices.Equal(d.Shape(), r.Shape) {
		t.Errorf("shape %v, libhdf5 %v", d.Shape(), r.Shape)
	}
	if !slices.Equal(d.Dataspace().Dims, r.Shape) {
		t.Errorf("dataspace dims %v, libhdf5 %v", d.Dataspace().Dims, r.Shape)
	}
	buf, err := d.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf)
	if got := hex.EncodeToString(sum[:]); got != r.SHA256 {
		t.Errorf("sha256 %s, libhdf5 %s (%d bytes)", got, r.SHA256, len(buf))
	}
}

// corpusVDSOverride holds digests that differ from reference.jsonl because
// the reference cannot be reproduced from the corpus as it is: for
// vds-percival-unlim-maxmin.h5 the reference sums to 34000, but h5py 3.7.0
// / libhdf5 1.10.8 read the corpus's files (sources a.h5 and c.h5 are
// absent, b.h5 and d.h5 present) as summing to 22400, whatever the current
// directory; this is the sha256 of that read.
var corpusVDSOverride = map[string]string{
	"scigolib-hdf5/testdata/hdf5_official/vds-percival-unlim-maxmin.h5/VDS-Percival-unlim-maxmin": "9ee58bf85c65674da60922496b9fc1b326621c9a0c01bca610780ef197d544e4",
}

// TestCorpusVDS reads every virtual dataset of the corpus and compares its
// shape (the extent libhdf5 computes for unlimited mappings) and the
// sha256 of its elements with libhdf5's.
func TestCorpusVDS(t *testing.T) {
	dir := filepath.Join("..", "..", "shared", "corpus")
	fh, err := os.Open(filepath.Join(dir, "reference.jsonl"))
	if err != nil {
		t.Skipf("corpus absent: %v", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	n := 0
	for sc.Scan() {
		var r vdsRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		if r.Kind != "dataset" || r.Layout != "virtual" {
			continue
		}
		if r.DigestMethod != "bytes-le-packed" || (r.H5Type["class"] != "INTEGER" && r.H5Type["class"] != "FLOAT") {
			continue
		}
		n++
		if o, ok := corpusVDSOverride[r.File+r.Path]; ok {
			r.SHA256 = o
		}
		t.Run(r.File+r.Path, func(t *testing.T) {
			f, err := Open(filepath.Join(dir, "files", r.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checkVDS(t, f, r)
		})
	}
	if n == 0 {
		t.Error("no virtual datasets in the corpus reference")
	}
}

// TestVDSFixtures reads the virtual datasets testdata/vds/gen_vds.py made
// and compares them with what h5py read.
func TestVDSFixtures(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "vds", "expected.json"))
	if err != nil {
		t.Fatal(err)
	}
	var recs []vdsRecord
	if err := json.Unmarshal(b, &recs); err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		t.Run(r.File+r.Path, func(t *testing.T) {
			f, err := Open(filepath.Join("testdata", "vds", r.File))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			checkVDS(t, f, r)
		})
	}
}

// TestVDSPartialReads reads parts of the fixtures (a strided hyperslab,
// numpy-style slices, points) and checks them against the same elements of
// the whole read, which TestVDSFixtures checks against h5py.
func TestVDSPartialReads(t *testing.T) {
	for _, tc := range []struct {
		file, path string
		sels       []*Selection
	}{
		{"vds_same.h5", "mix", []*Selection{Hyperslab([]uint64{1, 1}, []uint64{3, 2}, []uint64{3, 3}, nil),
			Points([][]uint64{{11, 6}, {0, 0}, {0, 5}, {5, 3}}), mustSlice(t, "::-1, 4:6")}},
		{"vds_printf.h5", "printf", []*Selection{mustSlice(t, "2:6, 1"), Points([][]uint64{{6, 4}, {3, 0}})}},
		{"vds_unlim.h5", "unlim", []*Selection{mustSlice(t, "3:, ::2")}},
	} {
		f, err := Open(filepath.Join("testdata", "vds", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset(tc.path)
		if err != nil {
			t.Fatal(err)
		}
		whole, err := d.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		es := uint64(d.Datatype().Size)
		shape := d.Shape()
		for i, sel := range tc.sels {
			n, err := d.SelectionBytes(sel)
			if err != nil {
				t.Fatal(err)
			}
			got := make([]byte, n)
			if err := d.Read(sel, got); err != nil {
				t.Fatalf("%s selection %d: %v", tc.file, i, err)
			}
			// The expected bytes, element by element through the compiled
			// selection's coordinates.
			c, _ := sel.compile(shape)
			var want []byte
			if c.isPoints() {
				for _, p := range c.points {
					off := linear(p, shape) * es
					want = append(want, whole[off:off+es]...)
				}
			} else {
				c.unitRuns(make([]uint64, len(shape)), shape, es, nil, func(br byteRun) bool {
					for uint64(len(want)) < br.dst+br.n {
						want = append(want, 0)
					}
					br.apply(want, whole, es)
					return true
				})
			}
			if string(got) != string(want) {
				t.Errorf("%s selection %d: got %v, want %v", tc.file, i, got, want)
			}
		}
		f.Close()
	}
}

func mustSlice(t *testing.T, s string) *Selection {
	sel, err := Slice(s)
	if err != nil {
		t.Fatal(err)
	}
	return sel
}

// TestVDSBlockHostile feeds damaged mapping lists to the decoder.
func TestVDSBlockHostile(t *testing.T) {
	f, err := Open(filepath.Join("testdata", "vds", "vds_same.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("mix")
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.global.Get(d.layout.HeapAddr, d.layout.HeapIndex)
	if err != nil {
		t.Fatal(err)
	}
	maps, err := decodeVDSBlock(raw, f.src.Sizes, 0)
	if err != nil || len(maps) != 4 || maps[0].file != "." || maps[0].dset != "a" {
		t.Fatalf("intact block: %v %v", maps, err)
	}
	bad := append([]byte(nil), raw...)
	bad[len(bad)-1] ^= 1
	if _, err := decodeVDSBlock(bad, f.src.Sizes, 0); !errors.Is(err, ErrChecksum) {
		t.Errorf("bad checksum: %v", err)
	}
	for n := 0; n < len(raw)-1; n++ {
		if m, err := decodeVDSBlock(raw[:n], f.src.Sizes, 0); err == nil {
			t.Errorf("truncated to %d bytes: decoded %v", n, m)
		}
	}
	huge := append([]byte(nil), raw...)
	huge[1], huge[8] = 0xff, 0x7f // entry count
	if _, err := decodeVDSBlock(huge, f.src.Sizes, 0); err == nil {
		t.Errorf("huge entry count accepted")
	}
}

// TestExpandBlock checks libhdf5's source name substitutions: %b is the
// block number and %% a percent sign.
func TestExpandBlock(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"f-%b.h5", "f-12.h5"}, {"a%%b%b", "a%b12"}, {"plain", "plain"}, {"x%", "x%"}, {"%q", "%q"},
	} {
		if got := expandBlock(tc.in, 12); got != tc.want {
			t.Errorf("expandBlock(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if !hasBlockSpec("f-%b.h5") || hasBlockSpec("f-%%b.h5") {
		t.Error("hasBlockSpec")
	}
}
