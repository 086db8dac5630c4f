package filters

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// shuffleFilter undoes the shuffle filter (ID 2). On write, libhdf5 stores
// byte 0 of every element, then byte 1 of every element, and so on; bytes
// past the last whole element (len % size) are copied unchanged at the end.
// The client data value is the element size in bytes. As in libhdf5, an
// element size of 1 or a chunk of at most one element passes through.
// Spec 3.0, IV.A.2.l "Data Storage - Filter Pipeline Message"
// (H5.format.html#FilterMessage), filter identification 2.
type shuffleFilter struct{}

var _ Filter = shuffleFilter{}

func init() { Register(shuffleFilter{}) }

func (shuffleFilter) ID() uint16   { return IDShuffle }
func (shuffleFilter) Name() string { return "shuffle" }

var errShuffleParams = errors.New("hdf5: shuffle: missing element size parameter")

func (shuffleFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	if len(params) < 1 {
		return nil, errShuffleParams
	}
	if len(src) > limit {
		return nil, ErrTooLarge
	}
	size := int(params[0])
	if params[0] == 0 || uint64(params[0]) > 1<<20 {
		return nil, fmt.Errorf("%w: shuffle element size %d", ErrCorrupt, params[0])
	}
	out := growTo(dst, len(src))
	n := len(src) / size
	if size == 1 || n <= 1 {
		copy(out, src)
		return out, nil
	}
	unshuffle(out, src, size, n)
	// Leftover bytes that do not make a whole element were not shuffled.
	copy(out[n*size:], src[n*size:])
	return out, nil
}

// unshuffle writes n elements of size bytes to out from the byte planes in
// src (plane j holds byte j of each element, n bytes long). Element sizes
// 2, 4 and 8 take eight elements at a time: one 64-bit load per plane, a
// byte transpose in registers, and 64-bit stores.
func unshuffle(out, src []byte, size, n int) {
	done := 0
	switch size {
	case 2:
		done = unshuffle2(out, src, n)
	case 4:
		done = unshuffle4(out, src, n)
	case 8:
		done = unshuffle8(out, src, n)
	}
	// The remaining elements (all of them for other sizes) byte by byte.
	for j := 0; j < size; j++ {
		plane := src[j*n+done : (j+1)*n]
		for i, b := range plane {
			out[(done+i)*size+j] = b
		}
	}
}

// The transposes below are built from delta swaps: swap(x, y, s, mask)
// exchanges the bits of x selected by mask<<s with the bits of y selected
// by mask. Plane j of a group of eight elements is one little-endian
// 64-bit word (byte i = byte j of element i); swapping bytes, then 16-bit
// units, then 32-bit halves between plane words turns them into element
// words.

func unshuffle2(out, src []byte, n int) int {
	m := n &^ 7
	p0, p1 := src[:m:m], src[n:n+m]
	o := out[:2*m]
	for i := 0; i+8 <= len(p0) && i+8 <= len(p1) && 2*i+16 <= len(o); i += 8 {
		a := binary.LittleEndian.Uint64(p0[i : i+8])
		b := binary.LittleEndian.Uint64(p1[i : i+8])
		// a = e0 e2 e4 e6, b = e1 e3 e5 e7 (16-bit elements).
		t := (a>>8 ^ b) & 0x00ff00ff00ff00ff
		b ^= t
		a ^= t << 8
		// a = e0 e2 e1 e3, b = e4 e6 e5 e7.
		t = (a>>32 ^ b) & 0xffffffff
		b ^= t
		a ^= t << 32
		// Swap the middle 16-bit units of each word.
		t = (a ^ a>>16) & 0xffff0000
		a ^= t | t<<16
		t = (b ^ b>>16) & 0xffff0000
		b ^= t | t<<16
		w := o[2*i : 2*i+16]
		binary.LittleEndian.PutUint64(w[0:8], a)
		binary.LittleEndian.PutUint64(w[8:16], b)
	}
	return m
}

func unshuffle4(out, src []byte, n int) int {
	m := n &^ 7
	interleave4(out[:4*m], src[:m:m], src[n:n+m], src[2*n:2*n+m], src[3*n:3*n+m])
	return m
}

