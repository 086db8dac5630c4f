package hdf5

import (
	"fmt"
	"math"

	"github.com/goh5/goh5/hdf5/internal/types"
)

// toNative converts, in place, every atomic value of the elements in buf
// from the type's stored byte order to little-endian. Strings, opaque data
// and the descriptors of variable-length data and references are left as
// they are.
func toNative(t *types.Datatype, buf []byte) {
	if !needsSwap(t) {
		return
	}
	es := int(t.Size)
	for off := 0; off+es <= len(buf); off += es {
		swapElem(t, buf[off:off+es])
	}
}

// needsSwap reports whether any atomic part of t is stored other than
// little-endian.
func needsSwap(t *types.Datatype) bool {
	switch t.Class {
	case types.ClassInteger, types.ClassFloat, types.ClassBitfield, types.ClassTime:
		return t.Order != types.LittleEndian && t.Size > 1
	case types.ClassEnum, types.ClassArray:
		return t.Base != nil && needsSwap(t.Base)
	case types.ClassCompound:
		for _, m := range t.Members {
			if needsSwap(m.Type) {
				return true
			}
		}
	}
	return false
}

func swapElem(t *types.Datatype, b []byte) {
	switch t.Class {
	case types.ClassInteger, types.ClassFloat, types.ClassBitfield, types.ClassTime:
		if int(t.Size) > len(b) {
			return
		}
		if t.Order == types.VAXOrder {
			vaxToLE(b[:t.Size])
			return
		}
		if t.Order == types.BigEndian {
			reverse(b[:t.Size])
		}
	case types.ClassEnum:
		if t.Base != nil {
			swapElem(t.Base, b)
		}
	case types.ClassArray:
		if t.Base == nil || t.Base.Size == 0 {
			return
		}
		bs := int(t.Base.Size)
		for off := 0; off+bs <= len(b) && off+bs <= int(t.Size); off += bs {
			swapElem(t.Base, b[off:off+bs])
		}
	case types.ClassCompound:
		for _, m := range t.Members {
			end := int(m.Offset) + int(m.Type.Size)
			if end <= len(b) {
				swapElem(m.Type, b[m.Offset:end])
			}
		}
	}
}

func reverse(b []byte) {
	for i, j := 0, len(b)-1; i < j; i, j = i+1, j-1 {
		b[i], b[j] = b[j], b[i]
	}
}

// vaxToLE reorders a VAX-ordered float (16-bit words little-endian, words
// in big-endian order) into little-endian bytes.
func vaxToLE(b []byte) {
	n := len(b)
	tmp := make([]byte, n)
	for w := 0; w+1 < n; w += 2 {
		// word w of the VAX layout is word (n/2-1-w/2) of the LE layout
		dst := n - 2 - w
		tmp[dst], tmp[dst+1] = b[w], b[w+1]
	}
	copy(b, tmp)
}

// subsetType returns the compound type made of the named members of t,
// packed in the order given.
func subsetType(t *types.Datatype, names []string) (*types.Datatype, error) {
	if t.Class != types.ClassCompound {
		return nil, fmt.Errorf("hdf5: field selection on a %s dataset, not a compound", t.String())
	}
	sub := &types.Datatype{Class: types.ClassCompound, Version: t.Version}
	var off uint32
	for _, n := range names {
		found := memberNamed(t, n)
		if found == nil {
			return nil, fmt.Errorf("hdf5: compound has no member %q: %w", n, ErrNotFound)
		}
		sub.Members = append(sub.Members, types.Member{Name: n, Offset: off, Type: found.Type})
		if off > math.MaxUint32-found.Type.Size {
			return nil, fmt.Errorf("hdf5: field selection too large")
		}
		off += found.Type.Size
	}
	sub.Size = off
	return sub, nil
}

// memberNamed returns the first member of compound t called name, or nil.
func memberNamed(t *types.Datatype, name string) *types.Member {
	for i := range t.Members {
		if t.Members[i].Name == name {
			return &t.Members[i]
		}
	}
	return nil
}

// extractFields copies the named members of each element of src (full
// elements of t) into dst, packed.
func extractFields(t *types.Datatype, names []string, src, dst []byte) {
	sub, err := subsetType(t, names)
	if err != nil {
		return
	}
	es, ss := int(t.Size), int(sub.Size)
	srcOffs := make([]int, len(sub.Members))
	for i, m := range sub.Members {
		srcOffs[i] = int(memberNamed(t, m.Name).Offset) // subsetType found each
	}
	for e := 0; (e+1)*es <= len(src) && (e+1)*ss <= len(dst); e++ {
		s, d := src[e*es:], dst[e*ss:]
		for i, m := range sub.Members {
			copy(d[m.Offset:m.Offset+m.Type.Size], s[srcOffs[i]:srcOffs[i]+int(m.Type.Size)])
		}
	}
}
