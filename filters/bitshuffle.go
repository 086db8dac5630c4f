package filters

import (
	"encoding/binary"
	"errors"
	"fmt"

	"sync"

	"github.com/pierrec/lz4/v4"
)

// bitshuffleFilter undoes the bitshuffle filter (ID 32008, bshuf_h5filter.c).
// Client data values: [major, minor, element size, block size in elements
// (0 = default), compression (0 none, 2 LZ4, 3 zstd), zstd level].
//
// With compression 0 (or any value but 2 and 3, as the plugin does; and 3
// in the 0.3 plugin's uncompressed form, see Decode) the chunk is the
// bit-shuffled data with no header. With LZ4 or zstd it starts with a 12-byte header, an 8-byte big-endian decoded
// size and a 4-byte big-endian block size in bytes (which overrides the
// parameter), followed per block by a 4-byte big-endian compressed size and
// the compressed bit-shuffled block.
//
// The elements are taken in blocks of the block size; a final partial block
// is rounded down to a multiple of 8 elements, and the elements left over
// (fewer than 8) are copied unshuffled and uncompressed at the end.
type bitshuffleFilter struct{}

var _ Filter = bitshuffleFilter{}

func init() { Register(bitshuffleFilter{}) }

func (bitshuffleFilter) ID() uint16   { return IDBitshuffle }
func (bitshuffleFilter) Name() string { return "bitshuffle" }

const (
	bshufCompressNone = 0
	bshufCompressLZ4  = 2
	bshufCompressZstd = 3

	bshufBlockedMult     = 8    // BSHUF_BLOCKED_MULT
	bshufTargetBlockSize = 8192 // BSHUF_TARGET_BLOCK_SIZE_B
	bshufMinBlock        = 128  // BSHUF_MIN_RECOMMEND_BLOCK
)

var (
	errBshufParams    = errors.New("hdf5: bitshuffle: fewer than 3 parameters")
	errBshufElemSize  = errors.New("hdf5: bitshuffle: bad element size")
	errBshufBlockSize = errors.New("hdf5: bitshuffle: block size is not a positive multiple of 8 elements")
	errBshufMultiple  = errors.New("hdf5: bitshuffle: decoded size is not a multiple of the element size")
	errBshufHeader    = errors.New("hdf5: bitshuffle: chunk shorter than its 12-byte header")
	errBshufTruncated = errors.New("hdf5: bitshuffle: block extends past end of chunk")
	errBshufBlock     = errors.New("hdf5: bitshuffle: block decoded to the wrong size")
)

// bshufDefaultBlockSize is bitshuffle's bshuf_default_block_size: about 8 KiB
// of elements, a multiple of 8, at least 128 elements.
func bshufDefaultBlockSize(elemSize int) int {
	b := bshufTargetBlockSize / elemSize
	b = b / bshufBlockedMult * bshufBlockedMult
	return max(b, bshufMinBlock)
}

