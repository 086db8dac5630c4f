package stream

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

var compareH5py = flag.Bool("h5py", false, "also time h5py's read of the benchmark file in the same run")

// benchPath is the 1 GiB gzip-1+shuffle float32 file (1048576×256, chunks
// 1024×256) that hdf5's BenchmarkChunkedGzipShuffle generates. The stream
// benchmark does not generate it: it skips when the file is absent.
func benchPath(b *testing.B) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	p := filepath.Join(dir, "goh5-bench", "gzip1_shuffle_1g.h5")
	if _, err := os.Stat(p); err != nil {
		b.Skipf("%s absent: run hdf5's BenchmarkChunkedGzipShuffle to generate it", p)
	}
	return p
}

// warmFile reads the file once so that timings measure decoding, not the
// virtual disk (the page cache forgets within about 30 s here).
func warmFile(b *testing.B, path string) {
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	io.Copy(io.Discard, fh)
}

// heapPeak samples the live heap every millisecond until stopped and
// returns the highest value seen.
func heapPeak() (stop func() uint64) {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(done); wg.Wait(); return peak.Load() }
}

// BenchmarkStream streams the 1 GiB dataset at 1 and 2 workers and reports
// MB/s of decoded data and the peak live heap, beside the memory bound
// ReadAhead×block + Workers×chunk. For comparison in the same run it also
// times the engine's whole-dataset read at the same concurrency and, with
// -h5py, h5py's read_direct of the whole dataset.
func BenchmarkStream(b *testing.B) {
	path := benchPath(b)
	var h5py float64
	if *compareH5py {
		warmFile(b, path)
		h5py = h5pyMBps(b, path)
	}
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("stream/workers=%d", workers), func(b *testing.B) {
			f, err := hdf5.Open(path, hdf5.WithConcurrency(1))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			ds, err := f.Dataset("/x")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := ds.StoredChunks(); err != nil { // load the index outside the timing
				b.Fatal(err)
			}
			total, _ := ds.SelectionBytes(nil)
			o := Options{Workers: workers}
			warmFile(b, path)
			runtime.GC()
			base := heapNow()
			stop := heapPeak()
			b.SetBytes(int64(total))
			b.ResetTimer()
			var q *Queue
			for range b.N {
				q, err = Open(ds, o)
				if err != nil {
					b.Fatal(err)
				}
				var sum byte
				for {
					blk, err := q.Next(context.Background())
					if errors.Is(err, ErrClosed) {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					d := blk.Bytes()
					sum += d[0] + d[len(d)-1]
					blk.Release()
				}
				q.Close()
				_ = sum
			}
			b.StopTimer()
			peak := stop()
			opts := q.Options()
			cs := ds.ChunkShape()
			chunk := cs[0] * cs[1] * 4
			bound := uint64(opts.ReadAhead)*uint64(opts.BlockRows)*uint64(q.RowBytes()) + uint64(opts.Workers)*chunk
			b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(bound)/(1<<20), "bound-MiB")
			if h5py > 0 {
				b.ReportMetric(h5py, "h5py-MB/s")
			}
		})
		b.Run(fmt.Sprintf("engine-whole/workers=%d", workers), func(b *testing.B) {
			f, err := hdf5.Open(path, hdf5.WithConcurrency(workers))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			ds, err := f.Dataset("/x")
			if err != nil {
				b.Fatal(err)
			}
			dst, err := ds.ReadAll()
			if err != nil {
				b.Fatal(err)
			}
			warmFile(b, path)
			b.SetBytes(int64(len(dst)))
			b.ResetTimer()
			for range b.N {
				if err := ds.Read(nil, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func heapNow() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// h5pyMBps times h5py's read_direct of /x, best of three.
func h5pyMBps(b *testing.B, path string) float64 {
	script := fmt.Sprintf(`
import time, h5py, numpy as np
f = h5py.File(%q, 'r'); d = f['x']
a = np.empty(d.shape, d.dtype)
best = 1e9
for _ in range(3):
    t = time.perf_counter(); d.read_direct(a); best = min(best, time.perf_counter() - t)
print(a.nbytes / 1e6 / best)
`, path)
	out, err := exec.Command("/usr/bin/python3", "-c", script).Output()
	if err != nil {
		b.Logf("h5py timing failed: %v", err)
		return 0
	}
	v, _ := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	return v
}
