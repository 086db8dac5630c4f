package canon

import (
	"encoding/binary"
	"fmt"
	"hash"
	"math"
	"strconv"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/binfmt"
)

// jsonWriter writes the json form of elements, through a small buffer, into
// a hash.
type jsonWriter struct {
	f     *hdf5.File
	h     hash.Hash
	buf   []byte
	bools map[*hdf5.Datatype]bool
	flts  map[*hdf5.Datatype]*floatFormat
}

func newJSONWriter(f *hdf5.File, h hash.Hash) *jsonWriter {
	return &jsonWriter{f: f, h: h, buf: make([]byte, 0, 64<<10),
		bools: map[*hdf5.Datatype]bool{}, flts: map[*hdf5.Datatype]*floatFormat{}}
}

func (w *jsonWriter) maybeFlush() {
	if len(w.buf) >= 60<<10 {
		w.flush()
	}
}

func (w *jsonWriter) flush() {
	w.h.Write(w.buf)
	w.buf = w.buf[:0]
}

func (w *jsonWriter) byte(c byte) { w.buf = append(w.buf, c) }

// elem writes one element of type t whose atomic numbers are little-endian.
func (w *jsonWriter) elem(t *hdf5.Datatype, v []byte, depth int) error {
	if t == nil || depth > maxDepth {
		return fmt.Errorf("hdf5: datatype nested too deeply")
	}
	if uint64(len(v)) < uint64(t.Size) {
		return fmt.Errorf("hdf5: %d-byte element holds %d bytes", t.Size, len(v))
	}
	v = v[:t.Size]
	defer w.maybeFlush()
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassBitfield:
		return w.integer(t, t, v, t.Class == hdf5.ClassInteger && t.Signed)
	case hdf5.ClassEnum:
		if t.Base == nil {
			return fmt.Errorf("hdf5: enum without a base type")
		}
		if w.isBool(t) {
			var buf [16]byte
			tmp := appendInt(buf[:0], v, t.Base.Precision, t.Base.BitOffset, false)
			nonzero := false
			for _, c := range tmp {
				nonzero = nonzero || c != 0
			}
			if nonzero {
				w.buf = append(w.buf, "true"...)
			} else {
				w.buf = append(w.buf, "false"...)
			}
			return nil
		}
		return w.integer(t, t.Base, v, t.Base.Class == hdf5.ClassInteger && t.Base.Signed)
	case hdf5.ClassFloat:
		x, err := w.float(t, v)
		if err != nil {
			return err
		}
		w.buf = appendJSONFloat(w.buf, x)
		return nil
	case hdf5.ClassString:
		w.buf = AppendJSONBytes(w.buf, stripString(v, t.Pad))
		return nil
	case hdf5.ClassOpaque:
		w.buf = AppendJSONBytes(w.buf, v)
		return nil
	case hdf5.ClassCompound:
		w.byte('[')
		for i, m := range t.Members {
			if i > 0 {
				w.byte(',')
			}
			if m.Type == nil {
				return fmt.Errorf("hdf5: compound member %q without a type", m.Name)
			}
			end := uint64(m.Offset) + uint64(m.Type.Size)
			if end > uint64(len(v)) {
				return fmt.Errorf("hdf5: compound member %q overruns its element", m.Name)
			}
			if err := w.elem(m.Type, v[m.Offset:end], depth+1); err != nil {
				return err
			}
		}
		w.byte(']')
		return nil
	case hdf5.ClassArray:
		if t.Base == nil || t.Base.Size == 0 {
			return fmt.Errorf("hdf5: array without a base type")
		}
		dims := make([]uint64, len(t.Dims))
		n := uint64(1)
		for i, d := range t.Dims {
			dims[i] = uint64(d)
			n *= uint64(d)
			if n > uint64(t.Size) && t.Base.Size > 0 {
				return fmt.Errorf("hdf5: array type dimensions exceed its size")
			}
		}
		if n*uint64(t.Base.Size) > uint64(len(v)) {
			return fmt.Errorf("hdf5: array type of %d elements exceeds its size", n)
		}
		bs := uint64(t.Base.Size)
		var i uint64
		return w.nest(dims, func() error {
			err := w.elem(t.Base, v[i*bs:(i+1)*bs], depth+1)
			i++
			return err
		})
	case hdf5.ClassVlen:
		return w.vlen(t, v, depth)
	case hdf5.ClassReference:
		return w.reference(t, v)
	case hdf5.ClassTime:
		return &hdf5.UnsupportedError{Feature: "time datatype (libhdf5 and h5py cannot convert it either)"}
	}
	return &hdf5.UnsupportedError{Feature: fmt.Sprintf("datatype class %s in a json digest", t.Class)}
}

