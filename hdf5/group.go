package hdf5

import (
	"fmt"
	"iter"
	"os"
	"path/filepath"
	"strings"

	"github.com/goh5/goh5/internal/binfmt"
)

// Group is an HDF5 group: a set of named links to objects.
type Group struct {
	obj
}

// Kind returns KindGroup.
func (g *Group) Kind() ObjectKind { return KindGroup }

// Open returns the object at path, which is relative to g unless it starts
// with "/". Components "." are skipped and repeated slashes ignored, as in
// libhdf5; ".." has no special meaning there, so it names a link called "..".
// Soft and external links are followed up to the file's link-depth limit.
func (g *Group) Open(path string) (Object, error) {
	depth := 0
	return g.f.lookup(g, path, &depth)
}

// Group opens the group at path (see Open).
func (g *Group) Group(path string) (*Group, error) {
	o, err := g.Open(path)
	if err != nil {
		return nil, err
	}
	gg, ok := o.(*Group)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is a %s, not a group", o.Path(), o.Kind())
	}
	return gg, nil
}

// Dataset opens the dataset at path (see Open).
func (g *Group) Dataset(path string) (*Dataset, error) {
	o, err := g.Open(path)
	if err != nil {
		return nil, err
	}
	d, ok := o.(*Dataset)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is a %s, not a dataset", o.Path(), o.Kind())
	}
	return d, nil
}

// Open returns the object at an absolute path (a leading "/" is optional).
func (f *File) Open(path string) (Object, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return f.Root().Open(path)
}

// Group opens the group at path.
func (f *File) Group(path string) (*Group, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return f.Root().Group(path)
}

// Dataset opens the dataset at path.
func (f *File) Dataset(path string) (*Dataset, error) {
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	return f.Root().Dataset(path)
}

func joinPath(dir, name string) string {
	if dir == "/" || dir == "" {
		return "/" + name
	}
	return dir + "/" + name
}

// lookup resolves path from group g, following soft and external links.
// depth counts the links followed so far, across nested lookups.
func (f *File) lookup(g *Group, path string, depth *int) (Object, error) {
	cur := g
	if strings.HasPrefix(path, "/") {
		cur = f.Root()
	}
	parts := strings.Split(path, "/")
	var comps []string
	for _, p := range parts {
		if p != "" && p != "." {
			comps = append(comps, p)
		}
	}
	if len(comps) == 0 {
		return cur, nil
	}
	var o Object = cur
	for i, name := range comps {
		grp, ok := o.(*Group)
		if !ok {
			return nil, fmt.Errorf("hdf5: %s is a %s, not a group: %w", o.Path(), o.Kind(), ErrNotFound)
		}
		l, err := grp.Link(name)
		if err != nil {
			return nil, err
		}
		next, err := f.follow(grp, l, depth)
		if err != nil {
			return nil, err
		}
		o = next
		_ = i
	}
	return o, nil
}

// follow returns the object a link points at.
func (f *File) follow(parent *Group, l *Link, depth *int) (Object, error) {
	path := joinPath(parent.path, l.Name)
	switch l.Type {
	case LinkHard:
		return f.objectAt(l.Addr, path)
	case LinkSoft:
		*depth++
		if *depth > f.opts.maxLinkDepth {
			return nil, &binfmt.LimitError{Name: "MaxLinkDepth", Limit: int64(f.opts.maxLinkDepth)}
		}
		o, err := f.lookup(parent, l.Target, depth)
		if err != nil {
			return nil, fmt.Errorf("hdf5: soft link %s -> %s: %w", path, l.Target, err)
		}
		return o, nil
	case LinkExternal:
		*depth++
		if *depth > f.opts.maxLinkDepth {
			return nil, &binfmt.LimitError{Name: "MaxLinkDepth", Limit: int64(f.opts.maxLinkDepth)}
		}
		ef, err := f.externalFile(l.ExtFile)
		if err != nil {
			return nil, fmt.Errorf("hdf5: external link %s -> %s:%s: %w", path, l.ExtFile, l.ExtPath, err)
		}
		o, err := ef.lookup(ef.Root(), l.ExtPath, depth)
		if err != nil {
			return nil, fmt.Errorf("hdf5: external link %s -> %s:%s: %w", path, l.ExtFile, l.ExtPath, err)
		}
		return o, nil
	}
	return nil, &binfmt.UnsupportedError{Feature: fmt.Sprintf("user-defined link type at %s", path)}
}

// externalFile opens the target of an external link the way libhdf5 finds
// it: the name as given when absolute, else relative to this file's
// directory, else relative to the current directory. Opened files are kept
// until f is closed.
func (f *File) externalFile(name string) (*File, error) {
	f.mu.Lock()
	ef, ok := f.extFiles[name]
	f.mu.Unlock()
	if ok {
		return ef, nil
	}
	cands := []string{name}
	if !filepath.IsAbs(name) {
		cands = []string{filepath.Join(f.dir, name), name}
	}
	var lastErr error
	for _, c := range cands {
		if _, err := os.Stat(c); err != nil {
			lastErr = err
			continue
		}
		// The same limits; the target's own directory for its links.
		opts := []Option{func(o *options) error { *o = f.opts; o.dir, o.dirSet = "", false; return nil }}
		ef, err := Open(c, opts...)
		if err != nil {
			return nil, err
		}
		f.mu.Lock()
		if prev, ok := f.extFiles[name]; ok {
			f.mu.Unlock()
			ef.Close()
			return prev, nil
		}
		f.extFiles[name] = ef
		f.mu.Unlock()
		return ef, nil
	}
	return nil, fmt.Errorf("hdf5: cannot open external file %q: %w", name, lastErr)
}

// Entry is one object met by a walk.
type Entry struct {
	Path   string
	Object Object
}

// Walk visits every object reachable from g through hard links, depth first
// and in name order, each object once under the first path that reaches it.
// It matches libhdf5's H5Ovisit (and so h5py's visititems); g itself is not
// yielded. Soft and external links are not followed. An error is yielded
// once and ends the walk.
func (g *Group) Walk() iter.Seq2[Entry, error] {
	return func(yield func(Entry, error) bool) {
		visited := map[uint64]bool{g.addr: true}
		g.walk(visited, yield)
	}
}

func (g *Group) walk(visited map[uint64]bool, yield func(Entry, error) bool) bool {
	for l, err := range g.Links() {
		if err != nil {
			yield(Entry{}, err)
			return false
		}
		if l.Type != LinkHard || visited[l.Addr] {
			continue
		}
		visited[l.Addr] = true
		o, err := g.f.objectAt(l.Addr, joinPath(g.path, l.Name))
		if err != nil {
			yield(Entry{Path: joinPath(g.path, l.Name)}, err)
			return false
		}
		if !yield(Entry{Path: o.Path(), Object: o}, nil) {
			return false
		}
		if sub, ok := o.(*Group); ok {
			if !sub.walk(visited, yield) {
				return false
			}
		}
	}
	return true
}

// Walk walks the whole file from the root group (see Group.Walk).
func (f *File) Walk() iter.Seq2[Entry, error] { return f.Root().Walk() }
