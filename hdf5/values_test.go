package hdf5

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/hdf5/internal/types"
)

// values.json is written by testdata/gen_values.py from what h5py (libhdf5
// 1.10.8) reads back.
type valuesRecord struct {
	Value any            `json:"value"`
	Shape []uint64       `json:"shape"`
	Enum  map[string]int `json:"enum"`
}

type valuesFixture struct {
	Datasets map[string]valuesRecord `json:"datasets"`
	Attrs    map[string]valuesRecord `json:"attrs"`
}

func loadValues(t *testing.T) *valuesFixture {
	t.Helper()
	raw, err := os.ReadFile("testdata/values.json")
	must.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v valuesFixture
	must.NoError(t, dec.Decode(&v))
	return &v
}

var valueFiles = []string{"testdata/values_earliest.h5", "testdata/values_latest.h5"}

func openValues(t *testing.T, name string) *File {
	t.Helper()
	f, err := Open(name)
	must.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

func openDataset(t *testing.T, f *File, path string) *Dataset {
	t.Helper()
	o, err := f.Root().Open(path)
	must.NoError(t, err, path)
	d, ok := o.(*Dataset)
	must.True(t, ok, "%s is a %s", path, o.Kind())
	return d
}

// latin1 turns a JSON string holding one code point per byte back into bytes.
func latin1(s string) string {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r))
	}
	return string(b)
}

// flatten lists a nested JSON value's leaves down to depth levels, in C order.
func flatten(v any, depth int) []any {
	if depth == 0 {
		return []any{v}
	}
	l, ok := v.([]any)
	if !ok {
		return []any{v}
	}
	var out []any
	for _, x := range l {
		out = append(out, flatten(x, depth-1)...)
	}
	return out
}

// matchValue compares a ReadValues value with its JSON reference; it
// returns a description of the first difference, or "".
func matchValue(got, want any, path string) string {
	switch g := got.(type) {
	case nil:
		if want != nil {
			return fmt.Sprintf("%s: got nil, want %v", path, want)
		}
		return ""
	case int64, uint64:
		if b, ok := want.(bool); ok {
			if (fmt.Sprint(g) == "1") != b {
				return fmt.Sprintf("%s: got %v, want %v", path, g, b)
			}
			return ""
		}
		if fmt.Sprint(g) != fmt.Sprint(want) {
			return fmt.Sprintf("%s: got %v, want %v", path, g, want)
		}
		return ""
	case float64:
		if s, ok := want.(string); ok {
			var w float64
			switch s {
			case "NaN":
				if math.IsNaN(g) {
					return ""
				}
			case "Infinity":
				w = math.Inf(1)
			case "-Infinity":
				w = math.Inf(-1)
			}
			if g == w && !math.IsNaN(g) && w != 0 {
				return ""
			}
			return fmt.Sprintf("%s: got %v, want %s", path, g, s)
		}
		n, ok := want.(json.Number)
		if !ok {
			return fmt.Sprintf("%s: got float %v, want %v", path, g, want)
		}
		w, _ := strconv.ParseFloat(string(n), 64)
		if math.Float64bits(g) != math.Float64bits(w) {
			return fmt.Sprintf("%s: got %v, want %v", path, g, w)
		}
		return ""
	case string:
		w, ok := want.(string)
		if !ok || g != latin1(w) {
			return fmt.Sprintf("%s: got %q, want %q", path, g, want)
		}
		return ""
	case []byte:
		w, ok := want.(string)
		if !ok || string(g) != latin1(w) {
			return fmt.Sprintf("%s: got %x, want %q", path, g, want)
		}
		return ""
	case Enum:
		return matchValue(g.Value, want, path)
	case []any:
		w, ok := want.([]any)
		if !ok || len(w) != len(g) {
			return fmt.Sprintf("%s: got %v, want %v", path, g, want)
		}
		for i := range g {
			if d := matchValue(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); d != "" {
				return d
			}
		}
		return ""
	case *ObjectRef:
		w, ok := want.(map[string]any)
		wantPath := w["ref"]
		if wantPath == nil {
			wantPath = "" // a target no path reaches
		}
		if !ok || wantPath != g.Path {
			return fmt.Sprintf("%s: got %+v, want %v", path, g, want)
		}
		return ""
	case *RegionRef:
		w, ok := want.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: got %+v, want %v", path, g, want)
		}
		return matchRegion(g, w, path)
	}
	return fmt.Sprintf("%s: unexpected Go value %T %v", path, got, got)
}

