package object

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/goh5/goh5/internal/binfmt"
)

// fixtureHeaders returns, for seeding, the bytes of each fixture from each
// object header address on (capped), so that the header sits at address 0.
func fixtureHeaders(f *testing.F) [][]byte {
	var out [][]byte
	for _, name := range []string{"objects_earliest", "objects_latest"} {
		var exp expFile
		b, err := os.ReadFile(filepath.Join("testdata", name+".h5"))
		if err != nil {
			f.Fatal(err)
		}
		raw, err := os.ReadFile(filepath.Join("testdata", name+".json"))
		if err != nil {
			f.Fatal(err)
		}
		if err := jsonUnmarshal(raw, &exp); err != nil {
			f.Fatal(err)
		}
		for _, e := range exp.Objects {
			end := min(uint64(len(b)), e.Addr+2048)
			out = append(out, b[e.Addr:end])
		}
	}
	return out
}

// FuzzObjectHeader decodes an object header, with all its messages, at
// address 0 of the input. Invariants: no panic, no hang; an error comes with
// a nil header; a message with an error has no value.
func FuzzObjectHeader(f *testing.F) {
	for _, s := range fixtureHeaders(f) {
		f.Add(s)
	}
	f.Add(v1Header(2, v1Msg(MsgComment, 0, []byte("hi\x00")), v1Msg(MsgContinuation, 0, contBody(0, 24))))
	f.Add(v2Header(HdrAttrOrderTracked|HdrTimesStored, v2Msg(MsgComment, 0, 1, []byte("abc\x00")), 3))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := ReadHeader(memSource(b), 0, Limits{MaxMessages: 1000, MaxContinuations: 64})
		if err != nil {
			if h != nil {
				t.Fatalf("error %v with a header", err)
			}
			return
		}
		for _, m := range h.Messages {
			if m.Err != nil && m.Value != nil {
				t.Fatalf("message %v: error %v with value %T", m.Type, m.Err, m.Value)
			}
			if m.Shared != nil && m.Value != nil {
				t.Fatalf("shared message %v with a value", m.Type)
			}
		}
	})
}

// FuzzMessage runs each message decoder (and the shared message and SOHM
// record decoders) over arbitrary bytes. Invariants: no panic; an error comes
// with a nil result.
func FuzzMessage(f *testing.F) {
	// Seed with every message body of the fixtures.
	for _, name := range []string{"objects_earliest", "objects_latest"} {
		var exp expFile
		raw, _ := os.ReadFile(filepath.Join("testdata", name+".json"))
		if jsonUnmarshal(raw, &exp) != nil {
			continue
		}
		b, _ := os.ReadFile(filepath.Join("testdata", name+".h5"))
		src := memSource(b)
		for _, e := range exp.Objects {
			h, err := ReadHeader(src, e.Addr, Limits{})
			if err != nil {
				continue
			}
			for _, m := range h.Messages {
				f.Add(uint8(m.Type), uint8(8), m.Raw)
			}
		}
	}
	f.Fuzz(func(t *testing.T, typ uint8, sz uint8, raw []byte) {
		sizes := binfmt.Sizes{Offsets: 8, Lengths: 8}
		switch sz % 3 {
		case 1:
			sizes = binfmt.Sizes{Offsets: 4, Lengths: 4}
		case 2:
			sizes = binfmt.Sizes{Offsets: 2, Lengths: 8}
		}
		v, err := DecodeMessage(MsgType(typ%32), raw, sizes, 0)
		if err != nil && v != nil {
			t.Fatalf("type %d: error %v with %T", typ%32, err, v)
		}
		if err == nil && v == nil {
			t.Fatalf("type %d: no error and no value", typ%32)
		}
		if r, err := DecodeShared(raw, sizes, 0); err != nil && r != nil {
			t.Fatalf("shared: error %v with %+v", err, r)
		}
		if e, err := DecodeSOHMEntry(raw, sizes, 0); err != nil && e.HeapID != nil {
			t.Fatalf("SOHM entry: error %v with %+v", err, e)
		}
	})
}
