package stream

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

var errInjected = errors.New("injected read failure")

// failingReader fails reads that overlap [lo, hi) once armed.
type failingReader struct {
	f      *os.File
	armed  atomic.Bool
	lo, hi int64
}

func (r *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if r.armed.Load() && off < r.hi && off+int64(len(p)) > r.lo {
		return 0, errInjected
	}
	return r.f.ReadAt(p, off)
}

// brokenChunkDataset opens /chunked_f4 through a reader that fails on the
// chunk holding rows 320..335 once armed.
func brokenChunkDataset(t *testing.T) (*hdf5.Dataset, *failingReader) {
	t.Helper()
	fh, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, _ := fh.Stat()
	r := &failingReader{f: fh}
	f, err := hdf5.OpenReaderAt(r, st.Size(), hdf5.WithConcurrency(1))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	chunks, err := ds.StoredChunks() // loads the index before arming
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chunks {
		if c.Offset[0] == 320 {
			r.lo, r.hi = int64(c.Addr), int64(c.Addr+c.Size)
		}
	}
	if r.hi == 0 {
		t.Fatal("no chunk at row 320")
	}
	return ds, r
}

func TestWorkerError(t *testing.T) {
	for _, ordered := range []bool{false, true} {
		for _, cyclic := range []bool{false, true} {
			t.Run(fmt.Sprintf("ordered=%v/cyclic=%v", ordered, cyclic), func(t *testing.T) {
				base := runtime.NumGoroutine()
				ds, r := brokenChunkDataset(t)
				r.armed.Store(true)
				q, err := Open(ds, Options{Workers: 4, BlockRows: 100, Ordered: ordered, Cyclic: cyclic})
				if err != nil {
					t.Fatal(err)
				}
				var got error
				for range 1000 {
					blk, err := q.Next(context.Background())
					if err != nil {
						got = err
						break
					}
					if blk.Start() <= 320 && blk.Start()+blk.Rows() > 320 {
						t.Fatalf("block at row %d delivered over a failed chunk", blk.Start())
					}
					blk.Release()
				}
				// The error names a block over the failed chunk: [300, 400)
				// in the first pass, or in cyclic unordered mode possibly a
				// later pass's block that a worker reached first, such as
				// [297, 397) after the wrap at row 1003.
				if !errors.Is(got, errInjected) || !blockCovers(got.Error(), 320) {
					t.Fatalf("Next: %v; want the injected error naming a block over row 320", got)
				}
				if (ordered || !cyclic) && !strings.Contains(got.Error(), "rows [300, 400)") {
					t.Fatalf("Next: %v; want the injected error with rows [300, 400)", got)
				}
				// The error sticks.
				if _, err := q.Next(context.Background()); !errors.Is(err, errInjected) {
					t.Fatalf("second Next: %v", err)
				}
				q.Close()
				if _, err := q.Next(context.Background()); !errors.Is(err, ErrClosed) {
					t.Fatalf("Next after Close: %v", err)
				}
				settle(t, base)
			})
		}
	}
}

// blockCovers reports whether msg names a block "rows [a, b)" with a <= row < b.
func blockCovers(msg string, row int) bool {
	var a, b int
	i := strings.Index(msg, "rows [")
	if i < 0 {
		return false
	}
	if _, err := fmt.Sscanf(msg[i:], "rows [%d, %d)", &a, &b); err != nil {
		return false
	}
	return a <= row && row < b
}

func TestRemainderError(t *testing.T) {
	ds, r := brokenChunkDataset(t)
	r.armed.Store(true)
	// 1003 rows in blocks of 330 leave rows 990..1002: fail every read.
	r.lo, r.hi = 0, 1<<40
	_, _, err := Remainder(ds, 330)
	if !errors.Is(err, errInjected) || !strings.Contains(err.Error(), "rows [990, 1003)") {
		t.Fatalf("Remainder: %v", err)
	}
}

