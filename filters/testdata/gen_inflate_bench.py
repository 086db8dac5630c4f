#!/usr/bin/python3
"""Extract raw deflate+shuffle chunks for BenchmarkInflate (not committed data).

Run with Debian's h5py:  /usr/bin/python3 gen_inflate_bench.py [N]
Reads the first N (default 24) chunks of /x in
$HOME/.cache/goh5-bench/gzip1_shuffle_1g.h5 (float32, chunks 1024x256,
shuffle + deflate level 1) with read_direct_chunk and writes them to
$HOME/.cache/goh5-bench/inflate/gzip1/NNN.bin. The same decoded rows are
written again by libhdf5 with shuffle + deflate level 6 to a temporary file,
whose raw chunks go to .../inflate/gzip6/. Each directory gets a sizes.txt
line "file decoded_bytes" per chunk. If the 1 GiB file is absent, smooth
random float32 data of the same shape stands in.
"""
import os, sys
import numpy as np
import h5py

n = int(sys.argv[1]) if len(sys.argv) > 1 else 24
base = os.path.expanduser("~/.cache/goh5-bench")
out = os.path.join(base, "inflate")
src = os.path.join(base, "gzip1_shuffle_1g.h5")
rows = 1024 * n


def dump(f, name):
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    ds = f["x"]
    with open(os.path.join(d, "sizes.txt"), "w") as s:
        for i in range(n):
            mask, raw = ds.id.read_direct_chunk((i * 1024, 0))
            assert mask == 0
            fn = "%03d.bin" % i
            with open(os.path.join(d, fn), "wb") as w:
                w.write(raw)
            s.write("%s %d\n" % (fn, 1024 * 256 * 4))


if os.path.exists(src):
    with h5py.File(src, "r") as f:
        data = f["x"][:rows]
        dump(f, "gzip1")
else:
    rng = np.random.default_rng(1)
    data = np.cumsum(rng.standard_normal((rows, 256)), axis=0).astype("f4")
    tmp1 = os.path.join(out, "tmp1.h5")
    os.makedirs(out, exist_ok=True)
    with h5py.File(tmp1, "w") as f:
        f.create_dataset("x", data=data, chunks=(1024, 256), shuffle=True, compression="gzip", compression_opts=1)
    with h5py.File(tmp1, "r") as f:
        dump(f, "gzip1")
    os.remove(tmp1)
tmp = os.path.join(out, "tmp6.h5")
with h5py.File(tmp, "w") as f:
    f.create_dataset("x", data=data, chunks=(1024, 256), shuffle=True, compression="gzip", compression_opts=6)
with h5py.File(tmp, "r") as f:
    dump(f, "gzip6")
os.remove(tmp)
