package filters

import (
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
	hint := initialGuess(len(src), limit)
	if len(params) >= 3 && params[2] != 0 && uint64(params[2]) <= uint64(limit) {
		hint = int(params[2])
	}
	out := dst[:0]
	if cap(out) > limit {
		out = out[:0:limit]
	}
	if cap(out) < hint {
		out = make([]byte, 0, hint)
	}
	return lzfDecompress(out, src, limit)
}

// lzfDecompress appends the LZF block src to out (liblzf's lzf_d.c format):
// a control byte below 32 starts a literal run of ctrl+1 bytes; otherwise the
// top 3 bits are a length (7 means an extra length byte follows) and the low 5
// bits with the next byte an offset back into the output, from which len+2
// bytes are copied (the source may overlap the bytes being written).
func lzfDecompress(out, src []byte, limit int) ([]byte, error) {
	ip := 0
	for ip < len(src) {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+n > len(src) {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
			}
			var err error
			if out, err = lzfReserve(out, n, limit); err != nil {
				return nil, err
			}
			out = append(out, src[ip:ip+n]...)
			ip += n
			continue
		}
		n := ctrl >> 5
		if ip >= len(src) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
		}
		if n == 7 {
			n += int(src[ip])
			ip++
			if ip >= len(src) {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFTruncated)
			}
		}
		back := (ctrl&0x1f)<<8 + int(src[ip]) + 1
		ip++
		n += 2
		if back > len(out) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZFOffset)
		}
		var err error
		if out, err = lzfReserve(out, n, limit); err != nil {
			return nil, err
		}
		ref := len(out) - back
		if back >= n {
			out = append(out, out[ref:ref+n]...)
		} else {
			// Overlapping copy: each byte may be one just written.
			for i := 0; i < n; i++ {
				out = append(out, out[ref+i])
			}
		}
	}
	return out, nil
}

// lzfReserve makes room for n more bytes without passing limit, growing the
// buffer geometrically so that output size is found gradually.
func lzfReserve(out []byte, n, limit int) ([]byte, error) {
	need := len(out) + n
	if need > limit {
		return nil, ErrTooLarge
	}
	if need <= cap(out) {
		return out, nil
	}
	c := max(2*cap(out), need, 4096)
	if c > limit {
		c = limit
	}
	grown := make([]byte, len(out), c)
	copy(grown, out)
	return grown, nil
}
