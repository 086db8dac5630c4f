#!/usr/bin/python3
"""Generate the heap package fixtures with libhdf5 (through h5py).

Run from this directory with Debian's Python:  /usr/bin/python3 gen.py
Tool versions used: h5py 3.7.0, libhdf5 1.10.8 (see versions.json).

Every file holds the heap under test plus what libhdf5 needs around it; the
expected values (names, strings, sizes, digests) are read back through h5py
or libhdf5's own h5debug and stored in a JSON file beside each fixture.
"""
import ctypes
import hashlib
import json
import re
import subprocess

import h5py
import numpy as np

lib = ctypes.CDLL("libhdf5_serial.so.103")
lib.H5Pset_link_phase_change.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
lib.H5Pset_deflate.argtypes = [ctypes.c_int64, ctypes.c_uint]
lib.H5Pset_attr_phase_change.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]


def find_sig(path, sig):
    data = open(path, "rb").read()
    return [m.start() for m in re.finditer(re.escape(sig), data)]


def h5debug(path, *addrs):
    out = subprocess.run(["h5debug", path] + [str(a) for a in addrs],
                         capture_output=True, text=True)
    return out.stdout + out.stderr


def dump(name, obj):
    with open(name, "w") as f:
        json.dump(obj, f, indent=1, sort_keys=True)
        f.write("\n")


# ---------------------------------------------------------------- local heap
def gen_local():
    fn = "local_earliest.h5"
    names = ["alpha", "beta", "gamma_dataset", "delta", "epsilon_with_a_longer_name"]
    with h5py.File(fn, "w", libver="earliest") as f:
        for n in names:
            f.create_dataset(n, data=np.arange(3))
        f["soft"] = h5py.SoftLink("/alpha")
    with h5py.File(fn, "r") as f:
        keys = sorted(f.keys())
        soft = f.get("soft", getlink=True).path
    heaps = find_sig(fn, b"HEAP")
    snods = find_sig(fn, b"SNOD")
    assert len(heaps) == 1 and len(snods) == 1, (heaps, snods)
    hd = h5debug(fn, heaps[0])
    assert "Local Heap" in hd, hd
    data_addr = int(re.search(r"Address of heap data:\s+(\d+)", hd).group(1))
    data_size = int(re.search(r"Data bytes allocated for heap:\s+(\d+)", hd).group(1))
    sd = h5debug(fn, snods[0], heaps[0])
    entries = []
    for m in re.finditer(r"Name:\s+`([^']*)'\s+Name offset into private heap:\s+(\d+)", sd):
        entries.append({"name": m.group(1), "offset": int(m.group(2))})
    link = re.search(r"Link value offset:\s+(\d+)\s+Link value:\s+(\S+)", sd)
    assert sorted(e["name"] for e in entries) == keys, (entries, keys)
    assert link.group(2) == soft
    dump("local_earliest.json", {
        "heap_addr": heaps[0], "data_addr": data_addr, "data_size": data_size,
        "entries": entries,
        "soft_value_offset": int(link.group(1)), "soft_value": soft,
    })


# --------------------------------------------------------------- global heap
def gen_global():
    fn = "global_earliest.h5"
    strs = ["", "a", "hello", "variable length string", "x" * 300, "ünïcödé"]
    seqs = [np.arange(n, dtype=np.int32) * 7 - 3 for n in (0, 1, 2, 5, 40)]
    with h5py.File(fn, "w", libver="earliest") as f:
        st = h5py.string_dtype("utf-8")
        f.create_dataset("strings", data=np.array(strs, dtype=object), dtype=st)
        vt = h5py.vlen_dtype(np.dtype("<i4"))
        d = f.create_dataset("seqs", (len(seqs),), dtype=vt)
        for i, s in enumerate(seqs):
            d[i] = s
    out = {"sizeof_offsets": 8}
    with h5py.File(fn, "r") as f:
        ds = f["strings"]
        out["strings"] = {
            "offset": ds.id.get_offset(), "count": len(ds),
            "values": [v.decode("utf-8") for v in ds[...]],
        }
        dq = f["seqs"]
        out["seqs"] = {
            "offset": dq.id.get_offset(), "count": len(dq),
            "values": [[int(x) for x in v] for v in dq[...]],
        }
    out["collections"] = find_sig(fn, b"GCOL")
    for a in out["collections"]:
        assert "Global Heap Collection" in h5debug(fn, a), a
    dump("global_earliest.json", out)


# -------------------------------------------------------------- fractal heap
def fractal_info(fn):
    heaps = find_sig(fn, b"FRHP")
    assert len(heaps) == 1, heaps
    hd = h5debug(fn, heaps[0])
    assert "Fractal Heap Header" in hd, hd
    return heaps[0], hd


