package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goh5/goh5/hdf5"
)

func init() {
	register(&command{
		name:    "bench",
		summary: "time reading a dataset: MB/s of decoded data, chunk count and peak heap per worker count",
		usage:   "bench [--workers 1,2] [--repeat K] [--slice S] [--json] [--quiet] FILE PATH",
		run:     runBench,
	})
}

// benchResult is one worker count's measurement.
type benchResult struct {
	Workers     int       `json:"workers"`
	Bytes       uint64    `json:"bytes"`
	Chunks      int       `json:"chunks"`
	Seconds     []float64 `json:"seconds"`
	BestMBps    float64   `json:"best_mb_per_s"`
	MedianMBps  float64   `json:"median_mb_per_s"`
	PeakHeapMiB float64   `json:"peak_heap_mib"` // live heap above the destination buffer
}

func runBench(args []string, stdout, stderr io.Writer) error {
	c := commands["bench"]
	fs := newFlags(c, stderr)
	workersFlag := fs.String("workers", "1,2", "comma-separated worker counts")
	repeat := fs.Int("repeat", 3, "timed reads per worker count")
	slice := fs.String("slice", "", "numpy-style selection (default: everything)")
	asJSON := fs.Bool("json", false, "print JSON")
	quiet := fs.Bool("quiet", false, "no progress bar (drawn on a terminal when the work exceeds 64 MiB)")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return &usageError{"need FILE and PATH"}
	}
	var workers []int
	for _, s := range strings.Split(*workersFlag, ",") {
		w, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || w < 1 {
			return &usageError{fmt.Sprintf("bad worker count %q", s)}
		}
		workers = append(workers, w)
	}
	if *repeat < 1 {
		return &usageError{"--repeat must be at least 1"}
	}
	var sel *hdf5.Selection
	if *slice != "" {
		if sel, err = hdf5.Slice(*slice); err != nil {
			return &usageError{err.Error()}
		}
	}
	var results []benchResult
	var dst []byte
	var prog *progress
	defer func() { prog.Done() }()
	for i, w := range workers {
		f, err := hdf5.Open(pos[0], hdf5.WithConcurrency(w))
		if err != nil {
			return err
		}
		d, err := f.Dataset(pos[1])
		if err != nil {
			f.Close()
			return err
		}
		n, err := d.SelectionBytes(sel)
		if err != nil {
			f.Close()
			return err
		}
		if uint64(cap(dst)) < n {
			dst = make([]byte, n)
		}
		dst = dst[:n]
		chunks, err := d.StoredChunks()
		if err != nil {
			f.Close()
			return err
		}
		if i == 0 {
			// Work: per worker count, warming the file and 1+repeat reads.
			per := satAdd(uint64(f.Size()), satMul(n, uint64(1+*repeat)))
			prog = startProgress(stderr, *quiet, "bench", satMul(per, uint64(len(workers))))
		}
		if err := warmFile(pos[0], prog); err != nil {
			f.Close()
			return err
		}
		r := benchResult{Workers: w, Bytes: n, Chunks: len(chunks)}
		// One untimed read loads the chunk index and warms the pools.
		if err := d.Read(sel, dst); err != nil {
			f.Close()
			return err
		}
		prog.Add(n)
		for k := 0; k < *repeat; k++ {
			runtime.GC()
			base := liveHeap()
			stop := samplePeakHeap()
			t0 := time.Now()
			err := d.Read(sel, dst)
			secs := time.Since(t0).Seconds()
			peak := stop()
			if err != nil {
				f.Close()
				return err
			}
			prog.Add(n)
			r.Seconds = append(r.Seconds, secs)
			if p := float64(peak-min(peak, base)) / (1 << 20); p > r.PeakHeapMiB {
				r.PeakHeapMiB = p
			}
		}
		f.Close()
		s := slices.Clone(r.Seconds)
		slices.Sort(s)
		r.BestMBps = float64(n) / 1e6 / s[0]
		r.MedianMBps = float64(n) / 1e6 / s[len(s)/2]
		results = append(results, r)
		if !*asJSON {
			prog.Clear()
			fmt.Fprintf(stdout, "workers=%d  %.0f MB/s best, %.0f MB/s median  (%d MB, %d chunks, peak heap +%.1f MiB)\n",
				w, r.BestMBps, r.MedianMBps, n/1_000_000, r.Chunks, r.PeakHeapMiB)
		}
	}
	if *asJSON {
		b, _ := json.Marshal(map[string]any{"file": pos[0], "path": pos[1], "results": results})
		fmt.Fprintf(stdout, "%s\n", b)
	}
	return nil
}

// warmFile reads a file once so the page cache holds it: this machine's
// page cache forgets pages left unused for about 30 s.
func warmFile(name string, prog *progress) error {
	fh, err := os.Open(name)
	if err != nil {
		return err
	}
	defer fh.Close()
	buf := make([]byte, 8<<20)
	for {
		n, err := fh.Read(buf)
		prog.Add(uint64(n))
		if err != nil {
			if err == io.EOF {
				return nil
			}
			return err
		}
	}
}

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func liveHeap() uint64 {
	s := make([]metrics.Sample, 1)
	s[0].Name = heapSample[0].Name
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// samplePeakHeap samples the heap every 2 ms until the returned function is
// called, which returns the largest value seen.
func samplePeakHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		for {
			if h := liveHeap(); h > peak.Load() {
				peak.Store(h)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-finished
		if h := liveHeap(); h > peak.Load() {
			peak.Store(h)
		}
		return peak.Load()
	}
}
