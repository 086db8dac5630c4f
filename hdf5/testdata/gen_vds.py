#!/usr/bin/python3
"""Writes virtual dataset fixtures to testdata/vds/ and what h5py reads from
them to testdata/vds/expected.json.

Run with Debian's h5py from any directory: /usr/bin/python3 gen_vds.py
Made with h5py 3.7.0 / libhdf5 1.10.8. Virtual datasets need libver v110 or
later, so every file is written with libver="latest".

expected.json lists, per virtual dataset, the shape h5py reports (for
unlimited mappings, the extent libhdf5 computes from the sources) and the
sha256 of the elements as little-endian packed bytes.
"""
import hashlib
import json
import os

import h5py
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vds")
os.makedirs(OUT, exist_ok=True)
os.chdir(OUT)  # source names are relative to the VDS file's directory
U = h5py.h5s.UNLIMITED
records = []


def new(name):
    return h5py.File(name, "w", libver="latest")


def record(fname, path):
    with h5py.File(fname, "r") as f:
        d = f[path]
        a = d[...]
        le = a.astype(a.dtype.newbyteorder("<"))
        records.append({"kind": "dataset", "file": fname, "path": "/" + path.lstrip("/"),
                        "shape": list(d.shape), "layout": "virtual",
                        "h5type": {"class": "INTEGER" if a.dtype.kind in "iu" else "FLOAT"},
                        "digest_method": "bytes-le-packed",
                        "sha256": hashlib.sha256(le.tobytes()).hexdigest()})


# 1. Sources in sibling files, stacked as rows, plus one whose file is
#    missing (reads as the fill value), and sources in the same file.
for i in range(3):
    with new("src_%d.h5" % i) as f:
        f["data"] = np.arange(6, dtype="<i4") + 100 * i
layout = h5py.VirtualLayout(shape=(4, 6), dtype="<i4")
for i in range(3):
    layout[i] = h5py.VirtualSource("src_%d.h5" % i, "data", shape=(6,))
layout[3] = h5py.VirtualSource("missing.h5", "data", shape=(6,))
with new("vds_files.h5") as f:
    f.create_virtual_dataset("stack", layout, fillvalue=-7)
record("vds_files.h5", "stack")

# 2. Same-file sources ("."), with a strided mapping (interleaved rows), a
#    2-D block placed at an offset, and an unmapped region.
with new("vds_same.h5") as f:
    f["a"] = np.arange(20, dtype="<f8").reshape(5, 4)
    f["b"] = -np.arange(20, dtype="<f8").reshape(5, 4)
    f["c"] = np.arange(6, dtype="<f8").reshape(2, 3) * 0.5
    lay = h5py.VirtualLayout(shape=(12, 7), dtype="<f8")
    lay[0:10:2, 0:4] = h5py.VirtualSource(".", "a", shape=(5, 4))
    lay[1:10:2, 0:4] = h5py.VirtualSource(".", "b", shape=(5, 4))
    lay[10:12, 4:7] = h5py.VirtualSource(".", "c", shape=(2, 3))
    # a source selection that is a strided part of the source
    lay[0:3, 5] = h5py.VirtualSource(".", "a", shape=(5, 4))[0:5:2, 3]
    f.create_virtual_dataset("mix", lay, fillvalue=1.5)
record("vds_same.h5", "mix")

# 3. Big-endian source and virtual dataset.
with new("vds_be.h5") as f:
    f.create_dataset("src", data=np.arange(12, dtype=">i2").reshape(3, 4))
    lay = h5py.VirtualLayout(shape=(4, 4), dtype=">i2")
    lay[1:4] = h5py.VirtualSource(".", "src", shape=(3, 4))
    f.create_virtual_dataset("be", lay, fillvalue=-1)
record("vds_be.h5", "be")


def set_virtual(dcpl, vspace, fname, dname, sspace):
    dcpl.set_virtual(vspace, fname.encode(), dname.encode(), sspace)


def make_vds(fname, name, dims, maxdims, dtype, fill, mappings):
    with new(fname) as f:
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_fill_value(np.array([fill], dtype=dtype))
        for vsel, sfile, sdset, ssel in mappings:
            set_virtual(dcpl, vsel, sfile, sdset, ssel)
        space = h5py.h5s.create_simple(dims, maxdims)
        h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl).close()


# 4. printf mapping: block b of 3 rows comes from src_b_%b.h5; blocks 0, 1
#    and 3 exist, so (printf gap 0) the extent ends after block 1.
for b in (0, 1, 3):
    with new("blk_%d.h5" % b) as f:
        f["x"] = (np.arange(15, dtype="<i4") + 1000 * (b + 1)).reshape(3, 5)
vs = h5py.h5s.create_simple((0, 5), (U, 5))
vs.select_hyperslab((0, 0), (U, 1), (4, 1), (3, 5))  # stride 4: a gap row after each block
ss = h5py.h5s.create_simple((3, 5))
ss.select_all()
make_vds("vds_printf.h5", "printf", (0, 5), (U, 5), "<i4", -2, [(vs, "blk_%b.h5", "x", ss)])
record("vds_printf.h5", "printf")

# 5. Unlimited mappings to growing sources (non-printf): two sources of
#    different lengths interleaved; the shorter one's rows past its end
#    read as fill. Plus a fixed mapping of a same-file dataset.
for name, n in (("grow_a.h5", 4), ("grow_b.h5", 2)):
    with new(name) as f:
        d = f.create_dataset("g", shape=(n, 3), maxshape=(None, 3), chunks=(1, 3), dtype="<i8")
        d[...] = np.arange(n * 3).reshape(n, 3) + (10 if name == "grow_a.h5" else 50)
m = []
for k, name in enumerate(("grow_a.h5", "grow_b.h5")):
    vs = h5py.h5s.create_simple((0, 3), (U, 3))
    vs.select_hyperslab((k, 0), (U, 1), (2, 1), (1, 3))
    ss = h5py.h5s.create_simple((0, 3), (U, 3))
    ss.select_hyperslab((0, 0), (U, 1), (1, 1), (1, 3))
    m.append((vs, name, "g", ss))
make_vds("vds_unlim.h5", "unlim", (0, 3), (U, 3), "<i8", -5, m)
record("vds_unlim.h5", "unlim")

# 6. Irregular-hyperslab selections (unions of blocks) in mappings; libhdf5
#    refuses point selections in virtual datasets.
with new("vds_sel.h5") as f:
    f["p"] = np.arange(10, dtype="<i4") * 3
vs = h5py.h5s.create_simple((4, 5))
vs.select_hyperslab((1, 0), (3, 1))
ss = h5py.h5s.create_simple((10,))
ss.select_hyperslab((2,), (3,))
vs2 = h5py.h5s.create_simple((4, 5))
vs2.select_hyperslab((0, 2), (2, 2))
vs2.select_hyperslab((1, 3), (3, 2), op=h5py.h5s.SELECT_OR)
ss2 = h5py.h5s.create_simple((10,))
ss2.select_hyperslab((0,), (8,))
ss2.select_hyperslab((9,), (1,), op=h5py.h5s.SELECT_OR)
make_vds("vds_sel.h5", "sel", (4, 5), (4, 5), "<i4", 9, [(vs, ".", "p", ss), (vs2, ".", "p", ss2)])
record("vds_sel.h5", "sel")

with open("expected.json", "w") as f:
    json.dump(records, f, indent=1)
