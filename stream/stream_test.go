package stream

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/goh5/goh5/hdf5"
)

// matrixCase is one dataset of the fixture with block sizes that divide its
// rows and block sizes that do not.
type matrixCase struct {
	path      string
	divide    []int
	notDivide []int
	fields    [][]string // besides "all members"
}

var matrix = []matrixCase{
	{"/chunked_f4", []int{17, 59}, []int{16, 100}, nil},                              // 1003 rows, chunks of 16
	{"/chunked_cols", []int{7, 29}, []int{8, 50}, nil},                               // 203 rows, chunks (8, 4)
	{"/contig_i4", []int{11, 47}, []int{16, 100}, nil},                               // 517 rows, contiguous
	{"/compound", []int{7, 43}, []int{32, 64}, [][]string{{"b"}, {"b", "a"}}},        // 301 rows
	{"/compound_contig", []int{97, 1}, []int{10, 32}, [][]string{{"y"}, {"y", "x"}}}, // 97 rows
}

// TestMatrix streams every fixture dataset under every combination of
// ordered, cyclic, remainder, field, block size and worker count, and
// checks each block's rows against the whole read (itself checked against
// libhdf5's digest).
func TestMatrix(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t, hdf5.WithConcurrency(1))
	for _, mc := range matrix {
		ds, err := f.Dataset(mc.path)
		if err != nil {
			t.Fatal(err)
		}
		fieldSets := append([][]string{nil}, mc.fields...)
		for _, fields := range fieldSets {
			full := expected(t, ds, ref, fields)
			nrows := int(ds.Shape()[0])
			rb := len(full) / nrows
			for _, br := range slices.Concat(mc.divide, mc.notDivide) {
				for _, workers := range []int{1, 2, 8} {
					for _, ordered := range []bool{false, true} {
						for _, cyclic := range []bool{false, true} {
							for _, rem := range []bool{false, true} {
								o := Options{Workers: workers, BlockRows: br, Ordered: ordered, Cyclic: cyclic, Remainder: rem, Field: fields}
								name := fmt.Sprintf("%s/field=%s/rows=%d/w=%d/ord=%v/cyc=%v/rem=%v", mc.path, strings.Join(fields, "+"), br, workers, ordered, cyclic, rem)
								t.Run(name, func(t *testing.T) {
									if cyclic {
										checkCyclic(t, ds, o, full, nrows, rb)
									} else {
										checkLinear(t, ds, o, full, nrows, rb)
									}
								})
							}
						}
					}
				}
			}
		}
	}
}

// checkLinear drains a non-cyclic stream: every full block once, the
// partial one only with Remainder, in order when Ordered; the rows left out
// are what Remainder returns.
func checkLinear(t *testing.T, ds *hdf5.Dataset, o Options, full []byte, nrows, rb int) {
	q, err := Open(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	br := o.BlockRows
	seen := map[int]bool{}
	last := -1
	covered := 0
	for {
		blk, err := q.Next(context.Background())
		if errors.Is(err, ErrClosed) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		s := blk.Start()
		if s%br != 0 || seen[s] {
			t.Fatalf("block at row %d (block size %d) unexpected or repeated", s, br)
		}
		seen[s] = true
		if uint64(s/br) != blk.Index() {
			t.Fatalf("block at row %d has index %d", s, blk.Index())
		}
		if o.Ordered && s <= last {
			t.Fatalf("ordered: block at row %d after block at row %d", s, last)
		}
		last = s
		wantRows := min(br, nrows-s)
		if blk.Rows() != wantRows || (!o.Remainder && wantRows != br) {
			t.Fatalf("block at row %d has %d rows, want %d (remainder %v)", s, blk.Rows(), wantRows, o.Remainder)
		}
		rowsEqual(t, fmt.Sprintf("block at row %d", s), full, nrows, rb, s, blk.Bytes())
		covered += blk.Rows()
		blk.Release()
	}
	fullRows := nrows / br * br
	want := fullRows
	if o.Remainder {
		want = nrows
	}
	if covered != want || len(seen) != (want+br-1)/br {
		t.Fatalf("delivered %d rows in %d blocks, want %d rows", covered, len(seen), want)
	}
	// Next keeps saying ErrClosed.
	if _, err := q.Next(context.Background()); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after the end: %v", err)
	}
	rem, n, err := Remainder(ds, br, o.Field...)
	if err != nil {
		t.Fatal(err)
	}
	if n != nrows-fullRows || len(rem) != n*rb {
		t.Fatalf("Remainder: %d rows, %d bytes; want %d rows", n, len(rem), nrows-fullRows)
	}
	rowsEqual(t, "remainder", full, nrows, rb, fullRows, rem)
}

