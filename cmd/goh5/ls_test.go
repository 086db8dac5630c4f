package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/goh5/goh5/hdf5"
)

// TestLsFixtures checks that "goh5 ls -r" lists exactly the objects, kinds,
// shapes, datatype classes and sizes, and attribute names that h5py's
// visititems and attrs reported for every fixture.
func TestLsFixtures(t *testing.T) { checkLs(t, fixtureRefs(t)) }

// TestLsCorpus does the same over ../shared/corpus.
func TestLsCorpus(t *testing.T) { checkLs(t, corpusRefs(t)) }

func checkLs(t *testing.T, rs *refSet) {
	pass := 0
	for _, name := range rs.files {
		recs := rs.recs[name]
		if recs[0].Kind == "file" && recs[0].OpenError != "" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			problems := compareLs(filepath.Join(rs.dir, name), recs)
			for _, p := range problems {
				t.Error(p)
			}
			if len(problems) == 0 {
				pass++
			}
		})
	}
	t.Logf("%d of %d files list exactly as h5py reports", pass, len(rs.files))
}

// compareLs runs the ls listing over one file and returns every difference
// from the reference records.
func compareLs(path string, recs []refRecord) []string {
	f, err := hdf5.Open(path)
	if err != nil {
		var ue *hdf5.UnsupportedError
		if errors.As(err, &ue) {
			return []string{fmt.Sprintf("unsupported: %v", err)}
		}
		return []string{fmt.Sprintf("open: %v", err)}
	}
	defer f.Close()
	got, err := listObjects(f, "/", true)
	var problems []string
	if err != nil {
		problems = append(problems, fmt.Sprintf("walk: %v", err))
	}
	objs := map[string]lsRecord{}
	for _, r := range got {
		if r.Kind == "link" {
			continue
		}
		if r.Error != "" {
			problems = append(problems, fmt.Sprintf("%s: %s", r.Path, r.Error))
		}
		objs[r.Path] = r
	}
	want := map[string]bool{}
	attrs := map[string][]string{}
	for _, r := range recs {
		switch r.Kind {
		case "group", "dataset", "datatype":
			want[r.Path] = true
			g, ok := objs[r.Path]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s %s: not listed", r.Kind, r.Path))
				continue
			}
			if g.Kind != r.Kind {
				problems = append(problems, fmt.Sprintf("%s: kind %s, h5py says %s", r.Path, g.Kind, r.Kind))
			}
			if r.Kind == "dataset" {
				if p := compareShape(r.Shape, g.Shape); p != "" {
					if g.Layout == "virtual" {
						// The extent of a virtual dataset with unlimited
						// mappings comes from its source files.
						p = "unsupported: virtual dataset extent: " + p
					}
					problems = append(problems, r.Path+": "+p)
				}
			}
			if r.Kind != "group" {
				if p := compareType(r.H5Type, g.Class, g.Size); p != "" {
					problems = append(problems, r.Path+": "+p)
				}
			}
		case "attribute":
			attrs[r.Path] = append(attrs[r.Path], r.Name)
		}
	}
	for p, r := range objs {
		if !want[p] {
			problems = append(problems, fmt.Sprintf("%s %s: listed, but h5py does not report it", r.Kind, p))
		}
	}
	for p, names := range attrs {
		g, ok := objs[p]
		if !ok {
			continue
		}
		var have []string
		for _, a := range g.Attrs {
			have = append(have, a.Name)
		}
		sort.Strings(names)
		sort.Strings(have)
		if !slices.Equal(names, have) {
			problems = append(problems, fmt.Sprintf("%s: attributes %q, h5py says %q", p, have, names))
		}
	}
	for p, g := range objs {
		if len(g.Attrs) > 0 && attrs[p] == nil && want[p] {
			problems = append(problems, fmt.Sprintf("%s: %d attributes listed, h5py reports none", p, len(g.Attrs)))
		}
	}
	sort.Strings(problems)
	return problems
}

func compareShape(want *[]uint64, got []uint64) string {
	if want == nil {
		if got != nil {
			return fmt.Sprintf("shape %v, h5py says null dataspace", got)
		}
		return ""
	}
	if got == nil || !slices.Equal(*want, got) {
		return fmt.Sprintf("shape %v, h5py says %v", got, *want)
	}
	return ""
}

// compareType checks the class and size of a datatype against h5py's
// h5type. libhdf5 reports a variable-length string as class STRING.
func compareType(raw json.RawMessage, class string, size uint32) string {
	if len(raw) == 0 {
		return ""
	}
	var rt refType
	if err := json.Unmarshal(raw, &rt); err != nil {
		return err.Error()
	}
	if rt.Class == "STRING" && rt.Variable {
		if class != "VLEN" {
			return fmt.Sprintf("class %s, h5py says variable-length STRING", class)
		}
		return ""
	}
	if !strings.EqualFold(rt.Class, class) {
		return fmt.Sprintf("class %s, h5py says %s", class, rt.Class)
	}
	// h5py reports the in-memory size (H5Dget_type sets the memory
	// location), which differs from the stored size for anything holding
	// variable-length data.
	if !bytes.Contains(raw, []byte(`"VLEN"`)) && !bytes.Contains(raw, []byte(`"variable":true`)) && rt.Size != size {
		return fmt.Sprintf("size %d, h5py says %d", size, rt.Size)
	}
	return ""
}
