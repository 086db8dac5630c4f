package hdf5

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"reflect"

	"github.com/goh5/goh5/hdf5/internal/types"
	"github.com/goh5/goh5/internal/binfmt"
)

// This file decodes the atomic numbers of Spec 3.0, IV.A.2.d "Datatype
// Message" (H5.format.html#DatatypeMessage): fixed-point (class 0) and
// bitfield (class 4) values of Precision bits at BitOffset, and
// floating-point (class 1) values laid out by their sign, exponent and
// mantissa fields. Elements arrive little-endian (toNative has run).

// numTarget describes a Go numeric type.
type numTarget struct {
	name    string // "int32", "float64", ...
	float   bool
	signed  bool
	bits    int
	mantSig int // float: significand bits (24, 53)
	maxExp  int // float: largest unbiased exponent
	minLSB  int // float: exponent of the smallest subnormal
}

func targetOf(rt reflect.Type) (numTarget, bool) {
	t := numTarget{name: rt.Kind().String(), bits: rt.Bits()}
	switch rt.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		t.signed = true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
	case reflect.Float32:
		t.float, t.signed, t.mantSig, t.maxExp, t.minLSB = true, true, 24, 127, -149
	case reflect.Float64:
		t.float, t.signed, t.mantSig, t.maxExp, t.minLSB = true, true, 53, 1023, -1074
	default:
		return t, false
	}
	return t, true
}

// numSource is a decoded view of an integer, bitfield or float datatype (an
// enum's base type stands for the enum).
type numSource struct {
	t       *types.Datatype
	float   bool
	signed  bool
	prec    uint // integer precision in bits
	off     uint // integer bit offset
	plain   bool // integer fills its 1, 2, 4 or 8 bytes
	ieee    int  // float: 16, 32 or 64 for IEEE layouts, else 0
	sig     int  // float: significand bits
	maxExp  int  // float: largest unbiased exponent of a finite value
	minLSB  int  // float: exponent of the least significant bit of the smallest value
	hasInfs bool
}

// numericSource returns the numeric view of t, or an error naming t when t
// is not a number. Enums stand for their base integers; time values are
// integers.
func numericSource(t *types.Datatype, goType string) (*numSource, error) {
	orig := t
	if t != nil && t.Class == types.ClassEnum {
		t = t.Base
	}
	if t == nil {
		return nil, fmt.Errorf("hdf5: cannot read %s as %s", orig, goType)
	}
	if t.Size > orig.Size {
		return nil, fmt.Errorf("hdf5: %s: base type larger than the enum", orig)
	}
	s := &numSource{t: t}
	switch t.Class {
	case types.ClassInteger, types.ClassBitfield, types.ClassTime:
		s.signed = t.Class == types.ClassInteger && t.Signed
		s.prec, s.off = uint(t.Precision), uint(t.BitOffset)
		if t.Class == types.ClassTime || s.prec == 0 {
			s.prec, s.off = 8*uint(t.Size), 0
		}
		if s.prec > 64 {
			return nil, &binfmt.UnsupportedError{Feature: fmt.Sprintf("integers of %d bits (%s)", s.prec, t)}
		}
		if s.off+s.prec > 8*uint(t.Size) {
			return nil, fmt.Errorf("hdf5: %s: %d bits at bit %d do not fit %d bytes", t, s.prec, s.off, t.Size)
		}
		switch t.Size {
		case 1, 2, 4, 8:
			s.plain = s.off == 0 && s.prec == 8*uint(t.Size)
		}
		return s, nil
	case types.ClassFloat:
		s.float, s.signed = true, true
		if bits, ok := t.IsIEEE(); ok {
			s.ieee = bits
		}
		if err := checkFloatLayout(t); err != nil {
			return nil, err
		}
		s.hasInfs = true
		bias := int(t.ExpBias)
		expMax := int(1)<<t.ExpSize - 1
		if t.MantNorm == types.NormImplied {
			s.sig = int(t.MantSize) + 1
			s.maxExp = expMax - 1 - bias
			s.minLSB = 1 - bias - int(t.MantSize)
		} else {
			s.sig = int(t.MantSize)
			s.maxExp = expMax - 1 - bias
			s.minLSB = -bias - (int(t.MantSize) - 1)
		}
		return s, nil
	}
	return nil, fmt.Errorf("hdf5: cannot read %s as %s", orig, goType)
}

