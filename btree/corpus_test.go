package btree

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/goh5/goh5/superblock"
)

// TestCorpusRootGroups walks the root group's v1 B-tree and symbol table
// nodes in every corpus file whose superblock caches them, and compares the
// link names with the ones libhdf5 reported (reference.jsonl).
func TestCorpusRootGroups(t *testing.T) {
	const dir = "../../shared/corpus"
	ref, err := os.ReadFile(filepath.Join(dir, "reference.jsonl"))
	if err != nil {
		t.Skip("corpus absent")
	}
	want := map[string][]string{}
	for _, line := range bytes.Split(ref, []byte("\n")) {
		var rec struct {
			Kind, File, Path string
			Links            []struct{ Name string }
			Storage          string `json:"group_storage"`
		}
		// A root group converted to compact or dense storage (e.g. when an
		// external link was added) keeps a stale cached symbol table in
		// the superblock; only symbol-table roots are compared.
		if json.Unmarshal(line, &rec) != nil || rec.Kind != "group" || rec.Path != "/" || rec.Storage != "symbol_table" {
			continue
		}
		names := []string{}
		for _, l := range rec.Links {
			names = append(names, l.Name)
		}
		want[rec.File] = names
	}
	checked := 0
	for file, names := range want {
		data, err := os.ReadFile(filepath.Join(dir, "files", file))
		if err != nil {
			continue
		}
		sb, err := superblock.Read(bytes.NewReader(data), int64(len(data)))
		if err != nil || sb.Root.CacheType != superblock.CacheSymbolTable {
			continue
		}
		src := sb.Source(bytes.NewReader(data), int64(len(data)))
		var got []string
		for snod, err := range V1GroupNodes(src, sb.Root.BTreeAddr) {
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			ents, err := ReadSymbolNode(src, snod)
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			for _, e := range ents {
				got = append(got, localHeapString(t, src, sb.Root.HeapAddr, e.NameOffset))
			}
		}
		if !sort.StringsAreSorted(got) {
			t.Errorf("%s: names not in order: %q", file, got)
		}
		sort.Strings(names)
		if len(got) != len(names) {
			t.Errorf("%s: %d links, want %d", file, len(got), len(names))
			continue
		}
		for i := range got {
			if got[i] != names[i] {
				t.Errorf("%s: link %d %q, want %q", file, i, got[i], names[i])
			}
		}
		checked++
	}
	t.Logf("%d corpus root groups checked", checked)
}

// TestCorpusV2Trees finds every v2 B-tree header in the corpus files (by
// signature; a header whose checksum verifies is genuine), walks the whole
// tree and checks the record count against the header's total.
func TestCorpusV2Trees(t *testing.T) {
	const dir = "../../shared/corpus/files"
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if len(files) == 0 {
		t.Skip("corpus absent")
	}
	trees, depth2 := 0, 0
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		sb, err := superblock.Read(bytes.NewReader(data), int64(len(data)))
		if err != nil || sb.CheckDriver() != nil {
			continue
		}
		src := sb.Source(bytes.NewReader(data), int64(len(data)))
		for off := 0; ; off++ {
			i := bytes.Index(data[off:], []byte("BTHD"))
			if i < 0 {
				break
			}
			off += i
			addr := uint64(off) - sb.Base
			tr, err := OpenV2(src, addr)
			if err != nil {
				continue
			}
			n := uint64(0)
			for _, err := range tr.Records() {
				if err != nil {
					t.Errorf("%s: tree at %d: %v", p, addr, err)
					break
				}
				n++
			}
			if n != tr.TotalRecords {
				t.Errorf("%s: tree at %d (type %d, depth %d): %d records, header says %d", p, addr, tr.Type, tr.Depth, n, tr.TotalRecords)
			}
			trees++
			if tr.Depth >= 2 {
				depth2++
			}
		}
	}
	t.Logf("%d corpus v2 B-trees walked (%d of depth >= 2)", trees, depth2)
}
