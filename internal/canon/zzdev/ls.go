package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/goh5/goh5/hdf5"
)

func init() {
	register(&command{
		name:    "ls",
		summary: "list the objects of a file, like h5ls (-r recursive, -v verbose, --json)",
		usage:   "ls [-r] [-v] [--json] FILE [PATH...]",
		run:     runLs,
	})
}

// lsRecord is one line of "goh5 ls --json".
type lsRecord struct {
	Kind       string     `json:"kind"` // group, dataset, datatype or link
	Path       string     `json:"path"`
	Shape      []uint64   `json:"shape"`              // null for a null dataspace, [] for a scalar
	MaxShape   []int64    `json:"maxshape,omitempty"` // -1 is unlimited
	Dtype      string     `json:"dtype,omitempty"`
	Class      string     `json:"class,omitempty"`
	Size       uint32     `json:"size,omitempty"`
	Layout     string     `json:"layout,omitempty"`
	Chunks     []uint64   `json:"chunks,omitempty"`
	ChunkIndex string     `json:"chunk_index,omitempty"`
	Filters    []lsFilter `json:"filters,omitempty"`
	Attrs      []lsAttr   `json:"attrs,omitempty"`
	LinkType   string     `json:"link_type,omitempty"` // soft, external, user-defined
	Target     string     `json:"target,omitempty"`
	Addr       uint64     `json:"addr,omitempty"`
	Error      string     `json:"error,omitempty"`
	Comment    string     `json:"comment,omitempty"`
}

type lsFilter struct {
	ID     uint16   `json:"id"`
	Name   string   `json:"name"`
	Flags  uint16   `json:"flags"`
	Params []uint32 `json:"cd_values"`
}

type lsAttr struct {
	Name  string   `json:"name"`
	Shape []uint64 `json:"shape"`
	Dtype string   `json:"dtype"`
	Class string   `json:"class"`
}

func runLs(args []string, stdout, stderr io.Writer) error {
	c := commands["ls"]
	fs := newFlags(c, stderr)
	recursive := fs.Bool("r", false, "list groups recursively")
	verbose := fs.Bool("v", false, "verbose: attributes, layout, chunks and filters")
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
	paths := pos[1:]
	if len(paths) == 0 {
		paths = []string{"/"}
	}
	failed := false
	for _, p := range paths {
		recs, err := listObjects(f, p, *recursive)
		for _, r := range recs {
			if *asJSON {
				b, _ := json.Marshal(r)
				fmt.Fprintf(stdout, "%s\n", b)
			} else {
				printLsRecord(stdout, r, *verbose)
			}
		}
		if err != nil {
			fmt.Fprintf(stderr, "goh5 ls: %s: %v\n", p, err)
			failed = true
		}
	}
	if failed {
		return fmt.Errorf("some objects could not be listed")
	}
	return nil
}

// listObjects lists the object at path and, if it is a group, its members:
// every object once (as h5py's visititems reaches it) when recursive, else
// the group's direct links. Soft, external and dangling links are listed as
// "link" records.
func listObjects(f *hdf5.File, path string, recursive bool) ([]lsRecord, error) {
	o, err := f.Open(path)
	if err != nil {
		return nil, err
	}
	var out []lsRecord
	out = append(out, describe(o))
	g, ok := o.(*hdf5.Group)
	if !ok {
		return out, nil
	}
	if !recursive {
		for l, err := range g.Links() {
			if err != nil {
				return out, err
			}
			p := joinPath(g.Path(), l.Name)
			if l.Type != hdf5.LinkHard {
				out = append(out, describeLink(p, l))
				continue
			}
			child, err := g.Open(l.Name)
			if err != nil {
				out = append(out, lsRecord{Kind: "unknown", Path: p, Error: err.Error()})
				continue
			}
			out = append(out, describe(child))
		}
		return out, nil
	}
	// Non-hard links of the start group, then the walk (which lists links
	// of each group it enters).
	out = append(out, nonHardLinks(g)...)
	for e, err := range g.Walk() {
		if err != nil {
			return out, err
		}
		out = append(out, describe(e.Object))
		if sub, ok := e.Object.(*hdf5.Group); ok {
			out = append(out, nonHardLinks(sub)...)
		}
	}
	return out, nil
}

func nonHardLinks(g *hdf5.Group) []lsRecord {
	var out []lsRecord
	for l, err := range g.Links() {
		if err != nil {
			return append(out, lsRecord{Kind: "unknown", Path: g.Path(), Error: err.Error()})
		}
		if l.Type != hdf5.LinkHard {
			out = append(out, describeLink(joinPath(g.Path(), l.Name), l))
		}
	}
	return out
}

func joinPath(dir, name string) string {
	if dir == "/" {
		return "/" + name
	}
	return dir + "/" + name
}

func describeLink(path string, l *hdf5.Link) lsRecord {
	r := lsRecord{Kind: "link", Path: path, LinkType: l.Type.String()}
	switch l.Type {
	case hdf5.LinkSoft:
		r.Target = l.Target
	case hdf5.LinkExternal:
		r.Target = l.ExtFile + "//" + strings.TrimPrefix(l.ExtPath, "/")
	}
	return r
}

