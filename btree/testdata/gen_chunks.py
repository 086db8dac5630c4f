#!/usr/bin/python3
"""Writes the chunk-index fixtures idx_*.h5 and idx_expected.json.

Run from this directory with Debian's Python (h5py 3.7.0, libhdf5 1.10.8):

    /usr/bin/python3 gen_chunks.py

Every dataset's expected chunk list comes from libhdf5 itself
(H5Dget_num_chunks / H5Dget_chunk_info through h5py). The layout message
fields the tests need (index type and address, index parameters) are
decoded here from the raw message bytes, located with h5debug.
"""
import hashlib
import itertools
import json
import re
import subprocess

import h5py
import numpy as np

UNLIM = 2**64 - 1


def filled(shape, dtype, seed):
    n = int(np.prod(shape))
    rng = np.random.default_rng(seed)
    return rng.integers(0, 100, size=n).astype(dtype).reshape(shape)


def implicit(f, name, shape, maxshape, chunks, dtype):
    """Early allocation, no filter: libhdf5 picks the implicit index."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    space = h5py.h5s.create_simple(shape, maxshape)
    h5py.h5d.create(f.id, name.encode(), h5py.h5t.py_create(np.dtype(dtype)), space, dcpl=dcpl)
    return f[name]


def latest(path):
    specs = []
    with h5py.File(path, "w", libver="latest") as f:
        # single chunk: unfiltered 2-D, gzip 1-D
        d = f.create_dataset("single", shape=(4, 5), chunks=(4, 5), dtype="i4")
        d[...] = filled((4, 5), "i4", 1)
        d = f.create_dataset("single_gzip", shape=(10,), chunks=(10,), dtype="i8", compression="gzip")
        d[...] = filled((10,), "i8", 2)
        # implicit: fixed and larger max dims, partial edge chunks
        d = implicit(f, "implicit", (10, 9), (10, 9), (4, 4), "i2")
        d[...] = filled((10, 9), "i2", 3)
        d = implicit(f, "implicit_max", (5, 6, 3), (7, 6, 5), (2, 4, 2), "u1")
        d[0:3, 0:4, 0:2] = 7
        # fixed array, unpaged, max dims larger than dims, some chunks unwritten
        d = f.create_dataset("fa", shape=(10, 7), maxshape=(12, 9), chunks=(3, 2), dtype="i4")
        d[0:6, 0:4] = filled((6, 4), "i4", 4)
        d[9, 6] = 5
        d = f.create_dataset("fa_3d_gzip", shape=(5, 6, 7), chunks=(2, 3, 4), dtype="f4", compression="gzip")
        d[...] = filled((5, 6, 7), "f4", 5)
        # fixed array, paged (3000 > 2^10 chunks); page 1 never written
        d = f.create_dataset("fa_paged", shape=(3000,), chunks=(1,), dtype="i1")
        d[0:500] = 1
        d[2100:2200] = 2
        d = f.create_dataset("fa_paged_gzip", shape=(40, 61), chunks=(1, 2), dtype="i2", compression="gzip")
        d[0:20, :] = filled((20, 61), "i2", 6)
        d[30:40, 0:30] = filled((10, 30), "i2", 7)
        # extensible array: dense run across super blocks, plus a far sparse
        # run landing in a paged data block (super block 13, 2048 elements)
        d = f.create_dataset("ea", shape=(140000,), maxshape=(None,), chunks=(1,), dtype="i1")
        d[0:1100] = filled((1100,), "i1", 8)
        d[135000:135010] = 3
        d = f.create_dataset("ea_gzip", shape=(140000,), maxshape=(None,), chunks=(1,), dtype="i1",
                             compression="gzip")
        d[0:1100] = filled((1100,), "i1", 9)
        d[2500] = 4
        d[139990:140000] = 5
        # unlimited dim not first (swizzled linear index), edge chunks
        d = f.create_dataset("ea_2d", shape=(5, 40), maxshape=(7, None), chunks=(2, 3), dtype="i4")
        d[:, 0:20] = filled((5, 20), "i4", 10)
        d[4, 39] = 1
        d = f.create_dataset("ea_3d_gzip", shape=(6, 5, 50), maxshape=(6, None, 50), chunks=(4, 2, 7),
                             dtype="i2", compression="gzip")
        d[:, 0:3, :] = filled((6, 3, 50), "i2", 11)
        d[5, 4, 49] = 2
        # v2 B-tree: two or more unlimited dims
        d = f.create_dataset("bt2", shape=(30, 20), maxshape=(None, None), chunks=(2, 2), dtype="i4")
        d[0:26, 0:20] = filled((26, 20), "i4", 12)
        d[29, 19] = 3
        d = f.create_dataset("bt2_gzip", shape=(6, 7, 8), maxshape=(None, None, 8), chunks=(4, 3, 3),
                             dtype="f8", compression="gzip")
        d[0:4, :, 0:5] = filled((4, 7, 5), "f8", 13)
        d[5, 6, 7] = 1.5
        specs = list(f.keys())
    return specs


def earliest(path):
    with h5py.File(path, "w", libver="earliest") as f:
        d = f.create_dataset("v1_1d", shape=(100,), chunks=(7,), dtype="i4")
        d[0:50] = filled((50,), "i4", 20)
        d[90:100] = 1
        d = f.create_dataset("v1_2d_gzip", shape=(50, 40), maxshape=(None, 40), chunks=(3, 3), dtype="i2",
                             compression="gzip")
        d[0:40, :] = filled((40, 40), "i2", 21)
        d[49, 39] = 9
        d = f.create_dataset("v1_3d", shape=(5, 6, 7), chunks=(2, 3, 4), dtype="u1")
        d[0:2, :, :] = 3
        d[4, 5, 6] = 4
        return list(f.keys())


def objects(path, name):
    out = subprocess.run(["h5debug", path, str(name)], check=True, capture_output=True, text=True).stdout
    return out


def layout_raw(path, addr, data):
    """Finds the raw layout message of the object header at addr via h5debug."""
    out = objects(path, addr)
    chunks = {}
    cur = None
    for line in out.splitlines():
        m = re.match(r"\s*Chunk (\d+)\.\.\.", line)
        if m:
            cur = int(m.group(1))
            continue
        m = re.match(r"\s*Address:\s+(\d+)", line)
        if m and cur is not None and cur not in chunks:
            chunks[cur] = int(m.group(1))
    blocks = re.split(r"\nMessage \d+\.\.\.", out)
    for b in blocks:
        if "`layout'" not in b:
            continue
        cn = int(re.search(r"Chunk number:\s+(\d+)", b).group(1))
        off, size = map(int, re.search(r"\(offset, size\) in chunk:\s+\((\d+), (\d+)\)", b).groups())
        start = chunks[cn] + off
        return data[start:start + size]
    raise RuntimeError("no layout message")


def u(b, n):
    return int.from_bytes(b[:n], "little")


def decode_layout(raw):
    """Spec 3.0 IV.A.2.i, data layout message versions 3 and 4 (chunked)."""
    ver, cls = raw[0], raw[1]
    assert cls == 2, cls
    L = {"layout_version": ver}
    if ver == 3:
        ndims = raw[2]
        L["index_type"] = 0
        L["index_addr"] = u(raw[3:], 8)
        p = 11
        L["chunk_dims"] = [u(raw[p + 4 * i:], 4) for i in range(ndims)]
        return L
    assert ver == 4, ver
    flags, ndims, enc = raw[2], raw[3], raw[4]
    p = 5
    L["flags"] = flags
    L["chunk_dims"] = [u(raw[p + enc * i:], enc) for i in range(ndims)]
    p += enc * ndims
    it = raw[p]
    p += 1
    L["index_type"] = it
    if it == 1:
        if flags & 2:
            L["single_size"] = u(raw[p:], 8)
            L["single_mask"] = u(raw[p + 8:], 4)
            p += 12
    elif it == 2:
        pass
    elif it == 3:
        L["fa_page_bits"] = raw[p]
        p += 1
    elif it == 4:
        L["ea_max_bits"], L["ea_index_elems"], L["ea_min_pointers"], L["ea_min_elems"], L["ea_page_bits"] = raw[p:p + 5]
        p += 5
    elif it == 5:
        L["bt2_node_size"] = u(raw[p:], 4)
        L["bt2_split"], L["bt2_merge"] = raw[p + 4], raw[p + 5]
        p += 6
    L["index_addr"] = u(raw[p:], 8)
    return L


# Grid positions probed for the large sparse 1-D extensible arrays (the
# whole 140000-chunk grid would bloat the JSON).
SAMPLES = [range(0, 1110), range(2490, 2510), range(131050, 131070), range(134990, 135030),
           range(139980, 140000)]


def direct(d):
    """For each probed chunk (o: offset; m, s, h: filter mask, stored size and
    the first 16 hex digits of the SHA-256 of the stored bytes, absent when
    the chunk is not allocated): libhdf5's own lookup (H5Dread_chunk), which
    returns the filter mask and the stored bytes, or fails when the chunk is
    not allocated. libhdf5 1.10.8's H5Dget_chunk_info(_by_coord) report wrong
    offsets for extensible arrays whose unlimited dimension is not the first,
    so the direct-chunk read is the reference for the index lookup."""
    if len(d.shape) == 1 and d.shape[0] > 10000:
        coords = [(i,) for r in SAMPLES for i in r]
    else:
        grid = [range(0, n, c) for n, c in zip(d.shape, d.chunks)]
        coords = list(itertools.product(*grid))
    out = []
    for c in coords:
        off = tuple(int(x) * (d.chunks[0] if len(d.shape) == 1 and d.shape[0] > 10000 else 1) for x in c)
        try:
            mask, data = d.id.read_direct_chunk(off)
        except RuntimeError:
            out.append({"o": list(off)})
            continue
        out.append({"o": list(off), "m": mask, "s": len(data), "h": hashlib.sha256(data).hexdigest()[:16]})
    return out


def record(path, names):
    data = open(path, "rb").read()
    res = {}
    with h5py.File(path, "r") as f:
        for name in names:
            d = f[name]
            addr = h5py.h5o.get_info(d.id).addr
            L = decode_layout(layout_raw(path, addr, data))
            n = d.id.get_num_chunks()
            chunks = []
            for i in range(n):
                ci = d.id.get_chunk_info(i)
                chunks.append({"o": list(ci.chunk_offset), "m": ci.filter_mask, "a": ci.byte_offset, "s": ci.size})
            L.update({
                "dims": list(d.shape),
                "max_dims": [UNLIM if m is None else m for m in d.maxshape],
                "chunk": list(d.chunks),
                "elem_size": d.dtype.itemsize,
                "filtered": d.id.get_create_plist().get_nfilters() > 0,
                "num_chunks": n,
                "chunks": chunks,
                "direct": direct(d),
            })
            res[name] = L
    return res


if __name__ == "__main__":
    exp = {}
    exp["idx_latest.h5"] = record("idx_latest.h5", latest("idx_latest.h5"))
    exp["idx_earliest.h5"] = record("idx_earliest.h5", earliest("idx_earliest.h5"))
    with open("idx_expected.json", "w") as fp:
        json.dump(exp, fp, separators=(",", ":"), sort_keys=True)
        fp.write("\n")
