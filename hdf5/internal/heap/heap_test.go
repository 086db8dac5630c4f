package heap

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"github.com/goh5/goh5/filters"
	"github.com/goh5/goh5/internal/binfmt"
)

// testZlib is a test-only stand-in for the deflate filter, registered under
// ID 1 only when the filters package has no deflate decoder of its own.
type testZlib struct{}

func (testZlib) ID() uint16   { return filters.IDDeflate }
func (testZlib) Name() string { return "heap-test-zlib" }
func (testZlib) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	r, err := zlib.NewReader(bytes.NewReader(src))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, filters.ErrTooLarge
	}
	return append(dst[:0], out...), nil
}

func init() {
	if _, ok := filters.Lookup(filters.IDDeflate); !ok {
		filters.Register(testZlib{})
	}
}

const noLimit = 1 << 40

// fixture loads testdata/name.h5 as a Source (the fixtures have their
// superblock at 0 and 8-byte offsets and lengths) and decodes name.json into v.
func fixture(t testing.TB, name string, v any) ([]byte, *binfmt.Source) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name+".h5"))
	if err != nil {
		t.Fatal(err)
	}
	if v != nil {
		j, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(j, v); err != nil {
			t.Fatal(err)
		}
	}
	return b, memSource(b)
}

func memSource(b []byte) *binfmt.Source {
	return &binfmt.Source{R: bytes.NewReader(b), Size: int64(len(b)), Sizes: binfmt.Sizes{Offsets: 8, Lengths: 8}}
}

// debugValue returns the number h5debug printed after label.
func debugValue(t *testing.T, lines []string, label string) uint64 {
	t.Helper()
	re := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(label) + `\s+(\d+)`)
	for _, l := range lines {
		if m := re.FindStringSubmatch(l); m != nil {
			v, err := strconv.ParseUint(m[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
	}
	t.Fatalf("h5debug output has no %q", label)
	return 0
}

var errStop = errors.New("stop")
