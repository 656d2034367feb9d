#!/usr/bin/env python3
"""Golden files of the info package: Welch spectra and coherence computed by
scipy.signal.welch, csd and coherence (docs/science.md §4.1) on signals that the Go test
regenerates bit for bit (a xorshift64* generator and float64 arithmetic only).

Run from the repository root with Debian's python3-scipy:
    /usr/bin/python3 scripts/golden_info.py
It writes info/testdata/welch_golden.json.
"""
import json
import numpy as np
import scipy
from scipy import signal

M64 = (1 << 64) - 1


class XorShift:
    """xorshift64*: the same integers as info/golden_test.go's xorshift."""

    def __init__(self, seed):
        self.s = seed & M64

    def uniform(self):
        x = self.s
        x ^= x >> 12
        x ^= (x << 25) & M64
        x ^= x >> 27
        self.s = x
        r = (x * 2685821657736338717) & M64
        return (r >> 11) / 9007199254740992.0  # / 2**53


def make(kind, n, seed):
    g = XorShift(seed)
    x = np.empty(n)
    y = np.empty(n)
    prev = 0.0
    for i in range(n):
        u = g.uniform() - 0.5
        v = g.uniform() - 0.5
        if kind == "white":  # independent white signals
            x[i], y[i] = u, v
        elif kind == "filtered":  # y = AR(1) filter of x + independent noise
            prev = 0.9 * prev + u
            x[i], y[i] = u, prev + 0.5 * v
        elif kind == "offset":  # offsets and a ramp: the constant detrend matters
            x[i] = 5.0 + u + 0.001 * i
            y[i] = -2.0 + 0.5 * u + v
        else:
            raise ValueError(kind)
    return x, y


CASES = [
    dict(kind="white", n=4096, nperseg=256, noverlap=None, fs=1.0, seed=1),
    dict(kind="filtered", n=5000, nperseg=500, noverlap=None, fs=10.0, seed=2),
    dict(kind="filtered", n=3001, nperseg=129, noverlap=None, fs=2.5, seed=3),
    dict(kind="offset", n=10000, nperseg=1000, noverlap=300, fs=1.0, seed=4),
    dict(kind="filtered", n=777, nperseg=8, noverlap=None, fs=1.0, seed=5),
    dict(kind="filtered", n=2 ** 18, nperseg=2 ** 11, noverlap=None, fs=4096.0, seed=6),
]

out = {"scipy": scipy.__version__, "cases": []}
for c in CASES:
    x, y = make(c["kind"], c["n"], c["seed"])
    kw = dict(fs=c["fs"], nperseg=c["nperseg"], noverlap=c["noverlap"])
    f, pxx = signal.welch(x, **kw)
    _, pyy = signal.welch(y, **kw)
    _, pxy = signal.csd(x, y, **kw)
    _, coh = signal.coherence(x, y, **kw)
    d = dict(c)
    d["noverlap"] = c["noverlap"] or 0
    d.update(f=f.tolist(), pxx=pxx.tolist(), pyy=pyy.tolist(), pxy_re=pxy.real.tolist(),
             pxy_im=pxy.imag.tolist(), coh=coh.tolist(), x_sum=float(x.sum()), y_last=float(y[-1]))
    out["cases"].append(d)

with open("info/testdata/welch_golden.json", "w") as fh:
    json.dump(out, fh, separators=(",", ":"))
print("wrote info/testdata/welch_golden.json with", len(CASES), "cases (scipy", scipy.__version__ + ")")