// nest writes len(dims) levels of nested lists, calling each for every
// element in C order.
func (w *jsonWriter) nest(dims []uint64, each func() error) error {
	if len(dims) == 0 {
		return each()
	}
	w.byte('[')
	for i := uint64(0); i < dims[0]; i++ {
		if i > 0 {
			w.byte(',')
		}
		if err := w.nest(dims[1:], each); err != nil {
			return err
		}
		w.maybeFlush()
	}
	w.byte(']')
	return nil
}

func (w *jsonWriter) integer(t, bits *hdf5.Datatype, v []byte, signed bool) error {
	prec, off := bits.Precision, bits.BitOffset
	if prec == 0 || uint64(off)+uint64(prec) > 8*uint64(t.Size) {
		return fmt.Errorf("hdf5: integer of %d bytes with precision %d at bit offset %d", t.Size, prec, off)
	}
	if len(v) <= 8 {
		var buf [8]byte
		appendInt(buf[:0], v, prec, off, signed)
		u := binary.LittleEndian.Uint64(buf[:])
		if signed {
			// sign-extend from len(v) bytes
			sh := 64 - 8*uint(len(v))
			w.buf = strconv.AppendInt(w.buf, int64(u<<sh)>>sh, 10)
		} else {
			w.buf = strconv.AppendUint(w.buf, u, 10)
		}
		return nil
	}
	w.buf = append(w.buf, intValue(v, prec, off, signed).String()...)
	return nil
}

func (w *jsonWriter) float(t *hdf5.Datatype, v []byte) (float64, error) {
	if bits, ok := t.IsIEEE(); ok {
		switch bits {
		case 16:
			return halfToFloat64(binary.LittleEndian.Uint16(v)), nil
		case 32:
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(v))), nil
		case 64:
			return math.Float64frombits(binary.LittleEndian.Uint64(v)), nil
		}
	}
	ff, ok := w.flts[t]
	if !ok {
		var err error
		if ff, err = newFloatFormat(t); err != nil {
			return 0, err
		}
		w.flts[t] = ff
	}
	return ff.Float64(v), nil
}

// halfToFloat64 widens an IEEE binary16 value.
func halfToFloat64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h >> 10 & 0x1f)
	m := float64(h & 0x3ff)
	switch e {
	case 0:
		return sign * math.Ldexp(m, -24)
	case 0x1f:
		if m == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1024+m, e-25)
}

// isBool reports whether t is h5py's boolean: an enum of exactly the
// members FALSE=0 and TRUE=1.
func (w *jsonWriter) isBool(t *hdf5.Datatype) bool {
	if b, ok := w.bools[t]; ok {
		return b
	}
	b := isBoolEnum(t)
	w.bools[t] = b
	return b
}

func isBoolEnum(t *hdf5.Datatype) bool {
	if t.Class != hdf5.ClassEnum || t.Base == nil || len(t.EnumNames) != 2 || len(t.EnumValues) != 2 {
		return false
	}
	base := t.Base
	got := map[string]string{}
	for i, n := range t.EnumNames {
		raw := append([]byte(nil), t.EnumValues[i]...)
		if len(raw) != int(base.Size) || base.Precision == 0 || uint64(base.BitOffset)+uint64(base.Precision) > 8*uint64(base.Size) {
			return false
		}
		hdf5.ToLittleEndian(base, raw)
		got[n] = intValue(raw, base.Precision, base.BitOffset, base.Class == hdf5.ClassInteger && base.Signed).String()
	}
	return got["FALSE"] == "0" && got["TRUE"] == "1"
}

