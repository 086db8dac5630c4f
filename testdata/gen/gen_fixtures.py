#!/usr/bin/python3
"""Write goh5's fixture files and their reference values.

    cd testdata && /usr/bin/python3 gen/gen_fixtures.py

Writes files/*.h5 (plus external raw files), reference.jsonl (h5ref records for
every fixture) and selections.jsonl (seeded random selections, see selections.py).
Deterministic: fixed seeds, no timestamps (track_times=False everywhere).
"""

import ctypes
import json
import os
import sys

import numpy as np
import h5py

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import h5ref  # noqa: E402

TD = os.path.dirname(HERE)
OUT = os.path.join(TD, "files")
LIBVERS = ("earliest", "latest")

# libhdf5 functions h5py 3.7 does not wrap (H5Pset_chunk_opts, SOHM settings).
_lib = ctypes.CDLL("libhdf5_serial.so.103")
H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS = 0x0002
H5O_SHMESG_ALL_FLAG = 0x01 | 0x02 | 0x04 | 0x08 | 0x10  # sdspace, dtype, fill, pline, attr


def p(*parts):
    return os.path.join(OUT, *parts)


def new_file(name, libver, fcpl=None, userblock=0):
    fn = p(name)
    if os.path.exists(fn):
        os.remove(fn)
    if fcpl is None:
        fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_obj_track_times(False)
    if userblock:
        fcpl.set_userblock(userblock)
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_EARLIEST if libver == "earliest" else h5py.h5f.LIBVER_LATEST,
                           h5py.h5f.LIBVER_LATEST)
    fid = h5py.h5f.create(fn.encode(), h5py.h5f.ACC_TRUNC, fcpl=fcpl, fapl=fapl)
    return h5py.File(fid)


def mkgroup(parent, name, track_order=False):
    gcpl = h5py.h5p.create(h5py.h5p.GROUP_CREATE)
    gcpl.set_obj_track_times(False)
    if track_order:
        gcpl.set_link_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
        gcpl.set_attr_creation_order(h5py.h5p.CRT_ORDER_TRACKED | h5py.h5p.CRT_ORDER_INDEXED)
    lcpl = h5py.h5p.create(h5py.h5p.LINK_CREATE)
    lcpl.set_create_intermediate_group(True)
    gid = h5py.h5g.create(parent.id, name.encode(), lcpl=lcpl, gcpl=gcpl)
    return h5py.Group(gid)


def ds(parent, name, data=None, **kw):
    kw.setdefault("track_times", False)
    return parent.create_dataset(name, data=data, **kw)


def lowlevel_dataset(parent, name, dtype, shape, maxshape=None, chunks=None, alloc_early=False,
                     fill=None, fill_time=None, dont_filter_partial=False, filters=()):
    """Create a dataset through the low-level API (for dcpl settings h5py hides)."""
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_obj_track_times(False)
    if chunks is not None:
        dcpl.set_chunk(chunks)
    for f in filters:
        if f == "shuffle":
            dcpl.set_shuffle()
        elif f == "fletcher32":
            dcpl.set_fletcher32()
        else:
            dcpl.set_deflate(f)
    if alloc_early:
        dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    if fill is not None:
        dcpl.set_fill_value(np.array(fill, dtype=dtype))
    if fill_time is not None:
        dcpl.set_fill_time(fill_time)
    if dont_filter_partial:
        rc = _lib.H5Pset_chunk_opts(ctypes.c_int64(dcpl.id), ctypes.c_uint(H5D_CHUNK_DONT_FILTER_PARTIAL_CHUNKS))
        assert rc >= 0, "H5Pset_chunk_opts failed"
    space = h5py.h5s.create_simple(shape, maxshape)
    tid = h5py.h5t.py_create(np.dtype(dtype), logical=True)
    did = h5py.h5d.create(parent.id, name.encode(), tid, space, dcpl=dcpl)
    return h5py.Dataset(did)


