#!/usr/bin/env python3
"""Generates the equivalence-test models of bnn-mlir (python3 stdlib only).

    gen_models.py --out-dir DIR

Writes into DIR:

  models_ref.mlir  the models, functions named @model_<i>_ref
  models_opt.mlir  the same models, functions named @model_<i>_opt
  models.inc       the harness's table: C declarations, input shapes, flags,
                   and the oracle: the calibration images and their logits as
                   the generator's exact simulation of the model computes them
  expect.json      per function of models_opt.mlir, the op counts that the
                   compile-time passes must produce (read by check_packed.py)

The two .mlir files differ only in the function names, so that one object
compiled with `bnn-compile --no-bnn-passes` (the model as written: float
convolutions with weights computed at run time) and one compiled with the
full pipeline (packed XOR/popcount kernels, integer thresholds) link into one
harness, which checks that they compute the same logits.

Every model is a Level 1 model as training leaves it (cf.
test/Pipelines/binarized-model.mlir), NHWC, batch 1 or 2:

  float first conv (3x3 or 1x1, weights on a 1/8 grid), batch norm, sign
  2-3 binarized convs on (padded) +-1 inputs, each with weights
      BiTAT: bnn.importance_sign(bnn.orthonormal_transform(W, V, axis = 3), S)
             with V a product of Householder reflections or a signed
             permutation (transpose = true on some layers), or
      SQ:    bnn.ternary(W, delta), delta below every |W| (no zero: binary)
             or ~0.7 mean|W| (zeros: ternary mask; one output channel all
             zero on some layers),
    batch norm as a linalg.generic ((x - mean) / sqrt(var + eps) * gamma +
    beta) with ~30% negative gammas and one zero gamma per layer (one of
    them with beta = 0: BN output +-0, sign +1), bnn.sign, sometimes a
    linalg.pooling_nhwc_max (-inf init; 2x2/2 or 3x3/2); padding of the sign
    outputs with 0.0 or 1.0 or none; strides 1 and 2; channel counts 16, 32,
    33, 64, 65 (across 32- and 64-bit word boundaries); one layer without
    batch norm (sign of the conv itself, exact alpha = 0.375, ties at 0);
  flatten (tensor.collapse_shape), a binarized dense layer ([O, K] weights
    through transposed-B indexing maps, or plain [K, O] weights), batch norm
    and sign (or batch norm only on two models: the bnn.scale path),
  a float classifier: linalg.matmul + bias, 10 logits.

Why the comparison can be exact: a binarized layer's pre-BN value is
alpha_o * n with n an integer (the packed path computes n and scales it; the
float path sums alpha_o * (+-1) in f32). Each batch norm's switching point
is put at alpha_o * (k_o + 1/2), never hit by alpha_o * n, and float
rounding of either path is far below alpha_o / 2; so both paths give the
same signs, and the classifier sees the same +-1 features. The first layer
stays float in both variants; on inputs from the 1/4 grid its sums are exact
and its switch points sit between grid values (1/64 away), on other inputs
both variants compute it with the same float ops. k_o is calibrated on two
grid images by an exact simulation of the binarized network (below), so that
channels actually switch.
"""

import argparse
import json
import math
import os
import random
import struct

SEED = 20251123


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32s(vs):
    return [f32(v) for v in vs]


def tty(shape):
    return "tensor<%sxf32>" % "x".join(str(d) for d in shape)


def dense_attr(values, shape):
    if len(values) <= 16 and len(shape) == 1:
        return "dense<[%s]>" % ", ".join("%.9e" % v for v in values)
    return 'dense<"0x%s">' % struct.pack("<%df" % len(values), *values).hex().upper()


def popcount(x):
    return bin(x).count("1")


# ---------------------------------------------------------------------------
# Model configurations: a fixed table, so that every feature is covered.
#
# conv layer: (kind, cout, ksize, stride, pad, pool, bn)
#   kind: "house" (BiTAT, Householder V), "house_t" (same, transpose = true),
#         "perm" (BiTAT, signed permutation V), "perm_exact" (signed
#         permutation, |W| = 0.375, S on a 1/2 grid: alpha = 0.375 exactly),
#         "sqbin" (SQ, no zeros), "sqter" (SQ with zeros),
#         "sqter0" (SQ with zeros and one all-zero output channel)
#   pad: None, 0.0 or 1.0 (value of the padding of the sign input, 1 pixel)
#   pool: None or (kernel, stride)
#   bn: True, or False (sign of the conv output itself)
# dense: (kind, layout, out, final_sign)
#   kind: "isign" (importance_sign), "sqbin", "sqter", "const" (a constant
#         alpha_o * +-1 matrix); layout "OK" (transposed-B maps) or "KO"
# ---------------------------------------------------------------------------

