#!/usr/bin/python3
"""Writes regionrefs.h5: region references whose "all" selection targets a
null-dataspace dataset and a scalar one, and regionrefs.json: what h5py
reads back for them (RefResolver.region of testdata/gen/h5ref.py) and the
json digest h5ref.py gives the dataset /refs.

Run with Debian's h5py from any directory: /usr/bin/python3 gen_regionrefs.py
Made with h5py 3.7.0 / libhdf5 1.10.8.
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
FILE = os.path.join(HERE, "regionrefs.h5")

with h5py.File(FILE, "w") as f:
    n = f.create_dataset("null", data=h5py.Empty("f4"))
    s = f.create_dataset("scalar", data=np.int32(7))
    d = f.create_dataset("d", data=np.arange(12).reshape(3, 4))
    refs = f.create_dataset("refs", (3,), dtype=h5py.regionref_dtype)
    refs[0] = h5py.h5r.create(f.id, b"null", h5py.h5r.DATASET_REGION, n.id.get_space())
    refs[1] = h5py.h5r.create(f.id, b"scalar", h5py.h5r.DATASET_REGION, s.id.get_space())
    refs[2] = d.regionref[...]

out = subprocess.run([sys.executable, os.path.join(HERE, "..", "..", "testdata", "gen", "h5ref.py"), FILE],
                     check=True, capture_output=True, text=True).stdout
rec = next(r for r in map(json.loads, out.splitlines()) if r.get("path") == "/refs")
with open(os.path.join(HERE, "regionrefs.json"), "w") as fp:
    json.dump({"value": rec["value"], "digest_method": rec["digest_method"], "sha256": rec["sha256"]}, fp, indent=1)
    fp.write("\n")
