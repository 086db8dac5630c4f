package superblock

import (
	"errors"
	"fmt"
	"io"

	"github.com/goh5/goh5/internal/binfmt"
)

// Signature is the eight-byte format signature that starts every superblock.
// Spec 3.0, II.A "Disk Format: Level 0A - Format Signature and Superblock"
// (H5.format.html#Superblock).
const Signature = "\x89HDF\r\n\x1a\n"

// Defaults libhdf5 uses when a superblock does not store a B-tree K value
// (version 0 has no indexed storage K; versions 2 and 3 store none, leaving
// non-default values to the superblock extension's B-tree 'K' message).
const (
	DefaultGroupLeafK      = 4
	DefaultGroupInternalK  = 16
	DefaultIndexedStorageK = 32
)

// maxSuperblockSize bounds the bytes read at the signature: a version 1
// superblock with 8-byte offsets is 8+16+4+4*8+40 = 100 bytes.
const maxSuperblockSize = 128

// Superblock is the decoded file superblock.
// Spec 3.0, II.A "Disk Format: Level 0A - Format Signature and Superblock"
// (H5.format.html#Superblock).
type Superblock struct {
	Version int

	skipChecksum bool // ReadSkipChecksum: accept a bad v2/v3 checksum
	// SignatureOffset is the absolute file offset of the signature: 0, 512,
	// 1024, 2048, ...
	SignatureOffset int64
	// Base is the absolute offset every stored address is relative to. libhdf5
	// (H5F__super_read) always uses the signature's offset, whatever the
	// stored base address says, so Base == SignatureOffset.
	Base uint64
	// StoredBase is the base address field as written in the file. libhdf5
	// writes the user block size here, but ignores it when reading.
	StoredBase uint64
	Sizes      binfmt.Sizes

	// B-tree K values. Fields a version does not store hold libhdf5's
	// defaults (see DefaultGroupLeafK etc.); for versions 2 and 3 the
	// superblock extension may override them.
	GroupLeafK, GroupInternalK, IndexedStorageK int

	Flags uint32
	// Addresses are relative to Base. Absent ones are binfmt.Undef:
	// FreeSpaceAddr and DriverInfoAddr exist only in versions 0 and 1,
	// ExtensionAddr only in versions 2 and 3. EOFAddr is the exception:
	// libhdf5 stores the end of file as an absolute offset (relative end of
	// allocation plus base; H5F__cache_superblock_serialize), so it is kept as
	// stored, absolute.
	FreeSpaceAddr, EOFAddr, DriverInfoAddr, ExtensionAddr uint64

	// Root is the root group's symbol table entry (versions 0 and 1). For
	// versions 2 and 3 only Root.ObjAddr is set.
	Root SymbolEntry
	// Driver is the driver information block, nil when absent.
	Driver *DriverInfo
}

// DriverInfo is a driver information block.
// Spec 3.0, II.B "Disk Format: Level 0B - File Driver Info"
// (H5.format.html#DriverInfo).
type DriverInfo struct {
	Addr    uint64 // relative address of the block
	Version uint8
	ID      string // eight ASCII characters, e.g. "NCSAfami", "NCSAmult"
	Info    []byte // the driver-defined information
}

// Driver identifications of the drivers libhdf5 stores information for.
const (
	DriverFamily = "NCSAfami"
	DriverMulti  = "NCSAmult"
)

// maxDriverInfo bounds the driver information read (the multi driver, the
// largest, stores 8 + 16*6 bytes plus six member names).
const maxDriverInfo = 1 << 20

// Read locates the superblock of the file r of the given size and decodes it.
// The signature is searched for at 0 and then at 512, 1024, 2048, ... (powers
// of two) as libhdf5's H5FD_locate_signature does.
//
// A file written with the family or multi (split) driver decodes successfully;
// CheckDriver reports that goh5 cannot read it.
func Read(r io.ReaderAt, size int64) (*Superblock, error) {
	return ReadSkipChecksum(r, size, false)
}