func matchRegion(g *RegionRef, w map[string]any, path string) string {
	if w["ref"] != g.Path || w["sel_type"] != g.SelType || fmt.Sprint(w["npoints"]) != fmt.Sprint(g.NPoints) {
		return fmt.Sprintf("%s: got %+v, want %v", path, g, w)
	}
	if wp, ok := w["points"]; ok {
		if fmt.Sprint(wp) != fmt.Sprint(g.Points) {
			return fmt.Sprintf("%s: points %v, want %v", path, g.Points, wp)
		}
	} else if g.Points != nil {
		return fmt.Sprintf("%s: unexpected points %v", path, g.Points)
	}
	if wb, ok := w["blocks"]; ok {
		var gb [][][]uint64
		for _, b := range g.Blocks {
			gb = append(gb, [][]uint64{b[0], b[1]})
		}
		if fmt.Sprint(wb) != fmt.Sprint(gb) {
			return fmt.Sprintf("%s: blocks %v, want %v", path, gb, wb)
		}
	} else if g.Blocks != nil {
		return fmt.Sprintf("%s: unexpected blocks %v", path, g.Blocks)
	}
	return ""
}

func TestReadValuesFixtures(t *testing.T) {
	fx := loadValues(t)
	for _, name := range valueFiles {
		f := openValues(t, name)
		for dsName, rec := range fx.Datasets {
			t.Run(name+"/"+dsName, func(t *testing.T) {
				d := openDataset(t, f, dsName)
				got, err := d.ReadValues(nil)
				must.NoError(t, err)
				want := flatten(rec.Value, len(rec.Shape))
				must.Len(t, got, len(want))
				for i := range got {
					if diff := matchValue(got[i], want[i], fmt.Sprintf("[%d]", i)); diff != "" {
						t.Error(diff)
					}
				}
			})
		}
		for attrName, rec := range fx.Attrs {
			t.Run(name+"/attrs:"+attrName, func(t *testing.T) {
				g, err := f.Root().Open("attrs")
				must.NoError(t, err)
				a, err := g.Attribute(attrName)
				must.NoError(t, err)
				v, err := a.Value()
				must.NoError(t, err)
				if diff := matchValue(v, rec.Value, attrName); diff != "" {
					t.Error(diff)
				}
			})
		}
	}
}

func TestReadAsNumbers(t *testing.T) {
	fx := loadValues(t)
	for _, name := range valueFiles {
		f := openValues(t, name)
		// Every integer width, sign and order into int64 or uint64.
		for dsName, rec := range fx.Datasets {
			if !strings.HasPrefix(dsName, "int_") {
				continue
			}
			d := openDataset(t, f, dsName)
			want := flatten(rec.Value, 1)
			if strings.Contains(dsName, "u") {
				got, err := ReadAs[uint64](d, nil)
				must.NoError(t, err, dsName)
				must.Len(t, got, len(want))
				for i := range got {
					check.Equal(t, fmt.Sprint(want[i]), strconv.FormatUint(got[i], 10), "%s[%d]", dsName, i)
				}
				continue
			}
			got, err := ReadAs[int64](d, nil)
			must.NoError(t, err, dsName)
			must.Len(t, got, len(want))
			for i := range got {
				check.Equal(t, fmt.Sprint(want[i]), strconv.FormatInt(got[i], 10), "%s[%d]", dsName, i)
			}
		}
		// float16 into float64 and float32 matches h5py.
		for _, dsName := range []string{"float_le16", "float_be16", "float_le32", "float_be32", "float_le64", "float_be64", "bfloat16", "float24", "float_be_nbit20"} {
			d := openDataset(t, f, dsName)
			got, err := ReadAs[float64](d, nil)
			must.NoError(t, err, dsName)
			want := flatten(fx.Datasets[dsName].Value, 1)
			for i := range got {
				if diff := matchValue(got[i], want[i], fmt.Sprintf("%s[%d]", dsName, i)); diff != "" {
					t.Error(diff)
				}
			}
			if dsName == "float_le64" || dsName == "float_be64" {
				continue
			}
			got32, err := ReadAs[float32](d, nil)
			must.NoError(t, err, dsName)
			for i := range got32 {
				if diff := matchValue(float64(got32[i]), want[i], fmt.Sprintf("%s[%d] as float32", dsName, i)); diff != "" {
					t.Error(diff)
				}
			}
		}
		// Precision 12 at bit offset 4 fits an int16.
		d := openDataset(t, f, "int_prec12_off4")
		p12, err := ReadAs[int16](d, nil)
		must.NoError(t, err)
		check.Equal(t, []int16{-2048, -1, 0, 1, 2047, 1000}, p12)
		d = openDataset(t, f, "uint_prec12_off4_be")
		u12, err := ReadAs[uint16](d, nil)
		must.NoError(t, err)
		check.Equal(t, []uint16{0, 1, 4095, 1000, 17, 2048}, u12)
		// Enums read as their base integers.
		d = openDataset(t, f, "enum_i1")
		e8, err := ReadAs[int8](d, nil)
		must.NoError(t, err)
		check.Equal(t, []int8{0, 42, 1, 0}, e8)
	}
}

