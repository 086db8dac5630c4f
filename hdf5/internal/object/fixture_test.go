package object

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// Expected values written by testdata/gen.py from what libhdf5 reports.
type expHeader struct {
	Addr    uint64 `json:"addr"`
	Version int    `json:"version"`
	NMesgs  int    `json:"nmesgs"`
	Present uint64 `json:"present"`
	Shared  uint64 `json:"shared"`
	RC      uint32 `json:"rc"`
	Attrs   map[string]struct {
		TypeSize uint32   `json:"type_size"`
		Shape    []uint64 `json:"shape"`
		Data     string   `json:"data"`
	} `json:"attrs"`
	Layout   string   `json:"layout"`
	Shape    []uint64 `json:"shape"`
	ElemSize uint64   `json:"elem_size"`
	Chunk    []uint64 `json:"chunk"`
	Chunk0   *struct {
		Addr       uint64 `json:"addr"`
		Size       uint64 `json:"size"`
		FilterMask uint32 `json:"filter_mask"`
	} `json:"chunk0"`
	Offset      *uint64 `json:"offset"`
	StorageSize uint64  `json:"storage_size"`
	Data        string  `json:"data"`
	Filters     []struct {
		ID    uint16   `json:"id"`
		Flags uint16   `json:"flags"`
		CD    []uint32 `json:"cd"`
		Name  string   `json:"name"`
	} `json:"filters"`
	Fill *struct {
		Defined   int    `json:"defined"`
		Value     string `json:"value"`
		FillTime  uint8  `json:"fill_time"`
		AllocTime uint8  `json:"alloc_time"`
	} `json:"fill"`
	Comment   *string `json:"comment"`
	DtypeAddr uint64  `json:"dtype_addr"`
}

type expFile struct {
	Libver  string               `json:"libver"`
	Objects map[string]expHeader `json:"objects"`
	Links   map[string]struct {
		Type   string `json:"type"`
		Target string `json:"target"`
		File   string `json:"file"`
		Path   string `json:"path"`
		Addr   uint64 `json:"addr"`
	} `json:"links"`
	IndexTypes   map[string]int `json:"index_types"`
	OrderedLinks []string       `json:"ordered_links"`
	OrderedAttrs []string       `json:"ordered_attrs"`
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openFixture returns the fixture's bytes and a Source over them. The
// sizes of offsets and lengths come from the superblock (versions 0 and 2/3).
func openFixture(t testing.TB, name string) ([]byte, *binfmt.Source) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b, sourceOf(t, b)
}

func sourceOf(t testing.TB, b []byte) *binfmt.Source {
	t.Helper()
	if len(b) < 24 || string(b[:8]) != "\x89HDF\r\n\x1a\n" {
		t.Fatal("no superblock at 0")
	}
	var sizes binfmt.Sizes
	switch b[8] {
	case 0, 1:
		sizes = binfmt.Sizes{Offsets: int(b[13]), Lengths: int(b[14])}
	default:
		sizes = binfmt.Sizes{Offsets: int(b[9]), Lengths: int(b[10])}
	}
	return &binfmt.Source{R: bytes.NewReader(b), Size: int64(len(b)), Sizes: sizes}
}

func loadExp(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// superblockExtension returns the superblock extension address of a version
// 2/3 superblock: signature (8), version, sizes (2), flags, base address,
// extension address.
func superblockExtension(b []byte) uint64 {
	return binary.LittleEndian.Uint64(b[20:28])
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