def lookup3(data, initval=0):
    """Bob Jenkins' lookup3 hashlittle, as HDF5 uses for metadata checksums."""
    M = 0xFFFFFFFF

    def rot(x, k):
        return ((x << k) | (x >> (32 - k))) & M
    n = len(data)
    a = b = c = (0xDEADBEEF + n + initval) & M
    i = 0
    while n > 12:
        a = (a + int.from_bytes(data[i:i + 4], "little")) & M
        b = (b + int.from_bytes(data[i + 4:i + 8], "little")) & M
        c = (c + int.from_bytes(data[i + 8:i + 12], "little")) & M
        a = (a - c) & M; a ^= rot(c, 4); c = (c + b) & M
        b = (b - a) & M; b ^= rot(a, 6); a = (a + c) & M
        c = (c - b) & M; c ^= rot(b, 8); b = (b + a) & M
        a = (a - c) & M; a ^= rot(c, 16); c = (c + b) & M
        b = (b - a) & M; b ^= rot(a, 19); a = (a + c) & M
        c = (c - b) & M; c ^= rot(b, 4); b = (b + a) & M
        i += 12
        n -= 12
    if n == 0:
        return c
    tail = data[i:i + n] + b"\0" * (12 - n)
    a = (a + int.from_bytes(tail[0:4], "little")) & M
    b = (b + int.from_bytes(tail[4:8], "little")) & M
    c = (c + int.from_bytes(tail[8:12], "little")) & M
    c ^= b; c = (c - rot(b, 14)) & M
    a ^= c; a = (a - rot(c, 11)) & M
    b ^= a; b = (b - rot(a, 25)) & M
    c ^= b; c = (c - rot(b, 16)) & M
    a ^= c; a = (a - rot(c, 4)) & M
    b ^= a; b = (b - rot(a, 14)) & M
    c ^= b; c = (c - rot(b, 24)) & M
    return c


FIXED_TIME = 1700000000  # 2023-11-14T22:13:20Z


def fix_ohdr_times(fn):
    """Set the times in every version-2 object header to FIXED_TIME.

    libhdf5 1.10.8 stores times in the root group's header whatever the fcpl says
    (and in committed datatypes, which h5py creates without a tcpl), so files would
    differ from run to run. Only headers whose checksum verifies are patched, and the
    checksum is recomputed."""
    with open(fn, "rb") as fh:
        buf = bytearray(fh.read())
    pos = buf.find(b"OHDR")
    n = 0
    while pos >= 0:
        flags = buf[pos + 5] if pos + 6 <= len(buf) else 0
        if buf[pos + 4] == 2 and flags & 0x20:
            off = pos + 6 + 16 + (4 if flags & 0x10 else 0)
            w = 1 << (flags & 3)
            size = int.from_bytes(buf[off:off + w], "little")
            end = off + w + size
            if end + 4 <= len(buf) and lookup3(bytes(buf[pos:end])) == int.from_bytes(buf[end:end + 4], "little"):
                for k in range(4):
                    buf[pos + 6 + 4 * k:pos + 10 + 4 * k] = FIXED_TIME.to_bytes(4, "little")
                buf[end:end + 4] = lookup3(bytes(buf[pos:end])).to_bytes(4, "little")
                n += 1
        pos = buf.find(b"OHDR", pos + 4)
    with open(fn, "wb") as fh:
        fh.write(buf)
    return n


# --------------------------------------------------------------------------
# groups & links

