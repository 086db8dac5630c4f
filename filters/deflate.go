package filters

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
)

// deflateFilter undoes HDF5's deflate filter (ID 1). libhdf5 writes a zlib
// stream (RFC 1950: a two-byte header, raw deflate data, an adler32 of the
// decoded bytes), so the adler32 is verified. The client data value is the
// compression level and is not needed to decode.
// Spec 3.0, IV.A.2.l "Data Storage - Filter Pipeline Message"
// (H5.format.html#FilterMessage), filter identification 1.
type deflateFilter struct{}

var _ Filter = deflateFilter{}

func init() { Register(deflateFilter{}) }

func (deflateFilter) ID() uint16   { return IDDeflate }
func (deflateFilter) Name() string { return "deflate" }

// zlibState is a pooled decompressor with its input reader, reset per call.
type zlibState struct {
	br bytes.Reader
	zr io.ReadCloser // nil until the first valid header was seen
}

var zlibPool = sync.Pool{New: func() any { return new(zlibState) }}

func (deflateFilter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	st := zlibPool.Get().(*zlibState)
	defer func() {
		st.br.Reset(nil)
		zlibPool.Put(st)
	}()
	st.br.Reset(src)
	if st.zr == nil {
		zr, err := zlib.NewReader(&st.br)
		if err != nil {
			return nil, zlibErr(err)
		}
		st.zr = zr
	} else if err := st.zr.(zlib.Resetter).Reset(&st.br, nil); err != nil {
		return nil, zlibErr(err)
	}
	out, err := readCapped(dst, st.zr, limit, initialGuess(len(src), limit))
	if err != nil {
		return nil, zlibErr(err)
	}
	return out, nil
}

func zlibErr(err error) error {
	switch {
	case errors.Is(err, zlib.ErrChecksum):
		return fmt.Errorf("%w: zlib adler32", ErrChecksum)
	case errors.Is(err, zlib.ErrHeader), errors.Is(err, zlib.ErrDictionary):
		return fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return wrapStreamErr(err)
}
