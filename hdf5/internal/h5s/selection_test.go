package h5s

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

type fixtureCase struct {
	Name      string       `json:"name"`
	Shape     []uint64     `json:"shape"`
	Encoded   string       `json:"encoded"`
	SelOffset int          `json:"sel_offset"`
	Type      int          `json:"type"`
	NPoints   *uint64      `json:"npoints"`
	Bounds    [][]uint64   `json:"bounds"`
	Order     []uint64     `json:"order"`
	Blocks    [][][]uint64 `json:"blocks"`
	Points    [][]uint64   `json:"points"`
	Regular   [][]uint64   `json:"regular"`
}

func loadCases(t testing.TB) []fixtureCase {
	b, err := os.ReadFile("testdata/selections.json")
	if err != nil {
		t.Fatal(err)
	}
	var f struct{ Cases []fixtureCase }
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Cases
}

func (c fixtureCase) selBytes(t testing.TB) []byte {
	b, err := hex.DecodeString(c.Encoded)
	if err != nil {
		t.Fatal(err)
	}
	return b[c.SelOffset:]
}

// linear returns the C-order linear index of p in shape.
func linear(p []uint64, shape []uint64) uint64 {
	var off uint64
	for i := range shape {
		off = off*shape[i] + p[i]
	}
	return off
}

