#!/usr/bin/python3
"""h5ref: reference records for an HDF5 file, as libhdf5 (through h5py) sees it.

Run with Debian's Python (h5py 3.7.0, libhdf5 1.10.8):

    /usr/bin/python3 testdata/gen/h5ref.py FILE [--root DIR] > out.jsonl

One JSON object per line, in the schema of /work/shared/corpus/reference.jsonl
(kinds file, group, dataset, attribute, datatype), plus the extra keys
`addr` (object header address) and, on groups and datasets, `attr_names`.

Digests follow /work/shared/corpus/README.md:
  * bytes-le-packed: sha256 of the canonical little-endian packed elements;
  * json: sha256 of json.dumps(value, separators=(',', ':'), ensure_ascii=True).
"""

import ctypes
import hashlib
import json
import math
import os
import struct
import sys

import numpy as np
import h5py

JSON_VALUE_MAX_CHARS = 2000       # `value` is emitted when its JSON is at most this long
JSON_MAX_ELEMENTS = 5_000_000     # no json digest above this many elements
PREFIX_LIMIT = 1 << 32            # digest only a prefix above 4 GiB
PREFIX_BLOCK = 1 << 26            # B = 64 MiB
CHUNK_LIST_MAX = 32               # chunk_list emitted for at most this many chunks


# --------------------------------------------------------------------------
# Flush-to-zero guard (see FIXTURES.md): a plugin may set FTZ/DAZ in MXCSR.

def clear_ftz():
    try:
        libm = ctypes.CDLL("libm.so.6")
        env = ctypes.create_string_buffer(64)
        if libm.fegetenv(env) != 0:
            return
        # x86-64 fenv_t: 28-byte x87 env, then mxcsr (uint32) at offset 28.
        mx = struct.unpack_from("<I", env.raw, 28)[0]
        if mx & ((1 << 15) | (1 << 6)):
            mx &= ~((1 << 15) | (1 << 6))
            buf = bytearray(env.raw)
            struct.pack_into("<I", buf, 28, mx)
            env2 = ctypes.create_string_buffer(bytes(buf), 64)
            libm.fesetenv(env2)
    except Exception:
        pass


# --------------------------------------------------------------------------
# Datatype descriptions

ORDER = {h5py.h5t.ORDER_LE: "le", h5py.h5t.ORDER_BE: "be",
         h5py.h5t.ORDER_VAX: "vax", h5py.h5t.ORDER_NONE: "none"}
STRPAD = {h5py.h5t.STR_NULLTERM: "nullterm", h5py.h5t.STR_NULLPAD: "nullpad",
          h5py.h5t.STR_SPACEPAD: "spacepad"}
CSET = {h5py.h5t.CSET_ASCII: "ascii", h5py.h5t.CSET_UTF8: "utf8"}
CLASSNAME = {
    h5py.h5t.INTEGER: "INTEGER", h5py.h5t.FLOAT: "FLOAT", h5py.h5t.TIME: "TIME",
    h5py.h5t.STRING: "STRING", h5py.h5t.BITFIELD: "BITFIELD", h5py.h5t.OPAQUE: "OPAQUE",
    h5py.h5t.COMPOUND: "COMPOUND", h5py.h5t.REFERENCE: "REFERENCE", h5py.h5t.ENUM: "ENUM",
    h5py.h5t.VLEN: "VLEN", h5py.h5t.ARRAY: "ARRAY",
}


def _s(b):
    return b.decode("utf-8", "surrogateescape") if isinstance(b, bytes) else b


def h5type_desc(tid, top=True):
    cls = tid.get_class()
    d = {"class": CLASSNAME.get(cls, str(cls)), "size": tid.get_size()}
    try:
        if top and tid.committed():
            d["committed"] = True
    except Exception:
        pass
    if cls in (h5py.h5t.INTEGER,):
        d.update(order=ORDER.get(tid.get_order()), precision=tid.get_precision(),
                 offset=tid.get_offset(), signed=tid.get_sign() == h5py.h5t.SGN_2)
    elif cls == h5py.h5t.FLOAT:
        d.update(order=ORDER.get(tid.get_order()), precision=tid.get_precision(),
                 offset=tid.get_offset(), fields=list(tid.get_fields()), ebias=tid.get_ebias())
    elif cls == h5py.h5t.BITFIELD:
        d.update(order=ORDER.get(tid.get_order()))
    elif cls == h5py.h5t.STRING:
        d.update(variable=bool(tid.is_variable_str()), cset=CSET.get(tid.get_cset()),
                 strpad=STRPAD.get(tid.get_strpad()))
    elif cls == h5py.h5t.OPAQUE:
        d["tag"] = _s(tid.get_tag())
    elif cls == h5py.h5t.COMPOUND:
        d["members"] = [{"name": _s(tid.get_member_name(i)), "offset": tid.get_member_offset(i),
                         "type": h5type_desc(tid.get_member_type(i), False)}
                        for i in range(tid.get_nmembers())]
    elif cls == h5py.h5t.ENUM:
        d["base"] = h5type_desc(tid.get_super(), False)
        d["members"] = {_s(tid.get_member_name(i)): int(tid.get_member_value(i))
                        for i in range(tid.get_nmembers())}
    elif cls == h5py.h5t.VLEN:
        d["base"] = h5type_desc(tid.get_super(), False)
    elif cls == h5py.h5t.ARRAY:
        d["dims"] = list(tid.get_array_dims())
        d["base"] = h5type_desc(tid.get_super(), False)
    elif cls == h5py.h5t.REFERENCE:
        if tid.equal(h5py.h5t.STD_REF_OBJ):
            d["ref"] = "object"
        elif tid.equal(h5py.h5t.STD_REF_DSETREG):
            d["ref"] = "region"
        else:
            d["ref"] = "other"
    return d


def dtype_desc(dt):
    d = {"str": dt.str, "repr": str(dt)}
    s = h5py.check_string_dtype(dt)
    if s is not None:
        d["string"] = {"encoding": s.encoding, "length": s.length}
    v = h5py.check_vlen_dtype(dt)
    if v is not None and s is None:
        d["vlen"] = str(v)
    e = h5py.check_enum_dtype(dt)
    if e is not None:
        d["enum"] = {k: int(x) for k, x in e.items()}
    r = h5py.check_ref_dtype(dt)
    if r is not None:
        d["ref"] = r.__name__
    if h5py.check_opaque_dtype(dt):
        d["opaque"] = True
    if dt.names is not None:
        try:
            d["descr"] = str(dt.descr)
        except Exception:
            pass
    return d


def is_json_type(tid, top=True):
    """True when the corpus rules digest this type as json."""
    cls = tid.get_class()
    if cls in (h5py.h5t.VLEN, h5py.h5t.REFERENCE):
        return True
    if cls == h5py.h5t.STRING:
        return top or bool(tid.is_variable_str())
    if cls == h5py.h5t.ARRAY:
        return is_json_type(tid.get_super(), top)
    if cls == h5py.h5t.COMPOUND:
        return any(is_json_type(tid.get_member_type(i), False) for i in range(tid.get_nmembers()))
    return False


def bytes_dtype(dt):
    """The dtype with every vlen str replaced by vlen bytes, so reads give raw bytes."""
    if dt.names is not None:
        fields = []
        for n in dt.names:
            f = dt.fields[n]
            fields.append((n, bytes_dtype(f[0]), f[1]))
        return np.dtype({"names": [f[0] for f in fields], "formats": [f[1] for f in fields],
                         "offsets": [f[2] for f in fields], "itemsize": dt.itemsize})
    if dt.subdtype is not None:
        return np.dtype((bytes_dtype(dt.subdtype[0]), dt.subdtype[1]))
    s = h5py.check_string_dtype(dt)
    if s is not None and s.length is None:
        return h5py.vlen_dtype(bytes)
    v = h5py.check_vlen_dtype(dt)
    if v is not None and s is None:
        return h5py.vlen_dtype(bytes_dtype(v))
    return dt


# --------------------------------------------------------------------------
# Canonical forms

def _strip(b, pad):
    if pad == h5py.h5t.STR_NULLTERM:
        i = b.find(b"\0")
        return b if i < 0 else b[:i]
    if pad == h5py.h5t.STR_SPACEPAD:
        return b.rstrip(b"\0").rstrip(b" ")
    return b.rstrip(b"\0")


def _raw_rows(a, size):
    a = np.ascontiguousarray(a)
    return a.view(np.uint8).reshape(-1, size) if a.size else np.zeros((0, size), np.uint8)


def _float_target(tid):
    size = tid.get_size()
    if size > 8:
        return "<f8"
    _, _, esize, _, msize = tid.get_fields()
    for tsize, m, e in ((2, 10, 5), (4, 23, 8), (8, 52, 11)):
        if tsize >= size and m >= msize and e >= esize:
            return "<f%d" % tsize
    return "<f8"


def canon_dtype(tid):
    cls = tid.get_class()
    if cls in (h5py.h5t.INTEGER, h5py.h5t.BITFIELD):
        signed = cls == h5py.h5t.INTEGER and tid.get_sign() == h5py.h5t.SGN_2
        return np.dtype("<%s%d" % ("i" if signed else "u", tid.get_size()))
    if cls == h5py.h5t.ENUM:
        base = tid.get_super()
        return np.dtype("<%s%d" % ("i" if base.get_sign() == h5py.h5t.SGN_2 else "u", tid.get_size()))
    if cls == h5py.h5t.FLOAT:
        return np.dtype(_float_target(tid))
    if cls == h5py.h5t.STRING:
        return np.dtype("S%d" % tid.get_size())
    if cls == h5py.h5t.OPAQUE:
        return np.dtype("V%d" % tid.get_size())
    if cls == h5py.h5t.ARRAY:
        return np.dtype((canon_dtype(tid.get_super()), tuple(tid.get_array_dims())))
    if cls == h5py.h5t.COMPOUND:
        return np.dtype([("f%d" % i, canon_dtype(tid.get_member_type(i)))
                         for i in range(tid.get_nmembers())])
    raise TypeError("no packed form for class %s" % cls)


