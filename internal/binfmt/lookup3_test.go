package binfmt

import "testing"

// Test vectors from Bob Jenkins' lookup3.c driver5().
func TestLookup3(t *testing.T) {
	cases := []struct {
		in   string
		init uint32
		want uint32
	}{
		{"", 0, 0xdeadbeef},
		{"", 0xdeadbeef, 0xbd5b7dde},
		{"Four score and seven years ago", 0, 0x17770551},
		{"Four score and seven years ago", 1, 0xcd628161},
	}
	for _, c := range cases {
		if got := Lookup3([]byte(c.in), c.init); got != c.want {
			t.Errorf("Lookup3(%q, %#x) = %#x, want %#x", c.in, c.init, got, c.want)
		}
	}
}

func TestCursorErrorKeeping(t *testing.T) {
	c := NewCursor([]byte{1, 2, 3}, Sizes{8, 8}, 0x100, "test structure")
	if v := c.Uint16(); v != 0x0201 {
		t.Fatalf("Uint16 = %#x", v)
	}
	_ = c.Uint32() // truncated
	if c.Uint8() != 0 {
		t.Fatal("read after error returned data")
	}
	fe, ok := c.Err().(*FormatError)
	if !ok || fe.Addr != 0x102 || fe.What != "test structure" {
		t.Fatalf("err = %v", c.Err())
	}
}

func TestOffsetUndef(t *testing.T) {
	c := NewCursor([]byte{0xff, 0xff, 0xff, 0xff}, Sizes{4, 4}, 0, "x")
	if c.Offset() != Undef {
		t.Fatal("4-byte all-ones offset is not Undef")
	}
}
