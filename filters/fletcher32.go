package filters

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// fletcher32Filter verifies and strips the Fletcher-32 checksum (ID 3) that
// libhdf5 appends to a chunk: 4 bytes, little-endian, of the value computed
// by H5_checksum_fletcher32 over the chunk bytes taken as big-endian 16-bit
// words (an odd final byte is the high byte of a last word). Like libhdf5, it
// also accepts the value with the bytes of each 16-bit half swapped, which
// libhdf5 before 1.6.3 wrote on little-endian machines.
// Spec 3.0, IV.A.2.l "Data Storage - Filter Pipeline Message"
// (H5.format.html#FilterMessage), filter identification 3.
type fletcher32Filter struct{}

var _ Filter = fletcher32Filter{}

func init() { Register(fletcher32Filter{}) }

func (fletcher32Filter) ID() uint16   { return IDFletcher32 }
func (fletcher32Filter) Name() string { return "fletcher32" }

var errFletcherShort = errors.New("hdf5: fletcher32: chunk shorter than its checksum")

func (fletcher32Filter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	if len(src) < 4 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errFletcherShort)
	}
	data := src[:len(src)-4]
	if len(data) > limit {
		return nil, ErrTooLarge
	}
	stored := binary.LittleEndian.Uint32(src[len(src)-4:])
	sum := fletcher32(data)
	// The pre-1.6.3 value: bytes swapped within each 16-bit half.
	reversed := (sum&0x00ff00ff)<<8 | (sum>>8)&0x00ff00ff
	if stored != sum && stored != reversed {
		return nil, fmt.Errorf("%w: fletcher32 stored %#08x, computed %#08x", ErrChecksum, stored, sum)
	}
	out := growTo(dst, len(data))
	copy(out, data)
	return out, nil
}

// fletcher32 computes the checksum as libhdf5's H5_checksum_fletcher32 does:
// over big-endian 16-bit words, the sums folded to 16 bits every 360 words.
func fletcher32(data []byte) uint32 {
	var sum1, sum2 uint32
	words := len(data) / 2
	p := data
	for words > 0 {
		t := min(words, 360)
		words -= t
		blk := p[:2*t]
		for i := 0; i+1 < len(blk); i += 2 {
			sum1 += uint32(blk[i])<<8 | uint32(blk[i+1])
			sum2 += sum1
		}
		p = p[2*t:]
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	if len(data)%2 == 1 {
		sum1 += uint32(data[len(data)-1]) << 8
		sum2 += sum1
		sum1 = (sum1 & 0xffff) + (sum1 >> 16)
		sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	}
	sum1 = (sum1 & 0xffff) + (sum1 >> 16)
	sum2 = (sum2 & 0xffff) + (sum2 >> 16)
	return sum2<<16 | sum1
}
