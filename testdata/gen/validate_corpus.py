#!/usr/bin/python3
"""Run h5ref over the corpus and compare digests with corpus reference.jsonl.

    HDF5_PLUGIN_PATH=<dir of loadable plugins> /usr/bin/python3 testdata/gen/validate_corpus.py [CORPUS]
"""
import json
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import h5ref  # noqa: E402

corpus = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus"
only = sys.argv[2] if len(sys.argv) > 2 else None
ref = {}
files = []
for line in open(os.path.join(corpus, "reference.jsonl")):
    r = json.loads(line)
    if r["kind"] == "file":
        files.append(r["file"])
    if r["kind"] in ("dataset", "attribute"):
        ref[(r["file"], r["kind"], r["path"], r.get("name"))] = r

mine = {}
import subprocess
from concurrent.futures import ThreadPoolExecutor


def run(fn):
    p = subprocess.run([sys.executable, os.path.join(os.path.dirname(os.path.abspath(__file__)), "h5ref.py"),
                        "--root", os.path.join(corpus, "files"), os.path.join(corpus, "files", fn)],
                       capture_output=True, text=True)
    return fn, p


todo = [fn for fn in files if not only or only in fn]
with ThreadPoolExecutor(8) as ex:
    for fn, p in ex.map(run, todo):
        if p.returncode != 0:
            print("CRASH", fn, p.returncode, p.stderr[-2000:])
        for line in p.stdout.splitlines():
            r = json.loads(line)
            if r["kind"] in ("dataset", "attribute"):
                mine[(r["file"], r["kind"], r["path"], r.get("name"))] = r

agree = total = 0
bad = []
for k, r in ref.items():
    if only and only not in k[0]:
        continue
    if "sha256" not in r:
        continue
    total += 1
    m = mine.get(k)
    if m and m.get("sha256") == r["sha256"] and m.get("digest_method") == r["digest_method"]:
        agree += 1
        if "value" in r and m.get("value") != r["value"]:
            bad.append(("VALUE-ONLY", k, json.dumps(r["value"])[:200], json.dumps(m.get("value"))[:200]))
    else:
        bad.append(("DIGEST", k, r["digest_method"], json.dumps(r.get("value"))[:300],
                    None if m is None else (m.get("digest_method"), m.get("read_error"),
                                            json.dumps(m.get("value"))[:300])))
extra = [k for k, m in mine.items() if "sha256" in m and k in ref and "sha256" not in ref[k]]
print("digests agree: %d of %d" % (agree, total))
for b in bad:
    print(*b)
print("mine has digest where reference has none:", len(extra))
for k in extra[:50]:
    print("  ", k, ref[k].get("read_error") or ref[k].get("error"))
