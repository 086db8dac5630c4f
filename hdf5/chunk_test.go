package hdf5

import (
	"bytes"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
)

// TestConcurrentChunkedReads has 16 goroutines read random selections of
// the same chunked datasets at once, each checked against the same
// selection cut from a serial full read.
func TestConcurrentChunkedReads(t *testing.T) {
	name := filepath.Join("..", "testdata", "files", "chunked_latest.h5")
	f, err := Open(name, WithConcurrency(4))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var sets []*Dataset
	for e, err := range f.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := e.Object.(*Dataset); ok && d.Layout() == LayoutChunked && len(d.Shape()) > 0 {
			if c := d.Datatype().Class; c == ClassInteger || c == ClassFloat {
				sets = append(sets, d)
			}
		}
	}
	if len(sets) < 5 {
		t.Fatalf("only %d chunked numeric datasets in %s", len(sets), name)
	}
	fulls := make([][]byte, len(sets))
	for i, d := range sets {
		if fulls[i], err = d.ReadAll(); err != nil {
			t.Fatalf("%s: %v", d.Path(), err)
		}
	}
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 99))
			for k := 0; k < 40; k++ {
				i := rng.IntN(len(sets))
				d := sets[i]
				shape := d.readShape()
				sel := randomSelection(rng, shape)
				c, err := sel.compile(shape)
				if err != nil {
					t.Error(err)
					return
				}
				es := uint64(d.Datatype().Size)
				got := make([]byte, c.n*es)
				if err := d.Read(sel, got); err != nil {
					t.Errorf("%s: %v", d.Path(), err)
					return
				}
				if !bytes.Equal(got, cut(fulls[i], shape, es, c)) {
					t.Errorf("%s: concurrent read differs", d.Path())
					return
				}
			}
		}()
	}
	wg.Wait()
}
