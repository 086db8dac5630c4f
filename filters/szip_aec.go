package filters

import (
	"encoding/binary"
	"errors"
	"math/bits"
)

// This file decodes the Adaptive Entropy Coder of CCSDS 121.0-B ("Lossless
// Data Compression", Blue Book issues 2 and 3), the coder SZIP and libaec
// implement. The bit stream is a sequence of coded data sets (CDSs), one per
// block of J samples, most significant bit first:
//
//	option ID (id length bits)
//	  0            low-entropy options; one more bit selects
//	                 0: zero-block run: [reference] FS(run code)
//	                 1: second extension: [reference] FS(pair code)...
//	  1 .. max-1   split-sample option k = ID-1 (k = 0 is the fundamental
//	               sequence): [reference] FS(x>>k)... then x&(2^k-1)...
//	  all ones     no compression: J raw samples (the reference included)
//
// Blocks are grouped into reference sample intervals (RSIs) of r blocks. With
// the preprocessor on, the first CDS of each RSI carries a reference sample
// (an unmapped raw sample of n bits) and codes only the J-1 mapped prediction
// residuals that follow it; the residuals invert the unit-delay predictor.
// CCSDS 121.0-B-3, sections 3 (adaptive entropy coder) and 4 (preprocessor).

// aecConfig describes one coded stream.
type aecConfig struct {
	bitsPerSample  uint // n, 1..32
	bytesPerSample int  // 1, 2, 3 or 4: the size of a decoded sample
	blockSize      int  // J, 2..64 and even
	rsi            int  // blocks per reference sample interval, >= 1
	msb            bool // decoded samples are written big-endian
	preprocess     bool // unit-delay predictor and mapper are in use
	restricted     bool // restricted ID set for n <= 4 (CCSDS 121.0-B-3)
	// keep is how many leading samples of each RSI go to the output; the
	// rest pad a scanline to whole blocks (libaec's szip layer). keep equal
	// to rsi*blockSize means no padding.
	keep int
}

var (
	errAECTruncated = errors.New("szip: coded stream ends early")
	errAECRange     = errors.New("szip: coded value out of sample range")
	errAECZeroRun   = errors.New("szip: zero-block run crosses a reference sample interval")
	errAECSE        = errors.New("szip: second-extension code too large")
)

// aecMaxZeroRunSegment is the segment length, in blocks, that the
// "remainder of segment" zero-block code runs to (CCSDS 121.0-B-3, 3.4.3).
const aecMaxZeroRunSegment = 64

// aecROS is the zero-block FS value meaning "remainder of segment"; larger
// values code one block fewer than their FS value plus one.
const aecROS = 4

// aecSEMax is the largest second-extension code libaec decodes: pairs whose
// sum is at most 12. A larger code is never cheaper than the split-sample
// options, so no encoder writes it.
const aecSEMax = 90

// aecSETable maps a second-extension code m to the sum β of its pair and the
// first code of that sum, β(β+1)/2.
var aecSETable = func() (t [aecSEMax + 1][2]uint32) {
	m := 0
	for beta := uint32(0); m <= aecSEMax; beta++ {
		ms := beta * (beta + 1) / 2
		for j := uint32(0); j <= beta && m <= aecSEMax; j++ {
			t[m] = [2]uint32{beta, ms}
			m++
		}
	}
	return t
}()

// aecBits is a most-significant-bit-first bit reader. Reading past the end
// of the input sets bad and yields zero bits, so a block is decoded without
// checks and tested once.
type aecBits struct {
	src []byte
	pos int
	acc uint64 // the next n bits, left-aligned; the bits below them are zero
	n   uint
	bad bool
}

func (r *aecBits) refill() {
	if r.pos+8 <= len(r.src) {
		v := binary.BigEndian.Uint64(r.src[r.pos:])
		c := (63 - r.n) >> 3 // whole bytes that fit
		r.acc |= v >> r.n
		r.pos += int(c)
		r.n += c << 3
		// Clear the part of the next byte that came with v.
		r.acc &^= ^uint64(0) >> r.n
		return
	}
	for r.n <= 56 && r.pos < len(r.src) {
		r.acc |= uint64(r.src[r.pos]) << (56 - r.n)
		r.pos++
		r.n += 8
	}
}

// get reads k bits, 0 <= k <= 32.
func (r *aecBits) get(k uint) uint32 {
	if r.n < k {
		r.fill(k)
	}
	v := uint32(r.acc >> (64 - k)) // a shift by 64 gives 0 in Go
	r.acc <<= k
	r.n -= k
	return v
}