func TestReadAsConversionErrors(t *testing.T) {
	f := openValues(t, "testdata/values_latest.h5")
	d := openDataset(t, f, "float_le64")
	_, err := ReadAs[int32](d, nil)
	must.Error(t, err)
	check.Contains(t, err.Error(), "hdf5: cannot convert float64 LE to int32 without loss (use hdf5.Lossy())")
	got, err := ReadAs[int32](d, nil, Lossy())
	must.NoError(t, err)
	// 0.1, -2.5, max, tiny, tiny/4, +inf, -inf, nan, -0, 1/3: truncated and saturated.
	check.Equal(t, []int32{0, -2, math.MaxInt32, 0, 0, math.MaxInt32, math.MinInt32, 0, 0, 0}, got)

	d = openDataset(t, f, "int_leu1")
	_, err = ReadAs[int8](d, nil)
	must.ErrorContains(t, err, "cannot convert uint8 LE to int8 without loss")
	i8, err := ReadAs[int8](d, nil, Lossy())
	must.NoError(t, err)
	check.Equal(t, []int8{0, 127, 0, 1, 85, 7}, i8) // 255 saturates
	_, err = ReadAs[int16](d, nil)
	must.NoError(t, err)

	d = openDataset(t, f, "int_lei8")
	_, err = ReadAs[float64](d, nil)
	must.ErrorContains(t, err, "cannot convert int64 LE to float64 without loss")
	_, err = ReadAs[uint64](d, nil)
	must.ErrorContains(t, err, "cannot convert int64 LE to uint64")
	d = openDataset(t, f, "int_bei4")
	_, err = ReadAs[float64](d, nil)
	must.NoError(t, err)
	_, err = ReadAs[float32](d, nil)
	must.ErrorContains(t, err, "cannot convert int32 BE to float32 without loss")

	d = openDataset(t, f, "longdouble")
	_, err = ReadAs[float64](d, nil)
	must.ErrorContains(t, err, "to float64 without loss")

	d = openDataset(t, f, "compound")
	_, err = ReadAs[float32](d, nil)
	must.Error(t, err)
	check.Contains(t, err.Error(), "cannot read compound{id: int32 LE")
	check.Contains(t, err.Error(), "as float32")
	d = openDataset(t, f, "vstr_utf8")
	_, err = ReadAs[float32](d, nil)
	must.ErrorContains(t, err, "cannot read vlen string utf-8 as float32")
	_, err = d.ReadStrings(nil)
	must.NoError(t, err)
	d = openDataset(t, f, "float_le32")
	_, err = d.ReadStrings(nil)
	must.ErrorContains(t, err, "cannot read float32 LE as string")
}

type valPos struct {
	X float32 `hdf5:"x"`
	Y float64 `hdf5:"y"`
}

type valRecord struct {
	ID    int32    `hdf5:"id"`
	Pos   valPos   `hdf5:"pos"`
	Arr   [3]int16 `hdf5:"arr"`
	Name  string   `hdf5:"name"`
	Label string   `hdf5:"label"`
	Flag  uint8    `hdf5:"flag"`
}