def _member_view(a, tid, i):
    if a.dtype.kind == "c":
        return a.real if i == 0 else a.imag
    if a.dtype.names is None:
        raise TypeError("compound read without fields")
    return a[a.dtype.names[i]]


def canon(a, tid):
    """Array of canonical dtype with a's shape (array types: base dtype, dims appended)."""
    cls = tid.get_class()
    if cls == h5py.h5t.ARRAY:
        return canon(a, tid.get_super())
    if cls == h5py.h5t.OPAQUE:
        size = tid.get_size()
        return np.ascontiguousarray(a).view("V%d" % size).reshape(a.shape)
    if cls == h5py.h5t.STRING:
        size = tid.get_size()
        pad = tid.get_strpad()
        rows = _raw_rows(a, size)
        out = np.array([_strip(r.tobytes(), pad) for r in rows], dtype="S%d" % size)
        return out.reshape(a.shape)
    if cls == h5py.h5t.COMPOUND:
        dt = canon_dtype(tid)
        out = np.zeros(a.shape, dt)
        for i in range(tid.get_nmembers()):
            out["f%d" % i] = canon(_member_view(a, tid, i), tid.get_member_type(i))
        return out
    dt = canon_dtype(tid)
    if a.dtype.kind == "V" and cls != h5py.h5t.OPAQUE:
        # e.g. integers h5py cannot map: reinterpret raw bytes
        raise TypeError("unexpected void data for class %s" % cls)
    return a.astype(dt)


def _fmt_str(b, pad=None):
    if pad is not None:
        b = _strip(b, pad)
    return b.decode("latin-1")