def btrees(fn):
    """Addresses of the file's v2 B-trees, by the record type h5debug names."""
    out = {}
    for a in find_sig(fn, b"BTHD"):
        m = re.search(r"Tree type ID:\s+\S+ \((\d+)\)", h5debug(fn, a))
        assert m, a
        out[m.group(1)] = a
    return out


def dense_gcpl(deflate=None):
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    # max_compact=0, min_dense=0: dense link storage from the first link.
    assert lib.H5Pset_link_phase_change(gcpl.id, 0, 0) >= 0
    if deflate is not None:
        assert lib.H5Pset_deflate(gcpl.id, deflate) >= 0
    return gcpl


def link_names(n, width):
    # Long names so that the heap outgrows its root direct block and needs
    # an indirect block.
    return ["link_%05d_" % i + "n" * width for i in range(n)]


def gen_links(fn, n, width, deflate=None):
    names = link_names(n, width)
    with h5py.File(fn, "w", libver="latest") as f:
        gid = h5py.h5g.create(f.id, b"dense", gcpl=dense_gcpl(deflate))
        g = h5py.Group(gid)
        for i, nm in enumerate(names):
            if i % 2:
                g[nm] = h5py.SoftLink("/target_%d" % i)
            else:
                g[nm] = h5py.SoftLink("/t")
    with h5py.File(fn, "r") as f:
        got = sorted(f["dense"].keys())
    assert got == sorted(names)
    addr, hd = fractal_info(fn)
    out = {"heap_addr": addr, "count": len(got), "h5debug": hd.splitlines(),
           "btrees": btrees(fn)}
    if n <= 1000:
        out["names"] = got
    else:
        # Too many to store: the digest of the sorted names, one per line.
        out["names_sha256"] = hashlib.sha256("\n".join(got).encode()).hexdigest()
    return out


def gen_attrs():
    fn = "fractal_attrs_latest.h5"
    rng = np.random.default_rng(1)
    big = rng.integers(0, 256, 100000, dtype=np.uint8)
    mid = rng.integers(0, 256, 5000, dtype=np.uint8)
    with h5py.File(fn, "w", libver="latest") as f:
        d = f.create_dataset("d", data=np.zeros(2))
        for i in range(100):
            d.attrs["attr_%03d" % i] = np.int64(i * 1000 + 7)
        d.attrs["big_attr"] = big
        d.attrs["mid_attr"] = mid
    with h5py.File(fn, "r") as f:
        a = f["d"].attrs
        names = sorted(a.keys())
        ints = {k: int(a[k]) for k in names if k.startswith("attr_")}
        bigv = np.asarray(a["big_attr"]).tobytes()
        midv = np.asarray(a["mid_attr"]).tobytes()
    addr, hd = fractal_info(fn)
    dump("fractal_attrs_latest.json", {
        "heap_addr": addr, "names": names, "ints": ints,
        "big_len": len(bigv), "big_sha256": hashlib.sha256(bigv).hexdigest(),
        "mid_len": len(midv), "mid_sha256": hashlib.sha256(midv).hexdigest(),
        "h5debug": hd.splitlines(), "btrees": btrees(fn),
    })


def gen_huge_links():
    # Soft links whose values exceed the 4096-byte managed-object limit are
    # stored as huge objects; in a deflated heap they are filtered too, and
    # 7-byte heap IDs reach them through a type-2 v2 B-tree.
    fn = "fractal_deflate_huge_latest.h5"
    vals = {"short_%d" % i: "/s%d" % i for i in range(10)}
    vals["long_a"] = "/" + "a" * 6000
    vals["long_b"] = "/" + "".join(chr(ord("a") + i % 26) for i in range(10000))
    with h5py.File(fn, "w", libver="latest") as f:
        gid = h5py.h5g.create(f.id, b"dense", gcpl=dense_gcpl(6))
        g = h5py.Group(gid)
        for k, v in vals.items():
            g[k] = h5py.SoftLink(v)
    with h5py.File(fn, "r") as f:
        g = f["dense"]
        got = {k: g.get(k, getlink=True).path for k in g.keys()}
    assert got == vals
    addr, hd = fractal_info(fn)
    dump("fractal_deflate_huge_latest.json", {
        "heap_addr": addr, "soft_values": got, "h5debug": hd.splitlines(),
        "btrees": btrees(fn),
    })


def main():
    gen_huge_links()
    gen_local()
    gen_global()
    dump("fractal_links_latest.json", gen_links("fractal_links_latest.h5", 1000, 40))
    dump("fractal_small_latest.json", gen_links("fractal_small_latest.h5", 12, 0))
    dump("fractal_deflate_latest.json", gen_links("fractal_deflate_latest.h5", 7000, 60, deflate=6))
    gen_attrs()
    dump("versions.json", {"h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version})


if __name__ == "__main__":
    main()