func shapeOf(s *hdf5.Dataspace) []uint64 {
	if s.Kind == 2 { // null dataspace
		return nil
	}
	if s.Dims == nil {
		return []uint64{}
	}
	return s.Dims
}

func describe(o hdf5.Object) lsRecord {
	r := lsRecord{Kind: o.Kind().String(), Path: o.Path(), Addr: o.Addr(), Comment: o.Comment()}
	switch o := o.(type) {
	case *hdf5.Dataset:
		r.Shape = shapeOf(o.Dataspace())
		if o.Dataspace().MaxDims != nil {
			for _, m := range o.MaxShape() {
				if m == hdf5.Unlimited {
					r.MaxShape = append(r.MaxShape, -1)
				} else {
					r.MaxShape = append(r.MaxShape, int64(m))
				}
			}
		}
		dt := o.Datatype()
		r.Dtype, r.Class, r.Size = dt.String(), className(dt.Class), dt.Size
		r.Layout = o.Layout().String()
		r.Chunks = o.ChunkShape()
		if idx := o.ChunkIndexType(); idx != hdf5.IndexNone {
			r.ChunkIndex = idx.String()
		}
		for _, fl := range o.Filters() {
			r.Filters = append(r.Filters, lsFilter{ID: fl.ID, Name: fl.Name, Flags: fl.Flags, Params: fl.Params})
		}
	case *hdf5.NamedDatatype:
		dt := o.Datatype()
		r.Dtype, r.Class, r.Size = dt.String(), className(dt.Class), dt.Size
	}
	for a, err := range o.Attributes() {
		if err != nil {
			r.Error = err.Error()
			break
		}
		r.Attrs = append(r.Attrs, lsAttr{Name: a.Name, Shape: shapeOf(a.Dataspace()), Dtype: a.Datatype().String(), Class: className(a.Datatype().Class)})
	}
	return r
}

// className gives the class names h5py's h5type reports (INTEGER, FLOAT, ...).
func className(c hdf5.Class) string {
	switch c {
	case hdf5.ClassInteger:
		return "INTEGER"
	case hdf5.ClassFloat:
		return "FLOAT"
	case hdf5.ClassTime:
		return "TIME"
	case hdf5.ClassString:
		return "STRING"
	case hdf5.ClassBitfield:
		return "BITFIELD"
	case hdf5.ClassOpaque:
		return "OPAQUE"
	case hdf5.ClassCompound:
		return "COMPOUND"
	case hdf5.ClassReference:
		return "REFERENCE"
	case hdf5.ClassEnum:
		return "ENUM"
	case hdf5.ClassVlen:
		return "VLEN"
	case hdf5.ClassArray:
		return "ARRAY"
	}
	return "UNKNOWN"
}

func printLsRecord(w io.Writer, r lsRecord, verbose bool) {
	switch r.Kind {
	case "group":
		fmt.Fprintf(w, "%-40s Group\n", r.Path)
	case "dataset":
		fmt.Fprintf(w, "%-40s Dataset %s %s\n", r.Path, fmtShape(r.Shape, r.MaxShape), r.Dtype)
		if verbose {
			fmt.Fprintf(w, "    Layout:   %s", r.Layout)
			if r.Chunks != nil {
				fmt.Fprintf(w, " chunks %s, index %s", fmtShape(r.Chunks, nil), r.ChunkIndex)
			}
			fmt.Fprintln(w)
			for _, fl := range r.Filters {
				fmt.Fprintf(w, "    Filter:   %s (%d) flags=%d params=%v\n", fl.Name, fl.ID, fl.Flags, fl.Params)
			}
		}
	case "datatype":
		fmt.Fprintf(w, "%-40s Type %s\n", r.Path, r.Dtype)
	case "link":
		fmt.Fprintf(w, "%-40s %s link -> %s\n", r.Path, capitalize(r.LinkType), r.Target)
	default:
		fmt.Fprintf(w, "%-40s %s\n", r.Path, r.Kind)
	}
	if verbose {
		if r.Comment != "" {
			fmt.Fprintf(w, "    Comment:  %q\n", r.Comment)
		}
		for _, a := range r.Attrs {
			fmt.Fprintf(w, "    Attribute: %s %s %s\n", a.Name, fmtShape(a.Shape, nil), a.Dtype)
		}
	}
	if r.Error != "" {
		fmt.Fprintf(w, "    Error:    %s\n", r.Error)
	}
}

func fmtShape(s []uint64, max []int64) string {
	if s == nil {
		return "{null}"
	}
	if len(s) == 0 {
		return "{scalar}"
	}
	var b strings.Builder
	b.WriteString("{")
	for i, d := range s {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d", d)
		if max != nil && i < len(max) && max[i] != int64(d) {
			if max[i] < 0 {
				b.WriteString("/Inf")
			} else {
				fmt.Fprintf(&b, "/%d", max[i])
			}
		}
	}
	b.WriteString("}")
	return b.String()
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
