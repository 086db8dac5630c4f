package filters

import (
	"errors"
	"testing"
)

func TestScaleOffsetFixtures(t *testing.T) { g2RunFixtures(t, "scaleoffset", IDScaleOffset) }

func TestScaleOffsetBad(t *testing.T) {
	p := []uint32{2, 0, 1 << 30, 0, 4, 1, 0, 0}
	if _, err := (scaleOffsetFilter{}).Decode(nil, make([]byte, 30), p, 1<<20); !errors.Is(err, ErrTooLarge) {
		t.Errorf("huge element count: %v", err)
	}
	p = []uint32{2, 0, 100, 0, 4, 1, 0, 0}
	hdr := make([]byte, 21)
	hdr[0] = 33 // minbits past 32: libhdf5 1.10 reads every value as the minimum
	hdr[4], hdr[5] = 8, 7
	if out, err := (scaleOffsetFilter{}).Decode(nil, hdr, p, 1<<20); err != nil || len(out) != 400 || out[0] != 7 || out[396] != 7 {
		t.Errorf("minbits 33: %v", err)
	}
	hdr[0] = 7 // 700 bits needed, none present
	if _, err := (scaleOffsetFilter{}).Decode(nil, hdr, p, 1<<20); !errors.Is(err, ErrCorrupt) {
		t.Errorf("short data: %v", err)
	}
	var u *UnsupportedError
	if _, err := (scaleOffsetFilter{}).Decode(nil, hdr, []uint32{1, 0, 100, 1, 4, 1, 0, 0}, 1<<20); !errors.As(err, &u) {
		t.Errorf("E-scale: %v", err)
	}
}

func FuzzScaleOffset(f *testing.F) {
	for _, c := range g2Load(f, "scaleoffset") {
		f.Add(g2Read(f, "scaleoffset", c.Chunks[0].File), g2Params(c.CDValues))
	}
	f.Fuzz(func(t *testing.T, src, params []byte) {
		const limit = 1 << 20
		out, err := scaleOffsetFilter{}.Decode(nil, src, g2Unparams(params), limit)
		if err != nil && out != nil {
			t.Fatal("error with a result")
		}
		if len(out) > limit {
			t.Fatalf("%d bytes over limit", len(out))
		}
	})
}

func BenchmarkScaleOffset(b *testing.B) {
	for _, c := range g2Load(b, "scaleoffset") {
		ch := c.Chunks[0]
		src := g2Read(b, "scaleoffset", ch.File)
		b.Run(c.Name, func(b *testing.B) {
			dst := make([]byte, ch.ExpectLen)
			b.SetBytes(int64(ch.ExpectLen))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var err error
				if dst, err = (scaleOffsetFilter{}).Decode(dst, src, c.CDValues, ch.ExpectLen); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
