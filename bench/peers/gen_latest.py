#!/usr/bin/python3
"""Write the libver='latest' benchmark file of the peer comparison:
$HOME/.cache/goh5-bench/latest_ea_gzip1_256m.h5, dataset /x: 256 MiB of
float32, shape (262144, 256), maxshape (None, 256) so that libhdf5 indexes
its chunks with an extensible array, chunks (1024, 256), gzip level 1.
Run with Debian's h5py: /usr/bin/python3 gen_latest.py [OUT]
"""
import os
import sys

import h5py
import numpy as np

out = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser(
    "~/.cache/goh5-bench/latest_ea_gzip1_256m.h5")
os.makedirs(os.path.dirname(out), exist_ok=True)
rows, cols, block = 262144, 256, 8192
rng = np.random.default_rng(1)
tmp = out + ".tmp"
with h5py.File(tmp, "w", libver="latest") as f:
    d = f.create_dataset("x", shape=(rows, cols), maxshape=(None, cols), dtype="<f4",
                         chunks=(1024, cols), compression="gzip", compression_opts=1)
    t = np.arange(cols, dtype=np.float32)
    for r0 in range(0, rows, block):
        r = np.arange(r0, r0 + block, dtype=np.float32)[:, None]
        v = np.sin(r * 1e-3 + t * 1e-2) * 100 + rng.normal(0, 1, (block, cols)).astype(np.float32)
        d[r0:r0 + block] = np.round(v, 2).astype(np.float32)
os.replace(tmp, out)
print(out)
