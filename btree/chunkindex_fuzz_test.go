package btree

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"sync"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// Chunk index fuzz input: byte 0 selects the sizes of offsets and lengths,
// byte 1 the rank (1-3), byte 2 the element size, byte 3 bit 0 the filter
// flag, bytes 4-11 the index address; then rank times a 4-byte dimension
// and a 2-byte chunk dimension; then the file, as a sparse list of
// segments (4-byte address, 2-byte length, the bytes), zeros elsewhere. The
// seeds hold only the bytes a walk of a real index reads, which keeps them
// small enough to mutate quickly.
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
	sr := &sparseReader{}
	for b = b[6*rank:]; len(b) >= 6; {
		at, n := int64(binary.LittleEndian.Uint32(b)), int(binary.LittleEndian.Uint16(b[4:]))
		b = b[6:]
		n = min(n, len(b))
		if at+int64(n) > maxFuzzFile {
			// A multi-gigabyte virtual file may legitimately hold
			// gigabyte-sized structures; keep the fuzzer fast instead.
			return ChunkParams{}, false
		}
		sr.segs = append(sr.segs, sparseSeg{at, b[:n]})
		sr.size = max(sr.size, at+int64(n))
		b = b[n:]
	}
	p.Src = &binfmt.Source{R: sr, Size: sr.size, Sizes: sizes}
	return p, true
}

// maxFuzzFile caps the size of the sparse file a fuzz input describes.
const maxFuzzFile = 1 << 20

type sparseSeg struct {
	at int64
	b  []byte
}

// sparseReader is a file of zeros with some segments of data.
type sparseReader struct {
	segs []sparseSeg
	size int64
}

func (s *sparseReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= s.size {
		return 0, io.EOF
	}
	n := min(int64(len(p)), s.size-off)
	clear(p[:n])
	for _, g := range s.segs {
		lo, hi := max(g.at, off), min(g.at+int64(len(g.b)), off+n)
		if lo < hi {
			copy(p[lo-off:hi-off], g.b[lo-g.at:hi-g.at])
		}
	}
	if n < int64(len(p)) {
		return int(n), io.EOF
	}
	return int(n), nil
}

// recordingReader notes every range read through it.
type recordingReader struct {
	r     io.ReaderAt
	mu    sync.Mutex
	spans [][2]int64
}

func (r *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	r.spans = append(r.spans, [2]int64{off, int64(len(p))})
	r.mu.Unlock()
	return r.r.ReadAt(p, off)
}

// idxFuzzSeed encodes a fixture dataset's index as a fuzz input holding
// only the bytes that walking it reads.
func idxFuzzSeed(f *testing.F, name string, typ uint8) {
	exp, data, src := idxLoad(f, "idx_latest.h5")
	d := exp[name]
	rec := &recordingReader{r: bytes.NewReader(data)}
	rs := *src
	rs.R = rec
	if err := idxWalkParams(d.params(&rs)); err != nil {
		f.Fatal(err)
	}
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
	for _, s := range rec.spans {
		for at, n := s[0], s[1]; n > 0; {
			k := min(n, 0xffff)
			hdr = binary.LittleEndian.AppendUint32(hdr, uint32(at))
			hdr = binary.LittleEndian.AppendUint16(hdr, uint16(k))
			hdr = append(hdr, data[at:at+k]...)
			at, n = at+k, n-k
		}
	}
	// The walk must still succeed on the sparse copy.
	p, _ := idxFuzzParams(hdr, typ)
	p.MaxDims = d.MaxDims
	if err := idxWalkParams(p); err != nil {
		f.Fatalf("%s: sparse seed: %v", name, err)
	}
	f.Add(hdr)
}

func idxWalkParams(p ChunkParams) error {
	idx, err := OpenChunkIndex(p)
	if err != nil {
		return err
	}
	for _, err := range idx.Chunks() {
		if err != nil {
			return err
		}
	}
	return nil
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

func haveIdxFixtures() bool {
	_, err := os.Stat("testdata/idx_latest.h5")
	return err == nil
}

func FuzzFixedArray(f *testing.F) {
	if haveIdxFixtures() {
		for _, name := range []string{"fa", "fa_3d_gzip", "fa_paged", "fa_paged_gzip"} {
			idxFuzzSeed(f, name, IndexFixedArray)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if p, ok := idxFuzzParams(b, IndexFixedArray); ok {
			fuzzIndex(t, p)
		}
	})
}

func FuzzExtensibleArray(f *testing.F) {
	if haveIdxFixtures() {
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
