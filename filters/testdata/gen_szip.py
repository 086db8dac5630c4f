#!/usr/bin/python3
"""Generate SZIP (filter 4) test chunks for package filters (engineer S).

Run with Debian's Python from filters/: /usr/bin/python3 testdata/gen_szip.py
Made with h5py 3.7.0 / libhdf5 1.10.8, whose SZIP filter is libaec's szip
compatibility layer (libsz.so.2).

Each case writes a chunked SZIP dataset and the same data in an unfiltered
dataset with identical chunking. Every chunk's raw (filtered) bytes, read with
read_direct_chunk, go to testdata/szip/<case>_<n>.bin; the unfiltered
dataset's raw chunk gives the expected decoded bytes, whose sha256 and length
go into manifest.json with the pipeline (filter id, flags, cd_values as stored
in the file) and the chunk's filter mask. A chunk that SZIP could not shrink
is stored unfiltered by libhdf5 with mask bit 0 set (the filter is optional).
"""
import hashlib, itertools, json, os, shutil, tempfile

import numpy as np
import h5py
from h5py import h5d, h5p, h5s, h5t, h5z

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, 'szip')
rng = np.random.default_rng(121)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def chunk_offsets(shape, chunks):
    return list(itertools.product(*[range(0, s, c) for s, c in zip(shape, chunks)]))


def smooth(n, amp=1000.0, noise=3.0, period=40.0):
    i = np.arange(n, dtype=np.float64)
    return np.sin(i / period) * amp + rng.normal(0, noise, n)


manifest = []


def record(name, ds, plain, shape, chunks, dtype_desc, elem_size):
    pl = ds.get_create_plist()
    pipeline = []
    for i in range(pl.get_nfilters()):
        fid, flags, cd, fname = pl.get_filter(i)
        pipeline.append({'id': fid, 'flags': flags, 'params': [int(v) for v in cd],
                         'name': fname.decode()})
    out = []
    for i, off in enumerate(chunk_offsets(shape, chunks)):
        mask, raw = ds.read_direct_chunk(off)
        pmask, expect = plain.read_direct_chunk(off)
        assert pmask == 0
        fn = '%s_%d.bin' % (name, i)
        with open(os.path.join(OUT, fn), 'wb') as fh:
            fh.write(raw)
        out.append({'file': fn, 'offset': list(off), 'mask': mask,
                    'size': len(expect), 'sha256': sha(expect)})
    manifest.append({'name': name, 'dtype': dtype_desc, 'elem_size': elem_size,
                     'shape': list(shape), 'chunks': list(chunks),
                     'pipeline': pipeline, 'chunk_list': out})


def case(f, name, data, chunks, opts):
    plain = f.create_dataset(name + '_plain', data=data, chunks=chunks)
    ds = f.create_dataset(name, data=data, chunks=chunks, compression='szip',
                          compression_opts=opts)
    assert (ds[...] == data).all() or (np.isnan(data) == np.isnan(ds[...])).all()
    record(name, ds.id, plain.id, data.shape, chunks, data.dtype.str, data.dtype.itemsize)


def precision_case(f, name, data, chunks, base, precision, opt, ppb):
    """A dataset of an integer type with reduced precision (so SZIP's bits per
    pixel is neither 8, 16, 32 nor 64), made through the low-level API."""
    tid = base.copy()
    tid.set_precision(precision)
    space = h5s.create_simple(data.shape)
    mem = h5t.py_create(data.dtype)
    dsets = []
    for suffix, szip in (('_plain', False), ('', True)):
        dcpl = h5p.create(h5p.DATASET_CREATE)
        dcpl.set_chunk(chunks)
        if szip:
            dcpl.set_szip(opt, ppb)
        d = h5d.create(f.id, (name + suffix).encode(), tid, space, dcpl=dcpl)
        d.write(h5s.ALL, h5s.ALL, data, mtype=mem)
        dsets.append(d)
    back = np.empty_like(data)
    dsets[1].read(h5s.ALL, h5s.ALL, back, mtype=mem)
    assert (back == data).all()
    record(name, dsets[1], dsets[0], data.shape, chunks,
           '%s/p%d' % (data.dtype.str, precision), tid.get_size())


shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
path = os.path.join(tempfile.mkdtemp(), 'szip.h5')
with h5py.File(path, 'w', libver='latest') as f:
    # uint8, 2-D, partial edge chunks; scanline 20 with 8/32 pixels per block
    # pads each scanline (20 % 8 != 0).
    u1 = (smooth(60 * 45, amp=100, noise=2) + 120).clip(0, 255).astype('u1').reshape(60, 45)
    case(f, 'u1_nn8', u1, (16, 20), ('nn', 8))
    case(f, 'u1_ec32', u1, (16, 20), ('ec', 32))
    # int16 little- and big-endian, smooth (small k).
    i2 = smooth(70 * 50, amp=3000, noise=4).astype('<i2').reshape(70, 50)
    case(f, 'i2le_nn16', i2, (32, 24), ('nn', 16))
    case(f, 'i2be_nn16', i2.astype('>i2'), (32, 24), ('nn', 16))
    case(f, 'i2le_ec8', i2, (32, 24), ('ec', 8))
    case(f, 'i2be_ec32', i2.astype('>i2'), (32, 24), ('ec', 32))
    # uint16 with long runs of zeros (zero blocks, ROS) and a constant run.
    z = np.zeros(6000, 'u2')
    z[1000:1300] = (smooth(300, amp=50, noise=1) + 200).astype('u2')
    z[3000:3100] = 7
    z[5500:] = rng.integers(0, 5, 500)
    case(f, 'u2zero_nn32', z, (2500,), ('nn', 32))
    case(f, 'u2zero_ec16', z, (2500,), ('ec', 16))
    case(f, 'u2zero_nn8', z, (2500,), ('nn', 8))
    # noisy data: blocks go uncompressed; some chunks cannot shrink at all and
    # are stored unfiltered (mask bit 0).
    noisy = rng.integers(0, 65536, 3000).astype('<u2')
    noisy[:700] = (smooth(700, amp=200, noise=2) + 30000).astype('u2')
    case(f, 'u2noisy_nn16', noisy, (1000,), ('nn', 16))
    case(f, 'u2noisy_ec8', noisy, (1000,), ('ec', 8))
    # large values with large differences: high k split options.
    big = (smooth(4000, amp=30000, noise=1500, period=3) + 32768).clip(0, 65535).astype('<u2')
    case(f, 'u2big_nn16', big, (1500,), ('nn', 16))
    case(f, 'u2big_ec16', big, (1500,), ('ec', 16))
    # 32- and 64-bit types: bits per pixel 32/64 are coded as byte planes.
    i4 = (smooth(40 * 30, amp=1e6, noise=50)).astype('<i4').reshape(40, 30)
    case(f, 'i4_nn16', i4, (16, 16), ('nn', 16))
    case(f, 'i4be_ec8', i4.astype('>i4'), (16, 16), ('ec', 8))
    f4 = smooth(2000, amp=10, noise=0.01).astype('<f4')
    case(f, 'f4_nn8', f4, (700,), ('nn', 8))
    case(f, 'f4_ec32', f4, (700,), ('ec', 32))
    f8 = smooth(1500, amp=1e3, noise=1e-3).astype('<f8').reshape(30, 50)
    case(f, 'f8_nn16', f8, (12, 50), ('nn', 16))
    case(f, 'f8be_ec8', f8.astype('>f8'), (12, 50), ('ec', 8))
    # Chunk whose last dimension is smaller than pixels per block: libhdf5
    # uses the whole chunk as the scanline (40 * 5 = 200 pixels).
    u1s = (smooth(80 * 5, amp=60, noise=1) + 100).astype('u1').reshape(80, 5)
    case(f, 'u1small_nn16', u1s, (40, 5), ('nn', 16))
    # A long 1-D chunk: the scanline is capped at 128 blocks.
    i2l = smooth(9000, amp=500, noise=2).astype('<i2')
    case(f, 'i2long_nn8', i2l, (5000,), ('nn', 8))
    case(f, 'i2long_ec32', i2l, (5000,), ('ec', 32))
    # Reduced precision: 12-bit samples in uint16 (id length 4, xmax 4095)
    # and 24-bit samples in uint32 (id length 5, 4-byte samples).
    p12 = (smooth(3000, amp=1800, noise=3) + 2048).clip(0, 4095).astype('<u2')
    precision_case(f, 'u2p12_nn16', p12, (1200,), h5t.STD_U16LE, 12, h5z.SZIP_NN_OPTION_MASK, 16)
    precision_case(f, 'u2p12be_ec8', p12, (1200,), h5t.STD_U16BE, 12, h5z.SZIP_EC_OPTION_MASK, 8)
    p24 = (smooth(3000, amp=8e6, noise=100) + 8.4e6).clip(0, 2**24 - 1).astype('<u4')
    precision_case(f, 'u4p24_nn16', p24, (1200,), h5t.STD_U32LE, 24, h5z.SZIP_NN_OPTION_MASK, 16)
    precision_case(f, 'u4p24be_ec32', p24, (1200,), h5t.STD_U32BE, 24, h5z.SZIP_EC_OPTION_MASK, 32)

with open(os.path.join(OUT, 'manifest.json'), 'w') as fh:
    json.dump({'generator': 'gen_szip.py', 'h5py': h5py.version.version,
               'hdf5': h5py.version.hdf5_version, 'datasets': manifest}, fh, indent=1)
total = sum(os.path.getsize(os.path.join(OUT, p)) for p in os.listdir(OUT))
print(sum(len(m['chunk_list']) for m in manifest), 'chunks,', total, 'bytes')
