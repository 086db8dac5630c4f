package filters

import (
	"bufio"
	"bytes"
	stdzlib "compress/zlib"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	kzlib "github.com/klauspost/compress/zlib"
)

// benchChunkDir is where testdata/gen_inflate_bench.py writes the raw
// chunks of the gzip-1 and gzip-6 shuffle benchmark files.
func benchChunkDir() string {
	if d := os.Getenv("GOH5_INFLATE_BENCH"); d != "" {
		return d
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, ".cache", "goh5-bench", "inflate")
}

type benchChunk struct {
	raw  []byte
	size int
}

func loadBenchChunks(b *testing.B, set string) []benchChunk {
	dir := filepath.Join(benchChunkDir(), set)
	f, err := os.Open(filepath.Join(dir, "sizes.txt"))
	if err != nil {
		b.Skipf("no benchmark chunks (run testdata/gen_inflate_bench.py): %v", err)
	}
	defer f.Close()
	var cs []benchChunk
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 2 {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, fields[0]))
		if err != nil {
			b.Fatal(err)
		}
		n, _ := strconv.Atoi(fields[1])
		cs = append(cs, benchChunk{raw, n})
	}
	return cs
}

// pyZlib times C zlib (Python's zlib.decompress) on the same chunk files,
// single-threaded, and prints decoded MB/s.
const pyZlib = `
import sys, time, zlib, os
d = sys.argv[1]
chunks = []
for line in open(os.path.join(d, "sizes.txt")):
    fn, n = line.split()
    chunks.append(open(os.path.join(d, fn), "rb").read())
total = 0
t0 = time.perf_counter()
c0 = time.process_time()
while time.perf_counter() - t0 < 3.0:
    for c in chunks:
        total += len(zlib.decompress(c))
print(total / (time.perf_counter() - t0) / 1e6, total / (time.process_time() - c0) / 1e6)
`

// pyH5py times h5py reading the rows that hold the chunks (deflate and
// shuffle undone by libhdf5) from the gzip-1 source file, if present.
const pyH5py = `
import sys, time, h5py, numpy as np, os
f = h5py.File(sys.argv[1], "r")
ds = f["x"]
n = int(sys.argv[2])
buf = np.empty((1024 * n, 256), dtype=ds.dtype)
total = 0
t0 = time.perf_counter()
c0 = time.process_time()
while time.perf_counter() - t0 < 3.0:
    ds.read_direct(buf, np.s_[0:1024 * n])
    total += buf.nbytes
print(total / (time.perf_counter() - t0) / 1e6, total / (time.process_time() - c0) / 1e6)
`

// runPy runs a timing script and reports its wall-clock and CPU-time MB/s.
func runPy(b *testing.B, script string, args ...string) {
	out, err := exec.Command("/usr/bin/python3", append([]string{"-c", script}, args...)...).Output()
	if err != nil {
		b.Skipf("python: %v", err)
	}
	f := strings.Fields(string(out))
	if len(f) != 2 {
		b.Skipf("python output %q", out)
	}
	wall, _ := strconv.ParseFloat(f[0], 64)
	cpu, _ := strconv.ParseFloat(f[1], 64)
	for i := 0; i < b.N; i++ {
	}
	b.ReportMetric(wall, "MB/s")
	b.ReportMetric(cpu, "cpuMB/s")
}

// cpuSeconds is the process's user+system CPU time.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

// BenchmarkInflate decodes the raw chunks of the gzip-1 and gzip-6
// shuffle benchmark files with the inflater, klauspost/compress and
// compress/zlib, with and without the unshuffle, and reports C zlib (and
// h5py for gzip-1) measured by Python in the same run. Run with -cpu 1.
func BenchmarkInflate(b *testing.B) {
	for _, set := range []string{"gzip1", "gzip6"} {
		cs := loadBenchChunks(b, set)
		total := 0
		for _, c := range cs {
			total += c.size
		}
		run := func(name string, dec func(dst []byte, c benchChunk) ([]byte, error)) {
			b.Run(set+"/"+name, func(b *testing.B) {
				var dst []byte
				b.SetBytes(int64(total))
				b.ReportAllocs()
				c0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					for _, c := range cs {
						out, err := dec(dst, c)
						if err != nil || len(out) != c.size {
							b.Fatalf("%v (%d bytes)", err, len(out))
						}
						dst = out
					}
				}
				// CPU time rather than wall time: the machine is shared.
				b.ReportMetric(float64(total)*float64(b.N)/(cpuSeconds()-c0)/1e6, "cpuMB/s")
			})
		}
		run("goh5", func(dst []byte, c benchChunk) ([]byte, error) { return inflateZlib(dst, c.raw, c.size) })
		var kr io.ReadCloser
		var br bytes.Reader
		run("klauspost", func(dst []byte, c benchChunk) ([]byte, error) {
			br.Reset(c.raw)
			if kr == nil {
				kr, _ = kzlib.NewReader(&br)
			} else {
				kr.(kzlib.Resetter).Reset(&br, nil)
			}
			return readCapped(dst, kr, c.size, c.size)
		})
		var sr io.ReadCloser
		run("stdlib", func(dst []byte, c benchChunk) ([]byte, error) {
			br.Reset(c.raw)
			if sr == nil {
				sr, _ = stdzlib.NewReader(&br)
			} else {
				sr.(stdzlib.Resetter).Reset(&br, nil)
			}
			return readCapped(dst, sr, c.size, c.size)
		})
		p := Pipeline{{ID: IDShuffle, Params: []uint32{4}}, {ID: IDDeflate, Params: []uint32{1}}}
		var pa, pb []byte
		run("goh5+unshuffle", func(_ []byte, c benchChunk) ([]byte, error) {
			out, a, bb, err := p.Decode(c.raw, 0, c.size, pa, pb)
			pa, pb = a, bb
			return out, err
		})
		b.Run(set+"/czlib", func(b *testing.B) {
			runPy(b, pyZlib, filepath.Join(benchChunkDir(), set))
		})
		if src := filepath.Join(filepath.Dir(benchChunkDir()), "gzip1_shuffle_1g.h5"); set == "gzip1" {
			if _, err := os.Stat(src); err == nil {
				b.Run(set+"/h5py", func(b *testing.B) {
					runPy(b, pyH5py, src, fmt.Sprint(len(cs)))
				})
			}
		}
	}
}

// BenchmarkUnshuffle compares unshuffle of 1 MiB with a plain copy of the
// same size, per element size.
func BenchmarkUnshuffle(b *testing.B) {
	src := make([]byte, 1<<20)
	for i := range src {
		src[i] = byte(i * 7)
	}
	out := make([]byte, len(src))
	b.Run("memcpy", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		c0 := cpuSeconds()
		for i := 0; i < b.N; i++ {
			copy(out, src)
		}
		b.ReportMetric(float64(len(src))*float64(b.N)/(cpuSeconds()-c0)/1e6, "cpuMB/s")
	})
	for _, size := range []int{2, 4, 8, 3} {
		b.Run(fmt.Sprintf("elem%d", size), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			n := len(src) / size
			c0 := cpuSeconds()
			for i := 0; i < b.N; i++ {
				unshuffle(out, src, size, n)
			}
			b.ReportMetric(float64(len(src))*float64(b.N)/(cpuSeconds()-c0)/1e6, "cpuMB/s")
		})
	}
}