func TestReadStructs(t *testing.T) {
	fx := loadValues(t)
	want := fx.Datasets["compound"].Value.([]any)
	for _, name := range valueFiles {
		f := openValues(t, name)
		d := openDataset(t, f, "compound")
		got, err := ReadStructs[valRecord](d, nil)
		must.NoError(t, err)
		must.Len(t, got, len(want))
		for i, g := range got {
			w := want[i].([]any)
			asAny := []any{int64(g.ID), []any{float64(g.Pos.X), g.Pos.Y},
				[]any{int64(g.Arr[0]), int64(g.Arr[1]), int64(g.Arr[2])}, g.Name, g.Label, uint64(g.Flag)}
			if diff := matchValue(asAny, w, fmt.Sprintf("%s[%d]", name, i)); diff != "" {
				t.Error(diff)
			}
		}
		// The same through an attribute.
		g, err := f.Root().Open("attrs")
		must.NoError(t, err)
		a, err := g.Attribute("compound")
		must.NoError(t, err)
		ga, err := ReadAttrStructs[valRecord](a)
		must.NoError(t, err)
		check.Equal(t, got, ga)

		// One member into a typed slice.
		ids, err := ReadField[float64](d, nil, "id")
		must.NoError(t, err)
		check.Equal(t, []float64{1, -2, math.MaxInt32}, ids)
		labels, err := ReadField[string](d, Index(Range(1, 3)), "label")
		must.NoError(t, err)
		check.Equal(t, []string{"deux", ""}, labels)
		pos, err := ReadField[valPos](d, nil, "pos")
		must.NoError(t, err)
		check.Equal(t, got[0].Pos, pos[0])

		// Untagged fields match by name; missing ones stay zero.
		type loose struct {
			Missing int
			Flag    bool `hdf5:"flag"`
			Arr     []int64
		}
		lo, err := ReadStructs[loose](d, nil)
		must.NoError(t, err)
		check.Equal(t, []bool{true, false, true}, []bool{lo[0].Flag, lo[1].Flag, lo[2].Flag})
		check.Nil(t, lo[0].Arr) // no member is called "Arr"

		// An unknown tag is an error.
		type bad struct {
			Z int32 `hdf5:"zzz"`
		}
		_, err = ReadStructs[bad](d, nil)
		must.ErrorContains(t, err, `has no member "zzz"`)
		// A lossy member conversion is refused.
		type narrow struct {
			Y float32 `hdf5:"y"`
		}
		_, err = ReadField[narrow](d, nil, "pos")
		must.ErrorContains(t, err, "cannot convert float64 BE to float32 without loss")

		// Nested vlen and compound combinations.
		type pair struct {
			A uint16  `hdf5:"a"`
			B float32 `hdf5:"b"`
		}
		d = openDataset(t, f, "vlen_of_compound")
		vp, err := ReadStructs[[]pair](d, nil)
		must.NoError(t, err)
		check.Equal(t, [][]pair{{{5, 0.25}, {6, 0.75}}, {{7, -1}}}, vp)
		d = openDataset(t, f, "array_of_compound")
		ap, err := ReadStructs[[2]pair](d, nil)
		must.NoError(t, err)
		check.Equal(t, [][2]pair{{{1, 0.5}, {2, 1.5}}, {{3, 2.5}, {4, 3.5}}}, ap)
		type withSeq struct {
			N   int64   `hdf5:"n"`
			Seq []uint8 `hdf5:"seq"`
		}
		d = openDataset(t, f, "compound_with_vlen")
		ws, err := ReadStructs[withSeq](d, nil)
		must.NoError(t, err)
		check.Equal(t, []withSeq{{10, []uint8{1, 2}}, {20, nil}}, ws)
		d = openDataset(t, f, "array_i32")
		a2, err := ReadStructs[[2][3]int32](d, nil)
		must.NoError(t, err)
		check.Equal(t, [][2][3]int32{{{0, 1, 2}, {3, 4, 5}}, {{6, 7, 8}, {9, 10, 11}}}, a2)
	}
}

