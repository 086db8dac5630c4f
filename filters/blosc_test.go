package filters

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/klauspost/compress/snappy"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// g2Case is one dataset of a manifest written by testdata/gen_g2.py.
type g2Case struct {
	Name     string   `json:"name"`
	FIndex   int      `json:"filter_index"`
	DType    string   `json:"dtype"`
	CDValues []uint32 `json:"cd_values"`
	Chunks   []struct {
		File         string `json:"file"`
		Mask         uint32 `json:"mask"`
		Size         int    `json:"size"`
		ExpectLen    int    `json:"expect_len"`
		ExpectSHA256 string `json:"expect_sha256"`
	} `json:"chunks"`
}

func g2Load(t testing.TB, dir string) []g2Case {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []g2Case `json:"cases"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) == 0 {
		t.Fatalf("%s: empty manifest", dir)
	}
	return m.Cases
}

func g2Read(t testing.TB, dir, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func g2SHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// g2RunFixtures decodes every chunk of a manifest with filter id and compares
// with libhdf5's expectation.
func g2RunFixtures(t *testing.T, dir string, id uint16) {
	f, ok := Lookup(id)
	if !ok {
		t.Fatalf("filter %d not registered", id)
	}
	n := 0
	for _, c := range g2Load(t, dir) {
		t.Run(c.Name, func(t *testing.T) {
			for _, ch := range c.Chunks {
				src := g2Read(t, dir, ch.File)
				if ch.Mask&(1<<c.FIndex) != 0 {
					// libhdf5 skipped the optional filter (it could not
					// shrink the chunk): the chunk is stored as is.
					if g2SHA(src) != ch.ExpectSHA256 {
						t.Fatalf("%s: unfiltered chunk differs from the expectation", ch.File)
					}
					continue
				}
				got, err := f.Decode(nil, src, c.CDValues, ch.ExpectLen)
				if err != nil {
					t.Fatalf("%s: %v", ch.File, err)
				}
				if len(got) != ch.ExpectLen || g2SHA(got) != ch.ExpectSHA256 {
					t.Fatalf("%s: decoded %d bytes (sha %s), want %d bytes (sha %s)", ch.File, len(got), g2SHA(got), ch.ExpectLen, ch.ExpectSHA256)
				}
				// A limit one byte short must be refused.
				if _, err := f.Decode(nil, src, c.CDValues, ch.ExpectLen-1); err == nil {
					t.Fatalf("%s: limit %d accepted", ch.File, ch.ExpectLen-1)
				}
				n++
			}
		})
	}
	if n == 0 {
		t.Fatal("no chunks tested")
	}
}

func TestBloscFixtures(t *testing.T) { g2RunFixtures(t, "blosc", IDBlosc) }

// TestBloscConcurrency decodes the multi-block chunks serially and in
// parallel and checks both against libhdf5.
func TestBloscConcurrency(t *testing.T) {
	defer SetBloscConcurrency(0)
	for _, workers := range []int{1, 4} {
		SetBloscConcurrency(workers)
		for _, c := range g2Load(t, "blosc") {
			for _, ch := range c.Chunks {
				if ch.ExpectLen < DefaultBloscParallelBytes {
					continue
				}
				got, err := bloscFilter{}.Decode(nil, g2Read(t, "blosc", ch.File), c.CDValues, ch.ExpectLen)
				if err != nil || g2SHA(got) != ch.ExpectSHA256 {
					t.Fatalf("%s workers=%d: err %v", ch.File, workers, err)
				}
			}
		}
	}
}

// TestBloscPipeline runs a blosc chunk through Pipeline.Decode.
func TestBloscPipeline(t *testing.T) {
	c := g2Load(t, "blosc")[0]
	ch := c.Chunks[0]
	p := Pipeline{{ID: IDBlosc, Params: c.CDValues}}
	out, _, _, err := p.Decode(g2Read(t, "blosc", ch.File), 0, ch.ExpectLen, nil, nil)
	if err != nil || g2SHA(out) != ch.ExpectSHA256 {
		t.Fatalf("pipeline: %v", err)
	}
}

func bloscBombHeader(nbytes uint32) []byte {
	h := []byte{2, 1, 0x01, 4, 0, 0, 0, 0, 0, 0, 1, 0, 32, 0, 0, 0}
	h[4], h[5], h[6], h[7] = byte(nbytes), byte(nbytes>>8), byte(nbytes>>16), byte(nbytes>>24)
	return append(h, make([]byte, 16)...)
}

// TestBloscBomb: a header claiming 1 GiB is refused against a small limit
// before anything of that size is allocated.
func TestBloscBomb(t *testing.T) {
	src := bloscBombHeader(1 << 30)
	_, err := bloscFilter{}.Decode(nil, src, nil, 1<<20)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge", err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < 100; i++ {
		bloscFilter{}.Decode(nil, src, nil, 1<<20)
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("100 refused bombs allocated %d bytes", d)
	}
	if a := testing.AllocsPerRun(100, func() { bloscFilter{}.Decode(nil, src, nil, 1<<20) }); a > 10 {
		t.Fatalf("%v allocations per refused bomb", a)
	}
	// Within the limit, a header whose blocks cannot be in the chunk is
	// corrupt, not a reason to allocate.
	src = bloscBombHeader(1 << 20)
	src[8], src[9], src[10] = 1, 0, 0 // blocksize 1: a million blocks
	if _, err := (bloscFilter{}).Decode(nil, src, nil, 1<<20); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// TestBloscLZHandmade checks the blosclz format rules on a stream built by
// hand from the format description: a literal run, a near match, an
// overlapping run and a far (16-bit) match.
func TestBloscLZHandmade(t *testing.T) {
	want := []byte("abcdabcdabcdzzzzzzzz")
	in := []byte{
		0x20 | 3, 'a', 'b', 'c', 'd', // marker | literal of 4
		(6 << 5) | 0, 3, // match len 8, distance 4
		0, 'z', // literal of 1
		(5 << 5) | 0, 0, // match len 7, distance 1 (run)
	}
	out := make([]byte, len(want))
	n, err := bloscLZDecode(out, in)
	if err != nil || n != len(want) || string(out) != string(want) {
		t.Fatalf("got %q n=%d err=%v", out[:n], n, err)
	}
	// Far match: 8200 literal-ish bytes then a copy from 8200 back.
	big := make([]byte, 0, 9000)
	var stream []byte
	for len(big) < 8200 {
		k := 32
		if 8200-len(big) < k {
			k = 8200 - len(big)
		}
		stream = append(stream, byte(k-1))
		for i := 0; i < k; i++ {
			b := byte(len(big)*7 + i*13)
			stream = append(stream, b)
			big = append(big, b)
		}
	}
	stream[0] |= 0x20
	// match length 3 (code 1), high 31, low 255, then 16-bit distance-8192 = 8.
	stream = append(stream, (1<<5)|31, 255, 0, 8)
	big = append(big, big[8200-8200:8200-8200+3]...)
	out = make([]byte, len(big))
	n, err = bloscLZDecode(out, stream)
	if err != nil || n != len(big) || string(out) != string(big) {
		t.Fatalf("far match: n=%d err=%v", n, err)
	}
}

// bloscSeedChunk builds a small Blosc v1 chunk of nbytes bytes in blocks of
// blocksize (the last one partial), each block split into typesize streams
// unless dontSplit, every stream compressed with format. The content is a
// ramp; shuffle flags are set but the data is not shuffled (the decoder's
// paths are the same). It gives the fuzzer valid inputs of a few hundred
// bytes.
func bloscSeedChunk(t testing.TB, format int, flags byte, typesize, nbytes, blocksize int) []byte {
	t.Helper()
	data := make([]byte, nbytes)
	for i := range data {
		data[i] = byte(i / 3)
	}
	zenc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer zenc.Close()
	compress := func(p []byte) []byte {
		var out []byte
		switch format {
		case bloscFormatBloscLZ: // literal runs of at most 32 bytes
			for q := p; len(q) > 0; {
				n := min(len(q), 32)
				out = append(append(out, byte(n-1)), q[:n]...)
				q = q[n:]
			}
		case bloscFormatLZ4:
			out = make([]byte, lz4.CompressBlockBound(len(p)))
			n, err := lz4.CompressBlock(p, out, nil)
			if err != nil || n == 0 {
				t.Fatalf("lz4: %d, %v", n, err)
			}
			out = out[:n]
		case bloscFormatSnappy:
			out = snappy.Encode(nil, p)
		case bloscFormatZlib:
			var b bytes.Buffer
			w := zlib.NewWriter(&b)
			w.Write(p)
			w.Close()
			out = b.Bytes()
		case bloscFormatZstd:
			out = zenc.EncodeAll(p, nil)
		}
		if len(out) == len(p) { // would read as a raw stream
			t.Fatalf("format %d: stream of %d bytes did not change size", format, len(p))
		}
		return out
	}
	nblocks := (nbytes + blocksize - 1) / blocksize
	flags |= byte(format << 5)
	h := []byte{2, 1, flags, byte(typesize), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(h[4:], uint32(nbytes))
	binary.LittleEndian.PutUint32(h[8:], uint32(blocksize))
	body := []byte{}
	table := make([]byte, 4*nblocks)
	for i := 0; i < nblocks; i++ {
		blk := data[i*blocksize : min((i+1)*blocksize, nbytes)]
		binary.LittleEndian.PutUint32(table[4*i:], uint32(len(h)+len(table)+len(body)))
		ns := 1
		if flags&bloscFlagDontSplit == 0 && len(blk) == blocksize {
			ns = typesize
		}
		for j := 0; j < ns; j++ {
			z := compress(blk[j*len(blk)/ns : (j+1)*len(blk)/ns])
			body = binary.LittleEndian.AppendUint32(body, uint32(len(z)))
			body = append(body, z...)
		}
	}
	out := append(append(h, table...), body...)
	binary.LittleEndian.PutUint32(out[12:], uint32(len(out)))
	return out
}

// bloscSeeds are small valid chunks for every codec, shuffle mode and split
// mode, and a memcpyed one.
func bloscSeeds(t testing.TB) [][]byte {
	var seeds [][]byte
	for _, format := range []int{bloscFormatBloscLZ, bloscFormatLZ4, bloscFormatSnappy, bloscFormatZlib, bloscFormatZstd} {
		for _, sh := range []byte{0, bloscFlagShuffle, bloscFlagBitShuffle} {
			for _, split := range []byte{0, bloscFlagDontSplit} {
				seeds = append(seeds, bloscSeedChunk(t, format, sh|split, 4, 72, 32))
			}
		}
	}
	mem := []byte{2, 1, bloscFlagMemcpyed | bloscFlagShuffle, 4, 24, 0, 0, 0, 24, 0, 0, 0, 40, 0, 0, 0}
	seeds = append(seeds, append(mem, make([]byte, 24)...))
	return seeds
}

// TestBloscSeeds: the fuzz seeds decode to their ramp (unshuffled when the
// flags ask for it, which only reorders it) without error.
func TestBloscSeeds(t *testing.T) {
	for i, s := range bloscSeeds(t) {
		out, err := bloscFilter{}.Decode(nil, s, nil, 1<<10)
		if err != nil {
			t.Errorf("seed %d (flags %#x): %v", i, s[2], err)
			continue
		}
		want := 72
		if s[2]&bloscFlagMemcpyed != 0 {
			want = 24
		}
		if len(out) != want {
			t.Errorf("seed %d: %d bytes, want %d", i, len(out), want)
		}
	}
}

// TestBloscSharedBlocks: blocks whose offsets all point at the same streams
// (c-blosc lays blocks end to end, so their streams never share bytes) are
// refused before any stream is decoded, quickly: such a chunk of 20 KB once
// cost over a million zlib stream decodes.
func TestBloscSharedBlocks(t *testing.T) {
	const typesize, nbytes = 255, 1 << 20
	var one bytes.Buffer
	w := zlib.NewWriter(&one)
	w.Write([]byte{7})
	w.Close()
	nblocks := (nbytes + typesize - 1) / typesize
	start := 16 + 4*nblocks
	src := []byte{2, 1, bloscFormatZlib << 5, typesize, 0, 0, 0, 0, typesize, 0, 0, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(src[4:], nbytes)
	for i := 0; i < nblocks; i++ {
		src = binary.LittleEndian.AppendUint32(src, uint32(start))
	}
	for j := 0; j < typesize; j++ {
		src = binary.LittleEndian.AppendUint32(src, uint32(one.Len()))
		src = append(src, one.Bytes()...)
	}
	binary.LittleEndian.PutUint32(src[12:], uint32(len(src)))
	t0 := time.Now()
	_, err := bloscFilter{}.Decode(nil, src, nil, nbytes)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", err)
	}
	if d := time.Since(t0); d > 100*time.Millisecond {
		t.Errorf("took %v", d)
	}
}

// FuzzBlosc is seeded with small synthetic chunks (bloscSeeds), not with the
// fixture chunks (TestBloscFixtures decodes those). The fixture chunks are
// 1-4 KB, and every input that reaches new code is minimised by the fuzzer
// (for up to -fuzzminimizetime, 60 s by default) with a pass that is
// quadratic in the input's length and runs the target, coverage and all,
// for each candidate: seeded with the 3-4 KB chunks, the fuzzer spent whole
// runs minimising and showed 0 execs/s. Seeds of a few hundred bytes keep
// each minimisation to a few seconds.
func FuzzBlosc(f *testing.F) {
	for _, s := range bloscSeeds(f) {
		f.Add(s)
	}
	f.Add(bloscBombHeader(1 << 30))
	SetBloscConcurrency(1)
	defer SetBloscConcurrency(0)
	f.Fuzz(func(t *testing.T, src []byte) {
		const limit = 1 << 20
		out, err := bloscFilter{}.Decode(nil, src, nil, limit)
		if err != nil && out != nil {
			t.Fatal("error with a result")
		}
		if len(out) > limit {
			t.Fatalf("%d bytes over limit", len(out))
		}
	})
}

func BenchmarkBlosc(b *testing.B) {
	for _, c := range g2Load(b, "blosc") {
		if len(c.Name) < 4 || c.Name[:4] != "big_" {
			continue
		}
		ch := c.Chunks[0]
		src := g2Read(b, "blosc", ch.File)
		for _, w := range []int{1, 0} {
			name := c.Name + "/workers=1"
			if w == 0 {
				name = c.Name + "/workers=max"
			}
			b.Run(name, func(b *testing.B) {
				SetBloscConcurrency(w)
				defer SetBloscConcurrency(0)
				dst := make([]byte, ch.ExpectLen)
				b.SetBytes(int64(ch.ExpectLen))
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					var err error
					if dst, err = (bloscFilter{}).Decode(dst, src, c.CDValues, ch.ExpectLen); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func BenchmarkBloscBomb(b *testing.B) {
	src := bloscBombHeader(1 << 30)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := (bloscFilter{}).Decode(nil, src, nil, 1<<20); err == nil {
			b.Fatal("accepted")
		}
	}
}
