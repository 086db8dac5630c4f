package main

// NPY output: the bytes numpy.save writes for the array h5py returns.
//
// The format is numpy's NEP 1 "A simple file format for NumPy arrays"
// (numpy.lib.format): the magic "\x93NUMPY", a major and minor version, the
// header length (uint16 in 1.0, uint32 in 2.0 and 3.0, little-endian), the
// header — the repr of the dict {'descr', 'fortran_order', 'shape'} with its
// keys sorted, followed by spaces and a newline so that the data starts on a
// 64-byte boundary — then the elements in C order. numpy 1.24 adds 21 minus
// len(repr(shape[0])) spaces after the dict ("growth axis" room) before the
// alignment padding.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/goh5/goh5/hdf5"
)

// Datatype property values, as the Datatype message encodes them (Spec 3.0,
// IV.A.2.d "The Datatype Message", H5.format.html#DatatypeMessage). cmd/goh5
// cannot import hdf5/internal/types, so the values are repeated here.
const (
	orderLE  = 0 // byte order bit 0 clear
	orderBE  = 1 // byte order bit 0 set
	orderVAX = 2 // floats: bits 0 and 6 set

	padNullTerm = 0
	padNull     = 1
	padSpace    = 2

	spaceScalar = 0
	spaceSimple = 1
	spaceNull   = 2
)

// npy format constants from numpy.lib.format.
const (
	npyAlign            = 64 // ARRAY_ALIGN
	npyGrowthAxisDigits = 21 // GROWTH_AXIS_MAX_DIGITS
)

// errNeedsPickle is returned for element types numpy can only store as
// Python objects.
var errNeedsPickle = errors.New("variable-length and reference data have numpy's object dtype, which .npy can only store with pickle; use --format json")

// npyType is what numpy sees for one output element: its descr as Python
// would repr it, and the subarray dimensions h5py appends to the shape when
// the element type itself is an HDF5 array.
type npyType struct {
	descr string
	sub   []uint64
}

// npyTypeOf maps the output element type t to numpy's view of it. packed is
// true for a multi-field selection, which h5py reads as a plain structured
// dtype (never complex).
func npyTypeOf(t *hdf5.Datatype, packed bool) (npyType, error) {
	var nt npyType
	for depth := 0; t != nil && t.Class == hdf5.ClassArray; depth++ {
		if depth > 32 || t.Base == nil {
			return nt, fmt.Errorf("hdf5: array type nested too deeply")
		}
		for _, d := range t.Dims {
			nt.sub = append(nt.sub, uint64(d))
		}
		t = t.Base
	}
	d, err := npyDescr(t, packed, 0)
	if err != nil {
		return nt, err
	}
	nt.descr = d
	return nt, nil
}

// npyDescr returns the repr of numpy's dtype_to_descr for the dtype h5py
// gives t: dtype.str for a scalar type, dtype.descr (a list of tuples, with
// empty-named '|Vn' entries for gaps) for a structured one.
func npyDescr(t *hdf5.Datatype, packed bool, depth int) (string, error) {
	if depth > 32 {
		return "", fmt.Errorf("hdf5: compound type nested too deeply")
	}
	if t == nil {
		return "", fmt.Errorf("hdf5: missing datatype")
	}
	if t.HasVlenOrRef() {
		return "", errNeedsPickle
	}
	if t.Class == hdf5.ClassCompound {
		if !packed {
			if c, ok := complexDescr(t); ok {
				return pyRepr(c), nil
			}
		}
		return structDescr(t, depth)
	}
	return scalarDescr(t)
}

// scalarDescr is dtype.str of a non-compound, non-array type, checking that
// h5py would give the stored bytes unchanged (no widening conversion).
func scalarDescr(t *hdf5.Datatype) (string, error) {
	if t.Class == hdf5.ClassFloat && t.Order == orderVAX {
		return "", fmt.Errorf("hdf5: VAX floats have no numpy dtype")
	}
	d := t.NumpyDescr()
	if d == "" {
		return "", fmt.Errorf("hdf5: no numpy dtype for %s", t.String())
	}
	size, err := strconv.Atoi(d[2:])
	if err != nil || (uint32(size) != t.Size && d[1] != 'S' && d[1] != 'V' && d[1] != 'b') {
		return "", fmt.Errorf("hdf5: %s would be converted to numpy %s; only exact copies are exported", t.String(), d)
	}
	if t.Class == hdf5.ClassInteger || t.Class == hdf5.ClassBitfield {
		if t.BitOffset != 0 || uint32(t.Precision) != 8*t.Size {
			return "", fmt.Errorf("hdf5: %s would be converted to numpy %s; only exact copies are exported", t.String(), d)
		}
	}
	if t.Class == hdf5.ClassFloat {
		if _, ok := t.IsIEEE(); !ok && t.Size != 16 {
			return "", fmt.Errorf("hdf5: %s would be converted to numpy %s; only exact copies are exported", t.String(), d)
		}
	}
	return pyRepr(d), nil
}

