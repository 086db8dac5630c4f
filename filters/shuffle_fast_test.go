package filters

import (
	"bytes"
	"math/rand"
	"testing"
)

// TestUnshuffleWordPaths checks the word-at-a-time unshuffle for element
// sizes 2, 4 and 8 (and the byte path for others) against the definition,
// for element counts around the 8-element step.
func TestUnshuffleWordPaths(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, size := range []int{2, 3, 4, 5, 8, 16} {
		for n := 0; n < 40; n++ {
			for _, extra := range []int{0, 1} {
				orig := make([]byte, n*size+extra%size)
				rng.Read(orig)
				src := shuffleRef(orig, size)
				f, _ := Lookup(IDShuffle)
				out, err := f.Decode(nil, src, []uint32{uint32(size)}, len(src))
				if err != nil || !bytes.Equal(out, orig) {
					t.Fatalf("size %d n %d extra %d: %v", size, n, extra, err)
				}
			}
		}
	}
}
