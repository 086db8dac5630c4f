package hdf5

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"testing"
)

// TestRegionRefMethod checks that File.RegionRef, given each stored
// element, resolves what ReadRegionRefs does.
func TestRegionRefMethod(t *testing.T) {
	for _, name := range valueFiles {
		f := openValues(t, name)
		d := openDataset(t, f, "regionrefs")
		want, err := d.ReadRegionRefs(nil)
		must.NoError(t, err)
		raw, err := d.ReadAll()
		must.NoError(t, err)
		es := int(d.Datatype().Size)
		must.Len(t, raw, es*len(want))
		for i, w := range want {
			got, err := f.RegionRef(raw[i*es : (i+1)*es])
			must.NoError(t, err)
			check.Equal(t, w, got, "%s regionrefs[%d]", name, i)
		}
		_, err = f.RegionRef(raw[:es-1])
		check.Error(t, err)
	}
}

// TestRegionRefAll checks the point count of "all" selections against what
// h5py reads (testdata/regionrefs.json, from gen_regionrefs.py): none for a
// null dataspace, one for a scalar.
func TestRegionRefAll(t *testing.T) {
	raw, err := os.ReadFile("testdata/regionrefs.json")
	must.NoError(t, err)
	var fx struct {
		Value []map[string]any `json:"value"`
	}
	must.NoError(t, json.Unmarshal(raw, &fx))
	f := openValues(t, "testdata/regionrefs.h5")
	regs, err := openDataset(t, f, "refs").ReadRegionRefs(nil)
	must.NoError(t, err)
	must.Len(t, regs, len(fx.Value))
	for i, r := range regs {
		w := fx.Value[i]
		check.Equal(t, w["ref"], r.Path, "[%d]", i)
		check.Equal(t, w["sel_type"], r.SelType, "[%d]", i)
		check.Equal(t, fmt.Sprint(w["npoints"]), fmt.Sprint(r.NPoints), "[%d]", i)
	}
}

// TestDecodeSelectionPyfive decodes the region of pyfive's references.hdf5
// (h5py: hyperslab blocks [[0],[0]] and [[2],[2]], 2 points).
func TestDecodeSelectionPyfive(t *testing.T) {
	b, _ := hex.DecodeString("02000000010000000000000018000000010000000200000000000000000000000200000002000000")
	var r RegionRef
	must.NoError(t, decodeSelection(b, &r, 0))
	check.Equal(t, "hyperslab", r.SelType)
	check.Equal(t, uint64(2), r.NPoints)
	check.Equal(t, [][2][]uint64{{{0}, {0}}, {{2}, {2}}}, r.Blocks)
	for n := range len(b) {
		var r RegionRef
		check.Error(t, decodeSelection(b[:n], &r, 0), "%d bytes", n)
	}
}

// TestRegionUnlimited checks that a regular hyperslab with an unlimited
// count or block (all ones, whatever the field size, as libhdf5's
// H5S__hyper_deserialize reads it) is reported as unsupported in a region
// reference: it has no finite block list.
func TestRegionUnlimited(t *testing.T) {
	le := func(size int, v ...uint64) []byte {
		var b []byte
		for _, x := range v {
			for i := range size {
				b = append(b, byte(x>>(8*i)))
			}
		}
		return b
	}
	cases := map[string][]byte{
		"v3 2-byte count": append(append(le(4, 2, 3), 1, 2), append(le(4, 1), le(2, 0, 4, 0xffff, 2)...)...),
		"v3 4-byte block": append(append(le(4, 2, 3), 1, 4), le(4, 1, 0, 1, 1, 0xffffffff)...),
		"v2 8-byte count": append(append(le(4, 2, 2), 1), append(le(4, 0, 1), le(8, 0, 4, 1<<64-1, 2)...)...),
	}
	for name, b := range cases {
		var r RegionRef
		err := decodeSelection(b, &r, 0)
		var ue *UnsupportedError
		check.True(t, errors.As(err, &ue), "%s: %v", name, err)
	}
}
