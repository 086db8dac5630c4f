package filters

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Blosc2 (filter 32026) decodes chunks written by the HDF5 Blosc2 filter
// (PyTables' hdf5-blosc2, also shipped by hdf5plugin and the HDF Group's
// hdf5_plugins). Its client values are [filter revision, blosc version,
// typesize, uncompressed chunk size, compression level, shuffle, compressor
// code] and, when the chunk has more than one dimension, [rank, chunk
// dims...].
//
// Each HDF5 chunk holds one Blosc2 contiguous frame (c-blosc2
// README_CFRAME_FORMAT.rst, magic "b2frame"): a msgpack header, the frame's
// Blosc2 chunks, an index chunk of chunk offsets, and a trailer. When the
// filter had a rank, the frame carries a "b2nd" metalayer and the data of each
// frame chunk is laid out block by block (README_B2ND_METALAYER.rst); this
// decoder restores C order. A bare Blosc2 (or Blosc v1) chunk is accepted too.
//
// Supported: codecs blosclz, lz4, lz4hc, zlib and zstd; the shuffle,
// bitshuffle and truncate-precision filters; zero, NaN, repeated-value and
// uninitialized special chunks and zero/run streams. Anything else (delta
// filter, dictionaries, user-defined codecs or filters, lazy chunks, sparse
// frames, b2nd frames with several chunks) is an *UnsupportedError.
type blosc2Filter struct{}

var _ Filter = blosc2Filter{}

func init() { Register(blosc2Filter{}) }

func (blosc2Filter) ID() uint16   { return IDBlosc2 }
func (blosc2Filter) Name() string { return "blosc2" }

func (blosc2Filter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	if len(src) >= 10 && bytes.Equal(src[2:10], []byte("b2frame\x00")) {
		return blosc2DecodeFrame(dst, src, limit)
	}
	return bloscDecodeBuffer(dst, src, limit, true)
}

func blosc2Unsupported(format string, a ...any) error {
	return &UnsupportedError{ID: IDBlosc2, Name: "blosc2", Detail: fmt.Sprintf(format, a...)}
}

// blosc2Special handles a Blosc2 chunk whose blosc2_flags (header byte 31)
// mark special values or features this decoder lacks. done reports whether
// the chunk was fully handled.
func blosc2Special(c *bloscChunk, dst []byte) (out []byte, done bool, err error) {
	if c.hdrLen < blosc2HeaderLen {
		return nil, false, nil
	}
	fl := c.src[31]
	switch {
	case fl&0x01 != 0:
		return nil, true, blosc2Unsupported("chunk compressed with a dictionary")
	case fl&0x02 != 0:
		return nil, true, blosc2Unsupported("chunk with a further extended header (blosc2_flags %#x)", fl)
	case fl&0x08 != 0:
		return nil, true, blosc2Unsupported("lazy chunk")
	}
	special := (fl >> 4) & 7
	switch special {
	case 0:
		return nil, false, nil
	case 1, 4: // zeros; uninitialized values (any content will do)
		out = bloscGrow(dst, c.nbytes)
		clear(out)
		return out, true, nil
	case 2: // NaNs
		var nan []byte
		switch c.typesize {
		case 4:
			nan = binary.LittleEndian.AppendUint32(nil, 0x7fc00000)
		case 8:
			nan = binary.LittleEndian.AppendUint64(nil, 0x7ff8000000000000)
		default:
			return nil, true, bloscCorrupt("NaN chunk with typesize %d", c.typesize)
		}
		return blosc2Repeat(dst, nan, c.nbytes), true, nil
	case 3: // one value, repeated
		if len(c.src) < c.hdrLen+c.typesize {
			return nil, true, bloscCorrupt("repeated-value chunk shorter than its value")
		}
		return blosc2Repeat(dst, c.src[c.hdrLen:c.hdrLen+c.typesize], c.nbytes), true, nil
	}
	return nil, true, blosc2Unsupported("special value code %d", special)
}

func blosc2Repeat(dst, v []byte, n int) []byte {
	out := bloscGrow(dst, n)
	for i := 0; i < n; i += len(v) {
		copy(out[i:], v)
	}
	return out
}

// blosc2Frame is the part of a contiguous frame header the decoder needs.
type blosc2Frame struct {
	headerLen int
	frameLen  int
	nbytes    int
	cbytes    int
	typesize  int
	chunksize int
	offBytes  int // size of one chunk offset
	// b2nd metalayer, when present
	ndim                          int
	shape, chunkshape, blockshape []int64
}