// ReadSkipChecksum is Read; with skip, a version 2 or 3 superblock whose
// checksum does not match is accepted (for salvaging a damaged file).
func ReadSkipChecksum(r io.ReaderAt, size int64, skip bool) (*Superblock, error) {
	off, err := locate(r, size)
	if err != nil {
		return nil, err
	}
	n := int64(maxSuperblockSize)
	if rem := size - off; rem < n {
		n = rem
	}
	buf := make([]byte, n)
	if m, err := r.ReadAt(buf, off); int64(m) != n {
		if err == nil || errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, binfmt.Wrap(0, "superblock", err, "read failed")
	}
	sb := &Superblock{SignatureOffset: off, Base: uint64(off), skipChecksum: skip}
	if err := sb.decode(buf); err != nil {
		return nil, err
	}
	if sb.DriverInfoAddr != binfmt.Undef {
		d, err := readDriverInfo(sb.Source(r, size), sb.DriverInfoAddr)
		if err != nil {
			return nil, err
		}
		sb.Driver = d
	}
	return sb, nil
}

// locate finds the signature (H5FD_locate_signature).
func locate(r io.ReaderAt, size int64) (int64, error) {
	var b [8]byte
	for off := int64(0); off >= 0 && off+8 <= size; {
		if m, _ := r.ReadAt(b[:], off); m == 8 && string(b[:]) == Signature {
			return off, nil
		}
		if off == 0 {
			off = 512
		} else {
			off *= 2
		}
	}
	return 0, &binfmt.FormatError{What: "superblock", Msg: "no HDF5 signature found (not an HDF5 file)"}
}

// decode decodes the superblock in b, which starts at the signature. Every
// address field is relative to the base; the superblock itself lies at
// relative address 0.
func (sb *Superblock) decode(b []byte) error {
	c := binfmt.NewCursor(b, binfmt.Sizes{}, 0, "superblock")
	c.Signature(Signature)
	sb.Version = int(c.Version(0, 1, 2, 3))
	if err := c.Err(); err != nil {
		return err
	}
	switch sb.Version {
	case 0, 1:
		return sb.decodeV01(c)
	default:
		return sb.decodeV23(c)
	}
}

// sizes validates the sizes of offsets and lengths. libhdf5 also accepts 16
// and 32, which no Go integer holds.
func checkSizes(c *binfmt.Cursor, s binfmt.Sizes) {
	for _, n := range []int{s.Offsets, s.Lengths} {
		switch n {
		case 2, 4, 8:
		case 16, 32:
			c.Unsupportedf("%d-byte addresses or lengths", n)
		default:
			c.Failf("size of offsets %d / lengths %d not 2, 4 or 8", s.Offsets, s.Lengths)
		}
	}
}

// decodeV01 decodes the rest of a version 0 or 1 superblock.
func (sb *Superblock) decodeV01(c *binfmt.Cursor) error {
	if v := c.Uint8(); v != 0 && c.Err() == nil {
		c.Failf("free-space storage version %d, want 0", v)
	}
	if v := c.Uint8(); v != 0 && c.Err() == nil {
		c.Failf("root group symbol table entry version %d, want 0", v)
	}
	c.Skip(1)
	if v := c.Uint8(); v != 0 && c.Err() == nil {
		c.Failf("shared header message format version %d, want 0", v)
	}
	sb.Sizes.Offsets = int(c.Uint8())
	sb.Sizes.Lengths = int(c.Uint8())
	c.Skip(1)
	sb.GroupLeafK = int(c.Uint16())
	sb.GroupInternalK = int(c.Uint16())
	sb.Flags = c.Uint32()
	sb.IndexedStorageK = DefaultIndexedStorageK
	if sb.Version == 1 {
		sb.IndexedStorageK = int(c.Uint16())
		c.Skip(2)
	}
	if err := c.Err(); err != nil {
		return err
	}
	checkSizes(c, sb.Sizes)
	if sb.GroupLeafK == 0 || sb.GroupInternalK == 0 || sb.IndexedStorageK == 0 {
		c.Failf("B-tree K of zero (leaf %d, internal %d, indexed storage %d)",
			sb.GroupLeafK, sb.GroupInternalK, sb.IndexedStorageK)
	}
	if err := c.Err(); err != nil {
		return err
	}
	// Re-wrap the remaining bytes with the now-known sizes.
	rest := binfmt.NewCursor(c.Buf()[c.Pos():], sb.Sizes, uint64(c.Pos()), "superblock")
	sb.StoredBase = rest.Offset()
	sb.FreeSpaceAddr = rest.Offset()
	sb.EOFAddr = rest.Offset()
	sb.DriverInfoAddr = rest.Offset()
	sb.ExtensionAddr = binfmt.Undef
	sb.Root = DecodeSymbolEntry(rest)
	if err := rest.Err(); err != nil {
		return err
	}
	return nil
}

