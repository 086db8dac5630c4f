package btree

import (
	"bytes"
	"encoding/binary"
	"os"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// Fuzz input layout: byte 0 selects the sizes of offsets and lengths, byte 1
// the dimensionality (v1 chunk keys) or rank (v2 chunk records), bytes 2-9
// the root address (little-endian), and the rest is the in-memory file.
func fuzzSource(b []byte) (*binfmt.Source, int, uint64, bool) {
	if len(b) < 10 {
		return nil, 0, 0, false
	}
	w := []int{8, 4, 2}
	sizes := binfmt.Sizes{Offsets: w[int(b[0])%3], Lengths: w[int(b[0]/3)%3]}
	file := b[10:]
	src := &binfmt.Source{R: bytes.NewReader(file), Size: int64(len(file)), Sizes: sizes}
	return src, int(b[1]), binary.LittleEndian.Uint64(b[2:10]), true
}

func fuzzSeed(f *testing.F, name string, sizes byte, dims byte, addr uint64) {
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		f.Fatal(err)
	}
	hdr := make([]byte, 10)
	hdr[0], hdr[1] = sizes, dims
	binary.LittleEndian.PutUint64(hdr[2:], addr)
	f.Add(append(hdr, data...))
}

// FuzzV1Node decodes version 1 B-trees and symbol table nodes from arbitrary
// bytes: no panic, no hang, an error is yielded once with a zero value and
// ends the walk.
func FuzzV1Node(f *testing.F) {
	load(f, "chunks_v1.h5") // fills expected
	for _, name := range []string{"chunks_v1.h5", "chunks_v1_3d.h5"} {
		e := expected[name]
		fuzzSeed(f, name, 0, byte(e.NDims), e.BTree)
	}
	fuzzSeed(f, "group_v1.h5", 0, 1, 136)
	f.Fuzz(func(t *testing.T, b []byte) {
		src, dims, addr, ok := fuzzSource(b)
		if !ok {
			return
		}
		failed := false
		for a, err := range V1GroupNodes(src, addr) {
			if failed {
				t.Fatal("yield after error")
			}
			if err != nil {
				failed = true
				if a != 0 {
					t.Fatal("error with a value")
				}
				continue
			}
			if ents, err := ReadSymbolNode(src, a); err != nil && ents != nil {
				t.Fatal("error with entries")
			}
		}
		failed = false
		for c, err := range V1Chunks(src, addr, dims) {
			if failed {
				t.Fatal("yield after error")
			}
			if err != nil {
				failed = true
				if c.Offsets != nil {
					t.Fatal("error with a value")
				}
			}
		}
		if ents, err := ReadSymbolNode(src, addr); err != nil && ents != nil {
			t.Fatal("error with entries")
		}
	})
}

// FuzzV2Node opens a version 2 B-tree from arbitrary bytes, walks and searches
// it and decodes every record with every decoder.
func FuzzV2Node(f *testing.F) {
	load(f, "dense_attrs.h5")
	for _, name := range []string{"dense_attrs.h5", "chunks_v2_filtered.h5"} {
		for _, tr := range expected[name].Trees {
			fuzzSeed(f, name, 0, 2, tr.Addr)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		src, rank, addr, ok := fuzzSource(b)
		if !ok {
			return
		}
		tr, err := OpenV2(src, addr)
		if err != nil {
			if tr != nil {
				t.Fatal("error with a tree")
			}
			return
		}
		failed := false
		for rec, err := range tr.Records() {
			if failed {
				t.Fatal("yield after error")
			}
			if err != nil {
				failed = true
				if rec != nil {
					t.Fatal("error with a record")
				}
				continue
			}
			if len(rec) != int(tr.RecordSize) {
				t.Fatalf("record of %d bytes, want %d", len(rec), tr.RecordSize)
			}
			for typ := uint8(1); typ <= 4; typ++ {
				_, _ = DecodeHugeObject(rec, typ, src.Sizes)
			}
			_, _ = DecodeLinkName(rec)
			_, _ = DecodeLinkOrder(rec)
			_, _ = DecodeSharedMsg(rec, src.Sizes)
			_, _ = DecodeAttrName(rec)
			_, _ = DecodeAttrOrder(rec)
			for _, typ := range []uint8{V2Chunk, V2ChunkFiltered} {
				if r, err := DecodeChunkRecord(rec, typ, rank, 1+rank%8, src.Sizes); err != nil && r.Scaled != nil {
					t.Fatal("error with a chunk record")
				}
			}
		}
		key := byte(0)
		if len(b) > 10 {
			key = b[10]
		}
		_, _, _ = tr.Search(func(rec []byte) int {
			if len(rec) == 0 {
				return 0
			}
			return int(key) - int(rec[0])
		})
	})
}