// orBits ORs k bits, 1 <= k <= 32, into each of vals.
func (r *aecBits) orBits(vals []uint32, k uint) {
	acc, n := r.acc, r.n
	for i := range vals {
		if n < k {
			r.acc, r.n = acc, n
			r.fill(k)
			acc, n = r.acc, r.n
		}
		vals[i] |= uint32(acc >> (64 - k))
		acc <<= k
		n -= k
	}
	r.acc, r.n = acc, n
}

// fill refills for get; past the end it marks the reader bad and leaves k
// zero bits for get to consume. It stays out of line so get inlines.
//
//go:noinline
func (r *aecBits) fill(k uint) {
	r.refill()
	if r.n < k {
		r.bad = true
		r.acc, r.n = 0, k
	}
}

// fs reads a fundamental sequence codeword: m zero bits then a one, giving m.
func (r *aecBits) fs() uint64 {
	// The bits below the n valid ones are zero, so a leading-zero count
	// below n finds the codeword's one bit.
	z := uint(bits.LeadingZeros64(r.acc)) + 1
	if z > r.n {
		return r.fsSlow()
	}
	r.acc <<= z
	r.n -= z
	return uint64(z - 1)
}

func (r *aecBits) fsSlow() uint64 {
	var m uint64
	for {
		if r.n == 0 {
			r.refill()
			if r.n == 0 {
				r.bad = true
				return 0
			}
		}
		z := uint(bits.LeadingZeros64(r.acc))
		if z < r.n {
			m += uint64(z)
			r.acc <<= z + 1
			r.n -= z + 1
			return m
		}
		m += uint64(r.n)
		r.acc, r.n = 0, 0
	}
}

// aecDecoder holds the state of one decode.
type aecDecoder struct {
	cfg   aecConfig
	br    aecBits
	idLen uint
	xmax  uint32
	last  uint32     // the previous sample, for the predictor
	block [64]uint32 // the current block's coded values
	samp  [64]uint32 // its samples after the inverse preprocessor
	out   []byte
	want  int // bytes of output still to write (whole samples)
}

// aecDecode appends n decoded bytes to out and returns it. Output grows
// gradually up to n (rounded up to whole samples, then cut to n), so a short
// hostile stream cannot make it allocate n bytes at once.
func aecDecode(out, src []byte, cfg aecConfig, n int) ([]byte, error) {
	d := aecDecoder{cfg: cfg, br: aecBits{src: src}}
	switch {
	case cfg.bitsPerSample > 16:
		d.idLen = 5
	case cfg.bitsPerSample > 8:
		d.idLen = 4
	case cfg.restricted && cfg.bitsPerSample <= 2:
		d.idLen = 1
	case cfg.restricted && cfg.bitsPerSample <= 4:
		d.idLen = 2
	default:
		d.idLen = 3
	}
	d.xmax = uint32(uint64(1)<<cfg.bitsPerSample - 1)
	bps := cfg.bytesPerSample
	total := (n + bps - 1) / bps * bps
	base := len(out)
	d.out = out
	d.want = total
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.out[:base+n], nil
}