MODELS = [
    dict(batch=1, hw=8, cin=1, first=(16, 3, 1, 1), eps=1e-5,
         convs=[("house", 32, 3, 1, 0.0, (2, 2), True),
                ("sqbin", 33, 3, 1, 1.0, None, True),
                ("sqter", 64, 3, 2, 0.0, None, True)],
         dense=("isign", "OK", 32, True), cls="KO"),
    dict(batch=2, hw=10, cin=3, first=(33, 3, 1, 1), eps=1e-3,
         convs=[("perm", 65, 3, 2, 1.0, None, True),
                ("sqter0", 64, 3, 1, 0.0, (2, 2), True)],
         dense=("const", "KO", 40, True), cls="OK"),
    dict(batch=1, hw=12, cin=2, first=(64, 3, 2, 1), eps=1e-5,
         convs=[("house_t", 16, 3, 1, None, None, True),
                ("sqbin", 33, 3, 1, 0.0, (2, 2), True),
                ("sqter", 32, 3, 1, 1.0, None, True)],
         dense=("sqter", "OK", 65, False), cls="KO"),
    dict(batch=2, hw=8, cin=1, first=(65, 3, 1, 1), eps=1e-3,
         convs=[("sqter0", 33, 3, 1, 1.0, (3, 2), True),
                ("house", 65, 3, 1, 0.0, None, True)],
         dense=("isign", "OK", 16, True), cls="OK"),
    dict(batch=1, hw=9, cin=3, first=(32, 3, 1, 1), eps=1e-5,
         convs=[("perm_exact", 32, 3, 2, 1.0, None, False),
                ("sqbin", 64, 3, 1, 1.0, (2, 2), True),
                ("house", 65, 3, 1, 0.0, None, True)],
         dense=("sqbin", "OK", 64, True), cls="KO"),
    dict(batch=2, hw=6, cin=4, first=(16, 3, 1, 1), eps=1e-3,
         convs=[("sqter", 64, 1, 1, None, (2, 2), True),
                ("house_t", 33, 3, 2, 0.0, None, True)],
         dense=("const", "KO", 24, False), cls="OK"),
]


class Rng(random.Random):
    def signs(self, n):
        return [1.0 if self.random() < 0.5 else -1.0 for _ in range(n)]


# ---------------------------------------------------------------------------
# Orthonormal matrices
# ---------------------------------------------------------------------------

def householder(rng, n, reflections=3):
    """Product of a few Householder reflections (float64, row-major n x n)."""
    q = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for _ in range(reflections):
        v = [rng.gauss(0, 1) for _ in range(n)]
        nv = math.sqrt(sum(x * x for x in v))
        v = [x / nv for x in v]
        # q = q (I - 2 v v^T)
        qv = [sum(q[i][k] * v[k] for k in range(n)) for i in range(n)]
        for i in range(n):
            for j in range(n):
                q[i][j] -= 2 * qv[i] * v[j]
    return q


def signed_permutation(rng, n):
    perm = list(range(n))
    rng.shuffle(perm)
    q = [[0.0] * n for _ in range(n)]
    for i in range(n):
        q[i][perm[i]] = rng.choice((1.0, -1.0))
    return q


# ---------------------------------------------------------------------------
# The model builder: emits MLIR and simulates the binarized network exactly
# (bit masks per pixel: bit c set iff channel c is -1).
# ---------------------------------------------------------------------------

