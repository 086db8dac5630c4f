// Package superblock locates and decodes the HDF5 superblock (versions 0 to
// 3), the driver information block and the symbol table entry, targeting the
// HDF5 File Format Specification 3.0, II.A "Superblock", II.B "File Driver
// Info" and III.C "Symbol Table Entry".
//
// The superblock extension (versions 2 and 3) is an object header; its
// messages are decoded by the object package. Files written with the family
// or multi driver are recognised (Superblock.CheckDriver) but not readable.
//
// Every value read from the file is treated as hostile. Any panic on input is
// a bug.
package superblock
