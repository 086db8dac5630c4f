#!/usr/bin/python3
"""Generate the reader package's fixtures with Debian's PyTables and h5py.

Run from this directory with Debian's Python:

    /usr/bin/python3 gen.py

It writes:

  tables.h5       PyTables objects:
                    /t              Table, N rows, zlib (gzip filter) + shuffle, chunked,
                                    CSI index on `id`, plain (medium) index on `i32`
                    /small          Table, 1000 rows, no index
                    /arrays/array   Array   int32 (1000, 4), contiguous
                    /arrays/carray  CArray  float64 (5000, 8), zlib
                    /arrays/earray  EArray  int16 (3000, 3, 2), zlib, extendable
                    /arrays/vlarray VLArray Int32Atom, 2000 rows
                    /arrays/vlstr   VLArray VLStringAtom, 500 rows
  expected.json   50 seeded requests of every kind on these objects and
                  PyTables' answer to each: shape, byte count and sha256 of the
                  canonical bytes (numpy C order, little-endian, the result's
                  dtype, which equals the file's element layout), the bytes
                  inline when small, or the error PyTables raised.

Canonical bytes: for fixed-size results, np.ascontiguousarray(x).tobytes();
for VLArray results, the rows' bytes concatenated, with "lengths" holding
the element count of each row.
"""
import hashlib
import json
import os

import numpy as np
import tables

N = 100_000
SEED = 20240607
HERE = os.path.dirname(os.path.abspath(__file__))
H5 = os.path.join(HERE, "tables.h5")
EXP = os.path.join(HERE, "expected.json")


class Info(tables.IsDescription):
    _v_pos = 9
    x = tables.Int32Col(pos=0)
    y = tables.Float64Col(shape=(2,), pos=1)


class Row(tables.IsDescription):
    id = tables.Int64Col(pos=0)
    i32 = tables.Int32Col(pos=1)
    f64 = tables.Float64Col(pos=2)
    f32 = tables.Float32Col(pos=3)
    name = tables.StringCol(8, pos=4)
    flag = tables.BoolCol(pos=5)
    u8 = tables.UInt8Col(pos=6)
    vec = tables.Float32Col(shape=(3,), pos=7)
    mat = tables.Int16Col(shape=(2, 2), pos=8)
    info = Info()


def table_data(rng, n):
    a = np.zeros(n, dtype=[
        ("id", "<i8"), ("i32", "<i4"), ("f64", "<f8"), ("f32", "<f4"),
        ("name", "S8"), ("flag", "?"), ("u8", "u1"), ("vec", "<f4", (3,)),
        ("mat", "<i2", (2, 2)), ("info", [("x", "<i4"), ("y", "<f8", (2,))])])
    a["id"] = rng.permutation(n) * 3 + 7  # unique: the CSI column
    a["i32"] = rng.integers(0, 1000, n)
    a["f64"] = rng.integers(-400, 400, n) / 8.0
    a["f32"] = rng.integers(0, 64, n) / 4.0
    a["name"] = np.array([b"n%05d" % k for k in rng.integers(0, 300, n)])
    a["flag"] = rng.integers(0, 2, n).astype(bool)
    a["u8"] = rng.integers(0, 16, n)
    a["vec"] = rng.integers(0, 8, (n, 3)) / 2.0
    a["mat"] = rng.integers(-3, 4, (n, 2, 2))
    a["info"]["x"] = rng.integers(0, 50, n)
    a["info"]["y"] = rng.integers(0, 16, (n, 2)) / 4.0
    return a