def gen_groups(lv):
    name = "groups_%s.h5" % lv
    f = new_file(name, lv)
    g3 = mkgroup(f, "g1/g2/g3")
    g3.attrs["depth"] = np.int32(3)
    d = ds(f["g1/g2"], "data", data=np.arange(12, dtype="<i4").reshape(3, 4))
    d.attrs["units"] = np.bytes_("m/s")
    f["g1"].attrs["title"] = np.bytes_("group one")
    # 1000 links in one group: symbol-table B-tree (earliest) / dense storage with a
    # deeper-than-one-level v2 name-index B-tree (latest).
    many = mkgroup(f, "many")
    for i in range(1000):
        mkgroup(many, "member_%04d" % ((i * 7919) % 1000))
    # creation-order tracked group, links created out of name order
    ordered = mkgroup(f, "ordered", track_order=True)
    for nm in ("zeta", "alpha", "mid", "beta"):
        ds(ordered, nm, data=np.array([len(nm)], dtype="<i2"))
    for nm in ("z_attr", "a_attr", "m_attr"):
        ordered.attrs[nm] = np.int8(len(nm))
    # soft, dangling soft, cycle, hard link twice
    f["g1/soft_to_g2"] = h5py.SoftLink("/g1/g2")
    f["dangling_soft"] = h5py.SoftLink("/does/not/exist")
    a = mkgroup(f, "a")
    a["loop"] = h5py.SoftLink("/a")
    f["hard_again"] = d  # same dataset reachable as /g1/g2/data and /hard_again
    mkgroup(f, "a/b")["up"] = a  # hard link cycle /a/b/up -> /a
    # external links
    f["ext"] = h5py.ExternalLink("extlink_target.h5", "/target/values")
    f["ext_dangling"] = h5py.ExternalLink("missing_file.h5", "/nothing")
    # committed datatype used by a dataset
    t = np.dtype([("x", "<i4"), ("y", "<f8")])
    f["types/pair_t"] = t
    tg = f["types"]
    tg.create_dataset("uses_named", data=np.array([(1, 1.5), (2, 2.5)], dtype=t),
                      dtype=f["types/pair_t"], track_times=False)
    # 100 attributes: dense under latest
    many_attrs = ds(f, "attrs100", data=np.zeros(3, dtype="<u1"))
    for i in range(100):
        many_attrs.attrs["attr_%03d" % i] = np.int32(i * i)
    # object comments
    h5py.h5o.set_comment(f["g1"].id, b"comment on g1")
    h5py.h5o.set_comment(d.id, b"comment on data")
    f.close()
    return [name]


def gen_ext_target():
    name = "extlink_target.h5"
    f = new_file(name, "earliest")
    ds(mkgroup(f, "target"), "values", data=np.arange(5, dtype="<f8") / 4)
    f.close()
    return [name]


def gen_userblock(lv):
    name = "userblock_%s.h5" % lv
    f = new_file(name, lv, userblock=512)
    ds(f, "data", data=np.arange(10, dtype="<i8"))
    ds(f, "chunked", data=np.arange(100, dtype="<f4"), chunks=(16,), compression="gzip")
    f.attrs["note"] = np.bytes_("file with a 512-byte user block")
    f.close()
    with open(p(name), "r+b") as fh:  # a recognisable user block
        fh.write(b"goh5 user block\n")
    return [name]


def gen_sizes4(lv):
    name = "sizes4_%s.h5" % lv
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    fcpl.set_sizes(4, 4)
    f = new_file(name, lv, fcpl=fcpl)
    g = mkgroup(f, "grp")
    g.attrs["a"] = np.arange(3, dtype=">i2")
    ds(g, "contig", data=np.arange(20, dtype="<i4").reshape(4, 5))
    ds(g, "chunked", data=np.arange(300, dtype=">f8"), chunks=(32,), compression="gzip", shuffle=True)
    if lv == "earliest":
        # libhdf5 1.10.8 writes an extensible-array index it cannot read back when
        # lengths are 4 bytes ("didn't find unlimited dimension"), so only v1 B-tree here.
        ds(g, "ext", data=np.arange(50, dtype="<u2"), chunks=(8,), maxshape=(None,))
    ds(g, "vstr", data=np.array([b"four", b"byte", b"offsets"], dtype=h5py.string_dtype("ascii")))
    f.close()
    return [name]


