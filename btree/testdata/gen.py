#!/usr/bin/python3
"""Generate B-tree fixtures with libhdf5 (through Debian's h5py).

Run from this directory with Debian's Python: /usr/bin/python3 gen.py
Written with h5py 3.7.0 / libhdf5 1.10.8. Expected values come from libhdf5:
link and attribute names and order from h5py, chunk addresses and sizes from
H5Dget_chunk_info, v2 B-tree header fields and per-depth maximum record
counts from h5debug. They are written to expected.json.

B-tree root addresses are located by scanning the file for node signatures
and confirmed with h5debug; each file holds one tree of each kind.
"""
import ctypes, hashlib, json, os, random, re, subprocess
import h5py
import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
LIB = ctypes.CDLL("libhdf5_serial.so.103", mode=ctypes.RTLD_GLOBAL)
LIB.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
LIB.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]
random.seed(42)
expected = {}


def create(name, sym_k=None, istore_k=None, latest=False):
    path = os.path.join(OUT, name)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    if sym_k:
        assert LIB.H5Pset_sym_k(fcpl.id, *sym_k) >= 0
    if istore_k:
        assert LIB.H5Pset_istore_k(fcpl.id, istore_k) >= 0
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    if latest:
        fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    else:
        fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return path, h5py.File(fid)


def v1_chunk_root(path):
    """The chunk B-tree root: the type-1 TREE node of the highest level."""
    d = open(path, "rb").read()
    best = None
    i = d.find(b"TREE")
    while i >= 0:
        if d[i + 4] == 1 and (best is None or d[i + 5] > best[1]):
            best = (i, d[i + 5])
        i = d.find(b"TREE", i + 1)
    out = subprocess.run(["h5debug", path, str(best[0]), "3"], capture_output=True, text=True).stdout
    assert "B-tree" in out or "TREE" in out or out, out
    return best[0], best[1]


def v2_headers(path, raw=False):
    """v2 B-tree headers found by signature. h5debug decodes the link and
    attribute index headers; it crashes (1.10.8) on chunk index headers, for
    which raw=True records only the address, type and depth read directly
    (the chunk list from H5Dget_chunk_info is then the expectation)."""
    d = open(path, "rb").read()
    res = {}
    i = d.find(b"BTHD")
    while i >= 0:
        if d[i + 4] == 0 and raw:
            depth = int.from_bytes(d[i + 12:i + 14], "little")
            res[str(d[i + 5])] = dict(addr=i, type=d[i + 5], depth=depth)
        elif d[i + 4] == 0:
            out = subprocess.run(["h5debug", path, str(i)], capture_output=True, text=True).stdout
            m = re.search(r"Tree type ID:.*\((\d+)\)", out)
            if m:
                typ = int(m.group(1))
                info = dict(addr=i, type=typ)
                for key, pat in [("node_size", r"Size of node:\s+(\d+)"),
                                 ("record_size", r"Size of raw \(disk\) record:\s+(\d+)"),
                                 ("depth", r"Depth:\s+(\d+)"),
                                 ("total", r"Number of records in tree:\s+(\d+)"),
                                 ("root_records", r"Number of records in root node:\s+(\d+)"),
                                 ("root", r"Address of root node:\s+(\d+)")]:
                    info[key] = int(re.search(pat, out).group(1))
                info["max_nrec"] = [int(x) for x in re.findall(r"Depth \d+:\s+\((\d+)/", out)]
                assert typ not in res, (path, typ)
                res[str(typ)] = info
        i = d.find(b"BTHD", i + 1)
    return res


def chunk_list(dset):
    """Chunks in H5Dget_chunk_info order. Long lists are kept as a count, the
    first and last 25 entries, and the sha256 of every entry's canonical text
    "off0,off1,...:filter_mask:addr:size\\n" (the test hashes the same)."""
    out = []
    for i in range(dset.id.get_num_chunks()):
        ci = dset.id.get_chunk_info(i)
        out.append(dict(offset=list(ci.chunk_offset), filter_mask=ci.filter_mask,
                        addr=ci.byte_offset, size=ci.size))
    if len(out) <= 500:
        return dict(count=len(out), list=out)
    text = "".join("%s:%d:%d:%d\n" % (",".join(map(str, c["offset"])), c["filter_mask"], c["addr"], c["size"])
                   for c in out)
    return dict(count=len(out), head=out[:25], tail=out[-25:],
                sha256=hashlib.sha256(text.encode()).hexdigest())