func TestReadStringsAndVlen(t *testing.T) {
	fx := loadValues(t)
	for _, name := range valueFiles {
		f := openValues(t, name)
		g, err := f.Root().Open("attrs")
		must.NoError(t, err)
		for _, dsName := range []string{"str_nullterm_ascii", "str_nullterm_utf8", "str_nullpad_ascii", "str_nullpad_utf8",
			"str_spacepad_ascii", "str_spacepad_utf8", "vstr_utf8", "vstr_ascii"} {
			d := openDataset(t, f, dsName)
			got, err := d.ReadStrings(nil)
			must.NoError(t, err, dsName)
			want := flatten(fx.Datasets[dsName].Value, 1)
			must.Len(t, got, len(want))
			for i := range got {
				check.Equal(t, latin1(want[i].(string)), got[i], "%s %s[%d]", name, dsName, i)
			}
			if rec, ok := fx.Attrs[dsName]; ok {
				a, err := g.Attribute(dsName)
				must.NoError(t, err)
				got, err := a.ReadStrings()
				must.NoError(t, err)
				want := flatten(rec.Value, 1)
				for i := range got {
					check.Equal(t, latin1(want[i].(string)), got[i], "%s attr %s[%d]", name, dsName, i)
				}
			}
		}
		d := openDataset(t, f, "vlen_i32")
		v32, err := ReadVlen[int32](d, nil)
		must.NoError(t, err)
		check.Equal(t, [][]int32{{1, 2, 3}, nil, {-7}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}}, v32)
		d = openDataset(t, f, "vlen_i16be")
		v16, err := ReadVlen[int16](d, Index(Range(0, 2)))
		must.NoError(t, err)
		check.Equal(t, [][]int16{{1, -2}, {300, 301, 302}}, v16)
		_, err = ReadVlen[int8](d, nil)
		must.ErrorContains(t, err, "cannot convert int16 BE to int8 without loss")
		a, err := g.Attribute("vlen_f64")
		must.NoError(t, err)
		vf, err := ReadAttrVlen[float64](a)
		must.NoError(t, err)
		check.Equal(t, [][]float64{{0.5, 1.5}, {2.5}}, vf)

		// Enum names.
		for _, dsName := range []string{"enum_i1", "enum_u2be"} {
			rec := fx.Datasets[dsName]
			byValue := map[string]string{}
			for n, v := range rec.Enum {
				byValue[strconv.Itoa(v)] = n
			}
			d := openDataset(t, f, dsName)
			names, err := d.ReadEnumNames(nil)
			must.NoError(t, err)
			for i, v := range flatten(rec.Value, 1) {
				check.Equal(t, byValue[fmt.Sprint(v)], names[i], "%s[%d]", dsName, i)
			}
		}
		a, err = g.Attribute("scalar_f64")
		must.NoError(t, err)
		sv, err := ReadAttrAs[float64](a)
		must.NoError(t, err)
		check.Equal(t, []float64{2.75}, sv)
	}
}

func TestReadReferences(t *testing.T) {
	fx := loadValues(t)
	for _, name := range valueFiles {
		f := openValues(t, name)
		d := openDataset(t, f, "objrefs")
		objs, err := d.ReadRefs(nil)
		must.NoError(t, err)
		want := flatten(fx.Datasets["objrefs"].Value, 1)
		must.Len(t, objs, len(want))
		for i, o := range objs {
			if want[i] == nil {
				check.Nil(t, o)
				continue
			}
			must.NotNil(t, o)
			check.Equal(t, want[i].(map[string]any)["ref"], o.Path())
		}
		check.Equal(t, KindGroup, objs[1].Kind())
		check.Equal(t, KindDataset, objs[2].Kind())

		d = openDataset(t, f, "regionrefs")
		regs, err := d.ReadRegionRefs(nil)
		must.NoError(t, err)
		want = flatten(fx.Datasets["regionrefs"].Value, 1)
		must.Len(t, regs, len(want))
		for i, r := range regs {
			if want[i] == nil {
				check.Nil(t, r)
				continue
			}
			must.NotNil(t, r, "%d", i)
			if diff := matchRegion(r, want[i].(map[string]any), fmt.Sprintf("%s regionrefs[%d]", name, i)); diff != "" {
				t.Error(diff)
			}
		}
		_, err = d.ReadObjectRefs(nil)
		must.ErrorContains(t, err, "cannot read reference(region) as object references")
	}
}

