package reader

import (
	"errors"
	"sync"

	"github.com/goh5/goh5/hdf5"
)

// View is a request's result. Data holds the elements in C order in the
// element layout of Type with numbers little-endian, exactly as
// hdf5.Dataset.Read gives them; Shape is the result's shape (numpy's, so a
// single index drops the row dimension). For a VLArray, Type is the row
// element type, Shape is the number of rows (none for a single index), and
// row i is Data[Offsets[i]*Type.Size : Offsets[i+1]*Type.Size].
type View struct {
	Data    []byte
	Shape   []uint64
	Type    *hdf5.Datatype
	Offsets []uint64
}

// Len is the number of elements (rows for a VLArray).
func (v View) Len() int {
	if v.Offsets != nil {
		return len(v.Offsets) - 1
	}
	if v.Type == nil || v.Type.Size == 0 {
		return 0
	}
	return len(v.Data) / int(v.Type.Size)
}

// Elem returns element i (row i for a VLArray).
func (v View) Elem(i int) []byte {
	if v.Offsets != nil {
		es := uint64(v.Type.Size)
		return v.Data[v.Offsets[i]*es : v.Offsets[i+1]*es]
	}
	es := int(v.Type.Size)
	return v.Data[i*es : (i+1)*es]
}

// Clone returns a copy of v that shares no memory with it.
func (v View) Clone() View {
	c := View{Type: v.Type}
	c.Data = append([]byte{}, v.Data...)
	c.Shape = append([]uint64{}, v.Shape...)
	if v.Offsets != nil {
		c.Offsets = append([]uint64{}, v.Offsets...)
	}
	return c
}

// Future is the pending result of a submitted request. It is a small value:
// copy it freely. A future is consumed once, by Get, Direct, Unsafe or
// Proxy; later calls return ErrReleased, except that a failed request's
// error is returned by every get. After Reader.Stop every get returns
// ErrStopped.
type Future struct {
	s   *Stage
	gen uint64
	err error
}

// Err returns the error of a future that failed at submission, without
// waiting.
func (f Future) Err() error { return f.err }

// Done reports, without waiting, whether the request has completed.
func (f Future) Done() bool {
	if f.s == nil {
		return true
	}
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	return f.s.gen != f.gen || f.s.state != statePending
}

// claim waits for the request and takes its stage for consumption.
func (f Future) claim() (*Stage, error) {
	if f.err != nil {
		return nil, f.err
	}
	s := f.s
	if s == nil {
		return nil, ErrReleased
	}
	r := s.d.r
	s.mu.Lock()
	for s.gen == f.gen && s.state == statePending && !r.stopped.Load() {
		s.cond.Wait()
	}
	if r.stopped.Load() {
		err := error(ErrStopped)
		if s.gen == f.gen {
			err = &RequestError{Req: s.req, Err: ErrStopped}
		}
		s.mu.Unlock()
		return nil, err
	}
	if s.gen != f.gen || s.state == stateIdle {
		for _, e := range s.errs {
			if e.gen == f.gen && e.err != nil {
				s.mu.Unlock()
				return nil, e.err
			}
		}
		s.mu.Unlock()
		return nil, ErrReleased
	}
	if s.state != stateDone {
		s.mu.Unlock()
		return nil, ErrReleased
	}
	if s.err != nil {
		err := s.err
		s.errs[s.errPos] = genErr{f.gen, err}
		s.errPos = (s.errPos + 1) % len(s.errs)
		s.state = stateIdle
		s.req = Request{}
		s.mu.Unlock()
		s.giveBack()
		return nil, err
	}
	s.state = stateHeld
	s.mu.Unlock()
	return s, nil
}

// Get waits for the request and returns a copy of its result; the stage is
// free again when Get returns.
func (f Future) Get() (View, error) {
	s, err := f.claim()
	if err != nil {
		return View{}, err
	}
	v := s.view().Clone()
	s.releaseHeld(f.gen)
	return v, nil
}

// GetInto waits for the request and copies its data into dst, which must
// be large enough; it returns the bytes copied. The stage is free again
// when GetInto returns.
func (f Future) GetInto(dst []byte) (int, error) {
	s, err := f.claim()
	if err != nil {
		return 0, err
	}
	defer s.releaseHeld(f.gen)
	if uint64(len(dst)) < s.n {
		return 0, ErrStageTooSmall
	}
	return copy(dst, s.buf[:s.n]), nil
}

// Direct waits for the request and calls fn on the result in place; the
// view is valid only during the call. The stage is free again when Direct
// returns, with fn's error.
func (f Future) Direct(fn func(v View) error) error {
	s, err := f.claim()
	if err != nil {
		return err
	}
	defer s.releaseHeld(f.gen)
	return fn(s.view())
}

