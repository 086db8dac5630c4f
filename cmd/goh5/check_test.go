package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goh5/goh5/hdf5"
)

// runCheckOn runs "goh5 check" on a file and returns its exit status and output.
func runCheckOn(t *testing.T, name string, extra ...string) (int, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append(append([]string{"check"}, extra...), name), &out, &errOut)
	return code, out.String() + errOut.String()
}

// errorLines returns the "error at" lines of a check report.
func errorLines(out string) []string {
	var l []string
	for _, s := range strings.Split(out, "\n") {
		if strings.HasPrefix(s, "error at ") {
			l = append(l, s)
		}
	}
	return l
}

// TestCheckCleanFixtures: every fixture is a valid file written by libhdf5,
// so check must find no error and exit 0. The groups fixtures hold a
// dangling soft link and an external link to a missing file on purpose:
// those are warnings.
func TestCheckCleanFixtures(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "files", "*.h5"))
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, f := range files {
		code, out := runCheckOn(t, f)
		if code != 0 || len(errorLines(out)) > 0 {
			t.Errorf("%s: exit %d\n%s", f, code, out)
		}
	}
}

// TestCheckDanglingLink: the dangling soft and external links of the groups
// fixture are reported as warnings at the address of the group that holds
// them (the root group's object header, 0x30 in the latest-format file as
// h5debug shows), and fail the check under --strict.
func TestCheckDanglingLink(t *testing.T) {
	name := filepath.Join("..", "..", "testdata", "files", "groups_latest.h5")
	f, err := hdf5.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	root := f.Root().Addr()
	f.Close()
	code, out := runCheckOn(t, name)
	if code != 0 {
		t.Errorf("exit %d without --strict\n%s", code, out)
	}
	for _, want := range []string{
		fmt.Sprintf("warning at 0x%x (/dangling_soft): soft link -> /does/not/exist", root),
		fmt.Sprintf("warning at 0x%x (/ext_dangling): external link -> missing_file.h5:/nothing", root),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if code, out := runCheckOn(t, name, "--strict"); code != 1 {
		t.Errorf("--strict: exit %d, want 1\n%s", code, out)
	}
}

// writeTemp writes b to a file in a temporary directory.
func writeTemp(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCheckCorruptedChecksum flips one byte inside a version 2 object
// header (not the root's) of a latest-format fixture: check reports a
// checksum error at that header's address and exits 1; --skip-checksums
// gets past it.
func TestCheckCorruptedChecksum(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "files", "chunked_latest.h5")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	// The object header of the first dataset the walk meets.
	at, path := -1, ""
	for e, err := range f.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := e.Object.(*hdf5.Dataset); ok {
			at, path = int(e.Object.Addr()), e.Path
			break
		}
	}
	f.Close()
	if at < 0 || string(b[at:at+4]) != "OHDR" {
		t.Fatalf("no version 2 dataset header (at %d)", at)
	}
	b[at+8] ^= 0x40 // inside the checksummed prefix
	p := writeTemp(t, "badsum.h5", b)
	code, out := runCheckOn(t, p)
	// The address reported is that of the header's checksum field, which
	// ends the header's first chunk (a few hundred bytes in).
	found := false
	for _, l := range errorLines(out) {
		var addr uint64
		if _, err := fmt.Sscanf(l, "error at 0x%x", &addr); err == nil &&
			addr >= uint64(at) && addr < uint64(at)+4096 && strings.Contains(l, "("+path+")") &&
			strings.Contains(l, "checksum mismatch") {
			found = true
		}
	}
	if code != 1 || !found {
		t.Errorf("exit %d, want 1 and a checksum error in %s's header at 0x%x:\n%s", code, path, at, out)
	}
	if code, out := runCheckOn(t, p, "--skip-checksums"); strings.Contains(out, "checksum mismatch") {
		t.Errorf("--skip-checksums (exit %d) still reports a checksum:\n%s", code, out)
	}
}

// TestCheckTruncatedChunk cuts a chunked fixture in the middle of its last
// chunk: check reports a read error at that chunk's address.
func TestCheckTruncatedChunk(t *testing.T) {
	src := filepath.Join("..", "..", "testdata", "files", "chunked_latest.h5")
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	var last hdf5.ChunkInfo
	var lastPath string
	owner := map[uint64]string{} // chunk address -> dataset path
	for e, err := range f.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		d, ok := e.Object.(*hdf5.Dataset)
		if !ok {
			continue
		}
		chunks, err := d.StoredChunks()
		if err != nil {
			continue
		}
		for _, c := range chunks {
			owner[c.Addr] = e.Path
			if c.Addr > last.Addr {
				last, lastPath = c, e.Path
			}
		}
	}
	f.Close()
	if last.Size < 2 || last.Addr+last.Size > uint64(len(b)) {
		t.Fatalf("no usable last chunk (%+v)", last)
	}
	cut := last.Addr + last.Size/2
	p := writeTemp(t, "truncated.h5", b[:cut])
	code, out := runCheckOn(t, p)
	// The engine reads neighbouring chunks in one request, so the address
	// reported is that of the first chunk of the failed request: one of the
	// dataset's stored chunks.
	found := false
	for _, l := range errorLines(out) {
		var addr uint64
		var path string
		if _, err := fmt.Sscanf(l, "error at 0x%x (%s", &addr, &path); err != nil {
			continue
		}
		path = strings.TrimSuffix(path, "):")
		if path == lastPath && owner[addr] == lastPath && addr <= last.Addr && strings.Contains(l, "read:") {
			found = true
		}
	}
	if code != 1 || !found {
		t.Errorf("exit %d, want 1 and a read error of %s at one of its chunks (last at 0x%x):\n%s", code, lastPath, last.Addr, out)
	}
}

// maxCheckCorpusFile keeps the corpus check within seconds: the few bigger
// files are mostly data, which the read tests cover.
const maxCheckCorpusFile = 8 << 20

// TestCheckCorpus runs check on every corpus file that libhdf5 reads in
// full (no open_error and no read_error in the reference records): none may
// show an error. Unsupported features are warnings and allowed.
func TestCheckCorpus(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	fh, err := os.Open(filepath.Join(dir, "reference.jsonl"))
	if err != nil {
		t.Skip("corpus absent")
	}
	defer fh.Close()
	bad := map[string]bool{}
	var order []string
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var r struct {
			Kind      string `json:"kind"`
			File      string `json:"file"`
			OpenError any    `json:"open_error"`
			ReadError any    `json:"read_error"`
		}
		if json.Unmarshal(sc.Bytes(), &r) != nil || r.File == "" {
			continue
		}
		if _, seen := bad[r.File]; !seen {
			order = append(order, r.File)
			bad[r.File] = false
		}
		if r.OpenError != nil || r.ReadError != nil {
			bad[r.File] = true
		}
	}
	n := 0
	for _, name := range order {
		if bad[name] {
			continue
		}
		p := filepath.Join(dir, "files", name)
		if st, err := os.Stat(p); err != nil || st.Size() > maxCheckCorpusFile {
			continue
		}
		n++
		if testing.Short() && n > 40 {
			break
		}
		code, out := runCheckOn(t, p)
		if e := errorLines(out); len(e) > 0 || (code != 0 && code != 1) {
			t.Errorf("%s: exit %d, %d errors:\n%s", name, code, len(e), strings.Join(e[:min(len(e), 5)], "\n"))
		}
	}
	t.Logf("%d corpus files checked", n)
}