def gen_sohm(lv):
    name = "sohm_%s.h5" % lv
    fcpl = h5py.h5p.create(h5py.h5p.FILE_CREATE)
    assert _lib.H5Pset_shared_mesg_nindexes(ctypes.c_int64(fcpl.id), ctypes.c_uint(1)) >= 0
    assert _lib.H5Pset_shared_mesg_index(ctypes.c_int64(fcpl.id), ctypes.c_uint(0),
                                         ctypes.c_uint(H5O_SHMESG_ALL_FLAG), ctypes.c_uint(0)) >= 0
    f = new_file(name, lv, fcpl=fcpl)
    t = np.dtype([("a", "<i4"), ("b", "<f8"), ("c", "S6")])
    for i in range(4):
        d = ds(f, "d%d" % i, data=np.array([(i, i / 2, b"row%d" % i)] * 6, dtype=t),
               chunks=(3,), compression="gzip", fillvalue=np.array((-1, -1.0, b"fill"), dtype=t))
        d.attrs["shared_attr"] = np.arange(8, dtype="<i8")
        d.attrs["label"] = np.bytes_("dataset %d" % i)
    f.close()
    return [name]


# --------------------------------------------------------------------------
# datatypes

def type_samples():
    """(name, numpy data) covering every class; small."""
    rng = np.random.default_rng(1234)
    out = []
    for bo, tag in (("<", "le"), (">", "be")):
        for k in ("i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8"):
            dt = np.dtype(bo + k)
            info = np.iinfo(dt)
            v = np.array([info.min, -1 if info.min < 0 else 1, 0, 1, info.max, 42], dtype=dt)
            out.append(("%s_%s" % (k.replace("i", "int").replace("u", "uint"), tag), v))
        for k in ("f2", "f4", "f8"):
            dt = np.dtype(bo + k)
            fi = np.finfo(dt)
            v = np.array([0.0, -0.0, 0.1, -1.5, fi.max, fi.tiny, fi.tiny / 4, np.inf, -np.inf, np.nan,
                          1e-5, 1234.5], dtype=dt)
            out.append(("float%d_%s" % (dt.itemsize * 8, tag), v))
    out.append(("bool", np.array([True, False, True])))
    out.append(("enum_u1", np.array([0, 1, 2, 1], dtype=h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 2}, basetype="u1"))))
    out.append(("enum_i2_be", np.array([-5, 7, -5], dtype=h5py.enum_dtype({"NEG": -5, "POS": 7}, basetype=">i2"))))
    out.append(("enum_u8", np.array([2**40, 3], dtype=h5py.enum_dtype({"BIG": 2**40, "SMALL": 3}, basetype="<u8"))))
    out.append(("opaque", np.array([b"\x00\x01\x02\xff", b"abcd"], dtype=h5py.opaque_dtype(np.dtype("V4")))))
    out.append(("complex64", (np.arange(4) + 1j * np.arange(4, 8)).astype("<c8")))
    out.append(("complex128_be", (np.arange(3) - 0.5j).astype(">c16")))
    inner = np.dtype([("p", "<i2"), ("q", "S3")])
    comp = np.dtype({"names": ["a", "pad_b", "arr", "nested"],
                     "formats": ["u1", ">f4", ("<i4", (2, 3)), inner],
                     "offsets": [0, 4, 12, 40], "itemsize": 48})
    cv = np.zeros(3, comp)
    cv["a"] = [1, 2, 3]
    cv["pad_b"] = [0.5, -2.25, 1e10]
    cv["arr"] = np.arange(18).reshape(3, 2, 3)
    cv["nested"]["p"] = [-1, 0, 1]
    cv["nested"]["q"] = [b"ab", b"xyz", b""]
    out.append(("compound", cv))
    out.append(("array_f8", np.arange(12, dtype="<f8").reshape(2, 2, 3)))  # (2,) of array (2,3) -> see below
    for enc, cs in (("ascii", "ascii"), ("utf-8", "utf8")):
        txt = [b"hello", b"tab\there", "gr\u00fc\u00df".encode() if cs == "utf8" else b"plain", b""]
        out.append(("vlenstr_%s" % cs, np.array(txt, dtype=h5py.string_dtype(enc))))
    out.append(("vlen_int", np.array([np.arange(n, dtype="<i4") for n in (0, 1, 3)] + [np.array([-7], "<i4")],
                                    dtype=h5py.vlen_dtype("<i4"))))
    out.append(("vlen_f8_be", np.array([np.array([0.25, 1e300], ">f8"), np.array([], ">f8")], dtype=h5py.vlen_dtype(">f8"))))
    return out


