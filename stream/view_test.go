package stream

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"runtime"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

func TestView(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	full := expected(t, ds, ref, nil)
	q, err := Open(ds, Options{Workers: 2, BlockRows: 32, Ordered: true, Remainder: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for blk, err := range q.Blocks(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		v, err := View[float32](blk)
		if err != nil {
			t.Fatal(err)
		}
		if len(v) != blk.Rows()*7 {
			t.Fatalf("View: %d values for %d rows", len(v), blk.Rows())
		}
		for i, x := range v {
			off := blk.Start()*28 + 4*i
			if math.Float32bits(x) != binary.LittleEndian.Uint32(full[off:]) {
				t.Fatalf("View row %d value %d: %v", blk.Start(), i, x)
			}
		}
		rows, err := View[[7]float32](blk)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != blk.Rows() || rows[0][3] != v[3] {
			t.Fatal("View of whole rows disagrees")
		}
		if _, err := View[float64](blk); err == nil {
			t.Fatal("View[float64] of float32 elements accepted")
		}
		if _, err := View[[3]float32](blk); err == nil {
			t.Fatal("View[[3]float32] of 7-element rows accepted")
		}
		if _, err := View[int](blk); err == nil {
			t.Fatal("View[int] (no fixed size) accepted")
		}
	}
}

func TestViewCompound(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	ds, err := f.Dataset("/compound")
	if err != nil {
		t.Fatal(err)
	}
	type rec struct {
		A int32
		B float64
		C int16
	}
	type ba struct {
		B float64
		A int32
	}
	full := expected(t, ds, ref, nil)
	sub := expected(t, ds, ref, []string{"b", "a"})
	for _, fields := range [][]string{nil, {"b", "a"}} {
		q, err := Open(ds, Options{BlockRows: 40, Ordered: true, Remainder: true, Field: fields})
		if err != nil {
			t.Fatal(err)
		}
		for blk, err := range q.Blocks(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			for i := range blk.Rows() {
				r := blk.Start() + i
				if fields == nil {
					v, err := View[rec](blk)
					if err != nil {
						t.Fatal(err)
					}
					want := rec{int32(binary.LittleEndian.Uint32(full[r*14:])), math.Float64frombits(binary.LittleEndian.Uint64(full[r*14+4:])), int16(binary.LittleEndian.Uint16(full[r*14+12:]))}
					if v[i] != want || v[i].A != int32(3*r) {
						t.Fatalf("row %d: %+v, want %+v", r, v[i], want)
					}
				} else {
					v, err := View[ba](blk)
					if err != nil {
						t.Fatal(err)
					}
					want := ba{math.Float64frombits(binary.LittleEndian.Uint64(sub[r*12:])), int32(binary.LittleEndian.Uint32(sub[r*12+8:]))}
					if v[i] != want || v[i].A != int32(3*r) {
						t.Fatalf("row %d: %+v, want %+v", r, v[i], want)
					}
				}
			}
		}
		q.Close()
	}
}

func TestChecked(t *testing.T) {
	f := openFixture(t)
	ds, err := f.Dataset("/contig_i4")
	if err != nil {
		t.Fatal(err)
	}
	q, err := Open(ds, Options{BlockRows: 10, Checked: true, Ordered: true})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	blk, err := q.Next(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	kept := blk.Bytes()
	before := append([]byte(nil), kept...)
	if blk.Err() != nil {
		t.Fatal(blk.Err())
	}
	blk.Release()
	if blk.Bytes() != nil {
		t.Fatal("Bytes after Release")
	}
	if !errors.Is(blk.Err(), ErrReleased) {
		t.Fatalf("Err after use after Release: %v", blk.Err())
	}
	if _, err := View[int32](blk); !errors.Is(err, ErrReleased) {
		t.Fatalf("View after Release: %v", err)
	}
	if !bytes.Equal(kept, bytes.Repeat([]byte{PoisonByte}, len(before))) || bytes.Equal(kept, before) {
		t.Fatal("a slice kept past Release does not read as poison")
	}
	// Read on: the poisoned buffer is never handed out again.
	for b, err := range q.Blocks(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if &b.Bytes()[0] == &kept[0] {
			t.Fatal("poisoned buffer reused")
		}
	}

	// A double Release is recorded, not fatal, and does not put the
	// buffer in the pool twice.
	q2, err := Open(ds, Options{BlockRows: 10, Checked: true, Workers: 1, ReadAhead: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer q2.Close()
	b, _ := q2.Next(context.Background())
	b.Release()
	b.Release()
	if !errors.Is(b.Err(), ErrReleased) {
		t.Fatalf("Err after double Release: %v", b.Err())
	}

	// Unchecked: Bytes after Release is nil, Err stays nil, no double put.
	q3, err := Open(ds, Options{BlockRows: 10, Workers: 1, ReadAhead: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer q3.Close()
	b, _ = q3.Next(context.Background())
	b.Release()
	b.Release()
	if b.Bytes() != nil || (b.Err() != nil && !buildChecked) {
		t.Fatal("unchecked block after Release")
	}
	b1, _ := q3.Next(context.Background())
	done := make(chan *Block)
	go func() { b2, _ := q3.Next(context.Background()); done <- b2 }()
	time.Sleep(20 * time.Millisecond)
	select {
	case <-done:
		t.Fatal("a second block was read with ReadAhead 1 and one held: the buffer went to the pool twice")
	default:
	}
	b1.Release()
	(<-done).Release()
}

func TestRows(t *testing.T) {
	ref := loadRef(t)
	f := openFixture(t)
	ds, err := f.Dataset("/chunked_f4")
	if err != nil {
		t.Fatal(err)
	}
	full := expected(t, ds, ref, nil)
	for _, workers := range []int{1, 2, 8} {
		r := 0
		for row, err := range Rows[float32](context.Background(), ds, Options{Workers: workers, BlockRows: 100, Ordered: true}) {
			if err != nil {
				t.Fatal(err)
			}
			if len(row) != 7 {
				t.Fatalf("row of %d values", len(row))
			}
			for i, x := range row {
				if math.Float32bits(x) != binary.LittleEndian.Uint32(full[r*28+4*i:]) {
					t.Fatalf("row %d differs", r)
				}
			}
			row[0] = 99 // a copy: harmless
			r++
		}
		if r != 1003 {
			t.Fatalf("%d rows, want 1003 (remainder included)", r)
		}
	}
	// Unordered, as a multiset.
	seen := map[string]int{}
	for row, err := range RowsBytes(context.Background(), ds, Options{Workers: 8, BlockRows: 16}) {
		if err != nil {
			t.Fatal(err)
		}
		seen[string(row)]++
	}
	for r := range 1003 {
		seen[string(full[r*28:(r+1)*28])]--
	}
	for k, v := range seen {
		if v != 0 {
			t.Fatalf("row %x delivered %+d times too many", k, v)
		}
	}
	// A wrong type is an error, yielded once.
	n := 0
	for _, err := range Rows[float64](context.Background(), ds, Options{}) {
		if err == nil {
			t.Fatal("Rows[float64] over float32 accepted")
		}
		n++
	}
	if n != 1 {
		t.Fatalf("error yielded %d times", n)
	}
	// Compound members, 1-D dataset: one element per row.
	c, _ := f.Dataset("/compound")
	r := 0
	for row, err := range Rows[int32](context.Background(), c, Options{Field: []string{"a"}, Ordered: true}) {
		if err != nil {
			t.Fatal(err)
		}
		if len(row) != 1 || row[0] != int32(3*r) {
			t.Fatalf("row %d: %v", r, row)
		}
		r++
	}
	if r != 301 {
		t.Fatalf("%d compound rows", r)
	}
}

func TestDefaults(t *testing.T) {
	o, err := Options{}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if o.Workers != 4 || o.ReadAhead != 9 {
		t.Fatalf("defaults: workers %d, read-ahead %d", o.Workers, o.ReadAhead)
	}
	o, _ = Options{Workers: 1 << 20, ClampWorkers: true}.withDefaults()
	if o.Workers != runtime.GOMAXPROCS(0) || o.ReadAhead != 2*o.Workers+1 {
		t.Fatalf("clamped: workers %d, read-ahead %d", o.Workers, o.ReadAhead)
	}
	if _, err := (Options{Workers: -1}).withDefaults(); err == nil {
		t.Fatal("negative Workers accepted")
	}
	for _, c := range []struct{ chunkRows, rowBytes, nrows, want uint64 }{
		{1024, 1024, 1 << 20, 1024}, // the benchmark file: 1 MiB chunks
		{16, 28, 1 << 30, 37440},    // 1 MiB / (16×28) = 2340 chunk rows
		{1000, 2048, 1 << 20, 1000}, // a chunk row over 1 MiB: one chunk row
		{0, 12, 1 << 20, 10922},     // contiguous: 128 KiB of rows
		{0, 1 << 20, 1 << 20, 1},    // contiguous, rows over 128 KiB: one row
		{16, 28, 1003, 1003},        // cut to the dataset
		{0, 0, 5, 5},                // empty rows
	} {
		if got := blockRowsFor(c.chunkRows, c.rowBytes, c.nrows); got != c.want {
			t.Errorf("blockRowsFor(%d, %d, %d) = %d, want %d", c.chunkRows, c.rowBytes, c.nrows, got, c.want)
		}
	}
	f := openFixture(t)
	for path, want := range map[string]int{"/chunked_f4": 1003, "/contig_i4": 517} {
		ds, _ := f.Dataset(path)
		if n, err := DefaultBlockRows(ds); err != nil || n != want {
			t.Errorf("DefaultBlockRows(%s) = %d, %v", path, n, err)
		}
	}
	ds, _ := f.Dataset("/chunked_f4")
	q, err := OpenPath(f, "/chunked_f4", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if q.BlockRows() != 1003 || q.RowBytes() != 28 || q.ElemSize() != 4 || q.Len() != 1 {
		t.Fatalf("queue geometry: %d rows/block, %d bytes/row, elem %d, %d blocks", q.BlockRows(), q.RowBytes(), q.ElemSize(), q.Len())
	}
	q.Close()
	if _, err := Open(ds, Options{Field: []string{"nope"}}); err == nil {
		t.Fatal("Field on a non-compound dataset accepted")
	}
	c, _ := f.Dataset("/compound")
	if _, err := Open(c, Options{Field: []string{"a", "nope"}}); err == nil {
		t.Fatal("unknown member accepted")
	}
	if _, err := OpenPath(f, "/missing", Options{}); err == nil {
		t.Fatal("missing path accepted")
	}
	if _, _, err := Remainder(ds, 0); err == nil {
		t.Fatal("Remainder with 0 block rows accepted")
	}
	_ = hdf5.All
}
