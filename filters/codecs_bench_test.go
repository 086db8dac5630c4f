package filters

import (
	"fmt"
	"testing"
)

// BenchmarkDecode decodes the largest libhdf5-written fixture chunk of each
// filter into a reused buffer, reporting MB/s of decoded output and
// allocations per chunk.
func BenchmarkDecode(b *testing.B) {
	for _, fd := range fixtureDirs {
		var best fixtureChunkData
		for _, fx := range loadFixtures(b, fd.dir) {
			if fx.chunk.Mask == 0 && fx.chunk.Size > best.chunk.Size {
				best = fx
			}
		}
		f, _ := Lookup(fd.id)
		params := best.ds.Pipeline[0].Params
		b.Run(fmt.Sprintf("%s/%s/%dB", fd.dir, best.ds.Name, best.chunk.Size), func(b *testing.B) {
			dst, err := f.Decode(nil, best.raw, params, best.chunk.Size)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(best.chunk.Size))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				dst, err = f.Decode(dst, best.raw, params, best.chunk.Size)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBitUnshuffle measures the bit transpose alone on 1 MiB.
func BenchmarkBitUnshuffle(b *testing.B) {
	for _, size := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("elem%d", size), func(b *testing.B) {
			src := make([]byte, 1<<20)
			for i := range src {
				src[i] = byte(i * 31)
			}
			out := make([]byte, len(src))
			b.SetBytes(int64(len(src)))
			b.ReportAllocs()
			// In default-size blocks of about 8 KiB, as bitshuffle uses.
			blk := bshufDefaultBlockSize(size) * size
			for i := 0; i < b.N; i++ {
				for off := 0; off+blk <= len(src); off += blk {
					bitUnshuffle(out[off:off+blk], src[off:off+blk], blk/size, size)
				}
			}
		})
	}
}

// BenchmarkBomb measures refusing a 1 GiB declaration under a 1 MiB limit.
func BenchmarkBomb(b *testing.B) {
	for name, bc := range bombs(b) {
		f, _ := Lookup(bc.id)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := f.Decode(nil, bc.src, bc.params, 1<<20); err == nil {
					b.Fatal("bomb accepted")
				}
			}
		})
	}
}
