// Package object decodes HDF5 object headers and the header messages they
// hold: version 1 headers and version 2 "OHDR" headers with their
// continuation blocks ("OCHK" for version 2), the shared-message encoding,
// every header message of Spec 3.0, IV.A.2 (the datatype and dataspace
// encodings are delegated to package types), and the shared object header
// message table ("SMTB") and list ("SMLI") of Spec 3.0, III.F.
//
// It targets the HDF5 File Format Specification 3.0 (H5.format.html); where
// real files disagree with it, libhdf5's behaviour is followed (for example
// the message count of a version 1 header is not enforced).
//
// Everything read from a file is treated as hostile: sizes are bounded by the
// file size before anything is allocated, continuation chains are checked for
// cycles and capped by Limits. Any panic on input is a bug.
package object
