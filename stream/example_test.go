package stream_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/stream"
)

// Stream a (517, 3) int32 dataset in ordered blocks of 200 rows, with the
// partial block at the end.
func Example() {
	f, err := hdf5.Open("testdata/stream.h5", hdf5.WithConcurrency(1))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	q, err := stream.OpenPath(f, "/contig_i4", stream.Options{Workers: 2, BlockRows: 200, Ordered: true, Remainder: true})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	ctx := context.Background()
	for {
		blk, err := q.Next(ctx)
		if errors.Is(err, stream.ErrClosed) {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
		v, err := stream.View[int32](blk)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("rows %d..%d: first %d, last %d\n", blk.Start(), blk.Start()+blk.Rows()-1, v[0], v[len(v)-1])
		blk.Release()
	}
	// Output:
	// rows 0..199: first -100, last 4093
	// rows 200..399: first 4100, last 8293
	// rows 400..516: first 8300, last 10750
}

// Blocks releases each block when the loop body returns. Here a cyclic
// stream wraps around: the third block carries rows 90..96 and 0..37.
func ExampleQueue_Blocks() {
	f, err := hdf5.Open("testdata/stream.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ds, err := f.Dataset("/compound_contig")
	if err != nil {
		log.Fatal(err)
	}
	q, err := stream.Open(ds, stream.Options{BlockRows: 45, Ordered: true, Cyclic: true, Field: []string{"x"}})
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	for blk, err := range q.Blocks(context.Background()) {
		if err != nil {
			log.Fatal(err)
		}
		b := blk.Bytes() // member x is a uint8 equal to the row number
		fmt.Println(blk.Index(), blk.Start(), blk.Rows(), b[0], b[len(b)-1])
		if blk.Index() == 3 {
			break
		}
	}
	// Output:
	// 0 0 45 0 44
	// 1 45 45 45 89
	// 2 90 45 90 37
	// 3 38 45 38 82
}

// Rows yields one row at a time, as a copy, the last partial block
// included.
func ExampleRows() {
	f, err := hdf5.Open("testdata/stream.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ds, err := f.Dataset("/contig_i4")
	if err != nil {
		log.Fatal(err)
	}
	n, sum := 0, int64(0)
	for row, err := range stream.Rows[int32](context.Background(), ds, stream.Options{BlockRows: 100, Ordered: true}) {
		if err != nil {
			log.Fatal(err)
		}
		if n < 2 {
			fmt.Println(row)
		}
		for _, v := range row {
			sum += int64(v)
		}
		n++
	}
	fmt.Println(n, "rows, sum", sum)
	// Output:
	// [-100 -93 -86]
	// [-79 -72 -65]
	// 517 rows, sum 8259075
}
