// Package h5s decodes libhdf5's serialized dataspace selections (the
// H5S_select_serialize encoding) and works out which elements they select.
//
// Serialized selections are embedded in virtual dataset mappings
// (Spec 3.0, III.F "Disk Format: Level 1F - Global Heap Block for Virtual
// Datasets", H5.format.html#VirtualDatasetGlobalHeapBlock) and in dataset
// region references (Spec 3.0, IV.B "Disk Format: Level 2B - Data Object
// Data Storage", region references). Supported: the "none" and "all"
// selections (version 1), point selections (versions 1 and 2) and hyperslab
// selections (version 1: explicit blocks with 32-bit coordinates; version 2:
// regular hyperslab with 64-bit fields; version 3, from libhdf5 1.12: regular
// or explicit blocks with 2-, 4- or 8-byte fields). In a regular hyperslab
// an all-ones count or block, whatever the field size, is H5S_UNLIMITED.
//
// The decoder treats its input as hostile: counts are checked against the
// bytes present before anything is allocated. Any panic on input is a bug.
package h5s
