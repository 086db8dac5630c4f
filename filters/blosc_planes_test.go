package filters

import (
	"bytes"
	"testing"
)

// TestBloscUnshuffle4Planes checks the plane-wise unshuffle against the
// whole-block one for element counts around the 8-element step.
func TestBloscUnshuffle4Planes(t *testing.T) {
	for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 1000, 1003} {
		src := make([]byte, 4*n)
		for i := range src {
			src[i] = byte(i*7 + i/5)
		}
		want := make([]byte, 4*n)
		bloscUnshuffle(want, src, 4)
		got := make([]byte, 4*n)
		bloscUnshuffle4Planes(got, [4][]byte{src[:n], src[n : 2*n], src[2*n : 3*n], src[3*n:]})
		if !bytes.Equal(got, want) {
			t.Fatalf("n=%d: plane unshuffle differs", n)
		}
	}
}
