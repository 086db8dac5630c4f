package hdf5

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// selRecord is one line of testdata/selections.jsonl: a selection and the
// sha256 of the bytes-le-packed data h5py read for it.
type selRecord struct {
	File, Path, Kind            string
	ID                          int
	Start, Stride, Count, Block []uint64
	Points                      [][]uint64
	Shape                       []uint64
	SHA256                      string `json:"sha256"`
	NBytes                      uint64 `json:"nbytes"`
}

// TestSelectionsMatchH5py reads every seeded selection of
// testdata/selections.jsonl and compares the result with the digest of
// h5py's read of the same selection.
func TestSelectionsMatchH5py(t *testing.T) {
	fh, err := os.Open(filepath.Join("..", "testdata", "selections.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	files := map[string]*File{}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		var r selRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		f := files[r.File]
		if f == nil {
			if f, err = Open(filepath.Join("..", "testdata", "files", r.File)); err != nil {
				t.Fatal(err)
			}
			files[r.File] = f
		}
		d, err := f.Dataset(r.Path)
		if err != nil {
			t.Fatal(err)
		}
		var sel *Selection
		if r.Kind == "points" {
			sel = Points(r.Points)
		} else {
			sel = Hyperslab(r.Start, r.Stride, r.Count, r.Block)
		}
		shape, _, err := d.SelectionShape(sel)
		if err != nil {
			t.Errorf("%s %s #%d: %v", r.File, r.Path, r.ID, err)
			continue
		}
		if !slices.Equal(shape, r.Shape) {
			t.Errorf("%s %s #%d: shape %v, h5py %v", r.File, r.Path, r.ID, shape, r.Shape)
		}
		buf := make([]byte, r.NBytes)
		if err := d.Read(sel, buf); err != nil {
			t.Errorf("%s %s #%d: %v", r.File, r.Path, r.ID, err)
			continue
		}
		sum := sha256.Sum256(buf)
		if hex.EncodeToString(sum[:]) != r.SHA256 {
			t.Errorf("%s %s #%d (%s): data differs from h5py's", r.File, r.Path, r.ID, r.Kind)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if n < 1000 {
		t.Fatalf("only %d selections checked", n)
	}
	t.Logf("%d selections equal h5py's", n)
}

// cut extracts a selection from a full C-order read element by element: the
// slow reference the compiled runs must agree with.
func cut(full []byte, shape []uint64, es uint64, c *compiled) []byte {
	var out []byte
	if c.isPoints() {
		for _, p := range c.points {
			off := linear(p, shape) * es
			out = append(out, full[off:off+es]...)
		}
		return out
	}
	var idx [][]uint64
	for _, d := range c.dims {
		var l []uint64
		for _, r := range d.runs {
			for k := uint64(0); k < r.n; k++ {
				if r.step < 0 {
					l = append(l, r.start-k)
				} else {
					l = append(l, r.start+k)
				}
			}
		}
		idx = append(idx, l)
	}
	pos := make([]int, len(shape))
	p := make([]uint64, len(shape))
	for {
		for i := range pos {
			if len(idx[i]) == 0 {
				return out
			}
			p[i] = idx[i][pos[i]]
		}
		off := linear(p, shape) * es
		out = append(out, full[off:off+es]...)
		i := len(pos) - 1
		for ; i >= 0; i-- {
			pos[i]++
			if pos[i] < len(idx[i]) {
				break
			}
			pos[i] = 0
		}
		if i < 0 {
			return out
		}
	}
}

// randomSelection draws a hyperslab, a point list or a numpy-style index.
func randomSelection(rng *rand.Rand, shape []uint64) *Selection {
	r := len(shape)
	switch rng.IntN(3) {
	case 0:
		start, stride, count, block := make([]uint64, r), make([]uint64, r), make([]uint64, r), make([]uint64, r)
		for i, n := range shape {
			start[i] = rng.Uint64N(n)
			block[i] = 1 + rng.Uint64N(max(1, (n-start[i])/2))
			stride[i] = block[i] + rng.Uint64N(3)
			count[i] = 1 + (n-start[i]-block[i])/stride[i]
			count[i] = 1 + rng.Uint64N(count[i])
		}
		return Hyperslab(start, stride, count, block)
	case 1:
		pts := make([][]uint64, 1+rng.IntN(20))
		for k := range pts {
			pts[k] = make([]uint64, r)
			for i, n := range shape {
				pts[k][i] = rng.Uint64N(n)
			}
		}
		return Points(pts)
	}
	items := make([]Item, r)
	for i, n := range shape {
		switch rng.IntN(4) {
		case 0:
			items[i] = At(int64(rng.Uint64N(n)) - int64(n)*int64(rng.IntN(2)))
		case 1:
			a, b := int64(rng.Uint64N(n)), int64(rng.Uint64N(n+1))
			step := int64(1 + rng.IntN(3))
			if rng.IntN(3) == 0 {
				step = -step
			}
			items[i] = Step(a, b, step)
		case 2:
			m := make([]bool, n)
			for k := range m {
				m[k] = rng.IntN(2) == 0
			}
			items[i] = Mask(m)
		default:
			c := make([]int64, 1+rng.IntN(5))
			for k := range c {
				c[k] = int64(rng.Uint64N(n))
			}
			items[i] = Coords(c)
		}
	}
	return Index(items...)
}

// TestRandomSelections reads 50 seeded random selections of every 1-D to
// 4-D numeric fixture dataset and compares each with the same selection cut
// element by element from a full read.
func TestRandomSelections(t *testing.T) {
	for _, name := range fixtureFiles(t) {
		f, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		for e, err := range f.Walk() {
			if err != nil {
				t.Fatal(err)
			}
			d, ok := e.Object.(*Dataset)
			if !ok || len(d.readShape()) == 0 || len(d.readShape()) > 4 {
				continue
			}
			if c := d.Datatype().Class; c != ClassInteger && c != ClassFloat {
				continue
			}
			shape := d.readShape()
			if slices.Contains(shape, 0) {
				continue
			}
			full, err := d.ReadAll()
			if err != nil {
				t.Errorf("%s %s: %v", filepath.Base(name), e.Path, err)
				continue
			}
			rng := rand.New(rand.NewPCG(7, uint64(len(e.Path))))
			es := uint64(d.Datatype().Size)
			for k := 0; k < 50; k++ {
				sel := randomSelection(rng, shape)
				c, err := sel.compile(shape)
				if err != nil {
					t.Fatalf("%s %s: %v", filepath.Base(name), e.Path, err)
				}
				want := cut(full, shape, es, c)
				got := make([]byte, c.n*es)
				if err := d.Read(sel, got); err != nil {
					t.Errorf("%s %s sel %d: %v", filepath.Base(name), e.Path, k, err)
					continue
				}
				if !bytes.Equal(got, want) {
					t.Errorf("%s %s sel %d (%s): differs from the full read", filepath.Base(name), e.Path, k, fmt.Sprint(c.dims))
				}
			}
		}
		f.Close()
	}
}
