#!/usr/bin/python3
"""Writes values_earliest.h5, values_latest.h5 and values.json: fixtures for
the typed reads of package hdf5 (values.go, typed.go, strings.go, refs.go).

Run with Debian's Python (h5py 3.7.0, libhdf5 1.10.8):

    cd hdf5/testdata && /usr/bin/python3 gen_values.py

values.json holds what libhdf5 reports for each dataset and attribute,
read back through h5py (for custom layouts, converted by libhdf5 into
native types), keyed by name. Both files hold the same objects, so one JSON
serves both.

JSON encoding of a value: numbers as numbers (non-finite floats as the
strings "NaN", "Infinity", "-Infinity"); byte strings as text with one code
point per byte (latin-1); compounds as lists in member order; arrays and
vlen sequences as lists; object references as {"ref": path} (null for a
null reference); region references as {"ref", "sel_type", "npoints",
"points" | "blocks"} from libhdf5's H5Sget_select_* calls.
"""
import json
import math

import h5py
import numpy as np
from h5py import h5d, h5r, h5s, h5t

OUT = {"datasets": {}, "attrs": {}}


def jnum(x):
    if isinstance(x, (np.floating, float)):
        x = float(x)
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return "Infinity" if x > 0 else "-Infinity"
        return x
    if isinstance(x, (np.integer, int)):
        return int(x)
    if isinstance(x, (np.bool_, bool)):
        return bool(x)
    raise TypeError(type(x))


def jval(v, f):
    """Converts an h5py value to JSON."""
    if isinstance(v, h5py.RegionReference):
        if not v:
            return None
        return region(f, v)
    if isinstance(v, h5py.Reference):
        if not v:
            return None
        return {"ref": f[v].name}
    if isinstance(v, bytes):
        return v.decode("latin-1")
    if isinstance(v, str):
        return v.encode("utf-8").decode("latin-1")
    if isinstance(v, np.void):
        if v.dtype.names:
            return [jval(v[n], f) for n in v.dtype.names]
        return bytes(v).decode("latin-1")
    if isinstance(v, np.ndarray):
        if v.dtype.kind == "V" and not v.dtype.names:
            return [jval(x, f) for x in v]
        return [jval(x, f) for x in v]
    if isinstance(v, (list, tuple)):
        return [jval(x, f) for x in v]
    return jnum(v)


def region(f, ref):
    ds = f[ref]
    sp = h5r.get_region(ref, ds.id)
    st = sp.get_select_type()
    d = {"ref": ds.name, "npoints": int(sp.get_select_npoints())}
    if st == h5s.SEL_NONE:
        d["sel_type"] = "none"
    elif st == h5s.SEL_ALL:
        d["sel_type"] = "all"
    elif st == h5s.SEL_POINTS:
        d["sel_type"] = "points"
        d["points"] = [[int(c) for c in p] for p in sp.get_select_elem_pointlist()]
    else:
        d["sel_type"] = "hyperslab"
        bl = sp.get_select_hyper_blocklist()
        d["blocks"] = [[[int(c) for c in b[0]], [int(c) for c in b[1]]] for b in bl]
    return d


def record(kind, name, obj, f, value=None, **extra):
    if value is None:
        value = obj[()]
    rec = {"value": jval(value, f), "shape": list(obj.shape) if obj.shape is not None else None}
    rec.update(extra)
    OUT[kind][name] = rec


def fixed_string_type(size, pad, cset):
    t = h5t.C_S1.copy()
    t.set_size(size)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def apply_pad(b, pad):
    if pad == h5t.STR_NULLTERM:
        i = b.find(b"\0")
        return b if i < 0 else b[:i]
    if pad == h5t.STR_NULLPAD:
        return b.rstrip(b"\0")
    return b.rstrip(b" ")


def arr_datasets(f, first, name, data):
    """A 1-d dataset whose elements are HDF5 arrays of data.shape[1:]."""
    base = h5t.py_create(data.dtype)
    t = h5t.array_create(base, data.shape[1:])
    sp = h5s.create_simple((data.shape[0],))
    d = h5d.create(f.id, name.encode(), t, sp)
    d.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(data), mtype=t)
    if first:
        OUT["datasets"][name] = {"value": jval(data, f), "shape": [data.shape[0]]}