// checkFloatLayout rejects float layouts goh5 cannot decode: fields outside
// the element, a mantissa over 64 bits or an exponent over 30 bits.
func checkFloatLayout(t *types.Datatype) error {
	bits := 8 * uint(t.Size)
	if t.ExpSize == 0 || t.ExpSize > 30 || t.MantSize == 0 || t.MantSize > 64 ||
		uint(t.SignLoc) >= bits || uint(t.ExpLoc)+uint(t.ExpSize) > bits || uint(t.MantLoc)+uint(t.MantSize) > bits ||
		(t.MantNorm != types.NormImplied && t.MantNorm != types.NormMSBSet && t.MantNorm != types.NormNone) {
		return &binfmt.UnsupportedError{Feature: fmt.Sprintf("floating-point layout %s", t)}
	}
	return nil
}

// lossless reports whether every value of s converts exactly to tgt.
func (s *numSource) lossless(tgt numTarget) bool {
	if s.float {
		if !tgt.float {
			return false
		}
		return s.sig <= tgt.mantSig && s.maxExp <= tgt.maxExp && s.minLSB >= tgt.minLSB
	}
	p := int(s.prec)
	if tgt.float {
		if s.signed {
			return p-1 <= tgt.mantSig
		}
		return p <= tgt.mantSig
	}
	if tgt.signed {
		if s.signed {
			return p <= tgt.bits
		}
		return p < tgt.bits
	}
	return !s.signed && p <= tgt.bits
}

// lossError is the error for a conversion that may lose information.
func lossError(t *types.Datatype, goType string) error {
	return fmt.Errorf("hdf5: cannot convert %s to %s without loss (use hdf5.Lossy())", t, goType)
}

// bitsAt returns n ≤ 64 bits of the little-endian bytes b starting at bit
// off.
func bitsAt(b []byte, off, n uint) uint64 {
	var v uint64
	for i := uint(0); i < n; {
		bit := off + i
		by := bit / 8
		if by >= uint(len(b)) {
			break
		}
		sh := bit % 8
		take := 8 - sh
		if take > n-i {
			take = n - i
		}
		chunk := uint64(b[by]>>sh) & (1<<take - 1)
		v |= chunk << i
		i += take
	}
	return v
}

// raw returns the integer's bits, zero-extended.
func (s *numSource) raw(b []byte) uint64 {
	if s.plain {
		switch len(b) {
		case 1:
			return uint64(b[0])
		case 2:
			return uint64(binary.LittleEndian.Uint16(b))
		case 4:
			return uint64(binary.LittleEndian.Uint32(b))
		case 8:
			return binary.LittleEndian.Uint64(b)
		}
	}
	return bitsAt(b, s.off, s.prec)
}

// int64At returns a signed integer element, sign-extended.
func (s *numSource) int64At(b []byte) int64 {
	u := s.raw(b)
	if s.prec < 64 && u>>(s.prec-1)&1 == 1 {
		return int64(u | ^uint64(0)<<s.prec)
	}
	return int64(u)
}

