package filters

import (
	"encoding/binary"
	"fmt"
	"hash/adler32"
	"sync"
)

// A whole-buffer zlib (RFC 1950) and deflate (RFC 1951) decoder.
//
// HDF5 chunks are complete in memory and their decoded size is known, so
// the decoder never streams: it writes straight into one output buffer that
// is also its window, reads the input through a 64-bit bit buffer refilled
// eight bytes at a time, decodes most literal/length codes with a single
// table lookup (inflate_tables.go) and copies matches eight bytes at a time.
// A fast loop runs while at least 16 input bytes and 288 output bytes
// remain, so it needs no per-symbol bounds reasoning beyond Go's own; the
// rest of the stream goes through a careful one-symbol-at-a-time path.

var (
	errZlibHeader   = fmt.Errorf("%w: zlib: invalid header", ErrCorrupt)
	errZlibDict     = fmt.Errorf("%w: zlib: preset dictionary not supported", ErrCorrupt)
	errTruncated    = fmt.Errorf("%w: deflate: truncated stream", ErrCorrupt)
	errBlockType    = fmt.Errorf("%w: deflate: invalid block type", ErrCorrupt)
	errStoredLen    = fmt.Errorf("%w: deflate: stored block length mismatch", ErrCorrupt)
	errBadCode      = fmt.Errorf("%w: deflate: invalid code", ErrCorrupt)
	errBadTree      = fmt.Errorf("%w: deflate: invalid Huffman code lengths", ErrCorrupt)
	errTooManySyms  = fmt.Errorf("%w: deflate: too many length or distance symbols", ErrCorrupt)
	errRepeat       = fmt.Errorf("%w: deflate: invalid code length repeat", ErrCorrupt)
	errNoEOB        = fmt.Errorf("%w: deflate: missing end-of-block code", ErrCorrupt)
	errDistTooFar   = fmt.Errorf("%w: deflate: distance before start of output", ErrCorrupt)
	errAdler        = fmt.Errorf("%w: zlib adler32", ErrChecksum)
	errInflateLimit = fmt.Errorf("%w: deflate output", ErrTooLarge)
)

// lenientCodeLengthCode accepts a code length code with a single one-bit
// code, as Go's compress/flate does; zlib (and so libhdf5) rejects it as
// incomplete. Only tests set it, to compare against compress/flate.
var lenientCodeLengthCode = false

// fastOutMargin is the free output space the fast loop needs: two literals,
// a 258-byte match and the up to 7 bytes a word-wise copy writes past it.
const fastOutMargin = 288

// inflater holds the per-call state and the dynamic tables (about 43 KiB),
// so it is pooled.
type inflater struct {
	in    []byte
	ip    int    // next input byte to load into bb
	bb    uint64 // bit buffer, LSB first; bits above nb may hold later input
	nb    uint   // valid bits in bb
	over  int    // zero bytes loaded past the end of in
	out   []byte // output, len is the usable capacity
	op    int    // bytes written
	limit int

	lit    [litTableSize]uint32
	dist   [distTableSize]uint32
	cl     [1 << clBits]uint32
	lens   [286 + 30]uint8
	sorted [288]uint16
}

var inflaterPool = sync.Pool{New: func() any { return new(inflater) }}

// maxDeflateRatio bounds the expansion of deflate: a 258-byte match can
// cost no fewer than two bits (a one-bit length code and a one-bit
// distance code).
const maxDeflateRatio = 1032

// inflateZlib decodes the zlib stream src into dst[:0] (reusing its
// storage when large enough) and verifies the adler32. More than limit
// bytes of output fail with ErrTooLarge. Bytes after the adler32 are
// ignored, as zlib does.
func inflateZlib(dst, src []byte, limit int) ([]byte, error) {
	if limit < 0 {
		limit = 0
	}
	if len(src) < 2 {
		return nil, errTruncated
	}
	cmf, flg := src[0], src[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint(cmf)<<8|uint(flg))%31 != 0 {
		return nil, errZlibHeader
	}
	if flg&0x20 != 0 {
		return nil, errZlibDict
	}
	z := inflaterPool.Get().(*inflater)
	defer func() {
		z.in, z.out = nil, nil
		inflaterPool.Put(z)
	}()
	z.in, z.ip = src, 2
	z.bb, z.nb, z.over, z.op = 0, 0, 0, 0
	z.limit = limit
	z.out = outputBuffer(dst, len(src), limit)
	pos, err := z.inflate()
	if err != nil {
		return nil, err
	}
	if pos+4 > len(src) {
		return nil, errTruncated
	}
	out := z.out[:z.op]
	if adler32.Checksum(out) != binary.BigEndian.Uint32(src[pos:]) {
		return nil, errAdler
	}
	return out, nil
}

