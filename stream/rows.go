package stream

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"iter"

	"github.com/goh5/goh5/hdf5"
)

// Remainder returns, as a copy, the rows a non-cyclic stream of ds with
// blocks of blockRows rows and Remainder unset leaves out: those after the
// last full block. It returns the bytes (in the stream's layout, only the
// named compound members if fields are given) and the number of rows, which
// is 0 (with nil bytes) when blockRows divides the rows.
func Remainder(ds *hdf5.Dataset, blockRows int, fields ...string) ([]byte, int, error) {
	return RemainderContext(context.Background(), ds, blockRows, fields...)
}

// RemainderContext is Remainder with cancellation.
func RemainderContext(ctx context.Context, ds *hdf5.Dataset, blockRows int, fields ...string) ([]byte, int, error) {
	if blockRows <= 0 {
		return nil, 0, fmt.Errorf("stream: Remainder: blockRows %d must be > 0", blockRows)
	}
	g, err := datasetGeometry(ds, fields)
	if err != nil {
		return nil, 0, err
	}
	start := g.nrows / uint64(blockRows) * uint64(blockRows)
	n := g.nrows - start
	if n == 0 {
		return nil, 0, nil
	}
	q := &Queue{ds: ds, g: g, fields: fields, ctx: ctx}
	buf := make([]byte, n*g.rowBytes)
	if err := q.read(start, n, buf); err != nil {
		return nil, 0, fmt.Errorf("stream: %s: rows [%d, %d): %w", ds.Path(), start, g.nrows, err)
	}
	return buf, int(n), nil
}

// RowsBytes iterates over the rows of ds one at a time, each as a new copy
// the caller may keep, by streaming ds with opts. The last partial block is
// always included (Remainder is forced on); with opts.Cyclic the iteration
// runs until the loop stops. Rows come in dataset order only with
// opts.Ordered. The queue behind the iterator is closed when the loop ends.
//
// A row iterator is not safe for concurrent use: range over it from one
// goroutine (each range statement runs its own stream). The first error is
// yielded once, with a nil row, and ends the iteration.
func RowsBytes(ctx context.Context, ds *hdf5.Dataset, opts Options) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		rowsOf(ctx, ds, opts, nil, func(q *Queue, row []byte) bool {
			return yield(append([]byte(nil), row...), nil)
		}, func(err error) { yield(nil, err) })
	}
}

// Rows is RowsBytes with each row decoded into a new []T (see View for
// which T are accepted): a row of a dataset of shape (N, a, b) holds a×b
// elements, so T is typically the element type.
func Rows[T any](ctx context.Context, ds *hdf5.Dataset, opts Options) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		var per int
		check := func(q *Queue) error {
			n, err := typedCount[T](q.g, int(q.g.rowBytes))
			per = n
			return err
		}
		rowsOf(ctx, ds, opts, check, func(q *Queue, row []byte) bool {
			v := make([]T, per)
			if _, err := binary.Decode(row, binary.LittleEndian, v); err != nil {
				yield(nil, fmt.Errorf("stream: Rows: %w", err))
				return false
			}
			return yield(v, nil)
		}, func(err error) { yield(nil, err) })
	}
}

// rowsOf runs a stream for the row iterators.
func rowsOf(ctx context.Context, ds *hdf5.Dataset, opts Options, check func(*Queue) error, each func(*Queue, []byte) bool, fail func(error)) {
	if !opts.Cyclic {
		opts.Remainder = true
	}
	q, err := OpenContext(ctx, ds, opts)
	if err != nil {
		fail(err)
		return
	}
	defer q.Close()
	if check != nil {
		if err := check(q); err != nil {
			fail(err)
			return
		}
	}
	rb := int(q.g.rowBytes)
	for {
		blk, err := q.Next(ctx)
		if errors.Is(err, ErrClosed) {
			return
		}
		if err != nil {
			fail(err)
			return
		}
		data := blk.Bytes()
		for r := range blk.Rows() {
			if !each(q, data[r*rb:(r+1)*rb]) {
				blk.Release()
				return
			}
		}
		blk.Release()
	}
}