// float64At decodes a float element. Values that float64 cannot hold
// exactly are rounded to nearest, ties to even.
func (s *numSource) float64At(b []byte) float64 {
	switch s.ieee {
	case 64:
		return math.Float64frombits(binary.LittleEndian.Uint64(b))
	case 32:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
	case 16:
		return float16to64(binary.LittleEndian.Uint16(b))
	}
	t := s.t
	neg := bitsAt(b, uint(t.SignLoc), 1) == 1
	e := bitsAt(b, uint(t.ExpLoc), uint(t.ExpSize))
	m := bitsAt(b, uint(t.MantLoc), uint(t.MantSize))
	sign := 1.0
	if neg {
		sign = -1
	}
	msize := uint(t.MantSize)
	if e == 1<<t.ExpSize-1 {
		frac := m
		if t.MantNorm != types.NormImplied && msize > 0 {
			frac &^= 1 << (msize - 1) // the explicit leading bit
		}
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	bias := int(t.ExpBias)
	var exp int
	sig := m
	if t.MantNorm == types.NormImplied {
		if e == 0 {
			exp = 1 - bias - int(msize)
		} else {
			if msize < 64 {
				sig |= 1 << msize
			}
			exp = int(e) - bias - int(msize)
		}
	} else {
		exp = int(e) - bias - (int(msize) - 1)
	}
	top := t.MantNorm == types.NormImplied && msize == 64 && e != 0 // implied bit 64
	if sig == 0 && !top {
		return math.Copysign(0, sign)
	}
	if sig < 1<<53 && !top {
		return sign * math.Ldexp(float64(sig), exp)
	}
	bf := new(big.Float).SetPrec(128).SetUint64(sig)
	if top {
		// The implied bit is bit 64: add it separately.
		bf.Add(bf, new(big.Float).SetMantExp(big.NewFloat(1), 64))
	}
	bf.SetMantExp(bf, exp)
	f, _ := bf.Float64()
	return sign * f
}

// float16to64 converts an IEEE binary16 value exactly.
func float16to64(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	e := int(h>>10) & 0x1f
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

// numConv converts one element of a numeric source to a Go numeric type.
// Narrowing conversions saturate (as libhdf5's do); floats convert to
// integers by truncation toward zero, NaN to zero.
type numConv struct {
	src *numSource
	tgt numTarget
}

// newNumConv checks that t converts to the Go numeric type rt, exactly
// unless lossy.
func newNumConv(t *types.Datatype, rt reflect.Type, lossy bool) (*numConv, error) {
	tgt, ok := targetOf(rt)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is not a numeric type", rt)
	}
	src, err := numericSource(t, rt.String())
	if err != nil {
		return nil, err
	}
	if !lossy && !src.lossless(tgt) {
		return nil, lossError(t, rt.String())
	}
	return &numConv{src: src, tgt: tgt}, nil
}

func (c *numConv) intRange() (lo int64, hi int64) {
	if c.tgt.bits >= 64 {
		return math.MinInt64, math.MaxInt64
	}
	return -1 << (c.tgt.bits - 1), 1<<(c.tgt.bits-1) - 1
}

func (c *numConv) uintMax() uint64 {
	if c.tgt.bits >= 64 {
		return math.MaxUint64
	}
	return 1<<c.tgt.bits - 1
}

// toInt converts for a signed integer target.
func (c *numConv) toInt(b []byte) int64 {
	lo, hi := c.intRange()
	s := c.src
	switch {
	case s.float:
		f := s.float64At(b)
		switch {
		case f != f:
			return 0
		case f <= float64(lo):
			return lo
		case f >= float64(hi):
			return hi
		}
		return int64(f)
	case s.signed:
		v := s.int64At(b)
		return min(max(v, lo), hi)
	}
	u := s.raw(b)
	if u > uint64(hi) {
		return hi
	}
	return int64(u)
}

// toUint converts for an unsigned integer target.
func (c *numConv) toUint(b []byte) uint64 {
	hi := c.uintMax()
	s := c.src
	switch {
	case s.float:
		f := s.float64At(b)
		switch {
		case f != f || f <= 0:
			return 0
		case f >= float64(hi):
			return hi
		}
		return uint64(f)
	case s.signed:
		v := s.int64At(b)
		if v < 0 {
			return 0
		}
		return min(uint64(v), hi)
	}
	return min(s.raw(b), hi)
}

// toFloat64 converts for a float64 target.
func (c *numConv) toFloat64(b []byte) float64 {
	s := c.src
	switch {
	case s.float:
		return s.float64At(b)
	case s.signed:
		return float64(s.int64At(b))
	}
	return float64(s.raw(b))
}

// toFloat32 converts for a float32 target, rounding once.
func (c *numConv) toFloat32(b []byte) float32 {
	s := c.src
	switch {
	case s.float:
		if s.ieee == 32 {
			return math.Float32frombits(binary.LittleEndian.Uint32(b))
		}
		return float32(s.float64At(b))
	case s.signed:
		return float32(s.int64At(b))
	}
	return float32(s.raw(b))
}

// set stores element b into v, a settable numeric reflect.Value of the
// target type.
func (c *numConv) set(b []byte, v reflect.Value) {
	switch {
	case c.tgt.float && c.tgt.bits == 32:
		v.SetFloat(float64(c.toFloat32(b)))
	case c.tgt.float:
		v.SetFloat(c.toFloat64(b))
	case c.tgt.signed:
		v.SetInt(c.toInt(b))
	default:
		v.SetUint(c.toUint(b))
	}
}
