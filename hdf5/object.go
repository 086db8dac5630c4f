package hdf5

import (
	"fmt"
	"iter"

	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/internal/binfmt"
)

// ObjectKind is the class of an HDF5 object.
type ObjectKind int

const (
	KindUnknown  ObjectKind = iota
	KindGroup               // a group
	KindDataset             // a dataset
	KindDatatype            // a committed (named) datatype
)

func (k ObjectKind) String() string {
	switch k {
	case KindGroup:
		return "group"
	case KindDataset:
		return "dataset"
	case KindDatatype:
		return "datatype"
	}
	return "unknown"
}

// Object is a group, dataset or committed datatype.
type Object interface {
	Kind() ObjectKind
	// Path is the path the object was opened by.
	Path() string
	// Addr is the file address of the object header; it identifies the object.
	Addr() uint64
	File() *File
	Attributes() iter.Seq2[*Attribute, error]
	Attribute(name string) (*Attribute, error)
	Comment() string
}

// obj is what every object shares: its file, header and the path it was reached by.
type obj struct {
	f    *File
	addr uint64
	path string
	hdr  *object.Header
}

func (o *obj) Path() string           { return o.path }
func (o *obj) Addr() uint64           { return o.addr }
func (o *obj) File() *File            { return o.f }
func (o *obj) header() *object.Header { return o.hdr }

// Header returns the decoded object header (version, timestamps, messages).
func (o *obj) Header() *object.Header { return o.hdr }

// Comment returns the object comment, or "".
func (o *obj) Comment() string {
	if m := o.hdr.Find(object.MsgComment); m != nil {
		if c, ok := m.Value.(*object.Comment); ok {
			return c.Text
		}
	}
	return ""
}

// kindOf classifies an object header the way libhdf5 does
// (H5O__obj_class_real): a group has a symbol table or link info message; a
// dataset has a datatype and a dataspace; a committed datatype has only a
// datatype.
func kindOf(h *object.Header) ObjectKind {
	has := func(t object.MsgType) bool { return h.Find(t) != nil }
	switch {
	case has(object.MsgSymbolTable) || has(object.MsgLinkInfo):
		return KindGroup
	case has(object.MsgDatatype) && has(object.MsgDataspace):
		return KindDataset
	case has(object.MsgDatatype):
		return KindDatatype
	}
	return KindUnknown
}

// objectAt opens the object whose header is at addr.
func (f *File) objectAt(addr uint64, path string) (Object, error) {
	h, err := f.header(addr)
	if err != nil {
		return nil, err
	}
	o := obj{f: f, addr: addr, path: path, hdr: h}
	switch kindOf(h) {
	case KindGroup:
		return &Group{obj: o}, nil
	case KindDataset:
		return newDataset(o)
	case KindDatatype:
		return newNamedDatatype(o)
	}
	// libhdf5 cannot classify a header without these messages either.
	return nil, binfmt.Errorf(addr, "object header", "not a group, dataset or datatype (no symbol table, link info or datatype message)")
}

func (f *File) groupAt(addr uint64, path string) (*Group, error) {
	o, err := f.objectAt(addr, path)
	if err != nil {
		return nil, err
	}
	g, ok := o.(*Group)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is a %s, not a group", path, o.Kind())
	}
	return g, nil
}

// messageValue returns the decoded value of m, resolving a shared message.
func (f *File) messageValue(m *object.Message) (any, error) {
	return f.resolve(m.Type, m, 0)
}

const maxSharedDepth = 8

func (f *File) resolve(t object.MsgType, m *object.Message, depth int) (any, error) {
	if m.Err != nil {
		return nil, m.Err
	}
	if m.Shared == nil {
		return m.Value, nil
	}
	return f.sharedValue(t, m.Shared, m.Addr, depth)
}

// sharedValue resolves a shared message (Spec 3.0, IV.A.2 "Shared Messages"):
// either a message of the same type in another object header, or a message
// stored in the shared object header message heap.
func (f *File) sharedValue(t object.MsgType, ref *object.SharedRef, at uint64, depth int) (any, error) {
	if depth >= maxSharedDepth {
		return nil, binfmt.Errorf(at, "shared message", "chain of shared messages deeper than %d", maxSharedDepth)
	}
	if ref.Kind == 1 {
		raw, addr, err := f.sohmGet(t, ref.HeapID)
		if err != nil {
			return nil, err
		}
		return object.DecodeMessage(t, raw, f.src.Sizes, addr)
	}
	h, err := f.header(ref.Addr)
	if err != nil {
		return nil, fmt.Errorf("hdf5: shared message at 0x%x: %w", at, err)
	}
	m := h.Find(t)
	if m == nil {
		return nil, binfmt.Errorf(ref.Addr, "shared message", "object header holds no message of type %d", t)
	}
	return f.resolve(t, m, depth+1)
}