// complexDescr follows h5py's TypeCompoundID.py_dtype: a compound of
// exactly two members named "r" and "i" of the same float type is read as a
// numpy complex number. Only the layout numpy's complex has (r at 0, i right
// after, nothing else) is accepted, since other layouts would be converted.
func complexDescr(t *hdf5.Datatype) (string, bool) {
	if len(t.Members) != 2 || t.Members[0].Name != "r" || t.Members[1].Name != "i" {
		return "", false
	}
	r, i := t.Members[0].Type, t.Members[1].Type
	if r == nil || i == nil || r.Class != hdf5.ClassFloat || i.Class != hdf5.ClassFloat {
		return "", false
	}
	dr, di := r.NumpyDescr(), i.NumpyDescr()
	if dr == "" || dr != di || (r.Size != 4 && r.Size != 8) || r.Order != i.Order {
		return "", false
	}
	if t.Members[0].Offset != 0 || t.Members[1].Offset != r.Size || t.Size != 2*r.Size {
		return "", false
	}
	return dr[:1] + "c" + strconv.Itoa(int(2*r.Size)), true
}

// structDescr is numpy's _array_descr for a structured dtype: fields in
// order, an empty-named '|Vn' entry for each gap and the tail, subarray
// fields as
// (name, descr, shape).
func structDescr(t *hdf5.Datatype, depth int) (string, error) {
	var parts []string
	var off uint64
	for _, m := range t.Members {
		if m.Type == nil {
			return "", fmt.Errorf("hdf5: compound member %q has no type", m.Name)
		}
		mo := uint64(m.Offset)
		if mo < off {
			// numpy: "dtype.descr is not defined for types with overlapping
			// or out-of-order fields", so numpy.save fails too.
			return "", fmt.Errorf("hdf5: compound member %q overlaps or is out of order; numpy cannot save such a dtype", m.Name)
		}
		if mo > off {
			parts = append(parts, "('', '|V"+strconv.FormatUint(mo-off, 10)+"')")
			off = mo
		}
		nt, err := npyTypeOf(m.Type, false)
		if err != nil {
			return "", err
		}
		if depth > 32 {
			return "", fmt.Errorf("hdf5: compound type nested too deeply")
		}
		p := "(" + pyRepr(m.Name) + ", " + nt.descr
		if nt.sub != nil {
			p += ", " + pyTuple(nt.sub)
		}
		parts = append(parts, p+")")
		off += uint64(m.Type.Size)
	}
	if uint64(t.Size) > off {
		parts = append(parts, "('', '|V"+strconv.FormatUint(uint64(t.Size)-off, 10)+"')")
	}
	return "[" + strings.Join(parts, ", ") + "]", nil
}

