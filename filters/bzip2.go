package filters

import (
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
)

// bzip2Filter undoes the bzip2 filter (ID 307, PyTables/hdf5plugin's
// H5Zbzip2): each chunk is one bzip2 stream. The client data value is the
// block size (1-9) used when compressing and is not needed to decode. The
// stream's block and stream CRCs are verified.
type bzip2Filter struct{}

var _ Filter = bzip2Filter{}

func init() { Register(bzip2Filter{}) }

func (bzip2Filter) ID() uint16   { return IDBzip2 }
func (bzip2Filter) Name() string { return "bzip2" }

func (bzip2Filter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	// compress/bzip2 has no Reset; a reader is cheap next to the work of
	// decoding a 100-900 KB bzip2 block.
	r := bzip2.NewReader(bytes.NewReader(src))
	out, err := readCapped(dst, r, limit, initialGuess(len(src), limit))
	if err != nil {
		var se bzip2.StructuralError
		if errors.As(err, &se) && bytes.Contains([]byte(se), []byte("checksum")) {
			return nil, fmt.Errorf("%w: bzip2 %v", ErrChecksum, err)
		}
		return nil, err
	}
	return out, nil
}