// inflateRaw decodes a raw deflate stream (no zlib wrapper) into dst[:0],
// returning the output and the number of input bytes consumed.
func inflateRaw(dst, src []byte, limit int) ([]byte, int, error) {
	if limit < 0 {
		limit = 0
	}
	z := inflaterPool.Get().(*inflater)
	defer func() {
		z.in, z.out = nil, nil
		inflaterPool.Put(z)
	}()
	z.in, z.ip = src, 0
	z.bb, z.nb, z.over, z.op = 0, 0, 0, 0
	z.limit = limit
	z.out = outputBuffer(dst, len(src), limit)
	pos, err := z.inflate()
	if err != nil {
		return nil, 0, err
	}
	return z.out[:z.op], pos, nil
}

// outputBuffer returns the buffer to decode into: dst's storage when it
// can hold the whole output, otherwise a new buffer sized by the smaller
// of limit and the most that srcLen bytes of deflate can expand to, so a
// small hostile chunk with a large limit does not allocate the limit.
func outputBuffer(dst []byte, srcLen, limit int) []byte {
	want := limit
	if srcLen < (limit-1024)/maxDeflateRatio {
		want = srcLen*maxDeflateRatio + 1024
	}
	if cap(dst) >= want {
		n := cap(dst)
		if n > limit {
			n = limit
		}
		return dst[:n]
	}
	return make([]byte, want)
}

// grow makes room for need more bytes at z.op, or fails with ErrTooLarge.
func (z *inflater) grow(need int) error {
	if need > z.limit-z.op {
		return errInflateLimit
	}
	n := 2 * len(z.out)
	if n < z.op+need {
		n = z.op + need
	}
	if n < 4096 {
		n = 4096
	}
	if n > z.limit || n < 0 {
		n = z.limit
	}
	b := make([]byte, n)
	copy(b, z.out[:z.op])
	z.out = b
	return nil
}

// refill loads input bytes until at least 57 bits are buffered, appending
// zero bytes past the end of the input (counted in over, so consuming them
// is detected as truncation).
func (z *inflater) refill() {
	for z.nb <= 56 {
		if z.ip < len(z.in) {
			z.bb |= uint64(z.in[z.ip]) << z.nb
			z.ip++
		} else {
			z.over++
		}
		z.nb += 8
	}
}

// overread reports whether bits past the end of the input were consumed.
func (z *inflater) overread() bool { return z.over > 0 && uint(z.over)*8 > z.nb }

// bits consumes and returns n (<= 32) bits; refill must have run.
func (z *inflater) bits(n uint) uint32 {
	v := uint32(z.bb & (1<<n - 1))
	z.bb >>= n
	z.nb -= n
	return v
}

// alignedPos drops the bits up to the next byte boundary and returns the
// input position of the next unread byte, emptying the bit buffer.
func (z *inflater) alignedPos() (int, error) {
	z.nb &^= 7
	pos := z.ip + z.over - int(z.nb/8)
	if pos > len(z.in) {
		return 0, errTruncated
	}
	z.bb, z.nb, z.over, z.ip = 0, 0, 0, pos
	return pos, nil
}

// inflate decodes blocks until the final one and returns the input
// position just after it (byte aligned).
func (z *inflater) inflate() (int, error) {
	for {
		z.refill()
		final := z.bits(1)
		btype := z.bits(2)
		if z.overread() {
			return 0, errTruncated
		}
		var err error
		switch btype {
		case 0:
			err = z.stored()
		case 1:
			err = z.huffman(&fixedLit, &fixedDist)
		case 2:
			if err = z.dynamicTables(); err == nil {
				err = z.huffman(&z.lit, &z.dist)
			}
		default:
			err = errBlockType
		}
		if err != nil {
			return 0, err
		}
		if final != 0 {
			return z.alignedPos()
		}
	}
}

// stored copies a stored block (RFC 1951 section 3.2.4).
func (z *inflater) stored() error {
	pos, err := z.alignedPos()
	if err != nil {
		return err
	}
	if len(z.in)-pos < 4 {
		return errTruncated
	}
	n := int(binary.LittleEndian.Uint16(z.in[pos:]))
	if binary.LittleEndian.Uint16(z.in[pos+2:]) != ^uint16(n) {
		return errStoredLen
	}
	pos += 4
	if len(z.in)-pos < n {
		return errTruncated
	}
	if n > len(z.out)-z.op {
		if err := z.grow(n); err != nil {
			return err
		}
	}
	copy(z.out[z.op:], z.in[pos:pos+n])
	z.op += n
	z.ip = pos + n
	return nil
}

