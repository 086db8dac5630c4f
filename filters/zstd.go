package filters

import (
	"errors"
	"fmt"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// zstdFilter undoes the Zstandard filter (ID 32015, HDF5Plugin-Zstandard and
// hdf5plugin's zstd). A chunk is one or more zstd frames (RFC 8878); the
// plugin writes one frame with its content size. The client data value is
// the compression level and is not needed to decode.
type zstdFilter struct{}

var _ Filter = zstdFilter{}

func init() { Register(zstdFilter{}) }

func (zstdFilter) ID() uint16   { return IDZstd }
func (zstdFilter) Name() string { return "zstd" }

// zstdMaxMemory caps any one DecodeAll: no HDF5 chunk exceeds 4 GiB.
const zstdMaxMemory = 1 << 32

var (
	zstdOnce    sync.Once
	zstdDec     *zstd.Decoder
	zstdInitErr error
)

// zstdDecoder returns the shared decoder. DecodeAll is safe for concurrent
// use; WithDecoderConcurrency(0) lets GOMAXPROCS calls run at once, and
// WithDecodeAllCapLimit makes DecodeAll stop at cap(dst), which is how the
// per-call limit is enforced without a decoder per limit.
func zstdDecoder() (*zstd.Decoder, error) {
	zstdOnce.Do(func() {
		zstdDec, zstdInitErr = zstd.NewReader(nil,
			zstd.WithDecoderConcurrency(0),
			zstd.WithDecoderMaxMemory(zstdMaxMemory),
			zstd.WithDecoderLowmem(false),
			zstd.WithDecodeAllCapLimit(true),
		)
	})
	return zstdDec, zstdInitErr
}

func (zstdFilter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	return zstdDecodeCapped(dst, src, limit)
}

// zstdDecodeCapped decodes the zstd frames in src into dst[:0] producing at
// most limit bytes. When the first frame records its content size, that
// size is checked against limit before any allocation and used as the
// output's capacity; otherwise the capacity starts at a multiple of the input
// and doubles up to limit, decoding again each time it proves short.
func zstdDecodeCapped(dst, src []byte, limit int) ([]byte, error) {
	dec, err := zstdDecoder()
	if err != nil {
		return nil, err
	}
	if limit < 0 {
		limit = 0
	}
	var h zstd.Header
	if err := h.Decode(src); err != nil {
		return nil, fmt.Errorf("%w: zstd frame header: %w", ErrCorrupt, err)
	}
	if h.Skippable {
		return nil, &UnsupportedError{ID: IDZstd, Name: "zstd", Detail: "skippable frame"}
	}
	want := initialGuess(len(src), limit)
	if h.HasFCS {
		if h.FrameContentSize > uint64(limit) {
			return nil, fmt.Errorf("%w: zstd frame declares %d bytes, limit %d", ErrTooLarge, h.FrameContentSize, limit)
		}
		want = int(h.FrameContentSize)
	}
	for {
		out := dst[:0]
		if cap(out) > limit {
			out = out[:0:limit]
		}
		if cap(out) < want {
			out = make([]byte, 0, want)
		}
		got, err := dec.DecodeAll(src, out)
		switch {
		case err == nil:
			if len(got) > limit {
				return nil, ErrTooLarge
			}
			return got, nil
		case errors.Is(err, zstd.ErrDecoderSizeExceeded):
			if cap(out) >= limit {
				return nil, fmt.Errorf("%w: zstd output", ErrTooLarge)
			}
			want = min(max(2*cap(out), 4096), limit)
			dst = out[:0]
		case errors.Is(err, zstd.ErrCRCMismatch):
			return nil, fmt.Errorf("%w: zstd frame checksum", ErrChecksum)
		default:
			return nil, fmt.Errorf("%w: zstd: %w", ErrCorrupt, err)
		}
	}
}