def fixed_string_type(size, pad, cset):
    t = h5py.h5t.C_S1.copy()
    t.set_size(size)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def write_fixed_strings(loc, attrs):
    """Fixed strings with each padding and charset, as datasets of loc (a group) or attributes."""
    vals = [b"abc", b"", b"a\x00b", b"spaced  ", b"\xc3\xa9t\xc3\xa9"]
    for pad, pname in ((h5py.h5t.STR_NULLTERM, "nullterm"), (h5py.h5t.STR_NULLPAD, "nullpad"),
                       (h5py.h5t.STR_SPACEPAD, "spacepad")):
        for cset, cname in ((h5py.h5t.CSET_ASCII, "ascii"), (h5py.h5t.CSET_UTF8, "utf8")):
            tid = fixed_string_type(8, pad, cset)
            if pad == h5py.h5t.STR_SPACEPAD:
                data = np.array([v.ljust(8, b" ") for v in vals], dtype="S8")
            else:
                data = np.array(vals, dtype="S8")
            nm = ("fstr_%s_%s" % (pname, cname)).encode()
            space = h5py.h5s.create_simple(data.shape)
            if attrs:
                aid = h5py.h5a.create(loc.id, nm, tid, space)
                aid.write(data, mtype=tid)
            else:
                dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
                dcpl.set_obj_track_times(False)
                did = h5py.h5d.create(loc.id, nm, tid, space, dcpl=dcpl)
                did.write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=tid)


def array_type_data():
    dt = np.dtype(("<f8", (2, 3)))
    return dt, np.arange(24, dtype="<f8").reshape(4, 2, 3)


