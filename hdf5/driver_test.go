package hdf5

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestDriversUnsupported opens a member of a family file set and the
// metadata file of a split (multi) file, both written by libhdf5: each must
// fail with an UnsupportedError naming the driver.
func TestDriversUnsupported(t *testing.T) {
	for file, feature := range map[string]string{
		"family0.h5": "family driver",
		"split-m.h5": "multi driver",
	} {
		_, err := Open(filepath.Join("..", "superblock", "testdata", file))
		var ue *UnsupportedError
		if !errors.As(err, &ue) || !strings.Contains(ue.Feature, feature) {
			t.Errorf("%s: err = %v, want an UnsupportedError naming %q", file, err, feature)
		}
	}
}