func (d *aecDecoder) run() error {
	cfg := &d.cfg
	J := cfg.blockSize
	uncomp := uint32(1)<<d.idLen - 1
	br := &d.br
	for d.want > 0 {
		for b := 0; b < cfg.rsi && d.want > 0; {
			ref := cfg.preprocess && b == 0
			first := 0
			if ref {
				first = 1
			}
			blocks := 1
			id := br.get(d.idLen)
			switch {
			case id == 0:
				se := br.get(1)
				if ref {
					d.block[0] = br.get(cfg.bitsPerSample)
				}
				if se == 1 {
					for i := first; i < J; {
						m := br.fs()
						if m > aecSEMax {
							if br.bad {
								return errAECTruncated
							}
							return errAECSE
						}
						e := aecSETable[m]
						second := uint32(m) - e[1]
						if i&1 == 0 {
							d.block[i] = e[0] - second
							i++
						}
						d.block[i] = second
						i++
					}
					if 12 > d.xmax {
						for i := first; i < J; i++ {
							if d.block[i] > d.xmax {
								return errAECRange
							}
						}
					}
				} else {
					m := br.fs()
					if br.bad {
						return errAECTruncated
					}
					var z uint64
					switch {
					case m < aecROS:
						z = m + 1
					case m == aecROS:
						z = uint64(min(cfg.rsi-b, aecMaxZeroRunSegment-b%aecMaxZeroRunSegment))
					default:
						z = m
					}
					if z > uint64(cfg.rsi-b) {
						return errAECZeroRun
					}
					blocks = int(z)
					clear(d.block[first:J])
				}
			case id == uncomp:
				clear(d.block[:J])
				br.orBits(d.block[:J], cfg.bitsPerSample)
			default:
				k := uint(id - 1)
				if ref {
					d.block[0] = br.get(cfg.bitsPerSample)
				}
				lim := uint64(d.xmax >> k) // k <= 29
				// The FS codewords are the hot loop: keep the reader in
				// registers and refill only when few bits are left.
				acc, nb := br.acc, br.n
				for i := first; i < J; i++ {
					if nb < 32 {
						br.acc, br.n = acc, nb
						br.refill()
						acc, nb = br.acc, br.n
					}
					var m uint64
					if z := uint(bits.LeadingZeros64(acc)) + 1; z <= nb {
						acc <<= z
						nb -= z
						m = uint64(z - 1)
					} else {
						br.acc, br.n = acc, nb
						m = br.fsSlow()
						acc, nb = br.acc, br.n
					}
					if m > lim {
						if br.bad {
							return errAECTruncated
						}
						return errAECRange
					}
					d.block[i] = uint32(m) << k
				}
				br.acc, br.n = acc, nb
				if k > 0 {
					br.orBits(d.block[first:J], k)
				}
			}
			if br.bad {
				return errAECTruncated
			}
			for j := 0; j < blocks && d.want > 0; j++ {
				d.emit(b, ref && j == 0)
				if j == 0 && ref {
					d.block[0] = 0
				}
				b++
			}
		}
	}
	return nil
}

// emit inverts the preprocessor on the current block, the b-th of its RSI,
// and writes the samples that are neither scanline padding nor past the end.
func (d *aecDecoder) emit(b int, ref bool) {
	cfg := &d.cfg
	J := cfg.blockSize
	cnt := min(J, cfg.keep-b*J)
	if cnt <= 0 {
		return
	}
	bps := cfg.bytesPerSample
	cnt = min(cnt, d.want/bps)
	vals := d.block[:cnt]
	if cfg.preprocess {
		last := d.last
		xmax := d.xmax
		samp := d.samp[:cnt]
		for i, v := range vals {
			if i == 0 && ref {
				last = v
				samp[0] = v
				continue
			}
			// Inverse of the mapping of CCSDS 121.0-B-3, 4.3: θ is the
			// distance from the prediction to the nearer end of the range.
			theta := min(last, xmax-last)
			switch {
			case v <= 2*theta:
				if v&1 == 0 {
					last += v >> 1
				} else {
					last -= (v >> 1) + 1
				}
			case theta == last:
				last = v
			default:
				last = xmax - v
			}
			samp[i] = last
		}
		d.last = last
		vals = samp
	}
	nb := cnt * bps
	if cap(d.out)-len(d.out) < nb {
		d.grow(nb)
	}
	p := d.out[len(d.out) : len(d.out)+nb]
	switch {
	case bps == 1:
		for i, v := range vals {
			p[i] = byte(v)
		}
	case bps == 2 && cfg.msb:
		for i, v := range vals {
			binary.BigEndian.PutUint16(p[2*i:], uint16(v))
		}
	case bps == 2:
		for i, v := range vals {
			binary.LittleEndian.PutUint16(p[2*i:], uint16(v))
		}
	case bps == 4 && cfg.msb:
		for i, v := range vals {
			binary.BigEndian.PutUint32(p[4*i:], v)
		}
	case bps == 4:
		for i, v := range vals {
			binary.LittleEndian.PutUint32(p[4*i:], v)
		}
	case cfg.msb: // 3
		for i, v := range vals {
			p[3*i], p[3*i+1], p[3*i+2] = byte(v>>16), byte(v>>8), byte(v)
		}
	default:
		for i, v := range vals {
			p[3*i], p[3*i+1], p[3*i+2] = byte(v), byte(v>>8), byte(v>>16)
		}
	}
	d.out = d.out[:len(d.out)+nb]
	d.want -= nb
}

// grow makes room for at least nb more bytes, doubling the buffer but never
// past the bytes still wanted.
func (d *aecDecoder) grow(nb int) {
	have := len(d.out)
	c := max(2*cap(d.out), 64<<10, have+nb)
	c = min(c, have+d.want)
	buf := make([]byte, have, c)
	copy(buf, d.out)
	d.out = buf
}