// TestLibhdf5Selections decodes selections libhdf5 serialized and checks
// them against what libhdf5 reports: type, points, blocks, regular
// parameters, bounds, element count, and the transfer order.
func TestLibhdf5Selections(t *testing.T) {
	for _, c := range loadCases(t) {
		t.Run(c.Name, func(t *testing.T) {
			b := c.selBytes(t)
			s, n, err := Decode(b, 0)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(b) {
				t.Errorf("consumed %d of %d bytes", n, len(b))
			}
			if int(s.Type) != c.Type {
				t.Fatalf("type %v, libhdf5 says %d", s.Type, c.Type)
			}
			if s.Type == SelPoints && !slices.EqualFunc(s.Points, c.Points, slices.Equal) {
				t.Errorf("points %v, want %v", s.Points, c.Points)
			}
			if c.Regular != nil && s.Regular {
				checkRegular(t, s, c.Regular)
			}
			if c.Regular != nil && !s.Regular {
				// libhdf5 1.10 writes bounded hyperslabs as block lists; the
				// blocks must still be the regular pattern's.
				if len(s.Blocks) == 0 {
					t.Errorf("no blocks")
				}
			}
			if c.Blocks != nil && !s.Regular && c.Regular == nil {
				// An irregular selection: libhdf5 lists the blocks it stored.
				if len(s.Blocks) != len(c.Blocks) {
					t.Fatalf("%d blocks, want %d", len(s.Blocks), len(c.Blocks))
				}
				for i, bl := range s.Blocks {
					if !slices.Equal(bl[0], c.Blocks[i][0]) || !slices.Equal(bl[1], c.Blocks[i][1]) {
						t.Errorf("block %d = %v, want %v", i, bl, c.Blocks[i])
					}
				}
			}
			if c.NPoints == nil {
				return // unlimited: checked in TestUnlimited
			}
			got, err := s.NumElements(c.Shape)
			if err != nil || got != *c.NPoints {
				t.Errorf("NumElements = %d, %v; want %d", got, err, *c.NPoints)
			}
			lo, hi, ok, err := s.Bounds(c.Shape)
			if err != nil {
				t.Fatal(err)
			}
			if (c.Bounds != nil) != ok || ok && (!slices.Equal(lo, c.Bounds[0]) || !slices.Equal(hi, c.Bounds[1])) {
				t.Errorf("bounds %v %v %v, want %v", lo, hi, ok, c.Bounds)
			}
			var order []uint64
			err = s.Walk(c.Shape, func(r Row) bool {
				p := append(slices.Clone(r.Prefix), 0)
				for k := uint64(0); k < r.N; k++ {
					p[len(p)-1] = r.Start + k
					order = append(order, linear(p, c.Shape))
				}
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(order, c.Order) && !(len(order) == 0 && len(c.Order) == 0) {
				t.Errorf("walk order %v, libhdf5 %v", order, c.Order)
			}
		})
	}
}

// checkRegular compares regular hyperslab parameters with libhdf5's. Where
// count is 1 the stride does not matter, and libhdf5 stores 1 for it while
// H5Sget_regular_hyperslab reports the one given.
func checkRegular(t *testing.T, s *Selection, want [][]uint64) {
	t.Helper()
	for d := range s.Start {
		if s.Start[d] != want[0][d] || s.Count[d] != want[2][d] || s.Block[d] != want[3][d] ||
			(s.Count[d] != 1 && s.Stride[d] != want[1][d]) {
			t.Errorf("dimension %d: start %d stride %d count %d block %d, want %v", d, s.Start[d], s.Stride[d], s.Count[d], s.Block[d], want)
		}
	}
}

// TestUnlimited checks the unlimited hyperslabs libhdf5 serialized (version
// 2, 8-byte fields) and clipping them.
func TestUnlimited(t *testing.T) {
	for _, c := range loadCases(t) {
		if c.NPoints != nil {
			continue
		}
		t.Run(c.Name, func(t *testing.T) {
			s, _, err := Decode(c.selBytes(t), 0)
			if err != nil {
				t.Fatal(err)
			}
			if s.Version != 2 || !s.Regular {
				t.Fatalf("version %d regular %v, want libhdf5's version 2 regular form", s.Version, s.Regular)
			}
			checkRegular(t, s, c.Regular)
			if s.UnlimDim() != 0 && s.UnlimDim() != 1 {
				t.Errorf("UnlimDim %d", s.UnlimDim())
			}
			if _, err := s.NumElements([]uint64{Unlimited, Unlimited}); err == nil {
				t.Errorf("no error counting an unlimited selection without a bound")
			}
		})
	}
	// slab_unlim_count: start (1,0) stride (4,1) count (U,1) block (2,7).
	// Clipped to 8 rows it takes rows 1,2,5,6; to 6 rows, rows 1,2,5.
	s := &Selection{Type: SelHyperslab, Rank: 2, Regular: true,
		Start: []uint64{1, 0}, Stride: []uint64{4, 1}, Count: []uint64{Unlimited, 1}, Block: []uint64{2, 7}}
	for _, tc := range []struct {
		clip uint64
		rows []uint64
	}{{8, []uint64{1, 2, 5, 6}}, {6, []uint64{1, 2, 5}}, {1, nil}, {0, nil}, {2, []uint64{1}}} {
		var rows []uint64
		s.Walk([]uint64{tc.clip, 7}, func(r Row) bool {
			if r.Start != 0 || r.N != 7 {
				t.Errorf("row %+v", r)
			}
			rows = append(rows, r.Prefix[0])
			return true
		})
		if !slices.Equal(rows, tc.rows) {
			t.Errorf("clip %d: rows %v, want %v", tc.clip, rows, tc.rows)
		}
		n, _ := s.NumElements([]uint64{tc.clip, 7})
		if n != uint64(len(tc.rows))*7 {
			t.Errorf("clip %d: %d elements", tc.clip, n)
		}
	}
}

// TestClipExtentMatch checks H5S_hyper_get_clip_extent_match's arithmetic on
// cases worked from libhdf5's definition: the virtual extent giving the
// virtual selection as many slices as the source selection holds inside
// the source extent.
func TestClipExtentMatch(t *testing.T) {
	reg := func(start, stride, count, block uint64) *Selection {
		return &Selection{Type: SelHyperslab, Rank: 1, Regular: true,
			Start: []uint64{start}, Stride: []uint64{stride}, Count: []uint64{count}, Block: []uint64{block}}
	}
	for _, tc := range []struct {
		v, s      *Selection
		srcExtent uint64
		want      uint64
	}{
		{reg(0, 1, 1, Unlimited), reg(0, 1, 1, Unlimited), 5, 5},   // whole to whole
		{reg(3, 1, 1, Unlimited), reg(0, 1, 1, Unlimited), 5, 8},   // offset in the VDS
		{reg(0, 1, 1, Unlimited), reg(2, 1, 1, Unlimited), 5, 3},   // offset in the source
		{reg(0, 1, 1, Unlimited), reg(2, 1, 1, Unlimited), 1, 0},   // source too small
		{reg(0, 10, Unlimited, 2), reg(0, 1, 1, Unlimited), 5, 21}, // 5 slices: blocks 0,1 full, 1 into block 2
		{reg(0, 10, Unlimited, 2), reg(0, 1, 1, Unlimited), 4, 12}, // 4 slices end at block 1's end
		{reg(0, 1, 1, Unlimited), reg(0, 4, Unlimited, 2), 9, 5},   // source rows 0,1,4,5,8
		{reg(0, 1, 1, Unlimited), reg(0, 4, Unlimited, 2), 7, 4},   // source rows 0,1,4,5
	} {
		got, err := tc.v.ClipExtentMatch(tc.s, tc.srcExtent)
		if err != nil || got != tc.want {
			t.Errorf("ClipExtentMatch(%v, %v, %d) = %d, %v; want %d", tc.v.Start, tc.s.Start, tc.srcExtent, got, err, tc.want)
		}
	}
}

func le32(b []byte, v ...uint32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// TestHandBuilt covers encodings libhdf5 1.10 does not write: point version
// 2 and hyperslab version 3 (libhdf5 1.12), laid out as H5Spoint.c and
// H5Shyper.c serialize them.
func TestHandBuilt(t *testing.T) {
	// points v2, encoding size 2, rank 2, 2 points (1,2) (3,4)
	pts := le32(nil, 1, 2)
	pts = append(pts, 2)
	pts = le32(pts, 2)
	pts = binary.LittleEndian.AppendUint16(pts, 2)
	for _, v := range []uint16{1, 2, 3, 4} {
		pts = binary.LittleEndian.AppendUint16(pts, v)
	}
	s, n, err := Decode(pts, 0)
	if err != nil || n != len(pts) || !slices.EqualFunc(s.Points, [][]uint64{{1, 2}, {3, 4}}, slices.Equal) {
		t.Errorf("points v2: %+v %d %v", s, n, err)
	}
	// hyperslab v3 regular, encoding size 4, rank 1: start 2 stride 5 count 3 block 2
	h := le32(nil, 2, 3)
	h = append(h, 1, 4)
	h = le32(h, 1, 2, 5, 3, 2)
	s, n, err = Decode(h, 0)
	if err != nil || n != len(h) || !s.Regular || s.Start[0] != 2 || s.Stride[0] != 5 || s.Count[0] != 3 || s.Block[0] != 2 {
		t.Fatalf("hyperslab v3 regular: %+v %d %v", s, n, err)
	}
	var got []uint64
	s.Walk([]uint64{100}, func(r Row) bool {
		for k := uint64(0); k < r.N; k++ {
			got = append(got, r.Start+k)
		}
		return true
	})
	if want := []uint64{2, 3, 7, 8, 12, 13}; !slices.Equal(got, want) {
		t.Errorf("walk %v, want %v", got, want)
	}
	// hyperslab v3 regular with 2- and 4-byte fields: an all-ones count or
	// block is H5S_UNLIMITED whatever the field size (H5S__hyper_deserialize).
	h = le32(nil, 2, 3)
	h = append(h, 1, 2)
	h = le32(h, 1)
	for _, v := range []uint16{3, 4, 0xffff, 2} {
		h = binary.LittleEndian.AppendUint16(h, v)
	}
	s, _, err = Decode(h, 0)
	if err != nil || s.Count[0] != Unlimited || s.Block[0] != 2 || s.UnlimDim() != 0 {
		t.Errorf("hyperslab v3 regular, 2-byte unlimited count: %+v %v", s, err)
	}
	h = le32(nil, 2, 3)
	h = append(h, 1, 4)
	h = le32(h, 1, 3, 1, 1, 0xffffffff)
	s, _, err = Decode(h, 0)
	if err != nil || s.Count[0] != 1 || s.Block[0] != Unlimited || s.UnlimDim() != 0 {
		t.Errorf("hyperslab v3 regular, 4-byte unlimited block: %+v %v", s, err)
	}
	// hyperslab v3 irregular, encoding size 8, rank 1, 2 blocks [5,6] [0,1]
	h = le32(nil, 2, 3)
	h = append(h, 0, 8)
	h = le32(h, 1)
	for _, v := range []uint64{2, 5, 6, 0, 1} {
		h = binary.LittleEndian.AppendUint64(h, v)
	}
	s, n, err = Decode(h, 0)
	if err != nil || n != len(h) || s.Regular || len(s.Blocks) != 2 {
		t.Fatalf("hyperslab v3 irregular: %+v %d %v", s, n, err)
	}
	got = got[:0]
	s.Walk([]uint64{Unlimited}, func(r Row) bool {
		for k := uint64(0); k < r.N; k++ {
			got = append(got, r.Start+k)
		}
		return true
	})
	if want := []uint64{0, 1, 5, 6}; !slices.Equal(got, want) { // C order, like libhdf5's span trees
		t.Errorf("walk %v, want %v", got, want)
	}
}

// TestHostile checks that bad encodings fail cleanly, with FormatError or
// UnsupportedError, and that huge counts are refused before allocation.
func TestHostile(t *testing.T) {
	cases := map[string][]byte{
		"empty":          nil,
		"bad type":       le32(nil, 9, 1),
		"all v2":         le32(nil, 3, 2, 0, 0),
		"points v3":      le32(nil, 1, 3),
		"huge points":    le32(nil, 1, 1, 0, 0, 2, 0xffffffff),
		"rank 0":         le32(nil, 1, 1, 0, 0, 0, 1),
		"rank 33":        le32(nil, 2, 1, 0, 0, 33, 1),
		"huge blocks":    le32(nil, 2, 1, 0, 0, 1, 0x7fffffff),
		"end < start":    le32(nil, 2, 1, 0, 0, 1, 1, 5, 4),
		"bad flags":      append(le32(nil, 2, 3), 2, 4),
		"bad enc":        append(le32(nil, 2, 3), 1, 3),
		"regular v1":     le32(nil, 2, 1, 0, 0, 1, 1),
		"truncated all":  le32(nil, 3, 1, 0),
		"regular trunc":  append(append(le32(nil, 2, 3), 1, 4), le32(nil, 1, 0, 1)...),
		"stride < block": append(append(le32(nil, 2, 3), 1, 4), le32(nil, 1, 0, 1, 3, 2)...),
	}
	for name, b := range cases {
		s, _, err := Decode(b, 0)
		if err == nil || s != nil {
			t.Errorf("%s: decoded %+v, %v", name, s, err)
			continue
		}
		var fe *binfmt.FormatError
		var ue *binfmt.UnsupportedError
		if !errors.As(err, &fe) && !errors.As(err, &ue) {
			t.Errorf("%s: error %T %v", name, err, err)
		}
	}
}

func FuzzSelection(f *testing.F) {
	for _, c := range loadCases(f) {
		f.Add(c.selBytes(f))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, n, err := Decode(b, 0)
		if err != nil {
			if s != nil {
				t.Fatal("selection with an error")
			}
			return
		}
		if n > len(b) {
			t.Fatalf("consumed %d of %d", n, len(b))
		}
		rank := s.Rank
		limit := make([]uint64, rank)
		for i := range limit {
			limit[i] = 16
		}
		cnt, err := s.NumElements(limit)
		if err != nil || cnt > 1<<16 {
			return
		}
		var seen uint64
		s.Walk(limit, func(r Row) bool {
			if r.Start+r.N > 16 {
				t.Fatalf("row %+v beyond the limit", r)
			}
			seen += r.N
			return true
		})
		if seen > cnt {
			t.Fatalf("walked %d elements, NumElements %d", seen, cnt)
		}
		s.Bounds(limit)
		s.MinExtent(rank)
		if s.UnlimDim() >= 0 {
			s.ClipExtentMatch(s, 10)
			s.UnlimBlock(3)
		}
	})
}
