package filters

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// Blosc (filter 32001) decodes chunks written by the HDF5 Blosc filter
// (c-blosc's hdf5/blosc_filter.c): each HDF5 chunk holds exactly one Blosc v1
// buffer. The filter's client values are [filter revision, blosc format
// version, typesize, uncompressed chunk size, compression level, shuffle,
// compressor code]; decoding needs none of them, as the Blosc header is
// self-describing.
//
// Blosc chunk format (c-blosc README_CHUNK_FORMAT.rst), all integers
// little-endian:
//
//	0 version | 1 versionlz | 2 flags | 3 typesize |
//	4 nbytes (int32) | 8 blocksize (int32) | 12 cbytes (int32)
//
// flags: bit 0 byte shuffle, bit 1 memcpyed (data follows the header
// verbatim), bit 2 bit shuffle, bit 4 blocks not split into streams, bits 5-7
// the codec format (0 blosclz, 1 lz4/lz4hc, 2 snappy, 3 zlib, 4 zstd). After
// the header come one int32 start offset per block, then per block either one
// stream or typesize streams (the block split by byte position), each stream
// preceded by its int32 compressed length; a stream whose compressed length
// equals its decoded length is stored raw.
type bloscFilter struct{}

var _ Filter = bloscFilter{}

func init() { Register(bloscFilter{}) }

func (bloscFilter) ID() uint16   { return IDBlosc }
func (bloscFilter) Name() string { return "blosc" }

func (bloscFilter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	return bloscDecodeBuffer(dst, src, limit, false)
}

// DefaultBloscParallelBytes is the decoded chunk size from which the blocks of
// one Blosc chunk are decoded by several goroutines.
const DefaultBloscParallelBytes = 256 << 10

// bloscConcurrency holds the value set by SetBloscConcurrency.
var bloscConcurrency atomic.Int32

// SetBloscConcurrency sets how many goroutines may decode the blocks of one
// large Blosc or Blosc2 chunk (at least DefaultBloscParallelBytes decoded, and
// more than one block). n <= 0 restores the default: GOMAXPROCS shared
// among the chunk decodes in progress, so a chunk decoded while the reader's
// other workers decode theirs uses one goroutine; 1 decodes serially on the
// same code path. Chunk-level parallelism belongs to the
// reader; this only helps when single chunks are large.
func SetBloscConcurrency(n int) {
	if n < 0 {
		n = 0
	}
	if n > 1<<16 {
		n = 1 << 16
	}
	bloscConcurrency.Store(int32(n))
}

// bloscActive counts the Blosc chunk decodes in progress, so that the
// default block parallelism shares GOMAXPROCS with the reader's own chunk
// workers instead of oversubscribing it.
var bloscActive atomic.Int32

// bloscWorkers returns how many goroutines may decode the blocks of a chunk
// while active chunk decodes (this one included) run: the value set by
// SetBloscConcurrency, else GOMAXPROCS divided among the active decodes.
func bloscWorkers(active int) int {
	if n := int(bloscConcurrency.Load()); n > 0 {
		return n
	}
	return max(1, runtime.GOMAXPROCS(0)/max(1, active))
}

// Blosc header flag bits and codec formats.
const (
	bloscFlagShuffle    = 0x01
	bloscFlagMemcpyed   = 0x02
	bloscFlagBitShuffle = 0x04
	bloscFlagDontSplit  = 0x10

	bloscFormatBloscLZ = 0
	bloscFormatLZ4     = 1
	bloscFormatSnappy  = 2
	bloscFormatZlib    = 3
	bloscFormatZstd    = 4

	bloscHeaderLen  = 16
	blosc2HeaderLen = 32
)

// bloscFilterNone etc. are Blosc2's filter pipeline codes
// (README_CHUNK_FORMAT.rst, "filter_codes").
const (
	bloscFilterNone       = 0
	bloscFilterShuffle    = 1
	bloscFilterBitShuffle = 2
	bloscFilterDelta      = 3
	bloscFilterTruncPrec  = 4
)

