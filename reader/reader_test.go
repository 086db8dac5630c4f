package reader

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5"
)

// countingReaderAt counts the bytes read through it.
type countingReaderAt struct {
	r     io.ReaderAt
	bytes atomic.Int64
	calls atomic.Int64
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.bytes.Add(int64(n))
	c.calls.Add(1)
	return n, err
}

func openCounting(t testing.TB, o Options) (*Reader, *countingReaderAt) {
	t.Helper()
	fh, err := os.Open(fixture)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fh.Close() })
	st, err := fh.Stat()
	if err != nil {
		t.Fatal(err)
	}
	c := &countingReaderAt{r: fh}
	f, err := hdf5.OpenReaderAt(c, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	r, err := New(f, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(true) })
	return r, c
}

func mustTable(t testing.TB, r *Reader, path string) *TableDataset {
	t.Helper()
	tb, err := r.Table(path)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestReadSortedCSIReadsLittle: ReadSorted with checkCSI reads a few rows in
// index order through the CSI index, reading a small part of what the whole
// column costs, and gives PyTables' answer.
func TestReadSortedCSIReadsLittle(t *testing.T) {
	exp := loadExpected(t)
	var want *expectReq
	for i := range exp.Requests {
		e := &exp.Requests[i]
		if e.Kind == "read_sorted" && e.Sortby == "id" && e.CheckCSI && e.Error == "" && e.NBytes > 0 && e.NBytes < 4000 && e.Step != nil && *e.Step > 0 {
			want = e
			break
		}
	}
	if want == nil {
		t.Fatal("no small CSI read_sorted request in expected.json")
	}

	r, c := openCounting(t, Options{Workers: 1, CacheBytes: -1})
	tbl := mustTable(t, r, "/t")
	base := c.bytes.Load()
	req := tbl.ReadSorted("id", true, want.field(), opt(want.Start), opt(want.Stop), opt(want.Step))
	st, _ := tbl.NewStage(1000)
	v, err := r.Request(req, st).Get()
	if err != nil {
		t.Fatal(err)
	}
	if sha(v.Data) != want.SHA256 {
		t.Fatalf("%s: result differs from PyTables", req)
	}
	csiBytes := c.bytes.Load() - base

	// The same column, read whole, from a fresh reader.
	r2, c2 := openCounting(t, Options{Workers: 1, CacheBytes: -1})
	tbl2 := mustTable(t, r2, "/t")
	base2 := c2.bytes.Load()
	big, _ := tbl2.NewStage()
	if _, err := r2.Request(tbl2.Col("id").All(), big).Get(); err != nil {
		t.Fatal(err)
	}
	colBytes := c2.bytes.Load() - base2
	t.Logf("%s: %d rows, %d bytes read through the CSI index; reading column id whole: %d bytes", req, v.Len(), csiBytes, colBytes)
	if csiBytes*5 > colBytes {
		t.Fatalf("ReadSorted through the CSI index read %d bytes, the whole column %d: the index is not used", csiBytes, colBytes)
	}
}

// TestReadSortedErrors: PyTables' errors for columns without a (CSI) index,
// and the in-memory stable sort without checkCSI.
func TestReadSortedErrors(t *testing.T) {
	r, err := Open(fixture, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(true)
	tbl := mustTable(t, r, "/t")
	small := mustTable(t, r, "/small")
	st, _ := tbl.NewStage(10)
	for _, c := range []struct {
		tb   *TableDataset
		col  string
		want string
	}{
		{tbl, "i32", "field `i32` must have associated a 'full' index in table `/t`"}, // a medium index
		{tbl, "f64", "field `f64` must have associated a 'full' index in table `/t`"}, // no index
		{small, "id", "field `id` must have associated a 'full' index in table `/small`"},
	} {
		st2, _ := c.tb.NewStage(10)
		_, err := r.Request(c.tb.ReadSorted(c.col, true, "", 0, 10, 1), st2).Get()
		if !errors.Is(err, ErrNoIndex) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %s: error %v, want ErrNoIndex with %q", c.tb.Path(), c.col, err, c.want)
		}
		var re *RequestError
		if !errors.As(err, &re) {
			t.Errorf("error %T is not a *RequestError", err)
		}
	}
	// Without checkCSI the same request sorts in memory.
	if _, err := r.Request(tbl.ReadSorted("f64", false, "", 0, 10, 1), st).Get(); err != nil {
		t.Fatal(err)
	}
}

// TestWhereErrors: malformed conditions and unknown names give positioned
// errors.
func TestWhereErrors(t *testing.T) {
	r, err := Open(fixture, Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(true)
	tbl := mustTable(t, r, "/t")
	for _, c := range []struct {
		cond string
		pos  int
		msg  string
	}{
		{"(i32 > 3", 8, "expected \")\""},
		{"i32 >> 3", 4, "not supported"},
		{"i32 > 3 & i32 < 10", 14, "chained comparisons"},
		{"nosuch > 3", 0, "not defined"},
		{"(i32 > 3) & (nosuch < 2)", 13, "not defined"},
		{"i32 > 'a'", 4, "cannot compare int > string"},
		{"vec > 1", 0, "multidimensional column"},
		{"info > 1", 0, "nested column"},
		{"i32 = 3", 4, "=="},
		{"(i32 > 3) and (f64 < 2)", 10, "use &, | or ~"},
		{"i32 > 3)", 7, "unexpected \")\""},
		{"name == b'abc", 8, "unterminated string"},
		{"", 0, "empty condition"},
		{"i32 + 1", 0, "not a boolean"},
		{"~i32", 0, "\"~\" on a int"},
		{"i32 > 3 | f64 < 1", 14, "chained comparisons"}, // Python: i32 > (3 | f64) < 1
		{"(i32 > 3) & 2", 10, "needs booleans"},
		{"sqrtx(f64) > 1", 0, "unknown function"},
		{"f64 > 1e", 7, "invalid number"},
		{"f64 > $", 6, "unexpected character"},
	} {
		req := tbl.Where(c.cond, nil, Omit, Omit, Omit)
		var ce *ConditionError
		if !errors.As(req.Err(), &ce) {
			t.Errorf("%q: error %v, want a *ConditionError", c.cond, req.Err())
			continue
		}
		if ce.Pos != c.pos || !strings.Contains(ce.Msg, c.msg) {
			t.Errorf("%q: error at %d %q, want position %d and %q", c.cond, ce.Pos, ce.Msg, c.pos, c.msg)
		}
		// A future of an invalid request reports the same error.
		st, _ := tbl.NewStage(1)
		if _, err := r.Request(req, st).Get(); !errors.As(err, &ce) {
			t.Errorf("%q: future error %v", c.cond, err)
		}
	}
	if err := ParseCondition("(a > 3) & (b < 10)"); err != nil {
		t.Fatal(err)
	}
}

// TestStageTooSmall: a result larger than its stage fails with
// ErrStageTooSmall, for every request kind, and the stage is reusable.
func TestStageTooSmall(t *testing.T) {
	r, err := Open(fixture, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(true)
	tbl := mustTable(t, r, "/t")
	st, err := tbl.NewStage(10)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Shape(); len(got) != 1 || got[0] != 10 {
		t.Fatalf("NewStage(10) shape %v", got)
	}
	vl, _ := r.VLArray("/arrays/vlarray")
	vst, _ := vl.NewStage(3, 5)
	for _, c := range []struct {
		req Request
		st  *Stage
	}{
		{tbl.Read(0, 11, 1, ""), st},
		{tbl.ReadCoordinates(make([]int64, 11), ""), st},
		{tbl.Slice("0:11"), st},
		{tbl.Index(hdf5.Range(0, 11)), st},
		{tbl.ReadSorted("id", true, "", 0, 11, 1), st},
		{tbl.Where("i32 >= 0", nil, Omit, Omit, Omit), st},
		{vl.Read(0, 4, 1, ""), vst},
		{vl.Read(0, 3, 1, ""), vst}, // rows fit, elements do not (rows 0-2 hold more than 5)
	} {
		_, err := r.Request(c.req, c.st).Get()
		if !errors.Is(err, ErrStageTooSmall) {
			t.Errorf("%s: error %v, want ErrStageTooSmall", c.req, err)
		}
	}
	// Ten rows fit; a field of 100 rows fits in the bytes of 10 whole rows? No:
	// check the fitting request works after the failures.
	v, err := r.Request(tbl.Read(0, 10, 1, ""), st).Get()
	if err != nil || v.Len() != 10 {
		t.Fatalf("Read(0, 10) on a 10-row stage: %v, %d rows", err, v.Len())
	}
	// A stage pool made from a partial shape.
	arr, _ := r.Array("/arrays/earray")
	p, err := arr.NewStagePool([]uint64{4}, 3)
	if err != nil || p.Len() != 3 {
		t.Fatal(err)
	}
	v, err = r.Request(arr.Slice("10:14"), p).Get()
	if err != nil || len(v.Shape) != 3 || v.Shape[0] != 4 || v.Shape[1] != 3 || v.Shape[2] != 2 {
		t.Fatalf("earray[10:14] through a pool: %v %v", v.Shape, err)
	}
}

// referenceRows reads the whole table and checks it against PyTables'
// digest, so it can serve as the reference for row-level checks.
func referenceRows(t testing.TB, r *Reader) ([]byte, uint64) {
	t.Helper()
	exp := loadExpected(t)
	tbl := mustTable(t, r, "/t")
	st, err := tbl.NewStage()
	if err != nil {
		t.Fatal(err)
	}
	v, err := r.Request(tbl.Read(Omit, Omit, Omit, ""), st).Get()
	if err != nil {
		t.Fatal(err)
	}
	if sha(v.Data) != exp.Meta["t_sha256"] {
		t.Fatal("the whole table differs from PyTables' read")
	}
	return v.Data, uint64(exp.Meta["t_rowbytes"].(float64))
}

// TestFutures: Get copies, Direct, Unsafe and Proxy views, ErrReleased,
// and errors repeated by every get.
func TestFutures(t *testing.T) {
	r, err := Open(fixture, Options{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(true)
	all, rb := referenceRows(t, r)
	tbl := mustTable(t, r, "/t")
	st, _ := tbl.NewStage(4)
	row := func(i int) []byte { return all[uint64(i)*rb : uint64(i+4)*rb] }

	f := r.Request(tbl.Read(100, 104, 1, ""), st)
	v, err := f.Get()
	if err != nil || !bytes.Equal(v.Data, row(100)) {
		t.Fatalf("Get: %v", err)
	}
	if _, err := f.Get(); !errors.Is(err, ErrReleased) {
		t.Fatalf("second Get: %v, want ErrReleased", err)
	}
	// The copy survives reuse of the stage.
	if err := r.Request(tbl.Read(0, 4, 1, ""), st).Direct(func(v View) error {
		if !bytes.Equal(v.Data, row(0)) {
			return errors.New("Direct saw the wrong rows")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(v.Data, row(100)) {
		t.Fatal("Get's copy changed")
	}

	f = r.Request(tbl.Read(200, 204, 1, ""), st)
	uv, release, err := f.Unsafe()
	if err != nil || !bytes.Equal(uv.Data, row(200)) {
		t.Fatalf("Unsafe: %v", err)
	}
	// The stage is busy until release: a request on it waits.
	next := make(chan Future)
	go func() { next <- r.Request(tbl.Read(300, 304, 1, ""), st) }()
	select {
	case <-next:
		t.Fatal("a request took a stage still held by Unsafe")
	case <-time.After(50 * time.Millisecond):
	}
	if !bytes.Equal(uv.Data, row(200)) {
		t.Fatal("Unsafe data changed before release")
	}
	release()
	f2 := <-next

	pv, err := f2.Proxy()
	if err != nil {
		t.Fatal(err)
	}
	b, err := pv.Bytes()
	if err != nil || !bytes.Equal(b, row(300)) {
		t.Fatalf("Proxy bytes: %v", err)
	}
	if sh, err := pv.Shape(); err != nil || len(sh) != 1 || sh[0] != 4 {
		t.Fatalf("Proxy shape %v %v", sh, err)
	}
	e1, err := pv.AppendElem(nil, 1)
	if err != nil || !bytes.Equal(e1, all[301*rb:302*rb]) {
		t.Fatalf("Proxy AppendElem: %v", err)
	}
	pv.Release()
	if _, err := pv.Bytes(); !errors.Is(err, ErrReleased) {
		t.Fatalf("Proxy after release: %v", err)
	}
	if _, err := pv.Len(); !errors.Is(err, ErrReleased) {
		t.Fatalf("Proxy Len after release: %v", err)
	}
	if _, err := pv.ReadAt(make([]byte, 4), 0); !errors.Is(err, ErrReleased) {
		t.Fatalf("Proxy ReadAt after release: %v", err)
	}

	// A worker's error comes back from every get, wrapped with the request.
	arr, _ := r.Array("/arrays/carray")
	ast, _ := arr.NewStage(2)
	bad := r.Request(tbl.Read(0, 1, 1, ""), ast) // a table request on an array's stage is fine in bytes...
	if _, err := bad.Get(); err != nil {
		t.Fatalf("table rows into an array stage of enough bytes: %v", err)
	}
	fe := r.Request(tbl.Read(0, 3, 1, ""), ast) // ...but three rows are too many
	for i := 0; i < 3; i++ {
		_, err := fe.Get()
		var re *RequestError
		if !errors.Is(err, ErrStageTooSmall) || !errors.As(err, &re) || !strings.Contains(err.Error(), "/t.read") {
			t.Fatalf("get %d of a failed request: %v", i, err)
		}
	}
	if err := fe.Direct(func(View) error { return nil }); !errors.Is(err, ErrStageTooSmall) {
		t.Fatalf("Direct of a failed request: %v", err)
	}
}

// TestConcurrentAccess is multitables' concurrent access pattern: a loader
// goroutine submits 10,000 one-row requests through a pool of 10 stages,
// the main goroutine consumes them in order. The rows are checked against
// the table PyTables read, and once the cache is warm the whole pattern
// allocates nothing per request.
func TestConcurrentAccess(t *testing.T) {
	for _, workers := range []int{1, 4} {
		r, err := Open(fixture, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		all, rb := referenceRows(t, r)
		tbl := mustTable(t, r, "/t")
		pool, err := tbl.NewStagePool([]uint64{1}, 10)
		if err != nil {
			t.Fatal(err)
		}
		const n = 10000
		rng := rand.New(rand.NewPCG(1, uint64(workers)))
		rows := make([]int64, n)
		for i := range rows {
			rows[i] = rng.Int64N(int64(tbl.Shape()[0]))
		}
		var bad atomic.Int64
		pattern := func() {
			rp := NewRequestPool()
			go func() {
				for _, i := range rows {
					rp.Add(r.Request(tbl.Read(i, i+1, 1, ""), pool))
				}
				rp.Close()
			}()
			k := 0
			for {
				f, ok := rp.Next()
				if !ok {
					break
				}
				i := uint64(rows[k])
				if err := f.Direct(func(v View) error {
					if !bytes.Equal(v.Data, all[i*rb:(i+1)*rb]) {
						bad.Add(1)
					}
					return nil
				}); err != nil {
					t.Error(err)
				}
				k++
			}
			if k != n {
				t.Errorf("consumed %d futures, want %d", k, n)
			}
		}
		pattern() // warm: every block into the cache
		if bad.Load() != 0 {
			t.Fatalf("workers %d: %d rows differ from PyTables'", workers, bad.Load())
		}
		if !raceEnabled {
			allocs := testing.AllocsPerRun(2, pattern)
			t.Logf("workers %d: %.0f allocations for %d requests (%.4f per request)", workers, allocs, n, allocs/n)
			if allocs/n >= 0.01 {
				t.Errorf("workers %d: %.3f allocations per request once warm", workers, allocs/n)
			}
			// One request, submitted and consumed in the same goroutine.
			req := tbl.Read(7, 8, 1, "")
			one := testing.AllocsPerRun(1000, func() {
				_ = r.Request(req, pool).Direct(func(View) error { return nil })
			})
			if one != 0 {
				t.Errorf("workers %d: %.2f allocations per warm one-row request", workers, one)
			}
		} else {
			pattern()
		}
		if bad.Load() != 0 {
			t.Fatalf("workers %d: %d rows differ from PyTables'", workers, bad.Load())
		}
		r.Close(true)
	}
}

// goroutinesSettle waits for the goroutine count to fall back to want.
func goroutinesSettle(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			n := runtime.Stack(buf, true)
			t.Fatalf("%d goroutines, want %d:\n%s", runtime.NumGoroutine(), want, buf[:n])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCloseWait: Close(true) completes pending requests, refuses new ones,
// and leaves no goroutine behind.
func TestCloseWait(t *testing.T) {
	exp := loadExpected(t)
	before := runtime.NumGoroutine()
	r, err := Open(fixture, Options{Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	tbl := mustTable(t, r, "/t")
	const n = 200
	pool, _ := tbl.NewStagePool([]uint64{500}, n)
	var futs []Future
	for i := 0; i < n; i++ {
		futs = append(futs, r.Request(tbl.Read(int64(i*500), int64(i*500+500), 1, ""), pool))
	}
	if err := r.Close(true); err != nil {
		t.Fatal(err)
	}
	var h bytes.Buffer
	for i, f := range futs {
		if !f.Done() {
			t.Fatalf("future %d pending after Close(true)", i)
		}
		v, err := f.Get()
		if err != nil {
			t.Fatalf("future %d after Close: %v", i, err)
		}
		h.Write(v.Data)
	}
	if sha(h.Bytes()) != exp.Meta["t_sha256"] {
		t.Fatal("rows read before Close differ from PyTables'")
	}
	st, _ := tbl.NewStage(1)
	if _, err := r.Request(tbl.Read(0, 1, 1, ""), st).Get(); !errors.Is(err, ErrClosed) {
		t.Fatalf("request after Close: %v, want ErrClosed", err)
	}
	goroutinesSettle(t, before)
}

// TestStop: Stop cancels at once; pending and later gets return
// ErrStopped; no goroutine is left.
func TestStop(t *testing.T) {
	before := runtime.NumGoroutine()
	r, err := Open(fixture, Options{Workers: 2, CacheBytes: -1})
	if err != nil {
		t.Fatal(err)
	}
	tbl := mustTable(t, r, "/t")
	pool, _ := tbl.NewStagePool(nil, 40) // whole-table stages: slow requests
	var futs []Future
	for i := 0; i < 40; i++ {
		futs = append(futs, r.Request(tbl.Read(Omit, Omit, Omit, ""), pool))
	}
	// Waiters blocked in gets while Stop happens.
	var wg sync.WaitGroup
	errs := make([]error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = futs[30+i].Get()
		}(i)
	}
	time.Sleep(20 * time.Millisecond)
	start := time.Now()
	r.Stop()
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Stop took %v", d)
	}
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, ErrStopped) {
			t.Errorf("pending get %d: %v, want ErrStopped", i, err)
		}
	}
	for i, f := range futs[:30] {
		if _, err := f.Get(); !errors.Is(err, ErrStopped) {
			t.Errorf("get %d after Stop: %v, want ErrStopped", i, err)
		}
	}
	if _, err := r.Request(tbl.Read(0, 1, 1, ""), pool).Get(); !errors.Is(err, ErrStopped) {
		t.Errorf("request after Stop: %v", err)
	}
	r.Stop() // twice is fine
	r.Close(true)
	goroutinesSettle(t, before)
}
