package reader

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/goh5/goh5/hdf5"
)

const fixture = "testdata/tables.h5"

// expected.json, written by testdata/gen.py with PyTables.
type expectFile struct {
	Meta     map[string]any `json:"meta"`
	Requests []expectReq    `json:"requests"`
}

type expectItem struct {
	T     string  `json:"t"`
	Start *int64  `json:"start"`
	Stop  *int64  `json:"stop"`
	Step  *int64  `json:"step"`
	I     int64   `json:"i"`
	V     []int64 `json:"v"`
	N     int     `json:"n"`
	True  []int   `json:"true"`
}

type expectReq struct {
	Kind     string                    `json:"kind"`
	DS       string                    `json:"ds"`
	Expr     string                    `json:"expr"`
	Items    []expectItem              `json:"items"`
	Col      string                    `json:"col"`
	Start    *int64                    `json:"start"`
	Stop     *int64                    `json:"stop"`
	Step     *int64                    `json:"step"`
	Field    *string                   `json:"field"`
	Coords   []int64                   `json:"coords"`
	Sortby   string                    `json:"sortby"`
	CheckCSI bool                      `json:"checkCSI"`
	Memsort  bool                      `json:"memsort"`
	Cond     string                    `json:"cond"`
	Condvars map[string]map[string]any `json:"condvars"`
	VL       bool                      `json:"vl"`

	Error   string   `json:"error"`
	Shape   []uint64 `json:"shape"`
	Lengths []uint64 `json:"lengths"`
	NBytes  int      `json:"nbytes"`
	SHA256  string   `json:"sha256"`
	Hex     string   `json:"hex"`
}

func loadExpected(t testing.TB) *expectFile {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var e expectFile
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatal(err)
	}
	return &e
}

func opt(p *int64) int64 {
	if p == nil {
		return Omit
	}
	return *p
}

func (e *expectReq) field() string {
	if e.Field == nil {
		return ""
	}
	return *e.Field
}

func (e *expectReq) items() []hdf5.Item {
	var its []hdf5.Item
	for _, it := range e.Items {
		switch it.T {
		case "step":
			st := opt(it.Step)
			if st == Omit {
				st = 1
			}
			its = append(its, hdf5.Step(opt(it.Start), opt(it.Stop), st))
		case "at":
			its = append(its, hdf5.At(it.I))
		case "ell":
			its = append(its, hdf5.Ellipsis())
		case "coords":
			its = append(its, hdf5.Coords(it.V))
		case "mask":
			m := make([]bool, it.N)
			for _, k := range it.True {
				m[k] = true
			}
			its = append(its, hdf5.Mask(m))
		}
	}
	return its
}

// build turns a PyTables request into a Go request.
func (e *expectReq) build(t testing.TB, r *Reader) Request {
	ds, err := r.Dataset(e.DS)
	if err != nil {
		t.Fatal(err)
	}
	tbl, _ := ds.(*TableDataset)
	switch e.Kind {
	case "slice":
		return ds.Slice(e.Expr)
	case "index":
		return ds.Index(e.items()...)
	case "col":
		return tbl.Col(e.Col).Index(e.items()...)
	case "read":
		return ds.Read(opt(e.Start), opt(e.Stop), opt(e.Step), e.field())
	case "read_coordinates":
		return ds.ReadCoordinates(e.Coords, e.field())
	case "read_sorted":
		return tbl.ReadSorted(e.Sortby, e.CheckCSI, e.field(), opt(e.Start), opt(e.Stop), opt(e.Step))
	case "where":
		vars := map[string]any{}
		for k, v := range e.Condvars {
			switch {
			case v["int"] != nil:
				vars[k] = int64(v["int"].(float64))
			case v["float"] != nil:
				vars[k] = v["float"].(float64)
			case v["col"] != nil:
				vars[k] = ColumnRef(v["col"].(string))
			}
		}
		return tbl.Where(e.Cond, vars, opt(e.Start), opt(e.Stop), opt(e.Step)).Field(e.field())
	}
	t.Fatalf("unknown kind %q", e.Kind)
	return Request{}
}

// canonical returns what gen.py hashes for a result: the shape numpy gives
// (array members expand into dimensions) and the bytes.
func canonical(v View, vl bool) ([]uint64, []uint64, []byte) {
	if vl {
		var lens []uint64
		for i := 0; i+1 < len(v.Offsets); i++ {
			lens = append(lens, v.Offsets[i+1]-v.Offsets[i])
		}
		return []uint64{uint64(len(lens))}, lens, v.Data
	}
	shape := slices.Clone(v.Shape)
	for t := v.Type; t != nil && t.Class == hdf5.ClassArray; t = t.Base {
		for _, d := range t.Dims {
			shape = append(shape, uint64(d))
		}
	}
	if shape == nil {
		shape = []uint64{}
	}
	return shape, nil, v.Data
}

func stageFor(t testing.TB, ds Dataset, e *expectReq) *Stage {
	b := ds.core()
	var st *Stage
	var err error
	if b.kind == KindVLArray {
		st, err = ds.NewStage(b.nrows())
	} else {
		rows := uint64(e.NBytes)/b.rowBytes + 1
		st, err = ds.NewStage(rows)
	}
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSeededRequests checks every request of expected.json against
// PyTables' answer: shape, and the sha256 of the canonical bytes (and the
// bytes themselves when small).
func TestSeededRequests(t *testing.T) {
	exp := loadExpected(t)
	for _, workers := range []int{1, 3} {
		r, err := Open(fixture, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for i := range exp.Requests {
			e := &exp.Requests[i]
			name := fmt.Sprintf("w%d/%d/%s%s", workers, i, e.Kind, e.DS)
			req := e.build(t, r)
			ds, _ := r.Dataset(e.DS)
			st := stageFor(t, ds, e)
			v, err := r.Request(req, st).Get()
			if e.Error != "" {
				if err == nil {
					t.Errorf("%s %s: PyTables failed (%s), goh5 did not", name, req, e.Error)
				}
				kinds[e.Kind+"(error)"]++
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", name, req, err)
				continue
			}
			shape, lens, data := canonical(v, e.VL)
			if e.VL {
				if !slices.Equal(lens, e.Lengths) {
					t.Errorf("%s %s: row lengths %v, PyTables %v", name, req, lens, e.Lengths)
				}
			} else if !slices.Equal(shape, e.Shape) {
				t.Errorf("%s %s: shape %v, PyTables %v", name, req, shape, e.Shape)
			}
			sum := sha256.Sum256(data)
			if len(data) != e.NBytes || hex.EncodeToString(sum[:]) != e.SHA256 {
				msg := ""
				if e.Hex != "" {
					msg = fmt.Sprintf("\n got %x\nwant %s", data, e.Hex)
				}
				t.Errorf("%s %s: %d bytes, sha256 differs from PyTables' %d bytes%s", name, req, len(data), e.NBytes, msg)
				continue
			}
			kinds[e.Kind]++
		}
		if err := r.Close(true); err != nil {
			t.Fatal(err)
		}
		t.Logf("workers %d: matched %v", workers, kinds)
	}
}
