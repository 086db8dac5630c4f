#!/usr/bin/python3
"""Generate filter test chunks for package filters (engineer G1).

Run with Debian's Python: /usr/bin/python3 testdata/gen_g1.py (from filters/).
Made with h5py 3.7.0 / libhdf5 1.10.8, Debian hdf5-filter-plugin (lz4, bzip2),
bitshuffle plugin, h5py's built-in LZF, python3-zstandard for zstd chunks.

For each filter and dtype it writes a small chunked dataset with partial edge
chunks, plus the same data in an unfiltered dataset with identical chunking.
Every chunk's raw (filtered) bytes, read with read_direct_chunk, go to
testdata/<filter>/<case>_<n>.bin; the unfiltered dataset's raw chunk gives the
expected decoded bytes, whose sha256 and length go into manifest.json with the
pipeline (filter id, flags, cd_values) and the chunk's filter mask.
"""
import ctypes, glob, hashlib, json, os, shutil, sys, tempfile

# Build an HDF5_PLUGIN_PATH of plugins that load (a broken one hides the rest).
ctypes.CDLL('libhdf5_serial.so.103', mode=ctypes.RTLD_GLOBAL)
plugdir = tempfile.mkdtemp(prefix='h5plug')
for p in sorted(glob.glob('/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins/*.so')):
    try:
        ctypes.CDLL(p)
    except OSError:
        continue
    os.symlink(p, os.path.join(plugdir, os.path.basename(p)))
os.environ['HDF5_PLUGIN_PATH'] = plugdir

import numpy as np
import h5py
import zstandard

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)

COMPOUND = np.dtype([('a', '<i4'), ('b', '<f8'), ('c', 'i1')])


def make_data(dtype, shape, kind='smooth'):
    n = int(np.prod(shape))
    if kind == 'random':
        raw = rng.integers(0, 256, size=n * dtype.itemsize, dtype=np.uint8)
        return raw.view(dtype).reshape(shape)
    if dtype == COMPOUND:
        d = np.zeros(shape, dtype)
        idx = np.arange(n).reshape(shape)
        d['a'] = idx * 3 - 1000
        d['b'] = np.sin(idx / 17.0) * 100
        d['c'] = (idx % 7) - 3
        return d
    idx = np.arange(n, dtype=np.float64).reshape(shape)
    v = np.sin(idx / 23.0) * 1000 + rng.normal(0, 5, size=shape)
    return v.astype(dtype)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def chunk_offsets(shape, chunks):
    import itertools
    ranges = [range(0, s, c) for s, c in zip(shape, chunks)]
    return list(itertools.product(*ranges))


def write_case(fdir, f, name, data, chunks, filt_kwargs, direct=None, manifest=None):
    """filt_kwargs: kwargs to create_dataset for the filtered dataset.
    direct: optional function(raw_chunk_bytes)->filtered bytes; when given,
    chunks are written with write_direct_chunk."""
    plain = f.create_dataset(name + '_plain', data=data, chunks=chunks)
    if direct is None:
        ds = f.create_dataset(name, data=data, chunks=chunks, **filt_kwargs)
    else:
        ds = f.create_dataset(name, shape=data.shape, dtype=data.dtype, chunks=chunks,
                              allow_unknown_filter=True, **filt_kwargs)
        for off in chunk_offsets(data.shape, chunks):
            _, raw = plain.id.read_direct_chunk(off)
            ds.id.write_direct_chunk(off, direct(raw), 0)
    # Sanity: the filtered dataset reads back as the data (when libhdf5 can).
    if direct is None:
        assert (ds[...] == data).all() if data.dtype.names is None else (ds[...].tobytes() == data.tobytes())
    pl = ds.id.get_create_plist()
    pipeline = []
    for i in range(pl.get_nfilters()):
        fid, flags, cd, fname = pl.get_filter(i)
        pipeline.append({'id': fid, 'flags': flags, 'params': list(cd), 'name': fname.decode()})
    chunks_out = []
    for i, off in enumerate(chunk_offsets(data.shape, chunks)):
        mask, raw = ds.id.read_direct_chunk(off)
        pmask, expect = plain.id.read_direct_chunk(off)
        assert pmask == 0
        fn = '%s_%d.bin' % (name, i)
        with open(os.path.join(fdir, fn), 'wb') as fh:
            fh.write(raw)
        chunks_out.append({'file': fn, 'offset': list(off), 'mask': mask,
                           'size': len(expect), 'sha256': sha(expect)})
    manifest.append({'name': name, 'dtype': str(data.dtype), 'elem_size': data.dtype.itemsize,
                     'shape': list(data.shape), 'chunks': list(chunks),
                     'pipeline': pipeline, 'chunk_list': chunks_out})


def run(filt, cases):
    fdir = os.path.join(HERE, filt)
    shutil.rmtree(fdir, ignore_errors=True)
    os.makedirs(fdir)
    manifest = []
    path = os.path.join(tempfile.mkdtemp(), filt + '.h5')
    with h5py.File(path, 'w', libver='latest') as f:
        for c in cases:
            write_case(fdir, f, manifest=manifest, **c)
    with open(os.path.join(fdir, 'manifest.json'), 'w') as fh:
        json.dump({'generator': 'gen_g1.py', 'h5py': h5py.version.version,
                   'hdf5': h5py.version.hdf5_version, 'datasets': manifest}, fh, indent=1)
    print(filt, sum(len(m['chunk_list']) for m in manifest), 'chunks')


def std_cases(kw, direct=None, compound=True, shape2=(50, 37), chunks2=(16, 10)):
    cs = [
        dict(name='i2', data=make_data(np.dtype('<i2'), shape2), chunks=chunks2, filt_kwargs=kw, direct=direct),
        dict(name='f4', data=make_data(np.dtype('<f4'), (300,)), chunks=(64,), filt_kwargs=kw, direct=direct),
    ]
    if compound:
        cs.append(dict(name='cmp', data=make_data(COMPOUND, (45,)), chunks=(20,), filt_kwargs=kw, direct=direct))
    return cs


import hdf5plugin  # noqa: E402  (only for filter option helpers)

run('deflate', std_cases(dict(compression='gzip', compression_opts=6)) + [
    dict(name='f4_l1', data=make_data(np.dtype('<f4'), (40, 40)), chunks=(32, 32),
         filt_kwargs=dict(compression='gzip', compression_opts=1)),
    dict(name='u1_rand', data=make_data(np.dtype('u1'), (3000,), 'random'), chunks=(1024,),
         filt_kwargs=dict(compression='gzip', compression_opts=9)),
])
run('shuffle', std_cases(dict(shuffle=True)) + [
    dict(name='f8', data=make_data(np.dtype('<f8'), (100,)), chunks=(30,), filt_kwargs=dict(shuffle=True)),
    dict(name='u1', data=make_data(np.dtype('u1'), (100,)), chunks=(30,), filt_kwargs=dict(shuffle=True)),
])
run('fletcher32', std_cases(dict(fletcher32=True)) + [
    # odd-length chunks: 1-byte elements, 7 per chunk; and a 13-byte compound
    dict(name='i1_odd', data=make_data(np.dtype('i1'), (40,), 'random'), chunks=(7,),
         filt_kwargs=dict(fletcher32=True)),
    dict(name='i2_big', data=make_data(np.dtype('<i2'), (2000,)), chunks=(1500,),
         filt_kwargs=dict(fletcher32=True)),
])
run('lzf', std_cases(dict(compression='lzf')) + [
    # incompressible: h5py's LZF is optional and fails, so the mask bit is set
    dict(name='u1_rand', data=make_data(np.dtype('u1'), (2500,), 'random'), chunks=(1000,),
         filt_kwargs=dict(compression='lzf')),
    dict(name='f4_long', data=np.repeat(make_data(np.dtype('<f4'), (100,)), 40), chunks=(1500,),
         filt_kwargs=dict(compression='lzf')),
])
run('lz4', std_cases(dict(**hdf5plugin.LZ4())) + [
    dict(name='i2_blk', data=make_data(np.dtype('<i2'), (3000,)), chunks=(2500,),
         filt_kwargs=dict(**hdf5plugin.LZ4(nbytes=1024))),
    dict(name='u1_rand', data=make_data(np.dtype('u1'), (5000,), 'random'), chunks=(3000,),
         filt_kwargs=dict(**hdf5plugin.LZ4(nbytes=1000))),
])
run('bzip2', std_cases(dict(**hdf5plugin.BZip2(blocksize=9))))


def zstd_direct(level):
    c = zstandard.ZstdCompressor(level=level, write_content_size=True)
    return lambda raw: c.compress(raw)


run('zstd', std_cases(dict(compression=32015, compression_opts=(3,)), direct=zstd_direct(3)) + [
    dict(name='u1_rand', data=make_data(np.dtype('u1'), (5000,), 'random'), chunks=(3000,),
         filt_kwargs=dict(compression=32015, compression_opts=(19,)), direct=zstd_direct(19)),
])