// checkCyclic takes three passes' worth of blocks and checks that, in index
// order, they hold rows 0, 1, ..., wrapping at the end, every block full.
func checkCyclic(t *testing.T, ds *hdf5.Dataset, o Options, full []byte, nrows, rb int) {
	q, err := Open(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	br := o.BlockRows
	k := (3*nrows + br - 1) / br
	got := map[uint64][]byte{}
	var prev int64 = -1
	// Unordered, blocks 0..k-1 may arrive among later ones (a slow read is
	// overtaken by as many blocks as the others read meanwhile): read on
	// until all of them came.
	limit := 100*k + 10000
	for i := 0; ; i++ {
		done := true
		for j := range uint64(k) {
			if got[j] == nil {
				done = false
				break
			}
		}
		if done {
			break
		}
		if i > limit {
			t.Fatalf("blocks 0..%d not all delivered after %d blocks", k-1, i)
		}
		blk, err := q.Next(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		idx := blk.Index()
		if got[idx] != nil {
			t.Fatalf("block %d delivered twice", idx)
		}
		if o.Ordered && int64(idx) != prev+1 {
			t.Fatalf("ordered: block %d after %d", idx, prev)
		}
		prev = int64(idx)
		if blk.Rows() != br || blk.Start() != int(idx)*br%nrows {
			t.Fatalf("block %d: start %d rows %d, want start %d rows %d", idx, blk.Start(), blk.Rows(), int(idx)*br%nrows, br)
		}
		got[idx] = append([]byte(nil), blk.Bytes()...)
		blk.Release()
	}
	var all []byte
	for j := range uint64(k) {
		all = append(all, got[j]...)
	}
	rowsEqual(t, "three passes", full, nrows, rb, 0, all)
	if len(all) < 3*len(full) {
		t.Fatalf("three passes: %d bytes, want at least %d", len(all), 3*len(full))
	}
}

// TestConcurrentConsumers has 4 goroutines call Next on one queue: each
// block is seen exactly once, and together they cover the dataset.
func TestConcurrentConsumers(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	full := expected(t, ds, ref, nil)
	const nrows, rb = 1003, 28
	for _, ordered := range []bool{false, true} {
		for _, cyclic := range []bool{false, true} {
			t.Run(fmt.Sprintf("ordered=%v/cyclic=%v", ordered, cyclic), func(t *testing.T) {
				q, err := Open(ds, Options{Workers: 3, BlockRows: 10, Ordered: ordered, Cyclic: cyclic, Remainder: true})
				if err != nil {
					t.Fatal(err)
				}
				defer q.Close()
				var mu sync.Mutex
				count := map[uint64]int{}
				taken := 0
				const cyclicBlocks = 400 // about four passes
				var wg sync.WaitGroup
				errs := make(chan error, 4)
				for range 4 {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for {
							mu.Lock()
							stop := cyclic && taken >= cyclicBlocks
							taken++
							mu.Unlock()
							if stop {
								return
							}
							blk, err := q.Next(context.Background())
							if errors.Is(err, ErrClosed) {
								return
							}
							if err != nil {
								errs <- err
								return
							}
							s := blk.Start()
							data := blk.Bytes()
							for i := range blk.Rows() {
								r := (s + i) % nrows
								if string(data[i*rb:(i+1)*rb]) != string(full[r*rb:(r+1)*rb]) {
									errs <- fmt.Errorf("block %d row %d differs", blk.Index(), i)
									blk.Release()
									return
								}
							}
							mu.Lock()
							count[blk.Index()]++
							mu.Unlock()
							blk.Release()
						}
					}()
				}
				wg.Wait()
				close(errs)
				for err := range errs {
					t.Fatal(err)
				}
				n := uint64(101)
				if cyclic {
					n = cyclicBlocks
				}
				for k, c := range count {
					if c != 1 {
						t.Fatalf("block %d seen %d times", k, c)
					}
				}
				for k := range n {
					if !cyclic && count[k] != 1 {
						t.Fatalf("block %d seen %d times", k, count[k])
					}
				}
				if uint64(len(count)) != n {
					t.Fatalf("%d blocks seen, want %d", len(count), n)
				}
			})
		}
	}
}

// TestZip streams two datasets with the same rows, ordered and with the
// same block size, and zips them row for row.
func TestZip(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	x, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	y, err := f.Dataset("/labels_i8")
	if err != nil {
		t.Fatal(err)
	}
	fullX := expected(t, x, ref, nil)
	expected(t, y, ref, nil)
	for _, cyclic := range []bool{false, true} {
		qx, err := Open(x, Options{Workers: 3, BlockRows: 64, Ordered: true, Remainder: true, Cyclic: cyclic})
		if err != nil {
			t.Fatal(err)
		}
		qy, err := Open(y, Options{Workers: 1, BlockRows: 64, Ordered: true, Remainder: true, Cyclic: cyclic})
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		for range 40 {
			bx, errx := qx.Next(context.Background())
			by, erry := qy.Next(context.Background())
			if errors.Is(errx, ErrClosed) && errors.Is(erry, ErrClosed) {
				break
			}
			if errx != nil || erry != nil {
				t.Fatal(errx, erry)
			}
			if bx.Start() != by.Start() || bx.Rows() != by.Rows() {
				t.Fatalf("blocks differ: rows %d+%d and %d+%d", bx.Start(), bx.Rows(), by.Start(), by.Rows())
			}
			labels, err := View[int64](by)
			if err != nil {
				t.Fatal(err)
			}
			xs := bx.Bytes()
			for i, l := range labels {
				r := int(l-1) / 2 // the label of row r is 2r+1
				if r != (bx.Start()+i)%1003 || string(xs[i*28:(i+1)*28]) != string(fullX[r*28:(r+1)*28]) {
					t.Fatalf("zipped row %d: label %d does not match", bx.Start()+i, l)
				}
			}
			rows += len(labels)
			bx.Release()
			by.Release()
		}
		want := 1003
		if cyclic {
			want = 40 * 64
		}
		if rows != want {
			t.Fatalf("cyclic=%v: zipped %d rows, want %d", cyclic, rows, want)
		}
		qx.Close()
		qy.Close()
	}
}
