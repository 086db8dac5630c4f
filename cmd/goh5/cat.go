package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/stream"
)

func init() {
	register(&command{
		name:    "cat",
		summary: "write a dataset or a selection of it as npy, csv, raw bytes or json",
		usage:   "cat [--slice EXPR] [--field NAME[,NAME...]] --format npy|csv|raw|json [-o OUT] [--stream] [--quiet] FILE PATH",
		run:     runCat,
	})
}

// blockBytes bounds the memory of one read: the selection is read in blocks
// of whole rows (elements of its first dimension) of about this size. A
// single row larger than this is read on its own. Tests lower it.
var blockBytes uint64 = 64 << 20

func runCat(args []string, stdout, stderr io.Writer) error {
	c := commands["cat"]
	fs := newFlags(c, stderr)
	sliceExpr := fs.String("slice", "", "numpy-style selection, e.g. '10:20,::2,5' or '...,0'")
	fieldList := fs.String("field", "", "compound members to read, comma-separated")
	format := fs.String("format", "", "output format: npy, csv, raw or json (default: from -o's extension)")
	out := fs.String("o", "", "write to this file instead of stdout")
	quiet := fs.Bool("quiet", false, "no progress bar (drawn on a terminal when the read exceeds 64 MiB)")
	useStream := fs.Bool("stream", false, "read with the parallel block streamer (package stream); without it, blocks are read one after another")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{"want FILE and PATH"}
	}
	if *format == "" {
		switch ext := strings.ToLower(strings.TrimPrefix(extOf(*out), ".")); ext {
		case "npy", "csv", "json":
			*format = ext
		case "raw", "bin":
			*format = "raw"
		default:
			return &usageError{"missing --format (npy, csv, raw or json)"}
		}
	}
	switch *format {
	case "npy", "csv", "raw", "json":
	default:
		return &usageError{fmt.Sprintf("unknown --format %q (want npy, csv, raw or json)", *format)}
	}
	var sel *hdf5.Selection
	if *sliceExpr != "" {
		if sel, err = hdf5.Slice(*sliceExpr); err != nil {
			return &usageError{err.Error()}
		}
	}
	var fields []string
	if *fieldList != "" {
		for _, n := range strings.Split(*fieldList, ",") {
			fields = append(fields, strings.TrimSpace(n))
		}
	}

	f, err := hdf5.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	ds, err := openDataset(f, pos[1])
	if err != nil {
		return err
	}
	p, err := newPlan(ds, *sliceExpr, sel, fields)
	if err != nil {
		return err
	}

	// Build the sink before creating OUT, so that a refused export leaves
	// no file behind.
	var w io.Writer = stdout
	var bw *bufio.Writer
	var s sink
	switch *format {
	case "npy":
		nt, err := npyTypeOf(p.t, len(fields) > 1)
		if err != nil {
			return err
		}
		s = &npyWriter{t: p.t, nt: nt, shape: p.shape, w: nil}
	case "raw":
		s = &rawWriter{}
	case "csv":
		s = &csvWriter{f: f, t: p.t, shape: p.shape}
	case "json":
		s = &jsonWriter{f: f, t: p.t, shape: p.shape}
	}
	var outFile *os.File
	if *out != "" {
		if outFile, err = os.Create(*out); err != nil {
			return err
		}
		w = outFile
	}
	bw = bufio.NewWriterSize(w, 1<<20)
	switch s := s.(type) {
	case *npyWriter:
		s.w = bw
	case *rawWriter:
		s.w = bw
	case *csvWriter:
		s.w = bw
	case *jsonWriter:
		s.w = bw
	}
	p.prog = startProgress(stderr, *quiet, "cat", p.n*p.es)
	if *useStream && *sliceExpr == "" && len(p.shape) > 0 && len(ds.Shape()) > 0 {
		err = p.exportStream(s)
	} else {
		err = p.export(s)
	}
	p.prog.Done()
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	if outFile != nil {
		if cerr := outFile.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(*out)
		}
	}
	return err
}

func extOf(name string) string {
	if i := strings.LastIndexByte(name, '.'); i >= 0 && !strings.ContainsRune(name[i:], '/') {
		return name[i:]
	}
	return ""
}

