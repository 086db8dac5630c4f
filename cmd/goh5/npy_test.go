package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// TestPyRepr compares pyRepr with Python 3's repr of the same strings
// (values printed by /usr/bin/python3).
func TestPyRepr(t *testing.T) {
	for in, want := range map[string]string{
		"b'q":          `"b'q"`,
		`a"b`:          `'a"b'`,
		`a'b"c`:        `'a\'b"c'`,
		"\x01\t\n\\":   `'\x01\t\n\\'`,
		"été中":         `'été中'`,
		"\u0085\u00a0": `'\x85\xa0'`,
		"":             `''`,
		"pos":          `'pos'`,
	} {
		if got := pyRepr(in); got != want {
			t.Errorf("pyRepr(%q) = %s, Python gives %s", in, got, want)
		}
	}
}

// TestNpyHeaderVersions checks the header of a structured array whose field
// names are not Latin-1 (format 3.0) and one with a header over 64 KiB
// (format 2.0) against numpy 1.24's np.save.
func TestNpyHeaderVersions(t *testing.T) {
	// np.save(f, np.zeros((2, 5), dtype=[('été中', '<f4'), ("b'q", '>i8')]))
	descr := `[('été中', '<f4'), ("b'q", '>i8')]`
	want := "\x93NUMPY\x03\x00t\x00\x00\x00{'descr': [('\xc3\xa9t\xc3\xa9\xe4\xb8\xad', '<f4'), (\"b'q\", '>i8')], 'fortran_order': False, 'shape': (2, 5), }" +
		strings.Repeat(" ", 24) + "\n"
	if got := npyHeader(descr, []uint64{2, 5}); string(got) != want {
		t.Errorf("v3 header\n got %q\nwant %q", got, want)
	}
	// np.save(f, np.zeros(3, dtype=[('f%05d' % i, '<u1') for i in range(4000)]))
	var parts []string
	for i := range 4000 {
		parts = append(parts, "('f"+pad5(i)+"', '|u1')")
	}
	got := npyHeader("["+strings.Join(parts, ", ")+"]", []uint64{3})
	if !bytes.HasPrefix(got, []byte("\x93NUMPY\x02\x004)\x01\x00{'descr': [('f00000', '|u1'), ")) || len(got) != 76096 || got[len(got)-1] != '\n' {
		t.Errorf("v2 header: prefix %q, length %d", got[:40], len(got))
	}
}

func pad5(i int) string { return fmt.Sprintf("%05d", i) }
