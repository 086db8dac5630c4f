package lru

import "testing"

func TestLRU(t *testing.T) {
	c := New[int, string](2)
	c.Put(1, "a")
	c.Put(2, "b")
	if v, ok := c.Get(1); !ok || v != "a" { // 1 is now the most recent
		t.Fatalf("Get(1) = %q, %v", v, ok)
	}
	c.Put(3, "c") // drops 2, the least recently used
	if _, ok := c.Get(2); ok {
		t.Fatal("2 should have been dropped")
	}
	for k, want := range map[int]string{1: "a", 3: "c"} {
		if v, ok := c.Get(k); !ok || v != want {
			t.Fatalf("Get(%d) = %q, %v; want %q", k, v, ok, want)
		}
	}
	c.Put(3, "C") // replaces in place
	if v, _ := c.Get(3); v != "C" || c.Len() != 2 {
		t.Fatalf("after replace: %q, len %d", v, c.Len())
	}
	if New[int, int](0).max != 1 {
		t.Fatal("a cache holds at least one entry")
	}
}