// openDataset opens path and checks it is a dataset.
func openDataset(f *hdf5.File, path string) (*hdf5.Dataset, error) {
	o, err := f.Open(path)
	if err != nil {
		return nil, err
	}
	ds, ok := o.(*hdf5.Dataset)
	if !ok {
		return nil, fmt.Errorf("%s is a %s, not a dataset", path, o.Kind())
	}
	return ds, nil
}

// sink receives the selection block by block: rows(buf, n) gets n rows
// (elements of the first result dimension; one element for a 0-d result)
// as Dataset.Read delivers them.
type sink interface {
	begin() error
	rows(buf []byte, n uint64) error
	end() error
}

type rawWriter struct{ w io.Writer }

func (s *rawWriter) begin() error { return nil }
func (s *rawWriter) rows(buf []byte, _ uint64) error {
	_, err := s.w.Write(buf)
	return err
}
func (s *rawWriter) end() error { return nil }

// sliceItem is one comma-separated part of a --slice expression.
type sliceItem struct {
	kind              int // itemIdx, itemSlice, itemEllipsis
	start, stop, step int64
	hasStart, hasStop bool
}

const (
	itemIdx = iota
	itemSlice
	itemEllipsis
)

// parseSliceItems splits an expression hdf5.Slice accepted into its items.
func parseSliceItems(expr string) ([]sliceItem, error) {
	expr = strings.TrimSpace(expr)
	expr = strings.TrimSuffix(strings.TrimPrefix(expr, "["), "]")
	if strings.TrimSpace(expr) == "" {
		return nil, nil
	}
	var items []sliceItem
	for _, part := range strings.Split(expr, ",") {
		p := strings.TrimSpace(part)
		switch {
		case p == "...":
			items = append(items, sliceItem{kind: itemEllipsis})
		case strings.Contains(p, ":"):
			it := sliceItem{kind: itemSlice, step: 1}
			for i, s := range strings.Split(p, ":") {
				s = strings.TrimSpace(s)
				if s == "" {
					continue
				}
				v, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					return nil, err
				}
				switch i {
				case 0:
					it.start, it.hasStart = v, true
				case 1:
					it.stop, it.hasStop = v, true
				case 2:
					it.step = v
				}
			}
			items = append(items, it)
		default:
			v, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, err
			}
			items = append(items, sliceItem{kind: itemIdx, start: v})
		}
	}
	return items, nil
}

// indices resolves a slice item over a dimension of size n as Python's
// slice.indices does, and returns the number of indices it takes.
func (it sliceItem) indices(n int64) (start, step, count int64) {
	step = it.step
	var stop int64
	if step > 0 {
		start, stop = 0, n
	} else {
		start, stop = n-1, -1
	}
	clamp := func(v int64) int64 {
		if v < 0 {
			v += n
		}
		lo, hi := int64(0), n
		if step < 0 {
			lo, hi = -1, n-1
		}
		return max(lo, min(v, hi))
	}
	if it.hasStart {
		start = clamp(it.start)
	}
	if it.hasStop {
		stop = clamp(it.stop)
	}
	if step > 0 && stop > start {
		count = (stop - start + step - 1) / step
	} else if step < 0 && start > stop {
		count = (start - stop - step - 1) / -step
	}
	return start, step, count
}

// plan is a selection of one dataset prepared for reading in row blocks.
type plan struct {
	ds     *hdf5.Dataset
	sel    *hdf5.Selection // the whole selection, fields included
	fields []string
	t      *hdf5.Datatype // one output element
	shape  []uint64       // result shape
	n      uint64         // elements
	es     uint64         // bytes per output element

	// Blocking along result dimension 0: items expanded to the dataset's
	// rank, rowDim the dataset dimension that becomes result dimension 0
	// (-1: read everything at once), start and step its resolved slice.
	items       []sliceItem
	rowDim      int
	start, step int64

	prog *progress // nil: no progress bar
}