// bloscChunk is a parsed Blosc or Blosc2 chunk header.
type bloscChunk struct {
	version   uint8
	flags     uint8
	typesize  int
	nbytes    int
	blocksize int
	cbytes    int
	hdrLen    int
	format    int
	filters   [6]uint8 // byte-level filters, applied in index order when writing
	v2        bool     // Blosc2 semantics (zero and run streams)
	nblocks   int
	leftover  int
	src       []byte // the chunk, cut to cbytes
}

func bloscCorrupt(format string, a ...any) error {
	return fmt.Errorf("%w: blosc: "+format, append([]any{ErrCorrupt}, a...)...)
}

// bloscParseHeader reads the 16-byte (or, for Blosc2, 32-byte) header and
// checks every size against src and limit before anything is allocated.
func bloscParseHeader(src []byte, limit int, allowV2 bool) (*bloscChunk, error) {
	if len(src) < bloscHeaderLen {
		return nil, bloscCorrupt("buffer of %d bytes is shorter than the %d-byte header", len(src), bloscHeaderLen)
	}
	c := &bloscChunk{
		version:   src[0],
		flags:     src[2],
		typesize:  int(src[3]),
		nbytes:    int(int32(binary.LittleEndian.Uint32(src[4:]))),
		blocksize: int(int32(binary.LittleEndian.Uint32(src[8:]))),
		cbytes:    int(int32(binary.LittleEndian.Uint32(src[12:]))),
		hdrLen:    bloscHeaderLen,
	}
	c.format = int(c.flags >> 5)
	if c.nbytes < 0 || c.blocksize < 0 || c.cbytes < 0 {
		return nil, bloscCorrupt("negative size in header (nbytes %d, blocksize %d, cbytes %d)", c.nbytes, c.blocksize, c.cbytes)
	}
	if c.nbytes > limit {
		return nil, fmt.Errorf("%w: blosc header declares %d bytes, limit %d", ErrTooLarge, c.nbytes, limit)
	}
	if c.version == 0 {
		return nil, bloscCorrupt("format version 0")
	}
	if c.typesize == 0 {
		c.typesize = 1
	}
	// Blosc2 marks its extended header by setting both shuffle bits.
	if c.flags&(bloscFlagShuffle|bloscFlagBitShuffle) == bloscFlagShuffle|bloscFlagBitShuffle {
		if !allowV2 {
			return nil, &UnsupportedError{ID: IDBlosc, Name: "blosc", Detail: fmt.Sprintf("Blosc2 extended header (format version %d) in a Blosc v1 filter chunk", c.version)}
		}
		if len(src) < blosc2HeaderLen {
			return nil, bloscCorrupt("buffer of %d bytes is shorter than the %d-byte Blosc2 header", len(src), blosc2HeaderLen)
		}
		c.v2 = true
		c.hdrLen = blosc2HeaderLen
		copy(c.filters[:], src[16:22])
	} else {
		c.v2 = c.version >= 3 && allowV2
		switch {
		case c.flags&bloscFlagShuffle != 0:
			c.filters[5] = bloscFilterShuffle
		case c.flags&bloscFlagBitShuffle != 0:
			c.filters[5] = bloscFilterBitShuffle
		}
	}
	if c.cbytes < c.hdrLen || c.cbytes > len(src) {
		return nil, bloscCorrupt("cbytes %d outside [%d, %d]", c.cbytes, c.hdrLen, len(src))
	}
	c.src = src[:c.cbytes]
	if c.nbytes == 0 {
		return c, nil
	}
	if c.blocksize <= 0 {
		return nil, bloscCorrupt("blocksize %d", c.blocksize)
	}
	c.nblocks = c.nbytes / c.blocksize
	c.leftover = c.nbytes % c.blocksize
	if c.leftover > 0 {
		c.nblocks++
	}
	return c, nil
}

