package reader

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

// The benchmark table: /t of testdata/tables.h5, 100,000 rows of 73 bytes,
// chunks of 885 rows, deflate (gzip) with shuffle.

func benchRows(n int, rows, span int64, seed uint64) []int64 {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]int64, n)
	for i := range out {
		out[i] = rng.Int64N(rows - span + 1)
	}
	return out
}

// runPattern submits one request per start row from a loader goroutine
// through a pool of stages and consumes them in order in this goroutine
// (multitables' pattern). It returns the elapsed time.
func runPattern(tb testing.TB, r *Reader, tbl *TableDataset, pool *StagePool, starts []int64, span int64) time.Duration {
	rp := NewRequestPool()
	t0 := time.Now()
	go func() {
		for _, i := range starts {
			rp.Add(r.Request(tbl.Read(i, i+span, 1, ""), pool))
		}
		rp.Close()
	}()
	var sum byte
	for {
		f, ok := rp.Next()
		if !ok {
			break
		}
		if err := f.Direct(func(v View) error { sum += v.Data[0]; return nil }); err != nil {
			tb.Fatal(err)
		}
	}
	_ = sum
	return time.Since(t0)
}

func warmFile(tb testing.TB) {
	b, err := os.ReadFile(fixture)
	if err != nil {
		tb.Fatal(err)
	}
	_ = b
}

// BenchmarkRequests: random one-row and 64-row requests on the
// gzip-compressed chunked table, workers 1 and 2, with the reader's block
// cache. Reports requests per second.
func BenchmarkRequests(b *testing.B) {
	for _, span := range []int64{1, 64} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("rows=%d/workers=%d", span, workers), func(b *testing.B) {
				warmFile(b)
				r, err := Open(fixture, Options{Workers: workers})
				if err != nil {
					b.Fatal(err)
				}
				defer r.Close(true)
				tbl := mustTable(b, r, "/t")
				pool, _ := tbl.NewStagePool([]uint64{uint64(span)}, 32)
				starts := benchRows(max(b.N, 1000), int64(tbl.Shape()[0]), span, 1)
				runPattern(b, r, tbl, pool, starts[:1000], span) // warm
				b.ReportAllocs()
				b.ResetTimer()
				d := runPattern(b, r, tbl, pool, starts[:b.N], span)
				b.ReportMetric(float64(b.N)/d.Seconds(), "req/s")
				b.SetBytes(span * int64(tbl.rowBytes))
			})
		}
	}
}

const h5pyScript = `
import sys, time, h5py, numpy as np
path, rowsfile, span, cache = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
starts = np.fromfile(rowsfile, dtype="<i8")
open(path, "rb").read()  # into the page cache
kw = {"rdcc_nbytes": cache} if cache > 0 else {}
with h5py.File(path, "r", **kw) as f:
    ds = f["t"]
    t0 = time.perf_counter()
    s = 0
    for i in starts:
        a = ds[i:i + span]
        s += a.nbytes
    dt = time.perf_counter() - t0
print(dt)
`

// TestBenchVsH5py is acceptance 5: 100,000 random one-row requests and
// 10,000 random 64-row requests on the gzip-compressed chunked table, goh5
// at workers 1 and 2 against h5py doing the same reads in a loop, in the
// same run. It needs Debian's h5py and runs only with GOH5_BENCH_H5PY=1:
//
//	GOH5_BENCH_H5PY=1 go test ./reader -run VsH5py -v
func TestBenchVsH5py(t *testing.T) {
	if os.Getenv("GOH5_BENCH_H5PY") == "" {
		t.Skip("set GOH5_BENCH_H5PY=1 to run the comparison with h5py")
	}
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "bench.py")
	if err := os.WriteFile(script, []byte(h5pyScript), 0o644); err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(fixture)
	h5py := func(starts []int64, span int64, cache int) float64 {
		rowsFile := filepath.Join(dir, "rows.bin")
		buf := make([]byte, 8*len(starts))
		for i, s := range starts {
			binary.LittleEndian.PutUint64(buf[8*i:], uint64(s))
		}
		if err := os.WriteFile(rowsFile, buf, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, script, abs, rowsFile, strconv.FormatInt(span, 10), strconv.Itoa(cache)).CombinedOutput()
		if err != nil {
			t.Fatalf("h5py: %v\n%s", err, out)
		}
		sec, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
		if err != nil {
			t.Fatalf("h5py output %q", out)
		}
		return float64(len(starts)) / sec
	}
	goh5 := func(starts []int64, span int64, workers int, blockCache bool) float64 {
		warmFile(t)
		o := Options{Workers: workers}
		var hopts []hdf5.Option
		if !blockCache {
			o.CacheBytes = -1
			hopts = append(hopts, hdf5.WithChunkCache(64<<20), hdf5.WithConcurrency(1))
		}
		r, err := Open(fixture, o, hopts...)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close(true)
		tbl := mustTable(t, r, "/t")
		pool, _ := tbl.NewStagePool([]uint64{uint64(span)}, 32)
		d := runPattern(t, r, tbl, pool, starts, span)
		return float64(len(starts)) / d.Seconds()
	}
	for _, c := range []struct {
		n    int
		span int64
	}{{100000, 1}, {10000, 64}} {
		starts := benchRows(c.n, 100000, c.span, uint64(c.span))
		// Alternate goh5 and h5py so both see the same machine state.
		hDefault := h5py(starts, c.span, 0)
		g1 := goh5(starts, c.span, 1, true)
		hBig := h5py(starts, c.span, 64<<20)
		g2 := goh5(starts, c.span, 2, true)
		g1c := goh5(starts, c.span, 1, false)
		g2c := goh5(starts, c.span, 2, false)
		t.Logf("%d random %d-row requests (req/s):", c.n, c.span)
		t.Logf("  h5py, default 1 MiB chunk cache    %10.0f", hDefault)
		t.Logf("  h5py, 64 MiB chunk cache           %10.0f", hBig)
		t.Logf("  goh5 reader, block cache, workers 1 %10.0f  (%.1fx h5py default, %.1fx h5py 64 MiB)", g1, g1/hDefault, g1/hBig)
		t.Logf("  goh5 reader, block cache, workers 2 %10.0f  (%.1fx, %.1fx)", g2, g2/hDefault, g2/hBig)
		t.Logf("  goh5 reader, hdf5 chunk cache only, workers 1 %10.0f  (%.1fx, %.1fx)", g1c, g1c/hDefault, g1c/hBig)
		t.Logf("  goh5 reader, hdf5 chunk cache only, workers 2 %10.0f  (%.1fx, %.1fx)", g2c, g2c/hDefault, g2c/hBig)
	}
}
