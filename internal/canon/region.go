package canon

import (
	"encoding/binary"
	"strconv"
)

// region writes a dataset region reference from its stored heap ID. The
// selection is the one hdf5.File.RegionRef resolves (the rule for its
// blocks and point count is documented there).
func (w *jsonWriter) region(v []byte) error {
	// h5py writes {"ref":null,"kind":"region"} when libhdf5 cannot
	// dereference the reference: its heap object or its target is missing.
	desc := make([]byte, 4, 4+len(v))
	binary.LittleEndian.PutUint32(desc, 1)
	desc = append(desc, v...)
	_, data, err := w.f.VlenElement(desc)
	so := w.f.SizeOfOffsets()
	if err != nil || len(data) < so {
		w.buf = append(w.buf, `{"ref":null,"kind":"region"}`...)
		return nil
	}
	path, ok := w.resolve(leUint(data[:so]))
	if !ok {
		w.buf = append(w.buf, `{"ref":null,"kind":"region"}`...)
		return nil
	}
	r, err := w.f.RegionRef(v)
	if err != nil {
		return err
	}
	if r == nil { // not reached: a null reference has no heap object
		w.buf = append(w.buf, `{"ref":null,"kind":"region"}`...)
		return nil
	}
	w.buf = append(w.buf, `{"ref":`...)
	w.appendPath(path)
	w.buf = append(w.buf, `,"addr":`...)
	w.buf = strconv.AppendUint(w.buf, r.Addr, 10)
	w.buf = append(w.buf, `,"kind":"region","sel_type":"`...)
	w.buf = append(w.buf, r.SelType...)
	w.buf = append(w.buf, `","npoints":`...)
	w.buf = strconv.AppendUint(w.buf, r.NPoints, 10)
	switch r.SelType {
	case "points":
		w.buf = append(w.buf, `,"points":[`...)
		for i, p := range r.Points {
			if i > 0 {
				w.byte(',')
			}
			w.coords(p)
			w.maybeFlush()
		}
		w.byte(']')
	case "hyperslab":
		w.buf = append(w.buf, `,"blocks":[`...)
		for i, bl := range r.Blocks {
			if i > 0 {
				w.byte(',')
			}
			w.byte('[')
			w.coords(bl[0])
			w.byte(',')
			w.coords(bl[1])
			w.byte(']')
			w.maybeFlush()
		}
		w.byte(']')
	}
	w.byte('}')
	return nil
}

func (w *jsonWriter) coords(c []uint64) {
	w.byte('[')
	for i, x := range c {
		if i > 0 {
			w.byte(',')
		}
		w.buf = strconv.AppendUint(w.buf, x, 10)
	}
	w.byte(']')
}
