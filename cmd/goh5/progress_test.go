package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestProgressTerminal drives a bar on a writer flagged as a terminal with a
// fake clock and checks what it draws: bytes, rate and ETA.
func TestProgressTerminal(t *testing.T) {
	var buf bytes.Buffer
	total := uint64(100 << 20)
	p := newProgress(&buf, true, false, "cat", total)
	if p == nil {
		t.Fatal("no bar on a terminal")
	}
	clock := p.start
	p.now = func() time.Time { return clock }
	clock = clock.Add(time.Second)
	p.Add(25 << 20) // 25 MiB in 1 s: 26.2 MB/s, 75 MiB left: 3 s
	want := "\r\x1b[Kcat [======                  ] 25.0 MiB / 100.0 MiB  26.2 MB/s  ETA 3s"
	if got := buf.String(); got != want {
		t.Fatalf("first draw\n got %q\nwant %q", got, want)
	}
	buf.Reset()
	clock = clock.Add(50 * time.Millisecond)
	p.Add(1 << 20) // too soon: no redraw
	if buf.Len() != 0 {
		t.Fatalf("redrew after 50 ms: %q", buf.String())
	}
	clock = clock.Add(950 * time.Millisecond)
	p.Add(24 << 20) // 50 MiB in 2 s, 50 MiB left: 2 s
	if got := buf.String(); !strings.Contains(got, "50.0 MiB / 100.0 MiB  26.2 MB/s  ETA 2s") {
		t.Fatalf("second draw %q", got)
	}
	buf.Reset()
	p.Clear()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Fatalf("clear wrote %q", got)
	}
	buf.Reset()
	clock = clock.Add(10 * time.Millisecond)
	p.Add(50 << 20) // the last bytes are always drawn
	if got := buf.String(); !strings.Contains(got, "[========================] 100.0 MiB / 100.0 MiB") || !strings.Contains(got, "ETA 0s") {
		t.Fatalf("final draw %q", got)
	}
	buf.Reset()
	p.Done()
	if got := buf.String(); got != "\r\x1b[K" {
		t.Fatalf("done wrote %q", got)
	}
}

// TestProgressAbsent checks that no bar is made when the writer is not a
// terminal, with --quiet, or for 64 MiB or less, and that a nil bar is
// safe to use.
func TestProgressAbsent(t *testing.T) {
	var buf bytes.Buffer
	for _, tc := range []struct {
		name     string
		terminal bool
		quiet    bool
		total    uint64
	}{
		{"not a terminal", false, false, 1 << 30},
		{"quiet", true, true, 1 << 30},
		{"64 MiB", true, false, 64 << 20},
	} {
		p := newProgress(&buf, tc.terminal, tc.quiet, "x", tc.total)
		if p != nil {
			t.Errorf("%s: got a bar", tc.name)
		}
		p.Add(1 << 30)
		p.Clear()
		p.Done()
	}
	// startProgress decides by the writer itself: a buffer and a regular
	// file are not terminals.
	if p := startProgress(&buf, false, "x", 1<<30); p != nil {
		t.Error("bar on a bytes.Buffer")
	}
	f, err := os.Create(t.TempDir() + "/stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
	if buf.Len() != 0 {
		t.Errorf("wrote %q", buf.String())
	}
}

// TestProgressBenchNotTerminal runs bench on a fixture with stderr a
// buffer: nothing but results may appear, and stderr stays empty.
func TestProgressBenchNotTerminal(t *testing.T) {
	out, errOut, code := runCmd(t, "bench", "--repeat", "1", "--workers", "1", "../../testdata/files/example.h5", "experiment/run_001/image")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if len(errOut) != 0 {
		t.Errorf("stderr %q", errOut)
	}
	if !strings.Contains(string(out), "workers=1") {
		t.Errorf("stdout %q", out)
	}
}

// TestProgressWired runs cat and bench with stderr flagged as a terminal
// and the size threshold removed: the bar must appear on stderr, end
// erased, and leave stdout alone; --quiet removes it.
func TestProgressWired(t *testing.T) {
	defer func(f func(w io.Writer) bool, m uint64) { terminalCheck, progressMinBytes = f, m }(terminalCheck, progressMinBytes)
	terminalCheck = func(io.Writer) bool { return true }
	progressMinBytes = 0
	const file, path = "../../testdata/files/example.h5", "/experiment/run_001/image"
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"cat", []string{"cat", "--format", "raw", "-o", filepath.Join(t.TempDir(), "x.raw"), file, path}},
		{"bench", []string{"bench", "--repeat", "1", "--workers", "1,2", "--json", file, path}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			e := string(errOut)
			if !strings.HasPrefix(e, "\r\x1b[K"+tc.name+" [") || !strings.Contains(e, "MB/s  ETA") ||
				!strings.Contains(e, "/ ") || !strings.HasSuffix(e, "\r\x1b[K") {
				t.Errorf("stderr %q", e)
			}
			if strings.Contains(string(out), "\x1b") {
				t.Errorf("bar on stdout: %q", out)
			}
			_, errOut, code = runCmd(t, append(tc.args, "--quiet")...)
			if code != 0 || len(errOut) != 0 {
				t.Errorf("--quiet: exit %d, stderr %q", code, errOut)
			}
		})
	}
}
