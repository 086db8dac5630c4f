package hdf5

import (
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/goh5/goh5/btree"
	"github.com/goh5/goh5/hdf5/internal/heap"
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/internal/binfmt"
)

// LinkType is the kind of a link (Spec 3.0, IV.A.2.g "Link Message").
type LinkType int

const (
	LinkHard        LinkType = 0
	LinkSoft        LinkType = 1
	LinkExternal    LinkType = 64
	LinkUserDefined LinkType = -1 // any other user-defined type
)

func (t LinkType) String() string {
	switch t {
	case LinkHard:
		return "hard"
	case LinkSoft:
		return "soft"
	case LinkExternal:
		return "external"
	}
	return "user-defined"
}

// Link is one entry of a group.
type Link struct {
	Name string
	Type LinkType
	// Addr is the object header address of a hard link's target.
	Addr uint64
	// Target is a soft link's path.
	Target string
	// ExtFile and ExtPath are an external link's file name and object path.
	ExtFile, ExtPath string
	// CreationOrder is the link's creation index when the group tracks it,
	// else -1.
	CreationOrder int64
	// UTF8 reports that the name is UTF-8 (else ASCII).
	UTF8 bool
}

func linkFromMessage(l *object.Link) *Link {
	out := &Link{Name: l.Name, Addr: l.Addr, Target: l.Target, ExtFile: l.ExtFile, ExtPath: l.ExtPath,
		CreationOrder: -1, UTF8: l.CharSet == 1}
	if l.HasCreationOrder {
		out.CreationOrder = l.CreationOrder
	}
	switch l.Type {
	case 0:
		out.Type = LinkHard
	case 1:
		out.Type = LinkSoft
	case 64:
		out.Type = LinkExternal
	default:
		out.Type = LinkUserDefined
	}
	return out
}

// Order selects how links and attributes are listed.
type Order int

const (
	// ByName lists in increasing byte order of names, as libhdf5's
	// H5_INDEX_NAME does.
	ByName Order = iota
	// ByCreation lists in creation order; it needs a file that tracks it.
	ByCreation
)

// Links lists the group's links in name order.
func (g *Group) Links() iter.Seq2[*Link, error] { return g.LinksOrdered(ByName) }