def build(path, libver):
    f = h5py.File(path, "w", libver=libver)
    ga = f.create_group("attrs")
    first = OUT["datasets"] == {}

    def ds(name, data, dtype=None, **kw):
        d = f.create_dataset(name, data=data, dtype=dtype, **kw)
        if first:
            record("datasets", name, d, f)
        return d

    def at(name, data, dtype=None):
        ga.attrs.create(name, data, dtype=dtype)
        if first:
            a = ga.attrs.get_id(name)
            OUT["attrs"][name] = {"value": jval(ga.attrs[name], f), "shape": list(a.shape)}

    # Integers: every width, sign and byte order.
    for bo in "<>":
        for k in "iu":
            for w in (1, 2, 4, 8):
                dt = np.dtype(bo + k + str(w))
                info = np.iinfo(dt)
                vals = np.array([info.min, info.max, 0, 1, info.max // 3, info.min // 5 if k == "i" else 7], dtype=dt)
                nm = "int_%s%s%d" % ("le" if bo == "<" else "be", k, w)
                ds(nm, vals)
                at(nm, vals)
    # Floats: float16/32/64 both orders, with specials.
    for bo in "<>":
        for w in (2, 4, 8):
            dt = np.dtype(bo + "f" + str(w))
            fi = np.finfo(dt)
            vals = np.array([0.1, -2.5, fi.max, fi.tiny, fi.tiny / 4, np.inf, -np.inf, np.nan, -0.0, 1 / 3], dtype=dt)
            nm = "float_%s%d" % ("le" if bo == "<" else "be", 8 * w)
            ds(nm, vals)
            at(nm, vals)
    ds("f64_2d", np.arange(12, dtype="<f8").reshape(3, 4) / 7)
    ds("scalar_i32", np.int32(-42))
    at("scalar_f64", np.float64(2.75))
    at("scalar_u16", np.uint16(65000))
    ds("longdouble", np.array([1.0 / 3, -1e300, 2.5], dtype=np.longdouble))

    # Integer with precision 12 at bit offset 4 (signed), written by libhdf5.
    for nm, base, signed in (("int_prec12_off4", h5t.STD_I32LE, True), ("uint_prec12_off4_be", h5t.STD_U32BE, False)):
        t = base.copy()
        t.set_precision(12)
        t.set_offset(4)
        src = np.array([-2048, -1, 0, 1, 2047, 1000], dtype=np.int32) if signed else np.array([0, 1, 4095, 1000, 17, 2048], dtype=np.int32)
        sp = h5s.create_simple((len(src),))
        d = h5d.create(f.id, nm.encode(), t, sp)
        d.write(h5s.ALL, h5s.ALL, src, mtype=h5t.NATIVE_INT32)
        if first:
            back = np.zeros(len(src), dtype=np.int64)
            d.read(h5s.ALL, h5s.ALL, back, mtype=h5t.NATIVE_INT64)
            OUT["datasets"][nm] = {"value": jval(back, f), "shape": [len(src)]}

    # Custom float layouts: bfloat16 and a 24-bit float, converted by libhdf5.
    customs = {
        # size, precision, offset, spos, epos, esize, mpos, msize, ebias
        "bfloat16": (2, 16, 0, 15, 7, 8, 0, 7, 127),
        "float24": (3, 24, 0, 23, 16, 7, 0, 16, 63),
        "float_be_nbit20": (4, 20, 6, 25, 19, 6, 6, 13, 31),
    }
    src = np.array([1.0, -2.5, 0.1, 3.140625, 1e-3, 65504.0, 0.0, -0.0], dtype=np.float64)
    for nm, (size, prec, off, spos, epos, esize, mpos, msize, ebias) in customs.items():
        t = (h5t.IEEE_F32BE if nm.startswith("float_be") else h5t.IEEE_F32LE).copy()
        # Order matters: fields must fit within the precision, which must fit the size.
        if size > 4:
            t.set_size(size)
        t.set_fields(spos, epos, esize, mpos, msize)
        t.set_offset(off)
        t.set_precision(prec)
        t.set_size(size)
        t.set_ebias(ebias)
        sp = h5s.create_simple((len(src),))
        d = h5d.create(f.id, nm.encode(), t, sp)
        d.write(h5s.ALL, h5s.ALL, src, mtype=h5t.NATIVE_DOUBLE)
        if first:
            back = np.zeros(len(src), dtype=np.float64)
            d.read(h5s.ALL, h5s.ALL, back, mtype=h5t.NATIVE_DOUBLE)
            OUT["datasets"][nm] = {"value": jval(back, f), "shape": [len(src)]}

    # Fixed-length strings: each padding and charset, with bytes past a NUL.
    raw = [b"ab\0cd\0", b"hello ", b"  x   ", b"\xc3\xa9t\xc3\xa9", b"", b"full!!"]
    pads = {"nullterm": h5t.STR_NULLTERM, "nullpad": h5t.STR_NULLPAD, "spacepad": h5t.STR_SPACEPAD}
    csets = {"ascii": h5t.CSET_ASCII, "utf8": h5t.CSET_UTF8}
    for pn, pad in pads.items():
        for cn, cset in csets.items():
            nm = "str_%s_%s" % (pn, cn)
            t = fixed_string_type(6, pad, cset)
            arr = np.array(raw, dtype="S6")
            sp = h5s.create_simple((len(raw),))
            d = h5d.create(f.id, nm.encode(), t, sp)
            d.write(h5s.ALL, h5s.ALL, arr, mtype=t)
            aid = h5py.h5a.create(ga.id, nm.encode(), t, sp)
            aid.write(arr, mtype=t)
            if first:
                # The stored bytes as libhdf5 returns them, with the padding rule applied.
                back = np.zeros(len(raw), dtype="V6")
                d.read(h5s.ALL, h5s.ALL, back, mtype=t)
                vals = [apply_pad(bytes(b), pad).decode("latin-1") for b in back]
                OUT["datasets"][nm] = {"value": vals, "shape": [len(raw)], "stored": [bytes(b).decode("latin-1") for b in back]}
                OUT["attrs"][nm] = {"value": vals, "shape": [len(raw)]}
    # Vlen strings.
    words = ["alpha", "", "b\u00e9ta", "\u65e5\u672c", "x" * 40]
    ds("vstr_utf8", words, dtype=h5py.string_dtype("utf-8"))
    at("vstr_utf8", words, dtype=h5py.string_dtype("utf-8"))
    ds("vstr_ascii", [w.encode("ascii") for w in ["one", "two", "", "three"]], dtype=h5py.string_dtype("ascii"))
    at("vstr_scalar", "just one", dtype=h5py.string_dtype("utf-8"))
    # Vlen sequences.
    vi = h5py.vlen_dtype(np.dtype("<i4"))
    seqs = [np.array([1, 2, 3], dtype="<i4"), np.array([], dtype="<i4"), np.array([-7], dtype="<i4"), np.arange(10, dtype="<i4")]
    d = f.create_dataset("vlen_i32", (len(seqs),), dtype=vi)
    for i, s in enumerate(seqs):
        d[i] = s
    if first:
        record("datasets", "vlen_i32", d, f)
    vb = h5py.vlen_dtype(np.dtype(">i2"))
    d = f.create_dataset("vlen_i16be", (3,), dtype=vb)
    d[0] = np.array([1, -2], dtype=">i2")
    d[1] = np.array([300, 301, 302], dtype=">i2")
    d[2] = np.array([], dtype=">i2")
    if first:
        # h5py 3.7 hands back libhdf5's big-endian element bytes labelled as
        # native int16 (h5dump shows (1, -2), (300, 301, 302), ()): reread
        # the bytes with their stored order.
        vals = [np.frombuffer(a.tobytes(), dtype=">i2") for a in d[()]]
        record("datasets", "vlen_i16be", d, f, value=vals)
    vf = h5py.vlen_dtype(np.dtype("<f8"))
    ga.attrs.create("vlen_f64", [np.array([0.5, 1.5]), np.array([2.5])], dtype=vf)
    if first:
        OUT["attrs"]["vlen_f64"] = {"value": jval(ga.attrs["vlen_f64"], f), "shape": [2]}

    # Compound: nested compound, array member, fixed and vlen string members.
    inner = np.dtype([("x", "<f4"), ("y", ">f8")])
    comp = np.dtype([("id", "<i4"), ("pos", inner), ("arr", "<i2", (3,)), ("name", "S8"),
                     ("label", h5py.string_dtype("utf-8")), ("flag", "u1")])
    data = np.array([
        (1, (0.5, -1.25), [1, 2, 3], b"first", "un", 1),
        (-2, (1e10, 3.5), [-4, 5, -6], b"second\0", "deux", 0),
        (2**31 - 1, (-0.0, 1 / 3), [7, 8, 9], b"", "", 255),
    ], dtype=comp)
    ds("compound", data)
    at("compound", data)
    # Array of compounds; vlen of compounds; compound holding a vlen sequence.
    pair = np.dtype([("a", "<u2"), ("b", "<f4")])
    arr_datasets(f, first, "array_of_compound", np.array([[(1, 0.5), (2, 1.5)], [(3, 2.5), (4, 3.5)]], dtype=pair))
    vc = h5py.vlen_dtype(pair)
    d = f.create_dataset("vlen_of_compound", (2,), dtype=vc)
    d[0] = np.array([(5, 0.25), (6, 0.75)], dtype=pair)
    d[1] = np.array([(7, -1.0)], dtype=pair)
    if first:
        record("datasets", "vlen_of_compound", d, f)
    cv = np.dtype([("n", "<i8"), ("seq", h5py.vlen_dtype(np.dtype("<u1")))])
    d = f.create_dataset("compound_with_vlen", (2,), dtype=cv)
    d[0] = (10, np.array([1, 2], dtype="u1"))
    d[1] = (20, np.array([], dtype="u1"))
    if first:
        record("datasets", "compound_with_vlen", d, f)
    arr_datasets(f, first, "array_i32", np.arange(12, dtype="<i4").reshape(2, 2, 3))
    ds("opaque", np.array([b"\x01\x02\x03", b"\xff\x00\x7f"], dtype="V3"))

    # Enums and booleans.
    ed = h5py.enum_dtype({"RED": 0, "GREEN": 1, "BLUE": 42}, basetype="i1")
    ds("enum_i1", np.array([0, 42, 1, 0], dtype="i1"), dtype=ed)
    at("enum_i1", np.array([42, 1], dtype="i1"), dtype=ed)
    eb = h5py.enum_dtype({"LOW": 0, "HIGH": 60000}, basetype=">u2")
    ds("enum_u2be", np.array([60000, 0], dtype=">u2"), dtype=eb)
    if first:
        OUT["datasets"]["enum_i1"]["enum"] = h5py.check_enum_dtype(f["enum_i1"].dtype)
        OUT["datasets"]["enum_u2be"]["enum"] = h5py.check_enum_dtype(f["enum_u2be"].dtype)
    ds("bool", np.array([True, False, True]))
    at("bool", np.bool_(True))

    # References.
    grp = f.create_group("target_group")
    tgt = ds("target", np.arange(100, dtype="<i4").reshape(10, 10))
    refs = np.array([f.ref, grp.ref, tgt.ref, h5py.Reference()], dtype=h5py.ref_dtype)
    d = f.create_dataset("objrefs", data=refs)
    if first:
        record("datasets", "objrefs", d, f)
    ga.attrs.create("objref", tgt.ref, dtype=h5py.ref_dtype)
    if first:
        OUT["attrs"]["objref"] = {"value": jval(ga.attrs["objref"], f), "shape": []}
    # Region references: points, regular hyperslab, union of two slabs, all, none.
    sid = tgt.id.get_space()
    sid.select_elements(np.array([[0, 1], [9, 9], [3, 4]], dtype=np.uint64))
    r_points = h5r.create(f.id, b"target", h5r.DATASET_REGION, sid)
    sid = tgt.id.get_space()
    sid.select_hyperslab((1, 2), (2, 3), stride=(4, 3), block=(2, 1))
    r_regular = h5r.create(f.id, b"target", h5r.DATASET_REGION, sid)
    sid = tgt.id.get_space()
    sid.select_hyperslab((0, 0), (1, 1), block=(2, 3))
    sid.select_hyperslab((5, 6), (1, 1), block=(3, 2), op=h5s.SELECT_OR)
    r_union = h5r.create(f.id, b"target", h5r.DATASET_REGION, sid)
    sid = tgt.id.get_space()
    sid.select_all()
    r_all = h5r.create(f.id, b"target", h5r.DATASET_REGION, sid)
    sid = tgt.id.get_space()
    sid.select_none()
    r_none = h5r.create(f.id, b"target", h5r.DATASET_REGION, sid)
    rr = np.array([r_points, r_regular, r_union, r_all, r_none, h5py.RegionReference()], dtype=h5py.regionref_dtype)
    d = f.create_dataset("regionrefs", data=rr)
    if first:
        record("datasets", "regionrefs", d, f)
    ga.attrs.create("regionref", r_union, dtype=h5py.regionref_dtype)
    if first:
        OUT["attrs"]["regionref"] = {"value": jval(ga.attrs["regionref"], f), "shape": []}
    # Chunked and compressed numbers, for a read that fans out.
    ds("chunked_f32", (np.arange(1000, dtype="<f4") * 0.25).reshape(10, 100), chunks=(3, 17), compression="gzip")
    f.close()


build("values_earliest.h5", "earliest")
build("values_latest.h5", "latest")
with open("values.json", "w") as fh:
    json.dump(OUT, fh, indent=1, sort_keys=True)
    fh.write("\n")
