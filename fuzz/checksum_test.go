package fuzz

import (
	"bytes"
	"errors"
	"testing"

	"github.com/goh5/goh5/hdf5"
	"github.com/goh5/goh5/internal/h5build"
)

// TestWithChecksums damages the checksum of a dataset's object header and
// of the superblock (version 2/3) of a latest-format fixture. Strict, the
// default, fails with ErrChecksum; Skip reads the same values as the
// undamaged file.
func TestWithChecksums(t *testing.T) {
	orig := fixture(t, "chunked_latest.h5")
	f0, err := hdf5.OpenReaderAt(bytes.NewReader(orig.B), int64(len(orig.B)))
	if err != nil {
		t.Fatal(err)
	}
	defer f0.Close()
	if v := f0.SuperblockVersion(); v < 2 {
		t.Fatalf("superblock version %d has no checksum", v)
	}
	var path string
	var want []byte
	var at uint64
	for e, err := range f0.Walk() {
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := e.Object.(*hdf5.Dataset); ok {
			if want, err = d.ReadAll(); err != nil {
				t.Fatal(err)
			}
			path, at = e.Path, d.Addr()
			break
		}
	}
	b := bytes.Clone(orig.B)
	// The superblock's stored checksum: its last 4 bytes (44..47 with 8-byte
	// offsets and lengths).
	b[44] ^= 0xff
	// The header's stored checksum, after its first chunk (Spec 3.0, IV.A.1.b
	// "Version 2 Object Header"): "OHDR", version, flags, [times 16],
	// [phase change 4], chunk #0 size (1 << (flags & 3) bytes), messages.
	if string(b[at:at+4]) != "OHDR" {
		t.Fatalf("%s: no version 2 header at 0x%x", path, at)
	}
	flags := b[at+5]
	pre := 6
	if flags&0x20 != 0 {
		pre += 16
	}
	if flags&0x10 != 0 {
		pre += 4
	}
	w := 1 << (flags & 3)
	size := int((&h5build.File{B: b}).Get(int(at)+pre, w))
	b[int(at)+pre+w+size] ^= 0x01

	_, err = hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)))
	if !errors.Is(err, hdf5.ErrChecksum) {
		t.Fatalf("Strict open of a damaged superblock: got %v, want ErrChecksum", err)
	}
	_, err = hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)), hdf5.WithChecksums(hdf5.Strict))
	if !errors.Is(err, hdf5.ErrChecksum) {
		t.Fatalf("WithChecksums(Strict): got %v, want ErrChecksum", err)
	}
	// Restore the superblock: now only the header is damaged.
	b[44] ^= 0xff
	f, err := hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Dataset(path); !errors.Is(err, hdf5.ErrChecksum) {
		t.Errorf("Strict %s: got %v, want ErrChecksum", path, err)
	}
	f.Close()
	b[44] ^= 0xff
	f, err = hdf5.OpenReaderAt(bytes.NewReader(b), int64(len(b)), hdf5.WithChecksums(hdf5.Skip))
	if err != nil {
		t.Fatalf("Skip: open: %v", err)
	}
	defer f.Close()
	d, err := f.Dataset(path)
	if err != nil {
		t.Fatalf("Skip: %s: %v", path, err)
	}
	got, err := d.ReadAll()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Skip: %s read %d bytes (%v), want the undamaged file's %d", path, len(got), err, len(want))
	}
	if err := hdf5.WithChecksums(7)(nil); err == nil {
		t.Error("WithChecksums(7) accepted")
	}
}
