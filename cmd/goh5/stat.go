package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math/bits"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/goh5/goh5/hdf5"
)

func init() {
	register(&command{
		name:    "stat",
		summary: "file and storage report, like h5stat: object and link counts, per-dataset layout, chunks, index, filters and compression ratio",
		usage:   "stat [--json] FILE",
		run:     runStat,
	})
}

// statReport is the whole of "goh5 stat --json".
type statReport struct {
	File              string         `json:"file"`
	FileBytes         int64          `json:"file_bytes"`
	SuperblockVersion int            `json:"superblock_version"`
	OffsetSize        int            `json:"offset_size"`
	LengthSize        int            `json:"length_size"`
	UserBlockBytes    int64          `json:"userblock_bytes"`
	Groups            int            `json:"groups"` // including the root group
	Datasets          int            `json:"datasets"`
	NamedDatatypes    int            `json:"named_datatypes"`
	Attributes        int            `json:"attributes"`
	Links             map[string]int `json:"links"`   // by type: hard, soft, external, user-defined
	Layouts           map[string]int `json:"layouts"` // datasets by layout class
	Filters           map[string]int `json:"filters"` // datasets using each filter
	DatasetList       []statDataset  `json:"dataset_list"`
	StoredBytes       uint64         `json:"stored_bytes"`  // sum of the datasets' storage sizes
	LogicalBytes      uint64         `json:"logical_bytes"` // sum of elements × element size
	Ratio             float64        `json:"ratio,omitempty"`
	Errors            []string       `json:"errors,omitempty"`
}

// statDataset is one dataset's storage.
type statDataset struct {
	Path         string   `json:"path"`
	Shape        []uint64 `json:"shape"` // null for a null dataspace, [] for a scalar
	Dtype        string   `json:"dtype"`
	Layout       string   `json:"layout"`
	ChunkShape   []uint64 `json:"chunk_shape,omitempty"`
	Chunks       int      `json:"chunks"` // stored chunks (chunked layout only)
	ChunkIndex   string   `json:"chunk_index,omitempty"`
	Filters      []string `json:"filters,omitempty"`
	FilterIDs    []uint16 `json:"filter_ids,omitempty"`
	StoredBytes  uint64   `json:"stored_bytes"`
	LogicalBytes uint64   `json:"logical_bytes"`
	// Ratio is LogicalBytes/StoredBytes, absent when nothing is stored.
	Ratio float64 `json:"ratio,omitempty"`
	Error string  `json:"error,omitempty"`
}

func runStat(args []string, stdout, stderr io.Writer) error {
	c := commands["stat"]
	fs := newFlags(c, stderr)
	asJSON := fs.Bool("json", false, "print one JSON object")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"need exactly one FILE"}
	}
	f, err := hdf5.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	r := statFile(f)
	r.File = pos[0]
	if *asJSON {
		b, _ := json.MarshalIndent(r, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	} else {
		printStat(stdout, r)
	}
	if len(r.Errors) > 0 {
		return fmt.Errorf("%d errors while reading the file (first: %s)", len(r.Errors), r.Errors[0])
	}
	return nil
}

// statFile gathers the report. Errors are recorded in the report, not
// returned, so that one bad object does not hide the rest.
func statFile(f *hdf5.File) *statReport {
	sb := f.Superblock()
	r := &statReport{
		FileBytes:         f.Size(),
		SuperblockVersion: f.SuperblockVersion(),
		OffsetSize:        sb.Sizes.Offsets,
		LengthSize:        sb.Sizes.Lengths,
		UserBlockBytes:    sb.SignatureOffset,
		Groups:            1,
		Links:             map[string]int{"hard": 0, "soft": 0, "external": 0, "user-defined": 0},
		Layouts:           map[string]int{},
		Filters:           map[string]int{},
	}
	fail := func(path string, err error) {
		r.Errors = append(r.Errors, path+": "+err.Error())
	}
	countObject := func(path string, o hdf5.Object) {
		for _, err := range o.Attributes() {
			if err != nil {
				fail(path, err)
				break
			}
			r.Attributes++
		}
		if g, ok := o.(*hdf5.Group); ok {
			for l, err := range g.Links() {
				if err != nil {
					fail(path, err)
					break
				}
				r.Links[l.Type.String()]++
			}
		}
	}
	countObject("/", f.Root())
	for e, err := range f.Walk() {
		if err != nil {
			fail(e.Path, err)
			break
		}
		countObject(e.Path, e.Object)
		switch o := e.Object.(type) {
		case *hdf5.Group:
			r.Groups++
		case *hdf5.NamedDatatype:
			r.NamedDatatypes++
		case *hdf5.Dataset:
			r.Datasets++
			d := statOne(e.Path, o)
			if d.Error != "" {
				r.Errors = append(r.Errors, e.Path+": "+d.Error)
			}
			r.Layouts[d.Layout]++
			seen := map[string]bool{}
			for _, fl := range d.Filters {
				if !seen[fl] {
					r.Filters[fl]++
					seen[fl] = true
				}
			}
			r.StoredBytes += d.StoredBytes
			r.LogicalBytes = satAdd(r.LogicalBytes, d.LogicalBytes)
			r.DatasetList = append(r.DatasetList, d)
		}
	}
	r.Ratio = ratio(r.LogicalBytes, r.StoredBytes)
	return r
}

