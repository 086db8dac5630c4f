package fuzz

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

// The tight limits every end-to-end target opens files with.
const (
	maxRead  = 8 << 20
	maxChunk = 4 << 20
	maxHeap  = 1 << 20
	// allocBudget is what one input may allocate in total, on top of a few
	// times its own size: every limit above, a few times over, since a read
	// holds its output, the chunk buffers of two workers and the raw bytes.
	allocBudget = 96 << 20
	// maxSeed caps the fixtures used as seeds. While fuzzing (-fuzz), only
	// seeds up to maxFuzzSeed are added: the mutator and the minimizer work
	// byte by byte, and on the biggest fixtures they make a few executions a
	// second instead of hundreds.
	maxSeed     = 1 << 20
	maxFuzzSeed = 64 << 10
	// timeLimit bounds one input. A hang is a bug.
	timeLimit = 10 * time.Second
)

func options() []hdf5.Option {
	return []hdf5.Option{
		hdf5.WithConcurrency(2),
		hdf5.WithMaxReadBytes(maxRead),
		hdf5.WithMaxChunkBytes(maxChunk),
		hdf5.WithMaxHeapObject(maxHeap),
		hdf5.WithMaxHeaderMessages(4096, 256),
		hdf5.WithMaxLinkDepth(8),
	}
}

// seeds adds every small HDF5 fixture of testdata/files.
func seeds(f *testing.F) [][]byte {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("..", "testdata", "files", "*.h5"))
	if err != nil || len(names) == 0 {
		f.Fatalf("no fixtures in ../testdata/files (%v)", err)
	}
	var out [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > maxSeed || (fuzzing() && len(b) > maxFuzzSeed) {
			continue
		}
		out = append(out, b)
	}
	return out
}

// fuzzing reports whether the test binary runs with -fuzz.
func fuzzing() bool {
	fl := flag.Lookup("test.fuzz")
	return fl != nil && fl.Value.String() != ""
}

// check runs body under the invariants every target shares: no panic, a
// bounded time, no goroutine left behind and allocations within budget.
func check(t *testing.T, input int, body func() error) {
	t.Helper()
	before := runtime.NumGoroutine()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		done <- body()
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(timeLimit):
		t.Fatalf("no result after %v (hang)", timeLimit)
	}
	runtime.ReadMemStats(&ms1)
	if d := ms1.TotalAlloc - ms0.TotalAlloc; d > allocBudget+8*uint64(input) {
		t.Fatalf("allocated %d MiB for a %d-byte input (budget %d MiB)", d>>20, input, (allocBudget+8*uint64(input))>>20)
	}
	// Goroutines of the read engine must all have ended when a call returns;
	// give the scheduler a moment to retire the ones that just exited.
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 200 {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines left behind:\n%s", runtime.NumGoroutine()-before, buf[:n])
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pair checks the result/error invariant: exactly one of them is set.
func pair(what string, resNil bool, err error) error {
	if err != nil && !resNil {
		return fmt.Errorf("%s: error %v with a non-nil result", what, err)
	}
	if err == nil && resNil {
		return fmt.Errorf("%s: nil result and no error", what)
	}
	return nil
}

// exercise opens b and visits every object, link and attribute; with read,
// it also reads every dataset in full. It returns a violated invariant, not
// the (expected) errors of a damaged file.
func exercise(b []byte, read bool) error {
	f, err := hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)), options()...)
	if e := pair("Open", f == nil, err); e != nil || err != nil {
		return e
	}
	defer f.Close()
	visit := func(o hdf5.Object) error {
		for a, err := range o.Attributes() {
			if e := pair("Attributes", a == nil, err); e != nil {
				return e
			}
			if a != nil {
				_, _ = a.ReadStrings()
			}
		}
		if g, ok := o.(*hdf5.Group); ok {
			for l, err := range g.Links() {
				if e := pair("Links", l == nil, err); e != nil {
					return e
				}
				if l != nil && l.Type != hdf5.LinkHard {
					obj, err := g.Open(l.Name)
					if e := pair("Open(link)", obj == nil, err); e != nil {
						return e
					}
				}
			}
		}
		if d, ok := o.(*hdf5.Dataset); ok && read {
			buf, err := d.ReadAll()
			if err == nil && buf == nil {
				if n, _ := d.SelectionBytes(nil); n != 0 {
					return fmt.Errorf("ReadAll %s: nil result and no error", d.Path())
				}
			}
			if err != nil && buf != nil {
				return fmt.Errorf("ReadAll %s: error %v with a non-nil result", d.Path(), err)
			}
			if err == nil && uint64(len(buf)) > maxRead {
				return fmt.Errorf("ReadAll %s: %d bytes beyond MaxReadBytes", d.Path(), len(buf))
			}
			var le *hdf5.LimitError
			if errors.As(err, &le) && !errors.Is(err, hdf5.ErrLimit) {
				return fmt.Errorf("ReadAll %s: LimitError does not wrap ErrLimit", d.Path())
			}
			_, _ = d.ReadStrings(nil)
		}
		return nil
	}
	if e := visit(f.Root()); e != nil {
		return e
	}
	for e, err := range f.Walk() {
		if err != nil {
			if e.Object != nil {
				return fmt.Errorf("Walk: error %v with an object", err)
			}
			break
		}
		if e.Object == nil {
			return errors.New("Walk: nil object and no error")
		}
		if v := visit(e.Object); v != nil {
			return v
		}
	}
	return nil
}