def gen_datatypes(lv):
    name = "datatypes_%s.h5" % lv
    f = new_file(name, lv)
    compact = mkgroup(f, "compact")
    contig = mkgroup(f, "contiguous")
    samples = type_samples()
    for nm, v in samples:
        if nm == "array_f8":
            continue
        ds(contig, nm, data=v)
    # compact layout through the low-level API (h5py 3.7 create_dataset has no layout switch)
    for nm, v in samples:
        if nm == "array_f8":
            continue
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)
        dcpl.set_layout(h5py.h5d.COMPACT)
        tid = h5py.h5t.py_create(v.dtype, logical=True)
        did = h5py.h5d.create(compact.id, nm.encode(), tid, h5py.h5s.create_simple(v.shape), dcpl=dcpl)
        h5py.Dataset(did)[...] = v
    # array type
    adt, av = array_type_data()
    for nm, dt, shape, data in (("array_f8", adt, (4,), av),
                                ("array_scalar", np.dtype((">i2", (2, 3))), (), np.arange(6, dtype=">i2").reshape(2, 3))):
        d = ds(contig, nm, shape=shape, dtype=dt)
        d.id.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data), mtype=h5py.h5t.py_create(dt))
    write_fixed_strings(contig, attrs=False)
    # bitfield (h5py has no numpy spelling: use the low-level API)
    for bname, btid in (("bitfield_b8", h5py.h5t.STD_B8LE), ("bitfield_b16_be", h5py.h5t.STD_B16BE)):
        data = np.array([0x01, 0xA5, 0xFF], dtype="u1" if btid.get_size() == 1 else ">u2")
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_obj_track_times(False)
        did = h5py.h5d.create(contig.id, bname.encode(), btid, h5py.h5s.create_simple((3,)), dcpl=dcpl)
        did.write(h5py.h5s.ALL, h5py.h5s.ALL, data, mtype=btid)
    # references
    refs = mkgroup(f, "refs")
    target = ds(refs, "target2d", data=np.arange(30, dtype="<i4").reshape(5, 6))
    objrefs = np.array([f["contiguous"].ref, target.ref, contig["float64_le"].ref, h5py.Reference()],
                       dtype=h5py.ref_dtype)
    ds(refs, "objrefs", data=objrefs)
    rr = np.array([target.regionref[1:3, 2:5], target.regionref[0:5:2, 1],
                   h5py.RegionReference()], dtype=h5py.regionref_dtype)
    ds(refs, "regionrefs", data=rr)
    # point selection region reference through the low-level API
    sp = target.id.get_space()
    sp.select_elements(np.array([[0, 0], [4, 5], [2, 3]], dtype="u8"))
    pref = h5py.h5r.create(f.id, b"refs/target2d", h5py.h5r.DATASET_REGION, sp)
    ds(refs, "pointref", data=np.array([pref], dtype=h5py.regionref_dtype))
    # dataspaces
    sp = mkgroup(f, "spaces")
    ds(sp, "scalar_i4", data=np.int32(-17))
    ds(sp, "scalar_str", data=np.bytes_("scalar"))
    ds(sp, "scalar_vlenstr", data="vlen scalar", dtype=h5py.string_dtype())
    sp.create_dataset("null_f4", data=h5py.Empty("<f4"), track_times=False)
    ds(sp, "empty_1d", shape=(0,), dtype="<i8")
    ds(sp, "empty_2d_chunked", shape=(0, 4), maxshape=(None, 4), dtype=">f4", chunks=(2, 4))
    # never-written datasets: fill value, contiguous alloc late
    fv = mkgroup(f, "fill")
    ds(fv, "unwritten_default", shape=(7,), dtype="<i4")
    ds(fv, "unwritten_user", shape=(3, 4), dtype=">f8", fillvalue=-9.5)
    ds(fv, "unwritten_compound", shape=(2,), dtype=np.dtype([("a", "<i2"), ("b", "S4")]),
       fillvalue=np.array((7, b"fv"), dtype=[("a", "<i2"), ("b", "S4")]))
    lowlevel_dataset(fv, "unwritten_fill_never", "<u2", (5,), fill=9, fill_time=h5py.h5d.FILL_TIME_NEVER)
    # external storage: one segment, and two segments across two files
    ext = mkgroup(f, "external")
    e1 = "ext1_%s.bin" % lv
    e2a, e2b = "ext2a_%s.bin" % lv, "ext2b_%s.bin" % lv
    d1 = np.arange(16, dtype="<f4")
    with open(p(e1), "wb") as fh:
        fh.write(b"\0" * 8)
    ds(ext, "one_segment", data=d1, external=[(e1, 8, d1.nbytes)])
    d2 = np.arange(20, dtype=">i4")
    for fn in (e2a, e2b):
        with open(p(fn), "wb") as fh:
            fh.write(b"")
    ds(ext, "two_segments", data=d2, external=[(e2a, 0, 48), (e2b, 16, 32)])
    # attributes of every class, on the root group and on a dataset
    holder = ds(f, "attr_holder", data=np.arange(4, dtype="<u2"))
    for loc in (f, holder):
        for nm, v in samples:
            if nm == "array_f8":
                loc.attrs.create(nm, v[0], dtype=np.dtype(("<f8", (2, 3))))
            else:
                loc.attrs[nm] = v
        loc.attrs["scalar_i8"] = np.int64(-1234567890123)
        loc.attrs["scalar_str"] = np.bytes_("a scalar string")
        loc.attrs["scalar_vlenstr_utf8"] = "caf\u00e9"
        loc.attrs["empty_attr"] = h5py.Empty("<i4")
        loc.attrs["objref"] = f["refs/target2d"].ref
        loc.attrs["regionref"] = f["refs/target2d"].regionref[2:4, 0:2]
        write_fixed_strings(loc, attrs=True)
        aid = h5py.h5a.create(loc.id, b"bitfield", h5py.h5t.STD_B8LE, h5py.h5s.create_simple((2,)))
        aid.write(np.array([3, 128], "u1"), mtype=h5py.h5t.STD_B8LE)
    f.close()
    return [name]


# --------------------------------------------------------------------------
# chunked

