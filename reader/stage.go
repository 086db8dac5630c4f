package reader

import (
	"errors"
	"fmt"
	"sync"

	"github.com/goh5/goh5/hdf5"
)

// maxRank is the most dimensions a result can have (HDF5's limit).
const maxRank = 32

// Stage states.
const (
	stateIdle    = iota // free for a request
	statePending        // submitted, not yet read
	stateDone           // read (or failed), not yet consumed
	stateHeld           // consumed through Unsafe, Proxy or Direct, not yet released
)

// StageSource is where Reader.Request takes the stage for a request: a
// *Stage or a *StagePool.
type StageSource interface {
	acquire(r *Reader) (*Stage, error)
}

// Stage is preallocated memory for the result of one request at a time
// (multitables' shared-memory stage). A stage is busy from the Request that
// uses it until its future is consumed: Get and Direct return it, Unsafe
// and Proxy return it when released. A Request on a busy stage waits.
type Stage struct {
	d     *base
	shape []uint64
	buf   []byte

	// VLArray stages: row offsets (in elements) and the element size.
	offs  []uint64
	vlEs  uint64
	isVL  bool
	pool  *StagePool
	busy  chan struct{}
	relFn func()

	mu    sync.Mutex
	cond  sync.Cond
	gen   uint64
	state int
	req   Request
	err   error

	// The result.
	n      uint64 // bytes of buf used
	rshape [maxRank]uint64
	rrank  int
	rtype  *hdf5.Datatype
	rrows  uint64 // VLArray rows

	errs   [8]genErr // errors of recent failed requests, for repeated gets
	errPos int
}

type genErr struct {
	gen uint64
	err error
}

// Shape is the stage's shape.
func (s *Stage) Shape() []uint64 { return s.shape }

// Cap is the stage's capacity in bytes (for a VLArray stage, of row data).
func (s *Stage) Cap() int { return len(s.buf) }

func (s *Stage) acquire(r *Reader) (*Stage, error) {
	if s == nil {
		return nil, errors.New("hdf5: reader: nil stage")
	}
	if s.pool != nil {
		return nil, fmt.Errorf("hdf5: reader: stage belongs to a pool; request with the pool")
	}
	select {
	case s.busy <- struct{}{}:
		return s, nil
	case <-r.stopCh:
		return nil, ErrStopped
	}
}

// release makes the stage free again.
func (s *Stage) release() {
	s.mu.Lock()
	s.state = stateIdle
	s.req = Request{}
	s.mu.Unlock()
	s.giveBack()
}

func (s *Stage) giveBack() {
	if s.pool != nil {
		s.pool.free <- s
		return
	}
	<-s.busy
}

// releaseHeld ends an Unsafe or Proxy hold.
func (s *Stage) releaseHeld(gen uint64) {
	s.mu.Lock()
	if s.state != stateHeld || s.gen != gen {
		s.mu.Unlock()
		return
	}
	s.state = stateIdle
	s.req = Request{}
	s.mu.Unlock()
	s.giveBack()
}

// complete records the outcome of the stage's request.
func (s *Stage) complete(err error) {
	s.mu.Lock()
	s.err = err
	s.state = stateDone
	s.cond.Broadcast()
	s.mu.Unlock()
}

func (s *Stage) compatible(d *base) bool {
	return s.d.kind == d.kind || (s.d.kind != KindVLArray && d.kind != KindVLArray)
}

func (s *Stage) view() View {
	v := View{Data: s.buf[:s.n], Shape: s.rshape[:s.rrank], Type: s.rtype}
	if s.isVL {
		v.Offsets = s.offs[:s.rrows+1]
	}
	return v
}

// NewStage preallocates memory for results of the given shape. Missing
// trailing dimensions come from the dataset's shape, so NewStage(10) holds
// 10 rows and NewStage() the whole dataset.
func (b *base) NewStage(shape ...uint64) (*Stage, error) {
	s, err := b.newStage(shape)
	if err != nil {
		return nil, err
	}
	s.busy = make(chan struct{}, 1)
	return s, nil
}

func (b *base) newStage(shape []uint64) (*Stage, error) {
	if b.kind == KindVLArray {
		return b.newVLStage(shape)
	}
	if len(shape) > len(b.shape) {
		return nil, fmt.Errorf("hdf5: reader: stage of rank %d for %s of rank %d", len(shape), b.path, len(b.shape))
	}
	full := make([]uint64, len(b.shape))
	copy(full, b.shape)
	copy(full, shape)
	n := b.es
	for _, d := range full {
		if d != 0 && n > (1<<40)/d {
			return nil, fmt.Errorf("hdf5: reader: stage of shape %v is too large", full)
		}
		n *= d
	}
	s := &Stage{d: b, shape: full, buf: make([]byte, n)}
	s.init()
	return s, nil
}

// newVLStage: shape is (rows) or (rows, elements): room for the offsets of
// rows rows and for elements base elements in all (default: rows times
// the longest row in the dataset).
func (b *base) newVLStage(shape []uint64) (*Stage, error) {
	if len(shape) > 2 {
		return nil, fmt.Errorf("hdf5: reader: a vlarray stage has shape (rows, elements), got %v", shape)
	}
	rows := b.nrows()
	if len(shape) > 0 {
		rows = shape[0]
	}
	var elems uint64
	if len(shape) == 2 {
		elems = shape[1]
	} else {
		m, err := b.vlMax()
		if err != nil {
			return nil, err
		}
		elems = rows * m
		if m != 0 && elems/m != rows {
			return nil, fmt.Errorf("hdf5: reader: vlarray stage too large")
		}
	}
	es := uint64(b.vlBase.Size)
	if rows > 1<<36 || elems > (1<<40)/es {
		return nil, fmt.Errorf("hdf5: reader: vlarray stage of %d rows and %d elements is too large", rows, elems)
	}
	s := &Stage{d: b, shape: []uint64{rows, elems}, buf: make([]byte, elems*es), offs: make([]uint64, rows+1), vlEs: es, isVL: true}
	s.init()
	return s, nil
}

func (s *Stage) init() {
	s.cond.L = &s.mu
	s.relFn = func() {
		s.mu.Lock()
		gen := s.gen
		s.mu.Unlock()
		s.releaseHeld(gen)
	}
}

// StagePool is a rotating pool of stages of one shape: each request takes
// the next free stage, waiting when all are busy.
type StagePool struct {
	stages []*Stage
	free   chan *Stage
}

// NewStagePool makes a pool of n stages of the given (partial) shape.
func (b *base) NewStagePool(shape []uint64, n int) (*StagePool, error) {
	if n <= 0 {
		return nil, fmt.Errorf("hdf5: reader: stage pool of %d stages", n)
	}
	p := &StagePool{free: make(chan *Stage, n)}
	for i := 0; i < n; i++ {
		s, err := b.newStage(shape)
		if err != nil {
			return nil, err
		}
		s.pool = p
		p.stages = append(p.stages, s)
		p.free <- s
	}
	return p, nil
}

// Len is the number of stages.
func (p *StagePool) Len() int { return len(p.stages) }

func (p *StagePool) acquire(r *Reader) (*Stage, error) {
	if p == nil {
		return nil, errors.New("hdf5: reader: nil stage pool")
	}
	select {
	case s := <-p.free:
		return s, nil
	case <-r.stopCh:
		return nil, ErrStopped
	}
}