func (bitshuffleFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	if len(params) < 3 {
		return nil, errBshufParams
	}
	if params[2] == 0 || params[2] > 1<<20 {
		return nil, fmt.Errorf("%w: %w (%d)", ErrCorrupt, errBshufElemSize, params[2])
	}
	elem := int(params[2])
	var blockElems uint64
	if len(params) > 3 {
		blockElems = uint64(params[3])
	}
	comp := uint32(bshufCompressNone)
	if len(params) > 4 {
		comp = params[4]
	}
	// The plugin treats any other compression value as none.
	if comp != bshufCompressLZ4 && comp != bshufCompressZstd {
		comp = bshufCompressNone
	}
	// Zstd arrived in bitshuffle 0.4, and two writers record the same
	// parameters [0, 3, elem, block, 3, level] for different chunks: the
	// 0.3 plugin (Debian's) ignores compression 3 and stores the chunk
	// bit-shuffled but uncompressed, exactly the chunk's size; bitshuffle
	// 0.4 builds that take their version from bitshuffle_core.h's defaults
	// (0.3.5; bitshuffle's own regression_0.4.0.h5 is one) write the framed
	// zstd form. The version cannot tell them apart, the framing can: a
	// chunk whose header's size and block size, and then its blocks' sizes,
	// do not tile it exactly is the 0.3 form. A framed chunk declaring more
	// than limit still tiles, so it is still refused below.
	if comp == bshufCompressZstd && params[0] == 0 && params[1] < 4 &&
		(len(src) < 12 || !bshufFramed(src, elem, binary.BigEndian.Uint64(src))) {
		comp = bshufCompressNone
	}
	var total uint64
	data := src
	if comp == bshufCompressNone {
		total = uint64(len(src))
	} else {
		if len(src) < 12 {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufHeader)
		}
		total = binary.BigEndian.Uint64(src)
		blockElems = uint64(binary.BigEndian.Uint32(src[8:])) / uint64(elem)
		if blockElems == 0 {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufBlockSize)
		}
		data = src[12:]
	}
	if total > uint64(limit) {
		return nil, fmt.Errorf("%w: bitshuffle declares %d bytes, limit %d", ErrTooLarge, total, limit)
	}
	if total%uint64(elem) != 0 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufMultiple)
	}
	if blockElems == 0 {
		blockElems = uint64(bshufDefaultBlockSize(elem))
	}
	if blockElems%bshufBlockedMult != 0 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufBlockSize)
	}
	nElems := int(total / uint64(elem))
	block := int(min(blockElems, uint64(nElems)+bshufBlockedMult))
	if comp != bshufCompressNone {
		// Each block costs at least 4 bytes of input, and a compressed block
		// cannot expand more than its codec allows: refuse before allocating.
		nBlocks := uint64(nElems) / uint64(block)
		if nElems%block >= bshufBlockedMult {
			nBlocks++
		}
		if nBlocks > uint64(len(data))/4 {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufTruncated)
		}
		if comp == bshufCompressLZ4 && total > uint64(len(data))*lz4MaxRatio+64*nBlocks+uint64(8*elem) {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, errLZ4Ratio)
		}
	}
	out := growTo(dst, int(total))
	var scratch []byte
	if comp != bshufCompressNone {
		sp := bshufScratch(min(block, nElems) * elem)
		defer bshufPool.Put(sp)
		scratch = *sp
	}
	pos := 0 // elements done
	for pos+bshufBlockedMult <= nElems {
		n := min(block, nElems-pos)
		n -= n % bshufBlockedMult
		nb := n * elem
		o := out[pos*elem : pos*elem+nb]
		switch comp {
		case bshufCompressNone:
			bitUnshuffle(o, data[:nb], n, elem)
			data = data[nb:]
		default:
			if len(data) < 4 {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufTruncated)
			}
			csize := uint64(binary.BigEndian.Uint32(data))
			data = data[4:]
			if csize > uint64(len(data)) {
				return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufTruncated)
			}
			tmp := scratch[:nb]
			if err := bshufDecompressBlock(tmp, data[:csize], comp); err != nil {
				return nil, err
			}
			data = data[csize:]
			bitUnshuffle(o, tmp, n, elem)
		}
		pos += n
	}
	// Leftover elements (fewer than 8) are stored as they are.
	rest := (nElems - pos) * elem
	if len(data) < rest {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errBshufTruncated)
	}
	copy(out[pos*elem:], data[:rest])
	return out, nil
}

// bshufFramed reports whether src is exactly one framed chunk (the LZ4 and
// zstd form) decoding to total bytes of elem-byte elements: a 12-byte header
// naming total and a block size, then the 4-byte sizes and bodies of every
// block, then the leftover elements, ending at the end of src. It reads only
// the size fields; each block costs at least 4 bytes, so it is linear in
// len(src).
func bshufFramed(src []byte, elem int, total uint64) bool {
	if len(src) < 12 || binary.BigEndian.Uint64(src) != total || total%uint64(elem) != 0 {
		return false
	}
	bb := uint64(binary.BigEndian.Uint32(src[8:]))
	if bb == 0 || bb%uint64(elem) != 0 || (bb/uint64(elem))%bshufBlockedMult != 0 {
		return false
	}
	block, n := bb/uint64(elem), total/uint64(elem)
	data := src[12:]
	pos := uint64(0)
	for pos+bshufBlockedMult <= n {
		m := min(block, n-pos)
		m -= m % bshufBlockedMult
		if len(data) < 4 {
			return false
		}
		c := uint64(binary.BigEndian.Uint32(data))
		data = data[4:]
		if c > uint64(len(data)) {
			return false
		}
		data = data[c:]
		pos += m
	}
	return uint64(len(data)) == (n-pos)*uint64(elem)
}

// bshufDecompressBlock decodes one compressed block into exactly len(dst)
// bytes, as bitshuffle's block decoders require.
func bshufDecompressBlock(dst, src []byte, comp uint32) error {
	switch comp {
	case bshufCompressLZ4:
		n, err := lz4.UncompressBlock(src, dst)
		if err != nil {
			return fmt.Errorf("%w: bitshuffle lz4 block: %w", ErrCorrupt, err)
		}
		if n != len(dst) {
			return fmt.Errorf("%w: %w", ErrCorrupt, errBshufBlock)
		}
	case bshufCompressZstd:
		got, err := zstdDecodeCapped(dst[:0], src, len(dst))
		if err != nil {
			return err
		}
		if len(got) != len(dst) {
			return fmt.Errorf("%w: %w", ErrCorrupt, errBshufBlock)
		}
		if &got[0] != &dst[0] {
			copy(dst, got)
		}
	}
	return nil
}

