package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestCLI builds the goh5 binary and runs every subcommand on fixtures:
// exit status 0, stdout checked against golden files or fixed text, the
// leading slash of HDF5 paths optional, help on every subcommand, and the
// error paths (missing file, non-HDF5 file, bad path, bad slice) giving a
// non-zero status with a message on stderr and nothing on stdout.
func TestCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "goh5")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	const stamp = "v0.0.0-clitest"
	build := exec.Command("go", "build", "-o", bin, "-ldflags", "-X main.version="+stamp, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	notHDF5 := filepath.Join(dir, "not.h5")
	if err := os.WriteFile(notHDF5, []byte("this is not an HDF5 file\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.h5")
	const ex = "../../testdata/files/example.h5"
	run := func(args ...string) (string, string, int) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		code := 0
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				t.Fatalf("%v: %v", args, err)
			}
			code = ee.ExitCode()
		}
		return o.String(), e.String(), code
	}
	ok := func(t *testing.T, args ...string) string {
		t.Helper()
		out, errOut, code := run(args...)
		if code != 0 {
			t.Fatalf("goh5 %s: exit %d\n%s", strings.Join(args, " "), code, errOut)
		}
		if errOut != "" {
			t.Errorf("goh5 %s: stderr %q", strings.Join(args, " "), errOut)
		}
		return out
	}
	golden := func(t *testing.T, name, got string) {
		t.Helper()
		if *update && strings.HasPrefix(name, "testdata/cli/") {
			os.MkdirAll(filepath.Dir(name), 0o755)
			if err := os.WriteFile(name, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		want, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v (run with -update to create it)", err)
		}
		if got != string(want) {
			t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", name, got, want)
		}
	}

	t.Run("ls", func(t *testing.T) {
		golden(t, "testdata/cli/ls_example_rv.golden", ok(t, "ls", "-r", "-v", ex))
		golden(t, "testdata/cli/ls_groups_latest_r.golden", ok(t, "ls", "-r", "../../testdata/files/groups_latest.h5"))
		a := ok(t, "ls", "--json", ex, "/experiment/run_001")
		if b := ok(t, "ls", "--json", ex, "experiment/run_001"); a != b || !strings.Contains(a, `"path":"/experiment/run_001/image"`) {
			t.Errorf("with and without the leading slash:\n%s\n%s", a, b)
		}
	})
	t.Run("dump", func(t *testing.T) {
		golden(t, "testdata/dump/float.golden", ok(t, "dump", "testdata/cat_float.h5"))
		golden(t, "testdata/dump/path.golden", ok(t, "dump", "testdata/cat_float.h5", "grp"))
		golden(t, "testdata/dump/path.golden", ok(t, "dump", "testdata/cat_float.h5", "/grp"))
	})
	t.Run("cat", func(t *testing.T) {
		a := ok(t, "cat", "--format", "csv", "--slice", "2:5", ex, "/experiment/table")
		if b := ok(t, "cat", "--format", "csv", "--slice", "2:5", ex, "experiment/table"); a != b {
			t.Errorf("with and without the leading slash:\n%s\n%s", a, b)
		}
		if n := strings.Count(a, "\n"); n != 4 {
			t.Errorf("csv of 3 rows has %d lines:\n%s", n, a)
		}
		// The npy export is byte-exact against numpy.save (see gen_cat.py).
		want, err := os.ReadFile("testdata/cat/le.npy")
		if err != nil {
			t.Fatal(err)
		}
		if got := ok(t, "cat", "--format", "npy", "testdata/cat_float.h5", "le"); got != string(want) {
			t.Errorf("npy of /le differs from numpy's")
		}
	})
	t.Run("sum", func(t *testing.T) {
		out := ok(t, "sum", "--json", ex, "experiment/table")
		if !strings.Contains(out, `"path":"/experiment/table"`) || !strings.Contains(out, `"sha256":"`) {
			t.Errorf("sum: %s", out)
		}
	})
	t.Run("stat", func(t *testing.T) {
		golden(t, "testdata/stat/example.h5.json.golden", ok(t, "stat", "--json", ex))
	})
	t.Run("bench", func(t *testing.T) {
		out := ok(t, "bench", "--repeat", "1", "--workers", "1,2", ex, "experiment/table")
		if !strings.Contains(out, "workers=1 ") || !strings.Contains(out, "workers=2 ") || !strings.Contains(out, "4 chunks") {
			t.Errorf("bench: %s", out)
		}
		if out := ok(t, "bench", "--repeat", "1", "--workers", "1", "--json", ex, "/experiment/table"); !strings.Contains(out, `"bytes":6600`) {
			t.Errorf("bench --json: %s", out)
		}
	})
	hasCheck := strings.Contains(ok(t, "help"), "\n  check ")
	t.Run("check", func(t *testing.T) {
		if !hasCheck {
			t.Skip("no check subcommand in this build")
		}
		ok(t, "check", ex)
	})
	t.Run("version", func(t *testing.T) {
		if out := ok(t, "version"); out != "goh5 "+stamp+"\n" {
			t.Errorf("version: %q", out)
		}
	})
	subcommands := []string{"ls", "dump", "cat", "sum", "stat", "bench"}
	if hasCheck {
		subcommands = append(subcommands, "check")
	}
	t.Run("help", func(t *testing.T) {
		top := ok(t, "help")
		for _, c := range append(subcommands, "version") {
			if !strings.Contains(top, "\n  "+c+" ") {
				t.Errorf("help lacks %s:\n%s", c, top)
			}
		}
		for _, c := range subcommands {
			if out := ok(t, "help", c); !strings.HasPrefix(out, "usage: goh5 "+c+" ") {
				t.Errorf("help %s: %q", c, out)
			}
			out, errOut, code := run(c, "-h")
			if code != 0 || out != "" || !strings.HasPrefix(errOut, "usage: goh5 "+c+" ") || !strings.Contains(errOut, "flags:") {
				t.Errorf("%s -h: exit %d, stdout %q, stderr %q", c, code, out, errOut)
			}
		}
	})

	type errCase struct {
		name string
		args []string
		want string // in stderr
	}
	var cases []errCase
	for _, c := range subcommands {
		extra := []string{}
		switch c {
		case "cat":
			extra = []string{"--format", "csv"}
		}
		path := []string{"experiment/table"}
		if c == "stat" || c == "check" {
			path = nil
		}
		missingWant, notWant := "missing.h5", "hdf5:"
		if c == "check" {
			// check reports what it found on stdout and fails with a
			// summary on stderr.
			missingWant, notWant = "goh5 check:", "goh5 check:"
		}
		cases = append(cases,
			errCase{c + "/missing file", append(append([]string{c, missing}, path...), extra...), missingWant},
			errCase{c + "/not HDF5", append(append([]string{c, notHDF5}, path...), extra...), notWant},
		)
		if path != nil {
			cases = append(cases, errCase{c + "/bad path", append([]string{c, ex, "/experiment/nope"}, extra...), "nope"})
		}
	}
	cases = append(cases,
		errCase{"cat/bad slice", []string{"cat", "--format", "csv", "--slice", "1:2:0", ex, "experiment/table"}, "goh5 cat:"},
		errCase{"cat/slice out of range", []string{"cat", "--format", "csv", "--slice", "500", ex, "experiment/table"}, "goh5 cat:"},
		errCase{"cat/slice syntax", []string{"cat", "--format", "csv", "--slice", "a:b", ex, "experiment/table"}, "goh5 cat:"},
		errCase{"bench/bad slice", []string{"bench", "--slice", "0,0", "--repeat", "1", ex, "experiment/table"}, "goh5 bench:"},
		errCase{"unknown command", []string{"frobnicate"}, "unknown command"},
		errCase{"help unknown", []string{"help", "frobnicate"}, "unknown command"},
		errCase{"no arguments", nil, "usage: goh5"},
		errCase{"unknown flag", []string{"ls", "--nope", ex}, "goh5 ls:"},
	)
	for _, tc := range cases {
		t.Run("error/"+tc.name, func(t *testing.T) {
			out, errOut, code := run(tc.args...)
			if code == 0 {
				t.Errorf("goh5 %s: exit 0", strings.Join(tc.args, " "))
			}
			if !strings.Contains(errOut, tc.want) {
				t.Errorf("goh5 %s: stderr %q lacks %q", strings.Join(tc.args, " "), errOut, tc.want)
			}
			if (strings.Contains(out, "hdf5:") && tc.args[0] != "check") || strings.Contains(out, "usage:") {
				t.Errorf("error message on stdout: %q", out)
			}
		})
	}
}
