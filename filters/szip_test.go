package filters

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures come from testdata/gen_szip.py: chunks written by libhdf5
// 1.10.8 with libaec's szip layer, with each decoded chunk's sha256 taken
// from an unfiltered copy of the same data and chunking.

type szipFixtureChunk struct {
	File   string `json:"file"`
	Mask   uint32 `json:"mask"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

type szipFixtureDataset struct {
	Name     string `json:"name"`
	DType    string `json:"dtype"`
	Pipeline []struct {
		ID     uint16   `json:"id"`
		Flags  uint32   `json:"flags"`
		Params []uint32 `json:"params"`
	} `json:"pipeline"`
	Chunks []szipFixtureChunk `json:"chunk_list"`
}

type szipFixture struct {
	ds    *szipFixtureDataset
	chunk szipFixtureChunk
	raw   []byte
}

func loadSzipFixtures(tb testing.TB) []szipFixture {
	tb.Helper()
	dir := filepath.Join("testdata", "szip")
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var m struct {
		Datasets []szipFixtureDataset `json:"datasets"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		tb.Fatal(err)
	}
	var out []szipFixture
	for i := range m.Datasets {
		ds := &m.Datasets[i]
		if len(ds.Pipeline) != 1 || ds.Pipeline[0].ID != IDSzip {
			tb.Fatalf("%s: unexpected pipeline %+v", ds.Name, ds.Pipeline)
		}
		for _, c := range ds.Chunks {
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				tb.Fatal(err)
			}
			out = append(out, szipFixture{ds: ds, chunk: c, raw: raw})
		}
	}
	if len(out) == 0 {
		tb.Fatal("no szip fixtures")
	}
	return out
}

func szipSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func TestSzipFixtures(t *testing.T) {
	f, ok := Lookup(IDSzip)
	if !ok {
		t.Fatal("szip not registered")
	}
	decoded := 0
	for _, fx := range loadSzipFixtures(t) {
		params := fx.ds.Pipeline[0].Params
		if fx.chunk.Mask&1 != 0 {
			// libhdf5 stored the chunk without SZIP: it is the data itself,
			// and the pipeline must pass it through.
			p := Pipeline{{ID: IDSzip, Optional: true, Params: params}}
			out, _, _, err := p.Decode(fx.raw, fx.chunk.Mask, fx.chunk.Size, nil, nil)
			if err != nil || szipSum(out) != fx.chunk.SHA256 {
				t.Errorf("%s: masked chunk mismatch (err %v)", fx.chunk.File, err)
			}
			continue
		}
		out, err := f.Decode(nil, fx.raw, params, fx.chunk.Size)
		if err != nil {
			t.Errorf("%s (%s, params %v): %v", fx.chunk.File, fx.ds.DType, params, err)
			continue
		}
		if len(out) != fx.chunk.Size || szipSum(out) != fx.chunk.SHA256 {
			t.Errorf("%s (%s, params %v): decoded %d bytes, sha256 mismatch", fx.chunk.File, fx.ds.DType, params, len(out))
			continue
		}
		decoded++
		// Reuse of a dirty destination buffer gives the same bytes.
		dirty := bytes.Repeat([]byte{0xA5}, fx.chunk.Size+7)
		out2, err := f.Decode(dirty, fx.raw, params, fx.chunk.Size)
		if err != nil || szipSum(out2) != fx.chunk.SHA256 {
			t.Errorf("%s: decode into reused buffer differs (err %v)", fx.chunk.File, err)
		}
		// One byte less of limit must fail with ErrTooLarge.
		if fx.chunk.Size > 0 {
			if _, err := f.Decode(nil, fx.raw, params, fx.chunk.Size-1); !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: limit-1 gave %v, want ErrTooLarge", fx.chunk.File, err)
			}
		}
		// A truncated stream must fail, never return short data.
		if len(fx.raw) > 8 {
			if out, err := f.Decode(nil, fx.raw[:len(fx.raw)/2], params, fx.chunk.Size); err == nil {
				t.Errorf("%s: truncated stream decoded to %d bytes without error", fx.chunk.File, len(out))
			}
		}
	}
	if decoded < 80 {
		t.Errorf("only %d chunks decoded", decoded)
	}
}

