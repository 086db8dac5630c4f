package main

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of TestDumpGolden")

// TestDumpGolden compares "goh5 dump" of each fixture with its golden file
// in testdata/dump (go test -run TestDumpGolden -update rewrites them).
func TestDumpGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"float", []string{"testdata/cat_float.h5"}},
		{"float_max3", []string{"testdata/cat_float.h5", "--max", "3"}},
		{"compound", []string{"testdata/cat_compound.h5"}},
		{"strings", []string{"testdata/cat_strings.h5"}},
		{"attrs_only", []string{"testdata/cat_float.h5", "--attrs-only"}},
		{"path", []string{"testdata/cat_float.h5", "/grp"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := runCmd(t, append([]string{"dump"}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			golden := filepath.Join("testdata", "dump", tc.name+".golden")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, out, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("dump differs from %s:\n--- got\n%s\n--- want\n%s", golden, out, want)
			}
		})
	}
}

// TestDumpValues checks values in the dump against those h5py wrote (see
// gen_cat.py), independent of the golden files.
func TestDumpValues(t *testing.T) {
	out, errOut, code := runCmd(t, "dump", "testdata/cat_float.h5", "--max", "4")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	s := string(out)
	for _, want := range []string{
		"DATASET \"/be\"\n   DATATYPE  float64 BE\n   DATASPACE (6, 4) / (6, 4)\n   DATA      -0, inf, -inf, nan, ...\n",
		"ATTRIBUTE \"range\" int16 BE (3) / (3)\n      -1, 2, 3\n",
		"ATTRIBUTE \"units\" ",
		"\"metre\"",
		"ATTRIBUTE \"scale\" float64 LE SCALAR\n      0.5\n",
		"DATASET \"/scalar\"\n   DATATYPE  float64 LE\n   DATASPACE SCALAR\n   DATA      2.5\n",
		"DATA      -5, 7, 2147483647, 0, ...\n",
		"GROUP \"/grp\"\n   ATTRIBUTE \"title\" ",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("dump lacks %q\n%s", want, s)
		}
	}
}
