package canon

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"testing"

	"github.com/goh5/goh5/hdf5"
)

// reprTable is testdata/repr.json, written by testdata/gen/repr_table.py
// with Debian's Python 3 and numpy.
type reprTable struct {
	Floats      [][2]json.RawMessage `json:"floats"`      // [binary64 bits, repr]
	Bytes       [][2]string          `json:"bytes"`       // [hex bytes, json.dumps(latin-1 text)]
	Texts       [][2]string          `json:"texts"`       // [hex UTF-8, json.dumps(text)]
	LongDoubles [][2]json.RawMessage `json:"longdoubles"` // [hex of 16-byte x87 long double, binary64 bits numpy rounds it to]
	Halves      [][2]uint64          `json:"halves"`      // [binary16 bits, binary64 bits]
}

func loadRepr(t *testing.T) *reprTable {
	t.Helper()
	b, err := os.ReadFile("testdata/repr.json")
	if err != nil {
		t.Fatal(err)
	}
	var rt reprTable
	if err := json.Unmarshal(b, &rt); err != nil {
		t.Fatal(err)
	}
	return &rt
}

func TestFloatRepr(t *testing.T) {
	rt := loadRepr(t)
	if len(rt.Floats) < 100 {
		t.Fatalf("only %d float cases", len(rt.Floats))
	}
	for _, c := range rt.Floats {
		var bits uint64
		var want string
		if err := json.Unmarshal(c[0], &bits); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(c[1], &want); err != nil {
			t.Fatal(err)
		}
		x := math.Float64frombits(bits)
		if got := string(AppendFloatRepr(nil, x)); got != want {
			t.Errorf("repr(%v) = %s, Python says %s", x, got, want)
		}
	}
	// Non-finite values: the contract's strings.
	for x, want := range map[float64]string{math.Inf(1): `"Infinity"`, math.Inf(-1): `"-Infinity"`} {
		if got := string(appendJSONFloat(nil, x)); got != want {
			t.Errorf("json %v = %s, want %s", x, got, want)
		}
	}
	if got := string(appendJSONFloat(nil, math.NaN())); got != `"NaN"` {
		t.Errorf("json NaN = %s", got)
	}
}

func TestJSONEscape(t *testing.T) {
	rt := loadRepr(t)
	for _, c := range rt.Bytes {
		b, _ := hex.DecodeString(c[0])
		if got := string(AppendJSONBytes(nil, b)); got != c[1] {
			t.Errorf("bytes %x: got %s, Python says %s", b, got, c[1])
		}
	}
	for _, c := range rt.Texts {
		b, _ := hex.DecodeString(c[0])
		if got := string(AppendJSONString(nil, string(b))); got != c[1] {
			t.Errorf("text %q: got %s, Python says %s", b, got, c[1])
		}
	}
}

// x87 80-bit extended precision as libhdf5 describes it (H5T_NATIVE_LDOUBLE
// on x86-64): 16 bytes, precision 80, sign bit 79, exponent 64+15 with bias
// 16383, mantissa 0+64 with the leading bit stored.
var x87 = &hdf5.Datatype{Class: hdf5.ClassFloat, Size: 16, Precision: 80, SignLoc: 79,
	ExpLoc: 64, ExpSize: 15, ExpBias: 16383, MantLoc: 0, MantSize: 64, MantNorm: hdf5.NormMSBSet}

func TestLongDouble(t *testing.T) {
	rt := loadRepr(t)
	p, err := newPlan(x87)
	if err != nil {
		t.Fatal(err)
	}
	if p.outSize != 8 {
		t.Fatalf("long double packs to %d bytes, want 8", p.outSize)
	}
	for _, c := range rt.LongDoubles {
		var hx string
		var bits uint64
		json.Unmarshal(c[0], &hx)
		json.Unmarshal(c[1], &bits)
		b, _ := hex.DecodeString(hx)
		got := p.apply(nil, b)
		if g := binary.LittleEndian.Uint64(got); g != bits {
			t.Errorf("long double %s: got %016x (%v), numpy %016x (%v)", hx, g, math.Float64frombits(g), bits, math.Float64frombits(bits))
		}
	}
}

func TestHalf(t *testing.T) {
	rt := loadRepr(t)
	for _, c := range rt.Halves {
		if got := math.Float64bits(halfToFloat64(uint16(c[0]))); got != c[1] {
			t.Errorf("half %04x: got %016x, numpy %016x", c[0], got, c[1])
		}
	}
}

