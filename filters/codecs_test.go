package filters

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The fixtures come from testdata/gen_g1.py: chunks written by libhdf5 (and
// its plugins) with the decoded bytes' sha256 taken from an unfiltered copy.

type fixtureStage struct {
	ID     uint16   `json:"id"`
	Flags  uint32   `json:"flags"`
	Params []uint32 `json:"params"`
	Name   string   `json:"name"`
}

type fixtureChunk struct {
	File   string `json:"file"`
	Mask   uint32 `json:"mask"`
	Size   int    `json:"size"`
	SHA256 string `json:"sha256"`
}

type fixtureDataset struct {
	Name     string         `json:"name"`
	DType    string         `json:"dtype"`
	ElemSize int            `json:"elem_size"`
	Pipeline []fixtureStage `json:"pipeline"`
	Chunks   []fixtureChunk `json:"chunk_list"`
}

type fixtureChunkData struct {
	ds    *fixtureDataset
	chunk fixtureChunk
	raw   []byte
}

func loadFixtures(t testing.TB, dir string) []fixtureChunkData {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Datasets []fixtureDataset `json:"datasets"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out []fixtureChunkData
	for i := range m.Datasets {
		ds := &m.Datasets[i]
		for _, c := range ds.Chunks {
			raw, err := os.ReadFile(filepath.Join("testdata", dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fixtureChunkData{ds: ds, chunk: c, raw: raw})
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures in %s", dir)
	}
	return out
}

func (f fixtureChunkData) pipeline() Pipeline {
	p := make(Pipeline, len(f.ds.Pipeline))
	for i, s := range f.ds.Pipeline {
		p[i] = Stage{ID: s.ID, Name: s.Name, Optional: s.Flags&1 != 0, Params: s.Params}
	}
	return p
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

var fixtureDirs = []struct {
	dir string
	id  uint16
}{
	{"deflate", IDDeflate},
	{"shuffle", IDShuffle},
	{"fletcher32", IDFletcher32},
	{"lzf", IDLZF},
	{"lz4", IDLZ4},
	{"bzip2", IDBzip2},
	{"zstd", IDZstd},
	{"bitshuffle", IDBitshuffle},
	{"bitshuffle_zstd", IDBitshuffle}, // built by gen_g1.py, see there
}

// TestFixtures decodes every libhdf5-written chunk with its single filter and
// compares the sha256 of the result with the libhdf5 expectation.
func TestFixtures(t *testing.T) {
	for _, fd := range fixtureDirs {
		t.Run(fd.dir, func(t *testing.T) {
			f, ok := Lookup(fd.id)
			if !ok {
				t.Fatalf("filter %d not registered", fd.id)
			}
			decoded, skipped := 0, 0
			for _, fx := range loadFixtures(t, fd.dir) {
				st := fx.ds.Pipeline[0]
				if len(fx.ds.Pipeline) != 1 || st.ID != fd.id {
					t.Fatalf("%s: unexpected pipeline %+v", fx.ds.Name, fx.ds.Pipeline)
				}
				if fx.chunk.Mask&1 != 0 {
					// libhdf5 stored the chunk unfiltered.
					if sha(fx.raw) != fx.chunk.SHA256 {
						t.Errorf("%s: masked chunk is not the raw data", fx.chunk.File)
					}
					skipped++
					continue
				}
				// Exact limit, and a dirty, too-small dst to be reused.
				dst := []byte{1, 2, 3}
				got, err := f.Decode(dst, fx.raw, st.Params, fx.chunk.Size)
				if err != nil {
					t.Errorf("%s: %v", fx.chunk.File, err)
					continue
				}
				if len(got) != fx.chunk.Size || sha(got) != fx.chunk.SHA256 {
					t.Errorf("%s: decoded %d bytes sha %s, want %d bytes sha %s", fx.chunk.File, len(got), sha(got)[:12], fx.chunk.Size, fx.chunk.SHA256[:12])
				}
				// A limit one byte short must fail with ErrTooLarge.
				if fx.chunk.Size > 0 {
					if _, err := f.Decode(nil, fx.raw, st.Params, fx.chunk.Size-1); !errors.Is(err, ErrTooLarge) {
						t.Errorf("%s: limit-1: err = %v, want ErrTooLarge", fx.chunk.File, err)
					}
				}
				// Reusing a large buffer gives the same bytes.
				big := make([]byte, 0, fx.chunk.Size*2+10)
				got2, err := f.Decode(big, fx.raw, st.Params, fx.chunk.Size*2+10)
				if err != nil || sha(got2) != fx.chunk.SHA256 {
					t.Errorf("%s: decode into large dst: %v", fx.chunk.File, err)
				}
				decoded++
			}
			t.Logf("%d chunks decoded, %d stored unfiltered", decoded, skipped)
		})
	}
}

// TestPipelineFixtures runs whole libhdf5 pipelines (shuffle + deflate +
// fletcher32, shuffle + lzf + fletcher32 with chunks whose mask skips lzf).
func TestPipelineFixtures(t *testing.T) {
	var a, b []byte
	masked := 0
	for _, fx := range loadFixtures(t, "pipeline") {
		p := fx.pipeline()
		if fx.chunk.Mask != 0 {
			masked++
		}
		out, na, nb, err := p.Decode(fx.raw, fx.chunk.Mask, fx.chunk.Size, a, b)
		a, b = na, nb
		if err != nil {
			t.Errorf("%s/%s: %v", fx.ds.Name, fx.chunk.File, err)
			continue
		}
		if sha(out) != fx.chunk.SHA256 {
			t.Errorf("%s/%s: wrong bytes", fx.ds.Name, fx.chunk.File)
		}
		// Corrupting one data byte must be caught by fletcher32 (or by
		// deflate's adler32, or by a codec), never returned silently.
		bad := append([]byte(nil), fx.raw...)
		bad[len(bad)/2] ^= 0x10
		if out, _, _, err := p.Decode(bad, fx.chunk.Mask, fx.chunk.Size, nil, nil); err == nil {
			t.Errorf("%s/%s: corrupted chunk decoded without error (%d bytes)", fx.ds.Name, fx.chunk.File, len(out))
		}
	}
	if masked == 0 {
		t.Error("fixtures have no chunk with a non-zero filter mask")
	}
}
