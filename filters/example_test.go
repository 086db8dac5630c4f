package filters_test

import (
	"bytes"
	"compress/zlib"
	"fmt"

	"github.com/goh5/goh5/filters"
)

// xorFilter is a toy user filter: it XORs every byte with params[0].
type xorFilter struct{}

func (xorFilter) ID() uint16   { return 40000 }
func (xorFilter) Name() string { return "xor" }

func (xorFilter) Decode(dst, src []byte, params []uint32, limit int) ([]byte, error) {
	if len(src) > limit {
		return nil, filters.ErrTooLarge
	}
	key := byte(0)
	if len(params) > 0 {
		key = byte(params[0])
	}
	dst = dst[:0]
	for _, b := range src {
		dst = append(dst, b^key)
	}
	return dst, nil
}

// Register a user filter; files whose pipelines name its ID can then be read.
func ExampleRegister() {
	filters.Register(xorFilter{})
	f, ok := filters.Lookup(40000)
	fmt.Println(ok, f.Name())
	out, err := f.Decode(nil, []byte{0x21, 0x20}, []uint32{0x49}, 16)
	fmt.Printf("%q %v\n", out, err)
	// Output:
	// true xor
	// "hi" <nil>
}

// Decode a chunk written through shuffle then deflate, the pipeline h5py
// creates for compression="gzip", shuffle=True.
func ExamplePipeline_Decode() {
	// Two little-endian uint16 values, 1 and 2, shuffled: low bytes, then
	// high bytes; then compressed as a zlib stream.
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write([]byte{1, 2, 0, 0})
	w.Close()

	p := filters.Pipeline{
		{ID: filters.IDShuffle, Params: []uint32{2}},
		{ID: filters.IDDeflate, Optional: true, Params: []uint32{6}},
	}
	out, _, _, err := p.Decode(z.Bytes(), 0, 4, nil, nil)
	fmt.Println(out, err)

	// A chunk whose mask has bit 1 set was stored without deflate.
	out, _, _, err = p.Decode([]byte{1, 2, 0, 0}, 1<<1, 4, nil, nil)
	fmt.Println(out, err)
	// Output:
	// [1 0 2 0] <nil>
	// [1 0 2 0] <nil>
}
