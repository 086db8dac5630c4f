package hdf5

import (
	"github.com/goh5/goh5/hdf5/internal/object"
	"github.com/goh5/goh5/internal/binfmt"
)

// sohmTable is the file's shared object header message table, read from the
// superblock extension on first use.
type sohmTable struct {
	indexes []object.SOHMIndex
}

// loadSOHM reads the superblock extension's shared message table message
// and the table it points at (Spec 3.0, III.F "Shared Object Header Message
// Table").
func (f *File) loadSOHM() (*sohmTable, error) {
	f.sohmOnce.Do(func() {
		ext := f.sb.ExtensionAddr
		if ext == binfmt.Undef {
			f.sohmErr = binfmt.Errorf(0, "superblock", "shared message in a file without a superblock extension")
			return
		}
		h, err := f.header(ext)
		if err != nil {
			f.sohmErr = err
			return
		}
		m := h.Find(object.MsgSOHMTable)
		if m == nil {
			f.sohmErr = binfmt.Errorf(ext, "superblock extension", "shared message in a file without a shared message table")
			return
		}
		st, ok := m.Value.(*object.SOHMTable)
		if !ok {
			f.sohmErr = binfmt.Errorf(m.Addr, "shared message table message", "undecodable")
			return
		}
		idx, err := object.ReadSOHMTable(f.src, st.Addr, int(st.NumIndexes))
		if err != nil {
			f.sohmErr = err
			return
		}
		f.sohm = &sohmTable{indexes: idx}
	})
	return f.sohm, f.sohmErr
}

// sohmGet returns the raw bytes of a message of type t stored in the shared
// message heap under heap ID id, and the heap's address.
func (f *File) sohmGet(t object.MsgType, id []byte) ([]byte, uint64, error) {
	tab, err := f.loadSOHM()
	if err != nil {
		return nil, 0, err
	}
	for i := range tab.indexes {
		ix := &tab.indexes[i]
		if !ix.Holds(t) {
			continue
		}
		fh, err := f.fractal(ix.HeapAddr)
		if err != nil {
			return nil, 0, err
		}
		b, err := fh.Get(id)
		if err != nil {
			return nil, 0, err
		}
		return b, ix.HeapAddr, nil
	}
	return nil, 0, binfmt.Errorf(f.sb.ExtensionAddr, "shared message table", "no index holds messages of type %d", t)
}
