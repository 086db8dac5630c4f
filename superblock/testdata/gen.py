#!/usr/bin/python3
"""Generate superblock fixtures with libhdf5 (through Debian's h5py).

Run from this directory with Debian's Python: /usr/bin/python3 gen.py
Written with h5py 3.7.0 / libhdf5 1.10.8. Expected values are taken from
libhdf5 itself (file creation property lists, H5Oget_info, h5debug) and
written to expected.json beside the files.
"""
import json, os, re, subprocess, glob
import ctypes
import h5py
import numpy as np

# h5py lacks H5Pset_sym_k/H5Pset_istore_k; call libhdf5 (the same instance h5py uses).
LIB = ctypes.CDLL("libhdf5_serial.so.103", mode=ctypes.RTLD_GLOBAL)
LIB.H5Pset_sym_k.argtypes = [ctypes.c_int64, ctypes.c_uint, ctypes.c_uint]
LIB.H5Pset_istore_k.argtypes = [ctypes.c_int64, ctypes.c_uint]

OUT = os.path.dirname(os.path.abspath(__file__))
expected = {}


def h5debug_sb(path):
    """Parse h5debug's superblock dump (addresses it prints are relative)."""
    txt = subprocess.run(["h5debug", path], capture_output=True, text=True).stdout
    d = {}
    for key, pat in [
        ("sb_addr", r"Address of super block:\s+(\d+)"),
        ("root_obj_addr", r"Object header address:\s+(\d+)"),
        ("root_btree_addr", r"B-tree address:\s+(\d+)"),
        ("root_heap_addr", r"Heap address:\s+(\d+)"),
        ("ext_addr", r"Superblock extension address:\s+(\d+)"),
        ("driver_addr", r"Address of driver information block:\s+(\d+)"),
        ("leaf_k", r"Symbol table leaf node 1/2 rank:\s+(\d+)"),
        ("internal_k", r"Symbol table internal node 1/2 rank:\s+(\d+)"),
        ("istore_k", r"Indexed storage internal node 1/2 rank:\s+(\d+)"),
        ("flags", r"File status flags:\s+0x([0-9a-f]+)"),
    ]:
        m = re.search(pat, txt)
        if m:
            d[key] = int(m.group(1), 16 if key == "flags" else 10)
    return d


def record(name, path, extra=None):
    with h5py.File(path, "r") as f:
        fcpl = f.id.get_create_plist()
        ver = fcpl.get_version()
        e = {
            "superblock_version": ver[0],
            "sizes": list(fcpl.get_sizes()),
            "userblock": fcpl.get_userblock(),
            "root_addr": h5py.h5o.get_info(f.id).addr,
            "root_links": sorted(f.keys()),
            "eof": f.id.get_filesize(),
        }
    e.update(h5debug_sb(path))
    if extra:
        e.update(extra)
    expected[name] = e


def simple(f):
    f.create_group("alpha")
    f.create_group("beta")
    f["data"] = np.arange(10, dtype="<i4")


def make(name, **kw):
    path = os.path.join(OUT, name)
    with h5py.File(path, "w", **kw) as f:
        simple(f)
    record(name, path)


make("v0.h5", libver="earliest")
make("v2.h5", libver=("v108", "v108"))
make("v3.h5", libver="latest")
make("ub512_v0.h5", libver="earliest", userblock_size=512)
make("ub1024_v3.h5", libver="latest", userblock_size=1024)


def lowlevel(name, sizes=None, istore_k=None, sym_k=None, latest=False):
    path = os.path.join(OUT, name)
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    if sizes:
        fcpl.set_sizes(*sizes)
    if istore_k:
        assert LIB.H5Pset_istore_k(fcpl.id, istore_k) >= 0
    if sym_k:
        assert LIB.H5Pset_sym_k(fcpl.id, *sym_k) >= 0
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    if latest:
        fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(path.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    with h5py.File(fid) as f:
        simple(f)
    record(name, path)


lowlevel("sizes44_v0.h5", sizes=(4, 4))
lowlevel("sizes28_v0.h5", sizes=(2, 8))
lowlevel("sizes44_v3.h5", sizes=(4, 4), latest=True)
lowlevel("v1_istorek.h5", istore_k=64, sym_k=(8, 2))
lowlevel("v3_ext.h5", istore_k=64, latest=True)  # non-default K: superblock extension

# Family driver: only the first member (holds the superblock) is kept.
for p in glob.glob(os.path.join(OUT, "family*.h5")):
    os.remove(p)
with h5py.File(os.path.join(OUT, "family%d.h5"), "w", driver="family",
               memb_size=2048, libver="earliest") as f:
    simple(f)
    f["big"] = np.arange(600, dtype="<i8")
fam0 = os.path.join(OUT, "family0.h5")
with h5py.File(os.path.join(OUT, "family%d.h5"), "r", driver="family", memb_size=2048) as f:
    fam_root = h5py.h5o.get_info(f.id).addr
    fam_eof = f.id.get_filesize()
expected["family0.h5"] = dict(driver="NCSAfami", memb_size=2048, root_addr=fam_root,
                              eof=fam_eof, superblock_version=0, sizes=[8, 8])
for p in glob.glob(os.path.join(OUT, "family*.h5")):
    if p != fam0:
        os.remove(p)

# Split (multi) driver: keep the metadata file.
with h5py.File(os.path.join(OUT, "split"), "w", driver="split") as f:
    simple(f)
with h5py.File(os.path.join(OUT, "split"), "r", driver="split") as f:
    split_root = h5py.h5o.get_info(f.id).addr
os.remove(os.path.join(OUT, "split-r.h5"))
expected["split-m.h5"] = dict(h5debug_sb(os.path.join(OUT, "split-m.h5")), driver="NCSAmult", root_addr=split_root,
                              superblock_version=0, sizes=[8, 8])

with open(os.path.join(OUT, "expected.json"), "w") as fp:
    json.dump(expected, fp, indent=1, sort_keys=True)