// bloscDecodeBuffer decodes one Blosc (v1, or with allowV2 also Blosc2) chunk.
func bloscDecodeBuffer(dst, src []byte, limit int, allowV2 bool) ([]byte, error) {
	c, err := bloscParseHeader(src, limit, allowV2)
	if err != nil {
		return nil, err
	}
	if c.v2 {
		if out, done, err := blosc2Special(c, dst); done {
			return out, err
		}
	}
	if c.flags&bloscFlagMemcpyed != 0 {
		if c.hdrLen+c.nbytes > len(c.src) {
			return nil, bloscCorrupt("memcpyed chunk of %d bytes holds only %d", c.nbytes, len(c.src)-c.hdrLen)
		}
		out := bloscGrow(dst, c.nbytes)
		copy(out, c.src[c.hdrLen:])
		return out, nil
	}
	if c.nbytes == 0 {
		return dst[:0], nil
	}
	// Count first: the block offset table must fit in the chunk.
	if c.nblocks > (len(c.src)-c.hdrLen)/4 {
		return nil, bloscCorrupt("%d blocks need a %d-byte offset table, chunk has %d bytes", c.nblocks, 4*c.nblocks, len(c.src))
	}
	if err := bloscCheckCodec(c); err != nil {
		return nil, err
	}
	if err := bloscCheckStreams(c); err != nil {
		return nil, err
	}
	out := bloscGrow(dst, c.nbytes)
	// A block is never larger than the chunk (a lying blocksize must not
	// size the scratch buffers).
	scratch := min(c.blocksize, c.nbytes)
	active := int(bloscActive.Add(1))
	defer bloscActive.Add(-1)
	workers := bloscWorkers(active)
	if c.nbytes < DefaultBloscParallelBytes || c.nblocks < 2 || workers < 2 {
		s := bloscGetScratch(scratch)
		defer bloscPutScratch(s)
		for i := 0; i < c.nblocks; i++ {
			if err := bloscDecodeBlock(c, i, out, s); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	if workers > c.nblocks {
		workers = c.nblocks
	}
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		first   error
		failed  atomic.Bool
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := bloscGetScratch(scratch)
			defer bloscPutScratch(s)
			for !failed.Load() {
				i := int(next.Add(1) - 1)
				if i >= c.nblocks {
					return
				}
				if err := bloscDecodeBlock(c, i, out, s); err != nil {
					errOnce.Do(func() { first = err })
					failed.Store(true)
					return
				}
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return nil, first
	}
	return out, nil
}

func bloscCheckCodec(c *bloscChunk) error {
	switch c.format {
	case bloscFormatBloscLZ, bloscFormatLZ4, bloscFormatZlib, bloscFormatZstd:
	case bloscFormatSnappy:
		if c.v2 {
			return &UnsupportedError{ID: IDBlosc2, Name: "blosc2", Detail: "codec format 2 (snappy) is not defined for Blosc2 chunks"}
		}
	default:
		id, name := uint16(IDBlosc), "blosc"
		if c.v2 {
			id, name = IDBlosc2, "blosc2"
		}
		return &UnsupportedError{ID: id, Name: name, Detail: fmt.Sprintf("codec format %d (user-defined or reserved)", c.format)}
	}
	for _, f := range c.filters {
		switch f {
		case bloscFilterNone, bloscFilterShuffle, bloscFilterBitShuffle, bloscFilterTruncPrec:
		case bloscFilterDelta:
			return &UnsupportedError{ID: IDBlosc2, Name: "blosc2", Detail: "delta filter in the Blosc2 filter pipeline"}
		default:
			return &UnsupportedError{ID: IDBlosc2, Name: "blosc2", Detail: fmt.Sprintf("filter code %d in the Blosc2 filter pipeline", f)}
		}
	}
	return nil
}

// bloscStreams returns how many streams block i is stored as and the size of
// the block. c-blosc splits a block into typesize streams, one per byte
// position of the elements, unless the chunk's flags say not to; the last,
// partial block is never split.
func bloscStreams(c *bloscChunk, i int) (nstreams, bsize int) {
	bsize = c.blocksize
	leftoverBlock := i == c.nblocks-1 && c.leftover > 0
	if leftoverBlock {
		bsize = c.leftover
	}
	nstreams = 1
	if c.flags&bloscFlagDontSplit == 0 && !leftoverBlock {
		nstreams = c.typesize
	}
	return nstreams, bsize
}

// bloscCheckStreams walks the stream lengths of every block before anything
// is decoded or allocated. c-blosc lays the blocks end to end after the
// offset table, so all streams together take at most the bytes after it; a
// chunk whose blocks point at shared bytes is refused, since it could make a
// small chunk cost millions of stream decodes (a 20 KB chunk of 4112 blocks
// that all point at the same 255 one-byte zlib streams took seconds). The
// walk stops as soon as the sum is over, so it takes at most one step per 4
// bytes of the chunk. A split block must also divide evenly into its
// streams, as c-blosc writes them; otherwise part of it would never be
// written.
func bloscCheckStreams(c *bloscChunk) error {
	tableEnd := c.hdrLen + 4*c.nblocks
	avail := len(c.src) - tableEnd
	used := 0
	for i := 0; i < c.nblocks; i++ {
		nstreams, bsize := bloscStreams(c, i)
		if bsize%nstreams != 0 {
			return bloscCorrupt("block %d of %d bytes does not split into %d streams", i, bsize, nstreams)
		}
		p := int(int32(binary.LittleEndian.Uint32(c.src[c.hdrLen+4*i:])))
		if p < tableEnd || p > len(c.src) {
			return bloscCorrupt("block %d starts at %d, outside the chunk", i, p)
		}
		for j := 0; j < nstreams; j++ {
			if p+4 > len(c.src) {
				return bloscCorrupt("block %d stream %d: length past the end of the chunk", i, j)
			}
			cb := int(int32(binary.LittleEndian.Uint32(c.src[p:])))
			p += 4
			used += 4
			switch {
			case c.v2 && cb == 0: // zeros, no data
			case c.v2 && cb < 0: // a run: one token byte
				p++
				used++
			case cb < 0 || cb > len(c.src)-p:
				return bloscCorrupt("block %d stream %d: compressed length %d past the end of the chunk", i, j, cb)
			default:
				p += cb
				used += cb
			}
			if used > avail {
				return bloscCorrupt("the streams of blocks 0-%d take %d bytes, more than the %d after the offset table (blocks overlap)", i, used, avail)
			}
		}
	}
	return nil
}

// bloscScratch is per-goroutine scratch: two blocks for the filter stages.
type bloscScratch struct{ a, b []byte }

var bloscScratchPool sync.Pool

func bloscGetScratch(blocksize int) *bloscScratch {
	s, _ := bloscScratchPool.Get().(*bloscScratch)
	if s == nil {
		s = new(bloscScratch)
	}
	if cap(s.a) < blocksize {
		s.a = make([]byte, blocksize)
		s.b = make([]byte, blocksize)
	}
	return s
}

func bloscPutScratch(s *bloscScratch) { bloscScratchPool.Put(s) }

// bloscGrow returns dst resized to n bytes, reusing its storage when it can.
func bloscGrow(dst []byte, n int) []byte {
	if cap(dst) >= n {
		return dst[:n]
	}
	return make([]byte, n)
}

// bloscDecodeBlock decodes block i into its part of out.
func bloscDecodeBlock(c *bloscChunk, i int, out []byte, s *bloscScratch) error {
	nstreams, bsize := bloscStreams(c, i)
	dest := out[i*c.blocksize : i*c.blocksize+bsize]
	start := int(int32(binary.LittleEndian.Uint32(c.src[c.hdrLen+4*i:])))
	if start < c.hdrLen+4*c.nblocks || start > len(c.src) {
		return bloscCorrupt("block %d starts at %d, outside the chunk", i, start)
	}
	hasFilter, nshuffle := false, 0
	for _, f := range c.filters {
		if f == bloscFilterShuffle || f == bloscFilterBitShuffle {
			hasFilter = true
		}
		if f == bloscFilterShuffle {
			nshuffle++
		}
	}
	// A byte-shuffled block of 4-byte elements in 4 streams (the common
	// float32 case) is unshuffled straight from its streams: a stream stored
	// raw is read where it lies in the chunk instead of copied first.
	var planes [4][]byte
	usePlanes := hasFilter && nshuffle == 1 && c.typesize == 4 && nstreams == 4
	for _, f := range c.filters {
		if f == bloscFilterBitShuffle {
			usePlanes = false
		}
	}
	target := dest
	if hasFilter {
		target = s.a[:bsize]
	}
	neblock := bsize / nstreams
	p := start
	for j := 0; j < nstreams; j++ {
		if p+4 > len(c.src) {
			return bloscCorrupt("block %d stream %d: length past the end of the chunk", i, j)
		}
		cb := int(int32(binary.LittleEndian.Uint32(c.src[p:])))
		p += 4
		part := target[j*neblock : (j+1)*neblock]
		if c.v2 && cb <= 0 {
			if cb == 0 {
				clear(part)
				continue
			}
			if p >= len(c.src) {
				return bloscCorrupt("block %d stream %d: missing run token", i, j)
			}
			token := c.src[p]
			p++
			if token&1 == 0 || cb < -255 {
				return bloscCorrupt("block %d stream %d: unknown run encoding (csize %d, token %#x)", i, j, cb, token)
			}
			v := byte(-cb)
			for k := range part {
				part[k] = v
			}
			continue
		}
		if cb < 0 || cb > len(c.src)-p {
			return bloscCorrupt("block %d stream %d: compressed length %d past the end of the chunk", i, j, cb)
		}
		in := c.src[p : p+cb]
		p += cb
		if cb == neblock {
			if usePlanes {
				planes[j] = in
				continue
			}
			copy(part, in)
			continue
		}
		if err := bloscDecompressStream(c.format, part, in); err != nil {
			return fmt.Errorf("blosc block %d stream %d: %w", i, j, err)
		}
	}
	if !hasFilter {
		return nil
	}
	if usePlanes {
		for j := range planes {
			if planes[j] == nil {
				planes[j] = target[j*neblock : (j+1)*neblock]
			}
		}
		bloscUnshuffle4Planes(dest, planes)
		return nil
	}
	// Undo the filters in reverse pipeline order.
	cur, spare := s.a[:bsize], s.b[:bsize]
	last := -1
	for k := len(c.filters) - 1; k >= 0; k-- {
		if c.filters[k] == bloscFilterShuffle || c.filters[k] == bloscFilterBitShuffle {
			last = k
		}
	}
	for k := len(c.filters) - 1; k >= 0; k-- {
		f := c.filters[k]
		if f != bloscFilterShuffle && f != bloscFilterBitShuffle {
			continue
		}
		to := spare
		if k == last {
			to = dest
		}
		if f == bloscFilterShuffle {
			bloscUnshuffle(to, cur, c.typesize)
		} else {
			bloscBitUnshuffle(to, cur, c.typesize, c.version)
		}
		cur, spare = to, cur
	}
	return nil
}

var (
	bloscZstdOnce sync.Once
	bloscZstd     *zstd.Decoder
	bloscZstdErr  error
	bloscZlibPool sync.Pool // *bloscZlib
)

type bloscZlib struct {
	br bytes.Reader
	r  io.ReadCloser
}

// bloscDecompressStream decodes one stream into part, which it must fill
// exactly.
func bloscDecompressStream(format int, part, in []byte) error {
	n := len(part)
	switch format {
	case bloscFormatBloscLZ:
		got, err := bloscLZDecode(part, in)
		if err != nil {
			return err
		}
		if got != n {
			return bloscCorrupt("blosclz stream decoded to %d bytes, want %d", got, n)
		}
	case bloscFormatLZ4:
		got, err := lz4.UncompressBlock(in, part)
		if err != nil {
			return fmt.Errorf("%w: lz4: %v", ErrCorrupt, err)
		}
		if got != n {
			return bloscCorrupt("lz4 stream decoded to %d bytes, want %d", got, n)
		}
	case bloscFormatSnappy:
		dl, err := snappy.DecodedLen(in)
		if err != nil {
			return fmt.Errorf("%w: snappy: %v", ErrCorrupt, err)
		}
		if dl != n {
			return bloscCorrupt("snappy stream declares %d bytes, want %d", dl, n)
		}
		got, err := snappy.Decode(part, in)
		if err != nil {
			return fmt.Errorf("%w: snappy: %v", ErrCorrupt, err)
		}
		if len(got) != n || (n > 0 && &got[0] != &part[0]) {
			return bloscCorrupt("snappy stream decoded to %d bytes, want %d", len(got), n)
		}
	case bloscFormatZlib:
		z, _ := bloscZlibPool.Get().(*bloscZlib)
		if z == nil {
			z = new(bloscZlib)
		}
		defer bloscZlibPool.Put(z)
		z.br.Reset(in)
		var err error
		if z.r == nil {
			z.r, err = zlib.NewReader(&z.br)
		} else {
			err = z.r.(zlib.Resetter).Reset(&z.br, nil)
		}
		if err != nil {
			z.r = nil
			return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
		}
		if _, err := io.ReadFull(z.r, part); err != nil {
			return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
		}
		var one [1]byte
		if m, err := z.r.Read(one[:]); m != 0 || (err != nil && err != io.EOF) {
			if m != 0 {
				return bloscCorrupt("zlib stream longer than %d bytes", n)
			}
			return fmt.Errorf("%w: zlib: %v", ErrCorrupt, err)
		}
	case bloscFormatZstd:
		bloscZstdOnce.Do(func() {
			bloscZstd, bloscZstdErr = zstd.NewReader(nil,
				zstd.WithDecoderConcurrency(0),
				zstd.WithDecodeAllCapLimit(true),
				zstd.WithDecoderMaxWindow(1<<30))
		})
		if bloscZstdErr != nil {
			return bloscZstdErr
		}
		got, err := bloscZstd.DecodeAll(in, part[:0:n])
		if err != nil {
			return fmt.Errorf("%w: zstd: %v", ErrCorrupt, err)
		}
		if len(got) != n {
			return bloscCorrupt("zstd stream decoded to %d bytes, want %d", len(got), n)
		}
	default:
		return bloscCorrupt("codec format %d", format)
	}
	return nil
}

// errBloscLZ reports a malformed blosclz stream.
var errBloscLZ = errors.New("blosclz: malformed stream")

// bloscLZDecode decodes a BloscLZ stream into out and returns the number of
// bytes written. BloscLZ is FastLZ's level-2 format: the first byte's top three
// bits are a level marker and its low five bits are the first instruction.
// An instruction byte below 32 is a literal run of (byte+1) bytes. Otherwise
// it starts a match: length code L = byte>>5 (7 means more length bytes
// follow, each added, until one is not 255), high distance bits = byte&31,
// then one low distance byte. Match length is L+2; distance is
// (high<<8 | low) + 1, except that high 31 with low 255 means a 16-bit
// distance follows (big-endian) and the distance is that plus 8192.
func bloscLZDecode(out, in []byte) (int, error) {
	if len(in) == 0 {
		return 0, nil
	}
	ip, op := 1, 0
	ctrl := int(in[0] & 31)
	for {
		if ctrl >= 32 {
			length := ctrl>>5 - 1
			ofs := (ctrl & 31) << 8
			if length == 6 {
				for {
					if ip >= len(in) {
						return op, fmt.Errorf("%w: %w (truncated match length)", ErrCorrupt, errBloscLZ)
					}
					code := int(in[ip])
					ip++
					length += code
					if code != 255 {
						break
					}
				}
			}
			if ip >= len(in) {
				return op, fmt.Errorf("%w: %w (truncated match distance)", ErrCorrupt, errBloscLZ)
			}
			code := int(in[ip])
			ip++
			length += 3
			dist := ofs + code + 1
			if code == 255 && ofs == 31<<8 {
				if ip+1 >= len(in) {
					return op, fmt.Errorf("%w: %w (truncated far distance)", ErrCorrupt, errBloscLZ)
				}
				dist = (int(in[ip])<<8 | int(in[ip+1])) + 8191 + 1
				ip += 2
			}
			if length > len(out)-op {
				return op, fmt.Errorf("%w: %w (match overruns output)", ErrCorrupt, errBloscLZ)
			}
			if dist > op {
				return op, fmt.Errorf("%w: %w (match distance %d before start)", ErrCorrupt, errBloscLZ, dist)
			}
			ref := op - dist
			if dist >= length {
				copy(out[op:op+length], out[ref:ref+length])
			} else {
				for k := 0; k < length; k++ {
					out[op+k] = out[ref+k]
				}
			}
			op += length
		} else {
			n := ctrl + 1
			if n > len(out)-op {
				return op, fmt.Errorf("%w: %w (literal overruns output)", ErrCorrupt, errBloscLZ)
			}
			if n > len(in)-ip {
				return op, fmt.Errorf("%w: %w (truncated literal)", ErrCorrupt, errBloscLZ)
			}
			copy(out[op:], in[ip:ip+n])
			op += n
			ip += n
		}
		if ip >= len(in) {
			return op, nil
		}
		ctrl = int(in[ip])
		ip++
	}
}

// bloscUnshuffle undoes Blosc's byte shuffle of one block: the block holds
// len/typesize elements stored byte-plane by byte-plane; the trailing
// len%typesize bytes were not shuffled.
func bloscUnshuffle(dst, src []byte, typesize int) {
	if typesize <= 1 {
		copy(dst, src)
		return
	}
	n := len(src) / typesize
	unshuffle(dst, src, typesize, n) // the shuffle filter's word-at-a-time paths
	copy(dst[n*typesize:], src[n*typesize:])
}

// bloscBitUnshuffle undoes Blosc's bit shuffle of one block (bitshuffle's
// bshuf_trans_bit_elem layout: for each byte of the element, for each of its
// 8 bits, one row of n/8 bytes holding that bit of every element, element 8b+i
// in bit i of row byte b). It covers the largest multiple of 8 elements; the
// rest is stored as is (format version 2 instead leaves the whole block as is
// unless its element count is a multiple of 8).
func bloscBitUnshuffle(dst, src []byte, typesize int, version uint8) {
	n := len(src) / typesize
	if version == 2 && n%8 != 0 {
		copy(dst, src)
		return
	}
	n8 := n - n%8
	rowBytes := n8 / 8
	for j := 0; j < typesize; j++ {
		for b := 0; b < rowBytes; b++ {
			var x uint64
			base := j*8*rowBytes + b
			for k := 0; k < 8; k++ {
				x |= uint64(src[base+k*rowBytes]) << (8 * k)
			}
			x = transpose8x8(x)
			o := 8*b*typesize + j
			for i := 0; i < 8; i++ {
				dst[o+i*typesize] = byte(x >> (8 * i))
			}
		}
	}
	copy(dst[n8*typesize:], src[n8*typesize:])
}

// bloscUnshuffle4Planes interleaves four byte planes of equal length n into
// dst (4n bytes): element i is p[0][i] p[1][i] p[2][i] p[3][i], through the
// shuffle filter's interleave4.
func bloscUnshuffle4Planes(dst []byte, p [4][]byte) {
	n := len(p[0])
	m := n &^ 7
	p0, p1, p2, p3 := p[0][:n:n], p[1][:n:n], p[2][:n:n], p[3][:n:n]
	o := dst[:4*n]
	interleave4(o[:4*m], p0[:m], p1[:m], p2[:m], p3[:m])
	for i := m; i < n; i++ {
		o[4*i], o[4*i+1], o[4*i+2], o[4*i+3] = p0[i], p1[i], p2[i], p3[i]
	}
}
