package hdf5

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// listing is a walk's result in a comparable form: each object's path,
// kind, shape and attribute names.
func listing(f *File) (string, error) {
	var b strings.Builder
	for e, err := range f.Walk() {
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s %s", e.Path, e.Object.Kind())
		if d, ok := e.Object.(*Dataset); ok {
			fmt.Fprintf(&b, " %v %s", d.Shape(), d.Datatype())
		}
		for a, err := range e.Object.Attributes() {
			if err != nil {
				return "", err
			}
			fmt.Fprintf(&b, " @%s", a.Name)
		}
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// TestConcurrentWalk walks one open file from 16 goroutines at once; every
// walk must equal a serial walk of a fresh open.
func TestConcurrentWalk(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		if !strings.Contains(name, "groups_latest") && !strings.Contains(name, "groups_earliest") {
			continue
		}
		t.Run(filepath.Base(name), func(t *testing.T) {
			ref, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			want, err := listing(ref)
			ref.Close()
			if err != nil {
				t.Fatal(err)
			}
			f, err := Open(name)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var wg sync.WaitGroup
			errs := make(chan error, 16)
			for g := 0; g < 16; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					got, err := listing(f)
					if err == nil && got != want {
						err = errors.New("concurrent walk differs from the serial walk")
					}
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// TestChecksumMismatch flips one byte inside checksummed structures of a
// libver='latest' fixture (the version 3 superblock and the root's version
// 2 object header) and expects errors that wrap ErrChecksum.
func TestChecksumMismatch(t *testing.T) {
	name := filepath.Join("..", "testdata", "files", "groups_latest.h5")
	orig, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := OpenReaderAt(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	root := f.sb.Root.ObjAddr
	if f.sb.Version < 2 {
		t.Fatalf("superblock version %d, want 2 or 3", f.sb.Version)
	}
	for _, off := range []uint64{12, root + 6} { // inside the superblock; inside the OHDR prefix
		b := bytes.Clone(orig)
		b[off] ^= 0x40
		_, err := OpenReaderAt(bytes.NewReader(b), int64(len(b)))
		if !errors.Is(err, ErrChecksum) {
			t.Errorf("byte %d flipped: err = %v, want one wrapping ErrChecksum", off, err)
		}
	}
}
