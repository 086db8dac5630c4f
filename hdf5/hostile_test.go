package hdf5

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// fixtureFiles lists testdata's HDF5 fixtures.
func fixtureFiles(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "testdata", "files", "*.h5"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in ../testdata/files")
	}
	return files
}

// exercise opens an in-memory file and touches everything the metadata
// side decodes: every object, link and attribute, and every dataset's data.
func exercise(b []byte) (err error) {
	f, err := OpenReaderAt(bytes.NewReader(b), int64(len(b)), WithMaxReadBytes(64<<20), WithMaxChunkBytes(16<<20))
	if err != nil {
		return err
	}
	defer f.Close()
	var errs []error
	visit := func(o Object) {
		for _, err := range o.Attributes() {
			if err != nil {
				errs = append(errs, err)
			}
		}
		if g, ok := o.(*Group); ok {
			for _, err := range g.Links() {
				if err != nil {
					errs = append(errs, err)
				}
			}
		}
		if d, ok := o.(*Dataset); ok {
			if n, err := d.SelectionBytes(nil); err == nil && n <= 16<<20 {
				buf := make([]byte, n)
				if err := d.Read(nil, buf); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	visit(f.Root())
	for e, err := range f.Walk() {
		if err != nil {
			errs = append(errs, err)
			break
		}
		visit(e.Object)
	}
	return errors.Join(errs...)
}

// runBounded runs fn with a time limit and reports a panic as an error.
func runBounded(t *testing.T, what string, limit time.Duration, fn func() error) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				buf := make([]byte, 8192)
				n := runtime.Stack(buf, false)
				done <- fmt.Errorf("panic: %v\n%s", r, buf[:n])
			}
		}()
		done <- fn()
	}()
	select {
	case err := <-done:
		if err != nil && bytes.Contains([]byte(err.Error()), []byte("panic:")) {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(limit):
		t.Fatalf("%s: no result after %v (hang)", what, limit)
	}
}

// TestHostileSweep damages every fixture in four ways: 128 evenly spaced
// truncations, 500 seeded single-byte corruptions, 100 seeded 8-byte
// overwrites with 0xFF (the undefined address, or a huge size), and 100
// 8-byte overwrites with the address of an earlier byte of the same
// structure (a pointer back into the object header, heap or B-tree node that
// holds it, which makes walks cycle). Every case must return an error or a
// result, never panic or hang, and allocate under 64 MiB (plus a few times
// the file). -short scales the counts down.
func TestHostileSweep(t *testing.T) {
	files := fixtureFiles(t)
	truncs, corrupts, ffs, backs := 128, 500, 100, 100
	if testing.Short() {
		truncs, corrupts, ffs, backs = 16, 40, 10, 10
	}
	for _, name := range files {
		orig, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(orig) > 8<<20 {
			continue // the large benchmark-style fixtures are swept by fuzzing instead
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			check := func(what string, b []byte) {
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				runBounded(t, what, 20*time.Second, func() error { return exercise(b) })
				runtime.ReadMemStats(&after)
				if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20+uint64(len(b))*4 {
					t.Errorf("%s: allocated %d MiB", what, d>>20)
				}
			}
			for i := 1; i <= truncs; i++ {
				n := len(orig) * i / (truncs + 1)
				check(fmt.Sprintf("truncated to %d bytes", n), orig[:n])
			}
			rng := rand.New(rand.NewPCG(1, uint64(len(orig))))
			b := make([]byte, len(orig))
			for i := 0; i < corrupts; i++ {
				copy(b, orig)
				off := rng.IntN(len(b))
				b[off] ^= byte(1 + rng.IntN(255))
				check(fmt.Sprintf("byte %d corrupted", off), b)
			}
			for i := 0; i < ffs; i++ {
				copy(b, orig)
				off := rng.IntN(len(b) - 8)
				copy(b[off:], bytes.Repeat([]byte{0xff}, 8))
				check(fmt.Sprintf("8 bytes at %d set to 0xff", off), b)
			}
			starts := structureStarts(orig)
			for i := 0; i < backs && len(starts) > 0; i++ {
				copy(b, orig)
				// A field somewhere inside a structure, pointing back at the
				// structure's start or at a byte between it and the field.
				s := starts[rng.IntN(len(starts))]
				off := s + rng.IntN(256)
				if off+8 > len(b) {
					continue
				}
				target := uint64(s + rng.IntN(off-s+1))
				binary.LittleEndian.PutUint64(b[off:], target)
				check(fmt.Sprintf("8 bytes at %d point back to %d", off, target), b)
			}
		})
	}
}

// structureStarts returns the offsets of the signed structures of a file:
// object headers, heaps, B-tree nodes and array blocks.
func structureStarts(b []byte) []int {
	var out []int
	for _, sig := range []string{"OHDR", "OCHK", "TREE", "HEAP", "SNOD", "GCOL", "BTHD", "BTIN", "BTLF",
		"FRHP", "FHDB", "FHIB", "FAHD", "FADB", "EAHD", "EAIB", "EASB", "EADB", "SMTB", "SMLI"} {
		for i := 0; ; {
			j := bytes.Index(b[i:], []byte(sig))
			if j < 0 {
				break
			}
			out = append(out, i+j)
			i += j + 4
		}
	}
	slices.Sort(out)
	return out
}