func statOne(path string, d *hdf5.Dataset) (s statDataset) {
	s = statDataset{Path: path, Shape: shapeOf(d.Dataspace()), Dtype: d.Datatype().String(), Layout: d.Layout().String()}
	defer func() {
		if p := recover(); p != nil {
			s.Error = fmt.Sprintf("goh5: internal error (panic): %v", p)
		}
	}()
	for _, fl := range d.Filters() {
		name := fl.Name
		if name == "" {
			name = fmt.Sprintf("filter%d", fl.ID)
		}
		s.Filters = append(s.Filters, name)
		s.FilterIDs = append(s.FilterIDs, fl.ID)
	}
	n := uint64(d.Datatype().Size)
	if s.Shape == nil {
		n = 0
	}
	for _, x := range s.Shape {
		n = satMul(n, x)
	}
	s.LogicalBytes = n
	if d.Layout() == hdf5.LayoutChunked {
		s.ChunkShape = d.ChunkShape()
		s.ChunkIndex = d.ChunkIndexType().String()
		cs, err := d.StoredChunks()
		if err != nil {
			s.Error = err.Error()
			return s
		}
		s.Chunks = len(cs)
	}
	st, err := d.StorageSize()
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.StoredBytes = st
	s.Ratio = ratio(s.LogicalBytes, s.StoredBytes)
	return s
}

// ratio is logical/stored rounded to 3 decimals, 0 when nothing is stored.
func ratio(logical, stored uint64) float64 {
	if stored == 0 {
		return 0
	}
	return float64(int64(float64(logical)/float64(stored)*1000+0.5)) / 1000
}

func satMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	if hi != 0 {
		return ^uint64(0)
	}
	return lo
}

func satAdd(a, b uint64) uint64 {
	s, c := bits.Add64(a, b, 0)
	if c != 0 {
		return ^uint64(0)
	}
	return s
}

func printStat(w io.Writer, r *statReport) {
	fmt.Fprintf(w, "File:        %s (%d bytes)\n", r.File, r.FileBytes)
	fmt.Fprintf(w, "Superblock:  version %d, %d-byte offsets, %d-byte lengths, user block %d bytes\n",
		r.SuperblockVersion, r.OffsetSize, r.LengthSize, r.UserBlockBytes)
	fmt.Fprintf(w, "Objects:     %d groups, %d datasets, %d named datatypes, %d attributes\n",
		r.Groups, r.Datasets, r.NamedDatatypes, r.Attributes)
	fmt.Fprintf(w, "Links:       %d hard, %d soft, %d external, %d user-defined\n",
		r.Links["hard"], r.Links["soft"], r.Links["external"], r.Links["user-defined"])
	fmt.Fprintf(w, "Layouts:     %s\n", countList(r.Layouts, []string{"compact", "contiguous", "chunked", "virtual"}))
	fmt.Fprintf(w, "Filters:     %s\n", countList(r.Filters, nil))
	if len(r.DatasetList) > 0 {
		fmt.Fprintln(w)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprint(tw, "DATASET\tSHAPE\tDTYPE\tLAYOUT\tCHUNKS\tINDEX\tFILTERS\tSTORED\tLOGICAL\tRATIO\t\n")
		for _, d := range r.DatasetList {
			chunks, index := "-", "-"
			if d.Layout == "chunked" {
				chunks, index = fmt.Sprint(d.Chunks), d.ChunkIndex
			}
			filters := strings.Join(d.Filters, "+")
			if filters == "" {
				filters = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t\n",
				d.Path, shapeText(d.Shape), clip(d.Dtype, 32), d.Layout, chunks, index, filters,
				d.StoredBytes, d.LogicalBytes, ratioText(d.Ratio))
		}
		tw.Flush()
		for _, d := range r.DatasetList {
			if d.Error != "" {
				fmt.Fprintf(w, "error: %s: %s\n", d.Path, d.Error)
			}
		}
	}
	fmt.Fprintf(w, "\nTotal:       %d bytes stored, %d bytes logical, ratio %s\n", r.StoredBytes, r.LogicalBytes, ratioText(r.Ratio))
}

func countList(m map[string]int, order []string) string {
	if order == nil {
		for k := range m {
			order = append(order, k)
		}
		sort.Strings(order)
	}
	if len(order) == 0 {
		return "none"
	}
	parts := make([]string, len(order))
	for i, k := range order {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

func shapeText(s []uint64) string {
	if s == nil {
		return "null"
	}
	if len(s) == 0 {
		return "scalar"
	}
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, "x")
}

func ratioText(r float64) string {
	if r == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", r)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