// pyTuple is the repr of a Python tuple of ints: (), (3,), (3, 4).
func pyTuple(v []uint64) string {
	switch len(v) {
	case 0:
		return "()"
	case 1:
		return "(" + strconv.FormatUint(v[0], 10) + ",)"
	}
	s := make([]string, len(v))
	for i, d := range v {
		s[i] = strconv.FormatUint(d, 10)
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// pyRepr is Python 3's repr of a str: single quotes unless the text holds a
// single quote and no double quote; backslash, the quote, \t \n \r escaped;
// other non-printable characters as \xNN, \uNNNN or \UNNNNNNNN. Bytes that
// are not UTF-8 are shown as U+FFFD, as h5py's decoding would fail on them.
func pyRepr(s string) string {
	q := byte('\'')
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x80 || unicode.IsPrint(r):
			b.WriteRune(r)
		case r < 0x100:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r < 0x10000:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			fmt.Fprintf(&b, `\U%08x`, r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// npyHeader returns the magic, version, header length and header numpy.save
// (numpy 1.24 format._write_array_header with version=None) writes for an
// array of the given descr and shape: version 1.0 when the header length
// fits 16 bits, else 2.0; 3.0 (UTF-8) when the header is not Latin-1.
func npyHeader(descr string, shape []uint64) []byte {
	h := "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + pyTuple(shape) + ", }"
	if len(shape) > 0 {
		if pad := npyGrowthAxisDigits - len(strconv.FormatUint(shape[0], 10)); pad > 0 {
			h += strings.Repeat(" ", pad)
		}
	}
	latin1 := true
	for _, r := range h {
		if r > 0xff {
			latin1 = false
			break
		}
	}
	var enc []byte
	if latin1 {
		enc = make([]byte, 0, len(h))
		for _, r := range h {
			enc = append(enc, byte(r))
		}
	} else {
		enc = []byte(h)
	}
	wrap := func(major byte, lenBytes int) []byte {
		hlen := len(enc) + 1
		padlen := npyAlign - (6+2+lenBytes+hlen)%npyAlign
		out := make([]byte, 0, 6+2+lenBytes+hlen+padlen)
		out = append(out, "\x93NUMPY"...)
		out = append(out, major, 0)
		if lenBytes == 2 {
			out = binary.LittleEndian.AppendUint16(out, uint16(hlen+padlen))
		} else {
			out = binary.LittleEndian.AppendUint32(out, uint32(hlen+padlen))
		}
		out = append(out, enc...)
		for range padlen {
			out = append(out, ' ')
		}
		return append(out, '\n')
	}
	if !latin1 {
		return wrap(3, 4)
	}
	if v1 := wrap(1, 2); len(v1)-10 <= 0xffff {
		return v1
	}
	return wrap(2, 4)
}

// npyFixup converts, in place, elements of t as Dataset.Read delivers them
// (every number little-endian) to the bytes h5py's array holds: numbers of
// big-endian types back in big-endian order, and fixed-length strings as
// libhdf5 converts them to numpy's NUL-padded "S" type (a NUL-terminated
// string ends at its first NUL and never keeps its last byte; a
// space-padded one loses its trailing spaces; the rest is NULs).
func npyFixup(t *hdf5.Datatype, buf []byte) {
	if !needsFixup(t, 0) {
		return
	}
	es := int(t.Size)
	if es == 0 {
		return
	}
	for off := 0; off+es <= len(buf); off += es {
		fixElem(t, buf[off:off+es], 0)
	}
}

func needsFixup(t *hdf5.Datatype, depth int) bool {
	if t == nil || depth > 32 {
		return false
	}
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassFloat, hdf5.ClassBitfield, hdf5.ClassTime:
		return t.Order == orderBE && t.Size > 1
	case hdf5.ClassString:
		return t.Pad != padNull
	case hdf5.ClassEnum, hdf5.ClassArray:
		return needsFixup(t.Base, depth+1)
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			if needsFixup(m.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

func fixElem(t *hdf5.Datatype, b []byte, depth int) {
	if t == nil || depth > 32 || int(t.Size) > len(b) {
		return
	}
	b = b[:t.Size]
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassFloat, hdf5.ClassBitfield, hdf5.ClassTime:
		if t.Order == orderBE {
			for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
				b[i], b[j] = b[j], b[i]
			}
		}
	case hdf5.ClassString:
		n := fixedStringLen(t, b)
		clear(b[n:])
	case hdf5.ClassEnum:
		fixElem(t.Base, b, depth+1)
	case hdf5.ClassArray:
		if t.Base == nil || t.Base.Size == 0 {
			return
		}
		bs := int(t.Base.Size)
		for off := 0; off+bs <= len(b); off += bs {
			fixElem(t.Base, b[off:off+bs], depth+1)
		}
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			end := int(m.Offset) + int(m.Type.Size)
			if m.Type != nil && end <= len(b) {
				fixElem(m.Type, b[m.Offset:end], depth+1)
			}
		}
	}
}

// fixedStringLen is the length of the text in a fixed-length string
// field. For NUL-terminated strings it is what libhdf5's string conversion
// (H5T__conv_s_s) copies into h5py's NUL-padded type: up to the first NUL.
// Space-padded strings lose their trailing spaces the same way.
// NUL-padded strings are copied unchanged; their text is what numpy shows,
// everything before the trailing NULs.
func fixedStringLen(t *hdf5.Datatype, b []byte) int {
	switch t.Pad {
	case padNullTerm:
		n := 0
		for n < len(b) && b[n] != 0 {
			n++
		}
		return n
	case padSpace:
		n := len(b)
		for n > 0 && b[n-1] == ' ' {
			n--
		}
		return n
	}
	m := len(b)
	for m > 0 && b[m-1] == 0 {
		m--
	}
	return m
}

// npyWriter is the sink of "cat --format npy".
type npyWriter struct {
	t     *hdf5.Datatype
	nt    npyType
	shape []uint64
	w     io.Writer
}

func (s *npyWriter) begin() error {
	shape := append(append([]uint64(nil), s.shape...), s.nt.sub...)
	_, err := s.w.Write(npyHeader(s.nt.descr, shape))
	return err
}

func (s *npyWriter) rows(buf []byte, _ uint64) error {
	npyFixup(s.t, buf)
	_, err := s.w.Write(buf)
	return err
}

func (s *npyWriter) end() error { return nil }
