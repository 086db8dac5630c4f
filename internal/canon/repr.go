package canon

import (
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// AppendFloatRepr appends Python's repr of the binary64 value x, the form
// json.dumps writes for a finite float: the shortest digits that round-trip;
// exponent form ("1e-05", "1.5e+16") when the decimal exponent is below -4
// or at least 16; otherwise positional with at least one decimal ("1.0",
// "0.0001"). Non-finite values are written as Python's float repr
// ("nan", "inf", "-inf"); the JSON writer turns them into strings.
func AppendFloatRepr(dst []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, "nan"...)
	case math.IsInf(x, 1):
		return append(dst, "inf"...)
	case math.IsInf(x, -1):
		return append(dst, "-inf"...)
	}
	if math.Signbit(x) {
		dst = append(dst, '-')
		x = -x
	}
	if x == 0 {
		return append(dst, "0.0"...)
	}
	// 'e' with -1 gives the shortest round-trip digits: d[.ddd]e±XX.
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], x, 'e', -1, 64)
	epos := 0
	for i, c := range s {
		if c == 'e' {
			epos = i
			break
		}
	}
	mant := s[:epos]
	exp, _ := strconv.Atoi(string(s[epos+1:]))
	digits := make([]byte, 0, len(mant))
	for _, c := range mant {
		if c != '.' {
			digits = append(digits, c)
		}
	}
	if exp < -4 || exp >= 16 {
		dst = append(dst, digits[0])
		if len(digits) > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:]...)
		}
		dst = append(dst, 'e')
		if exp < 0 {
			dst = append(dst, '-')
			exp = -exp
		} else {
			dst = append(dst, '+')
		}
		if exp < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(exp), 10)
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	// exp >= 0: the integer part has exp+1 digits.
	if len(digits) <= exp+1 {
		dst = append(dst, digits...)
		for i := len(digits); i < exp+1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0')
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:]...)
}

// appendJSONFloat appends x as Python's json.dumps writes a float, with the
// corpus contract's mapping of non-finite values to the strings "NaN",
// "Infinity" and "-Infinity".
func appendJSONFloat(dst []byte, x float64) []byte {
	switch {
	case math.IsNaN(x):
		return append(dst, `"NaN"`...)
	case math.IsInf(x, 1):
		return append(dst, `"Infinity"`...)
	case math.IsInf(x, -1):
		return append(dst, `"-Infinity"`...)
	}
	return AppendFloatRepr(dst, x)
}

const hexDigits = "0123456789abcdef"

// AppendJSONBytes appends b as a JSON string in which each byte is the code
// point of the same value (latin-1), escaped as Python's json.dumps does with
// ensure_ascii=True: the short escapes \" \\ \n \r \t \b \f, and \u00xx
// (lower-case hex) for every other byte below 0x20, for 0x7f and for every
// byte from 0x80. Nothing else is escaped.
func AppendJSONBytes(dst, b []byte) []byte {
	dst = append(dst, '"')
	for _, c := range b {
		dst = appendEscapedASCII(dst, c)
	}
	return append(dst, '"')
}

// AppendJSONString appends the text s (UTF-8, as h5py decodes HDF5 names)
// as Python's json.dumps writes a str with ensure_ascii=True: the short
// escapes, \u00xx for other controls and U+007F, and \uxxxx (a surrogate
// pair above U+FFFF) for every other non-ASCII code point. A byte that is
// not valid UTF-8 becomes the lone surrogate U+DC80-U+DCFF, as Python's
// "surrogateescape" error handler decodes it.
func AppendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			dst = appendEscapedASCII(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 {
			dst = appendU(dst, 0xdc00|uint32(c))
			i++
			continue
		}
		if r > 0xffff {
			r1, r2 := utf16.EncodeRune(r)
			dst = appendU(dst, uint32(r1))
			dst = appendU(dst, uint32(r2))
		} else {
			dst = appendU(dst, uint32(r))
		}
		i += size
	}
	return append(dst, '"')
}

func appendU(dst []byte, r uint32) []byte {
	return append(dst, '\\', 'u', hexDigits[r>>12&15], hexDigits[r>>8&15], hexDigits[r>>4&15], hexDigits[r&15])
}

func appendEscapedASCII(dst []byte, c byte) []byte {
	switch c {
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	}
	if c < 0x20 || c >= 0x7f {
		return appendU(dst, uint32(c))
	}
	return append(dst, c)
}
