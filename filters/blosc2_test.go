package filters

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The blosc2 fixtures are chunks of corpus files, located by offset; the
// expectations come from libhdf5 reading the same data written with blosc.
type g2CorpusChunk struct {
	File         string `json:"file"`
	ByteOffset   int64  `json:"byte_offset"`
	Size         int    `json:"size"`
	ExpectLen    int    `json:"expect_len"`
	ExpectSHA256 string `json:"expect_sha256"`
}

type g2CorpusCase struct {
	Name     string          `json:"name"`
	CDValues []uint32        `json:"cd_values"`
	Chunks   []g2CorpusChunk `json:"chunks"`
}

func g2CorpusChunks(t testing.TB) ([]g2CorpusCase, [][][]byte) {
	b, err := os.ReadFile(filepath.Join("testdata", "blosc2", "corpus.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []g2CorpusCase `json:"cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	raw := make([][][]byte, len(m.Cases))
	for i, c := range m.Cases {
		for _, ch := range c.Chunks {
			f, err := os.Open(filepath.Join("..", "..", "shared", "corpus", "files", ch.File))
			if err != nil {
				return nil, nil
			}
			buf := make([]byte, ch.Size)
			_, err = f.ReadAt(buf, ch.ByteOffset)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			raw[i] = append(raw[i], buf)
		}
	}
	return m.Cases, raw
}

func TestBlosc2Corpus(t *testing.T) {
	cases, raw := g2CorpusChunks(t)
	if cases == nil {
		t.Skip("corpus absent")
	}
	for i, c := range cases {
		for j, ch := range c.Chunks {
			got, err := blosc2Filter{}.Decode(nil, raw[i][j], c.CDValues, ch.ExpectLen)
			if err != nil {
				t.Fatalf("%s chunk %d: %v", c.Name, j, err)
			}
			if g2SHA(got) != ch.ExpectSHA256 {
				t.Fatalf("%s chunk %d: sha mismatch", c.Name, j)
			}
			if _, err := (blosc2Filter{}).Decode(nil, raw[i][j], c.CDValues, ch.ExpectLen-1); !errors.Is(err, ErrTooLarge) {
				t.Fatalf("%s chunk %d: short limit: %v", c.Name, j, err)
			}
		}
	}
}

// blosc2Header builds a 32-byte Blosc2 extended header.
func blosc2Header(flags, typesize byte, nbytes, blocksize, cbytes int, filters [6]byte, b2flags byte) []byte {
	h := make([]byte, 32)
	h[0], h[1], h[2], h[3] = 5, 1, flags|0x05, typesize
	binary.LittleEndian.PutUint32(h[4:], uint32(nbytes))
	binary.LittleEndian.PutUint32(h[8:], uint32(blocksize))
	binary.LittleEndian.PutUint32(h[12:], uint32(cbytes))
	copy(h[16:], filters[:])
	h[31] = b2flags
	return h
}

// TestBlosc2Chunks covers the chunk forms of README_CHUNK_FORMAT.rst built by
// hand: special-value chunks, zero and run streams, memcpyed chunks, and the
// refusals.
func TestBlosc2Chunks(t *testing.T) {
	dec := func(src []byte) ([]byte, error) { return blosc2Filter{}.Decode(nil, src, nil, 1<<20) }
	// Run of zeros.
	out, err := dec(blosc2Header(0, 4, 64, 64, 32, [6]byte{}, 1<<4))
	if err != nil || len(out) != 64 || g2SHA(out) != g2SHA(make([]byte, 64)) {
		t.Fatalf("zeros: %v", err)
	}
	// Repeated value.
	src := append(blosc2Header(0, 2, 6, 6, 34, [6]byte{}, 3<<4), 0x34, 0x12)
	out, err = dec(src)
	if err != nil || string(out) != "\x34\x12\x34\x12\x34\x12" {
		t.Fatalf("repeat: %q %v", out, err)
	}
	// One block, split in two streams (typesize 2): a zero stream and a run
	// stream of 0x07 bytes, then byte-unshuffled.
	h := blosc2Header(0, 2, 8, 8, 0, [6]byte{0, 0, 0, 0, 0, bloscFilterShuffle}, 0)
	body := binary.LittleEndian.AppendUint32(nil, 36)
	body = binary.LittleEndian.AppendUint32(body, 0)
	body = binary.LittleEndian.AppendUint32(body, uint32(0xFFFFFFFF-7+1)) // -7
	body = append(body, 1)                                                // token: run
	src = append(h, body...)
	binary.LittleEndian.PutUint32(src[12:], uint32(len(src)))
	out, err = dec(src)
	if err != nil || string(out) != "\x00\x07\x00\x07\x00\x07\x00\x07" {
		t.Fatalf("streams: %q %v", out, err)
	}
	// Memcpyed.
	src = append(blosc2Header(0x02, 1, 3, 3, 35, [6]byte{}, 0), 'x', 'y', 'z')
	if out, err = dec(src); err != nil || string(out) != "xyz" {
		t.Fatalf("memcpyed: %q %v", out, err)
	}
	// Refusals with a precise reason.
	var u *UnsupportedError
	src = blosc2Header(0, 4, 64, 64, 40, [6]byte{0, 0, 0, 0, 0, bloscFilterDelta}, 0)
	src = append(src, make([]byte, 8)...)
	if _, err = dec(src); !errors.As(err, &u) {
		t.Fatalf("delta: %v", err)
	}
	src = blosc2Header(6<<5, 4, 64, 64, 40, [6]byte{}, 0)
	src = append(src, make([]byte, 8)...)
	if _, err = dec(src); !errors.As(err, &u) {
		t.Fatalf("user codec: %v", err)
	}
	if _, err = dec(blosc2Header(0, 4, 64, 64, 32, [6]byte{}, 0x01)); !errors.As(err, &u) {
		t.Fatalf("dictionary: %v", err)
	}
	if _, err = dec(blosc2Header(0, 4, 1<<30, 64, 32, [6]byte{}, 0)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("bomb: %v", err)
	}
}

// TestBloscMemcpyed: a Blosc v1 memcpyed buffer (flags bit 1) is the header
// followed by the data as is.
func TestBloscMemcpyed(t *testing.T) {
	src := []byte{2, 1, 0x02 | 0x01, 4, 8, 0, 0, 0, 8, 0, 0, 0, 24, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8}
	out, err := bloscFilter{}.Decode(nil, src, nil, 8)
	if err != nil || string(out) != "\x01\x02\x03\x04\x05\x06\x07\x08" {
		t.Fatalf("%q %v", out, err)
	}
	src[12] = 23 // cbytes too small for the data
	if _, err := (bloscFilter{}).Decode(nil, src, nil, 8); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("short memcpyed: %v", err)
	}
}

// TestBlosc2Unblock checks the b2nd block order on a 3x5 chunk with 2x2
// blocks (padded to 4x6).
func TestBlosc2Unblock(t *testing.T) {
	f := &blosc2Frame{ndim: 2, typesize: 1, shape: []int64{3, 5}, chunkshape: []int64{3, 5}, blockshape: []int64{2, 2}}
	// Build the padded block-ordered buffer from element values 10*r+c.
	var data []byte
	for br := 0; br < 2; br++ {
		for bc := 0; bc < 3; bc++ {
			for r := 0; r < 2; r++ {
				for c := 0; c < 2; c++ {
					gr, gc := br*2+r, bc*2+c
					v := byte(0xEE)
					if gr < 3 && gc < 5 {
						v = byte(10*gr + gc)
					}
					data = append(data, v)
				}
			}
		}
	}
	out, err := blosc2Unblock(f, data)
	if err != nil {
		t.Fatal(err)
	}
	for r := 0; r < 3; r++ {
		for c := 0; c < 5; c++ {
			if out[r*5+c] != byte(10*r+c) {
				t.Fatalf("(%d,%d) = %d", r, c, out[r*5+c])
			}
		}
	}
}

func FuzzBlosc2(f *testing.F) {
	if _, raw := g2CorpusChunks(f); raw != nil {
		for _, r := range raw {
			for _, c := range r {
				f.Add(c)
			}
		}
	}
	f.Add(blosc2Header(0, 4, 64, 64, 32, [6]byte{}, 1<<4))
	f.Add(append(blosc2Header(0, 2, 6, 6, 34, [6]byte{}, 3<<4), 0x34, 0x12))
	f.Fuzz(func(t *testing.T, src []byte) {
		const limit = 1 << 20
		out, err := blosc2Filter{}.Decode(nil, src, nil, limit)
		if err != nil && out != nil {
			t.Fatal("error with a result")
		}
		if len(out) > limit {
			t.Fatalf("%d bytes over limit", len(out))
		}
	})
}

func BenchmarkBlosc2Corpus(b *testing.B) {
	cases, raw := g2CorpusChunks(b)
	if cases == nil {
		b.Skip("corpus absent")
	}
	ch := cases[0].Chunks[0]
	src := raw[0][0]
	dst := make([]byte, ch.ExpectLen)
	b.SetBytes(int64(ch.ExpectLen))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var err error
		if dst, err = (blosc2Filter{}).Decode(dst, src, nil, ch.ExpectLen); err != nil {
			b.Fatal(err)
		}
	}
}