// TestSzipHeader checks the framing: the 4-byte size is little-endian, and a
// declared size above the limit is refused before any decoding.
func TestSzipHeader(t *testing.T) {
	f := szipFilter{}
	params := []uint32{szipNN | szipLSB | szipRaw | szipAllowK13, 8, 8, 8}
	// One block of 8 bytes, no compression: ID 111 then the reference and
	// 7 more raw samples (uncoded, so the predictor does not apply to the
	// reference; the other residuals are mapped values).
	src := []byte{8, 0, 0, 0}
	bw := &szipBitWriter{}
	bw.put(7, 3)
	bw.put(100, 8) // reference
	for _, d := range []uint32{0, 2, 1, 4, 3, 0, 200} {
		bw.put(d, 8)
	}
	src = append(src, bw.bytes()...)
	out, err := f.Decode(nil, src, params, 8)
	if err != nil {
		t.Fatal(err)
	}
	// Mapping (CCSDS 121.0-B-3, 4.3): even d adds d/2, odd subtracts
	// (d+1)/2 while d <= 2θ; beyond, x = d near 0 or xmax-d near xmax.
	want := []byte{100, 100, 101, 100, 102, 100, 100, 200}
	if !bytes.Equal(out, want) {
		t.Fatalf("got %v, want %v", out, want)
	}
	big := append([]byte{}, src...)
	binary.LittleEndian.PutUint32(big, 1<<31)
	if _, err := f.Decode(nil, big, params, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("huge size: %v", err)
	}
	for _, bad := range [][]uint32{nil, {0, 7, 8, 8}, {0, 0, 8, 8}, {0, 8, 0, 8}, {0, 8, 33, 8}, {0, 8, 8, 0}, {0, 66, 8, 66}} {
		if _, err := f.Decode(nil, src, bad, 8); !errors.Is(err, ErrCorrupt) {
			t.Errorf("params %v: %v", bad, err)
		}
	}
	if _, err := f.Decode(nil, src[:3], params, 8); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short chunk: %v", err)
	}
}

// TestSzipCodes builds streams by hand for options libhdf5's encoder rarely
// picks: second extension with and without a reference, zero-block runs with
// the remainder-of-segment code, and the restricted ID set.
func TestSzipCodes(t *testing.T) {
	t.Run("second extension", func(t *testing.T) {
		// No preprocessing, J=8: four pairs. Pair (a,b) codes as
		// m = (a+b)(a+b+1)/2 + b (CCSDS 121.0-B-3, 3.4.4).
		pairs := [][2]uint32{{0, 0}, {1, 2}, {3, 0}, {0, 4}}
		bw := &szipBitWriter{}
		bw.put(0, 3)
		bw.put(1, 1)
		var want []byte
		for _, p := range pairs {
			s := p[0] + p[1]
			bw.fs(s*(s+1)/2 + p[1])
			want = append(want, byte(p[0]), byte(p[1]))
		}
		cfg := aecConfig{bitsPerSample: 8, bytesPerSample: 1, blockSize: 8, rsi: 1, keep: 8}
		out, err := aecDecode(nil, bw.bytes(), cfg, 8)
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("got %v %v, want %v", out, err, want)
		}
		// With a reference: the first pair holds only its second value.
		bw = &szipBitWriter{}
		bw.put(0, 3)
		bw.put(1, 1)
		bw.put(50, 8)
		bw.fs(2*3/2 + 2) // (0,2): +1
		for i := 0; i < 3; i++ {
			bw.fs(0)
		}
		cfg.preprocess = true
		out, err = aecDecode(nil, bw.bytes(), cfg, 8)
		want = []byte{50, 51, 51, 51, 51, 51, 51, 51}
		if err != nil || !bytes.Equal(out, want) {
			t.Fatalf("ref: got %v %v, want %v", out, err, want)
		}
	})
	t.Run("zero blocks", func(t *testing.T) {
		// 16-bit samples, J=8, 70 blocks per RSI: a 3-block run (FS 2), one
		// split block with k=0, then ROS: up to the 64-block segment end
		// (60 blocks), then ROS again: the RSI's remaining 6 blocks.
		cfg := aecConfig{bitsPerSample: 16, bytesPerSample: 2, msb: true, blockSize: 8, rsi: 70, keep: 560}
		bw := &szipBitWriter{}
		bw.put(0, 4)
		bw.put(0, 1)
		bw.fs(2)
		bw.put(1, 4) // k=0
		for i := uint32(0); i < 8; i++ {
			bw.fs(i)
		}
		bw.put(0, 4)
		bw.put(0, 1)
		bw.fs(aecROS)
		bw.put(0, 4)
		bw.put(0, 1)
		bw.fs(aecROS)
		out, err := aecDecode(nil, bw.bytes(), cfg, 560*2)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, 1120)
		for i := 0; i < 8; i++ {
			want[48+2*i+1] = byte(i)
		}
		if !bytes.Equal(out, want) {
			t.Fatalf("mismatch: %v", out[40:70])
		}
		// A run longer than the RSI is corrupt.
		bw = &szipBitWriter{}
		bw.put(0, 4)
		bw.put(0, 1)
		bw.fs(71)
		if _, err := aecDecode(nil, bw.bytes(), cfg, 1120); !errors.Is(err, errAECZeroRun) {
			t.Fatalf("long run: %v", err)
		}
	})
	t.Run("3-byte samples", func(t *testing.T) {
		// libaec's 3-byte sample layout (24-bit samples, no compression).
		bw := &szipBitWriter{}
		bw.put(31, 5)
		bw.put(0x123456, 24)
		bw.put(0xABCDEF, 24)
		for _, msb := range []bool{true, false} {
			cfg := aecConfig{bitsPerSample: 24, bytesPerSample: 3, msb: msb, blockSize: 2, rsi: 1, keep: 2}
			out, err := aecDecode(nil, bw.bytes(), cfg, 6)
			want := []byte{0x56, 0x34, 0x12, 0xEF, 0xCD, 0xAB}
			if msb {
				want = []byte{0x12, 0x34, 0x56, 0xAB, 0xCD, 0xEF}
			}
			if err != nil || !bytes.Equal(out, want) {
				t.Fatalf("msb %v: got %x %v", msb, out, err)
			}
		}
	})
	t.Run("restricted", func(t *testing.T) {
		// 2-bit samples: ID length 1, so ID 1 means no compression.
		cfg := aecConfig{bitsPerSample: 2, bytesPerSample: 1, blockSize: 4, rsi: 1, keep: 4, restricted: true}
		bw := &szipBitWriter{}
		bw.put(1, 1)
		for _, v := range []uint32{3, 0, 2, 1} {
			bw.put(v, 2)
		}
		out, err := aecDecode(nil, bw.bytes(), cfg, 4)
		if err != nil || !bytes.Equal(out, []byte{3, 0, 2, 1}) {
			t.Fatalf("got %v %v", out, err)
		}
		// 4-bit samples: ID length 2, ID 2 is k=1.
		cfg.bitsPerSample = 4
		bw = &szipBitWriter{}
		bw.put(2, 2)
		for _, v := range []uint32{7, 0, 4, 1} {
			bw.fs(v >> 1)
		}
		for _, v := range []uint32{7, 0, 4, 1} {
			bw.put(v&1, 1)
		}
		out, err = aecDecode(nil, bw.bytes(), cfg, 4)
		if err != nil || !bytes.Equal(out, []byte{7, 0, 4, 1}) {
			t.Fatalf("got %v %v", out, err)
		}
	})
}

