package superblock

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// expectation is one entry of testdata/expected.json, written by gen.py from
// libhdf5's own view of each file (property lists, H5Oget_info, h5debug).
type expectation struct {
	SuperblockVersion int      `json:"superblock_version"`
	Sizes             []int    `json:"sizes"`
	Userblock         *int64   `json:"userblock"`
	SBAddr            *int64   `json:"sb_addr"`
	RootAddr          *uint64  `json:"root_addr"`
	RootBTree         *uint64  `json:"root_btree_addr"`
	RootHeap          *uint64  `json:"root_heap_addr"`
	ExtAddr           *uint64  `json:"ext_addr"`
	DriverAddr        *uint64  `json:"driver_addr"`
	LeafK             *int     `json:"leaf_k"`
	InternalK         *int     `json:"internal_k"`
	IstoreK           *int     `json:"istore_k"`
	Flags             *uint32  `json:"flags"`
	EOF               *uint64  `json:"eof"`
	Driver            string   `json:"driver"`
	MembSize          uint64   `json:"memb_size"`
	RootLinks         []string `json:"root_links"`
}

func loadExpected(t *testing.T) map[string]expectation {
	t.Helper()
	b, err := os.ReadFile("testdata/expected.json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]expectation
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestFixtures(t *testing.T) {
	exp := loadExpected(t)
	if len(exp) < 10 {
		t.Fatalf("only %d fixtures in expected.json", len(exp))
	}
	for name, e := range exp {
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			sb, err := Read(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			if sb.Version != e.SuperblockVersion {
				t.Errorf("version %d, want %d", sb.Version, e.SuperblockVersion)
			}
			if sb.Sizes.Offsets != e.Sizes[0] || sb.Sizes.Lengths != e.Sizes[1] {
				t.Errorf("sizes %+v, want %v", sb.Sizes, e.Sizes)
			}
			if e.SBAddr != nil && sb.SignatureOffset != *e.SBAddr {
				t.Errorf("signature at %d, want %d", sb.SignatureOffset, *e.SBAddr)
			}
			if e.Userblock != nil && int64(sb.Base) != *e.Userblock {
				t.Errorf("base %d, want user block size %d", sb.Base, *e.Userblock)
			}
			if e.RootAddr != nil && sb.Root.ObjAddr != *e.RootAddr {
				t.Errorf("root object at %d, want %d", sb.Root.ObjAddr, *e.RootAddr)
			}
			if e.RootBTree != nil {
				if sb.Root.CacheType != CacheSymbolTable || sb.Root.BTreeAddr != *e.RootBTree || sb.Root.HeapAddr != *e.RootHeap {
					t.Errorf("root entry %+v, want B-tree %d heap %d", sb.Root, *e.RootBTree, *e.RootHeap)
				}
			} else if sb.Version < 2 && e.Driver == "" {
				t.Errorf("h5debug shows no cached symbol table; got %+v", sb.Root)
			}
			if e.ExtAddr != nil && sb.ExtensionAddr != *e.ExtAddr {
				t.Errorf("extension at %d, want %d", sb.ExtensionAddr, *e.ExtAddr)
			}
			if e.DriverAddr != nil && sb.DriverInfoAddr != *e.DriverAddr {
				t.Errorf("driver info at %d, want %d", sb.DriverInfoAddr, *e.DriverAddr)
			}
			if e.LeafK != nil && (sb.GroupLeafK != *e.LeafK || sb.GroupInternalK != *e.InternalK) {
				t.Errorf("K leaf %d internal %d, want %d %d", sb.GroupLeafK, sb.GroupInternalK, *e.LeafK, *e.InternalK)
			}
			// Versions 2/3 keep a non-default indexed storage K in the extension.
			if e.IstoreK != nil && (sb.Version < 2 || sb.ExtensionAddr == binfmt.Undef) && sb.IndexedStorageK != *e.IstoreK {
				t.Errorf("indexed storage K %d, want %d", sb.IndexedStorageK, *e.IstoreK)
			}
			if e.Flags != nil && sb.Flags != *e.Flags {
				t.Errorf("flags %#x, want %#x", sb.Flags, *e.Flags)
			}
			// libhdf5 stores the absolute end of file (H5Fget_filesize).
			if e.EOF != nil && sb.EOFAddr != *e.EOF {
				t.Errorf("EOF address %d, want file size %d", sb.EOFAddr, *e.EOF)
			}
			src := sb.Source(bytes.NewReader(data), int64(len(data)))
			if src.Base != sb.Base || src.Sizes != sb.Sizes {
				t.Errorf("source %+v", src)
			}
			// The root object header must resolve through the source.
			if sb.Driver == nil {
				hdr, err := src.ReadAt(sb.Root.ObjAddr, 4, "root object header")
				if err != nil {
					t.Fatal(err)
				}
				if sb.Version >= 2 && string(hdr) != "OHDR" {
					t.Errorf("root object header starts %q, want OHDR", hdr)
				}
				if sb.Version < 2 && hdr[0] != 1 { // v1 object header version byte
					t.Errorf("root object header version %d, want 1", hdr[0])
				}
			}
			switch e.Driver {
			case "":
				if sb.Driver != nil || sb.CheckDriver() != nil {
					t.Errorf("unexpected driver %+v", sb.Driver)
				}
			default:
				if sb.Driver == nil || sb.Driver.ID != e.Driver {
					t.Fatalf("driver %+v, want %s", sb.Driver, e.Driver)
				}
				err := sb.CheckDriver()
				var ue *binfmt.UnsupportedError
				if !errors.As(err, &ue) {
					t.Fatalf("CheckDriver = %v, want UnsupportedError", err)
				}
				want := map[string]string{DriverFamily: "family driver", DriverMulti: "multi driver"}[e.Driver]
				if ue.Feature != want {
					t.Errorf("feature %q, want %q", ue.Feature, want)
				}
				if e.Driver == DriverFamily {
					if ms, err := sb.Driver.FamilyMemberSize(); err != nil || ms != e.MembSize {
						t.Errorf("member size %d, %v, want %d", ms, err, e.MembSize)
					}
				}
			}
		})
	}
}

func TestChecksum(t *testing.T) {
	data, err := os.ReadFile("testdata/v3.h5")
	if err != nil {
		t.Fatal(err)
	}
	data[20] ^= 0x01 // inside the extension address
	_, err = Read(bytes.NewReader(data), int64(len(data)))
	if !errors.Is(err, binfmt.ErrChecksum) {
		t.Fatalf("err = %v, want checksum error", err)
	}
}

func TestNotHDF5(t *testing.T) {
	data := make([]byte, 5000)
	sb, err := Read(bytes.NewReader(data), int64(len(data)))
	if err == nil || sb != nil {
		t.Fatalf("Read of zeros = %v, %v", sb, err)
	}
}

func TestBadSizes(t *testing.T) {
	data, err := os.ReadFile("testdata/v0.h5")
	if err != nil {
		t.Fatal(err)
	}
	data[13] = 3 // size of offsets
	if _, err := Read(bytes.NewReader(data), int64(len(data))); err == nil {
		t.Fatal("3-byte offsets accepted")
	}
	data[13] = 16
	var ue *binfmt.UnsupportedError
	if _, err := Read(bytes.NewReader(data), int64(len(data))); !errors.As(err, &ue) {
		t.Fatalf("16-byte offsets: %v, want unsupported", err)
	}
}

// TestCorpus reads every corpus file's superblock and compares it with the
// reference values libhdf5 recorded.
func TestCorpus(t *testing.T) {
	f, err := os.ReadFile("../../shared/corpus/reference.jsonl")
	if err != nil {
		t.Skip("corpus absent")
	}
	n := 0
	for _, line := range bytes.Split(f, []byte("\n")) {
		var rec struct {
			Kind      string `json:"kind"`
			File      string `json:"file"`
			SigOff    int64  `json:"signature_offset"`
			Version   *int   `json:"superblock_version"`
			Sizes     []int  `json:"sizes"`
			OpenError string `json:"open_error"`
		}
		if len(line) == 0 || json.Unmarshal(line, &rec) != nil || rec.Kind != "file" || rec.Version == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join("../../shared/corpus/files", rec.File))
		if err != nil {
			t.Errorf("%s: %v", rec.File, err)
			continue
		}
		sb, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Errorf("%s: %v", rec.File, err)
			continue
		}
		n++
		if sb.Version != *rec.Version || sb.SignatureOffset != rec.SigOff ||
			sb.Sizes.Offsets != rec.Sizes[0] || sb.Sizes.Lengths != rec.Sizes[1] {
			t.Errorf("%s: got v%d at %d sizes %+v; want v%d at %d sizes %v", rec.File,
				sb.Version, sb.SignatureOffset, sb.Sizes, *rec.Version, rec.SigOff, rec.Sizes)
		}
		if err := sb.CheckDriver(); err != nil {
			t.Errorf("%s: %v", rec.File, err)
		}
	}
	t.Logf("%d corpus superblocks checked", n)
}
