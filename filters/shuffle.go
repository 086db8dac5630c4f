package filters

import (
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
// src (plane j holds byte j of each element, n bytes long).
func unshuffle(out, src []byte, size, n int) {
	switch size {
	case 2:
		p0, p1 := src[:n], src[n:2*n]
		o := out[:2*n]
		for i := range p0 {
			o[2*i] = p0[i]
			o[2*i+1] = p1[i]
		}
	case 4:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		o := out[:4*n]
		for i := range p0 {
			k := 4 * i
			o[k] = p0[i]
			o[k+1] = p1[i]
			o[k+2] = p2[i]
			o[k+3] = p3[i]
		}
	case 8:
		p0, p1, p2, p3 := src[:n], src[n:2*n], src[2*n:3*n], src[3*n:4*n]
		p4, p5, p6, p7 := src[4*n:5*n], src[5*n:6*n], src[6*n:7*n], src[7*n:8*n]
		o := out[:8*n]
		for i := range p0 {
			k := 8 * i
			o[k] = p0[i]
			o[k+1] = p1[i]
			o[k+2] = p2[i]
			o[k+3] = p3[i]
			o[k+4] = p4[i]
			o[k+5] = p5[i]
			o[k+6] = p6[i]
			o[k+7] = p7[i]
		}
	default:
		for j := 0; j < size; j++ {
			plane := src[j*n : (j+1)*n]
			for i, b := range plane {
				out[i*size+j] = b
			}
		}
	}
}
