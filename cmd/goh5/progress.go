package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// progressMinBytes is the amount of work up to which no bar is drawn (a
// variable for tests).
var progressMinBytes uint64 = 64 << 20

// terminalCheck decides whether stderr is a terminal (a variable for tests).
var terminalCheck = isTerminal

// progressInterval is the least time between two redraws.
const progressInterval = 200 * time.Millisecond

// progress draws a one-line bar (bytes done, rate, ETA) on a terminal. A
// nil *progress is valid and draws nothing, so callers need no checks.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	label string
	total uint64
	done  uint64
	start time.Time
	last  time.Time // last redraw
	drawn bool      // a bar is on screen
	now   func() time.Time
}

// isTerminal reports whether w is a terminal (a character device), without
// any dependency: a redirected or piped stderr is a regular file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// startProgress returns a bar on stderr for total bytes of work, or nil
// when stderr is not a terminal, quiet is set, or the work is at most
// progressMinBytes. This is the hook cat, bench and check call.
func startProgress(stderr io.Writer, quiet bool, label string, total uint64) *progress {
	return newProgress(stderr, terminalCheck(stderr), quiet, label, total)
}

// newProgress is startProgress with the terminal test injected.
func newProgress(w io.Writer, terminal, quiet bool, label string, total uint64) *progress {
	if !terminal || quiet || total <= progressMinBytes {
		return nil
	}
	p := &progress{w: w, label: label, total: total, now: time.Now}
	p.start = p.now()
	return p
}

// Add records n more bytes done and redraws at most every progressInterval.
// It is safe for concurrent use.
func (p *progress) Add(n uint64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if t := p.now(); !p.drawn || t.Sub(p.last) >= progressInterval || p.done >= p.total {
		p.draw(t)
	}
}

// Clear erases the bar so that other output can be printed; the next Add
// draws it again.
func (p *progress) Clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		io.WriteString(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// Done erases the bar for good.
func (p *progress) Done() { p.Clear() }

func (p *progress) draw(t time.Time) {
	const width = 24
	done := min(p.done, p.total)
	frac := float64(done) / float64(p.total)
	fill := int(frac * width)
	secs := t.Sub(p.start).Seconds()
	rate, eta := 0.0, "--"
	if secs > 0 && done > 0 {
		rate = float64(done) / secs
		eta = time.Duration(float64(p.total-done) / rate * float64(time.Second)).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s [%s%s] %s / %s  %.1f MB/s  ETA %s",
		p.label, strings.Repeat("=", fill), strings.Repeat(" ", width-fill),
		mib(done), mib(p.total), rate/1e6, eta)
	p.last, p.drawn = t, true
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
