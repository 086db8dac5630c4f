package stream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sync/atomic"
)

// ErrReleased reports the use of a block after Release in checked mode.
var ErrReleased = errors.New("stream: block used after Release")

// PoisonByte fills a released block's buffer in checked mode.
const PoisonByte = 0xDB

// A Block is a guard over one pooled buffer holding rows
// [Start(), Start()+Rows()) of the dataset (in a cyclic stream, the rows of
// a block that crosses the end continue at row 0). A block belongs to the
// consumer Next gave it to; its methods are not meant for concurrent use,
// except that Err may be called at any time.
type Block struct {
	q        *Queue
	buf      *buffer
	data     []byte
	index    uint64
	start    int
	rows     int
	view     any
	released atomic.Bool
	err      atomic.Pointer[error]
}

// Bytes returns the block's rows (Rows()×RowBytes bytes, see the package
// documentation for the layout). The slice is valid until Release. After
// Release it returns nil (and, in checked mode, records ErrReleased).
func (b *Block) Bytes() []byte {
	if b.released.Load() {
		b.misuse()
		return nil
	}
	return b.data
}

// Start returns the dataset row of the block's first row.
func (b *Block) Start() int { return b.start }

// Rows returns the number of rows in the block.
func (b *Block) Rows() int { return b.rows }

// Index returns the block's sequence number in the stream: 0 for the first
// block, counting on across the passes of a cyclic stream.
func (b *Block) Index() uint64 { return b.index }

// Release gives the block's buffer back to the pool. The block and any
// slice obtained from it must not be used afterwards. A second Release does
// nothing (in checked mode it records ErrReleased).
func (b *Block) Release() {
	if !b.released.CompareAndSwap(false, true) {
		b.misuse()
		return
	}
	buf := b.buf
	b.buf, b.data, b.view = nil, nil, nil
	b.q.release(buf)
}

// Err returns ErrReleased if, in checked mode, the block was used after
// Release or released twice; nil otherwise.
func (b *Block) Err() error {
	if p := b.err.Load(); p != nil {
		return *p
	}
	return nil
}

func (b *Block) misuse() {
	if b.q.opts.Checked {
		err := fmt.Errorf("%w (block %d, rows from %d)", ErrReleased, b.index, b.start)
		b.err.CompareAndSwap(nil, &err)
	}
}

// View returns the block's data as a []T. T must be a fixed-size type in
// the encoding/binary sense (a number, or an array or struct of numbers,
// with blank fields for padding) whose size is the element size of the
// stream, or a multiple of it that divides a row (such as [N]float32 for
// rows of N float32). Since goh5 does not use package unsafe, View decodes
// the little-endian bytes into a slice that belongs to the block's buffer
// and is reused by later blocks: like Bytes, it is valid until Release.
// After Release View returns ErrReleased.
func View[T any](b *Block) ([]T, error) {
	if b.released.Load() {
		b.misuse()
		return nil, ErrReleased
	}
	if v, ok := b.view.([]T); ok {
		return v, nil
	}
	n, err := typedCount[T](b.q.g, len(b.data))
	if err != nil {
		return nil, err
	}
	v, ok := b.buf.view.([]T)
	if !ok || cap(v) < n {
		v = make([]T, n)
	}
	v = v[:n]
	if _, err := binary.Decode(b.data, binary.LittleEndian, v); err != nil {
		return nil, fmt.Errorf("stream: View: %w", err)
	}
	b.buf.view, b.view = v, v
	return v, nil
}

// typedCount checks T against the stream's element and row sizes and
// returns how many T fit in n bytes.
func typedCount[T any](g *geometry, n int) (int, error) {
	var zero T
	sz := binary.Size(zero)
	if sz <= 0 {
		return 0, fmt.Errorf("stream: %T is not a fixed-size type", zero)
	}
	es := int(g.elemSize)
	if sz != es && (es == 0 || sz%es != 0 || g.rowBytes%uint64(sz) != 0) {
		return 0, fmt.Errorf("stream: %T has size %d, the stream's elements have size %d (rows %d)", zero, sz, es, g.rowBytes)
	}
	return n / sz, nil
}
