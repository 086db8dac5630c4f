#!/usr/bin/python3
"""Seeded random selections over the 1-D..4-D fixtures, with libhdf5's answers.

Each line of selections.jsonl:
  {"file": F, "path": P, "id": n, "kind": "hyperslab", "start": [...], "stride": [...],
   "count": [...], "block": [...], "shape": [...], "digest_method": "bytes-le-packed",
   "sha256": "...", "nbytes": N}
  {"file": F, "path": P, "id": n, "kind": "points", "points": [[...], ...],
   "shape": [npoints], "digest_method": ..., "sha256": ..., "nbytes": N}

Hyperslab semantics are H5Sselect_hyperslab(start, stride, count, block); the
selected data is read by libhdf5 (dset.id.read) into a memory dataspace of shape
count*block per dimension (so `shape` is [count[i]*block[i]]), in row-major order
of the selection. Points are read in the listed order, shape [npoints].
"""

import hashlib
import json
import os
import sys

import numpy as np
import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import h5ref  # noqa: E402

N_PER_DATASET = 50
TARGETS = [("chunked_%s.h5" % lv, "/ndim/d%d_%s" % (k, kind))
           for lv in ("earliest", "latest") for k in (1, 2, 3, 4)
           for kind in ("contig", "chunked", "chunked_unlim")]


def random_hyperslab(rng, shape):
    start, stride, count, block = [], [], [], []
    for n in shape:
        b = int(rng.integers(1, max(2, n // 3) + 1))
        b = min(b, n)
        s = int(rng.integers(b, b + 4))  # stride >= block
        st = int(rng.integers(0, n - b + 1))
        maxc = (n - st - b) // s + 1
        c = int(rng.integers(1, maxc + 1))
        start.append(st)
        stride.append(s)
        count.append(c)
        block.append(b)
    return start, stride, count, block


def digest(dset, arr):
    tid = dset.id.get_type()
    c = h5ref.canon(arr, tid)
    b = np.ascontiguousarray(c).tobytes()
    return hashlib.sha256(b).hexdigest(), len(b)


def main(files_dir, out_path):
    with open(out_path, "w") as out:
        for fi, (fname, path) in enumerate(TARGETS):
            rng = np.random.default_rng(1000 + fi)
            with h5py.File(os.path.join(files_dir, fname), "r") as f:
                d = f[path]
                shape = d.shape
                for n in range(N_PER_DATASET):
                    rec = {"file": fname, "path": path, "id": n}
                    fspace = d.id.get_space()
                    if n % 5 == 4:
                        npts = int(rng.integers(1, 20))
                        pts = np.array([[int(rng.integers(0, s)) for s in shape] for _ in range(npts)],
                                       dtype="u8")
                        fspace.select_elements(pts)
                        mshape = (npts,)
                        rec.update(kind="points", points=pts.tolist())
                    else:
                        start, stride, count, block = random_hyperslab(rng, shape)
                        fspace.select_hyperslab(tuple(start), tuple(count), tuple(stride), tuple(block))
                        mshape = tuple(c * b for c, b in zip(count, block))
                        rec.update(kind="hyperslab", start=start, stride=stride, count=count, block=block)
                    arr = np.empty(mshape, dtype=d.dtype)
                    d.id.read(h5py.h5s.create_simple(mshape), fspace, arr)
                    if rec["kind"] == "hyperslab":
                        # cross-check against numpy slicing of a full read
                        full = d[()]
                        idx = tuple(np.concatenate([np.arange(s + i * st, s + i * st + b)
                                                    for i in range(c)])
                                    for s, st, c, b in zip(start, stride, count, block))
                        assert np.array_equal(full[np.ix_(*idx)], arr), (fname, path, n)
                    else:
                        full = d[()]
                        assert np.array_equal(full[tuple(pts.T.astype(np.intp))], arr)
                    sha, nb = digest(d, arr)
                    rec.update(shape=list(mshape), digest_method="bytes-le-packed", sha256=sha, nbytes=nb)
                    out.write(json.dumps(rec, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    td = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    main(os.path.join(td, "files"), os.path.join(td, "selections.jsonl"))
