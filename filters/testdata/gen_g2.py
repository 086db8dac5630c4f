#!/usr/bin/python3
"""Generate fixtures for goh5's blosc, blosc2, nbit and scaleoffset decoders.

Run with Debian's Python (h5py 3.7.0 / libhdf5 1.10.8, hdf5plugin 4.0.1,
hdf5-filter-plugin-blosc-serial with libblosc 1.21.3):

    cd filters/testdata && /usr/bin/python3 gen_g2.py

For every chunk it stores the raw filtered bytes (read_direct_chunk) as
<filter>/<case>_<n>.bin, and in <filter>/manifest.json the filter mask, the
filter's cd_values as libhdf5 stored them, and the sha256 and length of the
expected decoded chunk. The expected chunk is the raw chunk of an unfiltered
dataset with the same datatype and chunking, holding the values libhdf5 reads
back from the filtered dataset (for lossless filters that is the written data).
"""
import ctypes, glob, hashlib, json, os, shutil, sys, tempfile

PLUGDIR = '/usr/lib/x86_64-linux-gnu/hdf5/serial/plugins'

def plugin_path():
    # One plugin that fails to load hides the rest (FIXTURES.md): link only the
    # blosc plugins, which load; this also keeps the bitshuffle plugin (which
    # sets flush-to-zero) out of the process.
    ctypes.CDLL('libhdf5_serial.so.103', mode=ctypes.RTLD_GLOBAL)
    d = tempfile.mkdtemp(prefix='g2plugins')
    for p in sorted(glob.glob(PLUGDIR + '/*blosc*.so')):
        try:
            ctypes.CDLL(p)
        except OSError:
            continue
        os.symlink(p, os.path.join(d, os.path.basename(p)))
    return d

os.environ['HDF5_PLUGIN_PATH'] = plugin_path()
import numpy as np
import h5py
from h5py import h5t, h5p, h5d, h5s
import h5py.h5z

HERE = os.path.dirname(os.path.abspath(__file__))
TMP = tempfile.mkdtemp(prefix='g2gen')


def sha(b):
    return hashlib.sha256(b).hexdigest()


_hdf5 = ctypes.CDLL('libhdf5_serial.so.103')


def get_cd_values(plist, idx):
    # h5py's get_filter returns at most 16 values followed by junk; ask
    # libhdf5 directly with a large buffer.
    n = ctypes.c_size_t(256)  # libhdf5 refuses more than 256
    buf = (ctypes.c_uint * 256)()
    flags = ctypes.c_uint()
    name = ctypes.create_string_buffer(256)
    fc = ctypes.c_uint()
    _hdf5.H5Pget_filter2.restype = ctypes.c_int
    r = _hdf5.H5Pget_filter2(ctypes.c_int64(plist.id), ctypes.c_uint(idx), ctypes.byref(flags),
                             ctypes.byref(n), buf, ctypes.c_size_t(256), name, ctypes.byref(fc))
    assert r >= 0
    return [int(buf[i]) for i in range(n.value)]


class Out:
    def __init__(self, name):
        self.dir = os.path.join(HERE, name)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.cases = []

    def add(self, case, dset, expect_dset, filter_id, which=None, extra=None):
        """Store chunks of dset (all, or the indexes in which)."""
        plist = dset.id.get_create_plist()
        cd = None
        for i in range(plist.get_nfilters()):
            f = plist.get_filter(i)
            if f[0] == filter_id:
                cd = get_cd_values(plist, i)
                fidx = i
        assert cd is not None, case
        n = dset.id.get_num_chunks()
        chunks = []
        for k in range(n):
            if which is not None and k not in which and (k - n) not in which:
                continue
            info = dset.id.get_chunk_info(k)
            mask, raw = dset.id.read_direct_chunk(info.chunk_offset)
            emask, exp = expect_dset.id.read_direct_chunk(info.chunk_offset)
            assert emask == 0
            fn = '%s_%d.bin' % (case, k)
            with open(os.path.join(self.dir, fn), 'wb') as fh:
                fh.write(raw)
            chunks.append(dict(file=fn, offset=list(info.chunk_offset), mask=int(mask),
                               size=len(raw), expect_len=len(exp), expect_sha256=sha(exp)))
        rec = dict(name=case, dtype=str(dset.dtype), filter_index=fidx,
                   cd_values=cd, chunks=chunks)
        if extra:
            rec.update(extra)
        self.cases.append(rec)

    def close(self):
        with open(os.path.join(self.dir, 'manifest.json'), 'w') as fh:
            json.dump(dict(generator='gen_g2.py', h5py=h5py.version.version,
                           hdf5=h5py.version.hdf5_version, cases=self.cases), fh, indent=1)


