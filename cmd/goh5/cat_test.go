package main

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// catCase is one entry of testdata/cat/cases.json, written by
// testdata/gen_cat.py with h5py: the selection and the file numpy.save
// wrote for the array h5py returned.
type catCase struct {
	Name        string   `json:"name"`
	File        string   `json:"file"`
	Path        string   `json:"path"`
	Slice       string   `json:"slice"`
	Fields      []string `json:"fields"`
	Npy         string   `json:"npy"`
	Shape       []uint64 `json:"shape"`
	Descr       string   `json:"descr"`
	Strings     []string `json:"strings"`
	VlenStrings []string `json:"vlen_strings"`
}

func loadCatCases(t *testing.T) []catCase {
	t.Helper()
	b, err := os.ReadFile("testdata/cat/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cs []catCase
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	return cs
}

func (c catCase) args(format string) []string {
	a := []string{"cat", filepath.Join("testdata", c.File), c.Path, "--format", format}
	if c.Slice != "" {
		a = append(a, "--slice", c.Slice)
	}
	if len(c.Fields) > 0 {
		a = append(a, "--field", strings.Join(c.Fields, ","))
	}
	return a
}

func runCmd(t *testing.T, args ...string) (stdout, stderr []byte, code int) {
	t.Helper()
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.Bytes(), e.Bytes(), code
}

// npyData splits a .npy file into its header text and data.
func npyData(t *testing.T, b []byte) (string, []byte) {
	t.Helper()
	if len(b) < 10 || string(b[:6]) != "\x93NUMPY" {
		t.Fatalf("not an npy file")
	}
	var hl, start int
	if b[6] == 1 {
		hl, start = int(binary.LittleEndian.Uint16(b[8:])), 10
	} else {
		hl, start = int(binary.LittleEndian.Uint32(b[8:])), 12
	}
	return string(b[start : start+hl]), b[start+hl:]
}

// TestCatNpyExact checks that "goh5 cat --format npy" writes, byte for
// byte, what numpy.save wrote for h5py's array of the same selection, both
// in one read and in blocks of one row.
func TestCatNpyExact(t *testing.T) {
	defer func(b uint64) { blockBytes = b }(blockBytes)
	for _, bb := range []uint64{64 << 20, 1} {
		blockBytes = bb
		for _, c := range loadCatCases(t) {
			if c.Npy == "" {
				continue
			}
			t.Run(c.Name+"/block"+strconv.FormatUint(bb, 10), func(t *testing.T) {
				want, err := os.ReadFile(filepath.Join("testdata/cat", c.Npy))
				if err != nil {
					t.Fatal(err)
				}
				out, errOut, code := runCmd(t, c.args("npy")...)
				if code != 0 {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				if !bytes.Equal(out, want) {
					gh, gd := npyData(t, out)
					wh, wd := npyData(t, want)
					t.Errorf("npy differs\n got header %q\nwant header %q\ndata equal: %v", gh, wh, bytes.Equal(gd, wd))
				}
			})
		}
	}
}

// TestCatNpyOutFile writes with -o and infers the format from the name.
func TestCatNpyOutFile(t *testing.T) {
	c := loadCatCases(t)[0]
	out := filepath.Join(t.TempDir(), "x.npy")
	_, errOut, code := runCmd(t, "cat", filepath.Join("testdata", c.File), c.Path, "-o", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile(filepath.Join("testdata/cat", c.Npy))
	if !bytes.Equal(got, want) {
		t.Error("-o x.npy output differs from numpy.save's")
	}
}

// TestCatNumpyLoad loads goh5's npy output with numpy (when Debian's Python
// with numpy is installed) and compares it with numpy.save's file.
func TestCatNumpyLoad(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if err := exec.Command(py, "-c", "import numpy").Run(); err != nil {
		t.Skip("no numpy")
	}
	dir := t.TempDir()
	var names []string
	for _, c := range loadCatCases(t) {
		if c.Npy == "" {
			continue
		}
		out, errOut, code := runCmd(t, c.args("npy")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.Name, code, errOut)
		}
		if err := os.WriteFile(filepath.Join(dir, c.Npy), out, 0o644); err != nil {
			t.Fatal(err)
		}
		names = append(names, c.Npy)
	}
	script := `
import sys, numpy as np
bad = 0
for n in sys.argv[3:]:
    a = np.load(sys.argv[1] + "/" + n)
    b = np.load(sys.argv[2] + "/" + n)
    if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
        print(n, a.dtype, b.dtype, a.shape, b.shape); bad += 1
sys.exit(bad)
`
	wantDir, _ := filepath.Abs("testdata/cat")
	cmd := exec.Command(py, append([]string{"-c", script, dir, wantDir}, names...)...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("numpy.load comparison failed: %v\n%s", err, out)
	}
}

// npyNumbers decodes the data of a numeric .npy (descr '<f8', '>f4', ...).
func npyNumbers(t *testing.T, c catCase) []float64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata/cat", c.Npy))
	if err != nil {
		t.Fatal(err)
	}
	_, data := npyData(t, b)
	d := strings.Trim(c.Descr, "'")
	var order binary.ByteOrder = binary.LittleEndian
	if d[0] == '>' {
		order = binary.BigEndian
	}
	size, _ := strconv.Atoi(d[2:])
	var out []float64
	for off := 0; off+size <= len(data); off += size {
		x := data[off : off+size]
		switch d[1:] {
		case "f8":
			out = append(out, math.Float64frombits(order.Uint64(x)))
		case "f4":
			out = append(out, float64(math.Float32frombits(order.Uint32(x))))
		case "i4":
			out = append(out, float64(int32(order.Uint32(x))))
		case "i2":
			out = append(out, float64(int16(order.Uint16(x))))
		case "u8":
			out = append(out, float64(order.Uint64(x)))
		default:
			t.Fatalf("descr %s", d)
		}
	}
	return out
}

func sameFloat(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// TestCatCSVNumbers parses goh5's CSV of numeric cases and compares every
// cell, bit for bit, with h5py's values in the stored npy.
func TestCatCSVNumbers(t *testing.T) {
	for _, c := range loadCatCases(t) {
		if c.Npy == "" || !strings.ContainsAny(c.Descr, "fiu") || strings.HasPrefix(c.Descr, "[") || strings.Contains(c.Descr, "c") {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			want := npyNumbers(t, c)
			out, errOut, code := runCmd(t, c.args("csv")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			rows := uint64(1)
			if len(c.Shape) > 0 {
				rows = c.Shape[0]
			}
			if uint64(len(recs)) != rows {
				t.Fatalf("%d records, want %d", len(recs), rows)
			}
			var got []float64
			for _, r := range recs {
				for _, cell := range r {
					var v float64
					switch cell {
					case "nan":
						v = math.NaN()
					case "inf":
						v = math.Inf(1)
					case "-inf":
						v = math.Inf(-1)
					default:
						bits := 64
						if strings.HasSuffix(c.Descr, "f4'") {
							bits = 32
						}
						if v, err = strconv.ParseFloat(cell, bits); err != nil {
							t.Fatalf("cell %q: %v", cell, err)
						}
					}
					got = append(got, v)
				}
			}
			if len(got) != len(want) {
				t.Fatalf("%d cells, want %d", len(got), len(want))
			}
			for i := range got {
				if !sameFloat(got[i], want[i]) {
					t.Errorf("cell %d: %v, h5py %v", i, got[i], want[i])
				}
			}
		})
	}
}

// TestCatCSVStrings checks string cells (RFC 4180 quoting round-trips) and
// the compound header and values against h5py's.
func TestCatCSVStrings(t *testing.T) {
	for _, c := range loadCatCases(t) {
		if c.Strings == nil {
			continue
		}
		out, errOut, code := runCmd(t, c.args("csv")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.Name, code, errOut)
		}
		recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		var got []string
		for _, r := range recs {
			got = append(got, r...)
		}
		if strings.Join(got, "\x00") != strings.Join(c.Strings, "\x00") {
			t.Errorf("%s: cells %q, h5py %q", c.Name, got, c.Strings)
		}
		if c.Name == "s" && !bytes.Contains(out, []byte(`"say ""hi"""`)) {
			t.Errorf("quote not doubled: %q", out)
		}
	}
}

func TestCatCSVCompound(t *testing.T) {
	out, errOut, code := runCmd(t, "cat", "testdata/cat_compound.h5", "/table", "--format", "csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "id,pos.x,pos.y,arr[0],arr[1],arr[2],arr[3],arr[4],arr[5],name,flag"
	if strings.Join(recs[0], ",") != wantHeader {
		t.Errorf("header %q, want %q", strings.Join(recs[0], ","), wantHeader)
	}
	// h5py's values, from the npy numpy.save wrote: the descr in cases.json
	// gives the layout id <i4 @0, pos.x <f4 @8, pos.y >f8 @16, arr <i2
	// (2,3) @24, name S5 @36, flag b1 @42, itemsize 48.
	b, _ := os.ReadFile("testdata/cat/table.npy")
	_, data := npyData(t, b)
	if len(recs) != 1+len(data)/48 {
		t.Fatalf("%d records for %d elements", len(recs), len(data)/48)
	}
	for i, r := range recs[1:] {
		e := data[i*48 : (i+1)*48]
		want := []string{
			strconv.Itoa(int(int32(binary.LittleEndian.Uint32(e)))),
			strconv.FormatFloat(float64(math.Float32frombits(binary.LittleEndian.Uint32(e[8:]))), 'g', -1, 32),
			strconv.FormatFloat(math.Float64frombits(binary.BigEndian.Uint64(e[16:])), 'g', -1, 64),
		}
		for k := 0; k < 6; k++ {
			want = append(want, strconv.Itoa(int(int16(binary.LittleEndian.Uint16(e[24+2*k:])))))
		}
		want = append(want, strings.TrimRight(string(e[36:41]), "\x00"), strconv.FormatBool(e[42] == 1))
		for k := range want {
			g := r[k]
			if k == 1 || k == 2 { // compare numerically: formats may differ
				gv, _ := strconv.ParseFloat(g, 64)
				wv, _ := strconv.ParseFloat(want[k], 64)
				if gv != wv {
					t.Errorf("row %d col %d: %q, h5py %q", i, k, g, want[k])
				}
				continue
			}
			if g != want[k] {
				t.Errorf("row %d col %d: %q, h5py %q", i, k, g, want[k])
			}
		}
	}
}

// TestCatJSON compares JSON output with h5py's values: floats (NaN and
// infinities as null) and variable-length strings.
func TestCatJSON(t *testing.T) {
	for _, c := range loadCatCases(t) {
		switch {
		case c.VlenStrings != nil:
			out, errOut, code := runCmd(t, c.args("json")...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", c.Name, code, errOut)
			}
			var got []string
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%s: %v\n%s", c.Name, err, out)
			}
			if strings.Join(got, "\x00") != strings.Join(c.VlenStrings, "\x00") {
				t.Errorf("%s: %q, h5py %q", c.Name, got, c.VlenStrings)
			}
		case c.Name == "be" || c.Name == "be4" || c.Name == "scalar" || c.Name == "le_neg":
			want := npyNumbers(t, c)
			out, errOut, code := runCmd(t, c.args("json")...)
			if code != 0 {
				t.Fatalf("%s: exit %d: %s", c.Name, code, errOut)
			}
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("%s: %v\n%s", c.Name, err, out)
			}
			var got []any
			var flat func(any)
			flat = func(x any) {
				if l, ok := x.([]any); ok {
					for _, e := range l {
						flat(e)
					}
					return
				}
				got = append(got, x)
			}
			flat(v)
			if len(got) != len(want) {
				t.Fatalf("%s: %d values, want %d", c.Name, len(got), len(want))
			}
			for i, g := range got {
				w := want[i]
				if math.IsNaN(w) || math.IsInf(w, 0) {
					if g != nil {
						t.Errorf("%s[%d]: %v, want null for %v", c.Name, i, g, w)
					}
					continue
				}
				f, ok := g.(float64)
				if c.Name == "be4" {
					f = float64(float32(f))
				}
				if !ok || !sameFloat(f, w) {
					t.Errorf("%s[%d]: %v, h5py %v", c.Name, i, g, w)
				}
			}
		}
	}
}

