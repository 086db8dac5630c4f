package filters

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/pierrec/lz4/v4"
)

// lz4Filter undoes the HDF5 LZ4 filter (ID 32004, H5Zlz4.c). A chunk is
//
//	8 bytes  big-endian total decoded size
//	4 bytes  big-endian block size (decoded bytes per block; the last block
//	         holds the remainder)
//	per block: 4 bytes big-endian stored size, then the block
//
// A block whose stored size equals its decoded size was stored raw, because
// LZ4 could not shrink it. The client data value is the block size used when
// writing and is not needed to decode.
type lz4Filter struct{}

var _ Filter = lz4Filter{}

func init() { Register(lz4Filter{}) }

func (lz4Filter) ID() uint16   { return IDLZ4 }
func (lz4Filter) Name() string { return "lz4" }

var (
	errLZ4Header    = errors.New("hdf5: lz4: chunk shorter than its 12-byte header")
	errLZ4BlockSize = errors.New("hdf5: lz4: zero block size")
	errLZ4Truncated = errors.New("hdf5: lz4: block extends past end of chunk")
	errLZ4Ratio     = errors.New("hdf5: lz4: block declares more output than LZ4 can encode in its size")
)

// lz4MaxRatio bounds the decoded size of an LZ4 block of n bytes: each byte
// of a match-length extension adds at most 255 decoded bytes.
const lz4MaxRatio = 256

func (lz4Filter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	if len(src) < 12 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Header)
	}
	total := binary.BigEndian.Uint64(src)
	blockSize := uint64(binary.BigEndian.Uint32(src[8:]))
	if total > uint64(limit) {
		return nil, fmt.Errorf("%w: lz4 header declares %d bytes, limit %d", ErrTooLarge, total, limit)
	}
	if total == 0 {
		return dst[:0], nil
	}
	if blockSize == 0 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4BlockSize)
	}
	blockSize = min(blockSize, total)
	nBlocks := (total-1)/blockSize + 1
	// Each block needs at least its 4-byte size: refuse headers the input
	// cannot back before allocating the output.
	if nBlocks > uint64(len(src)-12)/4 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Truncated)
	}
	if total > uint64(len(src))*lz4MaxRatio+64*nBlocks {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Ratio)
	}
	out := growTo(dst, int(total))
	in := src[12:]
	pos := uint64(0)
	for pos < total {
		n := min(blockSize, total-pos)
		if len(in) < 4 {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Truncated)
		}
		csize := uint64(binary.BigEndian.Uint32(in))
		in = in[4:]
		if csize > uint64(len(in)) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Truncated)
		}
		blk := in[:csize]
		in = in[csize:]
		o := out[pos : pos+n]
		if csize == n {
			copy(o, blk)
		} else {
			got, err := lz4.UncompressBlock(blk, o)
			if err != nil {
				return nil, fmt.Errorf("%w: lz4 block at %d: %w", ErrCorrupt, pos, err)
			}
			if uint64(got) != n {
				return nil, fmt.Errorf("%w: lz4 block at %d decoded to %d bytes, want %d", ErrCorrupt, pos, got, n)
			}
		}
		pos += n
	}
	return out, nil
}
