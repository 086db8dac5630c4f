package filters_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

// The files of testdata/bench_filters.py: one 64 MiB float32 dataset /x in
// 1 MiB chunks per filter, the same data in each.
var benchFilters = []string{"lz4", "blosc-lz4", "zstd", "lzf", "deflate", "bitshuffle-lz4", "szip", "blosc-zstd", "bzip2"}

const benchPython = "/usr/bin/python3" // Debian's, with h5py (FIXTURES.md)

type benchMeta struct {
	Filter       string `json:"filter"`
	SHA256       string `json:"sha256"`
	FileBytes    int64  `json:"file_bytes"`
	H5pyReadable bool   `json:"h5py_readable"`
}

func benchDir() string {
	if d := os.Getenv("GOH5_BENCH_DIR"); d != "" {
		return d
	}
	h, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(h, ".cache", "goh5-bench", "filters")
}

// benchFiles returns the directory of the benchmark files, making them with
// bench_filters.py (once, about a minute) when gen is set and h5py is there.
func benchFiles(t testing.TB, gen bool) string {
	dir := benchDir()
	missing := false
	for _, name := range benchFilters {
		if _, err := os.Stat(filepath.Join(dir, name+".json")); err != nil {
			missing = true
		}
	}
	if !missing {
		return dir
	}
	if !gen {
		t.Skipf("no benchmark files in %s (run TestBenchVsH5py with GOH5_BENCH_H5PY=1, or testdata/bench_filters.py gen)", dir)
	}
	if err := exec.Command(benchPython, "-c", "import h5py, hdf5plugin, zstandard").Run(); err != nil {
		t.Skipf("%s has no h5py, hdf5plugin or zstandard: %v", benchPython, err)
	}
	cmd := exec.Command(benchPython, "testdata/bench_filters.py", "gen", dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("bench_filters.py gen: %v", err)
	}
	return dir
}

func benchMetaOf(t testing.TB, dir, name string) benchMeta {
	b, err := os.ReadFile(filepath.Join(dir, name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var m benchMeta
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// warmFile reads the whole file so it is in the page cache (this machine
// drops pages left unused for about 30 s, FIXTURES.md).
func warmFile(t testing.TB, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		t.Fatal(err)
	}
}

// goh5Read opens path with the given concurrency, reads /x whole into dst
// (a warm-up read, then reps timed ones) and returns the best time.
func goh5Read(t testing.TB, path string, workers, reps int, dst []byte) time.Duration {
	f, err := hdf5.Open(path, hdf5.WithConcurrency(workers))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("/x")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Read(nil, dst); err != nil {
		t.Fatal(err)
	}
	best := time.Duration(1<<63 - 1)
	for range reps {
		t0 := time.Now()
		if err := d.Read(nil, dst); err != nil {
			t.Fatal(err)
		}
		best = min(best, time.Since(t0))
	}
	return best
}

// h5pyRead times h5py's read_direct of path:/x (best of reps, after a
// warm-up read) in a separate Debian Python process.
func h5pyRead(t testing.TB, path string, reps int) (time.Duration, string) {
	out, err := exec.Command(benchPython, "testdata/bench_filters.py", "read", path, fmt.Sprint(reps)).Output()
	if err != nil {
		t.Fatalf("h5py read %s: %v", path, err)
	}
	var r struct {
		BestS  float64 `json:"best_s"`
		SHA256 string  `json:"sha256"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("h5py read %s: %v (%s)", path, err, out)
	}
	return time.Duration(r.BestS * float64(time.Second)), r.SHA256
}

// TestBenchVsH5py measures, on the same file per filter and in the same run,
// goh5's whole-dataset read at 1 and 2 workers and h5py's read_direct
// (libhdf5 1.10.8 with the C plugins), and prints the table (MB = 10^6
// bytes of decoded data per second; ratio = goh5 at 2 workers / h5py). Each
// round warms the file in the page cache, then alternates goh5 w1, goh5 w2
// and h5py; the best of all rounds is kept. goh5's output is checked against
// the sha256 the generator stored, and so is h5py's.
//
// It needs Debian's Python with h5py, so it runs only with
// GOH5_BENCH_H5PY=1 (GOH5_BENCH_ROUNDS rounds, default 3):
//
//	GOH5_BENCH_H5PY=1 go test ./filters -run TestBenchVsH5py -v
func TestBenchVsH5py(t *testing.T) {
	if os.Getenv("GOH5_BENCH_H5PY") == "" {
		t.Skip("set GOH5_BENCH_H5PY=1 to compare with h5py")
	}
	dir := benchFiles(t, true)
	rounds := 3
	fmt.Sscan(os.Getenv("GOH5_BENCH_ROUNDS"), &rounds)
	const reps = 2
	var table strings.Builder
	fmt.Fprintf(&table, "| filter | file MB | goh5 w1 MB/s | goh5 w2 MB/s | h5py MB/s | w2/h5py |\n|---|---|---|---|---|---|\n")
	for _, name := range benchFilters {
		m := benchMetaOf(t, dir, name)
		path := filepath.Join(dir, name+".h5")
		dst := make([]byte, 64<<20)
		var w1, w2, hp time.Duration = 1<<63 - 1, 1<<63 - 1, 1<<63 - 1
		for range rounds {
			warmFile(t, path)
			w1 = min(w1, goh5Read(t, path, 1, reps, dst))
			if s := sha256.Sum256(dst); hex.EncodeToString(s[:]) != m.SHA256 {
				t.Fatalf("%s: goh5 read the wrong data", name)
			}
			w2 = min(w2, goh5Read(t, path, 2, reps, dst))
			if m.H5pyReadable {
				d, sum := h5pyRead(t, path, reps)
				if sum != m.SHA256 {
					t.Fatalf("%s: h5py read the wrong data", name)
				}
				hp = min(hp, d)
			}
		}
		mbs := func(d time.Duration) float64 { return float64(len(dst)) / 1e6 / d.Seconds() }
		h5, ratio := "n/a (no plugin)", "-"
		if m.H5pyReadable {
			h5 = fmt.Sprintf("%.0f", mbs(hp))
			ratio = fmt.Sprintf("%.2f", mbs(w2)/mbs(hp))
		}
		fmt.Fprintf(&table, "| %s | %.1f | %.0f | %.0f | %s | %s |\n", name, float64(m.FileBytes)/1e6, mbs(w1), mbs(w2), h5, ratio)
	}
	t.Logf("\n%s", table.String())
	fmt.Print(table.String())
}

// BenchmarkH5pyFiles is goh5's side alone, for go test -bench:
// BenchmarkH5pyFiles/<filter>/workers=<n>, MB/s of decoded data.
func BenchmarkH5pyFiles(b *testing.B) {
	dir := benchFiles(b, false)
	for _, name := range benchFilters {
		path := filepath.Join(dir, name+".h5")
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", name, w), func(b *testing.B) {
				warmFile(b, path)
				f, err := hdf5.Open(path, hdf5.WithConcurrency(w))
				if err != nil {
					b.Fatal(err)
				}
				defer f.Close()
				d, err := f.Dataset("/x")
				if err != nil {
					b.Fatal(err)
				}
				dst := make([]byte, 64<<20)
				b.SetBytes(int64(len(dst)))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := d.Read(nil, dst); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
