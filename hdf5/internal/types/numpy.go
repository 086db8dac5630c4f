package types

import "strconv"

// NumpyDescr returns the numpy dtype string (numpy's dtype.str) that h5py
// gives for t, so tools can print what Python users see:
//
//	integer          "<i4", ">u2", "|i1" (any precision maps to the whole size)
//	bitfield         the unsigned integer of the same size: "|u1", ">u2"
//	float            the smallest of f2, f4, f8, f16 (long double) that h5py
//	                 accepts for the bit layout, e.g. "<f2", ">f8", "<f16"
//	string           "|S10" (fixed-length, any charset)
//	opaque           "|V16"
//	enum             "|b1" for h5py booleans (exactly FALSE=0 and TRUE=1),
//	                 otherwise the base integer's string
//	vlen, reference  "|O" (numpy's object dtype)
//
// It returns "" when no single scalar descriptor exists: for compounds (use
// NumpyFields), arrays (h5py gives a subarray dtype: describe t.Base with
// t.Dims), time types and VAX floats (h5py has no equivalent), and integer
// sizes numpy lacks.
func (t *Datatype) NumpyDescr() string {
	if t == nil {
		return ""
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		kind := "u"
		if t.Class == ClassInteger && t.Signed {
			kind = "i"
		}
		switch t.Size {
		case 1, 2, 4, 8:
			return t.orderChar(t.Size) + kind + strconv.Itoa(int(t.Size))
		}
	case ClassFloat:
		return t.numpyFloat()
	case ClassString:
		return "|S" + strconv.FormatUint(uint64(t.Size), 10)
	case ClassOpaque:
		return "|V" + strconv.FormatUint(uint64(t.Size), 10)
	case ClassEnum:
		if t.isBool() {
			return "|b1"
		}
		return t.Base.NumpyDescr()
	case ClassVlen, ClassReference:
		return "|O"
	}
	return ""
}

func (t *Datatype) orderChar(size uint32) string {
	switch {
	case size == 1:
		return "|"
	case t.Order == BigEndian:
		return ">"
	}
	return "<"
}

// isBool reports whether t is the enum h5py uses for numpy booleans: exactly
// two members, FALSE=0 and TRUE=1 (in either order).
func (t *Datatype) isBool() bool {
	if t.Class != ClassEnum || len(t.EnumNames) != 2 || len(t.EnumValues) != 2 || t.Base == nil {
		return false
	}
	got := map[string]string{}
	for i, n := range t.EnumNames {
		got[n] = t.Base.intString(t.EnumValues[i])
	}
	return got["FALSE"] == "0" && got["TRUE"] == "1"
}

// numpyFloat follows h5py's TypeFloatID.py_dtype: the first numpy float, in
// increasing size, at least as large as t whose mantissa and exponent range
// hold t's (numpy's finfo nmant, maxexp and minexp on x86-64, with h5py's
// correction of the 80-bit long double's mantissa to 64 bits).
func (t *Datatype) numpyFloat() string {
	if t.Order == VAXOrder {
		return ""
	}
	for _, f := range [...]struct {
		size           uint32
		nmant          int64
		maxexp, minexp int64
	}{
		{2, 10, 16, -14},
		{4, 23, 128, -126},
		{8, 52, 1024, -1022},
		{16, 64, 16384, -16382}, // x87 80-bit: h5py counts the explicit integer bit
	} {
		if f.size < t.Size || int64(t.MantSize) > f.nmant || t.ExpSize > 62 {
			continue
		}
		bias := int64(t.ExpBias)
		if int64(1)<<t.ExpSize-bias-1 <= f.maxexp && 1-bias >= f.minexp {
			return t.orderChar(f.size) + "f" + strconv.Itoa(int(f.size))
		}
	}
	return ""
}

// NumpyField is one field of the structured numpy dtype h5py gives a compound
// type.
type NumpyField struct {
	Name   string
	Offset uint32
	// Descr is the field's scalar dtype string (see NumpyDescr); for an array
	// member it describes one element. It is "" when Fields is set.
	Descr string
	// Shape is the subarray shape of an array member, nil otherwise.
	Shape []uint32
	// Fields and Itemsize describe a nested compound (or an array of one).
	Fields   []NumpyField
	Itemsize uint32
}

// NumpyFields returns the structured numpy dtype of a compound type, one
// entry per member in message order, recursing into nested compounds; nil
// when t is not a compound.
func (t *Datatype) NumpyFields() []NumpyField {
	return t.numpyFields(0)
}

func (t *Datatype) numpyFields(depth int) []NumpyField {
	if t == nil || t.Class != ClassCompound || depth > MaxDepth {
		return nil
	}
	out := make([]NumpyField, 0, len(t.Members))
	for _, m := range t.Members {
		f := NumpyField{Name: m.Name, Offset: m.Offset}
		mt := m.Type
		if mt != nil && mt.Class == ClassArray {
			f.Shape = append([]uint32(nil), mt.Dims...)
			mt = mt.Base
		}
		if mt != nil && mt.Class == ClassCompound {
			f.Fields = mt.numpyFields(depth + 1)
			f.Itemsize = mt.Size
		} else {
			f.Descr = mt.NumpyDescr()
		}
		out = append(out, f)
	}
	return out
}