// decodeV23 decodes the rest of a version 2 or 3 superblock and verifies its
// checksum.
func (sb *Superblock) decodeV23(c *binfmt.Cursor) error {
	sb.Sizes.Offsets = int(c.Uint8())
	sb.Sizes.Lengths = int(c.Uint8())
	sb.Flags = uint32(c.Uint8())
	if err := c.Err(); err != nil {
		return err
	}
	checkSizes(c, sb.Sizes)
	if err := c.Err(); err != nil {
		return err
	}
	sb.GroupLeafK = DefaultGroupLeafK
	sb.GroupInternalK = DefaultGroupInternalK
	sb.IndexedStorageK = DefaultIndexedStorageK
	// The cursor has no sizes yet; decode the addresses with a sized cursor
	// over the same buffer so that the checksum still covers it from byte 0.
	full := binfmt.NewCursor(c.Buf(), sb.Sizes, 0, "superblock")
	full.SkipChecksums(sb.skipChecksum)
	full.Skip(c.Pos())
	sb.StoredBase = full.Offset()
	sb.ExtensionAddr = full.Offset()
	sb.EOFAddr = full.Offset()
	sb.Root = SymbolEntry{ObjAddr: full.Offset()}
	full.Checksum()
	sb.FreeSpaceAddr = binfmt.Undef
	sb.DriverInfoAddr = binfmt.Undef
	return full.Err()
}

// Source returns the view of r that the decoders use: addresses relative to
// the superblock's base, with the file's sizes of offsets and lengths.
func (sb *Superblock) Source(r io.ReaderAt, size int64) *binfmt.Source {
	return &binfmt.Source{R: r, Size: size, Base: sb.Base, Sizes: sb.Sizes, SkipChecksums: sb.skipChecksum}
}

// readDriverInfo decodes the driver information block at addr.
// Spec 3.0, II.B "Disk Format: Level 0B - File Driver Info".
func readDriverInfo(src *binfmt.Source, addr uint64) (*DriverInfo, error) {
	const what = "driver information block"
	c, err := src.Cursor(addr, 16, what)
	if err != nil {
		return nil, err
	}
	d := &DriverInfo{Addr: addr}
	d.Version = c.Version(0)
	c.Skip(3)
	n := c.Uint32()
	d.ID = string(c.Bytes(8))
	if err := c.Err(); err != nil {
		return nil, err
	}
	if n > maxDriverInfo {
		return nil, binfmt.Errorf(addr, what, "driver information size %d too large", n)
	}
	info, err := src.ReadAt(addr+16, uint64(n), what)
	if err != nil {
		return nil, err
	}
	d.Info = info
	return d, nil
}

// CheckDriver reports whether goh5 can read the file's data through a single
// io.ReaderAt. Files written with the family or multi (split) driver spread
// their address space over several files; for them it returns an
// *binfmt.UnsupportedError naming the driver.
func (sb *Superblock) CheckDriver() error {
	if sb.Driver == nil {
		return nil
	}
	switch sb.Driver.ID {
	case DriverFamily:
		return binfmt.Unsupported(sb.Driver.Addr, "family driver")
	case DriverMulti:
		return binfmt.Unsupported(sb.Driver.Addr, "multi driver")
	}
	return binfmt.Unsupported(sb.Driver.Addr, "file driver %q", sb.Driver.ID)
}

// FamilyMemberSize returns the member file size stored by the family driver.
func (d *DriverInfo) FamilyMemberSize() (uint64, error) {
	if d.ID != DriverFamily {
		return 0, fmt.Errorf("hdf5: driver %q is not the family driver", d.ID)
	}
	c := binfmt.NewCursor(d.Info, binfmt.Sizes{}, d.Addr+16, "family driver information")
	v := c.Uint64()
	return v, c.Err()
}