def plain_copy(f, name, dset, data=None, mtype=None):
    """Unfiltered dataset, same type, shape and chunks, holding what libhdf5
    reads back from dset (or data)."""
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(dset.chunks)
    fv = dset.id.get_create_plist()
    dcpl.set_fill_time(h5d.FILL_TIME_IFSET)
    tid = dset.id.get_type()
    if dset.dtype.subdtype is None:
        buf = np.zeros((1,), dtype=dset.dtype)
        fv.get_fill_value(buf)
        dcpl.set_fill_value(buf)
    sp = h5s.create_simple(dset.shape)
    did = h5d.create(f.id, name.encode(), tid, sp, dcpl=dcpl)
    d = h5py.Dataset(did)
    vals = dset[...] if data is None else data
    did.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(vals), mtype=mtype or h5t.py_create(vals.dtype))
    return d


rng = np.random.default_rng(12345)


def smooth(n, dtype, scale=1000):
    x = np.cumsum(rng.integers(-3, 4, size=n)) + (np.arange(n) % 97)
    return (x % scale).astype(dtype)


# ---------------------------------------------------------------- blosc
def gen_blosc():
    import hdf5plugin
    out = Out('blosc')
    f = h5py.File(os.path.join(TMP, 'blosc.h5'), 'w')
    comp_dt = np.dtype([('a', '<i2'), ('b', '<f4'), ('c', 'u1')])
    n16 = 30000
    d16 = smooth(n16, '<i2')
    d32 = (smooth(20000, '<f4') * np.float32(0.25)).astype('<f4')
    dc = np.zeros(5000, comp_dt)
    dc['a'] = smooth(5000, '<i2')
    dc['b'] = np.linspace(0, 50, 5000).astype('<f4')
    dc['c'] = np.arange(5000) % 7
    sets = [('i2', d16, (12000,)), ('f4', d32, (8000,)), ('cmp', dc, (2000,))]
    for cname in ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd']:
        for shuf, sname in [(0, 'noshuf'), (1, 'shuf'), (2, 'bitshuf')]:
            for tname, data, chunks in sets:
                case = '%s_%s_%s' % (cname, sname, tname)
                d = f.create_dataset(case, data=data, chunks=chunks,
                                     **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=shuf))
                e = plain_copy(f, case + '_plain', d)
                out.add(case, d, e, 32001, which=[0, -1])
    # Big chunks with several blocks and a leftover block.
    big = (np.repeat(np.arange(25000), 10) % 5000).astype('<f4') * np.float32(0.5)
    big = big.reshape(-1)
    for cname, shuf, lvl in [('blosclz', 1, 9), ('lz4', 2, 5), ('zstd', 1, 3), ('zlib', 0, 1), ('blosclz', 0, 1), ('snappy', 1, 5)]:
        case = 'big_%s_%d_%d' % (cname, shuf, lvl)
        d = f.create_dataset(case, data=big, chunks=(250000,),
                             **hdf5plugin.Blosc(cname=cname, clevel=lvl, shuffle=shuf))
        e = plain_copy(f, case + '_plain', d)
        out.add(case, d, e, 32001)
    # Incompressible data: blosc stores it memcpyed.
    rnd = rng.integers(0, 2**31, size=4000).astype('<i4')
    for cname in ['blosclz', 'lz4']:
        case = 'random_%s' % cname
        d = f.create_dataset(case, data=rnd, chunks=(4000,),
                             **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=0))
        out.add(case, d, plain_copy(f, case + '_plain', d), 32001)
    # Big-endian int32, clevel 0 (memcpy).
    be = smooth(3000, '>i4')
    for lvl in [0, 9]:
        case = 'be_i4_clevel%d' % lvl
        d = f.create_dataset(case, data=be, chunks=(1000,),
                             **hdf5plugin.Blosc(cname='blosclz', clevel=lvl, shuffle=1))
        out.add(case, d, plain_copy(f, case + '_plain', d), 32001, which=[0])
    out.close()


