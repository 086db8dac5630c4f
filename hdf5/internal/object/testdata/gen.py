#!/usr/bin/python3
"""Generate object header fixtures and their expected values.

Run with Debian's h5py (h5py 3.7.0, libhdf5 1.10.8):

    cd hdf5/internal/object/testdata && /usr/bin/python3 gen.py

Writes objects_earliest.h5, objects_latest.h5, sohm_latest.h5 and, beside
each, a .json file of what libhdf5 reports about them (object header
addresses and versions, message counts and the set of message types present,
layouts, filters, fill values, links, attributes, comments).
"""
import ctypes
import json
import numpy as np
import h5py
from h5py import h5o, h5p, h5d, h5s, h5t


def hdr_info(obj):
    i = h5o.get_info(obj.id)
    return {
        "addr": i.addr,
        "version": i.hdr.version,
        "nmesgs": i.hdr.nmesgs,
        "present": i.hdr.mesg.present,
        "shared": i.hdr.mesg.shared,
        "rc": i.rc,
    }


def attrs_info(obj):
    out = {}
    for name in obj.attrs.keys():
        aid = h5py.h5a.open(obj.id, name.encode())
        v = obj.attrs[name]
        arr = np.asarray(v)
        out[name] = {
            "type_size": aid.get_type().get_size(),
            "shape": list(aid.shape) if aid.shape is not None else None,
            "data": arr.tobytes().hex(),
        }
    return out


def dset_info(d):
    pl = d.id.get_create_plist()
    info = hdr_info(d)
    lay = pl.get_layout()
    info["layout"] = {h5d.COMPACT: "compact", h5d.CONTIGUOUS: "contiguous", h5d.CHUNKED: "chunked"}[lay]
    info["shape"] = list(d.shape)
    info["elem_size"] = d.dtype.itemsize
    if lay == h5d.CHUNKED:
        info["chunk"] = list(pl.get_chunk())
        if d.id.get_num_chunks() > 0:
            ci = d.id.get_chunk_info(0)
            info["chunk0"] = {"addr": ci.byte_offset, "size": ci.size, "filter_mask": ci.filter_mask}
    if lay == h5d.CONTIGUOUS:
        info["offset"] = d.id.get_offset()
        info["storage_size"] = d.id.get_storage_size()
    if lay == h5d.COMPACT:
        info["data"] = d[()].tobytes().hex()
    filters = []
    for i in range(pl.get_nfilters()):
        code, flags, cd, name = pl.get_filter(i)
        filters.append({"id": code, "flags": flags, "cd": list(cd), "name": name.decode()})
    info["filters"] = filters
    fv = np.zeros((), dtype=d.dtype)
    pl.get_fill_value(fv)
    info["fill"] = {
        "defined": pl.fill_value_defined(),
        "value": fv.tobytes().hex(),
        "fill_time": pl.get_fill_time(),
        "alloc_time": pl.get_alloc_time(),
    }
    info["attrs"] = attrs_info(d)
    # h5o.get_comment misbehaves in h5py 3.7; H5Gget_comment via the parent works.
    c = d.parent.id.get_comment(d.name.rsplit("/", 1)[-1].encode())
    info["comment"] = c.decode() if c else None
    return info


