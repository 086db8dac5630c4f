#!/usr/bin/python3
"""Write what libhdf5 (through h5py) says about the storage of each fixture
that goh5's stat test checks: object, attribute and link counts, and per
dataset its shape, element size, layout, filters, stored chunk count
(H5Dget_num_chunks) and storage size (H5Dget_storage_size). For
variable-length types libhdf5 reports the in-memory element size, so
"variable" marks them.

Run from this directory with Debian's h5py:  /usr/bin/python3 gen_stat.py
(h5py 3.7.0, libhdf5 1.10.8 made the committed files). It only reads the
fixtures in ../../../../testdata/files and writes <fixture>.expect.json here.
"""
import json
import os

import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
FILES = os.path.join(HERE, "..", "..", "..", "..", "testdata", "files")
FIXTURES = ["example.h5", "chunked_earliest.h5", "chunked_latest.h5",
            "groups_earliest.h5", "groups_latest.h5", "userblock_latest.h5",
            "sizes4_earliest.h5"]
LAYOUTS = {h5py.h5d.COMPACT: "compact", h5py.h5d.CONTIGUOUS: "contiguous",
           h5py.h5d.CHUNKED: "chunked", getattr(h5py.h5d, "VIRTUAL", 3): "virtual"}
LINKS = {h5py.SoftLink: "soft", h5py.ExternalLink: "external", h5py.HardLink: "hard"}


def variable(t):
    if t.get_class() == h5py.h5t.VLEN:
        return True
    return t.get_class() == h5py.h5t.STRING and t.is_variable_str()


def describe(name):
    out = {"groups": 1, "datasets": 0, "named_datatypes": 0, "attributes": 0,
           "links": {"hard": 0, "soft": 0, "external": 0, "user-defined": 0},
           "datasets_list": []}
    with h5py.File(os.path.join(FILES, name), "r") as f:
        out["userblock_bytes"] = f.userblock_size
        out["superblock_version"] = f.id.get_create_plist().get_version()[0]

        def count(g_or_obj):
            out["attributes"] += len(g_or_obj.attrs)
            if isinstance(g_or_obj, h5py.Group):
                for k in g_or_obj.keys():
                    l = g_or_obj.get(k, getlink=True)
                    out["links"][LINKS.get(type(l), "user-defined")] += 1

        count(f)

        def visit(path, o):
            count(o)
            if isinstance(o, h5py.Group):
                out["groups"] += 1
            elif isinstance(o, h5py.Datatype):
                out["named_datatypes"] += 1
            elif isinstance(o, h5py.Dataset):
                out["datasets"] += 1
                pl = o.id.get_create_plist()
                layout = LAYOUTS[pl.get_layout()]
                d = {"path": "/" + path,
                     "shape": None if o.shape is None else list(o.shape),
                     "itemsize": o.id.get_type().get_size(),
                     "variable": variable(o.id.get_type()),
                     "layout": layout,
                     "filters": [pl.get_filter(i)[0] for i in range(pl.get_nfilters())],
                     "storage_size": o.id.get_storage_size()}
                if layout == "chunked":
                    d["chunks"] = o.id.get_num_chunks()
                    d["chunk_shape"] = list(o.chunks)
                out["datasets_list"].append(d)

        f.visititems(visit)
    return out


for name in FIXTURES:
    with open(os.path.join(HERE, name + ".expect.json"), "w") as fh:
        json.dump(describe(name), fh, indent=1)
        fh.write("\n")