def gen_chunked(lv):
    name = "chunked_%s.h5" % lv
    f = new_file(name, lv)
    rng = np.random.default_rng(7)
    idx = mkgroup(f, "index")
    # single chunk
    ds(idx, "single", data=np.arange(60, dtype="<i4").reshape(6, 10), chunks=(6, 10))
    ds(idx, "single_gzip", data=np.arange(60, dtype="<f8").reshape(6, 10), chunks=(6, 10), compression="gzip")
    # implicit: early allocation, no filters
    d = lowlevel_dataset(idx, "implicit", "<i2", (40, 30), chunks=(8, 7), alloc_early=True)
    d[...] = np.arange(1200, dtype="<i2").reshape(40, 30)
    # fixed array with >1024 chunks (paged)
    ds(idx, "fixed_array_paged", data=np.arange(4096, dtype="<u2"), chunks=(2,))
    ds(idx, "fixed_array", data=np.arange(400, dtype=">i4").reshape(20, 20), chunks=(6, 7), compression="gzip")
    # extensible array: one unlimited dim, many small chunks (super blocks, paged data blocks)
    ds(idx, "extensible_array", data=np.arange(6000, dtype="<i4"), chunks=(1,), maxshape=(None,))
    ds(idx, "extensible_array_2d", data=np.arange(3000, dtype=">f4").reshape(1500, 2), chunks=(1, 2),
       maxshape=(None, 2), compression="gzip", compression_opts=1)
    # v2 B-tree: two unlimited dims
    ds(idx, "btree2", data=np.arange(1600, dtype="<f8").reshape(40, 40), chunks=(3, 4), maxshape=(None, None))
    ds(idx, "btree2_gzip", data=np.arange(1600, dtype=">i8").reshape(40, 40), chunks=(5, 5),
       maxshape=(None, None), compression="gzip", shuffle=True)
    # filters
    flt = mkgroup(f, "filters")
    base_i = (np.arange(2000) * 37 % 1001).astype("<i4").reshape(50, 40)
    base_f = (rng.standard_normal((50, 40)) * 100).astype("<f4")
    for bo in ("<", ">"):
        tag = "le" if bo == "<" else "be"
        ii = base_i.astype(bo + "i4")
        ff = base_f.astype(bo + "f4")
        dd = base_f.astype(bo + "f8")
        ds(flt, "gzip1_i4_%s" % tag, data=ii, chunks=(16, 16), compression="gzip", compression_opts=1)
        ds(flt, "gzip9_f4_%s" % tag, data=ff, chunks=(16, 16), compression="gzip", compression_opts=9)
        ds(flt, "shuffle_f8_%s" % tag, data=dd, chunks=(16, 16), shuffle=True)
        ds(flt, "fletcher32_i4_%s" % tag, data=ii, chunks=(16, 16), fletcher32=True)
        ds(flt, "shuffle_gzip_f4_%s" % tag, data=ff, chunks=(16, 16), shuffle=True, compression="gzip")
        ds(flt, "shuffle_gzip_fletcher_f8_%s" % tag, data=dd, chunks=(16, 16), shuffle=True,
           compression="gzip", fletcher32=True)
        ds(flt, "u2_gzip_%s" % tag, data=base_i.astype(bo + "u2"), chunks=(7, 9), compression="gzip")
        ds(flt, "i8_shuffle_%s" % tag, data=base_i.astype(bo + "i8") - 500, chunks=(50, 3), shuffle=True)
    # partial edge chunks not filtered
    d = lowlevel_dataset(flt, "dont_filter_partial", "<i4", (50, 40), chunks=(16, 16),
                         filters=("shuffle", 6), dont_filter_partial=True)
    d[...] = base_i
    # special cases
    sp = mkgroup(f, "special")
    d = ds(sp, "partly_written_fill", shape=(30, 30), dtype="<i4", chunks=(8, 8), fillvalue=-1,
           compression="gzip")
    d[0:8, 0:8] = 5
    d[20:30, 10:25] = np.arange(150).reshape(10, 15)
    d = ds(sp, "never_written", shape=(10, 10), dtype=">f8", chunks=(4, 4), fillvalue=2.5)
    d = ds(sp, "resized", data=np.arange(30, dtype="<i4").reshape(5, 6), chunks=(4, 4), maxshape=(None, None))
    d.resize((9, 8))
    d[7:9, :] = 77
    d = ds(sp, "shrunk", data=np.arange(100, dtype="<u1"), chunks=(16,), maxshape=(None,))
    d.resize((37,))
    # 1-D to 4-D, both contiguous and chunked (also used by selections.jsonl)
    nd = mkgroup(f, "ndim")
    shapes = {1: (97,), 2: (23, 17), 3: (9, 11, 7), 4: (5, 6, 7, 4)}
    chunks = {1: (10,), 2: (5, 4), 3: (4, 3, 3), 4: (2, 3, 4, 3)}
    for k, shp in shapes.items():
        n = int(np.prod(shp))
        ds(nd, "d%d_contig" % k, data=np.arange(n, dtype="<i4").reshape(shp))
        ds(nd, "d%d_chunked" % k, data=(np.arange(n, dtype=">f8") * 0.5).reshape(shp), chunks=chunks[k],
           compression="gzip")
        ds(nd, "d%d_chunked_unlim" % k, data=np.arange(n, dtype="<u2").reshape(shp), chunks=chunks[k],
           maxshape=(None,) * k, shuffle=True)
    f.close()
    return [name]


