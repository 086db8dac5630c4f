package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/canon"
)

func init() {
	register(&command{
		name:    "sum",
		summary: "digest every dataset and attribute as the corpus contract defines (--json: one record per line)",
		usage:   "sum [--json] FILE [PATH...]",
		run:     runSum,
	})
}

// sumRecord is one line of "goh5 sum --json" (the contract of
// /work/shared/corpus/README.md).
type sumRecord struct {
	Kind            string          `json:"kind"` // dataset or attribute
	Path            string          `json:"path"`
	Name            *string         `json:"name,omitempty"`  // attributes only
	Shape           json.RawMessage `json:"shape,omitempty"` // null for a null dataspace; absent when unknown
	DigestMethod    string          `json:"digest_method,omitempty"`
	SHA256          string          `json:"sha256,omitempty"`
	PrefixSelection [][2]uint64     `json:"prefix_selection,omitempty"`
	JSONSkipped     string          `json:"json_skipped,omitempty"`
	Error           string          `json:"error,omitempty"`
}

func runSum(args []string, stdout, stderr io.Writer) error {
	c := commands["sum"]
	fs := newFlags(c, stderr)
	asJSON := fs.Bool("json", false, "one JSON object per line")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 {
		return &usageError{"missing FILE"}
	}
	f, err := hdf5.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	for _, p := range pos[1:] {
		if _, err := f.Open(p); err != nil {
			return err
		}
	}
	failed := 0
	if !*asJSON {
		fmt.Fprintf(stdout, "%-40s %-16s %-14s %-15s %s\n", "PATH", "NAME", "SHAPE", "METHOD", "SHA256")
	}
	sumRecords(context.Background(), f, pos[1:], func(r sumRecord) {
		if r.Error != "" {
			failed++
		}
		if *asJSON {
			fmt.Fprintf(stdout, "%s\n", marshalSum(r))
			return
		}
		printSumRecord(stdout, r)
	})
	if failed > 0 {
		return fmt.Errorf("%d objects could not be digested", failed)
	}
	return nil
}

// marshalSum encodes r without HTML escaping.
func marshalSum(r sumRecord) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(r)
	return bytes.TrimRight(b.Bytes(), "\n")
}

func printSumRecord(w io.Writer, r sumRecord) {
	name := ""
	if r.Name != nil {
		name = *r.Name
	}
	shape := string(r.Shape)
	last := r.SHA256
	if len(last) > 16 {
		last = last[:16]
	}
	switch {
	case r.Error != "":
		last = "error: " + r.Error
	case r.JSONSkipped != "":
		last = "no digest: " + r.JSONSkipped
	case r.PrefixSelection != nil:
		last += " (prefix)"
	}
	fmt.Fprintf(w, "%-40s %-16s %-14s %-15s %s\n", r.Path, name, shape, r.DigestMethod, last)
}

// sumRecords emits the records of every dataset and attribute in h5py's
// visititems order: the root group's attributes (path "/"), then each
// object's record followed by its attributes. With paths, only objects at
// or under one of them are emitted.
func sumRecords(ctx context.Context, f *hdf5.File, paths []string, emit func(sumRecord)) {
	want := func(p string) bool {
		if len(paths) == 0 {
			return true
		}
		for _, q := range paths {
			q = "/" + strings.Trim(q, "/")
			if q == "/" || p == q || strings.HasPrefix(p, q+"/") {
				return true
			}
		}
		return false
	}
	if want("/") {
		attrRecords(f, f.Root(), "/", emit)
	}
	for e, err := range f.Walk() {
		if err != nil {
			if want(e.Path) {
				emit(sumRecord{Kind: "object", Path: e.Path, Error: err.Error()})
			}
			return
		}
		if !want(e.Path) {
			continue
		}
		if d, ok := e.Object.(*hdf5.Dataset); ok {
			emit(datasetRecord(ctx, d, e.Path))
		}
		attrRecords(f, e.Object, e.Path, emit)
	}
}

func datasetRecord(ctx context.Context, d *hdf5.Dataset, path string) (r sumRecord) {
	r = sumRecord{Kind: "dataset", Path: path, Shape: shapeJSON(d.Dataspace())}
	defer func() {
		if p := recover(); p != nil {
			r = sumRecord{Kind: "dataset", Path: path, Error: fmt.Sprintf("goh5: internal error (panic): %v", p)}
		}
	}()
	dg, err := canon.DigestDataset(ctx, d)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	fill(&r, dg)
	return r
}

func attrRecords(f *hdf5.File, o hdf5.Object, path string, emit func(sumRecord)) {
	for a, err := range o.Attributes() {
		if err != nil {
			emit(sumRecord{Kind: "attribute", Path: path, Error: err.Error()})
			return
		}
		emit(attrRecord(f, a, path))
	}
}

func attrRecord(f *hdf5.File, a *hdf5.Attribute, path string) (r sumRecord) {
	name := a.Name
	r = sumRecord{Kind: "attribute", Path: path, Name: &name, Shape: shapeJSON(a.Dataspace())}
	defer func() {
		if p := recover(); p != nil {
			r = sumRecord{Kind: "attribute", Path: path, Name: &name, Error: fmt.Sprintf("goh5: internal error (panic): %v", p)}
		}
	}()
	dg, err := canon.DigestAttribute(f, a)
	if err != nil {
		r.Error = err.Error()
		return r
	}
	fill(&r, dg)
	return r
}

func fill(r *sumRecord, dg *canon.Digest) {
	r.DigestMethod = dg.Method
	r.SHA256 = dg.SHA256
	r.PrefixSelection = dg.Prefix
	r.JSONSkipped = dg.Skipped
}

func shapeJSON(s *hdf5.Dataspace) json.RawMessage {
	sh := shapeOf(s)
	if sh == nil {
		return json.RawMessage("null")
	}
	b, _ := json.Marshal(sh)
	return b
}