func newPlan(ds *hdf5.Dataset, expr string, sel *hdf5.Selection, fields []string) (*plan, error) {
	p := &plan{ds: ds, fields: fields, rowDim: -1}
	p.sel = sel
	if len(fields) > 0 {
		p.sel = sel.Fields(fields...)
	}
	if ds.Dataspace().Kind == spaceNull {
		return nil, fmt.Errorf("%s has a null dataspace: it holds no data", ds.Path())
	}
	shape, n, err := ds.SelectionShape(p.sel)
	if err != nil {
		return nil, err
	}
	total, err := ds.SelectionBytes(p.sel)
	if err != nil {
		return nil, err
	}
	p.shape, p.n = shape, n
	if p.t, err = outType(ds.Datatype(), fields); err != nil {
		return nil, err
	}
	p.es = uint64(p.t.Size)
	if p.es == 0 {
		return nil, fmt.Errorf("hdf5: %s: elements of zero size", ds.Path())
	}
	if n > 0 && total/n != p.es {
		return nil, fmt.Errorf("hdf5: %s: element size %d, read delivers %d", ds.Path(), p.es, total/n)
	}
	if len(shape) == 0 {
		return p, nil
	}
	// Expand the items to one per dataset dimension.
	items, err := parseSliceItems(expr)
	if err != nil {
		return p, nil // hdf5.Slice accepted it; read in one go
	}
	dims := ds.Shape()
	rank := len(dims)
	var expanded []sliceItem
	explicit, ellipses := 0, 0
	for _, it := range items {
		if it.kind == itemEllipsis {
			ellipses++
		} else {
			explicit++
		}
	}
	if ellipses > 1 || explicit > rank {
		return p, nil
	}
	for _, it := range items {
		if it.kind == itemEllipsis {
			for range rank - explicit {
				expanded = append(expanded, sliceItem{kind: itemSlice, step: 1})
			}
			continue
		}
		expanded = append(expanded, it)
	}
	for len(expanded) < rank {
		expanded = append(expanded, sliceItem{kind: itemSlice, step: 1})
	}
	for d, it := range expanded {
		if it.kind == itemSlice {
			start, step, count := it.indices(int64(dims[d]))
			if uint64(count) != shape[0] {
				return p, nil
			}
			p.items, p.rowDim, p.start, p.step = expanded, d, start, step
			return p, nil
		}
	}
	return p, nil
}

// rowSelection selects result rows r0 to r1 (exclusive).
func (p *plan) rowSelection(r0, r1 uint64) *hdf5.Selection {
	items := make([]hdf5.Item, len(p.items))
	for d, it := range p.items {
		switch {
		case d == p.rowDim:
			a := p.start + int64(r0)*p.step
			b := p.start + int64(r1)*p.step
			if b < 0 {
				b = hdf5.Omit // a negative step running through index 0
			}
			items[d] = hdf5.Step(a, b, p.step)
		case it.kind == itemIdx:
			items[d] = hdf5.At(it.start)
		default:
			a, b := it.start, it.stop
			if !it.hasStart {
				a = hdf5.Omit
			}
			if !it.hasStop {
				b = hdf5.Omit
			}
			items[d] = hdf5.Step(a, b, it.step)
		}
	}
	sel := hdf5.Index(items...)
	if len(p.fields) > 0 {
		sel = sel.Fields(p.fields...)
	}
	return sel
}

// exportStream reads the whole dataset through the block streamer: its
// workers read and decode row blocks in parallel, delivered in order, and
// memory stays bounded by the streamer's read-ahead whatever the size.
func (p *plan) exportStream(s sink) error {
	q, err := stream.Open(p.ds, stream.Options{Ordered: true, Remainder: true, Field: p.fields})
	if err != nil {
		return p.export(s)
	}
	defer q.Close()
	if err := s.begin(); err != nil {
		return err
	}
	for blk, err := range q.Blocks(context.Background()) {
		if err != nil {
			return err
		}
		b := blk.Bytes()
		p.prog.Add(uint64(len(b)))
		if err := s.rows(b, uint64(blk.Rows())); err != nil {
			return err
		}
	}
	return s.end()
}