// Unsafe waits for the request and returns the result in place and the
// function that releases it. The view is valid, and the stage busy, until
// release is called; call it exactly once.
func (f Future) Unsafe() (View, func(), error) {
	s, err := f.claim()
	if err != nil {
		return View{}, func() {}, err
	}
	return s.view(), s.relFn, nil
}

// Proxy waits for the request and returns a checked view of the result in
// place: it is valid until its Release, and every access after that
// returns ErrReleased.
func (f Future) Proxy() (ProxyView, error) {
	s, err := f.claim()
	if err != nil {
		return ProxyView{}, err
	}
	return ProxyView{s: s, gen: f.gen}, nil
}

// ProxyView is a checked view of a result held in its stage.
type ProxyView struct {
	s   *Stage
	gen uint64
}

// with runs fn on the view while it is held.
func (p ProxyView) with(fn func(v View)) error {
	if p.s == nil {
		return ErrReleased
	}
	p.s.mu.Lock()
	defer p.s.mu.Unlock()
	if p.s.gen != p.gen || p.s.state != stateHeld {
		return ErrReleased
	}
	fn(p.s.view())
	return nil
}

// Shape returns the result's shape.
func (p ProxyView) Shape() ([]uint64, error) {
	var sh []uint64
	err := p.with(func(v View) { sh = append(sh, v.Shape...) })
	return sh, err
}

// Len returns the number of elements (rows for a VLArray).
func (p ProxyView) Len() (int, error) {
	var n int
	err := p.with(func(v View) { n = v.Len() })
	return n, err
}

// Bytes returns a copy of the result's data.
func (p ProxyView) Bytes() ([]byte, error) {
	var b []byte
	err := p.with(func(v View) { b = append([]byte{}, v.Data...) })
	return b, err
}

// AppendElem appends element i (row i of a VLArray) to dst.
func (p ProxyView) AppendElem(dst []byte, i int) ([]byte, error) {
	var err2 error
	err := p.with(func(v View) {
		if i < 0 || i >= v.Len() {
			err2 = errors.New("hdf5: reader: element index out of range")
			return
		}
		dst = append(dst, v.Elem(i)...)
	})
	if err == nil {
		err = err2
	}
	return dst, err
}

// ReadAt copies result bytes from offset off into p (io.ReaderAt).
func (p ProxyView) ReadAt(b []byte, off int64) (int, error) {
	var n int
	var err2 error
	err := p.with(func(v View) {
		if off < 0 || off > int64(len(v.Data)) {
			err2 = errors.New("hdf5: reader: offset out of range")
			return
		}
		n = copy(b, v.Data[off:])
		if n < len(b) {
			err2 = errEOF
		}
	})
	if err == nil {
		err = err2
	}
	return n, err
}

// Release frees the stage. Later accesses return ErrReleased.
func (p ProxyView) Release() {
	if p.s != nil {
		p.s.releaseHeld(p.gen)
	}
}

// RequestPool hands futures back in the order they were added, whatever
// order they complete in (multitables' RequestPool). Add and Next may run
// in different goroutines.
type RequestPool struct {
	mu     sync.Mutex
	cond   sync.Cond
	ring   []Future
	head   int
	n      int
	closed bool
}

// NewRequestPool returns an empty pool.
func NewRequestPool() *RequestPool {
	p := &RequestPool{ring: make([]Future, 16)}
	p.cond.L = &p.mu
	return p
}

// Add appends a future.
func (p *RequestPool) Add(f Future) {
	p.mu.Lock()
	if p.n == len(p.ring) {
		grown := make([]Future, 2*len(p.ring))
		for i := 0; i < p.n; i++ {
			grown[i] = p.ring[(p.head+i)%len(p.ring)]
		}
		p.ring, p.head = grown, 0
	}
	p.ring[(p.head+p.n)%len(p.ring)] = f
	p.n++
	p.cond.Signal()
	p.mu.Unlock()
}

// Next returns the oldest future not yet returned, waiting for one to be
// added; it returns false once the pool is closed and empty.
func (p *RequestPool) Next() (Future, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.n == 0 && !p.closed {
		p.cond.Wait()
	}
	if p.n == 0 {
		return Future{}, false
	}
	f := p.ring[p.head]
	p.ring[p.head] = Future{}
	p.head = (p.head + 1) % len(p.ring)
	p.n--
	return f, true
}

// Len is the number of futures waiting in the pool.
func (p *RequestPool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n
}

// Close says no more futures will be added: Next returns false when the
// pool is empty.
func (p *RequestPool) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
}