// szipBitWriter writes MSB-first bit strings for hand-made streams.
type szipBitWriter struct {
	buf  []byte
	nbit uint
}

func (w *szipBitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		if w.nbit%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>uint(i)&1 != 0 {
			w.buf[len(w.buf)-1] |= 0x80 >> (w.nbit % 8)
		}
		w.nbit++
	}
}

func (w *szipBitWriter) fs(m uint32) {
	for ; m > 0; m-- {
		w.put(0, 1)
	}
	w.put(1, 1)
}

func (w *szipBitWriter) bytes() []byte { return w.buf }

func FuzzSzip(f *testing.F) {
	for _, fx := range loadSzipFixtures(f) {
		if fx.chunk.Mask == 0 {
			p := fx.ds.Pipeline[0].Params
			f.Add(fx.raw, p[0], p[1], p[2], p[3])
		}
	}
	f.Fuzz(func(t *testing.T, src []byte, mask, ppb, bpp, pps uint32) {
		const limit = 1 << 16
		out, err := szipFilter{}.Decode(nil, src, []uint32{mask, ppb, bpp, pps}, limit)
		if err != nil {
			if out != nil {
				t.Fatal("error with a non-nil result")
			}
			return
		}
		if len(out) > limit {
			t.Fatalf("output %d bytes over limit", len(out))
		}
		if len(src) >= 4 && len(out) != int(binary.LittleEndian.Uint32(src)) {
			t.Fatalf("output %d bytes, header says %d", len(out), binary.LittleEndian.Uint32(src))
		}
	})
}