// export reads the selection block by block into s.
func (p *plan) export(s sink) error {
	if err := s.begin(); err != nil {
		return err
	}
	if p.n == 0 {
		return s.end()
	}
	if p.rowDim < 0 || len(p.shape) == 0 {
		buf := make([]byte, p.n*p.es)
		if err := p.ds.Read(p.sel, buf); err != nil {
			return err
		}
		p.prog.Add(uint64(len(buf)))
		rows := uint64(1)
		if len(p.shape) > 0 {
			rows = p.shape[0]
		}
		if err := s.rows(buf, rows); err != nil {
			return err
		}
		return s.end()
	}
	rowBytes := p.es
	for _, d := range p.shape[1:] {
		rowBytes *= d
	}
	per := max(1, blockBytes/rowBytes)
	per = min(per, p.shape[0])
	buf := make([]byte, per*rowBytes)
	for r0 := uint64(0); r0 < p.shape[0]; r0 += per {
		r1 := min(r0+per, p.shape[0])
		sel := p.rowSelection(r0, r1)
		got, _, err := p.ds.SelectionShape(sel)
		if err != nil {
			return err
		}
		if len(got) != len(p.shape) || got[0] != r1-r0 {
			return fmt.Errorf("goh5: internal error: block %d:%d of %s selects shape %v", r0, r1, p.ds.Path(), got)
		}
		b := buf[:(r1-r0)*rowBytes]
		if err := p.ds.Read(sel, b); err != nil {
			return err
		}
		p.prog.Add(uint64(len(b)))
		if err := s.rows(b, r1-r0); err != nil {
			return err
		}
	}
	return s.end()
}

// outType is the type of one element Read delivers for a field choice: the
// dataset's type, the member's type for one field, or a packed compound of
// the members, in the order named, for several.
func outType(t *hdf5.Datatype, fields []string) (*hdf5.Datatype, error) {
	if len(fields) == 0 {
		return t, nil
	}
	if t.Class != hdf5.ClassCompound {
		return nil, fmt.Errorf("hdf5: --field on a %s dataset, not a compound", t.String())
	}
	member := func(name string) (*hdf5.Member, error) {
		for i := range t.Members {
			if t.Members[i].Name == name {
				return &t.Members[i], nil
			}
		}
		return nil, fmt.Errorf("hdf5: compound has no member %q: %w", name, hdf5.ErrNotFound)
	}
	if len(fields) == 1 {
		m, err := member(fields[0])
		if err != nil {
			return nil, err
		}
		return m.Type, nil
	}
	sub := &hdf5.Datatype{Class: hdf5.ClassCompound, Version: t.Version}
	var off uint64
	for _, n := range fields {
		m, err := member(n)
		if err != nil {
			return nil, err
		}
		sub.Members = append(sub.Members, hdf5.Member{Name: n, Offset: uint32(off), Type: m.Type})
		off += uint64(m.Type.Size)
		if off > 1<<31 {
			return nil, fmt.Errorf("hdf5: field selection too large")
		}
	}
	sub.Size = uint32(off)
	return sub, nil
}

// csvWriter is the sink of "cat --format csv": one record per row (element
// of the first dimension; a 0-d selection is one row), the rest of the row's
// elements flattened, compound members and array elements in columns. A
// compound gets a header record of column names.
type csvWriter struct {
	f     *hdf5.File
	t     *hdf5.Datatype
	shape []uint64
	w     io.Writer
	cw    *csv.Writer
	per   uint64 // elements per row
}

func (s *csvWriter) begin() error {
	s.cw = csv.NewWriter(s.w)
	s.per = 1
	if len(s.shape) > 0 {
		for _, d := range s.shape[1:] {
			s.per *= d
		}
	}
	if !isCompoundLike(s.t) {
		return nil
	}
	var one []string
	columnNames(s.t, "", &one, 0)
	if len(one) == 0 {
		return nil
	}
	var header []string
	for j := uint64(0); j < s.per; j++ {
		for _, n := range one {
			if s.per > 1 {
				n = "[" + strconv.FormatUint(j, 10) + "]." + n
			}
			header = append(header, n)
		}
		if uint64(len(header)) > 1<<20 {
			return fmt.Errorf("csv: more than %d columns", 1<<20)
		}
	}
	return s.cw.Write(header)
}

func (s *csvWriter) rows(buf []byte, n uint64) error {
	es := uint64(s.t.Size)
	var rec []string
	for r := uint64(0); r < n; r++ {
		rec = rec[:0]
		for j := uint64(0); j < s.per; j++ {
			off := (r*s.per + j) * es
			v, err := decodeValue(s.f, s.t, buf[off:off+es], true, 0)
			if err != nil {
				return err
			}
			rec = flattenCells(v, rec)
		}
		if len(rec) == 1 && rec[0] == "" {
			// encoding/csv would write an empty line, which readers skip.
			s.cw.Flush()
			if _, err := io.WriteString(s.w, "\"\"\n"); err != nil {
				return err
			}
			continue
		}
		if err := s.cw.Write(rec); err != nil {
			return err
		}
	}
	s.cw.Flush()
	return s.cw.Error()
}

