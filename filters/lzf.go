package filters

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// lzfFilter undoes h5py's LZF filter (ID 32000, lzf_filter.c). A filtered
// chunk is one raw LZF block with no header; the client data values are
// [filter revision, LZF version, chunk size in bytes], the last used only as
// the first guess of the output size. h5py registers LZF as optional, and
// when LZF cannot shrink a chunk the filter fails on write, so libhdf5
// stores that chunk unfiltered with the stage's bit set in the chunk's
// filter mask: such chunks never reach this decoder.
type lzfFilter struct{}

var _ Filter = lzfFilter{}

func init() { Register(lzfFilter{}) }

func (lzfFilter) ID() uint16   { return IDLZF }
func (lzfFilter) Name() string { return "lzf" }

var (
	errLZFEmpty     = errors.New("hdf5: lzf: empty input")
	errLZFTruncated = errors.New("hdf5: lzf: truncated input")
	errLZFOffset    = errors.New("hdf5: lzf: back reference before start of output")
)

func (lzfFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	if len(src) == 0 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFEmpty)
	}
	// The declared chunk size is the expected output size: decode straight
	// into a buffer of that size, growing (up to limit) only if it lies.
	size := initialGuess(len(src), limit)
	if len(params) >= 3 && params[2] != 0 && uint64(params[2]) <= uint64(limit) {
		size = int(params[2])
	}
	// A 3-byte back reference yields at most 264 bytes, so no input can
	// decode to more than 88 bytes per byte: a lying size allocates no more.
	if len(src) <= limit/88 && size > 88*len(src) {
		size = 88 * len(src)
	}
	out := dst[:cap(dst)]
	if len(out) > limit {
		out = out[:limit]
	}
	if len(out) < size {
		out = make([]byte, size)
	}
	return lzfDecompress(out, src, limit)
}

// lzfDecompress decodes the LZF block src into out[:cap] (liblzf's lzf_d.c
// format) and returns the decoded bytes: a control byte below 32 starts a
// literal run of ctrl+1 bytes; otherwise the top 3 bits are a length (7 means
// an extra length byte follows) and the low 5 bits with the next byte an
// offset back into the output, from which len+2 bytes are copied (the source
// may overlap the bytes being written). out is grown, never past limit, only
// when the data outgrows it.
func lzfDecompress(out, src []byte, limit int) ([]byte, error) {
	ip, op := 0, 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+32 <= len(src) && op+32 <= len(out) {
				// Fast path: copy a whole 32-byte window (a run is at
				// most 32 bytes); bytes past the run are rewritten later
				// or lie past the end of the result.
				lzfCopy16(out[op:op+16], src[ip:ip+16])
				if n > 16 {
					lzfCopy16(out[op+16:op+32], src[ip+16:ip+32])
				}
				op += n
				ip += n
				continue
			}
			if n > len(src)-ip {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
			}
			if n > len(out)-op {
				var err error
				if out, err = lzfGrow(out, op, n, limit); err != nil {
					return nil, err
				}
			}
			copy(out[op:op+n], src[ip:ip+n])
			op += n
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(src) {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
			}
			n += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
		}
		back := ((ctrl&0x1f)<<8 | int(src[ip])) + 1
		ip++
		n += 2
		if back > op {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFOffset)
		}
		if n > len(out)-op {
			var err error
			if out, err = lzfGrow(out, op, n, limit); err != nil {
				return nil, err
			}
		}
		ref := op - back
		if n <= 16 && back >= 8 && op+16 <= len(out) {
			// Fast path for short matches (without a length byte a match
			// is at most 8 bytes): 8-byte words, each loaded after the one
			// before is stored, so with back >= 8 each byte read is
			// already final.
			binary.LittleEndian.PutUint64(out[op:op+8], binary.LittleEndian.Uint64(out[ref:ref+8]))
			if n > 8 {
				binary.LittleEndian.PutUint64(out[op+8:op+16], binary.LittleEndian.Uint64(out[ref+8:ref+16]))
			}
			op += n
			continue
		}
		if back >= n {
			copy(out[op:op+n], out[ref:ref+n])
			op += n
			continue
		}
		if back == 1 {
			// A run of one byte.
			b := out[ref]
			run := out[op : op+n]
			for i := range run {
				run[i] = b
			}
			op += n
			continue
		}
		// Overlapping copy: out[ref:op] repeats with period back, so copy
		// it onto itself, doubling the copied length each round.
		end := op + n
		for op < end {
			op += copy(out[op:end], out[ref:op])
		}
	}
	return out[:op], nil
}

// lzfGrow returns out, holding the first op decoded bytes, with room for n
// more, never past limit; it grows geometrically since a lying declared
// size is found only as the data arrives.
func lzfGrow(out []byte, op, n, limit int) ([]byte, error) {
	need := op + n
	if need > limit || need < op {
		return nil, ErrTooLarge
	}
	c := max(2*len(out), need, 4096)
	if c > limit {
		c = limit
	}
	grown := make([]byte, c)
	copy(grown, out[:op])
	return grown, nil
}

// lzfCopy16 copies 16 bytes as two 8-byte words, the first stored before the
// second is loaded.
func lzfCopy16(dst, src []byte) {
	d, s := dst[:16:16], src[:16:16]
	binary.LittleEndian.PutUint64(d[0:8], binary.LittleEndian.Uint64(s[0:8]))
	binary.LittleEndian.PutUint64(d[8:16], binary.LittleEndian.Uint64(s[8:16]))
}
