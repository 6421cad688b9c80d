#!/usr/bin/env python3
"""Writes the Fashion-MNIST binarized CNN of the demo (python3 stdlib only).

    make_model.py [-o OUT_DIR] [--data-dir DIR] [--calibration-images N]

writes OUT_DIR/fashion_bnn.mlir (the model as a user writes it: upstream
linalg/tensor/arith/math ops on tensors plus the bnn Level 1 ops) and
OUT_DIR/fashion_bnn.weights (the same numbers for the C++ reference model of
demo.cpp, format below).

Architecture (NHWC, batch 1):

  image 28x28x1 (pixels in [0, 1])
  conv1  float 3x3, 1->16, zero pad 1, + bias         -> 28x28x16
         batch norm, sign
  conv2  binary 3x3, 16->32, zero pad 1               -> 28x28x32
         batch norm, sign, max pool 2x2               -> 14x14x32
  conv3  binary 3x3, 32->32, stride 2, zero pad 1     ->  7x7x32
         batch norm, sign, max pool 2x2               ->  3x3x32
  flatten                                             ->  288
  dense4 binary 288->64                               ->  64
         batch norm, sign
  dense5 float 64->10, + bias                         ->  10 logits

Binary layers read +-1 activations (sign outputs, max-pooled) and use the
weight bnn.importance_sign(W, S): alpha_o * sign(W[o]) with alpha_o the
S-weighted mean of |W[o]|.

Where the numbers come from (deterministic: fixed seed, fixed images):
  * conv1's weights and bias, the binary layers' W and S: pseudo-random
    (Gaussian weights with He scales, importances uniform in [0.5, 1.5]);
    batch-norm gammas uniform in [0.5, 1.5] in magnitude, 25% of them
    negative (the compiler must flip those channels' filter bits).
  * Batch-norm mean/var: measured on the first N training images (N =
    --calibration-images), as a batch-norm layer's running statistics would
    be, so every channel's activations are centred.
  * Batch-norm beta is chosen so that no sign() sits on a tie: before a
    binary layer's sign the pre-BN value is alpha_o * (an integer), and beta
    puts the sign's switching point at alpha_o * (k + 1/2). Float summation
    order (compiled code vs. the reference) then can never flip a sign.
    conv1's sign reads float sums of pixels, where no such grid exists: a
    value within a few ulps of the switch point could flip between f32
    (compiled) and double (reference) accumulation. demo.cpp prints the
    smallest |sign input| it met; on all 10000 test images it is 3e-8 and
    no prediction or logit differs.
  * dense5 is a nearest-class-mean readout of dense4's 64 binary features
    over the same N training images (weights = class means of the +-1
    features, bias = -|mean|^2 / 2), so predictions mean something without
    any training; the hidden layers stay random.

fashion_bnn.weights format (all little-endian):
  magic   4 bytes  "BNNW"
  version u32      1
  count   u32      number of tensors
  count times:
    name_len u32, name (name_len bytes, ASCII, no terminator)
    rank     u32, dims (rank x u32)
    data     prod(dims) x f32, row-major
  Tensors, in this order (the names the reference model reads):
    conv1.w [16,3,3,1] conv1.b [16]
    bn1.mean bn1.var bn1.gamma bn1.beta [16]
    conv2.w [32,3,3,16] conv2.s [3,3,16]  bn2.* [32]
    conv3.w [32,3,3,32] conv3.s [3,3,32]  bn3.* [32]
    dense4.w [64,288] dense4.s [288]      bn4.* [64]
    dense5.w [10,64] dense5.b [10]
  The batch-norm epsilon, 1e-5 (BN_EPS), is not stored: demo.cpp has it.
"""

import argparse
import gzip
import math
import operator
import os
import random
import struct
import sys

SEED = 20240611
BN_EPS = 1e-5
DEFAULT_DATA_DIR = "/usr/share/datasets/fashion-mnist"