func BenchmarkSzip(b *testing.B) {
	fxs := loadSzipFixtures(b)
	for _, name := range []string{"i2long_nn8", "i2long_ec32", "u2zero_nn32", "f4_nn8", "f8_nn16", "u4p24_nn16"} {
		var set []szipFixture
		total := 0
		for _, fx := range fxs {
			if fx.ds.Name == name && fx.chunk.Mask == 0 {
				set = append(set, fx)
				total += fx.chunk.Size
			}
		}
		if len(set) == 0 {
			b.Fatalf("no fixture %s", name)
		}
		b.Run(name, func(b *testing.B) {
			var buf []byte
			b.SetBytes(int64(total))
			b.ReportAllocs()
			for b.Loop() {
				for _, fx := range set {
					var err error
					buf, err = szipFilter{}.Decode(buf, fx.raw, fx.ds.Pipeline[0].Params, fx.chunk.Size)
					if err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestSzipCorpus decodes the SZIP chunks of real-world files in the shared
// corpus (written by libhdf5 with the original SZIP library as well as with
// libaec) and compares each whole dataset's digest with libhdf5's. It skips
// when the corpus is absent.
func TestSzipCorpus(t *testing.T) {
	root := filepath.Join("..", "..", "shared", "corpus")
	ref, err := os.ReadFile(filepath.Join(root, "reference.jsonl"))
	if err != nil {
		t.Skip("corpus absent")
	}
	type chunkRef struct {
		Offset []int  `json:"offset"`
		Mask   uint32 `json:"filter_mask"`
		Addr   int64  `json:"addr"`
		Size   int    `json:"size"`
	}
	type dsRef struct {
		Kind    string `json:"kind"`
		File    string `json:"file"`
		Path    string `json:"path"`
		Shape   []int  `json:"shape"`
		Chunks  []int  `json:"chunks"`
		Filters []struct {
			ID     uint16   `json:"id"`
			Flags  uint32   `json:"flags"`
			Params []uint32 `json:"cd_values"`
		} `json:"filters"`
		ChunkList []chunkRef `json:"chunk_list"`
		Method    string     `json:"digest_method"`
		SHA256    string     `json:"sha256"`
		Fill      any        `json:"fillvalue"`
		H5Type    struct {
			Size  int    `json:"size"`
			Order string `json:"order"`
		} `json:"h5type"`
	}
	n := 0
	for _, line := range bytes.Split(ref, []byte("\n")) {
		if !bytes.Contains(line, []byte(`"id":4,`)) || !bytes.HasPrefix(line, []byte(`{"kind":"dataset"`)) {
			continue
		}
		var d dsRef
		if err := json.Unmarshal(line, &d); err != nil {
			t.Fatal(err)
		}
		if d.Method != "bytes-le-packed" || d.Fill != float64(0) && d.Fill != nil && len(d.ChunkList) < szipChunkCount(d.Shape, d.Chunks) {
			continue
		}
		file, err := os.ReadFile(filepath.Join(root, "files", d.File))
		if err != nil {
			t.Errorf("%s: %v", d.File, err)
			continue
		}
		var p Pipeline
		for _, f := range d.Filters {
			p = append(p, Stage{ID: f.ID, Optional: f.Flags&1 != 0, Params: f.Params})
		}
		es := d.H5Type.Size
		chunkBytes := es
		for _, c := range d.Chunks {
			chunkBytes *= c
		}
		total := es
		for _, s := range d.Shape {
			total *= s
		}
		data := make([]byte, total)
		for _, c := range d.ChunkList {
			if c.Addr < 0 || c.Addr+int64(c.Size) > int64(len(file)) {
				t.Fatalf("%s %s: chunk outside file", d.File, d.Path)
			}
			out, _, _, err := p.Decode(file[c.Addr:c.Addr+int64(c.Size)], c.Mask, chunkBytes, nil, nil)
			if err != nil {
				t.Errorf("%s %s chunk %v: %v", d.File, d.Path, c.Offset, err)
				continue
			}
			if len(out) != chunkBytes {
				t.Errorf("%s %s chunk %v: %d bytes, want %d", d.File, d.Path, c.Offset, len(out), chunkBytes)
				continue
			}
			szipScatter(data, out, d.Shape, d.Chunks, c.Offset, es)
		}
		if d.H5Type.Order == "be" {
			for i := 0; i+es <= len(data); i += es {
				for a, b := i, i+es-1; a < b; a, b = a+1, b-1 {
					data[a], data[b] = data[b], data[a]
				}
			}
		}
		if got := szipSum(data); got != d.SHA256 {
			t.Errorf("%s %s: sha256 %s, want %s", d.File, d.Path, got, d.SHA256)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no SZIP datasets found in the corpus reference")
	}
	t.Logf("%d corpus datasets", n)
}

func szipChunkCount(shape, chunks []int) int {
	n := 1
	for i := range shape {
		n *= (shape[i] + chunks[i] - 1) / chunks[i]
	}
	return n
}

// szipScatter copies a decoded chunk at offset into the row-major dataset.
func szipScatter(data, chunk []byte, shape, chunks, offset []int, es int) {
	nd := len(shape)
	idx := make([]int, nd)
	for {
		// idx is a position within the chunk; copy its last-dimension run.
		ok := true
		di, ci := 0, 0
		for k := 0; k < nd; k++ {
			p := offset[k] + idx[k]
			if p >= shape[k] {
				ok = false
			}
			di = di*shape[k] + p
			ci = ci*chunks[k] + idx[k]
		}
		if ok {
			run := min(chunks[nd-1], shape[nd-1]-offset[nd-1])
			copy(data[di*es:(di+run)*es], chunk[ci*es:(ci+run)*es])
		}
		k := nd - 2
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < chunks[k] {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return
		}
	}
}
