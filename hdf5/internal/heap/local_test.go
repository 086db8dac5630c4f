package heap

import (
	"errors"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

type localExpect struct {
	HeapAddr uint64 `json:"heap_addr"`
	DataAddr uint64 `json:"data_addr"`
	DataSize int    `json:"data_size"`
	Entries  []struct {
		Name   string
		Offset uint64
	}
	SoftOffset uint64 `json:"soft_value_offset"`
	SoftValue  string `json:"soft_value"`
}

func TestLocalHeap(t *testing.T) {
	var want localExpect
	_, src := fixture(t, "local_earliest", &want)
	h, err := ReadLocal(src, want.HeapAddr)
	if err != nil {
		t.Fatal(err)
	}
	if h.DataAddr != want.DataAddr || len(h.Data) != want.DataSize {
		t.Fatalf("data segment at 0x%x, %d bytes; h5debug says 0x%x, %d", h.DataAddr, len(h.Data), want.DataAddr, want.DataSize)
	}
	if len(want.Entries) < 5 {
		t.Fatalf("fixture has %d entries", len(want.Entries))
	}
	for _, e := range want.Entries {
		got, err := h.String(e.Offset)
		if err != nil || got != e.Name {
			t.Errorf("String(%d) = %q, %v; want %q", e.Offset, got, err, e.Name)
		}
	}
	if got, err := h.String(want.SoftOffset); err != nil || got != want.SoftValue {
		t.Errorf("soft link value = %q, %v; want %q", got, err, want.SoftValue)
	}
	if _, err := h.String(uint64(len(h.Data))); err == nil {
		t.Error("String past the data segment succeeded")
	}
	// A segment with no terminator.
	bad := &Local{Data: []byte("abc")}
	if _, err := bad.String(0); err == nil {
		t.Error("unterminated string accepted")
	}
}

func TestLocalHeapCorrupt(t *testing.T) {
	var want localExpect
	b, _ := fixture(t, "local_earliest", &want)
	for _, tc := range []struct {
		name string
		mut  func(b []byte)
	}{
		{"signature", func(b []byte) { b[want.HeapAddr] = 'X' }},
		{"version", func(b []byte) { b[want.HeapAddr+4] = 9 }},
		{"huge size", func(b []byte) { b[want.HeapAddr+8+6] = 0x7f }},
		{"data beyond EOF", func(b []byte) { b[want.HeapAddr+24+5] = 0x7f }},
	} {
		c := append([]byte(nil), b...)
		tc.mut(c)
		h, err := ReadLocal(memSource(c), want.HeapAddr)
		if err == nil || h != nil {
			t.Errorf("%s: ReadLocal = %v, %v; want an error", tc.name, h, err)
		}
		var fe *binfmt.FormatError
		var ue *binfmt.UnsupportedError
		if !errors.As(err, &fe) && !errors.As(err, &ue) {
			t.Errorf("%s: error %v is neither a FormatError nor an UnsupportedError", tc.name, err)
		}
	}
}
