# Regenerate with Debian's h5py: cd fuzz/testdata/hostile && /usr/bin/python3 gen.py
# (h5py 3.7.0, libhdf5 1.10.8). softchain.h5 holds:
#   /data                      int32 [0 1 2 3]
#   /l0000 -> /l0001 -> ... -> /l0999 -> /data   a chain of 1,000 soft links
#   /loop_a -> /loop_b -> /loop_a                a soft link cycle
#   /ext_self -> softchain.h5:/ext_self          an external link to itself
import h5py, numpy as np
with h5py.File("softchain.h5", "w", libver="latest") as f:
    f["data"] = np.arange(4, dtype="<i4")
    for i in range(1000):
        f["l%04d" % i] = h5py.SoftLink("/l%04d" % (i + 1) if i < 999 else "/data")
    f["loop_a"] = h5py.SoftLink("/loop_b")
    f["loop_b"] = h5py.SoftLink("/loop_a")
    f["ext_self"] = h5py.ExternalLink("softchain.h5", "/ext_self")

# tiny.h5: the smallest file with one chunked dataset, /c = int32 [0 1 2 3]
# in one chunk of 4 (earliest format: a version 1 object header, whose layout
# message a test rewrites to declare 1 GiB chunks).
with h5py.File("tiny.h5", "w", libver="earliest") as f:
    f.create_dataset("c", data=np.arange(4, dtype="<i4"), chunks=(4,))