// TestCatRaw checks raw output: the npy data with every number little-endian.
func TestCatRaw(t *testing.T) {
	for _, c := range loadCatCases(t) {
		if c.Name != "le" && c.Name != "be" && c.Name != "be_slice" && c.Name != "s" {
			continue
		}
		out, errOut, code := runCmd(t, c.args("raw")...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.Name, code, errOut)
		}
		b, _ := os.ReadFile(filepath.Join("testdata/cat", c.Npy))
		_, want := npyData(t, b)
		want = bytes.Clone(want)
		if strings.HasPrefix(c.Descr, "'>f8") {
			for i := 0; i+8 <= len(want); i += 8 {
				binary.LittleEndian.PutUint64(want[i:], binary.BigEndian.Uint64(want[i:]))
			}
		}
		if !bytes.Equal(out, want) {
			t.Errorf("%s: raw output differs from h5py's data", c.Name)
		}
	}
}

func TestCatErrors(t *testing.T) {
	dir := t.TempDir()
	notH5 := filepath.Join(dir, "text.h5")
	os.WriteFile(notH5, []byte(strings.Repeat("not an HDF5 file\n", 100)), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing file", []string{"cat", filepath.Join(dir, "nope.h5"), "/le", "--format", "npy"}, 1, "nope.h5"},
		{"not hdf5", []string{"cat", notH5, "/le", "--format", "npy"}, 1, "hdf5:"},
		{"bad path", []string{"cat", "testdata/cat_float.h5", "/nope", "--format", "npy"}, 1, "nope"},
		{"group", []string{"cat", "testdata/cat_float.h5", "/grp", "--format", "npy"}, 1, "not a dataset"},
		{"bad slice syntax", []string{"cat", "testdata/cat_float.h5", "/le", "--format", "npy", "--slice", "1:x"}, 2, "not an integer"},
		{"slice out of range", []string{"cat", "testdata/cat_float.h5", "/le", "--format", "npy", "--slice", "9"}, 1, "out of"},
		{"too many indices", []string{"cat", "testdata/cat_float.h5", "/le", "--format", "csv", "--slice", "1,2,3"}, 1, "hdf5:"},
		{"bad field", []string{"cat", "testdata/cat_compound.h5", "/table", "--format", "npy", "--field", "nope"}, 1, "nope"},
		{"field on non-compound", []string{"cat", "testdata/cat_float.h5", "/le", "--format", "npy", "--field", "a"}, 1, "compound"},
		{"vlen npy", []string{"cat", "testdata/cat_strings.h5", "/vs", "--format", "npy"}, 1, "--format json"},
		{"bad format", []string{"cat", "testdata/cat_float.h5", "/le", "--format", "xml"}, 2, "format"},
		{"no format", []string{"cat", "testdata/cat_float.h5", "/le"}, 2, "format"},
		{"missing path", []string{"cat", "testdata/cat_float.h5", "--format", "npy"}, 2, "PATH"},
		{"dump missing file", []string{"dump", filepath.Join(dir, "nope.h5")}, 1, "nope.h5"},
		{"dump not hdf5", []string{"dump", notH5}, 1, "hdf5:"},
		{"dump bad path", []string{"dump", "testdata/cat_float.h5", "/nope"}, 1, "nope"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, errOut)
			}
			if !strings.Contains(string(errOut), tc.msg) {
				t.Errorf("stderr %q lacks %q", errOut, tc.msg)
			}
			if tc.args[0] == "cat" && len(out) != 0 {
				t.Errorf("wrote %d bytes to stdout on error", len(out))
			}
		})
	}
	// A refused export must not leave the -o file behind.
	o := filepath.Join(dir, "vs.npy")
	if _, _, code := runCmd(t, "cat", "testdata/cat_strings.h5", "/vs", "-o", o); code == 0 {
		t.Error("vlen npy export succeeded")
	}
	if _, err := os.Stat(o); err == nil {
		t.Error("refused export left its output file")
	}
}