func TestDecodeSelectionHostile(t *testing.T) {
	// Hand-built serialized selections (H5S serialization, little-endian).
	le32 := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	cases := map[string][]byte{
		"truncated":          le32(2, 1, 0, 0, 2, 1000),
		"rank0":              le32(1, 1, 0, 0, 0, 1),
		"huge point count":   le32(1, 1, 0, 0, 2, 0xffffffff, 1, 2),
		"bad type":           le32(9),
		"bad version":        le32(2, 7),
		"end before start":   le32(2, 1, 0, 0, 1, 1, 5, 2),
		"regular v3 too big": append(append(le32(2, 3), 1, 4), le32(3, 0, 1, 1<<12, 1, 0, 1, 1<<12, 1, 0, 1, 1<<12, 1)...),
	}
	for name, b := range cases {
		var r RegionRef
		err := decodeSelection(b, &r, 0)
		check.Error(t, err, name)
	}
	// A valid version 3 regular hyperslab with 2-byte fields.
	b := append(append(le32(2, 3), 1, 2), le32(2)...)
	for _, v := range []uint16{1, 4, 2, 2, 0, 1, 3, 1} { // dim 0: start 1 stride 4 count 2 block 2; dim 1: start 0 stride 1 count 3 block 1
		b = append(b, byte(v), byte(v>>8))
	}
	var r RegionRef
	must.NoError(t, decodeSelection(b, &r, 0))
	check.Equal(t, uint64(12), r.NPoints)
	must.Len(t, r.Blocks, 6)
	check.Equal(t, [2][]uint64{{1, 0}, {2, 0}}, r.Blocks[0])
	check.Equal(t, [2][]uint64{{5, 2}, {6, 2}}, r.Blocks[5])
}

func TestFloatLayouts(t *testing.T) {
	// Spec-stated IEEE binary16 values.
	for h, want := range map[uint16]float64{0x3c00: 1, 0xc000: -2, 0x7bff: 65504, 0x0001: math.Ldexp(1, -24), 0x0400: math.Ldexp(1, -14), 0x3555: 0.333251953125} {
		check.Equal(t, want, float16to64(h), "%#x", h)
	}
	check.True(t, math.IsNaN(float16to64(0x7e00)))
	check.True(t, math.IsInf(float16to64(0xfc00), -1))
	check.Equal(t, uint64(0b1011), bitsAt([]byte{0xb0, 0x00}, 4, 4))
	check.Equal(t, uint64(0x3ff), bitsAt([]byte{0xc0, 0xff, 0x00}, 6, 10))
	var ue *UnsupportedError
	_, err := numericSource(&Datatype{Class: ClassFloat, Size: 4, ExpSize: 0, MantSize: 10}, "float64")
	check.True(t, errors.As(err, &ue))
}

func TestValueMappingKinds(t *testing.T) {
	f := openValues(t, "testdata/values_latest.h5")
	kind := func(path string, want reflect.Type) {
		d := openDataset(t, f, path)
		v, err := d.ReadValues(Index(At(0)))
		must.NoError(t, err, path)
		must.Len(t, v, 1)
		check.Equal(t, want, reflect.TypeOf(v[0]), path)
	}
	kind("int_lei4", reflect.TypeFor[int64]())
	kind("int_beu2", reflect.TypeFor[uint64]())
	kind("float_be16", reflect.TypeFor[float64]())
	kind("opaque", reflect.TypeFor[[]byte]())
	kind("enum_i1", reflect.TypeFor[Enum]())
	kind("objrefs", reflect.TypeFor[*ObjectRef]())
	kind("regionrefs", reflect.TypeFor[*RegionRef]())
	kind("compound", reflect.TypeFor[[]any]())
	kind("vstr_utf8", reflect.TypeFor[string]())
	d := openDataset(t, f, "scalar_i32")
	v, err := d.ReadValues(nil)
	must.NoError(t, err)
	check.Equal(t, []any{int64(-42)}, v)
	d = openDataset(t, f, "f64_2d")
	v, err = d.ReadValues(Index(Full(), At(1)))
	must.NoError(t, err)
	check.Equal(t, []any{1.0 / 7, 5.0 / 7, 9.0 / 7}, v)
}

func TestReadAsSelection(t *testing.T) {
	fx := loadValues(t)
	want := fx.Datasets["chunked_f32"].Value.([]any)
	for _, name := range valueFiles {
		f := openValues(t, name)
		d := openDataset(t, f, "chunked_f32")
		sel := Index(Range(2, 5), Step(3, 90, 7))
		{
			got, err := ReadAs[float64](d, sel)
			must.NoError(t, err)
			var exp []any
			for i := 2; i < 5; i++ {
				for j := 3; j < 90; j += 7 {
					exp = append(exp, want[i].([]any)[j])
				}
			}
			must.Len(t, got, len(exp))
			for i := range got {
				if diff := matchValue(got[i], exp[i], fmt.Sprintf("%s[%d]", name, i)); diff != "" {
					t.Error(diff)
				}
			}
		}
	}
}