def build(rng):
    filt = tables.Filters(complevel=4, complib="zlib", shuffle=True)
    with tables.open_file(H5, "w") as f:
        t = f.create_table("/", "t", Row, filters=filt, expectedrows=N)
        t.append(table_data(rng, N))
        t.flush()
        # Small index slices, so the CSI has whole slices and a last row.
        t.cols.id.create_csindex(_blocksizes=(65536, 16384, 8192, 1024))
        t.cols.i32.create_index()  # plain: medium, optlevel 6
        s = f.create_table("/", "small", Row, filters=filt)
        s.append(table_data(rng, 1000))
        g = f.create_group("/", "arrays")
        f.create_array(g, "array", rng.integers(-1000, 1000, (1000, 4)).astype("<i4"))
        ca = f.create_carray(g, "carray", tables.Float64Atom(), (5000, 8), filters=filt, chunkshape=(100, 8))
        ca[:] = rng.integers(0, 100, (5000, 8)) / 4.0
        ea = f.create_earray(g, "earray", tables.Int16Atom(), (0, 3, 2), filters=filt, chunkshape=(64, 3, 2))
        for _ in range(3):
            ea.append(rng.integers(-50, 50, (1000, 3, 2)).astype("<i2"))
        vl = f.create_vlarray(g, "vlarray", tables.Int32Atom(), filters=filt)
        for i in range(2000):
            vl.append(rng.integers(-100, 100, int(rng.integers(0, 11))).astype("<i4"))
        vs = f.create_vlarray(g, "vlstr", tables.VLStringAtom())
        for i in range(500):
            vs.append("s%d-" % i + "x" * int(rng.integers(0, 12)))


def canon(x):
    a = np.asarray(x)  # not ascontiguousarray: it makes a 0-d result 1-d
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return list(a.shape), a.tobytes(order="C")


def record(req, fn):
    try:
        x = fn()
    except Exception as e:  # PyTables refused: the Go side must refuse too
        req["error"] = "%s: %s" % (type(e).__name__, e)
        return req
    if req.get("vl"):
        rows = x if isinstance(x, list) else [x]
        bs = [r.encode() if isinstance(r, str) else np.ascontiguousarray(r).tobytes() for r in rows]
        req["lengths"] = [len(r) for r in rows]
        b = b"".join(bs)
        req["shape"] = [len(rows)]
    else:
        req["shape"], b = canon(x)
    req["nbytes"] = len(b)
    req["sha256"] = hashlib.sha256(b).hexdigest()
    if len(b) <= 64:
        req["hex"] = b.hex()
    return req


def items_key(items, shape):
    """Turn a JSON item list into a Python index key."""
    key = []
    for it in items:
        t = it["t"]
        if t == "step":
            key.append(slice(it.get("start"), it.get("stop"), it.get("step")))
        elif t == "at":
            key.append(it["i"])
        elif t == "ell":
            key.append(Ellipsis)
        elif t == "coords":
            key.append(list(it["v"]))
        elif t == "mask":
            m = np.zeros(it["n"], bool)
            m[it["true"]] = True
            key.append(m)
    return tuple(key)


def rand_step_item(rng, n, allow_neg=False):
    def r():
        return int(rng.integers(-n, n))
    kind = rng.integers(0, 5)
    it = {"t": "step"}
    if kind == 0:
        a = int(rng.integers(0, n))
        it.update(start=a, stop=min(n, a + int(rng.integers(1, 70))))
    elif kind == 1:
        a = int(rng.integers(0, n))
        it.update(start=a, stop=min(n, a + int(rng.integers(1, 400))), step=int(rng.integers(1, 9)))
    elif kind == 2:
        it.update(start=-int(rng.integers(1, min(n, 200) + 1)))
    elif kind == 3:
        it.update(start=r(), stop=r())
    else:
        it.update(stop=int(rng.integers(0, min(n, 150))), step=int(rng.integers(1, 4)))
    if allow_neg and rng.integers(0, 4) == 0:
        it["step"] = -int(rng.integers(1, 4))
    return it


