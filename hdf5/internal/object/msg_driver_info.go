package object

import "github.com/goh5/goh5/internal/binfmt"

// DriverInfo is the driver info message of a superblock extension.
// Spec 3.0, IV.A.2.u "The Driver Info Message" (H5.format.html#DriverInfoMessage).
//
//	Version 0 | Driver Identification (8 ASCII bytes) | Driver Information Size (2) | Driver Information
type DriverInfo struct {
	Version uint8
	ID      string // e.g. "NCSAmult"
	Data    []byte
}

func decodeDriverInfo(b []byte, sizes binfmt.Sizes, addr uint64) (*DriverInfo, error) {
	c := binfmt.NewCursor(b, sizes, addr, "driver info message")
	d := &DriverInfo{Version: c.Version(0)}
	d.ID = string(c.Bytes(8))
	n := int(c.Uint16())
	d.Data = c.Bytes(n)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return d, nil
}