// FuzzDecodeSelection checks that a hostile serialized selection never
// panics and that an error always comes with no blocks or points decoded
// past the buffer.
func FuzzDecodeSelection(f *testing.F) {
	le32 := func(v ...uint32) []byte {
		var b []byte
		for _, x := range v {
			b = append(b, byte(x), byte(x>>8), byte(x>>16), byte(x>>24))
		}
		return b
	}
	f.Add(le32(1, 1, 0, 0, 2, 2, 0, 1, 9, 9))
	f.Add(le32(2, 1, 0, 0, 2, 1, 0, 0, 1, 2))
	f.Add(le32(3, 1, 0, 0))
	f.Add(append(append(le32(2, 3), 1, 2), le32(1)...))
	f.Add(append(append(le32(2, 2), 1), le32(0, 1)...))
	// The seeds of internal/canon's former decoder: pyfive's hyperslab,
	// points v2 and a hyperslab v2 header.
	f.Add([]byte{2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0})
	f.Add([]byte{1, 0, 0, 0, 2, 0, 0, 0, 4, 2, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0, 0, 6, 0, 0, 0})
	f.Add([]byte{2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		var r RegionRef
		if err := decodeSelection(b, &r, 0); err != nil {
			return
		}
		for _, p := range r.Points {
			if len(p) == 0 || len(p) > maxSelRank {
				t.Fatalf("point of rank %d", len(p))
			}
		}
		if len(r.Blocks) > maxRegionBlocks {
			t.Fatalf("%d blocks", len(r.Blocks))
		}
	})
}

// FuzzValueDecode decodes hostile datatypes and elements: the value and
// numeric decoders must never panic, whatever the type claims.
func FuzzValueDecode(f *testing.F) {
	file, err := Open("testdata/values_latest.h5")
	if err != nil {
		f.Skip(err)
	}
	defer file.Close()
	seeds := []string{"compound", "vlen_of_compound", "array_of_compound", "regionrefs", "objrefs", "bfloat16",
		"float_be_nbit20", "int_prec12_off4", "enum_u2be", "vstr_utf8", "compound_with_vlen", "longdouble"}
	for _, s := range seeds {
		o, err := file.Root().Open(s)
		if err != nil {
			f.Fatal(err)
		}
		d := o.(*Dataset)
		raw, err := d.ReadAll()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(encodeTypeForFuzz(d), raw[:d.dtype.Size])
	}
	f.Fuzz(func(t *testing.T, tb, elem []byte) {
		dt, _, err := types.DecodeDatatype(tb, file.src.Sizes, 0)
		if err != nil || dt.Size == 0 || int(dt.Size) > len(elem) || dt.Size > 1<<16 {
			return
		}
		dec := &valueDecoder{f: file, enums: map[*types.Datatype]*enumTable{}}
		v, err := dec.value(dt, elem, 0)
		if err != nil && v != nil {
			t.Fatalf("error %v with value %v", err, v)
		}
		if c, err := newNumConv(dt, reflect.TypeFor[float64](), true); err == nil {
			out := make([]float64, 1)
			convertInto(c, elem[:dt.Size], int(dt.Size), out)
		}
		if c, err := newNumConv(dt, reflect.TypeFor[int16](), true); err == nil {
			out := make([]int16, 1)
			convertInto(c, elem[:dt.Size], int(dt.Size), out)
		}
		pl := &planner{f: file, opts: convOpts{lossy: true}}
		for _, rt := range []reflect.Type{reflect.TypeFor[[]any](), reflect.TypeFor[[2][3]int32](), reflect.TypeFor[valRecord](), reflect.TypeFor[string]()} {
			if fn, err := pl.plan(dt, rt, 0); err == nil {
				_ = fn(elem[:dt.Size], reflect.New(rt).Elem())
			}
		}
	})
}

// encodeTypeForFuzz returns the raw datatype message of d.
func encodeTypeForFuzz(d *Dataset) []byte {
	for _, m := range d.hdr.Messages {
		if m.Type == object.MsgDatatype {
			return m.Raw
		}
	}
	return nil
}
