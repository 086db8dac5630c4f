package heap

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
	"github.com/goh5/goh5/superblock"
)

// TestCorpusFractalHeaps opens every fractal heap of the real-world corpus
// (found by signature; a header whose checksum verifies is a real one) and
// reads every direct block, verifying their checksums. It skips when the
// corpus is absent.
func TestCorpusFractalHeaps(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..", "shared", "corpus", "files")
	if _, err := os.Stat(root); err != nil {
		t.Skip("corpus not present")
	}
	heaps := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		sb, err := superblock.Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil // not HDF5
		}
		src := sb.Source(bytes.NewReader(b), int64(len(b)))
		for off := 0; ; {
			i := bytes.Index(b[off:], []byte("FRHP"))
			if i < 0 {
				break
			}
			abs := uint64(off + i)
			off += i + 4
			if abs < sb.Base {
				continue
			}
			f, err := OpenFractal(src, abs-sb.Base, noLimit)
			if errors.Is(err, binfmt.ErrChecksum) {
				continue // the bytes "FRHP" inside some other data
			}
			if err != nil {
				t.Errorf("%s: heap at 0x%x: %v", path, abs, err)
				continue
			}
			heaps++
			if err := f.walkDirect(func(d direct) error { _, err := f.readDirect(d); return err }); err != nil {
				t.Errorf("%s: heap at 0x%x: %v", path, abs, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d fractal heaps read", heaps)
}
