#!/usr/bin/python3
"""Generate the fixtures of goh5's cat and dump tests.

Run from this directory with Debian's h5py:  /usr/bin/python3 gen_cat.py
(h5py 3.7.0, libhdf5 1.10.8, numpy 1.24.2 made the committed files).

It writes three small HDF5 files (cat_float.h5, cat_compound.h5,
cat_strings.h5) and, for each case of CASES, the exact bytes numpy.save
writes for the array h5py returns (cat/<name>.npy), plus cat/cases.json
describing the cases (file, path, slice, fields, expected npy, and for
string data the strings h5py returns).
"""
import io
import json
import os

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cat")
os.makedirs(OUT, exist_ok=True)


def make_float():
    with h5py.File(os.path.join(HERE, "cat_float.h5"), "w", libver="earliest") as f:
        v = np.arange(24, dtype="<f8").reshape(6, 4) / 7.0
        v[0, 0] = -0.0
        v[0, 1] = np.inf
        v[0, 2] = -np.inf
        v[0, 3] = np.nan
        v[1, 0] = 5e-324  # smallest subnormal
        v[1, 1] = 0.1
        v[1, 2] = 1e300
        v[1, 3] = 123456789.0
        f.create_dataset("le", data=v)
        f.create_dataset("be", data=v.astype(">f8"), chunks=(2, 3))
        f4 = ((np.arange(15, dtype="<f4").reshape(3, 5) - 7) / np.float32(3)).astype(">f4")
        f4[2, 4] = np.float32(3.4028235e38)
        f4[2, 3] = np.float32(1e-45)
        d = f.create_dataset("be4", data=f4)
        d.attrs["units"] = "metre"
        d.attrs["scale"] = np.float64(0.5)
        d.attrs["range"] = np.array([-1, 2, 3], dtype=">i2")
        f.create_dataset("scalar", data=np.float64(2.5))
        f.create_dataset("ints", data=np.array([[-5, 7, 2**31 - 1], [0, -2**31, 42]], dtype=">i4"))
        g = f.create_group("grp")
        g.attrs["title"] = np.bytes_(b"a group")
        g.create_dataset("u8", data=np.arange(30, dtype="<u8") * (2**59))


def make_compound():
    nested = np.dtype({"names": ["x", "y"], "formats": ["<f4", ">f8"],
                       "offsets": [0, 8], "itemsize": 16})
    dt = np.dtype({"names": ["id", "pos", "arr", "name", "flag"],
                   "formats": ["<i4", nested, ("<i2", (2, 3)), "S5", "?"],
                   "offsets": [0, 8, 24, 36, 42], "itemsize": 48})
    a = np.zeros(7, dtype=dt)
    for i in range(7):
        a[i]["id"] = i * 10 - 3
        a[i]["pos"]["x"] = i / 3.0
        a[i]["pos"]["y"] = -i * 1.5e10
        a[i]["arr"] = np.arange(6).reshape(2, 3) * (i + 1) - 4
        a[i]["name"] = ("n%d" % i).encode() * 2
        a[i]["flag"] = i % 2 == 1
    with h5py.File(os.path.join(HERE, "cat_compound.h5"), "w", libver="latest") as f:
        f.create_dataset("table", data=a)
        f.create_dataset("cplx", data=np.array([1 + 2j, -0.5j, 3.25], dtype="<c16"))
        f["table"].attrs["count"] = np.int32(7)


def make_strings():
    with h5py.File(os.path.join(HERE, "cat_strings.h5"), "w", libver="earliest") as f:
        f.create_dataset("s", data=np.array([b"a,b", b'say "hi"', b"line\nx", b"plain", b""], dtype="S8"))
        f.create_dataset("s2", data=np.array([[b"ab", b"cde", b"f"], [b"g", b"", b"xyz"]], dtype="S3"))
        f.create_dataset("vs", data=["alpha", "beta, gamma"], dtype=h5py.string_dtype())
        f.attrs["note"] = "strings fixture"


def strip_metadata(dt):
    """dt without dtype metadata (h5py tags compound string fields with
    {'h5py_encoding': ...}). numpy 1.24's save writes the metadata, and its
    load then refuses the file; numpy >= 1.26 drops it when saving, and so
    does goh5."""
    if dt.names is not None:
        return np.dtype({"names": list(dt.names),
                         "formats": [strip_metadata(dt.fields[n][0]) for n in dt.names],
                         "offsets": [dt.fields[n][1] for n in dt.names],
                         "itemsize": dt.itemsize})
    if dt.subdtype is not None:
        return np.dtype((strip_metadata(dt.subdtype[0]), dt.subdtype[1]))
    return np.dtype(dt.str)


