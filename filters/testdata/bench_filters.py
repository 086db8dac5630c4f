#!/usr/bin/python3
"""Benchmark files for filters/bench_h5py_test.go, and h5py's side of it.

    /usr/bin/python3 testdata/bench_filters.py gen [DIR]
        writes DIR/<filter>.h5 (DIR defaults to ~/.cache/goh5-bench/filters)
        for every filter of FILTERS, once: dataset /x, float32 4096 x 4096
        (64 MiB) in chunks of 64 x 4096 (1 MiB), the same data in every file,
        plus DIR/<filter>.json with the data's sha256 and the filter.
    /usr/bin/python3 testdata/bench_filters.py read FILE REPS
        reads FILE:/x once (page cache and plugin warm-up), then REPS times
        with h5py's read_direct into one preallocated array, and prints
        {"best_s": ..., "bytes": ..., "sha256": ...} (sha256 of the last read).

Made with Debian's h5py 3.7.0 / libhdf5 1.10.8, hdf5plugin 4.0.1 and the
Debian plugins (hdf5-filter-plugin, hdf5-filter-plugin-blosc-serial, the
bitshuffle plugin). No HDF5 plugin here writes zstd (32015): libhdf5 writes
the structure (allow_unknown_filter) and each chunk is compressed with
python3-zstandard (level 3, content size in the frame header, as the HDF5
zstd plugin writes it) and stored with write_direct_chunk; h5py cannot read
that file back, so the zstd row has no h5py figure.
"""
import ctypes, glob, hashlib, json, os, sys, tempfile, time

# An HDF5_PLUGIN_PATH of plugins that load: libhdf5 stops at the first
# broken one (Debian's liblzf_filter.so), hiding the rest (FIXTURES.md).
ctypes.CDLL('libhdf5_serial.so.103', mode=ctypes.RTLD_GLOBAL)
_plugdir = tempfile.mkdtemp(prefix='h5plug')
for _p in sorted(glob.glob('/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins/*.so')):
    try:
        ctypes.CDLL(_p)
    except OSError:
        continue
    os.symlink(_p, os.path.join(_plugdir, os.path.basename(_p)))
os.environ['HDF5_PLUGIN_PATH'] = _plugdir

import numpy as np
import h5py

SHAPE = (4096, 4096)
CHUNKS = (64, 4096)


def data():
    # Smooth fields with a little noise, rounded to 1/1024: compressible
    # like typical measured data, not trivially so.
    rng = np.random.default_rng(20240611)
    y, x = np.mgrid[0:SHAPE[0], 0:SHAPE[1]].astype(np.float32)
    a = 100 * np.sin(x / 97.0) * np.cos(y / 61.0) + 0.01 * x
    a += rng.normal(0, 0.5, SHAPE).astype(np.float32)
    return (np.round(a * 1024) / 1024).astype('<f4')


def kwargs(name):
    import hdf5plugin
    if name == 'lz4':
        return dict(hdf5plugin.LZ4())
    if name == 'blosc-lz4':
        return dict(hdf5plugin.Blosc(cname='lz4', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    if name == 'blosc-zstd':
        return dict(hdf5plugin.Blosc(cname='zstd', clevel=5, shuffle=hdf5plugin.Blosc.SHUFFLE))
    if name == 'bitshuffle-lz4':
        return dict(hdf5plugin.Bitshuffle(nelems=0, cname='lz4'))
    if name == 'bzip2':
        return dict(hdf5plugin.BZip2())
    if name == 'lzf':
        return dict(compression='lzf')
    if name == 'deflate':
        return dict(compression='gzip', compression_opts=4)
    if name == 'szip':
        return dict(compression='szip', compression_opts=('nn', 32))
    if name == 'zstd':
        return dict(compression=32015, compression_opts=(3,), allow_unknown_filter=True)
    raise KeyError(name)


FILTERS = ['lz4', 'blosc-lz4', 'zstd', 'lzf', 'deflate', 'bitshuffle-lz4', 'szip', 'blosc-zstd', 'bzip2']


def gen(d):
    os.makedirs(d, exist_ok=True)
    a = None
    for name in FILTERS:
        path = os.path.join(d, name + '.h5')
        if os.path.exists(path) and os.path.exists(path[:-3] + '.json'):
            continue
        if a is None:
            a = data()
        tmp = path + '.tmp'
        with h5py.File(tmp, 'w') as f:
            ds = f.create_dataset('x', shape=SHAPE, dtype='<f4', chunks=CHUNKS, **kwargs(name))
            if name == 'zstd':
                import zstandard
                c = zstandard.ZstdCompressor(level=3, write_content_size=True)
                for r in range(0, SHAPE[0], CHUNKS[0]):
                    ds.id.write_direct_chunk((r, 0), c.compress(a[r:r + CHUNKS[0]].tobytes()))
            else:
                ds[...] = a
        os.replace(tmp, path)
        meta = dict(filter=name, dataset='/x', shape=list(SHAPE), chunks=list(CHUNKS), dtype='<f4',
                    sha256=hashlib.sha256(a.tobytes()).hexdigest(), file_bytes=os.path.getsize(path),
                    h5py_readable=(name != 'zstd'), generator='bench_filters.py',
                    versions=dict(h5py=h5py.__version__, libhdf5=h5py.version.hdf5_version))
        with open(path[:-3] + '.json', 'w') as fh:
            json.dump(meta, fh, indent=1)
        print(name, os.path.getsize(path), 'bytes', file=sys.stderr)


def read(path, reps):
    with h5py.File(path, 'r') as f:
        ds = f['x']
        out = np.empty(ds.shape, ds.dtype)
        ds.read_direct(out)  # warm: page cache, plugin load
        best = None
        for _ in range(reps):
            t = time.perf_counter()
            ds.read_direct(out)
            dt = time.perf_counter() - t
            best = dt if best is None else min(best, dt)
    print(json.dumps(dict(best_s=best, bytes=out.nbytes, sha256=hashlib.sha256(out.tobytes()).hexdigest())))


if __name__ == '__main__':
    if sys.argv[1] == 'gen':
        gen(sys.argv[2] if len(sys.argv) > 2 else os.path.expanduser('~/.cache/goh5-bench/filters'))
    elif sys.argv[1] == 'read':
        read(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
