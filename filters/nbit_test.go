package filters

import "testing"

func TestNbitFixtures(t *testing.T) { g2RunFixtures(t, "nbit", IDNbit) }

func TestNbitBadParams(t *testing.T) {
	for _, p := range [][]uint32{
		nil,
		{8, 0, 10, 1, 2, 0, 17, 0},               // precision past the size
		{8, 0, 10, 9, 2, 0, 12, 0},               // unknown class
		{6, 0, 10, 3, 4, 1 << 20},                // member count past the values
		{9, 0, 10, 2, 4, 2, 4, 2, 4, 2, 4, 2, 4}, // array chain that ends early
	} {
		if _, err := (nbitFilter{}).Decode(nil, make([]byte, 64), p, 1<<20); err == nil {
			t.Errorf("%v accepted", p)
		}
	}
	// Too little packed data.
	if _, err := (nbitFilter{}).Decode(nil, []byte{1, 2}, []uint32{8, 0, 10, 1, 2, 0, 12, 0}, 1<<20); err == nil {
		t.Error("short data accepted")
	}
}

func FuzzNbit(f *testing.F) {
	for _, c := range g2Load(f, "nbit") {
		f.Add(g2Read(f, "nbit", c.Chunks[0].File), g2Params(c.CDValues))
	}
	f.Fuzz(func(t *testing.T, src, params []byte) {
		const limit = 1 << 20
		out, err := nbitFilter{}.Decode(nil, src, g2Unparams(params), limit)
		if err != nil && out != nil {
			t.Fatal("error with a result")
		}
		if len(out) > limit {
			t.Fatalf("%d bytes over limit", len(out))
		}
	})
}

// g2Params packs client values into bytes for a fuzz corpus; g2Unparams
// reverses it.
func g2Params(p []uint32) []byte {
	b := make([]byte, 0, 4*len(p))
	for _, v := range p {
		b = append(b, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
	}
	return b
}

func g2Unparams(b []byte) []uint32 {
	p := make([]uint32, len(b)/4)
	for i := range p {
		p[i] = uint32(b[4*i]) | uint32(b[4*i+1])<<8 | uint32(b[4*i+2])<<16 | uint32(b[4*i+3])<<24
	}
	return p
}

func BenchmarkNbit(b *testing.B) {
	for _, c := range g2Load(b, "nbit") {
		ch := c.Chunks[0]
		src := g2Read(b, "nbit", ch.File)
		b.Run(c.Name, func(b *testing.B) {
			dst := make([]byte, ch.ExpectLen)
			b.SetBytes(int64(ch.ExpectLen))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				var err error
				if dst, err = (nbitFilter{}).Decode(dst, src, c.CDValues, ch.ExpectLen); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