// blosc2DecodeFrame decodes a Blosc2 contiguous frame.
// c-blosc2 README_CFRAME_FORMAT.rst: msgpack integers are big-endian.
func blosc2DecodeFrame(dst, src []byte, limit int) ([]byte, error) {
	if len(src) < 62 {
		return nil, bloscCorrupt("frame of %d bytes is shorter than its header", len(src))
	}
	be := binary.BigEndian
	if src[0]&0xf0 != 0x90 || src[1] != 0xa8 || src[10] != 0xd2 || src[15] != 0xcf ||
		src[24] != 0xa4 || src[29] != 0xd3 || src[38] != 0xd3 || src[47] != 0xd2 {
		return nil, bloscCorrupt("frame header is not in the expected msgpack layout")
	}
	f := blosc2Frame{
		headerLen: int(int32(be.Uint32(src[11:]))),
		nbytes:    int(int64(be.Uint64(src[30:]))),
		cbytes:    int(int64(be.Uint64(src[39:]))),
		typesize:  int(int32(be.Uint32(src[48:]))),
	}
	fl := be.Uint64(src[16:])
	if fl > uint64(len(src)) {
		return nil, bloscCorrupt("frame length %d exceeds the %d-byte chunk", fl, len(src))
	}
	f.frameLen = int(fl)
	general, ftype := src[25], src[26]
	if ftype&0x0f != 0 {
		return nil, blosc2Unsupported("frame type %d (only contiguous frames are supported)", ftype&0x0f)
	}
	switch (general >> 4) & 3 {
	case 1:
		f.offBytes = 8
	default:
		return nil, blosc2Unsupported("chunk offsets of kind %d", (general>>4)&3)
	}
	// The chunk size follows the block size in frame format 2 and later; older
	// frames have it straight after the type size.
	if src[52] == 0xd2 && src[57] == 0xd2 {
		f.chunksize = int(int32(be.Uint32(src[58:])))
	} else if src[52] == 0xd2 {
		f.chunksize = int(int32(be.Uint32(src[53:])))
	} else {
		return nil, bloscCorrupt("frame header is not in the expected msgpack layout")
	}
	if f.nbytes < 0 || f.cbytes < 0 || f.headerLen < 62 || f.headerLen > f.frameLen || f.chunksize < 0 {
		return nil, bloscCorrupt("frame sizes (header %d, nbytes %d, cbytes %d, chunksize %d)", f.headerLen, f.nbytes, f.cbytes, f.chunksize)
	}
	if f.nbytes > limit {
		return nil, fmt.Errorf("%w: blosc2 frame declares %d bytes, limit %d", ErrTooLarge, f.nbytes, limit)
	}
	if err := blosc2ParseB2nd(&f, src[:f.headerLen]); err != nil {
		return nil, err
	}
	if f.nbytes == 0 {
		return dst[:0], nil
	}
	if f.chunksize <= 0 {
		return nil, blosc2Unsupported("frame with variable-length chunks")
	}
	nchunks := (f.nbytes + f.chunksize - 1) / f.chunksize
	idxAt := f.headerLen + f.cbytes
	if f.cbytes > f.frameLen-f.headerLen {
		return nil, bloscCorrupt("frame cbytes %d past the frame end", f.cbytes)
	}
	if nchunks > (f.frameLen-idxAt)/1 { // each offset costs at least one byte of index
		return nil, bloscCorrupt("%d chunks cannot fit an index in %d bytes", nchunks, f.frameLen-idxAt)
	}
	offs, err := bloscDecodeBuffer(nil, src[idxAt:f.frameLen], nchunks*f.offBytes, true)
	if err != nil {
		return nil, fmt.Errorf("blosc2 frame chunk index: %w", err)
	}
	if len(offs) != nchunks*f.offBytes {
		return nil, bloscCorrupt("chunk index holds %d bytes, want %d", len(offs), nchunks*f.offBytes)
	}
	out := bloscGrow(dst, f.nbytes)
	for i := 0; i < nchunks; i++ {
		want := f.chunksize
		if i == nchunks-1 {
			want = f.nbytes - i*f.chunksize
		}
		part := out[i*f.chunksize : i*f.chunksize+want]
		off := binary.LittleEndian.Uint64(offs[8*i:])
		if off>>63 != 0 {
			switch special := byte(off>>56) & 0x7f; special {
			case 0:
				clear(part)
			default:
				return nil, blosc2Unsupported("special chunk code %d in the frame index", special)
			}
			continue
		}
		if off > uint64(f.cbytes) {
			return nil, bloscCorrupt("chunk %d at frame offset %d, past the %d chunk bytes", i, off, f.cbytes)
		}
		at := f.headerLen + int(off)
		got, err := bloscDecodeBuffer(part[:0], src[at:idxAt], want, true)
		if err != nil {
			return nil, fmt.Errorf("blosc2 frame chunk %d: %w", i, err)
		}
		if len(got) != want {
			return nil, bloscCorrupt("frame chunk %d decoded to %d bytes, want %d", i, len(got), want)
		}
		if &got[0] != &part[0] {
			copy(part, got)
		}
	}
	if f.ndim > 0 {
		return blosc2Unblock(&f, out)
	}
	return out, nil
}

