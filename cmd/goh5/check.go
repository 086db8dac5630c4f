package main

import (
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/hdf5"
)

func init() {
	register(&command{
		name:    "check",
		summary: "walk and read the whole file, reporting every problem with its address, like h5check (--strict: warnings fail too)",
		usage:   "check [--strict] [--skip-checksums] FILE",
		run:     runCheck,
	})
}

// checkBlockBytes bounds one read of a dataset: datasets are read in blocks
// of whole rows (along the first dimension) of at most this many bytes.
const checkBlockBytes = 16 << 20

// A problem is one finding of goh5 check.
//
// What counts as clean: goh5 check reports an error for everything that
// shows the file is damaged or does not follow the format: a structure that
// does not decode, a bad checksum, data that lies beyond the end of the
// file, a chunk that does not decode, a hard link to nothing, a cycle, a
// resource limit hit. It reports a warning for what is valid HDF5 but cannot
// be checked or resolved here: a feature goh5 does not support (an unknown
// filter, a virtual dataset layout, ...), and soft or external links whose
// target does not exist, which HDF5 allows by design. Warnings do not change
// the exit status unless --strict is given.
type problem struct {
	warning bool
	addr    uint64
	hasAddr bool
	path    string
	err     error
}

func (p problem) String() string {
	kind := "error"
	if p.warning {
		kind = "warning"
	}
	at := "address unknown"
	if p.hasAddr {
		at = fmt.Sprintf("0x%x", p.addr)
	}
	return fmt.Sprintf("%s at %s (%s): %v", kind, at, p.path, p.err)
}

// checker walks one file and collects problems.
type checker struct {
	f        *hdf5.File
	problems []problem
	visited  map[uint64]bool
	objects  int
	datasets int
	attrs    int
	links    int
}

// report records err met at path; fallback is the address to report when
// the error carries none (the object being checked).
func (c *checker) report(path string, fallback uint64, hasFallback bool, err error, warning bool) {
	p := problem{warning: warning, path: path, err: err, addr: fallback, hasAddr: hasFallback}
	var fe *hdf5.FormatError
	var ue *hdf5.UnsupportedError
	var le *hdf5.LimitError
	switch {
	case errors.As(err, &fe):
		p.addr, p.hasAddr = fe.Addr, true
	case errors.As(err, &le):
		p.addr, p.hasAddr = le.Addr, true
	}
	var fu *filters.UnsupportedError
	if errors.As(err, &fu) {
		p.warning = true
	}
	if errors.As(err, &ue) {
		p.warning = true
		if ue.HasAddr {
			p.addr, p.hasAddr = ue.Addr, true
		}
	}
	c.problems = append(c.problems, p)
}

func runCheck(args []string, stdout, stderr io.Writer) error {
	c := &command{name: "check", usage: "check [--strict] [--skip-checksums] FILE"}
	fs := newFlags(c, stderr)
	strict := fs.Bool("strict", false, "count warnings (unsupported features, dangling soft and external links) as problems")
	skip := fs.Bool("skip-checksums", false, "do not verify checksums (salvage mode)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"expected one FILE"}
	}
	opts := []hdf5.Option{}
	if *skip {
		opts = append(opts, hdf5.WithChecksums(hdf5.Skip))
	}
	ck := &checker{visited: map[uint64]bool{}}
	f, err := hdf5.Open(pos[0], opts...)
	if err != nil {
		ck.report("/", 0, true, err, false)
	} else {
		defer f.Close()
		ck.f = f
		root := f.Root()
		ck.visited[root.Addr()] = true
		ck.object(root)
	}
	sort.SliceStable(ck.problems, func(i, j int) bool { return ck.problems[i].addr < ck.problems[j].addr })
	var nerr, nwarn int
	for _, p := range ck.problems {
		fmt.Fprintln(stdout, p)
		if p.warning {
			nwarn++
		} else {
			nerr++
		}
	}
	fmt.Fprintf(stdout, "%s: %d objects, %d datasets, %d attributes, %d links checked: %d errors, %d warnings\n",
		pos[0], ck.objects, ck.datasets, ck.attrs, ck.links, nerr, nwarn)
	if nerr > 0 || (*strict && nwarn > 0) {
		return errCheckFailed
	}
	if nerr == 0 && nwarn == 0 {
		fmt.Fprintln(stdout, "No non-compliance errors found")
	}
	return nil
}

// errCheckFailed makes goh5 exit with status 1 after the report.
var errCheckFailed = errors.New("problems found")

