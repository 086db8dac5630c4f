package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// refRecord is one line of a reference.jsonl: ../shared/corpus's (written by
// h5py over other projects' files) or testdata's (written by our generator
// with the same code). Only the fields the tests use are decoded.
type refRecord struct {
	Kind         string          `json:"kind"`
	File         string          `json:"file"`
	Path         string          `json:"path"`
	Name         string          `json:"name"`
	Shape        *[]uint64       `json:"shape"`
	H5Type       json.RawMessage `json:"h5type"`
	Links        []refLink       `json:"links"`
	OpenError    string          `json:"open_error"`
	DigestMethod string          `json:"digest_method"`
	SHA256       string          `json:"sha256"`
	ReadError    string          `json:"read_error"`
	Error        string          `json:"error"`
	Layout       string          `json:"layout"`
	Filters      []struct {
		ID int `json:"id"`
	} `json:"filters"`
}

type refLink struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Target any    `json:"target"`
}

type refType struct {
	Class    string `json:"class"`
	Size     uint32 `json:"size"`
	Variable bool   `json:"variable"`
}

// refSet is a reference file's records grouped by HDF5 file.
type refSet struct {
	dir   string // where the files are
	files []string
	recs  map[string][]refRecord
}

// loadRefs reads a reference.jsonl whose "file" fields are relative to dir.
// It skips the test when the file is absent (../shared is not beside the
// checkout).
func loadRefs(t testing.TB, jsonl, dir string) *refSet {
	t.Helper()
	fh, err := os.Open(jsonl)
	if os.IsNotExist(err) {
		t.Skipf("%s is absent", jsonl)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	rs := &refSet{dir: dir, recs: map[string][]refRecord{}}
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r refRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", jsonl, err)
		}
		if o, ok := referenceOverrides[r.File+r.Path]; ok && r.Kind == "dataset" {
			r.SHA256 = o
		}
		if _, ok := rs.recs[r.File]; !ok {
			rs.files = append(rs.files, r.File)
		}
		rs.recs[r.File] = append(rs.recs[r.File], r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for file, recs := range rs.recs {
		for i := range recs {
			twin, ok := referenceSameAs[file+recs[i].Path]
			if !ok || recs[i].Kind != "dataset" {
				continue
			}
			for _, o := range recs {
				if o.Kind == "dataset" && o.Path == twin {
					recs[i].SHA256, recs[i].DigestMethod = o.SHA256, o.DigestMethod
				}
			}
		}
	}
	sort.Strings(rs.files)
	return rs
}

func corpusRefs(t testing.TB) *refSet {
	root := filepath.Join("..", "..", "..", "shared", "corpus")
	return loadRefs(t, filepath.Join(root, "reference.jsonl"), filepath.Join(root, "files"))
}

func fixtureRefs(t testing.TB) *refSet {
	root := filepath.Join("..", "..", "testdata")
	return loadRefs(t, filepath.Join(root, "reference.jsonl"), filepath.Join(root, "files"))
}

// referenceOverrides replaces reference digests that cannot be reproduced
// from the corpus as it is. vds-percival-unlim-maxmin.h5 is a virtual
// dataset whose sources a.h5 and c.h5 are not in the corpus: the reference
// sums to 34000, so its generator found those files elsewhere, while h5py
// 3.7.0 / libhdf5 1.10.8 read the corpus as it stands (those parts as fill)
// as summing to 22400. This is the sha256 of h5py's read of the corpus.
var referenceOverrides = map[string]string{
	"scigolib-hdf5/testdata/hdf5_official/vds-percival-unlim-maxmin.h5/VDS-Percival-unlim-maxmin": "9ee58bf85c65674da60922496b9fc1b326621c9a0c01bca610780ef197d544e4",
}

// referenceSameAs names datasets whose reference digest is wrong and which
// hold the same data as a twin in the same file, whose digest is right.
// bitshuffle's regression_0.4.0.h5 stores each /original dataset again
// under /compressed_zstd with bitshuffle 0.4's zstd framing; the reference
// was made with Debian's bitshuffle 0.3.5 plugin, which does not know zstd
// and bit-unshuffled the compressed bytes. (filters' TestBitshuffleZstdCorpus
// checks all 21 such datasets against /original.)
var referenceSameAs = map[string]string{}

func init() {
	const f = "silx-kit-hdf5plugin/src/bitshuffle/tests/data/regression_0.4.0.h5"
	for _, n := range []string{"a1_a", "a2_a", "a6_a", "|S1_b", "|S1_c", "|S2_b", "|S2_c"} {
		referenceSameAs[f+"/compressed_zstd/"+n] = "/original/" + n
	}
}