# ---------------------------------------------------------------- nbit
def nbit_dataset(f, name, tid, shape, chunks, data, mtype=None):
    dcpl = h5p.create(h5p.DATASET_CREATE)
    dcpl.set_chunk(chunks)
    dcpl.set_filter(5, h5py.h5z.FLAG_OPTIONAL)  # what H5Pset_nbit does
    sp = h5s.create_simple(shape)
    did = h5d.create(f.id, name.encode(), tid, sp, dcpl=dcpl)
    did.write(h5s.ALL, h5s.ALL, np.ascontiguousarray(data), mtype=mtype or h5t.py_create(data.dtype))
    return h5py.Dataset(did)


def int_type(base, prec, off):
    t = base.copy()
    t.set_precision(prec)
    t.set_offset(off)
    return t


def float_type(order_be):
    # As libhdf5's test/dsets.c test_nbit_float: 20 significant bits at offset 7.
    t = (h5t.IEEE_F32BE if order_be else h5t.IEEE_F32LE).copy()
    t.set_fields(26, 20, 6, 7, 13)
    t.set_offset(7)
    t.set_precision(20)
    t.set_size(4)
    t.set_ebias(31)
    return t


def gen_nbit():
    out = Out('nbit')
    f = h5py.File(os.path.join(TMP, 'nbit.h5'), 'w')

    def add(case, tid, data, chunks, shape=None, mtype=None):
        d = nbit_dataset(f, case, tid, shape or data.shape, chunks, data, mtype)
        e = plain_copy(f, case + '_plain', d, data=d[...], mtype=mtype)
        out.add(case, d, e, 5)

    v12 = (rng.integers(-2048, 2048, size=1000)).astype('i2')
    add('i2le_p12_o2', int_type(h5t.STD_I16LE, 12, 2), v12, (300,))
    add('i2be_p12_o2', int_type(h5t.STD_I16BE, 12, 2), v12, (300,))
    add('u2le_p7_o0', int_type(h5t.STD_U16LE, 7, 0), (np.arange(500) % 128).astype('u2'), (128,))
    v20 = rng.integers(-2**19, 2**19, size=777).astype('i4')
    add('i4le_p20_o5', int_type(h5t.STD_I32LE, 20, 5), v20, (250,))
    add('i4be_p20_o5', int_type(h5t.STD_I32BE, 20, 5), v20, (250,))
    add('i4le_p32_full', h5t.STD_I32LE.copy(), v20, (250,))
    add('u1_p3_o4', int_type(h5t.STD_U8LE, 3, 4), (np.arange(100) % 8).astype('u1'), (64,))
    add('i8be_p40_o11', int_type(h5t.STD_I64BE, 40, 11),
        rng.integers(-2**39, 2**39, size=300).astype('i8'), (100,))
    fv = (np.arange(600, dtype='f4') * np.float32(0.5) - 100).astype('f4')
    add('f4le_p20', float_type(False), fv, (256,))
    add('f4be_p20', float_type(True), fv, (256,))
    # 2-D
    add('i2le_2d', int_type(h5t.STD_I16LE, 10, 3), (np.arange(30 * 17) % 1000).astype('i2').reshape(30, 17), (8, 5))
    # array type
    at = h5t.array_create(int_type(h5t.STD_I32LE, 20, 4), (3,))
    av = rng.integers(0, 2**20, size=(200, 3)).astype('i4')
    add('array_i4x3', at, av, (64,), shape=(200,), mtype=h5t.array_create(h5t.NATIVE_INT32, (3,)))
    # compound: int16 (12 bits), float (20 bits), uint8 (5 bits), int32[2] (20 bits),
    # a fixed string (no-op class), and a full-precision double.
    ct = h5t.create(h5t.COMPOUND, 2 + 4 + 1 + 8 + 3 + 8)
    ct.insert(b'a', 0, int_type(h5t.STD_I16BE, 12, 2))
    ct.insert(b'b', 2, float_type(False))
    ct.insert(b'c', 6, int_type(h5t.STD_U8LE, 5, 1))
    ct.insert(b'd', 7, h5t.array_create(int_type(h5t.STD_I32LE, 20, 4), (2,)))
    st = h5t.C_S1.copy()
    st.set_size(3)
    ct.insert(b's', 15, st)
    ct.insert(b'e', 18, h5t.IEEE_F64LE)
    cdt = np.dtype([('a', 'i2'), ('b', 'f4'), ('c', 'u1'), ('d', 'i4', (2,)), ('s', 'S3'), ('e', 'f8')])
    cv = np.zeros(150, cdt)
    cv['a'] = rng.integers(-2048, 2048, size=150)
    cv['b'] = np.arange(150) * 0.25
    cv['c'] = np.arange(150) % 32
    cv['d'] = rng.integers(0, 2**20, size=(150, 2))
    cv['s'] = [b'ab%d' % (i % 10) for i in range(150)]
    cv['e'] = np.linspace(-1, 1, 150)
    add('compound', ct, cv, (64,))
    # compound nested in compound
    inner = h5t.create(h5t.COMPOUND, 6)
    inner.insert(b'x', 0, int_type(h5t.STD_U16LE, 9, 0))
    inner.insert(b'y', 2, int_type(h5t.STD_I32BE, 17, 8))
    outer = h5t.create(h5t.COMPOUND, 8)
    outer.insert(b'p', 0, int_type(h5t.STD_U8LE, 4, 2))
    outer.insert(b'q', 1, inner)
    outer.insert(b'r', 7, int_type(h5t.STD_U8LE, 6, 0))
    odt = np.dtype([('p', 'u1'), ('q', [('x', 'u2'), ('y', 'i4')]), ('r', 'u1')])
    ov = np.zeros(90, odt)
    ov['p'] = np.arange(90) % 16
    ov['q']['x'] = np.arange(90) * 5
    ov['q']['y'] = rng.integers(-2**16, 2**16, size=90)
    ov['r'] = np.arange(90) % 64
    add('nested_compound', outer, ov, (40,))
    out.close()