// FuzzOpen opens the input, walks every object and reads every attribute.
func FuzzOpen(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check(t, len(b), func() error { return exercise(b, false) })
	})
}

// FuzzReadAll opens the input and reads every dataset in full through the
// engine with two workers.
func FuzzReadAll(f *testing.F) {
	for _, b := range seeds(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		check(t, len(b), func() error { return exercise(b, true) })
	})
}

// validDataset is a dataset of a valid fixture with its full contents.
type validDataset struct {
	d    *hdf5.Dataset
	full []byte
	es   int
}

var (
	validOnce sync.Once
	valid     []validDataset
)

// validDatasets opens every fixture and keeps its readable, small, simple
// datasets with their full contents as the reference.
func validDatasets(t testing.TB) []validDataset {
	validOnce.Do(func() {
		names, _ := filepath.Glob(filepath.Join("..", "testdata", "files", "*.h5"))
		for _, n := range names {
			f, err := hdf5.Open(n, hdf5.WithConcurrency(2))
			if err != nil {
				continue
			}
			for e, err := range f.Walk() {
				if err != nil {
					break
				}
				d, ok := e.Object.(*hdf5.Dataset)
				if !ok || len(d.Shape()) == 0 {
					continue
				}
				if n, err := d.SelectionBytes(nil); err != nil || n == 0 || n > 4<<20 {
					continue
				}
				full, err := d.ReadAll()
				if err != nil {
					continue
				}
				valid = append(valid, validDataset{d: d, full: full, es: int(d.Datatype().Size)})
			}
		}
	})
	if len(valid) == 0 {
		t.Fatal("no readable datasets in the fixtures")
	}
	return valid
}

// byteSource hands out fuzz bytes, then zeros.
type byteSource []byte

func (s *byteSource) next() uint64 {
	if len(*s) == 0 {
		return 0
	}
	v := (*s)[0]
	*s = (*s)[1:]
	return uint64(v)
}

// FuzzSelection reads random hyperslab and point selections of the valid
// fixtures' datasets and compares each with the same elements of a full read.
func FuzzSelection(f *testing.F) {
	f.Add(uint16(0), []byte{0, 0, 1, 1, 1})
	f.Add(uint16(3), []byte{1, 5, 1, 2, 3, 4, 5, 6, 7})
	f.Add(uint16(7), []byte{0, 1, 2, 3, 1, 2, 2, 1, 0, 3})
	f.Add(uint16(11), []byte{2, 9, 8, 7, 6, 5, 4, 3, 2, 1})
	f.Fuzz(func(t *testing.T, which uint16, spec []byte) {
		vs := validDatasets(t)
		v := vs[int(which)%len(vs)]
		shape := v.d.Shape()
		src := byteSource(spec)
		var sel *hdf5.Selection
		var coords [][]uint64 // per output dimension (hyperslab) or per point
		points := src.next()%3 == 1
		if points {
			np := int(src.next() % 16)
			pts := make([][]uint64, np)
			for i := range pts {
				pts[i] = make([]uint64, len(shape))
				for d, n := range shape {
					pts[i][d] = (src.next()<<8 | src.next()) % n
				}
			}
			sel = hdf5.Points(pts)
			coords = pts
		} else {
			r := len(shape)
			start, stride, count, block := make([]uint64, r), make([]uint64, r), make([]uint64, r), make([]uint64, r)
			for d, n := range shape {
				start[d] = src.next() % n
				block[d] = 1 + src.next()%4
				stride[d] = block[d] + src.next()%4
				room := n - start[d]
				if room < block[d] {
					block[d] = room
					stride[d] = max(stride[d], block[d])
				}
				// count blocks that fit: start + (count-1)*stride + block <= n
				fit := 1 + (room-block[d])/stride[d]
				count[d] = 1 + src.next()%fit
				var cs []uint64
				for c := uint64(0); c < count[d]; c++ {
					for b := uint64(0); b < block[d]; b++ {
						cs = append(cs, start[d]+c*stride[d]+b)
					}
				}
				coords = append(coords, cs)
			}
			sel = hdf5.Hyperslab(start, stride, count, block)
		}
		var want []byte
		if points {
			for _, p := range coords {
				want = append(want, elem(v, shape, p)...)
			}
		} else {
			p := make([]uint64, len(shape))
			var rec func(d int)
			rec = func(d int) {
				if d == len(shape) {
					want = append(want, elem(v, shape, p)...)
					return
				}
				for _, c := range coords[d] {
					p[d] = c
					rec(d + 1)
				}
			}
			rec(0)
		}
		check(t, 0, func() error {
			n, err := v.d.SelectionBytes(sel)
			if err != nil {
				return fmt.Errorf("%s: SelectionBytes: %v", v.d.Path(), err)
			}
			if n != uint64(len(want)) {
				return fmt.Errorf("%s: SelectionBytes %d, want %d", v.d.Path(), n, len(want))
			}
			got := make([]byte, n)
			if err := v.d.Read(sel, got); err != nil {
				return fmt.Errorf("%s: Read: %v", v.d.Path(), err)
			}
			if !bytes.Equal(got, want) {
				return fmt.Errorf("%s: selection read differs from the full read", v.d.Path())
			}
			return nil
		})
	})
}

// elem returns the bytes of element p of the full read.
func elem(v validDataset, shape, p []uint64) []byte {
	var lin uint64
	for d, n := range shape {
		lin = lin*n + p[d]
	}
	return v.full[lin*uint64(v.es) : (lin+1)*uint64(v.es)]
}