func TestCloseNoLeak(t *testing.T) {
	f := openFixture(t)
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()
	for _, o := range []Options{
		{Workers: 8, BlockRows: 5, Cyclic: true},
		{Workers: 8, BlockRows: 5, Cyclic: true, Ordered: true},
		{Workers: 2, BlockRows: 5},
		{Workers: 3, BlockRows: 5000}, // no full block: nothing to read
	} {
		q, err := Open(ds, o)
		if err != nil {
			t.Fatal(err)
		}
		// Hold a block across Close: workers block on the pool, then stop.
		held, err := q.Next(context.Background())
		if o.BlockRows == 5000 {
			if !errors.Is(err, ErrClosed) {
				t.Fatalf("empty stream: %v", err)
			}
		} else if err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond) // let the workers fill the pool
		q.Close()
		q.Close() // idempotent
		if held != nil {
			if held.Bytes() == nil {
				t.Fatal("a block delivered before Close lost its data")
			}
			held.Release()
		}
		if _, err := q.Next(context.Background()); !errors.Is(err, ErrClosed) {
			t.Fatalf("Next after Close: %v", err)
		}
		settle(t, base)
	}
}

func TestContextCancel(t *testing.T) {
	f := openFixture(t)
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	base := runtime.NumGoroutine()

	// The context of Next: Next returns its error, the stream goes on.
	q, err := Open(ds, Options{Workers: 4, BlockRows: 7, Cyclic: true, ReadAhead: 2})
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := q.Next(context.Background())
	b2, _ := q.Next(context.Background()) // the pool is empty now
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	if _, err := q.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Next with every buffer held: %v", err)
	}
	cancel()
	b1.Release()
	if b, err := q.Next(context.Background()); err != nil {
		t.Fatalf("Next after a cancelled Next: %v", err)
	} else {
		b.Release()
	}
	b2.Release()
	q.Close()
	settle(t, base)

	// The context of OpenContext: cancelling it stops the workers.
	ctx, cancel = context.WithCancel(context.Background())
	q, err = OpenContext(ctx, ds, Options{Workers: 4, BlockRows: 7, Cyclic: true})
	if err != nil {
		t.Fatal(err)
	}
	for range 10 {
		b, err := q.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		b.Release()
	}
	cancel()
	for {
		b, err := q.Next(context.Background())
		if err != nil {
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Next after the stream's context ended: %v", err)
			}
			break
		}
		b.Release() // blocks read before the cancel
	}
	q.Close()
	settle(t, base)

	// A row iterator whose loop breaks, and one whose context ends.
	n := 0
	for _, err := range RowsBytes(context.Background(), ds, Options{Workers: 4, BlockRows: 16}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 50 {
			break
		}
	}
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var last error
	n = 0
	for _, err := range Rows[float32](ctx, ds, Options{Workers: 4, BlockRows: 16, Cyclic: true}) {
		if err != nil {
			last = err
			break
		}
		if n++; n == 100 {
			cancel()
		}
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("row iterator after cancel: %v", last)
	}
	settle(t, base)
}

func TestBlocksIterator(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	ds, err := f.Dataset("/contig_i4")
	if err != nil {
		t.Fatal(err)
	}
	full := expected(t, ds, ref, nil)
	q, err := Open(ds, Options{BlockRows: 50, Ordered: true, Remainder: true, Checked: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	var blocks []*Block
	next := 0
	for blk, err := range q.Blocks(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if blk.Start() != next {
			t.Fatalf("block at %d, want %d", blk.Start(), next)
		}
		rowsEqual(t, "block", full, 517, 12, blk.Start(), blk.Bytes())
		next += blk.Rows()
		blocks = append(blocks, blk)
	}
	if next != 517 {
		t.Fatalf("iterated %d rows", next)
	}
	// Each block was released when its iteration ended.
	for _, b := range blocks {
		if b.Bytes() != nil || !errors.Is(b.Err(), ErrReleased) {
			t.Fatalf("block %d usable after its iteration", b.Index())
		}
	}
}