// LinksOrdered lists the group's links in the given order. ByCreation fails
// with an error when the group does not track creation order.
func (g *Group) LinksOrdered(order Order) iter.Seq2[*Link, error] {
	return func(yield func(*Link, error) bool) {
		links, err := g.loadLinks()
		if err != nil {
			yield(nil, err)
			return
		}
		if order == ByCreation {
			for _, l := range links {
				if l.CreationOrder < 0 {
					yield(nil, fmt.Errorf("hdf5: group %s does not track link creation order", g.path))
					return
				}
			}
			links = slices.Clone(links)
			slices.SortStableFunc(links, func(a, b *Link) int {
				return cmpInt(a.CreationOrder, b.CreationOrder)
			})
		}
		for _, l := range links {
			if !yield(l, nil) {
				return
			}
		}
	}
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Link returns the group's link with the given name.
func (g *Group) Link(name string) (*Link, error) {
	links, err := g.loadLinks()
	if err != nil {
		return nil, err
	}
	i, ok := slices.BinarySearchFunc(links, name, func(l *Link, n string) int { return strings.Compare(l.Name, n) })
	if !ok {
		return nil, fmt.Errorf("hdf5: %s: no link %q: %w", g.path, name, ErrNotFound)
	}
	return links[i], nil
}

// NumLinks returns the number of links in the group.
func (g *Group) NumLinks() (int, error) {
	links, err := g.loadLinks()
	return len(links), err
}

// loadLinks reads every link of the group, sorted by name. The File caches
// the result, keyed by the group's header address.
func (g *Group) loadLinks() ([]*Link, error) {
	f := g.f
	f.mu.Lock()
	links, ok := f.links[g.addr]
	f.mu.Unlock()
	if ok {
		return links, nil
	}
	links, err := g.readLinks()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(links, func(a, b *Link) int { return strings.Compare(a.Name, b.Name) })
	f.mu.Lock()
	if len(f.links) >= DefaultHeaderCache {
		for k := range f.links {
			delete(f.links, k)
			break
		}
	}
	f.links[g.addr] = links
	f.mu.Unlock()
	return links, nil
}

// readLinks decodes the group's links from whichever storage it uses
// (Spec 3.0, IV.A.2.g, IV.A.2.c "Link Info Message", III.B "Symbol Table").
func (g *Group) readLinks() ([]*Link, error) {
	f := g.f
	if m := g.hdr.Find(object.MsgSymbolTable); m != nil {
		st, ok := m.Value.(*object.SymbolTable)
		if !ok {
			return nil, binfmt.Errorf(m.Addr, "symbol table message", "undecodable")
		}
		return f.symbolTableLinks(st)
	}
	var links []*Link
	for i := range g.hdr.Messages {
		m := &g.hdr.Messages[i]
		if m.Type != object.MsgLink {
			continue
		}
		v, err := f.messageValue(m)
		if err != nil {
			return nil, err
		}
		l, ok := v.(*object.Link)
		if !ok {
			return nil, binfmt.Errorf(m.Addr, "link message", "undecodable")
		}
		links = append(links, linkFromMessage(l))
	}
	if m := g.hdr.Find(object.MsgLinkInfo); m != nil {
		li, ok := m.Value.(*object.LinkInfo)
		if ok && li.HeapAddr != binfmt.Undef && li.NameIndexAddr != binfmt.Undef {
			dense, err := f.denseLinks(li)
			if err != nil {
				return nil, err
			}
			links = append(links, dense...)
		}
	}
	return links, nil
}

// symbolTableLinks walks a version 1 group: its B-tree of symbol nodes and
// the local heap that holds the names.
func (f *File) symbolTableLinks(st *object.SymbolTable) ([]*Link, error) {
	lh, err := f.localHeap(st.HeapAddr)
	if err != nil {
		return nil, err
	}
	var links []*Link
	for snod, err := range btree.V1GroupNodes(f.src, st.BTreeAddr) {
		if err != nil {
			return nil, err
		}
		entries, err := btree.ReadSymbolNode(f.src, snod)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			name, err := lh.String(e.NameOffset)
			if err != nil {
				return nil, err
			}
			l := &Link{Name: name, Type: LinkHard, Addr: e.ObjAddr, CreationOrder: -1}
			if e.CacheType == 2 {
				target, err := lh.String(uint64(e.SoftLinkOffset))
				if err != nil {
					return nil, err
				}
				l.Type, l.Target, l.Addr = LinkSoft, target, binfmt.Undef
			}
			links = append(links, l)
		}
		if len(links) > 1<<24 {
			return nil, &binfmt.LimitError{Name: "group links", Limit: 1 << 24, Addr: st.BTreeAddr}
		}
	}
	return links, nil
}

// denseLinks reads links kept in a fractal heap, indexed by a version 2
// B-tree of name hashes (record type 5).
func (f *File) denseLinks(li *object.LinkInfo) ([]*Link, error) {
	fh, bt, err := f.denseStorage(li.HeapAddr, li.NameIndexAddr, 5, "link name index")
	if err != nil {
		return nil, err
	}
	var links []*Link
	for rec, err := range bt.Records() {
		if err != nil {
			return nil, err
		}
		r, err := btree.DecodeLinkName(rec)
		if err != nil {
			return nil, err
		}
		raw, err := fh.Get(r.HeapID)
		if err != nil {
			return nil, err
		}
		v, err := object.DecodeMessage(object.MsgLink, raw, f.src.Sizes, li.HeapAddr)
		if err != nil {
			return nil, err
		}
		l, ok := v.(*object.Link)
		if !ok {
			return nil, binfmt.Errorf(li.HeapAddr, "dense link", "undecodable")
		}
		links = append(links, linkFromMessage(l))
	}
	return links, nil
}

// denseStorage opens the two parts of dense link or attribute storage (Spec
// 3.0, IV.A.2.c "Link Info Message" and IV.A.2.v "Attribute Info Message"):
// the fractal heap at heapAddr that holds the messages, and the version 2
// B-tree of name hashes at indexAddr that indexes them, whose record type
// must be recType (5 for links, 8 for attributes). what names the index in
// errors.
func (f *File) denseStorage(heapAddr, indexAddr uint64, recType uint8, what string) (*heap.Fractal, *btree.V2, error) {
	fh, err := f.fractal(heapAddr)
	if err != nil {
		return nil, nil, err
	}
	bt, err := btree.OpenV2(f.src, indexAddr)
	if err != nil {
		return nil, nil, err
	}
	if bt.Type != recType {
		return nil, nil, binfmt.Errorf(indexAddr, what, "v2 B-tree of record type %d, want %d", bt.Type, recType)
	}
	return fh, bt, nil
}
