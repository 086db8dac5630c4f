package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/stream"
)

func init() {
	register(&command{
		name:    "tour",
		summary: "show a file's tree, then stream its largest dataset on every core and report the rate",
		usage:   "tour [--workers N] FILE",
		run:     runTour,
	})
}

func runTour(args []string, stdout, stderr io.Writer) error {
	c := commands["tour"]
	fs := newFlags(c, stderr)
	workers := fs.Int("workers", runtime.GOMAXPROCS(0), "stream workers")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"need FILE"}
	}
	if *workers < 1 {
		return &usageError{"--workers must be at least 1"}
	}
	f, err := hdf5.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	recs, err := listObjects(f, "/", true)
	for _, r := range recs {
		printLsRecord(stdout, r, true)
	}
	if err != nil {
		return err
	}
	// The largest dataset by logical size, with at least one dimension.
	var big *hdf5.Dataset
	var bigBytes uint64
	for e, err := range f.Walk() {
		if err != nil {
			return err
		}
		d, ok := e.Object.(*hdf5.Dataset)
		if !ok || len(d.Shape()) == 0 {
			continue
		}
		if n, err := d.SelectionBytes(nil); err == nil && n > bigBytes {
			big, bigBytes = d, n
		}
	}
	if big == nil {
		fmt.Fprintln(stdout, "\nno dataset to stream")
		return nil
	}
	q, err := stream.Open(big, stream.Options{Workers: *workers, Remainder: true})
	if err != nil {
		return err
	}
	defer q.Close()
	t0 := time.Now()
	var n uint64
	blocks := 0
	for blk, err := range q.Blocks(context.Background()) {
		if err != nil {
			return err
		}
		n += uint64(len(blk.Bytes()))
		blocks++
	}
	secs := time.Since(t0).Seconds()
	fmt.Fprintf(stdout, "\nstreamed %s: %d bytes in %d blocks of %d rows with %d workers: %.1f MB/s\n",
		big.Path(), n, blocks, q.BlockRows(), *workers, float64(n)/1e6/max(secs, 1e-9))
	return nil
}