# ---------------------------------------------------------------- scaleoffset
def gen_scaleoffset():
    out = Out('scaleoffset')
    f = h5py.File(os.path.join(TMP, 'so.h5'), 'w')

    pending = []

    def add(case, data, chunks, so, fill=None, lossy=False):
        kw = {}
        if fill is not None:
            kw['fillvalue'] = fill
        f.create_dataset(case, data=data, chunks=chunks, scaleoffset=so, **kw)
        pending.append((case, data, lossy))

    iv = (1000 + rng.integers(0, 300, size=1000)).astype('<i4')
    add('i4le_auto', iv, (300,), 0)
    add('i4be_auto', iv.astype('>i4'), (300,), 0)
    add('i2le_auto_neg', (rng.integers(-500, 20, size=700)).astype('<i2'), (256,), 0)
    add('u1_auto', (np.arange(300) % 50 + 3).astype('u1'), (128,), 0)
    add('i8be_auto', (rng.integers(-2**40, 2**40, size=200)).astype('>i8'), (64,), 0)
    add('u2_auto_const', np.full(100, 77, 'u2'), (50,), 0)
    add('i4le_fixed5', (rng.integers(0, 40, size=500)).astype('<i4'), (128,), 5, lossy=True)
    fill_i = iv.copy()
    fill_i[::7] = -1
    add('i4le_auto_fill', fill_i, (300,), 0, fill=-1)
    add('i2be_auto_fill', fill_i.astype('>i2'), (300,), 0, fill=-1)
    # an integer whose range needs every bit: stored at full precision
    add('u1_fullrange', np.arange(256, dtype='u1'), (256,), 0)
    fv = (rng.random(1200) * 20 - 7).astype('<f4')
    add('f4le_d3', fv, (400,), 3, lossy=True)
    add('f4be_d3', fv.astype('>f4'), (400,), 3, lossy=True)
    dv = (rng.random(900) * 1000 - 200).astype('<f8')
    add('f8le_d3', dv, (300,), 3, lossy=True)
    add('f8be_d2', dv.astype('>f8'), (300,), 2, lossy=True)
    ff = fv.copy()
    ff[::5] = -9999.0
    add('f4le_d3_fill', ff, (400,), 3, fill=-9999.0, lossy=True)
    dff = dv.copy()
    dff[::3] = 12345.5
    add('f8le_d1_fill', dff, (300,), 1, fill=12345.5, lossy=True)
    # Reopen, so that what is read back comes from the filtered chunks on disk
    # and not from libhdf5's chunk cache (which holds the unfiltered values).
    name = f.filename
    f.close()
    f = h5py.File(name, 'a')
    for case, data, lossy in pending:
        d = f[case]
        e = plain_copy(f, case + '_plain', d)
        if not lossy:
            assert np.array_equal(d[...], data), case
        out.add(case, d, e, 6)
    out.close()