func (s *csvWriter) end() error {
	s.cw.Flush()
	return s.cw.Error()
}

// isCompoundLike reports whether t is a compound or an array of compounds.
func isCompoundLike(t *hdf5.Datatype) bool {
	for depth := 0; t != nil && t.Class == hdf5.ClassArray && depth < 32; depth++ {
		t = t.Base
	}
	return t != nil && t.Class == hdf5.ClassCompound
}

// columnNames lists the CSV columns of one element of t: compound members
// joined with ".", array elements as name[i] with the flat index.
func columnNames(t *hdf5.Datatype, prefix string, out *[]string, depth int) {
	if t == nil || depth > 32 || len(*out) > 1<<20 {
		return
	}
	switch t.Class {
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			name := m.Name
			if prefix != "" {
				name = prefix + "." + m.Name
			}
			columnNames(m.Type, name, out, depth+1)
		}
	case hdf5.ClassArray:
		n := arrayLen(t)
		for i := uint64(0); i < n && len(*out) <= 1<<20; i++ {
			columnNames(t.Base, prefix+"["+strconv.FormatUint(i, 10)+"]", out, depth+1)
		}
	default:
		*out = append(*out, prefix)
	}
}

// flattenCells appends the CSV cells of value v.
func flattenCells(v any, out []string) []string {
	switch v := v.(type) {
	case compoundVal:
		for _, f := range v {
			out = flattenCells(f.v, out)
		}
		return out
	case arrayVal:
		for _, e := range v.elems {
			out = flattenCells(e, out)
		}
		return out
	case vlenVal:
		var b strings.Builder
		writeValue(&b, v, false)
		return append(out, b.String())
	case string:
		return append(out, v)
	}
	var b strings.Builder
	writeValue(&b, v, false)
	return append(out, b.String())
}

// jsonWriter is the sink of "cat --format json": nested lists following the
// selection's shape (one line per row), compounds as objects in member
// order, enums by name, vlen data resolved, NaN and infinities as null.
type jsonWriter struct {
	f     *hdf5.File
	t     *hdf5.Datatype
	shape []uint64
	w     io.Writer
	per   uint64
	first bool
}

func (s *jsonWriter) begin() error {
	s.per, s.first = 1, true
	if len(s.shape) == 0 {
		return nil
	}
	for _, d := range s.shape[1:] {
		s.per *= d
	}
	_, err := io.WriteString(s.w, "[")
	return err
}

func (s *jsonWriter) rows(buf []byte, n uint64) error {
	es := uint64(s.t.Size)
	var b strings.Builder
	for r := uint64(0); r < n; r++ {
		b.Reset()
		vals := make([]any, s.per)
		for j := range vals {
			off := (r*s.per + uint64(j)) * es
			v, err := decodeValue(s.f, s.t, buf[off:off+es], true, 0)
			if err != nil {
				return err
			}
			vals[j] = v
		}
		if len(s.shape) == 0 {
			writeValue(&b, vals[0], true)
			b.WriteString("\n")
		} else {
			if !s.first {
				b.WriteString(",")
			}
			b.WriteString("\n")
			s.first = false
			writeNested(&b, vals, s.shape[1:], true)
		}
		if _, err := io.WriteString(s.w, b.String()); err != nil {
			return err
		}
	}
	return nil
}

func (s *jsonWriter) end() error {
	if len(s.shape) == 0 {
		return nil
	}
	tail := "\n]\n"
	if s.first {
		tail = "]\n"
	}
	_, err := io.WriteString(s.w, tail)
	return err
}

// writeNested writes the flat values as nested lists of the given shape.
func writeNested(b *strings.Builder, vals []any, shape []uint64, asJSON bool) {
	if len(shape) == 0 {
		if len(vals) > 0 {
			writeValue(b, vals[0], asJSON)
		}
		return
	}
	b.WriteByte('[')
	step := uint64(1)
	for _, d := range shape[1:] {
		step *= d
	}
	for i := uint64(0); i < shape[0]; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		lo, hi := i*step, (i+1)*step
		if hi > uint64(len(vals)) {
			break
		}
		writeNested(b, vals[lo:hi], shape[1:], asJSON)
	}
	b.WriteByte(']')
}
