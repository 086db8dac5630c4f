package filters

// Stage is one filter of a pipeline as stored in the filter pipeline message.
type Stage struct {
	ID       uint16
	Name     string // the name stored in the file, may be empty
	Optional bool   // flags bit 0: the filter may be skipped when it fails or is missing
	Params   []uint32
}

// Pipeline is the ordered list of filters applied when writing; reading
// applies them in reverse.
type Pipeline []Stage

// Decode undoes the pipeline on one chunk. mask is the chunk's filter mask: bit
// i set means stage i was not applied when the chunk was written, so it is not
// undone. limit caps every intermediate and final output. The result may alias
// scratch buffers; a and b are reusable buffers (they may be nil) and are
// returned, possibly grown, for the caller to pool.
func (p Pipeline) Decode(src []byte, mask uint32, limit int, a, b []byte) (out, bufA, bufB []byte, err error) {
	return p.decode(src, mask, limit, a, b, nil)
}

// DecodeInto undoes the pipeline on one chunk like Decode, but the last
// stage writes straight into final, whose length is the chunk's size and the
// limit. This saves a copy when the caller's destination holds the whole
// chunk as one run. n is the decoded size: when it differs from len(final)
// the chunk is malformed and final holds no result. a and b are returned as
// by Decode and never alias final.
func (p Pipeline) DecodeInto(final, src []byte, mask uint32, a, b []byte) (n int, bufA, bufB []byte, err error) {
	out, a, b, err := p.decode(src, mask, len(final), a, b, final)
	if err != nil {
		return 0, a, b, err
	}
	if len(out) == len(final) && len(out) > 0 && &out[0] != &final[0] {
		copy(final, out) // a filter that returned its own buffer, or no stage applied
	}
	return len(out), a, b, nil
}

// decode runs the stages in reverse into the scratch buffers a and b, which
// swap roles after each stage; when final is not nil, the last stage undone
// writes into it instead.
func (p Pipeline) decode(src []byte, mask uint32, limit int, a, b, final []byte) (out, bufA, bufB []byte, err error) {
	last := -1 // the last stage undone: the lowest index the mask does not skip
	if final != nil {
		for i := range p {
			if i >= 32 || mask&(1<<uint(i)) == 0 {
				last = i
				break
			}
		}
	}
	cur := src
	for i := len(p) - 1; i >= 0; i-- {
		if i < 32 && mask&(1<<uint(i)) != 0 {
			continue
		}
		st := p[i]
		f, ok := Lookup(st.ID)
		if !ok {
			// Even an optional filter must be undone when the mask says it
			// was applied: libhdf5's H5Z_pipeline fails the read ("required
			// filter is not registered") rather than return filtered bytes.
			return nil, a, b, &UnsupportedError{ID: st.ID, Name: nameOf(st)}
		}
		dst := a[:0]
		if i == last {
			dst = final[:0:limit]
		}
		out, err := f.Decode(dst, cur, st.Params, limit)
		if err != nil {
			return nil, a, b, &FilterError{ID: st.ID, Name: f.Name(), Err: err}
		}
		if len(out) > limit {
			return nil, a, b, &FilterError{ID: st.ID, Name: f.Name(), Err: ErrTooLarge}
		}
		if i == last {
			return out, a, b, nil // out is in final's storage (or a filter's own)
		}
		// out now lives in a's storage (or a fresh slice that replaces it);
		// the next stage writes into b.
		a, b = b, out
		cur = out
	}
	return cur, a, b, nil
}

func nameOf(st Stage) string {
	if n := KnownName(st.ID); n != "" {
		return n
	}
	return st.Name
}