// blosc2ParseB2nd looks for the "b2nd" metalayer among the header's
// metalayers (README_B2ND_METALAYER.rst) and records its shapes.
func blosc2ParseB2nd(f *blosc2Frame, hdr []byte) error {
	key := []byte("\xa4b2nd\xd2")
	k := bytes.Index(hdr, key)
	if k < 0 {
		return nil
	}
	p := k + len(key)
	if p+4 > len(hdr) {
		return bloscCorrupt("b2nd metalayer offset truncated")
	}
	at := int(int32(binary.BigEndian.Uint32(hdr[p:])))
	if at < 0 || at+5 > len(hdr) || hdr[at] != 0xc6 {
		return bloscCorrupt("b2nd metalayer at %d is not a msgpack bin32", at)
	}
	n := int(binary.BigEndian.Uint32(hdr[at+1:]))
	if n > len(hdr)-at-5 {
		return bloscCorrupt("b2nd metalayer length %d past the header", n)
	}
	m := hdr[at+5 : at+5+n]
	if len(m) < 3 || m[0]&0xf0 != 0x90 || m[2] > 8 {
		return bloscCorrupt("b2nd metalayer layout")
	}
	nd := int(m[2])
	p = 3
	readArr := func(tag byte, width int) ([]int64, error) {
		if p >= len(m) || m[p] != 0x90|byte(nd) {
			return nil, bloscCorrupt("b2nd metalayer layout")
		}
		p++
		v := make([]int64, nd)
		for i := range v {
			if p+1+width > len(m) || m[p] != tag {
				return nil, bloscCorrupt("b2nd metalayer layout")
			}
			if width == 8 {
				v[i] = int64(binary.BigEndian.Uint64(m[p+1:]))
			} else {
				v[i] = int64(int32(binary.BigEndian.Uint32(m[p+1:])))
			}
			if v[i] <= 0 || v[i] > 1<<40 {
				return nil, bloscCorrupt("b2nd metalayer dimension %d", v[i])
			}
			p += 1 + width
		}
		return v, nil
	}
	var err error
	if f.shape, err = readArr(0xd3, 8); err != nil {
		return err
	}
	if f.chunkshape, err = readArr(0xd2, 4); err != nil {
		return err
	}
	if f.blockshape, err = readArr(0xd2, 4); err != nil {
		return err
	}
	f.ndim = nd
	return nil
}

// blosc2Unblock turns the block-ordered data of a single-chunk b2nd frame
// into C order. Each block of blockshape elements is stored contiguously in C
// order, blocks follow each other in C order over the chunk's block grid, and
// edge blocks are padded to the full block shape.
func blosc2Unblock(f *blosc2Frame, data []byte) ([]byte, error) {
	nd := f.ndim
	if nd == 0 {
		return data, nil
	}
	same := true
	for i := 0; i < nd; i++ {
		if f.shape[i] != f.chunkshape[i] {
			return nil, blosc2Unsupported("b2nd frame whose shape %v differs from its chunk shape %v", f.shape, f.chunkshape)
		}
		if f.chunkshape[i] != f.blockshape[i] {
			same = false
		}
	}
	if same {
		return data, nil
	}
	ts := f.typesize
	if ts <= 0 {
		return nil, bloscCorrupt("b2nd frame typesize %d", ts)
	}
	nblk := make([]int64, nd)
	total, ext := int64(ts), int64(ts)
	for i := 0; i < nd; i++ {
		nblk[i] = (f.chunkshape[i] + f.blockshape[i] - 1) / f.blockshape[i]
		total *= f.chunkshape[i]
		ext *= nblk[i] * f.blockshape[i]
		if total > int64(len(data)) || ext > int64(len(data)) {
			return nil, bloscCorrupt("b2nd shapes need more than the %d decoded bytes", len(data))
		}
	}
	if ext != int64(len(data)) {
		return nil, bloscCorrupt("b2nd padded chunk is %d bytes, decoded %d", ext, len(data))
	}
	out := make([]byte, total)
	blockElems := int64(1)
	for _, b := range f.blockshape {
		blockElems *= b
	}
	bidx := make([]int64, nd) // block grid index
	eidx := make([]int64, nd) // element index inside the block (all but the last dim)
	src := 0
	for {
		// Walk the rows (last dimension) of this block.
		for i := range eidx {
			eidx[i] = 0
		}
		for row := int64(0); row < blockElems/f.blockshape[nd-1]; row++ {
			// Global coordinates of the row start.
			inside := true
			var lin int64
			for d := 0; d < nd; d++ {
				g := bidx[d]*f.blockshape[d] + eidx[d]
				if g >= f.chunkshape[d] {
					inside = false
					break
				}
				lin = lin*f.chunkshape[d] + g
			}
			if inside {
				n := f.blockshape[nd-1]
				if rem := f.chunkshape[nd-1] - bidx[nd-1]*f.blockshape[nd-1]; rem < n {
					n = rem
				}
				copy(out[lin*int64(ts):(lin+n)*int64(ts)], data[src:src+int(n)*ts])
			}
			src += int(f.blockshape[nd-1]) * ts
			for d := nd - 2; d >= 0; d-- {
				eidx[d]++
				if eidx[d] < f.blockshape[d] {
					break
				}
				eidx[d] = 0
			}
		}
		d := nd - 1
		for ; d >= 0; d-- {
			bidx[d]++
			if bidx[d] < nblk[d] {
				break
			}
			bidx[d] = 0
		}
		if d < 0 {
			break
		}
	}
	return out, nil
}
