package hdf5

import (
	"flag"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchFile returns a benchmark file generated once by h5py into the user
// cache directory, or skips when /usr/bin/python3 has no h5py. script is
// Python that writes the file named by sys.argv[1].
func benchFile(b testing.TB, name, script string) string {
	b.Helper()
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "goh5-bench")
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import h5py").Run(); err != nil {
		b.Skip("benchmark file needs /usr/bin/python3 with h5py")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	tmp := path + ".tmp"
	cmd := exec.Command("/usr/bin/python3", "-c", script, tmp)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("generating %s: %v\n%s", name, err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// contig200Script writes a 200 MiB contiguous float64 dataset /x of shape
// (25600, 1024).
const contig200Script = `
import sys, h5py, numpy as np
rng = np.random.default_rng(1)
with h5py.File(sys.argv[1], 'w', libver='latest') as f:
    d = f.create_dataset('x', shape=(25600, 1024), dtype='<f8')
    for i in range(0, 25600, 1024):
        d[i:i+1024] = rng.standard_normal((1024, 1024))
`

// warm reads a file once so that the page cache holds it (the machines'
// page cache forgets pages unused for about 30 s).
func warm(b *testing.B, path string) {
	fh, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer fh.Close()
	buf := make([]byte, 4<<20)
	for {
		if _, err := fh.Read(buf); err != nil {
			return
		}
	}
}

// BenchmarkReadContiguous reads a 200 MiB contiguous float64 dataset whole,
// and as 1,000 random 4 KiB hyperslabs (512 float64 along a row).
func BenchmarkReadContiguous(b *testing.B) {
	path := benchFile(b, "contig200.h5", contig200Script)
	f, err := Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("/x")
	if err != nil {
		b.Fatal(err)
	}
	n, _ := d.SelectionBytes(nil)
	b.Run("full", func(b *testing.B) {
		warm(b, path)
		dst := make([]byte, n)
		b.SetBytes(int64(n))
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			if err := d.Read(nil, dst); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("hyperslab4KiB", func(b *testing.B) {
		warm(b, path)
		rng := rand.New(rand.NewPCG(1, 2))
		sels := make([]*Selection, 1000)
		for i := range sels {
			r, c := rng.Uint64N(25600), rng.Uint64N(1024-512)
			sels[i] = Hyperslab([]uint64{r, c}, nil, []uint64{1, 512}, nil)
		}
		dst := make([]byte, 4096)
		b.SetBytes(4096 * 1000)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			for _, s := range sels {
				if err := d.Read(s, dst); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

var compareH5py = flag.Bool("h5py", false, "benchmarks also time h5py on the same file")