// TestCatStreamSameBytes checks that --stream (the parallel block streamer)
// writes exactly what the serial block path writes, for every format that
// the fixtures' expected .npy files pin down.
func TestCatStreamSameBytes(t *testing.T) {
	for _, tc := range []struct{ file, path, format string }{
		{"../../testdata/files/example.h5", "/experiment/run_001/image", "npy"},
		{"../../testdata/files/example.h5", "/experiment/table", "npy"},
		{"../../testdata/files/example.h5", "/experiment/table", "csv"},
		{"../../testdata/files/chunked_latest.h5", "/ndim/d3_chunked", "raw"},
	} {
		var a, b, ea, eb bytes.Buffer
		if code := run([]string{"cat", "--format", tc.format, tc.file, tc.path}, &a, &ea); code != 0 {
			t.Fatalf("%s %s: exit %d: %s", tc.file, tc.path, code, ea.String())
		}
		if code := run([]string{"cat", "--stream", "--format", tc.format, tc.file, tc.path}, &b, &eb); code != 0 {
			t.Fatalf("%s %s --stream: exit %d: %s", tc.file, tc.path, code, eb.String())
		}
		if a.Len() == 0 || !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s %s %s: --stream output differs (%d vs %d bytes)", tc.file, tc.path, tc.format, a.Len(), b.Len())
		}
	}
}