def f32(x):
    """Round a Python float to the nearest float32."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def f32s(values):
    return [f32(v) for v in values]


# ---------------------------------------------------------------------------
# Data
# ---------------------------------------------------------------------------

def read_idx(path, expected_magic, count):
    """First `count` records of an IDX file (gzip or not), as a list of bytes."""
    opener = gzip.open if path.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            header = f.read(4)
            if len(header) != 4:
                raise ValueError("truncated header")
            magic = struct.unpack(">I", header)[0]
            if magic != expected_magic:
                raise ValueError("magic 0x%08x, expected 0x%08x" % (magic, expected_magic))
            ndims = magic & 0xFF
            dims = struct.unpack(">%dI" % ndims, f.read(4 * ndims))
            if dims[0] < count:
                raise ValueError("holds %d records, need %d" % (dims[0], count))
            record = 1
            for d in dims[1:]:
                record *= d
            data = f.read(record * count)
            if len(data) != record * count:
                raise ValueError("truncated data")
    except (OSError, ValueError, EOFError) as e:
        sys.exit("make_model.py: cannot read %s: %s" % (path, e))
    return [data[i * record:(i + 1) * record] for i in range(count)]


# ---------------------------------------------------------------------------
# Model arithmetic (calibration only; demo.cpp's reference is the oracle)
# ---------------------------------------------------------------------------

def popcount(x):
    return x.bit_count()


def importance_alpha(w_rows, s):
    """alpha_o = sum_k s_k |w[o,k]| / sum_k s_k (float64, like the reference)."""
    total = sum(s)
    return [sum(sk * abs(wk) for sk, wk in zip(s, row)) / total for row in w_rows]


def sign_bits(row):
    """Bit k set iff row[k] < 0 (the bnn packing: bit 1 means -1)."""
    bits = 0
    for k, v in enumerate(row):
        if v < 0:
            bits |= 1 << k
    return bits


def conv1_forward(pixels, w1, b1):
    """Float 3x3 conv, 1->16, zero pad 1, + bias: returns [784][16]."""
    img = [[0.0] * 30 for _ in range(30)]
    for i in range(28):
        for j in range(28):
            img[i + 1][j + 1] = pixels[i * 28 + j] / 255.0
    out = []
    memo = {}
    for i in range(28):
        for j in range(28):
            win = (img[i][j], img[i][j + 1], img[i][j + 2],
                   img[i + 1][j], img[i + 1][j + 1], img[i + 1][j + 2],
                   img[i + 2][j], img[i + 2][j + 1], img[i + 2][j + 2])
            v = memo.get(win)
            if v is None:  # background windows repeat: memoized
                v = memo[win] = [b + sum(map(operator.mul, win, wo)) for wo, b in zip(w1, b1)]
            out.append(v)
    return out


def bconv(act, size, taps_bits, cin, stride):
    """Binary 3x3 conv with zero padding 1 on +-1 activations.

    act: size*size ints (bit c = channel c is -1); taps_bits[o][t] = filter
    bits of output o at tap t = kh*3+kw. Returns the integer sums n[pos][o]
    (pre-BN value = alpha_o * n)."""
    osize = (size + 2 - 3) // stride + 1
    # Per tap, the contribution of one input word to every output channel;
    # activation words repeat a lot, so they are memoized.
    tap_filters = list(zip(*taps_bits))
    memo = [dict() for _ in range(9)]

    def contribution(t, a):
        v = memo[t].get(a)
        if v is None:
            v = memo[t][a] = [cin - 2 * (a ^ wb).bit_count() for wb in tap_filters[t]]
        return v

    out = []
    for oh in range(osize):
        for ow in range(osize):
            vecs = []
            for kh in range(3):
                ih = oh * stride - 1 + kh
                if not 0 <= ih < size:
                    continue
                for kw in range(3):
                    iw = ow * stride - 1 + kw
                    if 0 <= iw < size:
                        vecs.append(contribution(kh * 3 + kw, act[ih * size + iw]))
            out.append(list(map(sum, zip(*vecs))))
    return out


def bmaxpool(act, size):
    """2x2 stride 2 max pool of +-1 values = AND of the bits."""
    osize = size // 2
    return [act[(2 * i) * size + 2 * j] & act[(2 * i) * size + 2 * j + 1] &
            act[(2 * i + 1) * size + 2 * j] & act[(2 * i + 1) * size + 2 * j + 1]
            for i in range(osize) for j in range(osize)]


def channel_stats(rows, scale):
    """Per-channel mean and variance of scale[o] * rows[.][o] (float64)."""
    count = len(rows)
    mean, var = [], []
    for o, col in enumerate(zip(*rows)):
        m = sum(col) / count
        mean.append(scale[o] * m)
        var.append(scale[o] * scale[o] * sum((x - m) ** 2 for x in col) / count)
    return mean, var


class BatchNorm:
    """Inference batch norm (x - mean) / sqrt(var + eps) * gamma + beta."""

    def __init__(self, rng, mean, var):
        n = len(mean)
        self.mean = f32s(mean)
        self.var = f32s([max(v, 1e-4) for v in var])
        self.gamma = f32s([(-1.0 if rng.random() < 0.25 else 1.0) * rng.uniform(0.5, 1.5)
                           for _ in range(n)])
        self.beta = [0.0] * n

    def sd(self, o):
        return math.sqrt(self.var[o] + BN_EPS)

    def switch_point(self, o):
        """The pre-BN value where the BN output crosses zero."""
        return self.mean[o] - self.beta[o] * self.sd(o) / self.gamma[o]

    def set_switch_points(self, points):
        self.beta = f32s([(self.mean[o] - t) * self.gamma[o] / self.sd(o)
                          for o, t in enumerate(points)])


def half_integer_switch_points(rng, bn, alpha):
    """Switch points at alpha_o * (k_o + 1/2), k_o near mean + a small random
    shift: the BN output then never is (nearly) zero on an alpha_o grid."""
    points, ks = [], []
    for o in range(len(alpha)):
        t0 = bn.mean[o] + rng.gauss(0.0, 0.2) * bn.sd(o)
        k = math.floor(t0 / alpha[o])
        points.append(alpha[o] * (k + 0.5))
        ks.append(k)
    bn.set_switch_points(points)
    # With beta rounded to float32 the switch point moved by ~1e-7 of sd:
    # still far inside (k, k + 1).
    for o in range(len(alpha)):
        u = bn.switch_point(o) / alpha[o] - ks[o]
        assert 0.4 < u < 0.6, (o, u)
    return ks


def binarize_grid(sums, bn, ks):
    """sign(BN(alpha_o * n)) as bits, decided exactly on the integer grid."""
    bits = 0
    for o, n in enumerate(sums):
        # BN(x) < 0  <=>  x < t (gamma > 0) or x > t (gamma < 0), t in (k, k+1).
        if (n <= ks[o]) if bn.gamma[o] > 0 else (n >= ks[o] + 1):
            bits |= 1 << o
    return bits


# ---------------------------------------------------------------------------
# MLIR text
# ---------------------------------------------------------------------------

def shape_str(shape):
    return "x".join(str(d) for d in shape)


def tensor_type(shape):
    return "tensor<%sxf32>" % shape_str(shape)


def dense_attr(values, shape):
    if len(values) <= 64 and len(shape) == 1:
        return "dense<[%s]>" % ", ".join("%.8e" % v for v in values)
    blob = struct.pack("<%df" % len(values), *values)
    return 'dense<"0x%s">' % blob.hex().upper()


def emit_mlir(path, t, n_calib):
    def const(name, key):
        values, shape = t[key]
        return "  %%%s = arith.constant %s : %s\n" % (name, dense_attr(values, shape), tensor_type(shape))

    def bn(name, x, shape, prefix, rank4=True):
        c = shape[-1]
        maps = "[#nhwc, #c4, #c4, #c4, #c4, #nhwc]" if rank4 else "[#nc, #c2, #c2, #c2, #c2, #nc]"
        iters = ", ".join(['"parallel"'] * len(shape))
        ty, cty = tensor_type(shape), tensor_type([c])
        s = ""
        for stat in ("mean", "var", "gamma", "beta"):
            s += const("%s_%s" % (prefix, stat), "%s.%s" % (prefix, stat))
        s += ("  %%%s_init = tensor.empty() : %s\n" % (name, ty))
        s += ("  %%%s = linalg.generic {indexing_maps = %s, iterator_types = [%s]}\n"
              "      ins(%%%s, %%%s_mean, %%%s_var, %%%s_gamma, %%%s_beta : %s, %s, %s, %s, %s)\n"
              "      outs(%%%s_init : %s) {\n"
              "  ^bb0(%%x: f32, %%mean: f32, %%var: f32, %%gamma: f32, %%beta: f32, %%out: f32):\n"
              "    %%eps = arith.constant %s : f32\n"
              "    %%centred = arith.subf %%x, %%mean : f32\n"
              "    %%var_eps = arith.addf %%var, %%eps : f32\n"
              "    %%sd = math.sqrt %%var_eps : f32\n"
              "    %%normed = arith.divf %%centred, %%sd : f32\n"
              "    %%scaled = arith.mulf %%normed, %%gamma : f32\n"
              "    %%shifted = arith.addf %%scaled, %%beta : f32\n"
              "    linalg.yield %%shifted : f32\n"
              "  } -> %s\n") % (name, maps, iters, x, prefix, prefix, prefix, prefix,
                               ty, cty, cty, cty, cty, name, ty, "%.8e" % BN_EPS, ty)
        return s

    def pad1(name, x, shape):
        n, h, w, c = shape
        return ("  %%%s = tensor.pad %%%s low[0, 1, 1, 0] high[0, 1, 1, 0] {\n"
                "  ^bb0(%%i: index, %%j: index, %%k: index, %%l: index):\n"
                "    tensor.yield %%zero : f32\n"
                "  } : %s to %s\n") % (name, x, tensor_type(shape), tensor_type([n, h + 2, w + 2, c]))

    def conv(name, x, xshape, w, wshape, oshape, stride):
        ty = tensor_type(oshape)
        return ("  %%%s_init = tensor.empty() : %s\n"
                "  %%%s_zero = linalg.fill ins(%%zero : f32) outs(%%%s_init : %s) -> %s\n"
                "  %%%s = linalg.conv_2d_nhwc_fhwc\n"
                "      {dilations = dense<1> : tensor<2xi64>, strides = dense<%d> : tensor<2xi64>}\n"
                "      ins(%%%s, %%%s : %s, %s) outs(%%%s_zero : %s) -> %s\n") % (
                    name, ty, name, name, ty, ty, name, stride, x, w,
                    tensor_type(xshape), tensor_type(wshape), name, ty, ty)

    def maxpool(name, x, xshape):
        n, h, w, c = xshape
        oshape = [n, h // 2, w // 2, c]
        ty = tensor_type(oshape)
        return ("  %%%s_init = tensor.empty() : %s\n"
                "  %%%s_ninf = linalg.fill ins(%%neg_inf : f32) outs(%%%s_init : %s) -> %s\n"
                "  %%%s_window = tensor.empty() : tensor<2x2xf32>\n"
                "  %%%s = linalg.pooling_nhwc_max\n"
                "      {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}\n"
                "      ins(%%%s, %%%s_window : %s, tensor<2x2xf32>) outs(%%%s_ninf : %s) -> %s\n") % (
                    name, ty, name, name, ty, ty, name, name, x, name,
                    tensor_type(xshape), name, ty, ty)

    def matmul_bt(name, x, xshape, w, wshape):
        oshape = [xshape[0], wshape[0]]
        ty = tensor_type(oshape)
        return ("  %%%s_init = tensor.empty() : %s\n"
                "  %%%s_zero = linalg.fill ins(%%zero : f32) outs(%%%s_init : %s) -> %s\n"
                "  %%%s = linalg.matmul indexing_maps = [#mm_a, #mm_bt, #mm_c]\n"
                "      ins(%%%s, %%%s : %s, %s) outs(%%%s_zero : %s) -> %s\n") % (
                    name, ty, name, name, ty, ty, name, x, w,
                    tensor_type(xshape), tensor_type(wshape), name, ty, ty)

    def add_bias(name, x, shape, b, rank4):
        ty = tensor_type(shape)
        maps = "[#nhwc, #c4, #nhwc]" if rank4 else "[#nc, #c2, #nc]"
        iters = ", ".join(['"parallel"'] * len(shape))
        return ("  %%%s_init = tensor.empty() : %s\n"
                "  %%%s = linalg.generic {indexing_maps = %s, iterator_types = [%s]}\n"
                "      ins(%%%s, %%%s : %s, %s) outs(%%%s_init : %s) {\n"
                "  ^bb0(%%x: f32, %%b: f32, %%out: f32):\n"
                "    %%sum = arith.addf %%x, %%b : f32\n"
                "    linalg.yield %%sum : f32\n"
                "  } -> %s\n") % (name, ty, name, maps, iters, x, b, ty,
                                 tensor_type([shape[-1]]), name, ty, ty)

    def sign(name, x, shape):
        return "  %%%s = bnn.sign %%%s : %s\n" % (name, x, tensor_type(shape))

    def isign(name, w, s, wshape):
        return "  %%%s = bnn.importance_sign %%%s, %%%s : %s, %s\n" % (
            name, w, s, tensor_type(wshape), tensor_type(wshape[1:]))

    m = []
    m.append("""// Fashion-MNIST binarized CNN: generated by examples/fashion_mnist/make_model.py
// (seed %d; batch-norm statistics and the classifier from the first %d
// training images). Do not edit: regenerate.
//
//   conv1 float 3x3 1->16 pad 1 + bias, BN, sign          28x28x16
//   conv2 binary 3x3 16->32 pad 1, BN, sign, maxpool 2x2  14x14x32
//   conv3 binary 3x3 32->32 stride 2 pad 1, BN, sign,
//         maxpool 2x2                                      3x3x32
//   flatten 288, dense4 binary 288->64, BN, sign              64
//   dense5 float 64->10 + bias                                10 logits
//
// Binary weights are bnn.importance_sign(W, S) of (pseudo-random) constants;
// binary layers read +-1 activations. Batch norm is the inference form
// (x - mean) / sqrt(var + eps) * gamma + beta written as a linalg.generic.

#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>
#c4 = affine_map<(n, h, w, c) -> (c)>
#nc = affine_map<(n, c) -> (n, c)>
#c2 = affine_map<(n, c) -> (c)>
#mm_a = affine_map<(m, n, k) -> (m, k)>
#mm_bt = affine_map<(m, n, k) -> (n, k)>
#mm_c = affine_map<(m, n, k) -> (m, n)>

func.func @fashion_bnn(%%image: tensor<1x28x28x1xf32>) -> tensor<1x10xf32> {
  %%zero = arith.constant 0.0 : f32
  %%neg_inf = arith.constant 0xFF800000 : f32
""" % (SEED, n_calib))

    m.append("\n  // conv1: float 3x3, 1 -> 16, zero padding 1, bias; batch norm; sign.\n")
    m.append(const("conv1_w", "conv1.w"))
    m.append(const("conv1_b", "conv1.b"))
    m.append(pad1("image_pad", "image", [1, 28, 28, 1]))
    m.append(conv("conv1_acc", "image_pad", [1, 30, 30, 1], "conv1_w", [16, 3, 3, 1], [1, 28, 28, 16], 1))
    m.append(add_bias("conv1", "conv1_acc", [1, 28, 28, 16], "conv1_b", True))
    m.append(bn("bn1", "conv1", [1, 28, 28, 16], "bn1"))
    m.append(sign("act1", "bn1", [1, 28, 28, 16]))

    m.append("\n  // conv2: binary 3x3, 16 -> 32, zero padding 1; batch norm; sign; max pool 2x2.\n")
    m.append(const("conv2_w", "conv2.w"))
    m.append(const("conv2_s", "conv2.s"))
    m.append(isign("conv2_wb", "conv2_w", "conv2_s", [32, 3, 3, 16]))
    m.append(pad1("act1_pad", "act1", [1, 28, 28, 16]))
    m.append(conv("conv2", "act1_pad", [1, 30, 30, 16], "conv2_wb", [32, 3, 3, 16], [1, 28, 28, 32], 1))
    m.append(bn("bn2", "conv2", [1, 28, 28, 32], "bn2"))
    m.append(sign("act2", "bn2", [1, 28, 28, 32]))
    m.append(maxpool("pool2", "act2", [1, 28, 28, 32]))

    m.append("\n  // conv3: binary 3x3, 32 -> 32, stride 2, zero padding 1; batch norm; sign; max pool 2x2.\n")
    m.append(const("conv3_w", "conv3.w"))
    m.append(const("conv3_s", "conv3.s"))
    m.append(isign("conv3_wb", "conv3_w", "conv3_s", [32, 3, 3, 32]))
    m.append(pad1("pool2_pad", "pool2", [1, 14, 14, 32]))
    m.append(conv("conv3", "pool2_pad", [1, 16, 16, 32], "conv3_wb", [32, 3, 3, 32], [1, 7, 7, 32], 2))
    m.append(bn("bn3", "conv3", [1, 7, 7, 32], "bn3"))
    m.append(sign("act3", "bn3", [1, 7, 7, 32]))
    m.append(maxpool("pool3", "act3", [1, 7, 7, 32]))

    m.append("\n  // Flatten (h, w, c) -> 288; dense4: binary 288 -> 64; batch norm; sign.\n")
    m.append("  %flat = tensor.collapse_shape %pool3 [[0], [1, 2, 3]] : tensor<1x3x3x32xf32> into tensor<1x288xf32>\n")
    m.append(const("dense4_w", "dense4.w"))
    m.append(const("dense4_s", "dense4.s"))
    m.append(isign("dense4_wb", "dense4_w", "dense4_s", [64, 288]))
    m.append(matmul_bt("dense4", "flat", [1, 288], "dense4_wb", [64, 288]))
    m.append(bn("bn4", "dense4", [1, 64], "bn4", rank4=False))
    m.append(sign("act4", "bn4", [1, 64]))

    m.append("\n  // dense5: float 64 -> 10, bias: the logits.\n")
    m.append(const("dense5_w", "dense5.w"))
    m.append(const("dense5_b", "dense5.b"))
    m.append(matmul_bt("dense5", "act4", [1, 64], "dense5_w", [10, 64]))
    m.append(add_bias("logits", "dense5", [1, 10], "dense5_b", False))
    m.append("  return %logits : tensor<1x10xf32>\n}\n")
    with open(path, "w") as f:
        f.write("".join(m))


def emit_weights(path, t):
    out = [b"BNNW", struct.pack("<II", 1, len(t))]
    for name, (values, shape) in t.items():
        nb = name.encode("ascii")
        out.append(struct.pack("<I", len(nb)) + nb)
        out.append(struct.pack("<I%dI" % len(shape), len(shape), *shape))
        out.append(struct.pack("<%df" % len(values), *values))
    with open(path, "wb") as f:
        f.write(b"".join(out))


# ---------------------------------------------------------------------------
# Building the model
# ---------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--out-dir", default=".")
    ap.add_argument("--data-dir", default=DEFAULT_DATA_DIR)
    ap.add_argument("--calibration-images", type=int, default=200)
    args = ap.parse_args()
    n_calib = args.calibration_images
    if n_calib < 10:
        sys.exit("make_model.py: need at least 10 calibration images")

    rng = random.Random(SEED)
    images = read_idx(os.path.join(args.data_dir, "train-images-idx3-ubyte.gz"), 0x00000803, n_calib)
    labels = [rec[0] for rec in read_idx(os.path.join(args.data_dir, "train-labels-idx1-ubyte.gz"),
                                         0x00000801, n_calib)]

    def gauss(n, sd):
        return f32s([rng.gauss(0.0, sd) for _ in range(n)])

    def importance(n):
        return f32s([rng.uniform(0.5, 1.5) for _ in range(n)])

    t = {}
    # conv1 (float).
    w1 = gauss(16 * 9, math.sqrt(2.0 / 9.0))
    b1 = gauss(16, 0.1)
    t["conv1.w"] = (w1, [16, 3, 3, 1])
    t["conv1.b"] = (b1, [16])
    w1_rows = [w1[o * 9:(o + 1) * 9] for o in range(16)]
    pre1 = [conv1_forward(img, w1_rows, b1) for img in images]
    mean, var = channel_stats([p for img in pre1 for p in img], [1.0] * 16)
    bn1 = BatchNorm(rng, mean, var)
    # Float input: no grid to snap to. Keep the all-background value (conv =
    # bias exactly) away from the switch point so that empty regions have a
    # clear sign.
    points = []
    for o in range(16):
        tpt = bn1.mean[o] + rng.gauss(0.0, 0.2) * bn1.sd(o)
        if abs(tpt - b1[o]) < 0.1 * bn1.sd(o):
            tpt = b1[o] + math.copysign(0.1 * bn1.sd(o), tpt - b1[o])
        points.append(tpt)
    bn1.set_switch_points(points)
    bn1_terms = [(bn1.mean[o], bn1.sd(o), bn1.gamma[o], bn1.beta[o], 1 << o) for o in range(16)]

    def act1_bits(p):
        return sum(bit for x, (m, sd, g, b, bit) in zip(p, bn1_terms) if (x - m) / sd * g + b < 0)

    act1 = [[act1_bits(p) for p in img] for img in pre1]
    for k in ("mean", "var", "gamma", "beta"):
        t["bn1." + k] = (getattr(bn1, k), [16])

    def binary_layer(out_ch, taps, cin, inputs, size, stride, pool):
        """Random importance-sign weights; BN calibrated on `inputs`."""
        k = taps * cin
        w = gauss(out_ch * k, math.sqrt(2.0 / k))
        s = importance(k)
        rows = [w[o * k:(o + 1) * k] for o in range(out_ch)]
        alpha = importance_alpha(rows, s)
        if taps == 1:
            sums = [[[k - 2 * popcount(x ^ sign_bits(r)) for r in rows]] for x in inputs]
        else:
            taps_bits = [[sign_bits(r[tp * cin:(tp + 1) * cin]) for tp in range(taps)] for r in rows]
            sums = [bconv(x, size, taps_bits, cin, stride) for x in inputs]
        mean, var = channel_stats([p for img in sums for p in img], alpha)
        bn = BatchNorm(rng, mean, var)
        ks = half_integer_switch_points(rng, bn, alpha)
        acts = [[binarize_grid(p, bn, ks) for p in img] for img in sums]
        if pool:
            osize = (size + 2 - 3) // stride + 1
            acts = [bmaxpool(a, osize) for a in acts]
        return w, s, bn, acts

    shapes = {"conv2": [32, 3, 3, 16], "conv3": [32, 3, 3, 32], "dense4": [64, 288]}
    w, s, bn2, act2 = binary_layer(32, 9, 16, act1, 28, 1, True)
    t["conv2.w"], t["conv2.s"] = (w, shapes["conv2"]), (s, shapes["conv2"][1:])
    for k in ("mean", "var", "gamma", "beta"):
        t["bn2." + k] = (getattr(bn2, k), [32])
    w, s, bn3, act3 = binary_layer(32, 9, 32, act2, 14, 2, True)
    t["conv3.w"], t["conv3.s"] = (w, shapes["conv3"]), (s, shapes["conv3"][1:])
    for k in ("mean", "var", "gamma", "beta"):
        t["bn3." + k] = (getattr(bn3, k), [32])
    # Flatten (h, w, c): bit (h*3 + w)*32 + c.
    flat = [sum(a[p] << (32 * p) for p in range(9)) for a in act3]
    w, s, bn4, act4 = binary_layer(64, 1, 288, flat, 1, 1, False)
    t["dense4.w"], t["dense4.s"] = (w, shapes["dense4"]), (s, shapes["dense4"][1:])
    for k in ("mean", "var", "gamma", "beta"):
        t["bn4." + k] = (getattr(bn4, k), [64])

    # dense5: nearest class mean over the +-1 features.
    feats = [[-1.0 if (a[0] >> o) & 1 else 1.0 for o in range(64)] for a in act4]
    w5, b5 = [], []
    for c in range(10):
        members = [f for f, y in zip(feats, labels) if y == c]
        if not members:
            sys.exit("make_model.py: no calibration image of class %d; use more images" % c)
        mu = [sum(f[o] for f in members) / len(members) for o in range(64)]
        w5.extend(mu)
        b5.append(-0.5 * sum(v * v for v in mu))
    t["dense5.w"] = (f32s(w5), [10, 64])
    t["dense5.b"] = (f32s(b5), [10])

    correct = 0
    for f, y in zip(feats, labels):
        logits = [sum(a * b for a, b in zip(f, w5[c * 64:(c + 1) * 64])) + b5[c] for c in range(10)]
        correct += max(range(10), key=lambda c: logits[c]) == y
    os.makedirs(args.out_dir, exist_ok=True)
    mlir_path = os.path.join(args.out_dir, "fashion_bnn.mlir")
    weights_path = os.path.join(args.out_dir, "fashion_bnn.weights")
    emit_mlir(mlir_path, t, n_calib)
    emit_weights(weights_path, t)
    params = sum(len(v) for v, _ in t.values())
    print("make_model.py: %s (%d bytes), %s (%d parameters); %d/%d calibration images "
          "classified correctly" % (mlir_path, os.path.getsize(mlir_path), weights_path, params,
                                    correct, n_calib))


if __name__ == "__main__":
    main()