// bitUnshuffle undoes bitshuffle's bit transpose of one block of n elements
// (n a multiple of 8) of size bytes each. In src, row r = 8*j + k holds bit k
// of byte j of every element, n bits packed least significant bit first: the
// bit of element i is bit i%8 of byte i/8 of the row.
func bitUnshuffle(out, src []byte, n, size int) {
	rowBytes := n / 8
	switch size {
	case 1:
		for g := 0; g < rowBytes; g++ {
			x := gather8(src, g, rowBytes)
			binary.LittleEndian.PutUint64(out[8*g:], transpose8x8(x))
		}
	case 2:
		for g := 0; g < rowBytes; g++ {
			x0 := transpose8x8(gather8(src, g, rowBytes))
			x1 := transpose8x8(gather8(src[8*rowBytes:], g, rowBytes))
			o := out[16*g : 16*g+16]
			for i := 0; i < 8; i++ {
				o[2*i] = byte(x0 >> (8 * i))
				o[2*i+1] = byte(x1 >> (8 * i))
			}
		}
	case 4:
		plane := 8 * rowBytes
		p0, p1, p2, p3 := src[:plane], src[plane:2*plane], src[2*plane:3*plane], src[3*plane:4*plane]
		for g := 0; g < rowBytes; g++ {
			x0 := transpose8x8(gather8(p0, g, rowBytes))
			x1 := transpose8x8(gather8(p1, g, rowBytes))
			x2 := transpose8x8(gather8(p2, g, rowBytes))
			x3 := transpose8x8(gather8(p3, g, rowBytes))
			o := out[32*g : 32*g+32]
			for i := 0; i < 8; i++ {
				s := 8 * uint(i)
				binary.LittleEndian.PutUint32(o[4*i:], uint32(byte(x0>>s))|uint32(byte(x1>>s))<<8|
					uint32(byte(x2>>s))<<16|uint32(byte(x3>>s))<<24)
			}
		}
	case 8:
		plane := 8 * rowBytes
		var x [8]uint64
		for g := 0; g < rowBytes; g++ {
			for j := range x {
				x[j] = transpose8x8(gather8(src[j*plane:], g, rowBytes))
			}
			// Element i's byte j is byte i of x[j]: one more 8x8 byte
			// transpose, done on the values directly.
			o := out[64*g : 64*g+64]
			for i := 0; i < 8; i++ {
				s := 8 * uint(i)
				binary.LittleEndian.PutUint64(o[8*i:], uint64(byte(x[0]>>s))|uint64(byte(x[1]>>s))<<8|
					uint64(byte(x[2]>>s))<<16|uint64(byte(x[3]>>s))<<24|uint64(byte(x[4]>>s))<<32|
					uint64(byte(x[5]>>s))<<40|uint64(byte(x[6]>>s))<<48|uint64(byte(x[7]>>s))<<56)
			}
		}
	default:
		bitUnshuffleGeneric(out, src, n, size)
	}
}

func bitUnshuffleGeneric(out, src []byte, n, size int) {
	rowBytes := n / 8
	plane := 8 * rowBytes // bytes per byte-plane j
	for j := 0; j < size; j++ {
		p := src[j*plane : (j+1)*plane]
		for g := 0; g < rowBytes; g++ {
			x := transpose8x8(gather8(p, g, rowBytes))
			base := 8*g*size + j
			for i := 0; i < 8; i++ {
				out[base+i*size] = byte(x >> (8 * i))
			}
		}
	}
}

// gather8 packs byte g of the 8 rows (stride rowBytes) starting at p into a
// uint64, row k in byte k.
func gather8(p []byte, g, rowBytes int) uint64 {
	_ = p[g+7*rowBytes]
	return uint64(p[g]) | uint64(p[g+rowBytes])<<8 | uint64(p[g+2*rowBytes])<<16 |
		uint64(p[g+3*rowBytes])<<24 | uint64(p[g+4*rowBytes])<<32 |
		uint64(p[g+5*rowBytes])<<40 | uint64(p[g+6*rowBytes])<<48 | uint64(p[g+7*rowBytes])<<56
}

// transpose8x8 transposes the 8x8 bit matrix whose row r is byte r of x
// (bit c of the row is bit 8r+c of x): bit 8r+c moves to bit 8c+r.
func transpose8x8(x uint64) uint64 {
	t := (x ^ (x >> 7)) & 0x00AA00AA00AA00AA
	x = x ^ t ^ (t << 7)
	t = (x ^ (x >> 14)) & 0x0000CCCC0000CCCC
	x = x ^ t ^ (t << 14)
	t = (x ^ (x >> 28)) & 0x00000000F0F0F0F0
	x = x ^ t ^ (t << 28)
	return x
}

var bshufPool sync.Pool // *[]byte scratch for one decompressed block

// bshufScratch returns a pooled buffer of n bytes; the caller puts it back.
func bshufScratch(n int) *[]byte {
	p, ok := bshufPool.Get().(*[]byte)
	if !ok {
		p = new([]byte)
	}
	if cap(*p) < n {
		*p = make([]byte, n)
	}
	*p = (*p)[:n]
	return p
}
