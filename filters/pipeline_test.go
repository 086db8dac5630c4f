package filters

import (
	"bytes"
	"errors"
	"testing"
)

// TestDecodeInto decodes every libhdf5-written fixture chunk straight into a
// destination of the chunk's size and checks it against libhdf5's bytes, with
// the filter alone, behind a masked-out stage, and with every stage masked.
func TestDecodeInto(t *testing.T) {
	for _, fd := range fixtureDirs {
		t.Run(fd.dir, func(t *testing.T) {
			for _, fx := range loadFixtures(t, fd.dir) {
				if fx.chunk.Mask&1 != 0 || fx.chunk.Size == 0 {
					continue
				}
				p := fx.pipeline()
				final := bytes.Repeat([]byte{0xA5}, fx.chunk.Size)
				n, a, b, err := p.DecodeInto(final, fx.raw, 0, nil, nil)
				if err != nil || n != fx.chunk.Size || sha(final) != fx.chunk.SHA256 {
					t.Fatalf("%s: n=%d err=%v sha %s, want %s", fx.chunk.File, n, err, sha(final)[:12], fx.chunk.SHA256[:12])
				}
				if len(a) > 0 && &a[:1][0] == &final[0] || len(b) > 0 && &b[:1][0] == &final[0] {
					t.Fatalf("%s: a scratch buffer aliases the destination", fx.chunk.File)
				}
				// A stage before it that the mask skips: the filter is still
				// the one that writes the destination.
				p2 := append(Pipeline{{ID: IDShuffle, Params: []uint32{4}}}, p...)
				clear(final)
				if n, _, _, err := p2.DecodeInto(final, fx.raw, 1, a, b); err != nil || n != fx.chunk.Size || sha(final) != fx.chunk.SHA256 {
					t.Fatalf("%s: behind a masked stage: n=%d err=%v", fx.chunk.File, n, err)
				}
				// Every stage masked: the stored bytes are the chunk.
				whole := make([]byte, len(fx.raw))
				if n, _, _, err := p.DecodeInto(whole, fx.raw, 1, nil, nil); err != nil || n != len(fx.raw) || !bytes.Equal(whole, fx.raw) {
					t.Fatalf("%s: all masked: n=%d err=%v", fx.chunk.File, n, err)
				}
				// One byte short is refused; one byte long reports the size.
				if _, _, _, err := p.DecodeInto(final[:fx.chunk.Size-1], fx.raw, 0, nil, nil); !errors.Is(err, ErrTooLarge) {
					t.Fatalf("%s: short destination: err = %v, want ErrTooLarge", fx.chunk.File, err)
				}
				long := make([]byte, fx.chunk.Size+1)
				if n, _, _, err := p.DecodeInto(long, fx.raw, 0, nil, nil); err != nil && !errors.Is(err, ErrCorrupt) || err == nil && n != fx.chunk.Size {
					t.Fatalf("%s: long destination: n=%d err=%v", fx.chunk.File, n, err)
				}
			}
		})
	}
}
