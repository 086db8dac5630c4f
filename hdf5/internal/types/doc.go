// Package types decodes the two header messages that describe a dataset's or
// attribute's elements: the Datatype message (Spec 3.0, IV.A.2.d "The Datatype
// Message", H5.format.html#DatatypeMessage) and the Dataspace message (Spec
// 3.0, IV.A.2.b "The Dataspace Message", H5.format.html#DataspaceMessage).
//
// Supported: datatype message versions 1 to 4 and all eleven classes of HDF5
// 1.x (fixed-point, floating-point with any bit layout and the LE, BE and VAX
// byte orders, time, string, bitfield, opaque, compound, reference, enumerated,
// variable-length and array); dataspace message versions 1 and 2 (scalar,
// simple and null, with maximum dimensions; version 1 permutation indices are
// skipped). The 1.12 reference types (object2, region2, attribute) decode to
// RefKind >= 2 so that the data-reading layer can refuse them precisely; the
// complex class of HDF5 2.0 (class 11) is reported as unsupported.
//
// The package is pure: decoders take the message bytes and never read the
// file. Every count in a message is checked against the bytes that hold it
// before anything is allocated, nesting depth is capped at MaxDepth, and any
// panic on input is a bug.
package types
