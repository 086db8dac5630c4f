package canon

import "github.com/goh5/goh5/hdf5"

// toLE converts, in place, every atomic value of the elements of type t in
// buf from the type's stored byte order to little-endian, as
// hdf5.Dataset.Read does (the hdf5 package keeps its converter unexported;
// attribute values and variable-length heap data come in file order).
// Strings, opaque data and the descriptors of variable-length data and
// references are left as they are.
func toLE(t *hdf5.Datatype, buf []byte) {
	if !needsSwap(t, 0) {
		return
	}
	es := int(t.Size)
	if es == 0 {
		return
	}
	for off := 0; off+es <= len(buf); off += es {
		swapElem(t, buf[off:off+es], 0)
	}
}

func needsSwap(t *hdf5.Datatype, depth int) bool {
	if t == nil || depth > maxDepth {
		return false
	}
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassFloat, hdf5.ClassBitfield, hdf5.ClassTime:
		return t.Order != orderLE && t.Size > 1
	case hdf5.ClassEnum, hdf5.ClassArray:
		return needsSwap(t.Base, depth+1)
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			if needsSwap(m.Type, depth+1) {
				return true
			}
		}
	}
	return false
}

func swapElem(t *hdf5.Datatype, b []byte, depth int) {
	if t == nil || depth > maxDepth {
		return
	}
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassFloat, hdf5.ClassBitfield, hdf5.ClassTime:
		n := int(t.Size)
		if n > len(b) {
			return
		}
		switch t.Order {
		case orderBE:
			reverse(b[:n])
		case orderVAX:
			vaxToLE(b[:n])
		}
	case hdf5.ClassEnum:
		swapElem(t.Base, b, depth+1)
	case hdf5.ClassArray:
		if t.Base == nil || t.Base.Size == 0 {
			return
		}
		bs := int(t.Base.Size)
		for off := 0; off+bs <= len(b) && off+bs <= int(t.Size); off += bs {
			swapElem(t.Base, b[off:off+bs], depth+1)
		}
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			if m.Type == nil {
				continue
			}
			end := uint64(m.Offset) + uint64(m.Type.Size)
			if end <= uint64(len(b)) {
				swapElem(m.Type, b[m.Offset:end], depth+1)
			}
		}
	}
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// vaxToLE reorders a VAX-ordered value (16-bit little-endian words, the
// most significant word first) into little-endian bytes.
func vaxToLE(b []byte) {
	n := len(b) &^ 1
	for i, j := 0, n-2; i < j; i, j = i+2, j-2 {
		b[i], b[j] = b[j], b[i]
		b[i+1], b[j+1] = b[j+1], b[i+1]
	}
}

// Values of hdf5.Datatype fields whose named constants live in an internal
// package of hdf5 (Spec 3.0, IV.A.2.d).
const (
	orderLE  = 0 // Order: little-endian
	orderBE  = 1 // Order: big-endian
	orderVAX = 2 // Order: VAX (floats only)

	padNullTerm = 0 // Pad: NUL-terminated
	padNull     = 1 // Pad: NUL-padded
	padSpace    = 2 // Pad: space-padded

	refObject = 0 // RefKind: object reference
	refRegion = 1 // RefKind: dataset region reference

	normNone    = 0 // MantNorm: no normalization
	normMSBSet  = 1 // MantNorm: the leading mantissa bit is stored
	normImplied = 2 // MantNorm: the leading mantissa bit is implied

	// maxDepth bounds recursion through nested datatypes.
	maxDepth = 64
)
