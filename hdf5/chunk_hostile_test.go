package hdf5

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goh5/goh5/hdf5/internal/object"
)

// hostileCopy opens a patched copy of a fixture and returns the file and
// the named dataset. patch receives the bytes and the dataset as opened from
// the unmodified file.
func hostileCopy(t *testing.T, fixture, path string, patch func(b []byte, d *Dataset)) (*File, *Dataset) {
	t.Helper()
	orig, err := os.ReadFile(filepath.Join("..", "testdata", "files", fixture))
	if err != nil {
		t.Fatal(err)
	}
	f0, err := OpenReaderAt(bytes.NewReader(orig), int64(len(orig)))
	if err != nil {
		t.Fatal(err)
	}
	d0, err := f0.Dataset(path)
	if err != nil {
		t.Fatal(err)
	}
	b := bytes.Clone(orig)
	patch(b, d0)
	f, err := OpenReaderAt(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	d, err := f.Dataset(path)
	if err != nil {
		t.Fatal(err)
	}
	return f, d
}

// readBounded reads the whole dataset with a time limit and returns the error.
func readBounded(t *testing.T, d *Dataset) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := d.ReadAll()
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("read did not finish (hang)")
		return nil
	}
}

func firstChunk(t *testing.T, d *Dataset) ChunkInfo {
	cs, err := d.StoredChunks()
	if err != nil || len(cs) == 0 {
		t.Fatalf("chunks: %v (%d)", err, len(cs))
	}
	return cs[0]
}

// TestHostileChunks damages chunked fixtures (libver='earliest', whose
// version 1 object headers and B-tree nodes carry no checksum, so the damage
// reaches the chunk machinery) and expects errors, never a panic or hang.
func TestHostileChunks(t *testing.T) {
	const fx = "chunked_earliest.h5"
	t.Run("corrupt compressed bytes", func(t *testing.T) {
		_, d := hostileCopy(t, fx, "/filters/gzip1_i4_le", func(b []byte, d *Dataset) {
			c := firstChunk(t, d)
			for i := c.Addr + 2; i < c.Addr+c.Size; i += 3 {
				b[i] ^= 0x5a
			}
		})
		err := readBounded(t, d)
		t.Log(err)
		if err == nil {
			t.Fatal("corrupt deflate chunk read without error")
		}
	})
	t.Run("index past the end of the file", func(t *testing.T) {
		_, d := hostileCopy(t, fx, "/filters/gzip1_i4_le", func(b []byte, d *Dataset) {
			m := d.Header().Find(object.MsgLayout)
			// Layout message version 3, chunked: version, class, rank, then
			// the B-tree address.
			binary.LittleEndian.PutUint64(b[m.Addr+3:], uint64(len(b))+4096)
		})
		err := readBounded(t, d)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Fatalf("err = %v, want a FormatError", err)
		}
	})
	t.Run("chunk decodes past its size", func(t *testing.T) {
		_, d := hostileCopy(t, fx, "/filters/gzip1_i4_le", func(b []byte, d *Dataset) {
			c := firstChunk(t, d)
			_, chunkBytes, _ := d.chunkGeometry()
			var z bytes.Buffer
			w := zlib.NewWriter(&z)
			w.Write(make([]byte, chunkBytes+4096))
			w.Close()
			if uint64(z.Len()) > c.Size {
				t.Fatalf("bomb of %d bytes does not fit the %d-byte chunk", z.Len(), c.Size)
			}
			copy(b[c.Addr:], z.Bytes())
		})
		err := readBounded(t, d)
		t.Log(err)
		if err == nil {
			t.Fatal("oversized chunk read without error")
		}
	})
	t.Run("chunk index cycle", func(t *testing.T) {
		_, d := hostileCopy(t, fx, "/index/extensible_array", func(b []byte, d *Dataset) {
			root := d.layout.IndexAddr
			if string(b[root:root+4]) != "TREE" || b[root+5] == 0 {
				t.Fatalf("root at 0x%x is not an internal v1 B-tree node", root)
			}
			// Node header: "TREE", type, level, entries (2), left and right
			// siblings; then key 0 (4+4+(rank+1)*8 bytes) and child 0.
			keySize := uint64(8 + 2*8)
			binary.LittleEndian.PutUint64(b[root+24+keySize:], root)
		})
		err := readBounded(t, d)
		t.Log(err)
		if err == nil {
			t.Fatal("cyclic chunk index read without error")
		}
	})
}
