package filters

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
)

const gib = 1 << 30

// allocated reports the bytes allocated while fn runs.
func allocated(fn func()) uint64 {
	var a, b runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&a)
	fn()
	runtime.ReadMemStats(&b)
	return b.TotalAlloc - a.TotalAlloc
}

func bombs(t testing.TB) map[string]struct {
	id     uint16
	params []uint32
	src    []byte
} {
	// lz4: header says 1 GiB in 1 GiB blocks, one tiny block follows.
	lz4b := make([]byte, 12, 32)
	binary.BigEndian.PutUint64(lz4b, gib)
	binary.BigEndian.PutUint32(lz4b[8:], gib)
	lz4b = append(lz4b, 0, 0, 0, 2, 0x1f, 0)

	// bitshuffle LZ4 mode: 1 GiB of 4-byte elements.
	bs := make([]byte, 12, 32)
	binary.BigEndian.PutUint64(bs, gib)
	binary.BigEndian.PutUint32(bs[8:], 8192)
	bs = append(bs, 0, 0, 0, 2, 0x1f, 0)

	// zstd: a frame header declaring 1 GiB of content (single segment,
	// 8-byte content size), then an RLE block.
	zs := []byte{0x28, 0xb5, 0x2f, 0xfd, 0xe0}
	zs = binary.LittleEndian.AppendUint64(zs, gib)
	zs = append(zs, 0x03, 0x00, 0x00, 0x00) // last RLE block, size 0, byte 0

	// deflate: a real zlib stream of 64 MiB of zeros (~64 KiB).
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	w.Write(make([]byte, 64<<20))
	w.Close()

	return map[string]struct {
		id     uint16
		params []uint32
		src    []byte
	}{
		"lz4":        {IDLZ4, nil, lz4b},
		"bitshuffle": {IDBitshuffle, []uint32{0, 4, 4, 0, 2}, bs},
		"zstd":       {IDZstd, []uint32{3}, zs},
		"deflate":    {IDDeflate, []uint32{9}, z.Bytes()},
	}
}

// TestDecompressionBomb: a small chunk declaring (or expanding to) far more
// than the limit is refused with ErrTooLarge, allocating little.
func TestDecompressionBomb(t *testing.T) {
	const limit = 1 << 20
	for name, bc := range bombs(t) {
		t.Run(name, func(t *testing.T) {
			f, _ := Lookup(bc.id)
			var err error
			n := allocated(func() { _, err = f.Decode(nil, bc.src, bc.params, limit) })
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if n > 4<<20 {
				t.Errorf("allocated %d bytes", n)
			}
			t.Logf("%v; allocated %d bytes", err, n)
		})
	}
}

// TestBombWithinLimit: with a limit that allows the declared 1 GiB, the
// lz4 and bitshuffle headers are still refused because the input cannot
// encode that much, before allocating it.
func TestBombWithinLimit(t *testing.T) {
	for _, name := range []string{"lz4", "bitshuffle"} {
		bc := bombs(t)[name]
		f, _ := Lookup(bc.id)
		var err error
		n := allocated(func() { _, err = f.Decode(nil, bc.src, bc.params, 2*gib) })
		if !errors.Is(err, ErrCorrupt) || n > 4<<20 {
			t.Errorf("%s: err %v, allocated %d", name, err, n)
		}
	}
}