def gen_example():
    name = "example.h5"
    f = new_file(name, "latest")
    rng = np.random.default_rng(2024)
    exp = mkgroup(f, "experiment")
    exp.attrs["title"] = "goh5 demo"
    exp.attrs["version"] = np.int32(1)
    run = mkgroup(exp, "run_001")
    run.attrs["temperature_K"] = np.float64(293.15)
    run.attrs["operator"] = "A. Person"
    y, x = np.mgrid[0:768, 0:768]
    img = (np.sin(x / 37.0) * np.cos(y / 23.0) * 1000 + rng.standard_normal((768, 768)) * 5).astype("<f4")
    d = ds(run, "image", data=img, chunks=(128, 128), compression="gzip", shuffle=True)
    d.attrs["units"] = "counts"
    d.attrs["scale"] = np.array([0.1, 0.1], dtype="<f8")
    t = np.dtype([("id", "<i4"), ("name", "S12"), ("x", "<f8"), ("y", "<f8"), ("ok", "?")])
    rows = np.zeros(200, t)
    rows["id"] = np.arange(200)
    rows["name"] = [b"item%03d" % i for i in range(200)]
    rows["x"] = rng.uniform(-1, 1, 200)
    rows["y"] = rng.uniform(-1, 1, 200)
    rows["ok"] = rows["id"] % 3 != 0
    ds(exp, "table", data=rows, chunks=(64,), maxshape=(None,), compression="gzip")
    f.close()
    return [name]


def main():
    os.makedirs(OUT, exist_ok=True)
    os.chdir(OUT)  # libhdf5 resolves external storage names against the working directory
    print("h5py %s, libhdf5 %s, numpy %s" % (h5py.version.version, h5py.version.hdf5_version, np.__version__))
    names = gen_ext_target()
    for lv in LIBVERS:
        names += gen_groups(lv)
        names += gen_userblock(lv)
        names += gen_sizes4(lv)
        names += gen_sohm(lv)
        names += gen_datatypes(lv)
        names += gen_chunked(lv)
    names += gen_example()
    # Every byte of a fixture is libhdf5's: the times libhdf5 stores in
    # version-2 headers make files differ from run to run, and that is
    # accepted rather than patched (fix_ohdr_times is kept for reference only).
    with open(os.path.join(TD, "reference.jsonl"), "w") as out:
        for nm in names:
            for r in h5ref.records(p(nm), nm):
                out.write(json.dumps(r, separators=(",", ":"), ensure_ascii=True) + "\n")
    import selections
    selections.main(OUT, os.path.join(TD, "selections.jsonl"))
    total = sum(os.path.getsize(p(x)) for x in os.listdir(OUT))
    print("wrote %d fixture files, %d bytes in files/" % (len(os.listdir(OUT)), total))


if __name__ == "__main__":
    main()