// interleave4 writes element i of four byte planes (p0[i] p1[i] p2[i]
// p3[i]) to o[4i:4i+4], eight elements at a time transposed in registers.
// The planes' common length must be a multiple of 8; blosc's split streams
// use it too.
func interleave4(o, p0, p1, p2, p3 []byte) {
	for i := 0; i+8 <= len(p0) && i+8 <= len(p1) && i+8 <= len(p2) && i+8 <= len(p3) && 4*i+32 <= len(o); i += 8 {
		a := binary.LittleEndian.Uint64(p0[i : i+8])
		b := binary.LittleEndian.Uint64(p1[i : i+8])
		c := binary.LittleEndian.Uint64(p2[i : i+8])
		d := binary.LittleEndian.Uint64(p3[i : i+8])
		t := (a>>8 ^ b) & 0x00ff00ff00ff00ff
		b ^= t
		a ^= t << 8
		t = (c>>8 ^ d) & 0x00ff00ff00ff00ff
		d ^= t
		c ^= t << 8
		// a = e0 e4 (32-bit elements), c = e2 e6, b = e1 e5, d = e3 e7.
		t = (a>>16 ^ c) & 0x0000ffff0000ffff
		c ^= t
		a ^= t << 16
		t = (b>>16 ^ d) & 0x0000ffff0000ffff
		d ^= t
		b ^= t << 16
		w := o[4*i : 4*i+32]
		binary.LittleEndian.PutUint64(w[0:8], a&0xffffffff|b<<32)
		binary.LittleEndian.PutUint64(w[8:16], c&0xffffffff|d<<32)
		binary.LittleEndian.PutUint64(w[16:24], a>>32|b&^0xffffffff)
		binary.LittleEndian.PutUint64(w[24:32], c>>32|d&^0xffffffff)
	}
}

func unshuffle8(out, src []byte, n int) int {
	m := n &^ 7
	p0, p1, p2, p3 := src[:m:m], src[n:n+m], src[2*n:2*n+m], src[3*n:3*n+m]
	p4, p5, p6, p7 := src[4*n:4*n+m], src[5*n:5*n+m], src[6*n:6*n+m], src[7*n:7*n+m]
	o := out[:8*m]
	for i := 0; i+8 <= m; i += 8 {
		r0 := binary.LittleEndian.Uint64(p0[i : i+8])
		r1 := binary.LittleEndian.Uint64(p1[i : i+8])
		r2 := binary.LittleEndian.Uint64(p2[i : i+8])
		r3 := binary.LittleEndian.Uint64(p3[i : i+8])
		r4 := binary.LittleEndian.Uint64(p4[i : i+8])
		r5 := binary.LittleEndian.Uint64(p5[i : i+8])
		r6 := binary.LittleEndian.Uint64(p6[i : i+8])
		r7 := binary.LittleEndian.Uint64(p7[i : i+8])
		const m8, m16 = 0x00ff00ff00ff00ff, 0x0000ffff0000ffff
		t := (r0>>8 ^ r1) & m8
		r1 ^= t
		r0 ^= t << 8
		t = (r2>>8 ^ r3) & m8
		r3 ^= t
		r2 ^= t << 8
		t = (r4>>8 ^ r5) & m8
		r5 ^= t
		r4 ^= t << 8
		t = (r6>>8 ^ r7) & m8
		r7 ^= t
		r6 ^= t << 8
		t = (r0>>16 ^ r2) & m16
		r2 ^= t
		r0 ^= t << 16
		t = (r1>>16 ^ r3) & m16
		r3 ^= t
		r1 ^= t << 16
		t = (r4>>16 ^ r6) & m16
		r6 ^= t
		r4 ^= t << 16
		t = (r5>>16 ^ r7) & m16
		r7 ^= t
		r5 ^= t << 16
		// rj now holds bytes 0-3 of elements j and j+4 (j < 4) or bytes
		// 4-7 of elements j-4 and j (j >= 4).
		w := o[8*i : 8*i+64]
		binary.LittleEndian.PutUint64(w[0:8], r0&0xffffffff|r4<<32)
		binary.LittleEndian.PutUint64(w[8:16], r1&0xffffffff|r5<<32)
		binary.LittleEndian.PutUint64(w[16:24], r2&0xffffffff|r6<<32)
		binary.LittleEndian.PutUint64(w[24:32], r3&0xffffffff|r7<<32)
		binary.LittleEndian.PutUint64(w[32:40], r0>>32|r4&^0xffffffff)
		binary.LittleEndian.PutUint64(w[40:48], r1>>32|r5&^0xffffffff)
		binary.LittleEndian.PutUint64(w[48:56], r2>>32|r6&^0xffffffff)
		binary.LittleEndian.PutUint64(w[56:64], r3>>32|r7&^0xffffffff)
	}
	return m
}

func le64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func put64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }
