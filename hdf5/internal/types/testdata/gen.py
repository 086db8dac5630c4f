#!/usr/bin/python3
"""Generate datatype/dataspace fixtures for goh5's internal/types package.

Run with Debian's h5py (h5py 3.7.0, libhdf5 1.10.8):

    cd hdf5/internal/types/testdata && /usr/bin/python3 gen.py

It writes types_earliest.h5 and types_latest.h5, each holding one small
dataset per datatype (and a few datasets for dataspace shapes), and
expected.json, which records for every dataset:

  * the object header address (h5o.get_info().addr), so the Go test can pull
    the raw datatype (type 3) and dataspace (type 1) message bodies out of the
    file itself;
  * the bodies libhdf5 serialises through H5Tencode / H5Sencode (hex, with
    H5Tencode's 2-byte and H5Sencode's 7-byte framing stripped, and the
    selection part that H5Sencode appends dropped);
  * every property h5py reports about the type and the space.
"""
import ctypes
import json
import os

import h5py
import numpy as np
from h5py import h5d, h5s, h5t, h5o

HERE = os.path.dirname(os.path.abspath(__file__))

# h5py does not expose the atomic queries on bitfield and time types, so ask
# the same libhdf5 that h5py is linked against directly.
_lib = ctypes.CDLL("libhdf5_serial.so.103")
_lib.H5Tget_precision.restype = ctypes.c_size_t
_lib.H5Tget_offset.restype = ctypes.c_size_t
_lib.H5Tget_order.restype = ctypes.c_int
_lib.H5Tget_pad.restype = ctypes.c_int


def _hid(tid):
    return ctypes.c_int64(tid.id)


def atomic(tid):
    lsb, msb = ctypes.c_int(), ctypes.c_int()
    if _lib.H5Tget_pad(_hid(tid), ctypes.byref(lsb), ctypes.byref(msb)) < 0:
        raise RuntimeError("H5Tget_pad")
    return {"order": int(_lib.H5Tget_order(_hid(tid))),
            "precision": int(_lib.H5Tget_precision(_hid(tid))),
            "offset": int(_lib.H5Tget_offset(_hid(tid))),
            "lopad": lsb.value, "hipad": msb.value}


def props(tid):
    """The properties libhdf5 reports for a datatype, recursively."""
    cls = tid.get_class()
    d = {"class": int(cls), "size": int(tid.get_size())}
    if cls in (h5t.INTEGER, h5t.FLOAT, h5t.BITFIELD, h5t.TIME):
        a = atomic(tid)
        if cls == h5t.TIME:
            a = {"order": a["order"], "precision": a["precision"]}
        d.update(a)
    if cls == h5t.INTEGER:
        d["signed"] = int(tid.get_sign()) == h5t.SGN_2
    if cls == h5t.FLOAT:
        spos, epos, esize, mpos, msize = tid.get_fields()
        d.update(spos=spos, epos=epos, esize=esize, mpos=mpos, msize=msize,
                 ebias=int(tid.get_ebias()), norm=int(tid.get_norm()),
                 inpad=int(tid.get_inpad()))
    if cls == h5t.STRING:
        d["variable"] = bool(tid.is_variable_str())
        d["strpad"] = int(tid.get_strpad())
        d["cset"] = int(tid.get_cset())
    if cls == h5t.OPAQUE:
        d["tag"] = tid.get_tag().decode("ascii")
    if cls == h5t.COMPOUND:
        n = tid.get_nmembers()
        d["members"] = [{"name": tid.get_member_name(i).decode("utf-8"),
                         "offset": int(tid.get_member_offset(i)),
                         "type": props(tid.get_member_type(i))} for i in range(n)]
    if cls == h5t.ENUM:
        n = tid.get_nmembers()
        d["base"] = props(tid.get_super())
        d["names"] = [tid.get_member_name(i).decode("utf-8") for i in range(n)]
        d["values"] = [int(tid.get_member_value(i)) for i in range(n)]
    if cls == h5t.VLEN:
        d["base"] = props(tid.get_super())
    if cls == h5t.ARRAY:
        d["dims"] = [int(x) for x in tid.get_array_dims()]
        d["base"] = props(tid.get_super())
    if cls == h5t.REFERENCE:
        if tid == h5t.STD_REF_OBJ:
            d["refkind"] = 0
        elif tid == h5t.STD_REF_DSETREG:
            d["refkind"] = 1
    return d


def space_props(sid):
    k = sid.get_simple_extent_type()
    kind = {h5s.SCALAR: 0, h5s.SIMPLE: 1, h5s.NULL: 2}[k]
    d = {"kind": kind}
    if kind == 1:
        d["dims"] = [int(x) for x in sid.shape]
        d["maxdims"] = [int(x) if x != h5s.UNLIMITED else -1
                        for x in sid.get_simple_extent_dims(True)]
        d["npoints"] = int(sid.get_simple_extent_npoints())
    return d


def tencode(tid):
    b = tid.encode()
    assert b[0] == 3 and b[1] == 0, b[:2]  # H5O_DTYPE_ID, H5T_ENCODE_VERSION
    return b[2:].hex()


def sencode(sid):
    b = sid.encode()
    assert b[0] == 1 and b[1] == 0 and b[2] == 8, b[:3]  # H5O_SDSPACE_ID, version, sizeof_size
    n = int.from_bytes(b[3:7], "little")
    return b[7:7 + n].hex()


def lowlevel(f, name, tid, shape=(2,)):
    sid = h5s.create_simple(shape)
    h5d.create(f.id, name.encode(), tid, sid)


def fixed_string(size, pad, cset):
    t = h5t.C_S1.copy()
    t.set_size(size)
    t.set_strpad(pad)
    t.set_cset(cset)
    return t


def build(f):
    # integers, both byte orders
    for k in "iu":
        for n in (1, 2, 4, 8):
            for o in "<>":
                f.create_dataset("%s%d%s" % (k, n, "le" if o == "<" else "be"),
                                 (2,), dtype=np.dtype(o + k + str(n)))
    # integer with unusual offset/precision/padding
    t = h5t.STD_I32BE.copy()
    t.set_precision(20)
    t.set_offset(5)
    t.set_pad(h5t.PAD_ONE, h5t.PAD_ONE)
    lowlevel(f, "int_odd", t)
    # floats
    for n in (2, 4, 8):
        for o in "<>":
            f.create_dataset("f%d%s" % (n, "le" if o == "<" else "be"), (2,),
                             dtype=np.dtype(o + "f" + str(n)))
    f.create_dataset("longdouble", (2,), dtype=np.longdouble)
    t = h5t.IEEE_F32LE.copy()
    t.set_ebias(100)
    t.set_norm(h5t.NORM_MSBSET)
    t.set_inpad(h5t.PAD_ONE)
    lowlevel(f, "float_custom", t)
    t = h5t.IEEE_F64BE.copy()
    t.set_fields(63, 50, 13, 0, 50)
    t.set_ebias(4095)
    lowlevel(f, "float_fields", t)
    t = h5t.IEEE_F32LE.copy()
    t.set_order(h5t.ORDER_VAX)
    lowlevel(f, "float_vax", t)
    # time
    lowlevel(f, "time_d32le", h5t.UNIX_D32LE)
    lowlevel(f, "time_d64be", h5t.UNIX_D64BE)
    # fixed strings
    for pname, pad in (("nullterm", h5t.STR_NULLTERM), ("nullpad", h5t.STR_NULLPAD),
                       ("spacepad", h5t.STR_SPACEPAD)):
        for cname, cset in (("ascii", h5t.CSET_ASCII), ("utf8", h5t.CSET_UTF8)):
            lowlevel(f, "str_%s_%s" % (pname, cname), fixed_string(10, pad, cset))
    f.create_dataset("str_S7", (2,), dtype="S7")
    # vlen strings
    f.create_dataset("vlstr_ascii", (2,), dtype=h5py.string_dtype("ascii"))
    f.create_dataset("vlstr_utf8", (2,), dtype=h5py.string_dtype("utf-8"))
    # opaque
    t = h5t.create(h5t.OPAQUE, 16)
    t.set_tag(b"mytag")
    lowlevel(f, "opaque_tag", t)
    t = h5t.create(h5t.OPAQUE, 3)
    t.set_tag(b"exactly8")
    lowlevel(f, "opaque_tag8", t)
    f.create_dataset("opaque_V7", (2,), dtype="V7")
    # bitfields
    lowlevel(f, "b8le", h5t.STD_B8LE)
    lowlevel(f, "b16be", h5t.STD_B16BE)
    lowlevel(f, "b32le", h5t.STD_B32LE)
    lowlevel(f, "b64be", h5t.STD_B64BE)
    # compounds
    inner = np.dtype({"names": ["x", "y"], "formats": ["<i2", ">f4"],
                      "offsets": [0, 4], "itemsize": 12})
    outer = np.dtype({"names": ["a", "nested", "c", "a_longer_member_name"],
                      "formats": ["<i4", inner, ">f8", "u1"],
                      "offsets": [0, 8, 24, 40], "itemsize": 48})
    f.create_dataset("compound_nested", (2,), dtype=outer)
    f.create_dataset("compound_array", (2,),
                     dtype=np.dtype([("id", "<i2"), ("m", "<f4", (2, 3)), ("v", "<u8", (4,))]))
    big = np.dtype({"names": ["lo", "hi"], "formats": ["<i4", "<f8"],
                    "offsets": [0, 296], "itemsize": 304})
    f.create_dataset("compound_big", (2,), dtype=big)
    f.create_dataset("compound_vlen", (2,),
                     dtype=np.dtype([("s", h5py.string_dtype("utf-8")),
                                     ("r", h5py.ref_dtype),
                                     ("q", h5py.vlen_dtype(np.dtype("<f8")))]))
    # enums
    f.create_dataset("enum_i8", (2,), dtype=h5py.enum_dtype(
        {"RED": 0, "GREEN": 1, "BLUE": -5}, basetype="i1"))
    f.create_dataset("enum_u16be", (2,), dtype=h5py.enum_dtype(
        {"A": 1, "BB": 300, "a_rather_long_name": 65535}, basetype=">u2"))
    f.create_dataset("enum_i64", (2,), dtype=h5py.enum_dtype(
        {"NEG": -(2**40), "ZERO": 0, "POS": 2**62}, basetype="<i8"))
    f.create_dataset("bool", (2,), dtype=np.bool_)
    # arrays (low-level: h5py folds a subarray dtype into the dataset shape)
    lowlevel(f, "array_f32", h5t.array_create(h5t.IEEE_F32LE, (3, 4)))
    lowlevel(f, "array_i16be", h5t.array_create(h5t.STD_I16BE, (5,)))
    lowlevel(f, "array_of_compound", h5t.array_create(
        h5t.py_create(np.dtype([("p", "<i4"), ("q", "<f8")])), (2, 2, 2)))
    # vlen sequences
    f.create_dataset("vlen_i32", (2,), dtype=h5py.vlen_dtype(np.dtype("<i4")))
    f.create_dataset("vlen_f64be", (2,), dtype=h5py.vlen_dtype(np.dtype(">f8")))
    # references
    f.create_dataset("ref_obj", (2,), dtype=h5py.ref_dtype)
    f.create_dataset("ref_region", (2,), dtype=h5py.regionref_dtype)
    # dataspaces
    f.create_dataset("space_scalar", (), dtype="<i4")
    f.create_dataset("space_null", data=h5py.Empty("<i4"))
    f.create_dataset("space_zero", (0,), dtype="<i4")
    f.create_dataset("space_zero_unlim", (0, 3), maxshape=(None, 3), dtype="<i4")
    f.create_dataset("space_unlim", (4, 5), maxshape=(None, 10), dtype="<i4")
    f.create_dataset("space_3d", (2, 3, 4), dtype="<i2")
    f.create_dataset("space_big", (100000, 70000), maxshape=(None, None),
                     dtype="<i1", chunks=(1, 1))


def numpy_str(tid):
    """The numpy dtype string h5py maps the type to ("" for structured
    dtypes, "-" when h5py has no numpy equivalent)."""
    try:
        dt = tid.dtype
    except TypeError:
        return "-"
    if dt.names is not None:
        return ""
    if dt.subdtype is not None:  # array type: numpy gives the base str
        return "array:" + dt.subdtype[0].str
    return dt.str


def numpy_fields(dt):
    """h5py's structured dtype for a compound, field by field."""
    out = []
    for name in dt.names:
        sub, off = dt.fields[name][:2]
        shape = []
        if sub.subdtype is not None:
            sub, shape = sub.subdtype[0], list(sub.subdtype[1])
        f = {"name": name, "offset": int(off), "shape": shape}
        if sub.names is not None:
            f["fields"] = numpy_fields(sub)
            f["itemsize"] = sub.itemsize
        else:
            f["descr"] = sub.str
        out.append(f)
    return out


def main():
    out = {"h5py": h5py.version.version, "hdf5": h5py.version.hdf5_version,
           "files": {}}
    for libver in ("earliest", "latest"):
        name = "types_%s.h5" % libver
        path = os.path.join(HERE, name)
        with h5py.File(path, "w", libver=libver) as f:
            build(f)
        with h5py.File(path, "r") as f:
            dsets = {}
            for k in sorted(f.keys()):
                ds = f[k]
                tid = ds.id.get_type()
                sid = ds.id.get_space()
                dsets[k] = {"addr": int(h5o.get_info(ds.id).addr),
                            "type": props(tid), "tencode": tencode(tid),
                            "space": space_props(sid), "sencode": sencode(sid),
                            "numpy": numpy_str(tid)}
                if tid.get_class() == h5t.COMPOUND:
                    dsets[k]["numpy_fields"] = numpy_fields(ds.dtype)
            out["files"][name] = dsets
    # Encodings that no dataset in these files carries. libhdf5 1.10.8
    # writes a VAX float as a version 1 message with bits 0 and 6 set, and
    # reads version 1 and 2 messages ignoring bit 6 (big-endian); it honours
    # VAX only in version 3 messages. So record the encoding as written, and
    # the same bytes relabelled version 3, each with the properties libhdf5
    # decodes from those bytes (h5t.decode = H5Tdecode).
    extra = {}
    for bits, base in ((32, h5t.IEEE_F32LE), (64, h5t.IEEE_F64LE)):
        t = base.copy()
        t.set_order(h5t.ORDER_VAX)
        raw = t.encode()
        v3 = raw[:2] + bytes([raw[2] & 0x0F | 0x30]) + raw[3:]
        for name, enc in (("float_vax%d_v1" % bits, raw), ("float_vax%d_v3" % bits, v3)):
            extra[name] = {"type": props(h5t.decode(enc)), "tencode": enc[2:].hex()}
    out["extra"] = extra
    with open(os.path.join(HERE, "expected.json"), "w") as fp:
        json.dump(out, fp, indent=1, sort_keys=True)
        fp.write("\n")


if __name__ == "__main__":
    main()