// clOrder is the order of the code length code lengths, RFC 1951 3.2.7.
var clOrder = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}

// dynamicTables reads a dynamic block's code definitions (RFC 1951
// section 3.2.7) and builds z.lit and z.dist.
func (z *inflater) dynamicTables() error {
	z.refill()
	nlit := int(z.bits(5)) + 257
	ndist := int(z.bits(5)) + 1
	nclen := int(z.bits(4)) + 4
	if nlit > 286 || ndist > 30 {
		return errTooManySyms
	}
	var cll [19]uint8
	for i := 0; i < nclen; i++ {
		if z.nb < 3 {
			z.refill()
		}
		cll[clOrder[i]] = uint8(z.bits(3))
	}
	if z.overread() {
		return errTruncated
	}
	if !buildTable(z.cl[:], cll[:], clTemplates[:], clBits, lenientCodeLengthCode, &z.sorted) {
		return errBadTree
	}
	lens := z.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if z.nb < 14 {
			z.refill()
			if z.overread() {
				return errTruncated
			}
		}
		e := z.cl[z.bb&(1<<clBits-1)]
		if e&entFlagBad != 0 {
			return errBadCode
		}
		z.bb >>= e & 31
		z.nb -= uint(e & 31)
		sym := e >> 16
		if sym < 16 {
			lens[i] = uint8(sym)
			i++
			continue
		}
		var rep int
		var v uint8
		switch sym {
		case 16:
			if i == 0 {
				return errRepeat
			}
			v = lens[i-1]
			rep = 3 + int(z.bits(2))
		case 17:
			rep = 3 + int(z.bits(3))
		default:
			rep = 11 + int(z.bits(7))
		}
		if rep > len(lens)-i {
			return errRepeat
		}
		for ; rep > 0; rep-- {
			lens[i] = v
			i++
		}
	}
	if z.overread() {
		return errTruncated
	}
	if lens[256] == 0 {
		return errNoEOB
	}
	if !buildTable(z.lit[:], lens[:nlit], litTemplates[:], litBits, true, &z.sorted) {
		return errBadTree
	}
	if !buildTable(z.dist[:], lens[nlit:], distTemplates[:], distBits, true, &z.sorted) {
		return errBadTree
	}
	return nil
}

// smallPeriod[d] for a match distance d < 8 is the smallest multiple of d
// that is at least 8: once 8 bytes of such a match are written, the rest
// can be copied a word at a time from that far back.
var smallPeriod = [8]int{0, 8, 8, 9, 8, 10, 12, 14}

