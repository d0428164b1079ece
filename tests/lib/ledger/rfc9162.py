#!/usr/bin/env python3
"""An independent RFC 9162 §2.1 implementation (written from the RFC's
definitions, sharing no code with hc) that checks the roots, inclusion
proofs and consistency proofs hc made: argv[1] is a JSON file of
[{leaves, root, inclusion: [[hex...] per leaf], consistency: [{first_root, path}] per m}]."""
import hashlib, json, sys

def h(b): return hashlib.sha256(b).digest()
def leaf(d): return h(b"\x00" + d)
def node(l, r): return h(b"\x01" + l + r)
def k_of(n):
    k = 1
    while k * 2 < n: k *= 2
    return k
def mth(d):
    if len(d) == 0: return h(b"")
    if len(d) == 1: return leaf(d[0])
    k = k_of(len(d))
    return node(mth(d[:k]), mth(d[k:]))
def path(m, d):
    if len(d) <= 1: return []
    k = k_of(len(d))
    if m < k: return path(m, d[:k]) + [mth(d[k:])]
    return path(m - k, d[k:]) + [mth(d[:k])]
def subproof(m, d, b):
    n = len(d)
    if m == n: return [] if b else [mth(d)]
    k = k_of(n)
    if m <= k: return subproof(m, d[:k], b) + [mth(d[k:])]
    return subproof(m - k, d[k:], False) + [mth(d[:k])]
def proof(m, d): return subproof(m, d, True) if m < len(d) else []

bad = 0
trees = json.load(open(sys.argv[1]))
for t in trees:
    d = [x.encode() for x in t["leaves"]]
    n = len(d)
    if mth(d).hex() != t["root"]: bad += 1; print("root differs, size", n)
    for m in range(n):
        if [x.hex() for x in path(m, d)] != t["inclusion"][m]: bad += 1; print("inclusion differs", m, n)
    for m in range(1, n + 1):
        c = t["consistency"][m - 1]
        if mth(d[:m]).hex() != c["first_root"]: bad += 1; print("first root differs", m, n)
        if [x.hex() for x in proof(m, d)] != c["path"]: bad += 1; print("consistency differs", m, n)
print(f"rfc9162.py: {len(trees)} trees checked, {bad} differences")
sys.exit(1 if bad or len(trees) != 70 else 0)
