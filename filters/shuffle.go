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

// spread8 moves byte i of x to byte 2i of the result.
func spread8(x uint32) uint64 {
	v := uint64(x)
	v = (v | v<<16) & 0x0000ffff0000ffff
	return (v | v<<8) & 0x00ff00ff00ff00ff
}

// spread16 moves 16-bit unit i of x to unit 2i of the result.
func spread16(x uint32) uint64 {
	v := uint64(x)
	return (v | v<<16) & 0x0000ffff0000ffff
}

// il8 interleaves the bytes of a and b: a0 b0 a1 b1 ... a7 b7.
func il8(a, b uint64) (lo, hi uint64) {
	return spread8(uint32(a)) | spread8(uint32(b))<<8, spread8(uint32(a>>32)) | spread8(uint32(b>>32))<<8
}

// il16 interleaves the 16-bit units of a and b.
func il16(a, b uint64) (lo, hi uint64) {
	return spread16(uint32(a)) | spread16(uint32(b))<<16, spread16(uint32(a>>32)) | spread16(uint32(b>>32))<<16
}

// il32 interleaves the 32-bit halves of a and b.
func il32(a, b uint64) (lo, hi uint64) {
	return a&0xffffffff | b<<32, a>>32 | b&^0xffffffff
}

func unshuffle2(out, src []byte, n int) int {
	m := n &^ 7
	p0, p1 := src[:m], src[n:n+m]
	o := out[:2*m]
	for i := 0; i+8 <= len(p0) && i+8 <= len(p1) && 2*i+16 <= len(o); i += 8 {
		lo, hi := il8(le64(p0[i:]), le64(p1[i:]))
		put64(o[2*i:], lo)
		put64(o[2*i+8:], hi)
	}
	return m
}

func unshuffle4(out, src []byte, n int) int {
	m := n &^ 7
	p0, p1, p2, p3 := src[:m], src[n:n+m], src[2*n:2*n+m], src[3*n:3*n+m]
	o := out[:4*m]
	for i := 0; i+8 <= len(p0); i += 8 {
		ab0, ab1 := il8(le64(p0[i:]), le64(p1[i:]))
		cd0, cd1 := il8(le64(p2[i:]), le64(p3[i:]))
		w := o[4*i : 4*i+32]
		e0, e1 := il16(ab0, cd0)
		e2, e3 := il16(ab1, cd1)
		put64(w[0:], e0)
		put64(w[8:], e1)
		put64(w[16:], e2)
		put64(w[24:], e3)
	}
	return m
}

func unshuffle8(out, src []byte, n int) int {
	m := n &^ 7
	var p [8][]byte
	for j := range p {
		p[j] = src[j*n : j*n+m]
	}
	o := out[:8*m]
	for i := 0; i+8 <= m; i += 8 {
		p01l, p01h := il8(le64(p[0][i:]), le64(p[1][i:]))
		p23l, p23h := il8(le64(p[2][i:]), le64(p[3][i:]))
		p45l, p45h := il8(le64(p[4][i:]), le64(p[5][i:]))
		p67l, p67h := il8(le64(p[6][i:]), le64(p[7][i:]))
		q0l, q0h := il16(p01l, p23l)
		q1l, q1h := il16(p01h, p23h)
		r0l, r0h := il16(p45l, p67l)
		r1l, r1h := il16(p45h, p67h)
		w := o[8*i : 8*i+64]
		e0, e1 := il32(q0l, r0l)
		e2, e3 := il32(q0h, r0h)
		e4, e5 := il32(q1l, r1l)
		e6, e7 := il32(q1h, r1h)
		put64(w[0:], e0)
		put64(w[8:], e1)
		put64(w[16:], e2)
		put64(w[24:], e3)
		put64(w[32:], e4)
		put64(w[40:], e5)
		put64(w[48:], e6)
		put64(w[56:], e7)
	}
	return m
}

func le64(b []byte) uint64     { return binary.LittleEndian.Uint64(b) }
func put64(b []byte, v uint64) { binary.LittleEndian.PutUint64(b, v) }