class Model:
    def __init__(self, idx, cfg, rng):
        self.idx = idx
        self.cfg = cfg
        self.rng = rng
        self.lines = []
        self.notes = []  # per sign layer: switching channels / channels
        self.n = 0
        # What check_packed.py checks on the optimized IR: op counts, and for
        # each binary layer after the first how its input must come from the
        # previous one ("packed": through bnn.threshold / bnn.bmaxpool2d /
        # tensor.collapse_shape only).
        self.expect = dict(bconv2d=0, bdense=0, mask=0, pad_value_1=0, bmaxpool2d=0,
                           conv_float=1, matmul_float=1, edges=[])

    def name(self, base):
        self.n += 1
        return "%%%s%d" % (base, self.n)

    def emit(self, s):
        self.lines.append("  " + s)

    def const(self, values, shape, base="cst"):
        v = self.name(base)
        self.emit("%s = arith.constant %s : %s" % (v, dense_attr(values, shape), tty(shape)))
        return v

    def zeros(self, shape):
        e = self.name("empty")
        self.emit("%s = tensor.empty() : %s" % (e, tty(shape)))
        z = self.name("init")
        self.emit("%s = linalg.fill ins(%%zero : f32) outs(%s : %s) -> %s" % (z, e, tty(shape), tty(shape)))
        return z

    # -- ops -----------------------------------------------------------------

    def pad(self, x, shape, p, value):
        n, h, w, c = shape
        oshape = [n, h + 2 * p, w + 2 * p, c]
        v = self.name("pad")
        self.emit("%s = tensor.pad %s low[0, %d, %d, 0] high[0, %d, %d, 0] {" % (v, x, p, p, p, p))
        self.emit("^bb0(%i0: index, %i1: index, %i2: index, %i3: index):")
        self.emit("  tensor.yield %s : f32" % ("%one" if value == 1.0 else "%zero"))
        self.emit("} : %s to %s" % (tty(shape), tty(oshape)))
        return v, oshape

    def conv(self, x, xshape, w, wshape, stride):
        n, h, wd, c = xshape
        o, kh, kw, _ = wshape
        oshape = [n, (h - kh) // stride + 1, (wd - kw) // stride + 1, o]
        z = self.zeros(oshape)
        v = self.name("conv")
        self.emit("%s = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, "
                  "strides = dense<%d> : tensor<2xi64>}" % (v, stride))
        self.emit("    ins(%s, %s : %s, %s) outs(%s : %s) -> %s" % (
            x, w, tty(xshape), tty(wshape), z, tty(oshape), tty(oshape)))
        return v, oshape

    def maxpool(self, x, shape, k, s):
        n, h, w, c = shape
        oshape = [n, (h - k) // s + 1, (w - k) // s + 1, c]
        e = self.name("empty")
        self.emit("%s = tensor.empty() : %s" % (e, tty(oshape)))
        i = self.name("ninf")
        self.emit("%s = linalg.fill ins(%%ninf : f32) outs(%s : %s) -> %s" % (i, e, tty(oshape), tty(oshape)))
        win = self.name("window")
        self.emit("%s = tensor.empty() : tensor<%dx%dxf32>" % (win, k, k))
        v = self.name("pool")
        self.emit("%s = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, "
                  "strides = dense<%d> : tensor<2xi64>}" % (v, s))
        self.emit("    ins(%s, %s : %s, tensor<%dx%dxf32>) outs(%s : %s) -> %s" % (
            x, win, tty(shape), k, k, i, tty(oshape), tty(oshape)))
        return v, oshape

    def bn(self, x, shape, mean, var, gamma, beta):
        c = shape[-1]
        rank = len(shape)
        cs = [self.const(f32s(t), [c], base) for t, base in
              ((mean, "mean"), (var, "var"), (gamma, "gamma"), (beta, "beta"))]
        e = self.name("empty")
        self.emit("%s = tensor.empty() : %s" % (e, tty(shape)))
        v = self.name("bn")
        idm, chm = ("#id4", "#ch4") if rank == 4 else ("#id2", "#ch2")
        iters = ", ".join(['"parallel"'] * rank)
        self.emit("%s = linalg.generic {indexing_maps = [%s, %s, %s, %s, %s, %s], iterator_types = [%s]}" % (
            v, idm, chm, chm, chm, chm, idm, iters))
        self.emit("    ins(%s, %s : %s, %s, %s, %s, %s) outs(%s : %s) {" % (
            x, ", ".join(cs), tty(shape), tty([c]), tty([c]), tty([c]), tty([c]), e, tty(shape)))
        self.emit("^bb0(%v: f32, %m: f32, %va: f32, %g: f32, %b: f32, %o: f32):")
        self.emit("  %%eps = arith.constant %.9e : f32" % self.cfg["eps"])
        self.emit("  %d = arith.subf %v, %m : f32")
        self.emit("  %ve = arith.addf %va, %eps : f32")
        self.emit("  %sd = math.sqrt %ve : f32")
        self.emit("  %n = arith.divf %d, %sd : f32")
        self.emit("  %s = arith.mulf %n, %g : f32")
        self.emit("  %r = arith.addf %s, %b : f32")
        self.emit("  linalg.yield %r : f32")
        self.emit("} -> %s" % tty(shape))
        return v

    def sign(self, x, shape):
        v = self.name("sign")
        self.emit("%s = bnn.sign %s : %s" % (v, x, tty(shape)))
        return v

    def matmul(self, x, xshape, w, layout, wshape):
        out = wshape[0] if layout == "OK" else wshape[1]
        oshape = [xshape[0], out]
        z = self.zeros(oshape)
        v = self.name("mm")
        maps = " indexing_maps = [#mm_a, #mm_bt, #mm_c]" if layout == "OK" else ""
        self.emit("%s = linalg.matmul%s ins(%s, %s : %s, %s) outs(%s : %s) -> %s" % (
            v, maps, x, w, tty(xshape), tty(wshape), z, tty(oshape), tty(oshape)))
        return v, oshape

    # -- batch-norm parameters -------------------------------------------------

    def bn_params(self, alpha, ks, const_signs):
        """Batch norm whose switch points are alpha_o * (k_o + 1/2).

        ks[o] is None for channels whose pre-BN value is always 0 (alpha 0).
        Returns (mean, var, gamma, beta, decide) with decide(o, n) -> bit
        (1 iff the BN output of alpha_o * n is negative)."""
        rng = self.rng
        c = len(alpha)
        eps = self.cfg["eps"]
        zero_gamma = rng.randrange(c)
        mean, var, gamma, beta = [], [], [], []
        for o in range(c):
            va = f32(rng.uniform(0.3, 3.0) * max(alpha[o], 0.05) ** 2 * 20)
            sd = math.sqrt(f32(va + eps))
            if o == zero_gamma:
                g = 0.0
                b = 0.0 if const_signs == "zero_beta" else f32(rng.choice((-1, 1)) * rng.uniform(0.2, 1.0))
                m = f32(rng.uniform(-1, 1))
            else:
                g = f32((-1.0 if rng.random() < 0.3 else 1.0) * rng.uniform(0.5, 1.5))
                b = f32(rng.uniform(-0.5, 0.5))
                if ks[o] is None:
                    m = f32(rng.choice((-0.5, 0.5)))
                else:
                    t = alpha[o] * (ks[o] + 0.5)
                    m = f32(t + b * sd / g)
                    u = (m - b * sd / g) / alpha[o] - ks[o]
                    assert 0.4 < u < 0.6, (o, u)
            mean.append(m)
            var.append(va)
            gamma.append(g)
            beta.append(b)

        def decide(o, n):
            g = gamma[o]
            if g == 0.0:
                return 1 if beta[o] < 0 else 0
            if ks[o] is None:
                val = (0.0 - mean[o]) / math.sqrt(var[o] + eps) * g + beta[o]
                return 1 if val < 0 else 0
            if g > 0:
                return 1 if n <= ks[o] else 0
            return 1 if n >= ks[o] + 1 else 0

        return mean, var, gamma, beta, decide

    def pick_k(self, samples):
        """k near the median of the observed accumulator values."""
        if not samples:
            return self.rng.randrange(-3, 3)
        s = sorted(samples)
        med = s[len(s) // 2]
        spread = max(1, (s[-1] - s[0]) // 6)
        return med + self.rng.randint(-spread, spread) - (1 if self.rng.random() < 0.5 else 0)


def build(idx, cfg, rng):
    m = Model(idx, cfg, rng)
    B, HW, CIN = cfg["batch"], cfg["hw"], cfg["cin"]
    shape = [B, HW, HW, CIN]

    # Calibration images: two 1/4-grid images, simulated one at a time.
    calib = [[rng.randint(-8, 8) / 4.0 for _ in range(HW * HW * CIN)] for _ in range(2)]

    # -- first layer: float conv on a 1/8 weight grid, BN, sign --------------
    c1, k1, s1, p1 = cfg["first"]
    w1 = [rng.randint(-8, 8) / 8.0 for _ in range(c1 * k1 * k1 * CIN)]
    x = "%x"
    if p1:
        x, shape = m.pad(x, shape, p1, 0.0)
    wv = m.const(w1, [c1, k1, k1, CIN], "w")
    conv, oshape = m.conv(x, shape, wv, [c1, k1, k1, CIN], s1)
    H1 = oshape[1]

    def first_layer(img):
        hp = HW + 2 * p1
        padded = [[[0.0] * CIN for _ in range(hp)] for _ in range(hp)]
        for i in range(HW):
            for j in range(HW):
                for c in range(CIN):
                    padded[i + p1][j + p1][c] = img[(i * HW + j) * CIN + c]
        out = []
        for oi in range(H1):
            for oj in range(H1):
                vals = []
                for o in range(c1):
                    acc = 0.0
                    for a in range(k1):
                        for b in range(k1):
                            for c in range(CIN):
                                acc += w1[((o * k1 + a) * k1 + b) * CIN + c] * padded[oi * s1 + a][oj * s1 + b][c]
                    vals.append(acc)
                out.append(vals)
        return out  # exact: multiples of 1/32

    pre1 = [first_layer(img) for img in calib]
    # Switch points at odd multiples of 1/64 near each channel's median.
    ks1 = []
    for o in range(c1):
        vals = sorted(int(round(p[o] * 32)) for img in pre1 for p in img)
        ks1.append(vals[len(vals) // 2] + rng.randint(-2, 1))
    alpha1 = [1.0 / 32] * c1
    mean, var, gamma, beta, decide = m.bn_params(alpha1, ks1, None)
    bnv = m.bn(conv, oshape, mean, var, gamma, beta)
    act = m.sign(bnv, oshape)
    shape = oshape
    acts = [[sum(decide(o, int(round(p[o] * 32))) << o for o in range(c1)) for p in img] for img in pre1]
    m.notes.append("%d/%d" % (switching(acts, c1), c1))

    # -- binarized convs -----------------------------------------------------
    zero_beta_layer = idx == 4  # this model's second layer has gamma = beta = 0
    for li, (kind, cout, ks, stride, pad, pool, has_bn) in enumerate(cfg["convs"]):
        cin = shape[-1]
        H = shape[1]
        p = 0
        if pad is not None:
            p = 1
            x, pshape = m.pad(act, shape, 1, pad)
        else:
            x, pshape = act, shape
        K = ks * ks * cin
        # Without batch norm the sign reads the conv output itself, with a
        # switch point at 0 that alpha_o * n hits: only exact when every
        # partial sum alpha_o * j is exact in f32 (alpha = 0.375).
        assert has_bn or kind == "perm_exact", "a layer without batch norm needs exact alpha"
        mask = False  # ternary weights: the bconv2d gets a filter mask
        wbits = []  # [o][tap] -> int, bit c set iff weight is -1
        wmask = []  # [o][tap] -> int, bit c set iff weight is nonzero
        alpha = []
        full = (1 << cin) - 1
        if kind.startswith("house") or kind.startswith("perm"):
            exact = kind == "perm_exact"
            if kind.startswith("house"):
                q = f32s_mat(householder(rng, cin))
            else:
                q = signed_permutation(rng, cin)
            transpose = kind.endswith("_t")
            # Target transformed weights W' (|W'| >= 0.2, so that no sign of
            # the transform is in doubt), then W = Q^T W' (or Q W' when the
            # transform uses Q^T).
            target = []
            for o in range(cout):
                for t in range(ks * ks):
                    if exact:
                        row = [0.375 * sg for sg in rng.signs(cin)]
                    else:
                        row = [sg * rng.uniform(0.2, 1.5) for sg in rng.signs(cin)]
                    target.append(row)
            wraw = []
            for row in target:
                for j in range(cin):
                    if transpose:  # y_i = sum_j q[j][i] x_j, so x = Q y
                        wraw.append(sum(q[j][i] * row[i] for i in range(cin)))
                    else:  # y_i = sum_j q[i][j] x_j, so x = Q^T y
                        wraw.append(sum(q[i][j] * row[i] for i in range(cin)))
            wraw = f32s(wraw)
            if exact:
                s_imp = [rng.choice((0.5, 1.0, 1.5, 2.0)) for _ in range(ks * ks * cin)]
            else:
                s_imp = f32s([rng.uniform(0.5, 1.5) for _ in range(ks * ks * cin)])
            # The transformed weights, as the compiler computes them (f32 sums).
            wt = []
            for r in range(cout * ks * ks):
                xr = wraw[r * cin:(r + 1) * cin]
                for i in range(cin):
                    if transpose:
                        wt.append(sum(q[j][i] * xr[j] for j in range(cin)))
                    else:
                        wt.append(sum(q[i][j] * xr[j] for j in range(cin)))
            for o in range(cout):
                rowv = wt[o * K:(o + 1) * K]
                trow = [e for r in target[o * ks * ks:(o + 1) * ks * ks] for e in r]
                for v0, v1 in zip(rowv, trow):
                    assert (v0 < 0) == (v1 < 0) and abs(v0 - v1) < 1e-4, (v0, v1)
                alpha.append(sum(sk * abs(v) for sk, v in zip(s_imp, rowv)) / sum(s_imp))
                if exact:
                    assert alpha[-1] == 0.375
                bits = []
                for t in range(ks * ks):
                    bits.append(sum(1 << c for c in range(cin) if rowv[t * cin + c] < 0))
                wbits.append(bits)
                wmask.append([full] * (ks * ks))
            wv = m.const(wraw, [cout, ks, ks, cin], "w")
            qv = m.const(f32s([e for r in q for e in r]), [cin, cin], "q")
            sv = m.const(s_imp, [ks, ks, cin], "s")
            tv = m.name("wt")
            m.emit("%s = bnn.orthonormal_transform %s, %s axis = 3%s : %s, %s" % (
                tv, wv, qv, " transpose = true" if transpose else "", tty([cout, ks, ks, cin]), tty([cin, cin])))
            wb = m.name("wb")
            m.emit("%s = bnn.importance_sign %s, %s : %s, %s" % (
                wb, tv, sv, tty([cout, ks, ks, cin]), tty([ks, ks, cin])))
        else:
            ternary = kind.startswith("sqter")
            wraw, delta = [], []
            allzero = rng.randrange(cout) if kind == "sqter0" else -1
            for o in range(cout):
                row = f32s([sg * rng.uniform(0.05, 1.5) for sg in rng.signs(K)])
                wraw.extend(row)
                if o == allzero:
                    delta.append(2.0)
                elif ternary:
                    delta.append(f32(0.7 * sum(abs(v) for v in row) / K))
                else:
                    delta.append(f32(0.5 * min(abs(v) for v in row)))
                d = delta[-1]
                nz = [abs(v) > d for v in row]
                cnt = sum(nz)
                alpha.append(sum(abs(v) for v, z in zip(row, nz) if z) / cnt if cnt else 0.0)
                wbits.append([sum(1 << c for c in range(cin) if row[t * cin + c] < -d) for t in range(ks * ks)])
                wmask.append([sum(1 << c for c in range(cin) if nz[t * cin + c]) for t in range(ks * ks)])
                mask = mask or not all(nz)  # a zero anywhere: the layer is ternary
            wv = m.const(wraw, [cout, ks, ks, cin], "w")
            dv = m.const(delta, [cout], "delta")
            wb = m.name("wb")
            m.emit("%s = bnn.ternary %s, %s : %s, %s" % (wb, wv, dv, tty([cout, ks, ks, cin]), tty([cout])))
        conv, oshape = m.conv(x, pshape, wb, [cout, ks, ks, cin], stride)
        m.expect["bconv2d"] += 1
        m.expect["mask"] += 1 if mask else 0
        m.expect["pad_value_1"] += 1 if pad == 1.0 else 0

        # Simulate: integer accumulators per pixel and channel.
        OH = oshape[1]

        def accumulate(a_img):
            out = []
            for oi in range(OH):
                for oj in range(OH):
                    taps = []
                    for ta in range(ks):
                        for tb in range(ks):
                            ii, jj = oi * stride + ta - p, oj * stride + tb - p
                            if 0 <= ii < H and 0 <= jj < H:
                                taps.append((ta * ks + tb, a_img[ii * H + jj]))
                            elif pad == 1.0:
                                taps.append((ta * ks + tb, 0))
                    vals = []
                    for o in range(cout):
                        n = 0
                        for t, a in taps:
                            mk = wmask[o][t]
                            n += popcount(mk) - 2 * popcount((a ^ wbits[o][t]) & mk)
                        vals.append(n)
                    out.append(vals)
            return out

        sums = [accumulate(a) for a in acts]
        if has_bn:
            ksw = []
            for o in range(cout):
                if alpha[o] == 0.0:
                    ksw.append(None)
                else:
                    ksw.append(m.pick_k([s[o] for img in sums for s in img]))
            mean, var, gamma, beta, decide = m.bn_params(
                alpha, ksw, "zero_beta" if (zero_beta_layer and li == 1) else None)
            bnv = m.bn(conv, oshape, mean, var, gamma, beta)
            act = m.sign(bnv, oshape)
        else:
            act = m.sign(conv, oshape)

            def decide(o, n):
                return 1 if n < 0 else 0
        if li > 0:
            m.expect["edges"].append("packed")
        acts = [[sum(decide(o, s[o]) << o for o in range(cout)) for s in img] for img in sums]
        m.notes.append("%d/%d" % (switching(acts, cout), cout))
        shape = oshape
        if pool:
            pk, ps = pool
            act, pshape2 = m.maxpool(act, shape, pk, ps)
            m.expect["bmaxpool2d"] += 1
            H2 = pshape2[1]
            HO = shape[1]
            new = []
            for a in acts:
                pooled = []
                for oi in range(H2):
                    for oj in range(H2):
                        bits = full_mask(cout)
                        for ta in range(pk):
                            for tb in range(pk):
                                bits &= a[(oi * ps + ta) * HO + oj * ps + tb]
                        pooled.append(bits)
                new.append(pooled)
            acts = new
            shape = pshape2

    # -- flatten, binarized dense -------------------------------------------
    n_, h_, w_, c_ = shape
    K = h_ * w_ * c_
    flat = m.name("flat")
    m.emit("%s = tensor.collapse_shape %s [[0], [1, 2, 3]] : %s into %s" % (flat, act, tty(shape), tty([n_, K])))
    flat_acts = []
    for a in acts:
        v = 0
        for pidx, bits in enumerate(a):
            v |= bits << (pidx * c_)
        flat_acts.append(v)
    dkind, layout, dout, final_sign = cfg["dense"]
    fullk = (1 << K) - 1
    wbits, wmask, alpha = [], [], []
    if dkind == "isign":
        wraw = f32s([sg * rng.uniform(0.05, 1.5) for sg in rng.signs(dout * K)])
        s_imp = f32s([rng.uniform(0.5, 1.5) for _ in range(K)])
        for o in range(dout):
            row = wraw[o * K:(o + 1) * K]
            alpha.append(sum(s * abs(v) for s, v in zip(s_imp, row)) / sum(s_imp))
            wbits.append(sum(1 << k for k in range(K) if row[k] < 0))
            wmask.append(fullk)
        wv = m.const(wraw, [dout, K], "w")
        sv = m.const(s_imp, [K], "s")
        wb = m.name("wb")
        m.emit("%s = bnn.importance_sign %s, %s : %s, %s" % (wb, wv, sv, tty([dout, K]), tty([K])))
        wshape = [dout, K]
    elif dkind in ("sqbin", "sqter"):
        wraw, delta = [], []
        dense_mask = False
        for o in range(dout):
            row = f32s([sg * rng.uniform(0.05, 1.5) for sg in rng.signs(K)])
            wraw.extend(row)
            d = f32(0.7 * sum(abs(v) for v in row) / K) if dkind == "sqter" else f32(0.5 * min(abs(v) for v in row))
            delta.append(d)
            nz = [abs(v) > d for v in row]
            alpha.append(sum(abs(v) for v, z in zip(row, nz) if z) / sum(nz))
            wbits.append(sum(1 << k for k in range(K) if row[k] < -d))
            wmask.append(sum(1 << k for k in range(K) if nz[k]))
            dense_mask = dense_mask or not all(nz)
        wv = m.const(wraw, [dout, K], "w")
        dv = m.const(delta, [dout], "delta")
        wb = m.name("wb")
        m.emit("%s = bnn.ternary %s, %s : %s, %s" % (wb, wv, dv, tty([dout, K]), tty([dout])))
        m.expect["mask"] += 1 if dense_mask else 0  # (no zero is possible when K = 1)
        wshape = [dout, K]
    else:  # "const": trained alpha_o * +-1, layout [K, O]
        assert layout == "KO"
        alpha = f32s([rng.uniform(0.1, 1.0) for _ in range(dout)])
        sg = [rng.signs(K) for _ in range(dout)]
        vals = [alpha[o] * sg[o][k] for k in range(K) for o in range(dout)]
        for o in range(dout):
            wbits.append(sum(1 << k for k in range(K) if sg[o][k] < 0))
            wmask.append(fullk)
        wb = m.const(vals, [K, dout], "w")
        wshape = [K, dout]
    if dkind != "const":
        assert layout == "OK"
    mm, oshape = m.matmul(flat, [n_, K], wb, layout, wshape)
    m.expect["bdense"] += 1
    # Flattening packed data is a no-op only when every pixel's channels are
    # whole words. Otherwise the compiler keeps this edge in float for now
    # (sign, collapse, pack): allowed, reported by check_packed.py as a note.
    m.expect["edges"].append("packed" if c_ % 64 == 0 else "packed_or_float")
    # ... and so does a max pool right before such a flatten.
    m.expect["pools_may_float"] = 1 if c_ % 64 and cfg["convs"][-1][5] else 0
    sums = [[popcount(wmask[o]) - 2 * popcount((a ^ wbits[o]) & wmask[o]) for o in range(dout)]
            for a in flat_acts]
    if final_sign:
        ksw = [m.pick_k([s[o] for s in sums]) for o in range(dout)]
        mean, var, gamma, beta, decide = m.bn_params(alpha, ksw, None)
        bnv = m.bn(mm, oshape, mean, var, gamma, beta)
        feat = m.sign(bnv, oshape)
        dacts = [[sum(decide(o, s[o]) << o for o in range(dout))] for s in sums]
        m.notes.append("%d/%d" % (switching(dacts, dout), dout))
    else:
        # BN without sign: the bnn.scale path; switch points do not matter.
        mean = f32s([alpha[o] * rng.gauss(0, 3) for o in range(dout)])
        var = f32s([rng.uniform(0.5, 2.0) * alpha[o] ** 2 * 10 for o in range(dout)])
        gamma = f32s([rng.choice((-1, 1)) * rng.uniform(0.5, 1.5) for o in range(dout)])
        beta = f32s([rng.uniform(-0.5, 0.5) for _ in range(dout)])
        feat = m.bn(mm, oshape, mean, var, gamma, beta)

    # -- float classifier ------------------------------------------------------
    cl = cfg["cls"]
    wc = f32s([rng.gauss(0, 1.0 / math.sqrt(dout)) for _ in range(dout * 10)])
    wcshape = [10, dout] if cl == "OK" else [dout, 10]
    wcv = m.const(wc, wcshape, "wc")
    logits, lshape = m.matmul(feat, oshape, wcv, cl, wcshape)
    bias = f32s([rng.uniform(-0.2, 0.2) for _ in range(10)])
    bv = m.const(bias, [10], "bias")
    e = m.name("empty")
    m.emit("%s = tensor.empty() : %s" % (e, tty(lshape)))
    out = m.name("logits")
    m.emit("%s = linalg.generic {indexing_maps = [#id2, #ch2, #id2], iterator_types = [\"parallel\", \"parallel\"]}" % out)
    m.emit("    ins(%s, %s : %s, %s) outs(%s : %s) {" % (logits, bv, tty(lshape), tty([10]), e, tty(lshape)))
    m.emit("^bb0(%a: f32, %b: f32, %o: f32):")
    m.emit("  %s = arith.addf %a, %b : f32")
    m.emit("  linalg.yield %s : f32")
    m.emit("} -> %s" % tty(lshape))
    m.emit("return %s : %s" % (out, tty(lshape)))
    m.final_sign = final_sign
    m.in_shape = [B, HW, HW, CIN]

    # -- oracle: the logits of the calibration images, by the simulation ------
    # (float64; exact up to the classifier's and the last batch norm's
    # rounding). One batch of both images for batch-2 models, one input per
    # image for batch-1 models.
    eps = cfg["eps"]
    logits_py = []
    for s in sums:
        if final_sign:
            f = [-1.0 if decide(o, s[o]) else 1.0 for o in range(dout)]
        else:
            f = [(alpha[o] * s[o] - mean[o]) / math.sqrt(var[o] + eps) * gamma[o] + beta[o]
                 for o in range(dout)]
        row = []
        for c in range(10):
            acc = 0.0
            for o in range(dout):
                acc += f[o] * (wc[c * dout + o] if cl == "OK" else wc[o * 10 + c])
            row.append(acc + bias[c])
        logits_py.append(row)
    if B == 1:
        m.oracle = [(calib[i], logits_py[i]) for i in range(2)]
    else:
        assert B == 2
        m.oracle = [(calib[0] + calib[1], logits_py[0] + logits_py[1])]
    return m


def switching(acts, c):
    """Channels that take both values over the calibration pixels."""
    anyset, anyclear = 0, 0
    for img in acts:
        for bits in img:
            anyset |= bits
            anyclear |= ~bits & full_mask(c)
    return popcount(anyset & anyclear)


def full_mask(c):
    return (1 << c) - 1


def f32s_mat(q):
    return [f32s(r) for r in q]


def describe(cfg):
    parts = ["B=%d %dx%dx%d" % (cfg["batch"], cfg["hw"], cfg["hw"], cfg["cin"]),
             "conv %d->%d" % (cfg["cin"], cfg["first"][0])]
    for kind, cout, ks, stride, pad, pool, bn in cfg["convs"]:
        s = "%s %dx%d ->%d s%d pad=%s" % (kind, ks, ks, cout, stride, "none" if pad is None else pad)
        if pool:
            s += " pool%dx%d/%d" % (pool[0], pool[0], pool[1])
        if not bn:
            s += " noBN"
        parts.append(s)
    d = cfg["dense"]
    parts.append("dense %s %s ->%d%s" % (d[0], d[1], d[2], "" if d[3] else " noSign"))
    return "; ".join(parts)


HEADER = """// Generated by test/e2e/equivalence/gen_models.py (seed %d). Do not edit.
#id4 = affine_map<(n, h, w, c) -> (n, h, w, c)>
#ch4 = affine_map<(n, h, w, c) -> (c)>
#id2 = affine_map<(n, c) -> (n, c)>
#ch2 = affine_map<(n, c) -> (c)>
#mm_a = affine_map<(m, n, k) -> (m, k)>
#mm_bt = affine_map<(m, n, k) -> (n, k)>
#mm_c = affine_map<(m, n, k) -> (m, n)>
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    rng = Rng(SEED)
    models = [build(i, cfg, rng) for i, cfg in enumerate(MODELS)]
    for suffix in ("ref", "opt"):
        text = [HEADER % SEED]
        for mdl in models:
            text.append("\n// model_%d: %s\n" % (mdl.idx, describe(mdl.cfg)))
            text.append("// Channels of each sign layer that switch on the calibration images: %s\n"
                        % ", ".join(mdl.notes))
            text.append("func.func @model_%d_%s(%%x: %s) -> tensor<%dx10xf32> {\n" % (
                mdl.idx, suffix, tty(mdl.in_shape), mdl.in_shape[0]))
            text.append("  %zero = arith.constant 0.0 : f32\n")
            text.append("  %one = arith.constant 1.0 : f32\n")
            text.append("  %ninf = arith.constant 0xFF800000 : f32\n")
            text.append("\n".join(mdl.lines) + "\n}\n")
        with open(os.path.join(args.out_dir, "models_%s.mlir" % suffix), "w") as f:
            f.write("".join(text))
    inc = ["// Generated by gen_models.py. Do not edit.\n"]
    for mdl in models:
        for suffix in ("ref", "opt"):
            inc.append('extern "C" void model_%d_%s(const float *, float *);\n' % (mdl.idx, suffix))
    for mdl in models:
        for j, (x, y) in enumerate(mdl.oracle):
            inc.append("static const float kOracleIn%d_%d[] = {%s};\n" % (
                mdl.idx, j, ", ".join("%.9g" % v for v in x)))
            inc.append("static const double kOracleOut%d_%d[] = {%s};\n" % (
                mdl.idx, j, ", ".join("%.17g" % v for v in y)))
        inc.append("static const Oracle kOracles%d[] = {%s};\n" % (
            mdl.idx, ", ".join("{kOracleIn%d_%d, kOracleOut%d_%d}" % (mdl.idx, j, mdl.idx, j)
                               for j in range(len(mdl.oracle)))))
    inc.append("static const ModelInfo kModels[] = {\n")
    for mdl in models:
        b, h, w, c = mdl.in_shape
        inc.append('    {"model_%d", "%s", %d, %d, %d, %d, %s, model_%d_ref, model_%d_opt, kOracles%d, %d},\n' % (
            mdl.idx, describe(mdl.cfg), b, h, w, c, "true" if mdl.final_sign else "false", mdl.idx, mdl.idx,
            mdl.idx, len(mdl.oracle)))
    inc.append("};\n")
    with open(os.path.join(args.out_dir, "models.inc"), "w") as f:
        f.write("".join(inc))
    with open(os.path.join(args.out_dir, "expect.json"), "w") as f:
        json.dump({"model_%d_opt" % mdl.idx: mdl.expect for mdl in models}, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