# ---------------------------------------------------------------- blosc2 (corpus)
def gen_blosc2():
    """No Blosc2 writer is installed; the blosc2 fixtures are chunks of corpus
    files, located by offset (never copied), with expectations from libhdf5."""
    out = os.path.join(HERE, 'blosc2')
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    corpus = os.path.join(HERE, '..', '..', '..', 'shared', 'corpus', 'files')
    cases = []
    # h5ex_d_blosc2.h5 and h5ex_d_blosc.h5 are the HDF Group's examples written
    # by the same program (wdata[i][j] = i*j - j, 32x64 int32, chunks 4x8); the
    # blosc one is readable by libhdf5 here, so it gives the expected values.
    b2 = 'scigolib-hdf5/testdata/hdf5_official/h5ex_d_blosc2.h5'
    b1 = 'scigolib-hdf5/testdata/hdf5_official/h5ex_d_blosc.h5'
    f2 = h5py.File(os.path.join(corpus, b2), 'r')
    f1 = h5py.File(os.path.join(corpus, b1), 'r')
    d2, d1 = f2['DS1'], f1['DS1']
    ref = d1[...]
    i, j = np.mgrid[0:32, 0:64]
    assert np.array_equal(ref, i * j - j)
    cd = [int(x) for x in d2.id.get_create_plist().get_filter(0)[2]]
    chunks = []
    for k in range(d2.id.get_num_chunks()):
        if k not in (0, 1, 63):
            continue
        info = d2.id.get_chunk_info(k)
        r0, c0 = info.chunk_offset
        exp = np.ascontiguousarray(ref[r0:r0 + 4, c0:c0 + 8].astype('<i4')).tobytes()
        chunks.append(dict(file=b2, byte_offset=info.byte_offset, size=info.size,
                           mask=int(info.filter_mask), expect_len=len(exp), expect_sha256=sha(exp)))
    cases.append(dict(name='h5ex_d_blosc2', cd_values=cd, chunks=chunks))
    with open(os.path.join(out, 'corpus.json'), 'w') as fh:
        json.dump(dict(generator='gen_g2.py', cases=cases), fh, indent=1)


if __name__ == '__main__':
    which = sys.argv[1:] or ['blosc', 'nbit', 'scaleoffset', 'blosc2']
    for w in which:
        globals()['gen_' + w]()
        print('done', w)