// TestBFloat16 checks the spec-stated conversion of a non-IEEE 16-bit float
// (bfloat16: sign 15, exponent 7+8 bias 127, mantissa 0+7) to binary32,
// which is exact: the bfloat16 bits are the top half of the binary32 bits.
func TestBFloat16(t *testing.T) {
	bf := &hdf5.Datatype{Class: hdf5.ClassFloat, Size: 2, Precision: 16, SignLoc: 15,
		ExpLoc: 7, ExpSize: 8, ExpBias: 127, MantLoc: 0, MantSize: 7, MantNorm: hdf5.NormImplied}
	p, err := newPlan(bf)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []uint16{0, 0x3f80, 0xbf80, 0x0001, 0x7f7f, 0x7f80, 0x4049, 0x8000} {
		got := p.apply(nil, []byte{byte(h), byte(h >> 8)})
		want := uint32(h) << 16
		if g := binary.LittleEndian.Uint32(got); g != want {
			t.Errorf("bfloat16 %04x: got %08x, want %08x", h, g, want)
		}
	}
}

// TestPackedInts checks the integer rule: precision bits from the bit
// offset, sign- or zero-extended, little-endian at the stored size.
func TestPackedInts(t *testing.T) {
	cases := []struct {
		t    *hdf5.Datatype
		in   []byte
		want []byte
	}{
		// 12-bit signed at offset 4 in 2 bytes: 0xF230 -> bits 4..15 = 0xF23 -> -221
		{&hdf5.Datatype{Class: hdf5.ClassInteger, Size: 2, Signed: true, Precision: 12, BitOffset: 4}, []byte{0x30, 0xf2}, []byte{0x23, 0xff}},
		{&hdf5.Datatype{Class: hdf5.ClassInteger, Size: 2, Signed: false, Precision: 12, BitOffset: 4}, []byte{0x30, 0xf2}, []byte{0x23, 0x0f}},
		{&hdf5.Datatype{Class: hdf5.ClassInteger, Size: 4, Signed: true, Precision: 32}, []byte{1, 2, 3, 4}, []byte{1, 2, 3, 4}},
		// 16-byte integer, 100 bits, signed, negative
		{&hdf5.Datatype{Class: hdf5.ClassInteger, Size: 16, Signed: true, Precision: 100},
			[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0, 0, 0},
			[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	}
	for i, c := range cases {
		p, err := newPlan(c.t)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.apply(nil, c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("case %d: got %x, want %x", i, got, c.want)
		}
	}
}

func TestStripString(t *testing.T) {
	cases := []struct {
		in   string
		pad  hdf5.StrPad
		want string
	}{
		{"ab\x00c\x00", hdf5.PadNullTerm, "ab"},
		{"ab\x00c\x00", hdf5.PadNull, "ab\x00c"},
		{"ab  \x00\x00", hdf5.PadSpace, "ab"},
		{"ab \x00 ", hdf5.PadSpace, "ab \x00"},
	}
	for _, c := range cases {
		if got := string(stripString([]byte(c.in), c.pad)); got != c.want {
			t.Errorf("strip(%q, %d) = %q, want %q", c.in, c.pad, got, c.want)
		}
	}
}

// TestPrefixSelection checks the README's prefix rule.
func TestPrefixSelection(t *testing.T) {
	cases := []struct {
		shape []uint64
		es    uint64
		want  [][2]uint64
	}{
		{[]uint64{1000, 1000}, 8, nil},
		// 2^30 x 8 bytes = 8 GiB, one dimension: 2^26/8 = 2^23 elements.
		{[]uint64{1 << 30}, 8, [][2]uint64{{0, 1 << 23}}},
		// (1, 16777217, 16777217) float64, as in the corpus.
		{[]uint64{1, 16777217, 16777217}, 8, [][2]uint64{{0, 1}, {0, 1}, {0, 8388608}}},
		{[]uint64{100000, 10000}, 8, [][2]uint64{{0, 838}, {0, 10000}}},
	}
	for _, c := range cases {
		if got := PrefixSelection(c.shape, c.es); !reflect.DeepEqual(got, c.want) {
			t.Errorf("PrefixSelection(%v, %d) = %v, want %v", c.shape, c.es, got, c.want)
		}
	}
}

// TestRegionRefDigest digests region references whose "all" selections
// target a null dataspace (no points), a scalar and a 3x4 dataset, against
// the json digest h5ref.py gives (hdf5/testdata/regionrefs.json, written by
// hdf5/testdata/gen_regionrefs.py).
func TestRegionRefDigest(t *testing.T) {
	raw, err := os.ReadFile("../../hdf5/testdata/regionrefs.json")
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		Method string `json:"digest_method"`
		SHA256 string `json:"sha256"`
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	f, err := hdf5.Open("../../hdf5/testdata/regionrefs.h5")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("/refs")
	if err != nil {
		t.Fatal(err)
	}
	dg, err := DigestDataset(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	if dg.Method != want.Method || dg.SHA256 != want.SHA256 {
		t.Errorf("digest %s %s, want %s %s", dg.Method, dg.SHA256, want.Method, want.SHA256)
	}
}
