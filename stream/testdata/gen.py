"""Writes stream.h5, the stream package's fixture, and stream.json, the
expected digests read back through libhdf5.

Run from this directory with Debian's Python (h5py 3.7.0, libhdf5 1.10.8):

    /usr/bin/python3 gen.py

Datasets (row counts are chosen so that no block size used by the tests
divides them all):
  /chunked_f4   (1003, 7) <f4, chunks (16, 7), gzip 4 + shuffle
  /chunked_cols (203, 10) >i2, chunks (8, 4): chunks split the columns, big-endian
  /contig_i4    (517, 3)  <i4, contiguous
  /compound     (301,) {a: <i4, b: <f8, c: <i2}, chunks (32,), gzip 1
  /compound_contig (97,) {x: <u1, y: >f4}, contiguous
  /labels_i8    (1003,) <i8, chunks (100,): 2*row+1, zipped with /chunked_f4
"""
import hashlib, json, sys
import h5py, numpy as np

rng = np.random.default_rng(6)
with h5py.File('stream.h5', 'w', libver='latest', track_order=False) as f:
    f.create_dataset('chunked_f4', data=rng.standard_normal((1003, 7)).astype('<f4'),
                     chunks=(16, 7), compression='gzip', compression_opts=4, shuffle=True,
                     track_times=False)
    f.create_dataset('chunked_cols', data=rng.integers(-30000, 30000, (203, 10)).astype('>i2'),
                     chunks=(8, 4), track_times=False)
    f.create_dataset('contig_i4', data=np.arange(517 * 3, dtype='<i4').reshape(517, 3) * 7 - 100,
                     track_times=False)
    ct = np.dtype([('a', '<i4'), ('b', '<f8'), ('c', '<i2')])
    c = np.zeros(301, ct)
    c['a'] = np.arange(301) * 3
    c['b'] = rng.standard_normal(301)
    c['c'] = np.arange(301) % 1000 - 500
    f.create_dataset('compound', data=c, chunks=(32,), compression='gzip', compression_opts=1,
                     track_times=False)
    ct2 = np.dtype([('x', 'u1'), ('y', '>f4')])
    c2 = np.zeros(97, ct2)
    c2['x'] = np.arange(97)
    c2['y'] = np.arange(97) * 0.5
    f.create_dataset('compound_contig', data=c2, track_times=False)
    f.create_dataset('labels_i8', data=np.arange(1003, dtype='<i8') * 2 + 1, chunks=(100,),
                     track_times=False)


def le(a):
    """The array in goh5's read layout: packed, little-endian."""
    if a.dtype.names:
        nt = np.dtype([(n, a.dtype[n].newbyteorder('<')) for n in a.dtype.names])
        out = np.empty(a.shape, nt)
        for n in a.dtype.names:
            out[n] = a[n]
        return out.tobytes()
    return a.astype(a.dtype.newbyteorder('<')).tobytes()


ref = {'h5py': h5py.version.version, 'libhdf5': h5py.version.hdf5_version, 'datasets': {}}
with h5py.File('stream.h5', 'r') as f:
    for name, d in f.items():
        a = d[()]
        e = {'shape': list(d.shape), 'chunks': list(d.chunks) if d.chunks else None,
             'sha256': hashlib.sha256(le(a)).hexdigest(), 'nbytes': len(le(a))}
        if a.dtype.names:
            e['fields'] = {}
            for n in a.dtype.names:
                e['fields'][n] = hashlib.sha256(le(np.ascontiguousarray(a[n]))).hexdigest()
            if len(a.dtype.names) >= 2:
                # Two members in reverse order, packed.
                n1, n0 = a.dtype.names[1], a.dtype.names[0]
                sub = np.empty(a.shape, np.dtype([(n1, a.dtype[n1].newbyteorder('<')),
                                                  (n0, a.dtype[n0].newbyteorder('<'))]))
                sub[n1], sub[n0] = a[n1], a[n0]
                e['fields'][n1 + ',' + n0] = hashlib.sha256(sub.tobytes()).hexdigest()
        ref['datasets']['/' + name] = e
json.dump(ref, open('stream.json', 'w'), indent=1, sort_keys=True)
print('h5py', h5py.version.version, 'libhdf5', h5py.version.hdf5_version, file=sys.stderr)
