package hdf5

import (
	"fmt"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// gzip1ShuffleScript writes the chunk-engine benchmark file: a 1 GiB float32
// dataset /x of shape (1048576, 256) in chunks of (1024, 256), gzip level 1
// with shuffle. The values are a smooth signal plus noise, so they compress
// roughly as measured data does (about 2:1).
const gzip1ShuffleScript = `
import sys, h5py, numpy as np
rows, cols, step = 1048576, 256, 16384
rng = np.random.default_rng(1)
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    d = f.create_dataset('x', shape=(rows, cols), dtype='<f4', chunks=(1024, cols),
                         compression='gzip', compression_opts=1, shuffle=True)
    base = np.sin(np.arange(cols, dtype=np.float64) * 0.05)
    for i in range(0, rows, step):
        t = np.arange(i, i + step, dtype=np.float64)[:, None] * 1e-4
        block = (np.cos(t) * base + rng.standard_normal((step, cols)) * 0.01).astype('<f4')
        d[i:i+step] = block
`

// h5pyReadMBps times h5py's read_direct of a whole dataset, best of three,
// in the same run as the Go benchmark.
func h5pyReadMBps(b *testing.B, path, dset string) float64 {
	script := fmt.Sprintf(`
import sys, time, h5py, numpy as np
f = h5py.File(%q, 'r'); d = f[%q]
a = np.empty(d.shape, d.dtype)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); d.read_direct(a); best = min(best, time.perf_counter() - t)
print(a.nbytes / 1e6 / best)
`, path, dset)
	out, err := exec.Command("/usr/bin/python3", "-c", script).Output()
	if err != nil {
		b.Logf("h5py timing failed: %v", err)
		return 0
	}
	v, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	return v
}

// BenchmarkChunkedGzipShuffle reads the 1 GiB gzip-1+shuffle dataset whole
// at 1 and 2 workers, and decodes its bare chunks (deflate + unshuffle) on
// one core. It reports MB/s of decoded data, allocations per chunk once
// warm and, with -h5py, h5py's rate on the same file in the same run.
func BenchmarkChunkedGzipShuffle(b *testing.B) {
	path := benchFile(b, "gzip1_shuffle_1g.h5", gzip1ShuffleScript)
	var h5py float64
	if *compareH5py {
		warm(b, path)
		h5py = h5pyReadMBps(b, path, "/x")
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("read/workers=%d", workers), func(b *testing.B) {
			f, err := Open(path, WithConcurrency(workers))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			d, err := f.Dataset("/x")
			if err != nil {
				b.Fatal(err)
			}
			n, _ := d.SelectionBytes(nil)
			dst := make([]byte, n)
			chunks, _ := d.StoredChunks()
			warm(b, path)
			if err := d.Read(nil, dst); err != nil { // load the index, warm the pools
				b.Fatal(err)
			}
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			b.SetBytes(int64(n))
			b.ResetTimer()
			for range b.N {
				if err := d.Read(nil, dst); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(b.N)/float64(len(chunks)), "allocs/chunk")
			if h5py > 0 {
				b.ReportMetric(h5py, "h5py-MB/s")
			}
		})
	}
	b.Run("bare-chunks/deflate+unshuffle", func(b *testing.B) {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		d, err := f.Dataset("/x")
		if err != nil {
			b.Fatal(err)
		}
		chunks, err := d.StoredChunks()
		if err != nil {
			b.Fatal(err)
		}
		chunks = chunks[:min(len(chunks), 128)]
		_, chunkBytes, _ := d.chunkGeometry()
		raws := make([][]byte, len(chunks))
		for i, c := range chunks {
			raws[i] = make([]byte, c.Size)
			if err := f.src.ReadInto(raws[i], c.Addr, "chunk"); err != nil {
				b.Fatal(err)
			}
		}
		p := d.fpipe
		var x, y []byte
		b.SetBytes(int64(chunkBytes) * int64(len(raws)))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			for _, r := range raws {
				var err error
				_, x, y, err = p.Decode(r, 0, int(chunkBytes), x, y)
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
