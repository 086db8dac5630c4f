package hdf5

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBadSelections checks that selections that do not fit a dataset give
// clear errors naming the problem, never a panic.
func TestBadSelections(t *testing.T) {
	f, err := Open(filepath.Join("..", "testdata", "files", "chunked_latest.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := f.Dataset("/ndim/d2_chunked") // shape (12, 9)
	if err != nil {
		t.Fatal(err)
	}
	shape := d.Shape()
	for _, tc := range []struct {
		sel  *Selection
		want string
	}{
		{Hyperslab([]uint64{0, 0}, nil, []uint64{shape[0] + 1, 1}, nil), "exceeds extent"},
		{Hyperslab([]uint64{0}, nil, []uint64{1}, nil), "wrong number of dimensions"},
		{Hyperslab([]uint64{0, 0}, []uint64{1, 1}, []uint64{2, 2}, []uint64{2, 1}), "smaller than block"},
		{Points([][]uint64{{shape[0], 0}}), "outside"},
		{Points([][]uint64{{0}}), "coordinates"},
		{Index(At(int64(shape[0]))), "out of bounds"},
		{Index(At(0), At(0), At(0)), "too many indices"},
		{Index(Mask(make([]bool, shape[0]+1))), "mask of length"},
		{Index(Coords([]int64{-int64(shape[0]) - 1})), "out of bounds"},
		{Index(Ellipsis(), Ellipsis()), "single ellipsis"},
		{All().Fields("x"), "not a compound"},
	} {
		buf := make([]byte, 1<<16)
		err := d.Read(tc.sel, buf)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("selection %+v: err = %v, want one containing %q", tc.sel, err, tc.want)
		}
	}
	if _, err := Slice("1:2:0"); err == nil || !strings.Contains(err.Error(), "step cannot be zero") {
		t.Errorf("zero step: %v", err)
	}
	if _, err := Slice("a:b"); err == nil || !strings.Contains(err.Error(), "not an integer") {
		t.Errorf("bad slice: %v", err)
	}
	// A destination too small for the selection.
	if err := d.Read(nil, make([]byte, 3)); err == nil || !strings.Contains(err.Error(), "destination holds 3 bytes") {
		t.Errorf("short destination: %v", err)
	}
}

// TestExternalStorageErrors reads a dataset stored in external raw files
// (written by libhdf5) whose files are missing or too short.
func TestExternalStorageErrors(t *testing.T) {
	src := filepath.Join("..", "testdata", "files")
	for _, name := range []string{"datatypes_earliest.h5", "datatypes_latest.h5"} {
		dir := t.TempDir()
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := Open(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := f.Dataset("/external/one_segment")
		if err != nil {
			t.Fatal(err)
		}
		// Missing: the .bin file was not copied.
		_, err = d.ReadAll()
		if err == nil || !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: missing external file: err = %v, want one wrapping os.ErrNotExist", name, err)
		}
		// Too short: a truncated copy.
		ext := strings.Replace(strings.Replace(name, "datatypes", "ext1", 1), ".h5", ".bin", 1)
		eb, err := os.ReadFile(filepath.Join(src, ext))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, ext), eb[:len(eb)/3], 0o644); err != nil {
			t.Fatal(err)
		}
		_, err = d.ReadAll()
		if err == nil || !strings.Contains(err.Error(), "too short") {
			t.Errorf("%s: short external file: err = %v", name, err)
		}
		f.Close()
	}
}