// object checks one object: its attributes, then its data or its links.
func (c *checker) object(o hdf5.Object) {
	c.objects++
	for a, err := range o.Attributes() {
		if err != nil {
			c.report(o.Path(), o.Addr(), true, fmt.Errorf("attributes: %w", err), false)
			break
		}
		c.attrs++
		if t := a.Datatype(); t != nil && (t.Class == 3 || (t.Class == 9 && t.VlenString)) {
			if _, err := a.ReadStrings(); err != nil {
				c.report(o.Path(), o.Addr(), true, fmt.Errorf("attribute %q: %w", a.Name, err), false)
			}
		}
	}
	switch o := o.(type) {
	case *hdf5.Dataset:
		c.dataset(o)
	case *hdf5.Group:
		c.group(o)
	}
}

func (c *checker) group(g *hdf5.Group) {
	var links []*hdf5.Link
	for l, err := range g.Links() {
		if err != nil {
			c.report(g.Path(), g.Addr(), true, fmt.Errorf("links: %w", err), false)
			break
		}
		links = append(links, l)
	}
	for _, l := range links {
		c.links++
		path := joinCheckPath(g.Path(), l.Name)
		switch l.Type {
		case hdf5.LinkHard:
			if c.visited[l.Addr] {
				continue
			}
			c.visited[l.Addr] = true
			o, err := g.Open(l.Name)
			if err != nil {
				c.report(path, l.Addr, true, fmt.Errorf("hard link: %w", err), false)
				continue
			}
			c.object(o)
		case hdf5.LinkSoft, hdf5.LinkExternal:
			// A soft or external link may dangle by design; one that leads
			// to a damaged object is an error, found when that object is
			// checked under its own hard link (soft) or in its own file.
			if _, err := g.Open(l.Name); err != nil {
				what := fmt.Sprintf("soft link -> %s", l.Target)
				if l.Type == hdf5.LinkExternal {
					what = fmt.Sprintf("external link -> %s:%s", l.ExtFile, l.ExtPath)
				}
				warn := errors.Is(err, hdf5.ErrNotFound) || l.Type == hdf5.LinkExternal
				c.report(path, g.Addr(), true, fmt.Errorf("%s: %w", what, err), warn)
			}
		default:
			c.report(path, g.Addr(), true, fmt.Errorf("user-defined link type not checked"), true)
		}
	}
}

// dataset reads the whole dataset, in blocks of whole rows.
func (c *checker) dataset(d *hdf5.Dataset) {
	c.datasets++
	if _, err := d.SelectionBytes(nil); err != nil {
		c.report(d.Path(), d.Addr(), true, err, false)
		return
	}
	shape := d.Shape()
	es := uint64(d.Datatype().Size)
	strs := d.Datatype().Class == 9 && d.Datatype().VlenString
	read := func(sel *hdf5.Selection) bool {
		n, err := d.SelectionBytes(sel)
		if err == nil {
			buf := make([]byte, n)
			err = d.Read(sel, buf)
		}
		if err == nil && strs {
			_, err = d.ReadStrings(sel)
		}
		if err != nil {
			c.report(d.Path(), d.Addr(), true, fmt.Errorf("read: %w", err), false)
			return false
		}
		return true
	}
	if len(shape) == 0 || shape[0] == 0 {
		read(nil)
		return
	}
	if d.Layout() == hdf5.LayoutChunked {
		// Read each stored chunk once; unallocated chunks hold only the fill
		// value, and a huge sparse dataset would take forever to read.
		chunks, err := d.StoredChunks()
		if err != nil {
			c.report(d.Path(), d.Addr(), true, fmt.Errorf("chunk index: %w", err), false)
			return
		}
		cs := d.ChunkShape()
		for _, ch := range chunks {
			if len(ch.Offset) != len(shape) || len(cs) < len(shape) {
				break
			}
			count := make([]uint64, len(shape))
			for i := range shape {
				count[i] = min(cs[i], shape[i]-min(ch.Offset[i], shape[i]))
			}
			if !read(hdf5.Hyperslab(ch.Offset, nil, count, nil)) {
				return
			}
		}
		return
	}
	row := es
	for _, n := range shape[1:] {
		row *= max(n, 1)
		if row > checkBlockBytes {
			break
		}
	}
	rows := max(checkBlockBytes/max(row, 1), 1)
	blocks := (shape[0] + rows - 1) / rows
	// Contiguous data much larger than the file cannot be stored in it: it
	// is unallocated and reads as fill. Read the first and the last block,
	// which catches data cut off by a truncated file, and skip the rest.
	sparse := blocks > 2 && shape[0] > 4*uint64(c.f.Size())/max(row, 1)
	for b := uint64(0); b < blocks; b++ {
		if sparse && b != 0 && b != blocks-1 {
			continue
		}
		r := b * rows
		start := make([]uint64, len(shape))
		count := append([]uint64(nil), shape...)
		start[0] = r
		count[0] = min(rows, shape[0]-r)
		if !read(hdf5.Hyperslab(start, nil, count, nil)) {
			return // one report per dataset
		}
	}
}

func joinCheckPath(dir, name string) string {
	if dir == "/" || dir == "" {
		return "/" + name
	}
	return dir + "/" + name
}
