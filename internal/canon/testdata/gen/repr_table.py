#!/usr/bin/python3
"""Writes testdata/repr.json: Python's repr of binary64 values (as bit
patterns) and json.dumps(..., ensure_ascii=True) of byte strings decoded as
latin-1 and of text, for the float formatter and string escaper tests.

Run from internal/canon: /usr/bin/python3 testdata/gen/repr_table.py
"""
import json, math, random, struct, sys

random.seed(1234)
vals = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1e-4, 1e-5, 0.0001234, 0.00001234,
        1e15, 1e16, 1.5e16, 9999999999999998.0, 123456789012345.0, 1234567890123456.0,
        12345678901234567.0, 1e22, 1e23, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308,
        3.141592653589793, 2.0**53, 2.0**63, 2.0**64, 100.0, 1e100, 1e-100, 0.3, 2.5, 1.25e-7,
        float(struct.unpack('<f', struct.pack('<f', 0.1))[0]), 65504.0, 6.103515625e-05,
        5.960464477539063e-08, 1e-7, 123.456, 0.001, 0.01, 1e5, 1e-3, 9.999999999999999e-05,
        0.00009999999999999999, 1e+16 - 2, 4.35, 2.675]
for _ in range(300):
    bits = random.getrandbits(64)
    x = struct.unpack('<d', struct.pack('<Q', bits))[0]
    if math.isfinite(x):
        vals.append(x)
for _ in range(200):
    vals.append(random.uniform(-1, 1) * 10 ** random.randint(-30, 30))
for _ in range(100):
    vals.append(float(struct.unpack('<f', struct.pack('<f', random.uniform(-1e6, 1e6)))[0]))
floats = [[struct.unpack('<Q', struct.pack('<d', v))[0], repr(v)] for v in vals]

byte_strings = [b"", b"abc", b'quote " backslash \\ slash / <>&', bytes(range(256)),
                "héllo wörld".encode("utf-8"), b"\x00\x7f\x80\xff", b"tab\tnl\ncr\rbs\bff\f"]
strs = [[s.hex(), json.dumps(s.decode("latin-1"), ensure_ascii=True)] for s in byte_strings]
texts = ["/g/temperature", "/données/été", "/emoji/\U0001F600", "/ctl\x01\x7f", "a\"b\\c"]
texts = [[t.encode("utf-8").hex(), json.dumps(t, ensure_ascii=True)] for t in texts]

# x87 80-bit long doubles (stored in 16 bytes) and numpy's rounding of them
# to binary64 (nearest even), and binary16 values widened.
import numpy as np
lds = [np.longdouble(1) / 3, np.longdouble(2) ** -16440, np.longdouble(1e300) * 1e300, -np.longdouble(0.1),
       np.longdouble(1) + np.longdouble(2) ** -53, np.longdouble(1) + np.longdouble(2) ** -53 + np.longdouble(2) ** -60,
       np.longdouble(1) + 3 * np.longdouble(2) ** -53, np.longdouble(2) ** -1074 * 1.5, np.longdouble(0)]
lds += [np.longdouble(random.uniform(-1, 1)) * np.longdouble(10) ** random.randint(-300, 300) / 7 for _ in range(50)]
longdoubles = [[np.array([x], "<f16").tobytes().hex(), struct.unpack("<Q", np.array([x], "<f16").astype("<f8").tobytes())[0]]
               for x in lds]
halves = [[int(h), struct.unpack("<Q", np.array([h], "<u2").view("<f2").astype("<f8").tobytes())[0]]
          for h in [0, 1, 0x3ff, 0x400, 0x3c00, 0x7bff, 0x7c00, 0xfc00, 0x8001, 0x5555, 0xc000]]
json.dump({"floats": floats, "bytes": strs, "texts": texts, "longdoubles": longdoubles, "halves": halves},
          sys.stdout, separators=(",", ":"))
