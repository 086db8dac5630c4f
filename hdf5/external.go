package hdf5

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/goh5/goh5/internal/binfmt"
)

// extSegment is one external file's share of a dataset's bytes
// (Spec 3.0, IV.A.2.h "External Data Files Message").
type extSegment struct {
	name       string
	fileOffset uint64
	size       uint64 // bytes of the dataset held there
	start      uint64 // logical offset of the segment in the dataset
}

// externalReader reads a dataset stored in external raw files. Each file is
// opened per read and closed after it; names are relative to the HDF5
// file's directory.
type externalReader struct {
	dir  string
	segs []extSegment
}

func (d *Dataset) externalReader() (io.ReaderAt, uint64, error) {
	ext := d.external
	lh, err := d.f.localHeap(ext.HeapAddr)
	if err != nil {
		return nil, 0, err
	}
	r := &externalReader{dir: d.f.dir}
	var pos uint64
	for _, ef := range ext.Files {
		name, err := lh.String(ef.NameOffset)
		if err != nil {
			return nil, 0, err
		}
		size := ef.Size
		if size == ^uint64(0) { // H5F_UNLIMITED: the rest of the file
			size = d.storageBytes() - min(pos, d.storageBytes())
		}
		r.segs = append(r.segs, extSegment{name: name, fileOffset: ef.Offset, size: size, start: pos})
		var ok bool
		if pos, ok = binfmt.Add(pos, size); !ok {
			return nil, 0, binfmt.Errorf(d.addr, "external data files message", "segment sizes overflow")
		}
	}
	return r, pos, nil
}

func (r *externalReader) ReadAt(p []byte, off int64) (int, error) {
	done := 0
	for done < len(p) {
		pos := uint64(off) + uint64(done)
		var seg *extSegment
		for i := range r.segs {
			s := &r.segs[i]
			if pos >= s.start && pos < s.start+s.size {
				seg = s
				break
			}
		}
		if seg == nil {
			return done, io.EOF
		}
		n := min(uint64(len(p)-done), seg.start+seg.size-pos)
		name := seg.name
		if !filepath.IsAbs(name) {
			name = filepath.Join(r.dir, name)
		}
		fh, err := os.Open(name)
		if err != nil {
			return done, fmt.Errorf("hdf5: external data file: %w", err)
		}
		m, err := fh.ReadAt(p[done:done+int(n)], int64(seg.fileOffset+(pos-seg.start)))
		fh.Close()
		done += m
		if uint64(m) < n {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return done, fmt.Errorf("hdf5: external data file %s is too short: %w", seg.name, err)
		}
	}
	return done, nil
}
