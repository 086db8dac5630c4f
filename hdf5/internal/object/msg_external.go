package object

import "github.com/goh5/goh5/internal/binfmt"

// ExternalFile is one slot of the external data files message.
type ExternalFile struct {
	NameOffset uint64 // offset of the file name in the local heap
	Offset     uint64 // byte offset of the data in that file
	Size       uint64 // bytes of the dataset's data held there
}

// External is the external data files message: a dataset whose raw data
// lives in other files.
// Spec 3.0, IV.A.2.h "The Data Storage - External Data Files Message" (H5.format.html#ExternalFileListMessage).
//
//	Version 1 | Reserved (3) | Allocated Slots (2) | Used Slots (2) | Heap Address
//	Slots: Name Offset, Offset, Size (size of lengths each)
type External struct {
	Version   uint8
	Allocated uint16
	HeapAddr  uint64 // local heap holding the file names
	Files     []ExternalFile
}

func decodeExternal(b []byte, sizes binfmt.Sizes, addr uint64) (*External, error) {
	c := binfmt.NewCursor(b, sizes, addr, "external data files message")
	e := &External{Version: c.Version(1)}
	c.Skip(3)
	e.Allocated = c.Uint16()
	used := c.Uint16()
	e.HeapAddr = c.Offset()
	if c.Err() == nil && used > e.Allocated {
		c.Failf("%d used slots exceed %d allocated", used, e.Allocated)
	}
	slot := uint64(3 * sizes.Lengths)
	if err := c.Err(); err != nil {
		return nil, err
	}
	if err := binfmt.CheckCount(uint64(used), slot, uint64(c.Len()), c.Addr(), "external data files message"); err != nil {
		return nil, err
	}
	e.Files = make([]ExternalFile, used)
	for i := range e.Files {
		// Sizes are raw here: an all-ones size means "unlimited" (H5F_UNLIMITED).
		e.Files[i] = ExternalFile{NameOffset: c.UintN(sizes.Lengths), Offset: c.UintN(sizes.Lengths), Size: c.Length()}
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	return e, nil
}
