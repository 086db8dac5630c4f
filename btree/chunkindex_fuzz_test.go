package btree

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// Chunk index fuzz input: byte 0 selects the sizes of offsets and lengths,
// byte 1 the rank (1-3), byte 2 the element size, byte 3 bit 0 the filter
// flag, bytes 4-11 the index address; then rank times a 4-byte dimension
// and a 2-byte chunk dimension; the rest is the in-memory file.
func idxFuzzParams(b []byte, typ uint8) (ChunkParams, bool) {
	if len(b) < 12 {
		return ChunkParams{}, false
	}
	w := []int{8, 4, 2}
	sizes := binfmt.Sizes{Offsets: w[int(b[0])%3], Lengths: w[int(b[0]/3)%3]}
	rank := 1 + int(b[1])%3
	p := ChunkParams{LayoutVersion: 4, IndexType: typ, ElemSize: uint32(b[2]), Filtered: b[3]&1 != 0,
		IndexAddr: binary.LittleEndian.Uint64(b[4:12])}
	b = b[12:]
	if len(b) < 6*rank {
		return ChunkParams{}, false
	}
	for d := range rank {
		p.Dims = append(p.Dims, uint64(binary.LittleEndian.Uint32(b[6*d:])))
		p.ChunkDims = append(p.ChunkDims, uint64(binary.LittleEndian.Uint16(b[6*d+4:])))
		p.MaxDims = append(p.MaxDims, p.Dims[d])
	}
	if typ == IndexExtArray {
		p.MaxDims[0] = ^uint64(0)
	}
	file := b[6*rank:]
	p.Src = &binfmt.Source{R: bytes.NewReader(file), Size: int64(len(file)), Sizes: sizes}
	return p, true
}

func idxFuzzSeed(f *testing.F, name string, typ uint8) {
	exp, data, _ := idxLoad(f, "idx_latest.h5")
	d := exp[name]
	hdr := make([]byte, 12)
	hdr[1] = byte(len(d.Dims) - 1)
	hdr[2] = byte(d.ElemSize)
	if d.Filtered {
		hdr[3] = 1
	}
	binary.LittleEndian.PutUint64(hdr[4:], d.IndexAddr)
	for i := range d.Dims {
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(d.Dims[i]))
		hdr = binary.LittleEndian.AppendUint16(hdr, uint16(d.Chunk[i]))
	}
	f.Add(append(hdr, data...))
}

// fuzzIndex opens and walks an index from arbitrary bytes: no panic, no
// hang; an error comes alone (zero ChunkInfo), once, and ends the walk; every
// chunk listed is found again by Lookup.
func fuzzIndex(t *testing.T, p ChunkParams) {
	idx, err := OpenChunkIndex(p)
	if err != nil {
		if idx != nil {
			t.Fatal("error with a non-nil index")
		}
		return
	}
	n, errs := 0, 0
	for ci, err := range idx.Chunks() {
		n++
		if err != nil {
			errs++
			if ci.Addr != 0 || ci.Offset != nil || ci.Size != 0 {
				t.Fatalf("error with a value: %+v", ci)
			}
			continue
		}
		if errs > 0 {
			t.Fatal("walk went on after an error")
		}
		got, ok, err := idx.Lookup(ci.Offset)
		if err != nil || !ok || got.Addr != ci.Addr {
			t.Fatalf("Lookup(%v) = %+v %v %v, listed %+v", ci.Offset, got, ok, err, ci)
		}
	}
	if errs > 1 {
		t.Fatalf("%d errors yielded", errs)
	}
	_, _, _ = idx.Lookup(make([]uint64, len(p.Dims)))
}

func FuzzFixedArray(f *testing.F) {
	if _, err := os.Stat("testdata/idx_latest.h5"); err == nil {
		for _, name := range []string{"fa", "fa_3d_gzip", "fa_paged", "fa_paged_gzip"} {
			idxFuzzSeed(f, name, IndexFixedArray)
		}
	}
	hdr := faHeaderBytes(1, 14, 1, 5, 28)
	f.Add(append([]byte{0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 0, 2, 0}, hdr...))
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, ok := idxFuzzParams(b, IndexFixedArray); ok {
			fuzzIndex(t, p)
		}
	})
}

func FuzzExtensibleArray(f *testing.F) {
	if _, err := os.Stat("testdata/idx_latest.h5"); err == nil {
		for _, name := range []string{"ea", "ea_gzip", "ea_2d", "ea_3d_gzip"} {
			idxFuzzSeed(f, name, IndexExtArray)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, ok := idxFuzzParams(b, IndexExtArray); ok {
			fuzzIndex(t, p)
		}
	})
}
