package stream

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

const fixture = "testdata/stream.h5"

// reference is testdata/stream.json, written by testdata/gen.py from
// libhdf5's reading of the fixture.
type reference struct {
	Datasets map[string]struct {
		Shape  []uint64          `json:"shape"`
		Chunks []uint64          `json:"chunks"`
		SHA256 string            `json:"sha256"`
		NBytes int               `json:"nbytes"`
		Fields map[string]string `json:"fields"`
	} `json:"datasets"`
}

func loadRef(t testing.TB) *reference {
	t.Helper()
	b, err := os.ReadFile("testdata/stream.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return &r
}

func openFixture(t testing.TB, opts ...hdf5.Option) *hdf5.File {
	t.Helper()
	f, err := hdf5.Open(fixture, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// expected reads the whole dataset (only fields, if any) and checks it
// against the digest libhdf5 produced, so the stream can be compared with
// it row by row.
func expected(t testing.TB, ds *hdf5.Dataset, ref *reference, fields []string) []byte {
	t.Helper()
	var sel *hdf5.Selection
	want := ref.Datasets[ds.Path()].SHA256
	if len(fields) > 0 {
		sel = hdf5.All().Fields(fields...)
		want = ref.Datasets[ds.Path()].Fields[strings.Join(fields, ",")]
	}
	n, err := ds.SelectionBytes(sel)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, n)
	if err := ds.Read(sel, buf); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(buf)
	if got := hex.EncodeToString(sum[:]); want == "" || got != want {
		t.Fatalf("%s %v: whole read sha256 %s, libhdf5 %q", ds.Path(), fields, got, want)
	}
	return buf
}

// rowsEqual checks that data holds rows start, start+1, ... of full (with
// nrows rows of rb bytes), wrapping at the end.
func rowsEqual(t testing.TB, what string, full []byte, nrows, rb int, start int, data []byte) {
	t.Helper()
	if len(data)%max(rb, 1) != 0 {
		t.Fatalf("%s: %d bytes is not whole rows of %d", what, len(data), rb)
	}
	for i := 0; i*rb < len(data); i++ {
		r := (start + i) % nrows
		if !bytes.Equal(data[i*rb:(i+1)*rb], full[r*rb:(r+1)*rb]) {
			t.Fatalf("%s: row %d of the block (dataset row %d) differs", what, i, r)
		}
	}
}

// settle waits for the goroutine count to drop to base (goroutines from
// context.AfterFunc and the runtime can take a moment to exit).
func settle(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= base {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("goroutine leak: %d running, %d before\n%s", n, base, buf)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