// huffman decodes one Huffman-coded block with the given tables.
func (z *inflater) huffman(lt *[litTableSize]uint32, dt *[distTableSize]uint32) error {
	in := z.in
	out := z.out
	bb, nb, ip, op := z.bb, z.nb, z.ip, z.op

	for {
		// Fast loop: at least 16 input bytes (two word refills) and
		// fastOutMargin output bytes are available.
		for ip <= len(in)-16 && op <= len(out)-fastOutMargin {
			bb |= binary.LittleEndian.Uint64(in[ip:]) << (nb & 63)
			ip += int(63-nb) >> 3
			nb |= 56
			// Up to three literals per refill: 3 x 15 bits <= 56.
			e := lt[bb&(1<<litBits-1)]
			if e&entFlagLit != 0 {
				bb >>= e & 31
				nb -= uint(e & 31)
				out[op] = byte(e >> 16)
				op++
				e = lt[bb&(1<<litBits-1)]
				if e&entFlagLit != 0 {
					bb >>= e & 31
					nb -= uint(e & 31)
					out[op] = byte(e >> 16)
					op++
					e = lt[bb&(1<<litBits-1)]
					if e&entFlagLit != 0 {
						bb >>= e & 31
						nb -= uint(e & 31)
						out[op] = byte(e >> 16)
						op++
						continue
					}
				}
			}
			if e&entFlagSub != 0 {
				bb >>= litBits
				nb -= litBits
				e = lt[(e>>16)+uint32(bb)&(1<<((e>>8)&31)-1)]
				if e&entFlagLit != 0 {
					bb >>= e & 31
					nb -= uint(e & 31)
					out[op] = byte(e >> 16)
					op++
					continue
				}
			}
			if e&(entFlagEOB|entFlagBad) != 0 {
				if e&entFlagBad != 0 {
					return errBadCode
				}
				bb >>= e & 31
				nb -= uint(e & 31)
				z.bb, z.nb, z.ip, z.op = bb, nb, ip, op
				return nil
			}
			total := (e >> 8) & 31
			length := int(e>>16) + int((bb&(1<<total-1))>>(e&31))
			bb >>= total
			nb -= uint(total)
			if nb < 32 {
				bb |= binary.LittleEndian.Uint64(in[ip:]) << (nb & 63)
				ip += int(63-nb) >> 3
				nb |= 56
			}
			e = dt[bb&(1<<distBits-1)]
			if e&entFlagSub != 0 {
				bb >>= distBits
				nb -= distBits
				e = dt[(e>>16)+uint32(bb)&(1<<((e>>8)&31)-1)]
			}
			if e&entFlagBad != 0 {
				return errBadCode
			}
			total = (e >> 8) & 31
			dist := int(e>>16) + int((bb&(1<<total-1))>>(e&31))
			bb >>= total
			nb -= uint(total)
			if dist > op {
				return errDistTooFar
			}
			src := op - dist
			end := op + length
			switch {
			case dist >= 8:
				for op < end {
					binary.LittleEndian.PutUint64(out[op:], binary.LittleEndian.Uint64(out[src:]))
					op += 8
					src += 8
				}
			case dist == 1:
				v := uint64(out[src]) * 0x0101010101010101
				for op < end {
					binary.LittleEndian.PutUint64(out[op:], v)
					op += 8
				}
			default:
				w := out[op : op+8 : op+8]
				s := out[src : src+8 : src+8]
				for i := range w {
					w[i] = s[i]
				}
				period := smallPeriod[dist&7]
				op += 8
				for op < end {
					binary.LittleEndian.PutUint64(out[op:], binary.LittleEndian.Uint64(out[op-period:]))
					op += 8
				}
			}
			op = end
		}

		// Careful path: one symbol with tail-safe refills and exact
		// bounds, then back to the fast loop when possible.
		z.bb, z.nb, z.ip, z.op = bb, nb, ip, op
		done, err := z.slowSymbol(lt, dt)
		if err != nil || done {
			return err
		}
		out = z.out
		bb, nb, ip, op = z.bb, z.nb, z.ip, z.op
	}
}

// slowSymbol decodes one literal, match or end of block near the end of
// the input or output. It reports true at the end of the block.
func (z *inflater) slowSymbol(lt *[litTableSize]uint32, dt *[distTableSize]uint32) (bool, error) {
	z.refill()
	e := lt[z.bb&(1<<litBits-1)]
	if e&entFlagSub != 0 {
		z.bb >>= litBits
		z.nb -= litBits
		e = lt[(e>>16)+uint32(z.bb)&(1<<((e>>8)&31)-1)]
	}
	if e&entFlagBad != 0 {
		return false, errBadCode
	}
	if e&entFlagLit != 0 {
		z.bb >>= e & 31
		z.nb -= uint(e & 31)
		if z.overread() {
			return false, errTruncated
		}
		if z.op >= len(z.out) {
			if err := z.grow(1); err != nil {
				return false, err
			}
		}
		z.out[z.op] = byte(e >> 16)
		z.op++
		return false, nil
	}
	if e&entFlagEOB != 0 {
		z.bb >>= e & 31
		z.nb -= uint(e & 31)
		if z.overread() {
			return false, errTruncated
		}
		return true, nil
	}
	total := uint((e >> 8) & 31)
	length := int(e>>16) + int((z.bb&(1<<total-1))>>(e&31))
	z.bb >>= total
	z.nb -= total
	z.refill()
	e = dt[z.bb&(1<<distBits-1)]
	if e&entFlagSub != 0 {
		z.bb >>= distBits
		z.nb -= distBits
		e = dt[(e>>16)+uint32(z.bb)&(1<<((e>>8)&31)-1)]
	}
	if e&entFlagBad != 0 {
		return false, errBadCode
	}
	total = uint((e >> 8) & 31)
	dist := int(e>>16) + int((z.bb&(1<<total-1))>>(e&31))
	z.bb >>= total
	z.nb -= total
	if z.overread() {
		return false, errTruncated
	}
	if dist > z.op {
		return false, errDistTooFar
	}
	if length > len(z.out)-z.op {
		if err := z.grow(length); err != nil {
			return false, err
		}
	}
	out := z.out[z.op-dist : z.op+length]
	for i := dist; i < len(out); i++ {
		out[i] = out[i-dist]
	}
	z.op += length
	return false, nil
}
