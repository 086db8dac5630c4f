#!/usr/bin/python3
"""Writes selections.json: dataspace selections serialized by libhdf5
(H5Sencode, through h5py), with what libhdf5 reports about each one.

Run with Debian's h5py: /usr/bin/python3 gen_selections.py
Made with h5py 3.7.0 / libhdf5 1.10.8.

Each case holds:
  encoded:  hex of H5Sencode's output (a header, the extent, then the
            serialized selection: the test decodes from "sel_offset" on)
  type, npoints, bounds, blocks (hyperslabs), points, regular (start,
  stride, count, block; from H5Sget_regular_hyperslab when it is regular)
  order:    linear indices of the selected elements in the order libhdf5
            transfers them (a read of an arange dataset with the selection)
"""
import json
import os
import tempfile

import h5py
import numpy as np

U = h5py.h5s.UNLIMITED
cases = []


def sel_offset(buf):
    # H5Sencode (1.10): type byte (H5O_SDSPACE_ID), encode version, sizeof
    # size, 4-byte extent length, extent, selection.
    n = int.from_bytes(buf[3:7], "little")
    return 7 + n


def order(shape, sid):
    n = sid.get_select_npoints()
    if n == 0:
        return []
    with tempfile.TemporaryDirectory() as d:
        with h5py.File(os.path.join(d, "t.h5"), "w") as f:
            ds = f.create_dataset("d", data=np.arange(int(np.prod(shape)), dtype="<i8").reshape(shape))
            out = np.zeros((n,), dtype="<i8")
            ms = h5py.h5s.create_simple((n,))
            ds.id.read(ms, sid, out)
            return [int(x) for x in out]


def add(name, shape, setup, unlimited=False):
    sid = h5py.h5s.create_simple(shape)
    setup(sid)
    buf = sid.encode()
    c = {"name": name, "shape": list(shape), "encoded": buf.hex(), "sel_offset": sel_offset(buf),
         "type": int(sid.get_select_type())}
    if not unlimited:
        c["npoints"] = int(sid.get_select_npoints())
        if c["npoints"] > 0:
            lo, hi = sid.get_select_bounds()
            c["bounds"] = [list(map(int, lo)), list(map(int, hi))]
        c["order"] = order(shape, sid)
    t = sid.get_select_type()
    if t == h5py.h5s.SEL_HYPERSLABS:
        if not unlimited:
            bl = sid.get_select_hyper_blocklist()
            c["blocks"] = [[list(map(int, b[0])), list(map(int, b[1]))] for b in bl]
        if sid.is_regular_hyperslab():
            st, sd, ct, bk = sid.get_regular_hyperslab()
            c["regular"] = [list(map(int, st)), list(map(int, sd)), list(map(int, ct)), list(map(int, bk))]
    if t == h5py.h5s.SEL_POINTS:
        c["points"] = [list(map(int, p)) for p in sid.get_select_elem_pointlist()]
    cases.append(c)


add("all_2d", (3, 4), lambda s: s.select_all())
add("none_2d", (3, 4), lambda s: s.select_none())
add("points_2d", (5, 6), lambda s: s.select_elements(np.array([[4, 1], [0, 0], [2, 5], [4, 0]])))
add("points_1d", (10,), lambda s: s.select_elements(np.array([[7], [3], [9]])))
add("slab_regular_2d", (10, 12), lambda s: s.select_hyperslab((1, 2), (3, 2), (3, 4), (2, 3)))
add("slab_contig_3d", (4, 5, 6), lambda s: s.select_hyperslab((1, 0, 2), (2, 5, 3)))


def irregular(s):
    s.select_hyperslab((0, 0), (2, 3))
    s.select_hyperslab((3, 4), (2, 2), op=h5py.h5s.SELECT_OR)
    s.select_hyperslab((1, 1), (3, 3), op=h5py.h5s.SELECT_OR)


add("slab_irregular_2d", (6, 8), irregular)
add("slab_unlim_count", (10, 7), lambda s: s.select_hyperslab((1, 0), (U, 1), (4, 1), (2, 7)), unlimited=True)
add("slab_unlim_block", (10, 7), lambda s: s.select_hyperslab((0, 2), (1, 1), (2, 1), (1, U)), unlimited=True)

with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "selections.json"), "w") as f:
    json.dump({"h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version, "cases": cases}, f, indent=1)