def slice_expr(rng, n):
    k = rng.integers(0, 6)
    a = int(rng.integers(0, n))
    if k == 0:
        return "%d:%d" % (a, min(n, a + int(rng.integers(1, 60))))
    if k == 1:
        return "%d:%d:%d" % (a, min(n, a + int(rng.integers(1, 300))), int(rng.integers(1, 7)))
    if k == 2:
        return "-%d:" % int(rng.integers(1, 100))
    if k == 3:
        return "%d" % a
    if k == 4:
        return ":%d" % int(rng.integers(0, 80))
    return "%d:%d:-%d" % (min(n - 1, a + int(rng.integers(1, 100))), a, int(rng.integers(1, 4)))


def parse_slice(expr):
    parts = []
    for p in expr.split(","):
        p = p.strip()
        if p == "...":
            parts.append(Ellipsis)
        elif ":" in p:
            f = [int(s) if s.strip() else None for s in p.split(":")]
            parts.append(slice(*f))
        else:
            parts.append(int(p))
    return tuple(parts) if len(parts) > 1 else parts[0]


def index_items_table(rng, n):
    k = rng.integers(0, 6)
    if k == 0:
        return [rand_step_item(rng, n)]
    if k == 1:
        return [{"t": "at", "i": int(rng.integers(-n, n))}]
    if k == 2:
        return [{"t": "coords", "v": [int(v) for v in rng.integers(0, n, int(rng.integers(1, 40)))]}]
    if k == 3:
        true = sorted(set(int(v) for v in rng.integers(0, n, int(rng.integers(0, 50)))))
        return [{"t": "mask", "n": n, "true": true}]
    if k == 4:
        return [{"t": "ell"}, rand_step_item(rng, n)]
    return [{"t": "coords", "v": [int(v) for v in rng.integers(-n, n, int(rng.integers(1, 10)))]}]


def index_items_array(rng, shape):
    items = []
    rank = len(shape)
    fancy = False
    use_ell = rng.integers(0, 3) == 0
    ell_at = int(rng.integers(0, rank + 1)) if use_ell else -1
    for d in range(rank):
        if d == ell_at:
            items.append({"t": "ell"})
            continue
        k = rng.integers(0, 5)
        n = shape[d]
        if k == 0:
            items.append({"t": "at", "i": int(rng.integers(-n, n))})
        elif k == 1 and not fancy:
            fancy = True
            items.append({"t": "coords", "v": sorted(set(int(v) for v in rng.integers(0, n, int(rng.integers(1, 6)))))})
        elif k == 2 and not fancy:
            fancy = True
            true = sorted(set(int(v) for v in rng.integers(0, n, int(rng.integers(1, 6)))))
            items.append({"t": "mask", "n": n, "true": true})
        else:
            items.append(rand_step_item(rng, n, allow_neg=True))
    if ell_at == rank:
        items.append({"t": "ell"})
    # Drop trailing items sometimes: missing trailing items are full slices.
    while len(items) > 1 and rng.integers(0, 4) == 0 and items[-1]["t"] != "ell":
        items.pop()
    return items