# 1. v1 group B-tree (type 0) with several levels: root group of 200 links,
#    internal K 2 (at most 4 children per node) and leaf K 2 (SNODs of 4).
path, f = create("group_v1.h5", sym_k=(2, 2))
f["target"] = np.arange(3, dtype="<i2")
names = ["n%03d_%s" % (i, "x" * (i % 7)) for i in range(197)]
random.shuffle(names)
for i, n in enumerate(names):
    if i % 10 == 3:
        f[n] = h5py.SoftLink("/target")
    else:
        f[n] = f["target"]
f.create_group("sub")
f.close()
with h5py.File(path, "r") as f:
    links = []
    for n in f.keys():  # name order for symbol-table groups
        ln = f.get(n, getlink=True)
        if isinstance(ln, h5py.SoftLink):
            links.append(dict(name=n, soft=ln.path))
        else:
            links.append(dict(name=n, addr=h5py.h5o.get_info(f[n].id).addr))
expected["group_v1.h5"] = dict(links=links)

# 2. v1 chunk B-trees (type 1): a 2-D deflated dataset with indexed storage
#    K 2 (a deep tree) and some chunks never written.
path, f = create("chunks_v1.h5", istore_k=2)
d = f.create_dataset("d", shape=(40, 30), chunks=(3, 4), dtype="<i2", compression="gzip")
data = np.arange(40 * 30, dtype="<i2").reshape(40, 30)
d[:30, :] = data[:30, :]
d[30:, :8] = 7
f.close()
with h5py.File(path, "r") as f:
    addr, level = v1_chunk_root(path)
    expected["chunks_v1.h5"] = dict(btree=addr, level=level, ndims=3, chunk=[3, 4, 2],
                                    chunks=chunk_list(f["d"]))

#    A 3-D unfiltered dataset with the default K.
path, f = create("chunks_v1_3d.h5")
d = f.create_dataset("d", shape=(6, 7, 8), chunks=(2, 3, 4), dtype="<f8")
d[:4] = 1.5
f.close()
with h5py.File(path, "r") as f:
    addr, level = v1_chunk_root(path)
    expected["chunks_v1_3d.h5"] = dict(btree=addr, level=level, ndims=4, chunk=[2, 3, 4, 8],
                                       chunks=chunk_list(f["d"]))

# 3. Dense link storage (types 5 and 6): 5000 links, creation order tracked.
path, f = create("dense_links.h5", latest=True)
f["t"] = np.int8(1)
g = f.create_group("g", track_order=True)
lnames = ["link%05d" % i for i in range(5000)]
random.shuffle(lnames)
for n in lnames:
    g[n] = f["t"]
f.close()
with h5py.File(path, "r") as f:
    expected["dense_links.h5"] = dict(names=list(f["g"].keys()), trees=v2_headers(path))

# 4. Dense attribute storage (types 8 and 9).
path, f = create("dense_attrs.h5", latest=True)
g = f.create_group("g", track_order=True)
anames = ["attr%03d" % i for i in range(300)]
random.shuffle(anames)
for i, n in enumerate(anames):
    g.attrs[n] = np.int32(i)
f.close()
with h5py.File(path, "r") as f:
    expected["dense_attrs.h5"] = dict(names=list(f["g"].attrs.keys()), trees=v2_headers(path))

# 5. v2 B-tree chunk index without filters (type 10): two unlimited dims,
#    many one-byte chunks so that the tree has depth 2.
path, f = create("chunks_v2.h5", latest=True)
d = f.create_dataset("d", shape=(100, 100), maxshape=(None, None), chunks=(1, 1), dtype="u1")
d[:, :] = (np.arange(10000) % 251).astype("u1").reshape(100, 100)
f.close()
with h5py.File(path, "r") as f:
    expected["chunks_v2.h5"] = dict(rank=2, chunk=[1, 1], chunk_bytes=1,
                                    chunks=chunk_list(f["d"]),
                                    trees=v2_headers(path, raw=True))

# 6. v2 B-tree chunk index with filters (type 11).
path, f = create("chunks_v2_filtered.h5", latest=True)
d = f.create_dataset("d", shape=(50, 40), maxshape=(None, None), chunks=(2, 2), dtype="<i4",
                     compression="gzip", shuffle=True)
d[:40, :] = np.random.RandomState(1).randint(0, 1000, size=(40, 40))
f.close()
with h5py.File(path, "r") as f:
    expected["chunks_v2_filtered.h5"] = dict(rank=2, chunk=[2, 2], chunk_bytes=16,
                                             chunks=chunk_list(f["d"]),
                                    trees=v2_headers(path, raw=True))

with open(os.path.join(OUT, "expected.json"), "w") as fp:
    json.dump(expected, fp, indent=0, sort_keys=True)
