package canon

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/goh5/goh5/hdf5"
)

// floatFormat converts a floating-point type that is not IEEE binary16/32/64
// to the first of those that is at least its stored size and holds its
// mantissa and exponent (binary64 when the type is over 8 bytes or none
// does), rounding to nearest even.
type floatFormat struct {
	size                        int
	signLoc, expLoc, expSize    uint
	mantLoc, mantSize           uint
	bias                        int64
	norm                        uint8
	target                      int // 16, 32 or 64
	expMax                      uint64
	targetMant, targetExp, tgtB int
}

func newFloatFormat(t *hdf5.Datatype) (*floatFormat, error) {
	f := &floatFormat{
		size: int(t.Size), signLoc: uint(t.SignLoc), expLoc: uint(t.ExpLoc), expSize: uint(t.ExpSize),
		mantLoc: uint(t.MantLoc), mantSize: uint(t.MantSize), bias: int64(t.ExpBias), norm: t.MantNorm,
	}
	bits := uint(8 * t.Size)
	switch {
	case t.Size == 0 || t.Size > 16:
		return nil, &hdf5.UnsupportedError{Feature: fmt.Sprintf("%d-byte floating-point type", t.Size)}
	case f.expSize == 0 || f.expSize > 32 || f.mantSize == 0 || f.mantSize > 120,
		f.signLoc >= bits, f.expLoc+f.expSize > bits, f.mantLoc+f.mantSize > bits:
		return nil, &hdf5.UnsupportedError{Feature: fmt.Sprintf("floating-point layout %s", t)}
	}
	f.expMax = 1<<f.expSize - 1
	f.target = 64
	if t.Size <= 8 {
		for _, c := range [...]struct{ size, mant, exp, bits int }{{2, 10, 5, 16}, {4, 23, 8, 32}, {8, 52, 11, 64}} {
			if c.size >= int(t.Size) && c.mant >= int(f.mantSize) && c.exp >= int(f.expSize) {
				f.target = c.bits
				break
			}
		}
	}
	return f, nil
}

// bitsOf returns n bits of little-endian v from bit pos.
func bitsOf(v []byte, pos, n uint) *big.Int {
	x := new(big.Int)
	for i := int(pos+n) - 1; i >= int(pos); i-- {
		x.Lsh(x, 1)
		if v[i/8]>>(uint(i)%8)&1 == 1 {
			x.SetBit(x, 0, 1)
		}
	}
	return x
}

// appendConverted appends the converted value of the little-endian
// element v, little-endian at the target size.
func (f *floatFormat) appendConverted(dst, v []byte) []byte {
	var buf [8]byte
	switch f.target {
	case 16:
		binary.LittleEndian.PutUint16(buf[:], f.half(v))
		return append(dst, buf[:2]...)
	case 32:
		binary.LittleEndian.PutUint32(buf[:], f.single(v))
		return append(dst, buf[:4]...)
	}
	binary.LittleEndian.PutUint64(buf[:], math.Float64bits(f.Float64(v)))
	return append(dst, buf[:]...)
}

// class of a decoded value.
const (
	fvFinite = iota
	fvInf
	fvNaN
)

// decode returns the sign, class and, for finite values, the exact value.
func (f *floatFormat) decode(v []byte) (neg bool, class int, x *big.Float) {
	neg = v[f.signLoc/8]>>(f.signLoc%8)&1 == 1
	e := bitsOf(v, f.expLoc, f.expSize).Uint64()
	m := bitsOf(v, f.mantLoc, f.mantSize)
	if e == f.expMax {
		frac := new(big.Int).Set(m)
		if f.norm != hdf5.NormImplied {
			frac.SetBit(frac, int(f.mantSize)-1, 0)
		}
		if frac.Sign() == 0 {
			return neg, fvInf, nil
		}
		return neg, fvNaN, nil
	}
	x = new(big.Float).SetPrec(256)
	if e == 0 && m.Sign() == 0 {
		x.SetInt64(0)
		if neg {
			x.Neg(x)
		}
		return neg, fvFinite, x
	}
	var scale int64
	if f.norm == hdf5.NormImplied {
		if e == 0 {
			scale = 1 - f.bias - int64(f.mantSize)
		} else {
			m.SetBit(m, int(f.mantSize), 1)
			scale = int64(e) - f.bias - int64(f.mantSize)
		}
	} else {
		ee := int64(e)
		if e == 0 {
			ee = 1
		}
		scale = ee - f.bias - int64(f.mantSize-1)
	}
	x.SetInt(m)
	x.SetMantExp(x, int(scale))
	if neg {
		x.Neg(x)
	}
	return neg, fvFinite, x
}

// Float64 returns v's value rounded to nearest even binary64.
func (f *floatFormat) Float64(v []byte) float64 {
	neg, class, x := f.decode(v)
	switch class {
	case fvInf:
		if neg {
			return math.Inf(-1)
		}
		return math.Inf(1)
	case fvNaN:
		b := uint64(0x7fffffffffffffff)
		if f.size > 8 {
			b = 0x7ff8000000000000 // numpy's long double to double
		}
		if neg {
			b |= 1 << 63
		}
		return math.Float64frombits(b)
	}
	r, _ := x.Float64()
	return r
}

func (f *floatFormat) single(v []byte) uint32 {
	neg, class, x := f.decode(v)
	var s uint32
	if neg {
		s = 1 << 31
	}
	switch class {
	case fvInf:
		return s | 0x7f800000
	case fvNaN:
		return s | 0x7fffffff
	}
	r, _ := x.Float32()
	return math.Float32bits(r)
}

func (f *floatFormat) half(v []byte) uint16 {
	neg, class, x := f.decode(v)
	var s uint16
	if neg {
		s = 1 << 15
	}
	switch class {
	case fvInf:
		return s | 0x7c00
	case fvNaN:
		return s | 0x7fff
	}
	return s | halfBits(new(big.Float).Abs(x))
}

// halfBits rounds the non-negative x to nearest even binary16.
func halfBits(x *big.Float) uint16 {
	if x.Sign() == 0 {
		return 0
	}
	// Scale to units of the smallest subnormal (2^-24) and round.
	exp := x.MantExp(nil) // x = mant * 2^exp, 0.5 <= mant < 1
	if exp-1 >= -14 {
		// normal range: 11 significant bits
		q := new(big.Float).SetMantExp(x, 10-(exp-1))
		n := roundEven(q)
		e := exp - 1
		if n >= 1<<11 {
			n >>= 1
			e++
		}
		if e > 15 {
			return 0x7c00
		}
		return uint16(e+15)<<10 | uint16(n&0x3ff)
	}
	q := new(big.Float).SetMantExp(x, 24)
	n := roundEven(q)
	return uint16(n) // n == 1<<10 is the smallest normal, which this encodes
}

// roundEven rounds the non-negative x (below 2^62) to the nearest integer,
// ties to even.
func roundEven(x *big.Float) uint64 {
	i, _ := x.Uint64()
	frac := new(big.Float).Sub(x, new(big.Float).SetUint64(i))
	c := frac.Cmp(big.NewFloat(0.5))
	if c > 0 || c == 0 && i&1 == 1 {
		i++
	}
	return i
}