def where_cond(rng, n):
    k = int(rng.integers(0, 14))
    a, b = sorted(int(v) for v in rng.integers(0, 1000, 2))
    x = float(rng.integers(-400, 400)) / 8.0
    cv = {}
    if k == 0:
        c = "(i32 > %d) & (i32 < %d)" % (a, b)
    elif k == 1:
        c = "name == b'n%05d'" % int(rng.integers(0, 300))
    elif k == 2:
        c = "~(f64 < %r)" % x
    elif k == 3:
        c = "(f64 * 2 + i32) > %d" % (a + 200)
    elif k == 4:
        c = "((i32 - %d) * 3 < f64) & (u8 == %d)" % (a // 4, int(rng.integers(0, 16)))
    elif k == 5:
        c = "flag & (i32 < %d)" % (a // 8)
    elif k == 6:
        c = "(u8 <= 1) | (name == \"n%05d\")" % int(rng.integers(0, 300))
    elif k == 7:
        c = "(i32 >= lo) & (f64 < hi)"
        cv = {"lo": {"int": b}, "hi": {"float": x}}
    elif k == 8:
        c = "(ix > 47) & ~flag"
        cv = {"ix": {"col": "info/x"}}
    elif k == 9:
        c = "(id >= %d) & (id < %d)" % (a * 300, a * 300 + 900)
    elif k == 10:
        c = "abs(f64 - %r) < 2" % x
    elif k == 11:
        c = "(i32 % 7 == 3) & (f32 > 14.5)"
    elif k == 12:
        c = "(i32 / 4 > %d) & (-f64 >= 49)" % (b // 4)
    else:
        c = "(name >= b'n00290') & (name < b'n00299') & (i32 != %d)" % a
    return c, cv


def condvars(t, cv):
    out = {}
    for k, v in cv.items():
        if "int" in v:
            out[k] = v["int"]
        elif "float" in v:
            out[k] = v["float"]
        elif "col" in v:
            col = t.cols
            for part in v["col"].split("/"):
                col = getattr(col, part)
            out[k] = col
    return out


def pt_or_numpy(a, key):
    """PyTables' own indexing (orthogonal, like h5py). For what PyTables
    refuses (negative steps, repeated or unsorted lists, masks), the same
    orthogonal indexing done by numpy, axis by axis, on the array PyTables
    read."""
    try:
        return a[key]
    except Exception:
        return orth(a.read(), key)


def orth(full, key):
    if not isinstance(key, tuple):
        key = (key,)
    rank = full.ndim
    exp = []
    for k in key:
        if k is Ellipsis:
            exp.extend([slice(None)] * (rank - (len(key) - 1)))
        else:
            exp.append(k)
    exp.extend([slice(None)] * (rank - len(exp)))
    x, drop = full, []
    for ax, k in enumerate(exp):
        n = full.shape[ax]
        if isinstance(k, slice):
            idx = np.arange(n)[k]
        elif isinstance(k, (int, np.integer)):
            if not -n <= k < n:
                raise IndexError("index %d out of range" % k)
            idx = [k + n if k < 0 else k]
            drop.append(ax)
        elif isinstance(k, np.ndarray) and k.dtype == bool:
            if len(k) != n:
                raise IndexError("mask length")
            idx = np.nonzero(k)[0]
        else:
            idx = [v + n if v < 0 else v for v in k]
        x = np.take(x, np.asarray(idx, dtype=np.intp), axis=ax)
    return x.reshape([s for ax, s in enumerate(x.shape) if ax not in drop])


FIELDS = [None, None, "id", "i32", "f64", "name", "vec", "mat", "info", "info/x", "info/y", "flag"]


def main():
    rng = np.random.default_rng(SEED)
    build(rng)
    reqs = []
    rng = np.random.default_rng(SEED + 1)
    with tables.open_file(H5, "r") as f:
        t = f.root.t
        full = t.read()
        arrs = [f.root.arrays.array, f.root.arrays.carray, f.root.arrays.earray]
        vls = [f.root.arrays.vlarray, f.root.arrays.vlstr]
        assert t.cols.id.index.is_csi and not t.cols.i32.index.is_csi
        assert t.cols.id.index.nslices > 0 and t.cols.id.index.nelementsILR > 0

        def field(): return FIELDS[int(rng.integers(0, len(FIELDS)))]

        def colobj(name):
            c = t.cols
            for p in name.split("/"):
                c = getattr(c, p)
            return c

        for _ in range(50):  # slice
            e = slice_expr(rng, N)
            # PyTables refuses negative steps on tables; numpy indexes the
            # table PyTables read.
            via = (lambda: full[parse_slice(e)]) if ":-" in e else (lambda: t[parse_slice(e)])
            reqs.append(record({"kind": "slice", "ds": "/t", "expr": e}, via))
            a = arrs[int(rng.integers(0, 3))]
            sh = a.shape
            parts = [slice_expr(rng, sh[0])]
            if rng.integers(0, 2):
                parts.append("...")
            if rng.integers(0, 2):
                parts.append(str(int(rng.integers(-sh[-1], sh[-1]))))
            e2 = ", ".join(parts)
            reqs.append(record({"kind": "slice", "ds": a._v_pathname, "expr": e2},
                               lambda: pt_or_numpy(a, parse_slice(e2))))
            v = vls[int(rng.integers(0, 2))]
            e3 = slice_expr(rng, v.nrows).split(":")
            e3 = ":".join(e3[:2]) if len(e3) > 2 and e3[2].startswith("-") else ":".join(e3)
            reqs.append(record({"kind": "slice", "ds": v._v_pathname, "expr": e3, "vl": True},
                               lambda: v[parse_slice(e3)]))
        for _ in range(50):  # index
            its = index_items_table(rng, N)
            reqs.append(record({"kind": "index", "ds": "/t", "items": its},
                               lambda: full[items_key(its, (N,))]))
            a = arrs[int(rng.integers(0, 3))]
            its2 = index_items_array(rng, a.shape)
            reqs.append(record({"kind": "index", "ds": a._v_pathname, "items": its2},
                               lambda: pt_or_numpy(a, items_key(its2, a.shape))))
        for _ in range(50):  # col
            name = ["id", "i32", "f64", "f32", "name", "flag", "u8", "vec", "mat", "info/x", "info/y", "info"][int(rng.integers(0, 12))]
            its = index_items_table(rng, N)
            if its[0]["t"] == "ell":
                its = its[1:]  # a column request indexes the table's rows
            key = items_key(its, (N,))
            if its[0]["t"] in ("step", "at") and len(its) == 1:
                fn = lambda: colobj(name)[key[0]]  # Column.__getitem__
            else:
                fn = lambda: colobj(name)[:][key]
            reqs.append(record({"kind": "col", "ds": "/t", "col": name, "items": its}, fn))
        for _ in range(50):  # read
            fld = field()
            start = int(rng.integers(0, N))
            stop = min(N, start + int(rng.integers(0, 500)))
            step = int(rng.integers(1, 6))
            if rng.integers(0, 5) == 0:
                stop = None
            r = {"kind": "read", "ds": "/t", "start": start, "stop": stop, "step": step, "field": fld}
            reqs.append(record(r, lambda: t.read(start, stop, step, field=fld)))
            a = arrs[int(rng.integers(0, 3))]
            s0 = int(rng.integers(0, a.shape[0]))
            s1 = min(a.shape[0], s0 + int(rng.integers(0, 100)))
            reqs.append(record({"kind": "read", "ds": a._v_pathname, "start": s0, "stop": s1, "step": step},
                               lambda: a.read(s0, s1, step)))
            v = vls[int(rng.integers(0, 2))]
            s0 = int(rng.integers(0, v.nrows))
            s1 = min(v.nrows, s0 + int(rng.integers(0, 40)))
            reqs.append(record({"kind": "read", "ds": v._v_pathname, "start": s0, "stop": s1, "step": step, "vl": True},
                               lambda: v.read(s0, s1, step)))
        for _ in range(50):  # read_coordinates
            fld = field()
            coords = [int(c) for c in rng.integers(0, N, int(rng.integers(0, 80)))]
            reqs.append(record({"kind": "read_coordinates", "ds": "/t", "coords": coords, "field": fld},
                               lambda: t.read_coordinates(coords, field=fld)))
            a = arrs[int(rng.integers(0, 3))]
            c2 = [int(c) for c in rng.integers(0, a.shape[0], int(rng.integers(1, 20)))]
            reqs.append(record({"kind": "read_coordinates", "ds": a._v_pathname, "coords": c2},
                               lambda: a.read()[c2]))
            v = vls[int(rng.integers(0, 2))]
            c3 = [int(c) for c in rng.integers(0, v.nrows, int(rng.integers(1, 20)))]
            reqs.append(record({"kind": "read_coordinates", "ds": v._v_pathname, "coords": c3, "vl": True},
                               lambda: [v[c] for c in c3]))
        for i in range(50):  # read_sorted
            fld = field()
            k = int(rng.integers(0, 6))
            start = int(rng.integers(0, N))
            stop = min(N, start + int(rng.integers(0, 300)))
            step = int(rng.integers(1, 5))
            if k == 0:
                start, stop, step = None, None, None
            elif k == 1:
                step = -step
            elif k == 2:
                stop = None  # PyTables: stop = start + 1
            r = {"kind": "read_sorted", "ds": "/t", "sortby": "id", "checkCSI": bool(rng.integers(0, 2)),
                 "field": fld, "start": start, "stop": stop, "step": step}
            reqs.append(record(r, lambda: t.read_sorted("id", r["checkCSI"], fld, start, stop, step)))
            if i % 5 == 0:
                # No full index / not CSI: PyTables' errors.
                for col in ("i32", "f64"):
                    r2 = {"kind": "read_sorted", "ds": "/t", "sortby": col, "checkCSI": True,
                          "field": fld, "start": 0, "stop": 10, "step": 1}
                    reqs.append(record(r2, lambda: t.read_sorted(col, True, fld, 0, 10, 1)))
                r3 = {"kind": "read_sorted", "ds": "/small", "sortby": "id", "checkCSI": True,
                      "field": None, "start": None, "stop": None, "step": None}
                reqs.append(record(r3, lambda: f.root.small.read_sorted("id", True)))
            # No CSI, checkCSI=False: a stable sort in memory (PyTables
            # refuses; the answer is PyTables' column read, numpy's stable
            # argsort and PyTables' read_coordinates).
            col = ["f64", "i32", "name"][i % 3]
            s0 = int(rng.integers(0, N - 200))
            r4 = {"kind": "read_sorted", "ds": "/t", "sortby": col, "checkCSI": False, "field": fld,
                  "start": s0, "stop": s0 + int(rng.integers(0, 200)), "step": int(rng.integers(1, 4)), "memsort": True}
            order = np.argsort(t.col(col), kind="stable")
            reqs.append(record(r4, lambda: t.read_coordinates(order[r4["start"]:r4["stop"]:r4["step"]], field=fld)))
        for i in range(50):  # where
            c, cv = where_cond(rng, N)
            fld = field()
            start = stop = step = None
            if rng.integers(0, 3) == 0:
                start = int(rng.integers(0, N // 2))
                stop = start + int(rng.integers(0, N // 2))
                step = int(rng.integers(1, 4))
            r = {"kind": "where", "ds": "/t", "cond": c, "condvars": cv, "field": fld,
                 "start": start, "stop": stop, "step": step}
            got = t.read_where(c, condvars(t, cv), fld, start, stop, step)
            # The Go reader returns rows in row order: check PyTables agrees.
            coords = t.get_where_list(c, condvars(t, cv), True, start, stop, step)
            want = t.read_coordinates(coords, field=fld)
            assert canon(got) == canon(want), c
            reqs.append(record(r, lambda: got))
        meta = {
            "N": N, "seed": SEED, "tables": tables.__version__, "numpy": np.__version__,
            "t_chunkshape": list(t.chunkshape),
            # The whole table as PyTables reads it: the reference for the
            # rows the concurrency tests and benchmarks read.
            "t_nbytes": int(full.nbytes),
            "t_sha256": hashlib.sha256(full.tobytes()).hexdigest(),
            "t_rowbytes": int(full.dtype.itemsize),
            "id_index": {"slicesize": int(t.cols.id.index.slicesize), "nelements": int(t.cols.id.index.nelements)},
        }
    with open(EXP, "w") as out:
        json.dump({"meta": meta, "requests": reqs}, out, separators=(",", ":"), default=int)
    print("requests:", len(reqs), "errors:", sum(1 for r in reqs if "error" in r),
          "file bytes:", os.path.getsize(H5))


if __name__ == "__main__":
    main()
