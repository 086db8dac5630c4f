package filters

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"io"
	"testing"
)

// seedFuzz adds every fixture chunk of dir with its decoded size as limit.
func seedFuzz(f *testing.F, dir string, add func(raw []byte, params []uint32, limit int)) {
	for _, fx := range loadFixtures(f, dir) {
		if fx.chunk.Mask == 0 {
			add(fx.raw, fx.ds.Pipeline[0].Params, fx.chunk.Size)
		}
	}
}

// checkDecode runs a filter and checks the invariants every decoder keeps:
// no panic, output within limit, and an error always with a nil result.
func checkDecode(t *testing.T, id uint16, src []byte, params []uint32, limit int) []byte {
	t.Helper()
	f, _ := Lookup(id)
	out, err := f.Decode(nil, src, params, limit)
	if err != nil {
		if out != nil {
			t.Fatalf("error %v with %d bytes of output", err, len(out))
		}
		return nil
	}
	if len(out) > limit {
		t.Fatalf("output %d bytes over limit %d", len(out), limit)
	}
	if len(out) > 0 && len(src) > 0 && &out[0] == &src[0] {
		t.Fatal("Decode returned src")
	}
	return out
}

func fuzzLimit(l uint32) int { return int(l % (1 << 20)) }

func FuzzDeflate(f *testing.F) {
	seedFuzz(f, "deflate", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, l uint32) {
		limit := fuzzLimit(l)
		out := checkDecode(t, IDDeflate, src, nil, limit)
		if out == nil {
			return
		}
		// Differential: the standard library (which verifies adler32)
		// must accept the stream and give the same bytes.
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			t.Fatalf("stdlib rejects header: %v", err)
		}
		want, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
		if err != nil || !bytes.Equal(want, out) {
			t.Fatalf("stdlib disagrees: %v", err)
		}
	})
}

func FuzzShuffle(f *testing.F) {
	seedFuzz(f, "shuffle", func(raw []byte, p []uint32, n int) { f.Add(raw, p[0], uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, size uint32, l uint32) {
		out := checkDecode(t, IDShuffle, src, []uint32{size % 64}, fuzzLimit(l))
		if out != nil && !bytes.Equal(shuffleRef(out, int(size%64)), src) {
			t.Fatal("unshuffle is not the inverse of shuffle")
		}
	})
}

func FuzzFletcher32(f *testing.F) {
	seedFuzz(f, "fletcher32", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, l uint32) {
		out := checkDecode(t, IDFletcher32, src, nil, fuzzLimit(l))
		if out == nil {
			return
		}
		stored := binary.LittleEndian.Uint32(src[len(src)-4:])
		sum := fletcher32(out)
		rev := (sum&0x00ff00ff)<<8 | (sum>>8)&0x00ff00ff
		if !bytes.Equal(out, src[:len(src)-4]) || (stored != sum && stored != rev) {
			t.Fatal("accepted data whose checksum does not match")
		}
	})
}

func FuzzLZF(f *testing.F) {
	seedFuzz(f, "lzf", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n), uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, hint, l uint32) {
		checkDecode(t, IDLZF, src, []uint32{4, 261, hint}, fuzzLimit(l))
	})
}

func FuzzLZ4(f *testing.F) {
	seedFuzz(f, "lz4", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, l uint32) {
		checkDecode(t, IDLZ4, src, nil, fuzzLimit(l))
	})
}

// FuzzBzip2's seeds are the fixture streams relabelled from "BZh9" to
// "BZh1" where they still decode (their blocks are far below 100 kB):
// compress/bzip2 allocates and clears 4 bytes per byte of the declared block
// size for every stream, 3.6 MB for level 9, about 1.5 ms per run, so the
// fuzzer's minimisation of each new input (tens of thousands of runs) took
// the whole -fuzztime and the run stalled at 0 execs/s.
func FuzzBzip2(f *testing.F) {
	seedFuzz(f, "bzip2", func(raw []byte, _ []uint32, n int) {
		if len(raw) > 4 && string(raw[:3]) == "BZh" {
			small := append([]byte(nil), raw...)
			small[3] = '1'
			if out, err := (bzip2Filter{}).Decode(nil, small, nil, n); err == nil && len(out) == n {
				raw = small
			}
		}
		f.Add(raw, uint32(n))
	})
	f.Fuzz(func(t *testing.T, src []byte, l uint32) {
		checkDecode(t, IDBzip2, src, nil, fuzzLimit(l))
	})
}

func FuzzZstd(f *testing.F) {
	seedFuzz(f, "zstd", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, l uint32) {
		checkDecode(t, IDZstd, src, nil, fuzzLimit(l))
	})
}

func FuzzBitshuffle(f *testing.F) {
	add := func(raw []byte, p []uint32, n int) {
		comp := uint32(0)
		if len(p) > 4 {
			comp = p[4]
		}
		f.Add(raw, p[1], p[2], p[3], comp, uint32(n))
	}
	seedFuzz(f, "bitshuffle", add)
	seedFuzz(f, "bitshuffle_zstd", add)
	f.Fuzz(func(t *testing.T, src []byte, minor, elem, block, comp, l uint32) {
		params := []uint32{0, minor % 8, elem % 80, block % 20000, comp % 5, 3}
		checkDecode(t, IDBitshuffle, src, params, fuzzLimit(l))
	})
}
