package canon

import (
	"encoding/binary"
	"fmt"
	"math/big"

	"github.com/goh5/goh5/hdf5"
)

// opKind is one step of a packing plan.
type opKind uint8

const (
	opCopy  opKind = iota // n bytes as they are (LE integers that fill their bytes, IEEE floats, opaque)
	opInt                 // an integer's precision bits, sign- or zero-extended
	opFloat               // a non-IEEE float, converted
	opStr                 // a fixed-length string member: its value, NUL-padded
)

type op struct {
	kind   opKind
	src    uint32 // offset in the stored element
	n      uint32 // stored size
	out    uint32 // canonical size
	prec   uint16
	off    uint16
	signed bool
	pad    hdf5.StrPad
	ft     *floatFormat
}

// plan turns one stored element (little-endian, as hdf5 reads it) into its
// canonical packed bytes.
type plan struct {
	ops      []op
	inSize   uint32
	outSize  uint32
	identity bool // the canonical bytes are the stored bytes
}

// maxPlanOps caps the steps of one plan (array members are unrolled).
const maxPlanOps = 1 << 20

func newPlan(t *hdf5.Datatype) (*plan, error) {
	p := &plan{inSize: t.Size}
	if err := p.add(t, 0, 0); err != nil {
		return nil, err
	}
	for _, o := range p.ops {
		p.outSize += o.out
	}
	p.identity = len(p.ops) == 0 && t.Size == 0 ||
		len(p.ops) == 1 && p.ops[0].kind == opCopy && p.ops[0].src == 0 && p.ops[0].n == t.Size
	return p, nil
}

func (p *plan) push(o op) error {
	if n := len(p.ops); n > 0 && o.kind == opCopy {
		last := &p.ops[n-1]
		if last.kind == opCopy && last.src+last.n == o.src {
			last.n += o.n
			last.out += o.out
			return nil
		}
	}
	if len(p.ops) >= maxPlanOps {
		return &hdf5.UnsupportedError{Feature: fmt.Sprintf("datatype with more than %d atomic parts", maxPlanOps)}
	}
	p.ops = append(p.ops, o)
	return nil
}

func (p *plan) add(t *hdf5.Datatype, src uint32, depth int) error {
	if t == nil || depth > maxDepth {
		return fmt.Errorf("hdf5: datatype nested too deeply")
	}
	if uint64(src)+uint64(t.Size) > uint64(p.inSize) {
		return fmt.Errorf("hdf5: datatype member at offset %d (%d bytes) overruns its %d-byte element", src, t.Size, p.inSize)
	}
	switch t.Class {
	case hdf5.ClassInteger, hdf5.ClassBitfield:
		return p.addInt(t, t, src, t.Class == hdf5.ClassInteger && t.Signed)
	case hdf5.ClassEnum:
		if t.Base == nil {
			return fmt.Errorf("hdf5: enum without a base type")
		}
		return p.addInt(t, t.Base, src, t.Base.Class == hdf5.ClassInteger && t.Base.Signed)
	case hdf5.ClassFloat:
		if _, ok := t.IsIEEE(); ok {
			return p.push(op{kind: opCopy, src: src, n: t.Size, out: t.Size})
		}
		ff, err := newFloatFormat(t)
		if err != nil {
			return err
		}
		return p.push(op{kind: opFloat, src: src, n: t.Size, out: uint32(ff.target / 8), ft: ff})
	case hdf5.ClassOpaque:
		return p.push(op{kind: opCopy, src: src, n: t.Size, out: t.Size})
	case hdf5.ClassString:
		return p.push(op{kind: opStr, src: src, n: t.Size, out: t.Size, pad: t.Pad})
	case hdf5.ClassCompound:
		for _, m := range t.Members {
			if m.Type == nil {
				return fmt.Errorf("hdf5: compound member %q without a type", m.Name)
			}
			if uint64(m.Offset)+uint64(src) > uint64(p.inSize) {
				return fmt.Errorf("hdf5: compound member %q at offset %d overruns its element", m.Name, m.Offset)
			}
			if err := p.add(m.Type, src+m.Offset, depth+1); err != nil {
				return err
			}
		}
		return nil
	case hdf5.ClassArray:
		if t.Base == nil || t.Base.Size == 0 {
			return fmt.Errorf("hdf5: array without a base type")
		}
		n := uint64(1)
		for _, d := range t.Dims {
			n *= uint64(d)
			if n > uint64(t.Size) && t.Base.Size > 0 {
				return fmt.Errorf("hdf5: array type dimensions exceed its size")
			}
		}
		bs := t.Base.Size
		if bs > 0 && n*uint64(bs) > uint64(t.Size) {
			return fmt.Errorf("hdf5: array type of %d elements of %d bytes exceeds its size %d", n, bs, t.Size)
		}
		for i := uint64(0); i < n; i++ {
			if err := p.add(t.Base, src+uint32(i)*bs, depth+1); err != nil {
				return err
			}
		}
		return nil
	case hdf5.ClassTime:
		return &hdf5.UnsupportedError{Feature: "time datatype (libhdf5 and h5py cannot convert it either)"}
	}
	return fmt.Errorf("hdf5: %s data has no packed form", t.Class)
}

