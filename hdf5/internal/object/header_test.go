package object

import (
	"bytes"
	"errors"
	"slices"
	"sort"
	"testing"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// checkHeader compares a decoded header with what libhdf5's H5Oget_info
// reported: version, message count (NILs included), and the sets of present
// and shared message types.
func checkHeader(t *testing.T, name string, h *Header, e expHeader) {
	t.Helper()
	if h.Version != e.Version {
		t.Errorf("%s: version %d, libhdf5 %d", name, h.Version, e.Version)
	}
	if got := len(h.Messages) + h.nils; got != e.NMesgs {
		t.Errorf("%s: %d messages (%d NIL), libhdf5 %d", name, got, h.nils, e.NMesgs)
	}
	var present, shared uint64
	if h.nils > 0 {
		present |= 1
	}
	for _, m := range h.Messages {
		present |= 1 << m.Type
		if m.Shared != nil {
			shared |= 1 << m.Type
		}
		if m.Err != nil {
			t.Errorf("%s: message %v: %v", name, m.Type, m.Err)
		}
		if m.Shared == nil && m.Err == nil && m.Value == nil {
			t.Errorf("%s: message %v has no value", name, m.Type)
		}
	}
	if present != e.Present {
		t.Errorf("%s: present types %#x, libhdf5 %#x", name, present, e.Present)
	}
	if shared != e.Shared {
		t.Errorf("%s: shared types %#x, libhdf5 %#x", name, shared, e.Shared)
	}
	if h.Version == 1 && h.RefCount != e.RC {
		t.Errorf("%s: refcount %d, libhdf5 %d", name, h.RefCount, e.RC)
	}
	// Continuation messages and chunks agree.
	if n := len(h.FindAll(MsgContinuation)); n != h.Chunks-1 {
		t.Errorf("%s: %d continuation messages, %d chunks", name, n, h.Chunks)
	}
}

func checkAttributes(t *testing.T, name string, h *Header, e expHeader) {
	t.Helper()
	got := map[string]*Attribute{}
	for _, m := range h.FindAll(MsgAttribute) {
		a, ok := m.Value.(*Attribute)
		if !ok {
			t.Errorf("%s: attribute message value %T (shared %v)", name, m.Value, m.Shared)
			continue
		}
		got[a.Name] = a
	}
	if h.Find(MsgAttrInfo) != nil && len(got) == 0 {
		return // dense storage: checked elsewhere
	}
	if len(got) != len(e.Attrs) {
		t.Errorf("%s: %d attributes, libhdf5 %d", name, len(got), len(e.Attrs))
	}
	for an, ea := range e.Attrs {
		a := got[an]
		if a == nil {
			t.Errorf("%s: attribute %q missing", name, an)
			continue
		}
		if a.Datatype == nil || a.Datatype.Size != ea.TypeSize {
			t.Errorf("%s: attribute %q datatype %v, want size %d", name, an, a.Datatype, ea.TypeSize)
		}
		if a.Dataspace == nil {
			t.Errorf("%s: attribute %q: no dataspace", name, an)
		} else if len(ea.Shape) > 0 && !slices.Equal(a.Dataspace.Dims, ea.Shape) {
			t.Errorf("%s: attribute %q dims %v, want %v", name, an, a.Dataspace.Dims, ea.Shape)
		}
		if want := mustHex(t, ea.Data); !bytes.Equal(a.Data, want) {
			t.Errorf("%s: attribute %q data %x, want %x", name, an, a.Data, want)
		}
	}
}

func checkDataset(t *testing.T, name string, h *Header, e expHeader, f *expFile) {
	t.Helper()
	m := h.Find(MsgLayout)
	if m == nil {
		t.Fatalf("%s: no layout message", name)
	}
	l := m.Value.(*Layout)
	if l.Class.String() != e.Layout {
		t.Errorf("%s: layout %v, want %s", name, l.Class, e.Layout)
	}
	switch l.Class {
	case LayoutContiguous:
		if e.Offset == nil { // not allocated yet
			if l.Addr != binfmt.Undef {
				t.Errorf("%s: contiguous at %d, want undefined", name, l.Addr)
			}
		} else if l.Addr != *e.Offset || l.Size != e.StorageSize {
			t.Errorf("%s: contiguous at %d size %d, want %d size %d", name, l.Addr, l.Size, *e.Offset, e.StorageSize)
		}
	case LayoutCompact:
		if want := mustHex(t, e.Data); !bytes.Equal(l.CompactData, want) {
			t.Errorf("%s: compact data %x, want %x", name, l.CompactData, want)
		}
	case LayoutChunked:
		want := append(slices.Clone(e.Chunk), e.ElemSize)
		if !slices.Equal(l.ChunkDims, want) || l.Rank() != len(e.Chunk) || l.ElementSize() != e.ElemSize {
			t.Errorf("%s: chunk dims %v, want %v", name, l.ChunkDims, want)
		}
		if f.Libver == "earliest" {
			if l.Version != 3 || l.IndexType != IndexBTreeV1 {
				t.Errorf("%s: layout version %d index %d, want v3 B-tree", name, l.Version, l.IndexType)
			}
		} else if it, ok := f.IndexTypes[name]; ok {
			if l.Version != 4 || int(l.IndexType) != it {
				t.Errorf("%s: layout version %d index type %d, want 4/%d", name, l.Version, l.IndexType, it)
			}
		}
		if l.IndexType == IndexSingleChunk && e.Chunk0 != nil {
			if l.IndexAddr != e.Chunk0.Addr {
				t.Errorf("%s: single chunk at %d, want %d", name, l.IndexAddr, e.Chunk0.Addr)
			}
			if len(e.Filters) > 0 {
				if l.ChunkFlags&LayoutSingleIndexWithFilter == 0 || l.FilteredSize != e.Chunk0.Size || l.FilterMask != e.Chunk0.FilterMask {
					t.Errorf("%s: single filtered chunk flags %#x size %d mask %#x, want size %d mask %#x",
						name, l.ChunkFlags, l.FilteredSize, l.FilterMask, e.Chunk0.Size, e.Chunk0.FilterMask)
				}
			}
		}
		if l.IndexType != IndexImplicit && e.Chunk0 != nil && l.IndexAddr == binfmt.Undef {
			t.Errorf("%s: chunk index not allocated", name)
		}
	}
	// Filters.
	pm := h.Find(MsgFilterPipeline)
	if (pm != nil) != (len(e.Filters) > 0) {
		t.Errorf("%s: filter pipeline present %v, libhdf5 %d filters", name, pm != nil, len(e.Filters))
	}
	if pm != nil {
		p := pm.Value.(*FilterPipeline)
		if len(p.Filters) != len(e.Filters) {
			t.Fatalf("%s: %d filters, want %d", name, len(p.Filters), len(e.Filters))
		}
		for i, ef := range e.Filters {
			g := p.Filters[i]
			cd := ef.CD
			if cd == nil {
				cd = []uint32{}
			}
			if g.ID != ef.ID || g.Flags != ef.Flags || !slices.Equal(g.ClientData, cd) {
				t.Errorf("%s: filter %d = %+v, want %+v", name, i, g, ef)
			}
			// libhdf5 reports its registered name; the message stores one
			// only in version 1 (or for IDs >= 256).
			if g.Name != "" && g.Name != ef.Name {
				t.Errorf("%s: filter %d name %q, want %q", name, i, g.Name, ef.Name)
			}
		}
	}
	// Fill value.
	if fm := h.Find(MsgFill); fm != nil && e.Fill != nil {
		fv := fm.Value.(*FillValue)
		if fv.Defined != (e.Fill.Defined != 0) || fv.FillTime != e.Fill.FillTime || fv.AllocTime != e.Fill.AllocTime {
			t.Errorf("%s: fill %+v, want %+v", name, fv, *e.Fill)
		}
		want := mustHex(t, e.Fill.Value)
		got := fv.Value
		if len(got) == 0 {
			got = make([]byte, len(want)) // library default: zeros
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: fill value %x, want %x", name, got, want)
		}
	} else if e.Fill != nil {
		t.Errorf("%s: no fill value message", name)
	}
	// Comment.
	cm := h.Find(MsgComment)
	if e.Comment != nil {
		if cm == nil || cm.Value.(*Comment).Text != *e.Comment {
			t.Errorf("%s: comment %v, want %q", name, cm, *e.Comment)
		}
	} else if cm != nil {
		t.Errorf("%s: unexpected comment", name)
	}
	// Dataspace and datatype (shared ones are checked by the caller).
	if sm := h.Find(MsgDataspace); sm != nil && sm.Shared == nil {
		if ds := sm.Value.(*types.Dataspace); !slices.Equal(ds.Dims, e.Shape) {
			t.Errorf("%s: dims %v, want %v", name, ds.Dims, e.Shape)
		}
	}
	if tm := h.Find(MsgDatatype); tm != nil && tm.Shared == nil {
		if dt := tm.Value.(*types.Datatype); uint64(dt.Size) != e.ElemSize {
			t.Errorf("%s: datatype size %d, want %d", name, dt.Size, e.ElemSize)
		}
	}
}

func TestFixtures(t *testing.T) {
	for _, name := range []string{"objects_earliest", "objects_latest"} {
		t.Run(name, func(t *testing.T) {
			var exp expFile
			loadExp(t, name+".json", &exp)
			_, src := openFixture(t, name+".h5")
			headers := map[string]*Header{}
			continued := 0
			for path, e := range exp.Objects {
				h, err := ReadHeader(src, e.Addr, Limits{})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if h.Addr != e.Addr {
					t.Errorf("%s: addr %d", path, h.Addr)
				}
				headers[path] = h
				if h.Chunks > 1 {
					continued++
				}
				checkHeader(t, path, h, e)
				checkAttributes(t, path, h, e)
				if e.Layout != "" {
					checkDataset(t, path, h, e, &exp)
				}
			}
			if continued == 0 {
				t.Errorf("no header with continuation blocks")
			}
			// The dataset built on a committed datatype shares its datatype
			// message with the datatype's object header.
			typed := headers["typed"]
			dm := typed.Find(MsgDatatype)
			if dm == nil || dm.Shared == nil || dm.Value != nil || dm.Shared.InHeap() || dm.Shared.Addr != exp.Objects["typed"].DtypeAddr {
				t.Errorf("typed: datatype message %+v, want shared in header %d", dm, exp.Objects["typed"].DtypeAddr)
			}
			if dt := headers["dtype"].Find(MsgDatatype); dt == nil || dt.Value.(*types.Datatype).Size != 2 {
				t.Errorf("dtype: bad datatype message %+v", dt)
			}
			checkLinks(t, headers["lk"], &exp)
			if exp.Libver == "earliest" {
				// A group without links stays old-style.
				st := headers["g"].Find(MsgSymbolTable)
				if st == nil || st.Value.(*SymbolTable).BTreeAddr == binfmt.Undef || st.Value.(*SymbolTable).HeapAddr == binfmt.Undef {
					t.Errorf("g: symbol table message %+v", st)
				}
				return
			}
			checkOrdered(t, headers["ordered"], &exp)
			dense := headers["dense"]
			ai := dense.Find(MsgAttrInfo)
			if ai == nil || ai.Value.(*AttrInfo).HeapAddr == binfmt.Undef || ai.Value.(*AttrInfo).NameIndexAddr == binfmt.Undef {
				t.Errorf("dense: attribute info %+v", ai)
			}
			if n := len(dense.FindAll(MsgAttribute)); n != 0 {
				t.Errorf("dense: %d attribute messages in the header", n)
			}
		})
	}
}

func checkLinks(t *testing.T, g *Header, exp *expFile) {
	t.Helper()
	links := map[string]*Link{}
	for _, m := range g.FindAll(MsgLink) {
		l := m.Value.(*Link)
		links[l.Name] = l
	}
	for name, el := range exp.Links {
		l := links[name]
		if l == nil {
			t.Errorf("link %q missing", name)
			continue
		}
		switch el.Type {
		case "hard":
			if l.Type != LinkHard || l.Addr != el.Addr {
				t.Errorf("link %q = %+v, want hard to %d", name, l, el.Addr)
			}
		case "soft":
			if l.Type != LinkSoft || l.Target != el.Target {
				t.Errorf("link %q = %+v, want soft to %q", name, l, el.Target)
			}
		case "external":
			if l.Type != LinkExternal || l.ExtFile != el.File || l.ExtPath != el.Path {
				t.Errorf("link %q = %+v, want external %q %q", name, l, el.File, el.Path)
			}
		}
	}
	if len(links) != len(exp.Links) {
		t.Errorf("%d links, want %d", len(links), len(exp.Links))
	}
	if li := g.Find(MsgLinkInfo); li == nil || li.Value.(*LinkInfo).HeapAddr != binfmt.Undef {
		t.Errorf("lk: link info %+v, want compact storage", li)
	}
}

// checkOrdered checks creation order tracking: header flag bit 2, the
// messages' creation order fields and the links' creation order, against the
// order libhdf5 lists them in.
func checkOrdered(t *testing.T, h *Header, exp *expFile) {
	t.Helper()
	if h.Flags&HdrAttrOrderTracked == 0 || h.Flags&HdrAttrOrderIndexed == 0 {
		t.Errorf("ordered: header flags %#x", h.Flags)
	}
	type named struct {
		name  string
		order int64
	}
	var attrs, links []named
	for _, m := range h.FindAll(MsgAttribute) {
		attrs = append(attrs, named{m.Value.(*Attribute).Name, int64(m.CreationOrder)})
	}
	for _, m := range h.FindAll(MsgLink) {
		l := m.Value.(*Link)
		if !l.HasCreationOrder {
			t.Errorf("ordered: link %q has no creation order", l.Name)
		}
		links = append(links, named{l.Name, l.CreationOrder})
	}
	names := func(v []named) []string {
		sort.Slice(v, func(i, j int) bool { return v[i].order < v[j].order })
		var out []string
		for _, n := range v {
			out = append(out, n.name)
		}
		return out
	}
	if got := names(attrs); !slices.Equal(got, exp.OrderedAttrs) {
		t.Errorf("ordered: attributes by creation order %v, libhdf5 %v", got, exp.OrderedAttrs)
	}
	if got := names(links); !slices.Equal(got, exp.OrderedLinks) {
		t.Errorf("ordered: links by creation order %v, libhdf5 %v", got, exp.OrderedLinks)
	}
	li := h.Find(MsgLinkInfo).Value.(*LinkInfo)
	if !li.OrderTracked() || li.MaxCreationIndex != uint64(len(exp.OrderedLinks)) {
		t.Errorf("ordered: link info %+v", li)
	}
}

func TestSOHM(t *testing.T) {
	var exp struct {
		Objects  map[string]expHeader `json:"objects"`
		NIndexes int                  `json:"nindexes"`
		Indexes  []struct {
			Types   uint16 `json:"types"`
			MinSize uint32 `json:"min_size"`
		} `json:"indexes"`
		ListMax  uint16 `json:"list_max"`
		BTreeMin uint16 `json:"btree_min"`
	}
	loadExp(t, "sohm_latest.json", &exp)
	b, src := openFixture(t, "sohm_latest.h5")
	ext, err := ReadHeader(src, superblockExtension(b), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	m := ext.Find(MsgSOHMTable)
	if m == nil {
		t.Fatal("no shared message table message in the superblock extension")
	}
	tm := m.Value.(*SOHMTable)
	if int(tm.NumIndexes) != exp.NIndexes {
		t.Fatalf("%d indexes, libhdf5 %d", tm.NumIndexes, exp.NIndexes)
	}
	idx, err := ReadSOHMTable(src, tm.Addr, int(tm.NumIndexes))
	if err != nil {
		t.Fatal(err)
	}
	heapIDs := map[string]bool{}
	var refs uint32
	for i, ix := range idx {
		if ix.MessageTypes != exp.Indexes[i].Types || ix.MinMessageSize != exp.Indexes[i].MinSize ||
			ix.ListMax != exp.ListMax || ix.BTreeMin != exp.BTreeMin {
			t.Errorf("index %d = %+v, want %+v list %d btree %d", i, ix, exp.Indexes[i], exp.ListMax, exp.BTreeMin)
		}
		if !ix.Holds(MsgDatatype) || !ix.Holds(MsgAttribute) || ix.Holds(MsgLayout) {
			t.Errorf("index %d: Holds wrong for types %#x", i, ix.MessageTypes)
		}
		if ix.IndexType != SOHMIndexList {
			t.Fatalf("index %d type %d, want a list", i, ix.IndexType)
		}
		ents, err := ReadSOHMList(src, ix.IndexAddr, int(ix.NumMessages))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if !e.InHeap || len(e.HeapID) != 8 {
				t.Errorf("entry %+v not in the heap", e)
			}
			heapIDs[string(e.HeapID)] = true
			refs += e.RefCount
		}
	}
	// Every message the datasets share through the heap is in the index.
	var shared uint32
	for name, e := range exp.Objects {
		h, err := ReadHeader(src, e.Addr, Limits{})
		if err != nil {
			t.Fatal(err)
		}
		checkHeader(t, name, h, e)
		for _, m := range h.Messages {
			if m.Shared == nil {
				continue
			}
			shared++
			if !m.Shared.InHeap() || m.Shared.Version != 3 || !heapIDs[string(m.Shared.HeapID)] {
				t.Errorf("%s: shared %v message %+v not in the index", name, m.Type, m.Shared)
			}
		}
	}
	if shared == 0 || refs < shared {
		t.Errorf("reference counts %d below the %d shared messages", refs, shared)
	}

	// A corrupt list checksum is reported.
	bad := bytes.Clone(b)
	bad[idx[0].IndexAddr+6] ^= 0xff
	if _, err := ReadSOHMList(sourceOf(t, bad), idx[0].IndexAddr, int(idx[0].NumMessages)); !errors.Is(err, binfmt.ErrChecksum) {
		t.Errorf("corrupt SMLI: %v", err)
	}
	bad = bytes.Clone(b)
	bad[tm.Addr+6] ^= 0xff
	if _, err := ReadSOHMTable(sourceOf(t, bad), tm.Addr, int(tm.NumIndexes)); !errors.Is(err, binfmt.ErrChecksum) {
		t.Errorf("corrupt SMTB: %v", err)
	}
}
