package superblock

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSuperblock checks that Read never panics and that an error always
// comes with a nil result. It is seeded with the first 4 KiB of each fixture
// and of the corpus files when present.
func FuzzSuperblock(f *testing.F) {
	add := func(pattern string) {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			if len(b) > 4096 {
				b = b[:4096]
			}
			f.Add(b)
		}
	}
	add("testdata/*.h5")
	add("../../shared/corpus/files/*/*.h5")
	f.Fuzz(func(t *testing.T, b []byte) {
		sb, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if sb != nil {
				t.Fatalf("error %v with non-nil result", err)
			}
			return
		}
		_ = sb.CheckDriver()
		if sb.Driver != nil {
			_, _ = sb.Driver.FamilyMemberSize()
		}
	})
}