// vlen writes a variable-length string or sequence from its descriptor.
func (w *jsonWriter) vlen(t *hdf5.Datatype, v []byte, depth int) error {
	count, data, err := w.f.VlenElement(v)
	if err != nil {
		return err
	}
	if t.VlenString {
		n := uint64(count)
		if n > uint64(len(data)) {
			n = uint64(len(data))
		}
		s := data[:n]
		// h5py turns the C string libhdf5 hands out into bytes: it ends at
		// the first NUL.
		for i, c := range s {
			if c == 0 {
				s = s[:i]
				break
			}
		}
		w.buf = AppendJSONBytes(w.buf, s)
		return nil
	}
	base := t.Base
	if base == nil {
		return fmt.Errorf("hdf5: vlen without a base type")
	}
	bs := uint64(base.Size)
	need, ok := binfmt.Mul(uint64(count), bs)
	if !ok || need > uint64(len(data)) {
		return fmt.Errorf("hdf5: variable-length sequence of %d %d-byte elements in a %d-byte heap object", count, bs, len(data))
	}
	// The heap holds the elements in the file's byte order. h5py 3.7 (the
	// reference) gets them from libhdf5 converted to native order but labels
	// them with the file's byte order, so a big-endian base reads
	// byte-swapped: its values are the file's bytes read little-endian. The
	// contract is h5py's values, so the bytes are used as stored.
	elems := data[:need]
	w.byte('[')
	for i := uint64(0); i < uint64(count); i++ {
		if i > 0 {
			w.byte(',')
		}
		if err := w.elem(base, elems[i*bs:(i+1)*bs], depth+1); err != nil {
			return err
		}
	}
	w.byte(']')
	return nil
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

func leUint(b []byte) uint64 {
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

// reference writes an object or region reference as the contract says.
func (w *jsonWriter) reference(t *hdf5.Datatype, v []byte) error {
	so := w.f.SizeOfOffsets()
	switch t.RefKind {
	case hdf5.RefObject:
		if len(v) < so {
			return fmt.Errorf("hdf5: %d-byte object reference, size of offsets is %d", len(v), so)
		}
		if allZero(v) {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		addr := leUint(v[:so])
		path, ok := w.resolve(addr)
		if !ok {
			w.buf = append(w.buf, `{"ref":null,"kind":"object"}`...)
			return nil
		}
		w.buf = append(w.buf, `{"ref":`...)
		w.appendPath(path)
		w.buf = append(w.buf, `,"addr":`...)
		w.buf = strconv.AppendUint(w.buf, addr, 10)
		w.buf = append(w.buf, `,"kind":"object"}`...)
		return nil
	case hdf5.RefRegion:
		if allZero(v) {
			w.buf = append(w.buf, "null"...)
			return nil
		}
		return w.region(v)
	}
	return &hdf5.UnsupportedError{Feature: fmt.Sprintf("reference kind %d (HDF5 1.12 references)", t.RefKind)}
}

// resolve returns the visititems path of the object at addr. ok is false
// when no object can be opened there; path is "" when one can but no path
// reaches it.
func (w *jsonWriter) resolve(addr uint64) (path string, ok bool) {
	if p, found, _ := w.f.ObjectPath(addr); found {
		return p, true
	}
	if _, err := w.f.ObjectAt(addr); err != nil {
		return "", false
	}
	return "", true
}

func (w *jsonWriter) appendPath(p string) {
	if p == "" {
		w.buf = append(w.buf, "null"...)
		return
	}
	w.buf = AppendJSONString(w.buf, p)
}
