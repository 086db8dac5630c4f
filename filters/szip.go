package filters

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
)

// szipFilter undoes HDF5's SZIP filter (ID 4), the CCSDS 121.0-B Adaptive
// Entropy Coder as written by libhdf5 through SZIP or libaec's szip
// compatibility layer. Spec 3.0, IV.A.2.l "Data Storage - Filter Pipeline
// Message" (H5.format.html#FilterMessage), filter identification 4.
//
// A chunk is a 4-byte little-endian count of decoded bytes followed by the
// coded stream, with no szip header (libhdf5 always sets the "raw" option).
// The four client data values are those libhdf5's set_local callback stores:
//
//	[0] options mask: 4 EC (no preprocessor), 32 NN (unit-delay predictor),
//	    8 LSB / 16 MSB (the datatype's byte order), 128 raw, 1 allow-k13,
//	    2 chip
//	[1] pixels per block, J (even, at most 32 from libhdf5)
//	[2] bits per pixel: the datatype's precision, 1..24, or 32 or 64
//	[3] pixels per scanline: the chunk's fastest dimension, capped at 128
//	    blocks
//
// The options map to the coder as libaec's SZ_BufftoBuffDecompress does: NN
// turns the preprocessor on, MSB makes 2- and 4-byte samples big-endian, and
// the rest do not change decoding. Samples of 1..8 bits take a byte, 9..16
// two and 17..31 four. 32- and 64-bit pixels are coded as 8-bit samples of
// the byte-transposed chunk (every pixel's first byte, then every second
// byte, and so on). Each scanline is coded as ceil(pps/J) blocks, one
// reference sample interval, and when pps is not a multiple of J the padding
// samples at its end are dropped.
type szipFilter struct{}

var _ Filter = szipFilter{}

func init() { Register(szipFilter{}) }

func (szipFilter) ID() uint16   { return IDSzip }
func (szipFilter) Name() string { return "szip" }

// SZIP option mask bits (libhdf5's H5_SZIP_*_OPTION_MASK, szlib.h).
const (
	szipAllowK13 = 1
	szipChip     = 2
	szipEC       = 4
	szipLSB      = 8
	szipMSB      = 16
	szipNN       = 32
	szipRaw      = 128
)

// szipMaxScanline bounds the pixels per scanline accepted. libhdf5 writes at
// most 128 blocks of 32 pixels; the bound only keeps index arithmetic small.
const szipMaxScanline = 1 << 24

var (
	errSzipParams = errors.New("szip: bad client data values")
	errSzipShort  = errors.New("szip: chunk shorter than its 4-byte size")
	errSzipSize   = errors.New("szip: decoded size is not a whole number of pixels")
)

// szipScratch holds the byte planes of a 32- or 64-bit chunk before they are
// transposed back.
var szipScratch = sync.Pool{New: func() any { return new([]byte) }}

// szipConfig turns the client data values into a coder configuration and
// the word size of the byte transposition (0 when none).
func szipConfig(params []uint32) (aecConfig, int, error) {
	if len(params) < 4 {
		return aecConfig{}, 0, fmt.Errorf("%w: %w: %d values, want 4", ErrCorrupt, errSzipParams, len(params))
	}
	mask, ppb, bpp, pps := params[0], params[1], params[2], params[3]
	if ppb < 2 || ppb > 64 || ppb%2 != 0 {
		return aecConfig{}, 0, fmt.Errorf("%w: %w: %d pixels per block", ErrCorrupt, errSzipParams, ppb)
	}
	if pps == 0 || pps > szipMaxScanline {
		return aecConfig{}, 0, fmt.Errorf("%w: %w: %d pixels per scanline", ErrCorrupt, errSzipParams, pps)
	}
	cfg := aecConfig{
		blockSize:  int(ppb),
		rsi:        int((pps + ppb - 1) / ppb),
		keep:       int(pps),
		msb:        mask&szipMSB != 0,
		preprocess: mask&szipNN != 0,
	}
	word := 0
	switch {
	case bpp == 32 || bpp == 64:
		word = int(bpp / 8)
		cfg.bitsPerSample = 8
	case bpp >= 1 && bpp < 32:
		cfg.bitsPerSample = uint(bpp)
	default:
		return aecConfig{}, 0, fmt.Errorf("%w: %w: %d bits per pixel", ErrCorrupt, errSzipParams, bpp)
	}
	switch {
	case cfg.bitsPerSample > 16:
		cfg.bytesPerSample = 4
	case cfg.bitsPerSample > 8:
		cfg.bytesPerSample = 2
	default:
		cfg.bytesPerSample = 1
	}
	return cfg, word, nil
}

func (szipFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	cfg, word, err := szipConfig(params)
	if err != nil {
		return nil, err
	}
	if len(src) < 4 {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, errSzipShort)
	}
	n64 := uint64(binary.LittleEndian.Uint32(src))
	if limit < 0 || n64 > uint64(limit) {
		return nil, fmt.Errorf("%w: szip declares %d bytes, limit %d", ErrTooLarge, n64, limit)
	}
	n := int(n64)
	if n%cfg.bytesPerSample != 0 || (word != 0 && n%word != 0) {
		return nil, fmt.Errorf("%w: %w (%d bytes)", ErrCorrupt, errSzipSize, n)
	}
	if word == 0 {
		out, err := aecDecode(dst[:0], src[4:], cfg, n)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
		}
		return out, nil
	}
	sp := szipScratch.Get().(*[]byte)
	defer szipScratch.Put(sp)
	planes, err := aecDecode((*sp)[:0], src[4:], cfg, n)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	*sp = planes
	out := growTo(dst[:0], n)
	szipUntranspose(out, planes, word)
	return out, nil
}

// szipUntranspose undoes the byte transposition libaec's szip layer applies
// to 32- and 64-bit pixels: planes holds byte j of every pixel in its j-th
// run of len/word bytes.
func szipUntranspose(out, planes []byte, word int) {
	m := len(out) / word
	for j := 0; j < word; j++ {
		plane := planes[j*m : (j+1)*m]
		for i, b := range plane {
			out[i*word+j] = b
		}
	}
}