def make_objects(name, libver):
    f = h5py.File(name, "w", libver=libver)
    exp = {"libver": libver, "objects": {}, "links": {}}
    g = f.create_group("g")
    contig = f.create_dataset("contig", data=np.arange(100, dtype="<i4").reshape(10, 10))
    # Compact layout through the low-level API.
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_layout(h5d.COMPACT)
    sid = h5s.create_simple((6,))
    h5d.create(f.id, b"compact", h5t.STD_I16LE, sid, dcpl=dcpl).write(
        h5s.ALL, h5s.ALL, np.arange(6, dtype="<i2"))
    f.create_dataset("chunked", data=np.arange(400, dtype="<f4").reshape(20, 20), chunks=(10, 5),
                     compression="gzip", compression_opts=6, shuffle=True, fletcher32=True)
    f.create_dataset("fill", shape=(8,), dtype="<i8", fillvalue=42)
    f.create_dataset("fill_chunked", shape=(8, 8), dtype="<f8", chunks=(4, 4), fillvalue=-1.5)
    # Committed datatype referenced by a dataset: a shared datatype message.
    f["dtype"] = np.dtype("<u2")
    f.create_dataset("typed", shape=(3,), dtype=f["dtype"])
    # Comment.
    h5o.set_comment(contig.id, b"a comment on contig")
    # Many attributes added after other objects exist: the header must grow
    # through continuation blocks.
    for i in range(8):
        g.attrs["attr%02d" % i] = np.arange(20, dtype="<i4") + i
    contig.attrs["units"] = np.bytes_("metres")
    contig.attrs["scale"] = np.float64(2.5)
    for i in range(6):
        contig.attrs["extra%d" % i] = np.arange(16, dtype="<i8") * i
    # Links.
    # A small group so the links stay compact (link messages in its header).
    lk = f.create_group("lk")
    lk["soft"] = h5py.SoftLink("/contig")
    lk["ext"] = h5py.ExternalLink("other.h5", "/path/to/x")
    lk["hard"] = contig
    if libver == "latest":
        # Version 4 chunk indexes.
        f.create_dataset("single", data=np.arange(100, dtype="<i4").reshape(10, 10), chunks=(10, 10))
        f.create_dataset("single_gz", data=np.arange(100, dtype="<i4").reshape(10, 10), chunks=(10, 10),
                         compression="gzip")
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk((5, 5))
        dcpl.set_alloc_time(h5d.ALLOC_TIME_EARLY)
        sid = h5s.create_simple((10, 10))
        h5d.create(f.id, b"implicit", h5t.STD_I32LE, sid, dcpl=dcpl)
        f.create_dataset("farray", data=np.arange(400, dtype="<i4").reshape(20, 20), chunks=(5, 5))
        f.create_dataset("earray", data=np.arange(400, dtype="<i4").reshape(20, 20), chunks=(5, 5),
                         maxshape=(None, 20))
        f.create_dataset("bt2", data=np.arange(400, dtype="<i4").reshape(20, 20), chunks=(5, 5),
                         maxshape=(None, None))
        # Creation order tracked: messages carry creation order fields.
        o = f.create_group("ordered", track_order=True)
        o.attrs["b"] = np.int32(1)
        o.attrs["a"] = np.int32(2)
        o.create_group("z")
        o.create_group("y")
        # Dense attributes.
        dn = f.create_group("dense")
        for i in range(20):
            dn.attrs["d%02d" % i] = np.int64(i)
        exp["index_types"] = {"single": 1, "single_gz": 1, "implicit": 2, "farray": 3, "earray": 4, "bt2": 5}
    f.flush()

    for path in ["contig", "compact", "chunked", "fill", "fill_chunked", "typed"] + (
            ["single", "single_gz", "implicit", "farray", "earray", "bt2"] if libver == "latest" else []):
        exp["objects"][path] = dset_info(f[path])
    if libver == "latest":
        # libhdf5's creation order of links and attributes.
        exp["ordered_links"] = list(f["ordered"].keys())
        exp["ordered_attrs"] = list(f["ordered"].attrs.keys())
    for path in ["/", "g", "lk"] + (["ordered", "dense"] if libver == "latest" else []):
        obj = f[path]
        info = hdr_info(obj)
        info["attrs"] = attrs_info(obj)
        exp["objects"][path] = info
    exp["objects"]["dtype"] = hdr_info(f["dtype"])
    exp["objects"]["typed"]["dtype_addr"] = h5o.get_info(f["dtype"].id).addr
    sl = f["lk"].get("soft", getlink=True)
    el = f["lk"].get("ext", getlink=True)
    exp["links"] = {
        "soft": {"type": "soft", "target": sl.path},
        "ext": {"type": "external", "file": el.filename, "path": el.path},
        "hard": {"type": "hard", "addr": h5o.get_info(f["lk/hard"].id).addr},
    }
    f.close()
    with open(name.replace(".h5", ".json"), "w") as fp:
        json.dump(exp, fp, indent=1, sort_keys=True)


# H5O_SHMESG_ALL_FLAG from H5Opublic.h: dataspace, datatype, fill value,
# filter pipeline and attribute messages.
SHMESG_ALL_FLAG = (1 << 1) | (1 << 3) | (1 << 5) | (1 << 11) | (1 << 12)


def make_sohm(name):
    # h5py 3.7 does not wrap the SOHM property calls: call libhdf5 directly
    # (the same library h5py is linked against).
    lib = ctypes.CDLL("libhdf5_serial.so.103")
    fcpl = h5p.create(h5p.FILE_CREATE)
    hid = ctypes.c_int64(fcpl.id)
    assert lib.H5Pset_shared_mesg_nindexes(hid, ctypes.c_uint(1)) >= 0
    assert lib.H5Pset_shared_mesg_index(hid, ctypes.c_uint(0), ctypes.c_uint(SHMESG_ALL_FLAG), ctypes.c_uint(8)) >= 0
    fapl = h5p.create(h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(name.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    f = h5py.File(fid)
    exp = {"objects": {}}
    for i in range(4):
        d = f.create_dataset("d%d" % i, shape=(50, 7), dtype="<f8")
        d.attrs["shared_attr"] = np.arange(10, dtype="<i4")
    f.flush()
    for i in range(4):
        exp["objects"]["d%d" % i] = hdr_info(f["d%d" % i])
    fcpl2 = f.id.get_create_plist()
    h2 = ctypes.c_int64(fcpl2.id)
    n = ctypes.c_uint()
    assert lib.H5Pget_shared_mesg_nindexes(h2, ctypes.byref(n)) >= 0
    exp["nindexes"] = n.value
    exp["indexes"] = []
    for i in range(n.value):
        flags, size = ctypes.c_uint(), ctypes.c_uint()
        assert lib.H5Pget_shared_mesg_index(h2, ctypes.c_uint(i), ctypes.byref(flags), ctypes.byref(size)) >= 0
        exp["indexes"].append({"types": flags.value, "min_size": size.value})
    lm, bm = ctypes.c_uint(), ctypes.c_uint()
    assert lib.H5Pget_shared_mesg_phase_change(h2, ctypes.byref(lm), ctypes.byref(bm)) >= 0
    exp["list_max"], exp["btree_min"] = lm.value, bm.value
    f.close()
    with open(name.replace(".h5", ".json"), "w") as fp:
        json.dump(exp, fp, indent=1, sort_keys=True)


make_objects("objects_earliest.h5", "earliest")
make_objects("objects_latest.h5", "latest")
make_sohm("sohm_latest.h5")
