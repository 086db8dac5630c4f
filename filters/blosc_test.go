package filters

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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

func FuzzBlosc(f *testing.F) {
	for _, c := range g2Load(f, "blosc") {
		for _, ch := range c.Chunks {
			if ch.Size < 4096 {
				f.Add(g2Read(f, "blosc", ch.File))
			}
		}
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