bs_cases = []
for cname, tag in ((None, 'none'), ('lz4', 'lz4'), ('zstd', 'zstd')):
    for nel in (0, 16):
        kw = dict(**hdf5plugin.Bitshuffle(nelems=nel, cname=cname)) if cname else dict(**hdf5plugin.Bitshuffle(nelems=nel, cname='none'))
        t = '%s_b%d' % (tag, nel)
        bs_cases += [
            # 13x7 = 91 elements per chunk: 91 % 8 = 3 leftover elements
            dict(name='i2_' + t, data=make_data(np.dtype('<i2'), (30, 20)), chunks=(13, 7), filt_kwargs=kw),
            # 5141 elements: above the default block size for int16 (4096)
            dict(name='i2big_' + t, data=make_data(np.dtype('<i2'), (6000,)), chunks=(5141,), filt_kwargs=kw),
            dict(name='f4_' + t, data=make_data(np.dtype('<f4'), (300,)), chunks=(77,), filt_kwargs=kw),
            dict(name='u1_' + t, data=make_data(np.dtype('u1'), (300,)), chunks=(99,), filt_kwargs=kw),
            dict(name='f8_' + t, data=make_data(np.dtype('<f8'), (2500,)), chunks=(2100,), filt_kwargs=kw),
            dict(name='cmp_' + t, data=make_data(COMPOUND, (60,)), chunks=(27,), filt_kwargs=kw),
        ]
run('bitshuffle', bs_cases)

# A whole pipeline: shuffle + deflate + fletcher32, and LZF with a masked chunk.
run('pipeline', [
    dict(name='sdf_f4', data=make_data(np.dtype('<f4'), (50, 37)), chunks=(16, 10),
         filt_kwargs=dict(shuffle=True, compression='gzip', fletcher32=True)),
    dict(name='sdf_cmp', data=make_data(COMPOUND, (45,)), chunks=(20,),
         filt_kwargs=dict(shuffle=True, compression='gzip', fletcher32=True)),
    dict(name='lzf_mixed', data=np.concatenate([np.zeros(1000, 'u1'), make_data(np.dtype('u1'), (1000,), 'random')]),
         chunks=(1000,), filt_kwargs=dict(shuffle=True, compression='lzf', fletcher32=True)),
])

# Bitshuffle with zstd (compression 3) exists only from bitshuffle 0.4. The
# Debian plugin here is 0.3, which writes compression=3 chunks uncompressed
# (the *_zstd_* datasets above record that behaviour). For the 0.4+ zstd
# framing there is no writer on this machine, so these chunks are built from
# the 0.3 plugin's uncompressed (bit-shuffled) chunks following bitshuffle
# 0.4's bshuf_h5filter.c: a 12-byte header (8-byte BE decoded size, 4-byte
# BE block size in bytes), then per block a 4-byte BE size and one zstd frame
# (ZSTD_compress) of the bit-shuffled block; the < 8 leftover elements are
# copied raw. The decoded expectation is still libhdf5's unfiltered chunk.
def bshuf_default_block(elem):
    b = 8192 // elem
    b = b // 8 * 8
    return max(b, 128)


def build_bshuf_zstd():
    src = os.path.join(HERE, 'bitshuffle')
    fdir = os.path.join(HERE, 'bitshuffle_zstd')
    shutil.rmtree(fdir, ignore_errors=True)
    os.makedirs(fdir)
    man = json.load(open(os.path.join(src, 'manifest.json')))
    out = []
    zc = zstandard.ZstdCompressor(level=3, write_content_size=True)
    for d in man['datasets']:
        if '_none_' not in d['name']:
            continue
        elem = d['elem_size']
        p = d['pipeline'][0]['params']
        block = p[3] or bshuf_default_block(elem)
        nd = dict(d, name=d['name'].replace('_none_', '_zstd4_'), constructed=True,
                  pipeline=[dict(d['pipeline'][0], params=[0, 4, elem, p[3], 3, 3])], chunk_list=[])
        for c in d['chunk_list']:
            raw = open(os.path.join(src, c['file']), 'rb').read()
            n = len(raw) // elem
            parts = [len(raw).to_bytes(8, 'big'), (block * elem).to_bytes(4, 'big')]
            pos = 0
            while pos + 8 <= n:
                m = min(block, n - pos)
                m -= m % 8
                z = zc.compress(raw[pos * elem:(pos + m) * elem])
                parts += [len(z).to_bytes(4, 'big'), z]
                pos += m
            parts.append(raw[pos * elem:])
            fn = c['file'].replace('_none_', '_zstd4_')
            open(os.path.join(fdir, fn), 'wb').write(b''.join(parts))
            nd['chunk_list'].append(dict(c, file=fn))
        out.append(nd)
    with open(os.path.join(fdir, 'manifest.json'), 'w') as fh:
        json.dump({'generator': 'gen_g1.py', 'constructed': True, 'datasets': out}, fh, indent=1)
    print('bitshuffle_zstd', sum(len(m['chunk_list']) for m in out), 'chunks')


build_bshuf_zstd()
