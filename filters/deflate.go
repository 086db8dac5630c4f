package filters

// deflateFilter undoes HDF5's deflate filter (ID 1). libhdf5 writes a zlib
// stream (RFC 1950: a two-byte header, raw deflate data, an adler32 of the
// decoded bytes), so the adler32 is verified. The client data value is the
// compression level and is not needed to decode. The stream is decoded by
// the whole-buffer inflater in inflate.go straight into dst.
// Spec 3.0, IV.A.2.l "Data Storage - Filter Pipeline Message"
// (H5.format.html#FilterMessage), filter identification 1.
type deflateFilter struct{}

var _ Filter = deflateFilter{}

func init() { Register(deflateFilter{}) }

func (deflateFilter) ID() uint16   { return IDDeflate }
func (deflateFilter) Name() string { return "deflate" }

func (deflateFilter) Decode(dst, src []byte, _ []uint32, limit int) ([]byte, error) {
	return inflateZlib(dst, src, limit)
}
