package hdf5

import (
	"bytes"
	"context"
	"fmt"

	"github.com/goh5/goh5/hdf5/internal/types"
)

// ReadStrings reads string elements: fixed-length strings (class 3) with
// their padding removed, or variable-length strings (class 9) resolved
// through the global heap. Strings are returned byte for byte as stored; the
// datatype's CharSet says whether they are ASCII or UTF-8.
//
// Padding (Spec 3.0, IV.A.2.d, string class bit field): nullterm strings end
// at the first NUL; nullpad strings lose their trailing NULs; spacepad
// strings lose their trailing spaces. A variable-length string, like the C
// string libhdf5 hands h5py, ends at its first NUL.
func (d *Dataset) ReadStrings(sel *Selection) ([]string, error) {
	return d.ReadStringsContext(context.Background(), sel)
}

// ReadStringsContext is ReadStrings with cancellation.
func (d *Dataset) ReadStringsContext(ctx context.Context, sel *Selection) ([]string, error) {
	if err := checkStringType(d.elemType(sel), "dataset "+d.path); err != nil {
		return nil, err
	}
	e, err := d.readElems(ctx, sel)
	if err != nil {
		return nil, err
	}
	return e.strings()
}

// ReadStrings returns the attribute's string elements (see
// Dataset.ReadStrings).
func (a *Attribute) ReadStrings() ([]string, error) {
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	if err := checkStringType(e.t, e.what); err != nil {
		return nil, err
	}
	return e.strings()
}

// elemType is the type of the elements a read with sel yields.
func (d *Dataset) elemType(sel *Selection) *types.Datatype {
	f := sel.FieldNames()
	if len(f) == 0 {
		return d.dtype
	}
	sub, err := subsetType(d.dtype, f)
	if err != nil {
		return d.dtype
	}
	if len(f) == 1 {
		return sub.Members[0].Type
	}
	return sub
}

func isStringType(t *types.Datatype) bool {
	return t != nil && (t.Class == types.ClassString || (t.Class == types.ClassVlen && t.VlenString))
}

func checkStringType(t *types.Datatype, what string) error {
	if !isStringType(t) {
		return fmt.Errorf("hdf5: cannot read %s as string (%s)", t, what)
	}
	return nil
}

func (e *elems) strings() ([]string, error) {
	out := make([]string, e.n)
	for i := range e.n {
		s, err := e.f.stringAt(e.t, e.at(i))
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s element %d: %w", e.what, i, err)
		}
		out[i] = s
	}
	return out, nil
}

// stringAt decodes one string element of type t (fixed or variable-length).
func (f *File) stringAt(t *types.Datatype, b []byte) (string, error) {
	if t.Class == types.ClassString {
		return string(unpadString(b, t.Pad)), nil
	}
	_, data, err := f.vlenSeq(t, b)
	if err != nil {
		return "", err
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		data = data[:i]
	}
	return string(data), nil
}

// unpadString applies a fixed-length string's padding rule.
func unpadString(b []byte, pad types.StrPad) []byte {
	switch pad {
	case types.PadNullTerm:
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return b[:i]
		}
		return b
	case types.PadSpace:
		return bytes.TrimRight(b, " ")
	}
	return bytes.TrimRight(b, "\x00")
}

// ReadEnumNames reads enum elements as the names of their values. A value
// with no name (such as an unset fill value) reads as "".
func (d *Dataset) ReadEnumNames(sel *Selection) ([]string, error) {
	t := d.elemType(sel)
	if t.Class != types.ClassEnum {
		return nil, fmt.Errorf("hdf5: cannot read %s as enum names (dataset %s)", t, d.path)
	}
	e, err := d.readElems(context.Background(), sel)
	if err != nil {
		return nil, err
	}
	return e.enumNames()
}

// ReadEnumNames returns the attribute's enum elements as names (see
// Dataset.ReadEnumNames).
func (a *Attribute) ReadEnumNames() ([]string, error) {
	if a.dtype.Class != types.ClassEnum {
		return nil, fmt.Errorf("hdf5: cannot read %s as enum names (attribute %q)", a.dtype, a.Name)
	}
	e, err := a.elems()
	if err != nil {
		return nil, err
	}
	return e.enumNames()
}

func (e *elems) enumNames() ([]string, error) {
	tab, err := newEnumTable(e.t)
	if err != nil {
		return nil, err
	}
	out := make([]string, e.n)
	for i := range e.n {
		out[i] = tab.at(e.at(i)).Name
	}
	return out, nil
}

// Enum is an enum element: its name ("" when the value has none) and its
// integer value.
type Enum struct {
	Name  string
	Value int64
}

// enumTable maps the values of an enum type to their names. The member
// values are stored in the file's byte order, so they are converted first.
type enumTable struct {
	src   *numSource
	names map[int64]string
}

func newEnumTable(t *types.Datatype) (*enumTable, error) {
	src, err := numericSource(t, "enum")
	if err != nil {
		return nil, err
	}
	tab := &enumTable{src: src, names: make(map[int64]string, len(t.EnumNames))}
	es := int(t.Base.Size)
	for i, raw := range t.EnumValues {
		if i >= len(t.EnumNames) || len(raw) != es {
			continue
		}
		le := append([]byte(nil), raw...)
		toNative(t.Base, le)
		v := tab.value(le)
		if _, dup := tab.names[v]; !dup {
			tab.names[v] = t.EnumNames[i]
		}
	}
	return tab, nil
}

func (tab *enumTable) value(b []byte) int64 {
	if tab.src.signed {
		return tab.src.int64At(b)
	}
	return int64(tab.src.raw(b))
}

// at decodes one enum element.
func (tab *enumTable) at(b []byte) Enum {
	v := tab.value(b)
	return Enum{Name: tab.names[v], Value: v}
}
