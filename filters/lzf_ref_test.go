package filters

import (
	"bytes"
	"errors"
	"testing"
)

// lzfRefDecode is a byte-at-a-time LZF decoder written straight from
// liblzf's lzf_d.c loop, the reference the fast decoder must agree with.
func lzfRefDecode(src []byte, limit int) ([]byte, bool) {
	var out []byte
	for ip := 0; ip < len(src); {
		ctrl := int(src[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+n > len(src) || len(out)+n > limit {
				return nil, false
			}
			out = append(out, src[ip:ip+n]...)
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(src) {
				return nil, false
			}
			n += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return nil, false
		}
		back := (ctrl&0x1f)<<8 + int(src[ip]) + 1
		ip++
		n += 2
		if back > len(out) || len(out)+n > limit {
			return nil, false
		}
		for i := 0; i < n; i++ {
			out = append(out, out[len(out)-back])
		}
	}
	return out, true
}

// lzfTestEncode makes an LZF block with literals, far and near (overlapping)
// back references of many lengths.
func lzfTestEncode() (enc, want []byte) {
	lit := func(b []byte) {
		for len(b) > 0 {
			n := min(len(b), 32)
			enc = append(enc, byte(n-1))
			enc = append(enc, b[:n]...)
			want = append(want, b[:n]...)
			b = b[n:]
		}
	}
	ref := func(back, n int) {
		l := n - 2
		if l < 7 {
			enc = append(enc, byte(l<<5|(back-1)>>8), byte(back-1))
		} else {
			enc = append(enc, byte(7<<5|(back-1)>>8), byte(l-7), byte(back-1))
		}
		for i := 0; i < n; i++ {
			want = append(want, want[len(want)-back])
		}
	}
	seed := []byte("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	lit(seed)
	for back := 1; back <= 40; back++ {
		for _, n := range []int{3, 4, 8, 9, 15, 16, 17, 33, 64, 100, 264} {
			ref(back, n)
		}
		lit(seed[back%len(seed):])
	}
	ref(8192, 200)
	ref(8000, 264)
	return enc, want
}

func TestLZFOverlapAgreesWithReference(t *testing.T) {
	enc, want := lzfTestEncode()
	if got, ok := lzfRefDecode(enc, len(want)); !ok || !bytes.Equal(got, want) {
		t.Fatal("reference decoder disagrees with the test encoder")
	}
	// Exact declared size, too small a declared size (grows), and no dst.
	for _, hint := range []uint32{uint32(len(want)), 10, 0} {
		for _, dst := range [][]byte{nil, make([]byte, 5), make([]byte, 2*len(want))} {
			got, err := lzfFilter{}.Decode(dst, enc, []uint32{4, 261, hint}, len(want))
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("hint %d dst %d: err %v, equal %v", hint, len(dst), err, bytes.Equal(got, want))
			}
		}
	}
	if _, err := (lzfFilter{}).Decode(nil, enc, []uint32{4, 261, uint32(len(want))}, len(want)-1); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("one byte under the output size: %v, want ErrTooLarge", err)
	}
}

func FuzzLZFReference(f *testing.F) {
	enc, want := lzfTestEncode()
	f.Add(enc, uint32(len(want)), uint32(len(want)))
	seedFuzz(f, "lzf", func(raw []byte, _ []uint32, n int) { f.Add(raw, uint32(n), uint32(n)) })
	f.Fuzz(func(t *testing.T, src []byte, hint, l uint32) {
		limit := fuzzLimit(l)
		got := checkDecode(t, IDLZF, src, []uint32{4, 261, hint}, limit)
		want, ok := lzfRefDecode(src, limit)
		if len(src) == 0 {
			ok = false
		}
		if ok != (got != nil) || (ok && !bytes.Equal(got, want)) {
			t.Fatalf("reference ok %v (%d bytes), decoder %d bytes", ok, len(want), len(got))
		}
	})
}