def save_bytes(arr):
    a = np.asarray(arr)
    if a.dtype.names is not None:
        a = np.ascontiguousarray(a).view(strip_metadata(a.dtype))
    buf = io.BytesIO()
    np.save(buf, a)
    return buf.getvalue(), a


def parse(expr):
    """The numpy index a goh5 --slice expression stands for."""
    if expr is None or expr.strip() == "":
        return ()
    items = []
    for p in expr.split(","):
        p = p.strip()
        if p == "...":
            items.append(Ellipsis)
        elif ":" in p:
            f = [x.strip() for x in p.split(":")]
            vals = [int(x) if x else None for x in f] + [None] * (3 - len(f))
            items.append(slice(*vals))
        else:
            items.append(int(p))
    return tuple(items)


# name, file, path, slice, fields, via ("h5py": index the Dataset, which
# rejects negative steps; "numpy": index h5py's full array)
CASES = [
    ("le", "cat_float.h5", "/le", None, None, "h5py"),
    ("be", "cat_float.h5", "/be", None, None, "h5py"),
    ("be4", "cat_float.h5", "/be4", None, None, "h5py"),
    ("scalar", "cat_float.h5", "/scalar", None, None, "h5py"),
    ("ints", "cat_float.h5", "/ints", None, None, "h5py"),
    ("u8", "cat_float.h5", "/grp/u8", None, None, "h5py"),
    ("be_slice", "cat_float.h5", "/be", "1:5,::2", None, "h5py"),
    ("be_row", "cat_float.h5", "/be", "3", None, "h5py"),
    ("be_col", "cat_float.h5", "/be", "...,2", None, "h5py"),
    ("be_step", "cat_float.h5", "/be", "0:6:4,1:", None, "h5py"),
    ("le_neg", "cat_float.h5", "/le", "::-2,-1", None, "numpy"),
    ("be_neg", "cat_float.h5", "/be", "4::-1,::-3", None, "numpy"),
    ("table", "cat_compound.h5", "/table", None, None, "h5py"),
    ("table_slice", "cat_compound.h5", "/table", "2:6", None, "h5py"),
    ("table_id", "cat_compound.h5", "/table", None, ["id"], "h5py"),
    ("table_arr", "cat_compound.h5", "/table", "1::3", ["arr"], "h5py"),
    ("table_pos", "cat_compound.h5", "/table", None, ["pos"], "h5py"),
    ("table_fields", "cat_compound.h5", "/table", "::2", ["name", "pos", "flag"], "h5py"),
    ("cplx", "cat_compound.h5", "/cplx", None, None, "h5py"),
    ("s", "cat_strings.h5", "/s", None, None, "h5py"),
    ("s2", "cat_strings.h5", "/s2", None, None, "h5py"),
    ("s2_slice", "cat_strings.h5", "/s2", ":,1:", None, "h5py"),
]


def main():
    make_float()
    make_compound()
    make_strings()
    cases = []
    for name, fname, path, sl, fields, via in CASES:
        with h5py.File(os.path.join(HERE, fname), "r") as f:
            ds = f[path]
            idx = parse(sl)
            if fields:
                src = ds.fields(fields[0] if len(fields) == 1 else fields)
            else:
                src = ds
            if via == "h5py":
                arr = src[idx]
            else:
                arr = src[()][idx]
        data, a = save_bytes(arr)
        with open(os.path.join(OUT, name + ".npy"), "wb") as fh:
            fh.write(data)
        c = {"name": name, "file": fname, "path": path, "npy": name + ".npy"}
        if sl is not None:
            c["slice"] = sl
        if fields:
            c["fields"] = fields
        c["shape"] = list(a.shape)
        c["descr"] = repr(np.lib.format.dtype_to_descr(a.dtype))
        if a.dtype.kind == "S":
            c["strings"] = [x.decode("latin-1") for x in a.reshape(-1).tolist()]
        cases.append(c)
    with h5py.File(os.path.join(HERE, "cat_strings.h5"), "r") as f:
        vs = [x.decode() for x in f["vs"][()]]
    cases.append({"name": "vs", "file": "cat_strings.h5", "path": "/vs", "vlen_strings": vs})
    with open(os.path.join(OUT, "cases.json"), "w") as fh:
        json.dump(cases, fh, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