def _float_json(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


class RefResolver:
    def __init__(self, f, paths):
        self.f = f
        self.paths = paths  # addr -> visititems path

    def obj(self, ref):
        if not ref:
            return None
        try:
            o = self.f[ref]
            addr = h5py.h5o.get_info(o.id).addr
        except Exception:
            return {"ref": None, "kind": "object"}
        return {"ref": self.paths.get(addr, o.name), "addr": addr, "kind": "object"}

    def region(self, ref):
        if not ref:
            return None
        try:
            o = self.f[ref]
            addr = h5py.h5o.get_info(o.id).addr
            sp = h5py.h5r.get_region(ref, self.f.id)
        except Exception:
            return {"ref": None, "kind": "region"}
        st = sp.get_select_type()
        names = {h5py.h5s.SEL_NONE: "none", h5py.h5s.SEL_POINTS: "points",
                 h5py.h5s.SEL_HYPERSLABS: "hyperslab", h5py.h5s.SEL_ALL: "all"}
        d = {"ref": self.paths.get(addr, o.name), "addr": addr, "kind": "region",
             "sel_type": names.get(st, str(st)), "npoints": int(sp.get_select_npoints())}
        if st == h5py.h5s.SEL_POINTS:
            d["points"] = [[int(c) for c in p] for p in sp.get_select_elem_pointlist()]
        elif st == h5py.h5s.SEL_HYPERSLABS:
            bl = sp.get_select_hyper_blocklist()
            d["blocks"] = [[[int(c) for c in b[0]], [int(c) for c in b[1]]] for b in bl]
        return d


def to_json(x, tid, refs):
    """JSON value of one element x (numpy scalar / ndarray / object) of type tid."""
    cls = tid.get_class()
    if cls == h5py.h5t.ARRAY:
        base = tid.get_super()
        arr = np.asarray(x) if not isinstance(x, np.ndarray) else x
        return _nest(arr, base, refs)
    if cls in (h5py.h5t.INTEGER, h5py.h5t.BITFIELD):
        return int(x)
    if cls == h5py.h5t.ENUM:
        if isinstance(x, (bool, np.bool_)):
            return bool(x)
        return int(x)
    if cls == h5py.h5t.FLOAT:
        return _float_json(x)
    if cls == h5py.h5t.STRING:
        if tid.is_variable_str():
            if x is None:
                return ""
            if isinstance(x, str):
                x = x.encode("utf-8", "surrogateescape")
            return _fmt_str(bytes(x))
        if isinstance(x, np.ndarray):
            x = x.tobytes()
        if isinstance(x, np.void):
            x = x.tobytes()
        return _fmt_str(bytes(x), tid.get_strpad())
    if cls == h5py.h5t.OPAQUE:
        b = x.tobytes() if hasattr(x, "tobytes") else bytes(x)
        return _fmt_str(b)
    if cls == h5py.h5t.COMPOUND:
        if isinstance(x, (complex, np.complexfloating)):
            return [_float_json(x.real), _float_json(x.imag)]
        return [to_json(x[i], tid.get_member_type(i), refs) for i in range(tid.get_nmembers())]
    if cls == h5py.h5t.VLEN:
        base = tid.get_super()
        if x is None:
            return []
        return [to_json(e, base, refs) for e in x]
    if cls == h5py.h5t.REFERENCE:
        if tid.equal(h5py.h5t.STD_REF_DSETREG):
            return refs.region(x)
        return refs.obj(x)
    raise TypeError("unsupported class %s" % cls)


def _nest(a, tid, refs):
    if a.ndim == 0:
        return to_json(a[()], tid, refs)
    if a.ndim == 1:
        return [to_json(a[i], tid, refs) for i in range(a.shape[0])]
    return [_nest(a[i], tid, refs) for i in range(a.shape[0])]


def json_bytes(v):
    return json.dumps(v, separators=(",", ":"), ensure_ascii=True).encode("ascii")


# --------------------------------------------------------------------------
# Reading

def _mspace(shape):
    return h5py.h5s.create_simple(shape) if shape else h5py.h5s.create(h5py.h5s.SCALAR)


def _mtype(dt, ftype):
    if ftype.get_class() == h5py.h5t.OPAQUE:
        return ftype  # opaque data is copied as is; h5py's V-dtype opaque has no tag
    if dt.subdtype is not None:
        return h5py.h5t.py_create(dt)
    return None


def read_dataset(dset, sel=None):
    """Read dataset (or a prefix hyperslab [(start,count),...]) with raw-bytes strings.

    Array-typed data comes back with the array dims appended to the shape."""
    dt = bytes_dtype(dset.dtype)
    shape = dset.shape
    fspace = dset.id.get_space()
    if sel is not None:
        fspace.select_hyperslab(tuple(s for s, _ in sel), tuple(c for _, c in sel))
        shape = tuple(c for _, c in sel)
    arr = np.zeros(shape, dtype=dt)
    if arr.size == 0:
        return arr
    mtype = _mtype(dt, dset.id.get_type())
    dset.id.read(_mspace(shape), fspace if sel is not None else h5py.h5s.ALL, arr, mtype)
    return arr


def read_attr(aid):
    dt = bytes_dtype(aid.dtype)
    arr = np.zeros(aid.shape, dtype=dt)
    if arr.size == 0:
        return arr
    mtype = _mtype(dt, aid.get_type())
    aid.read(arr, mtype=mtype)
    return arr


def add_digest(rec, arr, tid, refs):
    """Fill digest fields for data arr (full read shape, array dims appended)."""
    clear_ftz()
    rec["read_shape"] = list(arr.shape)
    if is_json_type(tid):
        rec["digest_method"] = "json"
        if arr.size > JSON_MAX_ELEMENTS:
            rec["json_skipped"] = "over %d elements" % JSON_MAX_ELEMENTS
            return
        cls = tid.get_class()
        # arr has array dims appended only for top-level ARRAY types
        if cls == h5py.h5t.ARRAY:
            ndim = arr.ndim - len(tid.get_array_dims())
            v = _nest_outer(arr, ndim, tid, refs)
        else:
            v = _nest(arr, tid, refs)
        b = json_bytes(v)
        rec["sha256"] = hashlib.sha256(b).hexdigest()
        if len(b) <= JSON_VALUE_MAX_CHARS:
            rec["value"] = v
        return
    c = canon(arr, tid)
    b = np.ascontiguousarray(c).tobytes()
    rec["digest_method"] = "bytes-le-packed"
    rec["sha256"] = hashlib.sha256(b).hexdigest()
    rec["nbytes_canonical"] = len(b)
    base = tid
    while base.get_class() == h5py.h5t.ARRAY:
        base = base.get_super()
    bc = base.get_class()
    if bc == h5py.h5t.FLOAT and c.size:
        f = c.astype("f8").ravel()
        fin = np.isfinite(f)
        rec["nan_count"] = int(np.isnan(f).sum())
        rec["inf_count"] = int(np.isinf(f).sum())
        ff = f[fin]
        if ff.size:
            rec["sum"] = math.fsum(ff) if ff.size <= 1_000_000 else float(np.sum(ff))
            rec["min"] = float(ff.min())
            rec["max"] = float(ff.max())
    elif bc in (h5py.h5t.INTEGER, h5py.h5t.ENUM, h5py.h5t.BITFIELD) and c.size:
        v = c.ravel()
        if v.dtype.itemsize <= 8:
            v64 = v.astype("i8") if v.dtype.kind == "i" else v.astype("u8")
            hi = (v64 >> 32).astype("i8") if v.dtype.kind == "i" else (v64 >> np.uint64(32)).astype("i8")
            lo = (v64 & (0xFFFFFFFF if v.dtype.kind == "i" else np.uint64(0xFFFFFFFF))).astype("i8")
            rec["sum"] = int(hi.sum()) * (1 << 32) + int(lo.sum())
            rec["min"] = int(v.min())
            rec["max"] = int(v.max())
    if arr.size <= 5000:
        try:
            cls = tid.get_class()
            if cls == h5py.h5t.ARRAY:
                ndim = arr.ndim - len(tid.get_array_dims())
                v = _nest_outer(arr, ndim, tid, refs)
            else:
                v = _nest(arr, tid, refs)
            if len(json_bytes(v)) <= JSON_VALUE_MAX_CHARS:
                rec["value"] = v
        except Exception:
            pass


def _nest_outer(a, ndim, tid, refs):
    if ndim == 0:
        return to_json(a, tid, refs)
    return [_nest_outer(a[i], ndim - 1, tid, refs) for i in range(a.shape[0])]


def prefix_selection(shape, esize):
    n = esize
    for d in shape:
        n *= d
    if n <= PREFIX_LIMIT:
        return None
    rank = len(shape)
    for j in range(rank):
        later = esize
        for d in shape[j + 1:]:
            later *= d
        if later <= PREFIX_BLOCK or j == rank - 1:
            break
    m = max(1, min(shape[j], PREFIX_BLOCK // later))
    return [[0, 1] for _ in range(j)] + [[0, m]] + [[0, d] for d in shape[j + 1:]]


# --------------------------------------------------------------------------
# Object header inspection (message list, layout/datatype/fill versions)

MSG_NAMES = {0: "null", 1: "dataspace", 2: "linfo", 3: "datatype", 4: "fill", 5: "fill_new",
             6: "link", 7: "external file list", 8: "layout", 9: "bogus", 10: "ginfo",
             11: "filter pipeline", 12: "attribute", 13: "name", 14: "mtime", 15: "shmesg",
             16: "hdr continuation", 17: "stab", 18: "mtime_new", 19: "btreek", 20: "drvinfo",
             21: "ainfo", 22: "refcount", 23: "fsinfo"}
CHUNK_INDEX = {1: "Single Chunk", 2: "Implicit", 3: "Fixed Array", 4: "Extensible Array",
               5: "v2 B-tree"}


class Header:
    def __init__(self, fh, base, addr, so, sl):
        self.msgs = []  # (type, flags, data)
        self.version = None
        self.fh, self.base, self.so, self.sl = fh, base, so, sl
        self._read(addr)

    def _pread(self, addr, n):
        self.fh.seek(self.base + addr)
        return self.fh.read(n)

    def _uint(self, b, off, n):
        return int.from_bytes(b[off:off + n], "little")

    def _read(self, addr):
        b = self._pread(addr, 16)
        conts = []
        if b[:4] == b"OHDR":
            self.version = b[4]
            flags = b[5]
            off = 6
            if flags & 0x20:
                off += 16
            if flags & 0x10:
                off += 4
            n = 1 << (flags & 3)
            head = self._pread(addr, off + n)
            size = self._uint(head, off, n)
            off += n
            data = self._pread(addr + off, size)
            self._v2(data, flags, conts)
            seen = set()
            while conts and len(seen) < 1000:
                caddr, clen = conts.pop(0)
                if caddr in seen:
                    break
                seen.add(caddr)
                d = self._pread(caddr, clen)
                if d[:4] != b"OCHK":
                    break
                self._v2(d[4:-4], flags, conts)
        else:
            self.version = b[0]
            nm = self._uint(b, 2, 2)
            hsize = self._uint(b, 8, 4)
            data = self._pread(addr + 16, hsize)
            self._v1(data, conts)
            seen = set()
            while conts and len(seen) < 1000:
                caddr, clen = conts.pop(0)
                if caddr in seen:
                    break
                seen.add(caddr)
                self._v1(self._pread(caddr, clen), conts)

    def _v1(self, data, conts):
        off = 0
        while off + 8 <= len(data):
            t = self._uint(data, off, 2)
            sz = self._uint(data, off + 2, 2)
            fl = data[off + 4]
            body = data[off + 8:off + 8 + sz]
            self.msgs.append((t, fl, body))
            if t == 16:
                conts.append((self._uint(body, 0, self.so), self._uint(body, self.so, self.sl)))
            off += 8 + sz

    def _v2(self, data, flags, conts):
        off = 0
        hl = 4 + (2 if flags & 4 else 0)
        while off + hl <= len(data):
            t = data[off]
            sz = self._uint(data, off + 1, 2)
            fl = data[off + 3]
            body = data[off + hl:off + hl + sz]
            if off + hl + sz > len(data):
                break
            self.msgs.append((t, fl, body))
            if t == 16:
                conts.append((self._uint(body, 0, self.so), self._uint(body, self.so, self.sl)))
            off += hl + sz

    def names(self):
        return sorted({MSG_NAMES.get(t, "unknown(%d)" % t) for t, _, _ in self.msgs})

    def shared(self):
        return sorted({MSG_NAMES.get(t, str(t)) for t, fl, _ in self.msgs if fl & 2})

    def first(self, t):
        for tt, fl, body in self.msgs:
            if tt == t:
                return fl, body
        return None


# --------------------------------------------------------------------------
# Records

FILTER_KNOWN = {1: "deflate", 2: "shuffle", 3: "fletcher32", 4: "szip", 5: "nbit", 6: "scaleoffset",
                305: "lzo", 307: "bzip2", 32000: "lzf", 32001: "blosc", 32004: "lz4", 32008: "bitshuffle",
                32013: "zfp", 32015: "zstd", 32017: "sz", 32019: "jpeg", 32022: "bitgroom",
                32023: "granularbr", 32024: "sz3", 32026: "blosc2"}


def dcpl_info(dset, rec):
    dcpl = dset.id.get_create_plist()
    lay = dcpl.get_layout()
    rec["layout"] = {h5py.h5d.COMPACT: "compact", h5py.h5d.CONTIGUOUS: "contiguous",
                     h5py.h5d.CHUNKED: "chunked"}.get(lay, "virtual" if lay == 3 else str(lay))
    rec["chunks"] = list(dcpl.get_chunk()) if lay == h5py.h5d.CHUNKED else None
    fl = []
    for i in range(dcpl.get_nfilters()):
        code, flags, cd, name = dcpl.get_filter(i)
        fl.append({"id": code, "name": _s(name), "known_as": FILTER_KNOWN.get(code, "unknown"),
                   "flags": flags, "cd_values": [int(x) for x in cd]})
    rec["filters"] = fl
    fvd = dcpl.fill_value_defined()
    rec["fill_value_defined"] = {h5py.h5d.FILL_VALUE_UNDEFINED: "undefined",
                                 h5py.h5d.FILL_VALUE_DEFAULT: "default",
                                 h5py.h5d.FILL_VALUE_USER_DEFINED: "user_defined"}.get(fvd, str(fvd))
    rec["alloc_time"] = {h5py.h5d.ALLOC_TIME_EARLY: "early", h5py.h5d.ALLOC_TIME_LATE: "late",
                         h5py.h5d.ALLOC_TIME_INCR: "incr"}.get(dcpl.get_alloc_time(), "default")
    rec["fill_time"] = {h5py.h5d.FILL_TIME_ALLOC: "alloc", h5py.h5d.FILL_TIME_NEVER: "never",
                        h5py.h5d.FILL_TIME_IFSET: "ifset"}.get(dcpl.get_fill_time())
    if lay == 3:
        try:
            rec["virtual"] = [{"file": _s(dcpl.get_virtual_filename(i)),
                               "dset": _s(dcpl.get_virtual_dsetname(i))}
                              for i in range(dcpl.get_virtual_count())]
        except Exception:
            pass
    try:
        n = dcpl.get_external_count()
        if n:
            rec["external"] = [[_s(x[0]), int(x[1]), int(x[2])] for x in
                               (dcpl.get_external(i) for i in range(n))]
    except Exception:
        pass
    # fill value
    tid = dset.id.get_type()
    if is_json_type(tid) and tid.get_class() in (h5py.h5t.VLEN, h5py.h5t.REFERENCE) or \
            _has_vlen_or_ref(tid):
        rec["fillvalue_skipped"] = "variable-length or reference type"
    else:
        try:
            fv = dset.fillvalue
            a = np.asarray(fv)
            if tid.get_class() == h5py.h5t.ARRAY:
                rec["fillvalue"] = _nest(a, tid.get_super(), None)
            else:
                rec["fillvalue"] = to_json(a[()] if a.ndim == 0 else a, tid, None)
        except Exception as e:
            rec["fillvalue_error"] = str(e)
    return dcpl, lay


def _has_vlen_or_ref(tid):
    cls = tid.get_class()
    if cls in (h5py.h5t.VLEN, h5py.h5t.REFERENCE):
        return True
    if cls == h5py.h5t.STRING:
        return bool(tid.is_variable_str())
    if cls == h5py.h5t.ARRAY:
        return _has_vlen_or_ref(tid.get_super())
    if cls == h5py.h5t.COMPOUND:
        return any(_has_vlen_or_ref(tid.get_member_type(i)) for i in range(tid.get_nmembers()))
    return False


def _mask_names(mask):
    return sorted({MSG_NAMES.get(i, "unknown(%d)" % i) for i in range(64) if mask >> i & 1})


def header_info(ctx, obj, rec):
    info = h5py.h5o.get_info(obj.id)
    rec["addr"] = info.addr
    rec["num_attrs"] = len(obj.attrs)
    rec["ohdr_version"] = info.hdr.version
    rec["messages"] = _mask_names(info.hdr.mesg.present)
    if info.hdr.mesg.shared:
        rec["shared_messages"] = _mask_names(info.hdr.mesg.shared)
    try:
        return Header(ctx.fh, ctx.base, info.addr, ctx.so, ctx.sl)
    except Exception as e:
        rec["header_error"] = str(e)
        return None


def attr_storage(h):
    if h is None:
        return None
    if h.first(21) is not None:
        fl, body = h.first(21)
        # ainfo: version, flags, [max crt idx u16], fheap addr, name btree addr, ...
        flags = body[1]
        off = 2 + (2 if flags & 1 else 0)
        return "dense" if body[off:off + 8] != b"\xff" * 8 else ("compact" if h.first(12) else None)
    return "compact" if h.first(12) is not None else None


def attrs_records(ctx, obj, path):
    out = []
    names = []
    n = len(obj.attrs)
    for i in range(n):
        try:
            aid = h5py.h5a.open(obj.id, index=i)
        except Exception as e:
            out.append({"kind": "attribute", "file": ctx.name, "path": path, "index": i, "error": str(e)})
            continue
        name = _s(aid.get_name())
        names.append(name)
        rec = {"kind": "attribute", "file": ctx.name, "path": path, "name": name, "index": i}
        tid = aid.get_type()
        rec["h5type"] = h5type_desc(tid)
        try:
            rec["dtype"] = dtype_desc(aid.dtype)
        except Exception as e:
            rec["error"] = str(e)
            out.append(rec)
            continue
        sp = aid.get_space()
        if sp.get_simple_extent_type() == h5py.h5s.NULL:
            rec["shape"] = None
            rec["data"] = "empty"
            out.append(rec)
            continue
        rec["shape"] = list(aid.shape)
        try:
            arr = read_attr(aid)
            add_digest(rec, arr, tid, ctx.refs)
        except Exception as e:
            rec["read_error"] = "%s: %s" % (type(e).__name__, e)
        out.append(rec)
    return names, out


class Ctx:
    pass


def records(path, name=None, root=None):
    """Yield the reference records of the HDF5 file at path."""
    ctx = Ctx()
    ctx.name = name if name is not None else os.path.basename(path)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        raw = fh.read()
    frec = {"kind": "file", "file": ctx.name, "size": size, "libhdf5": "%d.%d.%d" % h5py.version.hdf5_version_tuple,
            "h5py": h5py.version.version, "sha256": hashlib.sha256(raw).hexdigest()}
    del raw
    cwd = os.getcwd()
    # external storage and VDS source files are named relative to the file's directory
    os.chdir(os.path.dirname(os.path.abspath(path)))
    try:
        yield from _records(ctx, os.path.abspath(path), frec)
    finally:
        os.chdir(cwd)


def _records(ctx, path, frec):
    try:
        f = h5py.File(path, "r")
    except Exception as e:
        frec["open_error"] = str(e)
        yield frec
        return
    with f:
        fcpl = f.id.get_create_plist()
        so, sl = fcpl.get_sizes()
        ub = fcpl.get_userblock()
        ctx.so, ctx.sl, ctx.base = so, sl, ub
        ctx.fh = open(path, "rb")
        ctx.fh.seek(ub + 8)
        sbv = ctx.fh.read(1)[0]
        frec.update({"signature_offset": ub, "superblock_version_byte": sbv,
                     "userblock": ub, "sizes": [so, sl], "superblock_version": sbv})
        try:
            v = fcpl.get_version()
            frec["fcpl_versions"] = {"superblock": v[0], "freelist": v[1], "symtable": v[2],
                                     "shared_header": v[3]}
        except Exception:
            pass
        yield frec

        # collect objects in visititems order; first path wins
        order = [("/", f)]
        seen = {h5py.h5o.get_info(f.id).addr}

        def visit(nm, obj):
            a = h5py.h5o.get_info(obj.id).addr
            if a in seen:
                return None
            seen.add(a)
            order.append(("/" + nm, obj))
            return None
        f.visititems(visit)
        paths = {}
        for p, o in order:
            paths.setdefault(h5py.h5o.get_info(o.id).addr, p)
        ctx.refs = RefResolver(f, paths)

        for p, obj in order:
            if isinstance(obj, h5py.Group):
                yield from group_records(ctx, f, p, obj)
            elif isinstance(obj, h5py.Dataset):
                yield from dataset_records(ctx, f, p, obj)
            elif isinstance(obj, h5py.Datatype):
                rec = {"kind": "datatype", "file": ctx.name, "path": p}
                try:
                    rec["dtype"] = dtype_desc(obj.dtype)
                except Exception as e:
                    rec["error"] = str(e)
                rec["h5type"] = h5type_desc(obj.id)
                rec["addr"] = h5py.h5o.get_info(obj.id).addr
                names, arecs = attrs_records(ctx, obj, p)
                rec["num_attrs"] = len(names)
                rec["attr_names"] = names
                yield rec
                yield from arecs
        ctx.fh.close()


def group_records(ctx, f, p, g):
    rec = {"kind": "group", "file": ctx.name, "path": p}
    gid = g.id
    links = []
    for nm in g.keys() if False else _link_names(gid):
        li = gid.links.get_info(nm)
        d = {"name": _s(nm)}
        if li.type == h5py.h5l.TYPE_HARD:
            d["type"] = "hard"
        elif li.type == h5py.h5l.TYPE_SOFT:
            d["type"] = "soft"
            d["target"] = _s(gid.links.get_val(nm))
        elif li.type == h5py.h5l.TYPE_EXTERNAL:
            d["type"] = "external"
            fn, op = gid.links.get_val(nm)
            d["target_file"] = _s(fn)
            d["target"] = _s(op)
        else:
            d["type"] = "user-defined"
            d["ud_link_class"] = li.type
        links.append(d)
    rec["nlinks"] = len(links)
    rec["links"] = links
    gcpl = gid.get_create_plist()
    rec["link_creation_order"] = gcpl.get_link_creation_order()
    rec["attr_creation_order"] = gcpl.get_attr_creation_order()
    if rec["link_creation_order"] & h5py.h5p.CRT_ORDER_TRACKED:
        try:
            rec["links_creation_order"] = [_s(n) for n in _link_names(gid, h5py.h5.INDEX_CRT_ORDER)]
        except Exception:
            pass
    h = header_info(ctx, g, rec)
    if h is not None:
        if h.first(17) is not None:
            rec["group_storage"] = "symbol_table"
        elif h.first(2) is not None:
            fl, body = h.first(2)
            flags = body[1]
            off = 2 + (8 if flags & 1 else 0)
            rec["group_storage"] = "dense" if body[off:off + ctx.so] != b"\xff" * ctx.so else "compact"
        st = attr_storage(h)
        if st:
            rec["attr_storage"] = st
        c = h.first(13)
        if c is not None:
            rec["comment"] = c[1].split(b"\0")[0].decode("latin-1")
    names, arecs = attrs_records(ctx, g, p)
    rec["attr_names"] = names
    yield rec
    yield from arecs


def _link_names(gid, idx=None):
    out = []
    if idx is None:
        gid.links.iterate(lambda n: out.append(n))
    else:
        gid.links.iterate(lambda n: out.append(n), idx_type=idx)
    return out


def dataset_records(ctx, f, p, ds):
    rec = {"kind": "dataset", "file": ctx.name, "path": p}
    tid = ds.id.get_type()
    sp = ds.id.get_space()
    null = sp.get_simple_extent_type() == h5py.h5s.NULL
    if null:
        rec["shape"] = None
        rec["maxshape"] = None
    else:
        rec["shape"] = list(sp.get_simple_extent_dims())
        rec["maxshape"] = [-1 if m == h5py.h5s.UNLIMITED else m for m in sp.get_simple_extent_dims(True)]
    dt_err = None
    try:
        rec["dtype"] = dtype_desc(ds.dtype)
    except Exception as e:
        dt_err = str(e)
        rec["error"] = dt_err
    rec["h5type"] = h5type_desc(tid)
    dcpl, lay = (None, None)
    try:
        dcpl, lay = dcpl_info(ds, rec)
    except Exception as e:
        rec["dcpl_error"] = str(e)
    rec["storage_size"] = ds.id.get_storage_size()
    if lay == h5py.h5d.CONTIGUOUS:
        try:
            rec["offset"] = ds.id.get_offset()
        except Exception:
            rec["offset"] = None
    if lay == h5py.h5d.CHUNKED:
        try:
            n = ds.id.get_num_chunks()
            rec["num_chunks"] = n
            if n <= CHUNK_LIST_MAX:
                cl = []
                for i in range(n):
                    ci = ds.id.get_chunk_info(i)
                    cl.append({"offset": list(ci.chunk_offset), "filter_mask": ci.filter_mask,
                               "addr": ci.byte_offset, "size": ci.size})
                rec["chunk_list"] = cl
        except Exception as e:
            rec["chunk_info_error"] = str(e)
    h = header_info(ctx, ds, rec)
    if h is not None:
        m = h.first(3)
        if m is not None and not (m[0] & 2):
            rec["dtype_msg_version"] = str(m[1][0] >> 4)
        if h.first(5) is not None:
            rec["fill_msg"] = "fill_new" if h.first(4) is None else "fill"
        elif h.first(4) is not None:
            rec["fill_msg"] = "fill"
        m = h.first(8)
        if m is not None:
            lv = m[1][0]
            rec["layout_version"] = str(lv)
            if lay == h5py.h5d.CHUNKED:
                if lv < 4:
                    rec["chunk_index"] = "v1 B-tree"
                else:
                    body = m[1]
                    nd = body[3]
                    el = body[4]
                    ix = body[5 + nd * el]
                    rec["chunk_index"] = CHUNK_INDEX.get(ix, "unknown(%d)" % ix)
        st = attr_storage(h)
        if st:
            rec["attr_storage"] = st
        c = h.first(13)
        if c is not None:
            rec["comment"] = c[1].split(b"\0")[0].decode("latin-1")
    names, arecs = attrs_records(ctx, ds, p)
    rec["attr_names"] = names
    if null:
        rec["data"] = "empty"
    elif dt_err is not None:
        rec["read_error"] = dt_err
    else:
        try:
            shape = tuple(rec["shape"])
            esize = tid.get_size()
            ps = prefix_selection(shape, esize)
            if ps is not None:
                rec["digest_scope"] = "prefix"
                rec["prefix_selection"] = ps
            arr = read_dataset(ds, ps)
            add_digest(rec, arr, tid, ctx.refs)
        except Exception as e:
            rec["read_error"] = str(e)
    yield rec
    yield from arecs


def main(argv):
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("files", nargs="+")
    ap.add_argument("--root", help="record file names relative to this directory")
    a = ap.parse_args(argv)
    for fn in a.files:
        name = os.path.relpath(fn, a.root) if a.root else os.path.basename(fn)
        for r in records(fn, name):
            sys.stdout.write(json.dumps(r, separators=(",", ":"), ensure_ascii=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