// addInt adds an integer-like value stored in the Size bytes of t whose
// bits are described by bits (t itself, or an enum's base).
func (p *plan) addInt(t, bits *hdf5.Datatype, src uint32, signed bool) error {
	size := uint64(t.Size)
	prec, off := uint64(bits.Precision), uint64(bits.BitOffset)
	if prec == 0 || off+prec > 8*size {
		return fmt.Errorf("hdf5: integer of %d bytes with precision %d at bit offset %d", size, prec, off)
	}
	if off == 0 && prec == 8*size {
		return p.push(op{kind: opCopy, src: src, n: t.Size, out: t.Size})
	}
	return p.push(op{kind: opInt, src: src, n: t.Size, out: t.Size, prec: uint16(prec), off: uint16(off), signed: signed})
}

// apply appends the canonical bytes of the stored elements in src to dst.
func (p *plan) apply(dst, src []byte) []byte {
	if p.identity {
		return append(dst, src...)
	}
	es := int(p.inSize)
	if es == 0 {
		return dst
	}
	for e := 0; e+es <= len(src); e += es {
		elem := src[e : e+es]
		for i := range p.ops {
			o := &p.ops[i]
			v := elem[o.src : o.src+o.n]
			switch o.kind {
			case opCopy:
				dst = append(dst, v...)
			case opInt:
				dst = appendInt(dst, v, o.prec, o.off, o.signed)
			case opFloat:
				dst = o.ft.appendConverted(dst, v)
			case opStr:
				s := stripString(v, o.pad)
				dst = append(dst, s...)
				for j := len(s); j < len(v); j++ {
					dst = append(dst, 0)
				}
			}
		}
	}
	return dst
}

// appendInt appends the value in the prec bits from bit off of the
// little-endian v, sign- or zero-extended, little-endian at len(v) bytes.
func appendInt(dst, v []byte, prec, off uint16, signed bool) []byte {
	if len(v) <= 8 {
		var buf [8]byte
		copy(buf[:], v)
		u := binary.LittleEndian.Uint64(buf[:]) >> off
		if prec < 64 {
			u &= 1<<prec - 1
			if signed && u>>(prec-1)&1 == 1 {
				u |= ^uint64(0) << prec
			}
		}
		binary.LittleEndian.PutUint64(buf[:], u)
		return append(dst, buf[:len(v)]...)
	}
	x := intValue(v, prec, off, signed)
	return appendBigLE(dst, x, len(v))
}

// intValue is the integer in the prec bits from bit off of little-endian v.
func intValue(v []byte, prec, off uint16, signed bool) *big.Int {
	be := make([]byte, len(v))
	for i := range v {
		be[len(v)-1-i] = v[i]
	}
	x := new(big.Int).SetBytes(be)
	x.Rsh(x, uint(off))
	mask := new(big.Int).Lsh(big.NewInt(1), uint(prec))
	mask.Sub(mask, big.NewInt(1))
	x.And(x, mask)
	if signed && x.Bit(int(prec)-1) == 1 {
		x.Sub(x, new(big.Int).Lsh(big.NewInt(1), uint(prec)))
	}
	return x
}

// appendBigLE appends x in two's complement, little-endian, n bytes.
func appendBigLE(dst []byte, x *big.Int, n int) []byte {
	y := new(big.Int).Set(x)
	if y.Sign() < 0 {
		y.Add(y, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	be := y.FillBytes(make([]byte, n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, be[i])
	}
	return dst
}

// stripString applies a fixed-length string's padding rule: nullterm cuts
// at the first NUL, nullpad removes trailing NULs, spacepad removes
// trailing NULs and then trailing spaces (as h5ref.py's _strip does).
func stripString(b []byte, pad hdf5.StrPad) []byte {
	switch pad {
	case hdf5.PadNullTerm:
		for i, c := range b {
			if c == 0 {
				return b[:i]
			}
		}
		return b
	case hdf5.PadSpace:
		b = trimRight(b, 0)
		return trimRight(b, ' ')
	}
	return trimRight(b, 0)
}

func trimRight(b []byte, c byte) []byte {
	n := len(b)
	for n > 0 && b[n-1] == c {
		n--
	}
	return b[:n]
}
