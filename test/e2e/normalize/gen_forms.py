#!/usr/bin/env python3
"""Writes the normalization forms (forms.mlir) and their table (cases.inc).

    gen_forms.py --out-dir DIR

Each form is one function @form_NAME(tensor<IN>) -> tensor<OUT>: a binary
layer (its input a sign, its weights +-alpha per output channel) written
the way a front end writes it (torch-mlir, TOSA lowering, hand-written
MLIR), the forms bnn-normalize brings to the ones bnn-binarize packs.
x86_64.test and aarch64.test compile the file as written (--no-bnn-passes)
and with the full pipeline and compare the two on the same inputs
(harness.cpp); summary.test checks that every binary layer is packed.

Python 3 standard library only; deterministic.
"""

import argparse
import os
import random
import struct

rng = random.Random(7)


def hexf(values):
    return '"0x' + "".join(struct.pack("<f", v).hex().upper() for v in values) + '"'


def pm_alpha(out_ch, per_out, alphas=(0.5, 0.25, 1.0)):
    """Weights [out_ch, per_out] flattened: +-alpha_o."""
    vals = []
    for o in range(out_ch):
        a = alphas[o % len(alphas)]
        vals += [a if rng.random() < 0.5 else -a for _ in range(per_out)]
    return vals


def floats(n, lo=-1.0, hi=1.0):
    return [round(rng.uniform(lo, hi) * 8) / 8 for _ in range(n)]


def const(name, shape, values):
    t = "x".join(map(str, shape)) + "xf32"
    return f"  %{name} = arith.constant dense<{hexf(values)}> : tensor<{t}>\n"


ZERO = "  %z = arith.constant 0.0 : f32\n"


def fill(name, shape, value="%z"):
    t = "x".join(map(str, shape)) + "xf32"
    return (f"  %{name}_e = tensor.empty() : tensor<{t}>\n"
            f"  %{name} = linalg.fill ins({value} : f32) outs(%{name}_e : tensor<{t}>) -> tensor<{t}>\n")


MAPS = """#id2 = affine_map<(d0, d1) -> (d0, d1)>
#ch2 = affine_map<(d0, d1) -> (d1)>
#id4 = affine_map<(d0, d1, d2, d3) -> (d0, d1, d2, d3)>
#ch4 = affine_map<(d0, d1, d2, d3) -> (d3)>
#chN = affine_map<(d0, d1, d2, d3) -> (d1)>
#mk = affine_map<(m, n, k) -> (m, k)>
#nk = affine_map<(m, n, k) -> (n, k)>
#kn = affine_map<(m, n, k) -> (k, n)>
#mn = affine_map<(m, n, k) -> (m, n)>
"""

forms = []  # (name, in_shape, out_shape, body)


def form(name, in_shape, out_shape, body, desc):
    forms.append((name, in_shape, out_shape, body, desc))


def t(shape):
    return "tensor<" + "x".join(map(str, shape)) + "xf32>"


# 1. A generic matmul with the weights read as [O, K].
form("generic_matmul_nk", [2, 64], [2, 8],
     const("w", [8, 64], pm_alpha(8, 64)) + ZERO + fill("i", [2, 8]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %r = linalg.generic {indexing_maps = [#mk, #nk, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%s, %w : tensor<2x64xf32>, tensor<8x64xf32>) outs(%i : tensor<2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<2x8xf32>
""", "linalg.generic matmul, B as [N, K]")

# 2. A generic matmul with the weights read as [K, O], product operands swapped.
w = pm_alpha(8, 64)
wkn = [w[o * 64 + k] for k in range(64) for o in range(8)]
form("generic_matmul_kn", [2, 64], [2, 8],
     const("w", [64, 8], wkn) + ZERO + fill("i", [2, 8]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %r = linalg.generic {indexing_maps = [#mk, #kn, #mn], iterator_types = ["parallel", "parallel", "reduction"]} ins(%s, %w : tensor<2x64xf32>, tensor<64x8xf32>) outs(%i : tensor<2x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %b, %a : f32
    %q = arith.addf %p, %o : f32
    linalg.yield %q : f32
  } -> tensor<2x8xf32>
""", "linalg.generic matmul, B as [K, N]")

# 3. matmul of a transposed constant weight (torch-mlir's aten.linear).
form("matmul_transposed_weight", [2, 64], [2, 8],
     const("w", [8, 64], pm_alpha(8, 64)) + ZERO + fill("i", [2, 8]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %te = tensor.empty() : tensor<64x8xf32>
  %wt = linalg.transpose ins(%w : tensor<8x64xf32>) outs(%te : tensor<64x8xf32>) permutation = [1, 0]
  %r = linalg.matmul ins(%s, %wt : tensor<2x64xf32>, tensor<64x8xf32>) outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "linalg.matmul of linalg.transpose(constant)")

# 4. matvec with a constant matrix.
form("matvec", [64], [8],
     const("w", [8, 64], pm_alpha(8, 64)) + ZERO + fill("i", [8]).replace("8xf32", "8xf32") + """\
  %s = bnn.sign %x : tensor<64xf32>
  %r = linalg.matvec ins(%w, %s : tensor<8x64xf32>, tensor<64xf32>) outs(%i : tensor<8xf32>) -> tensor<8xf32>
""", "linalg.matvec with constant weights")

# 5. conv_2d_nhwc_hwcf (TOSA / TF layout of the filter).
w = pm_alpha(16, 3 * 3 * 8)  # [F, KH, KW, C]
whwcf = [w[f * 72 + (kh * 3 + kw) * 8 + c] for kh in range(3) for kw in range(3) for c in range(8) for f in range(16)]
form("conv_hwcf", [1, 6, 6, 8], [1, 4, 4, 16],
     const("w", [3, 3, 8, 16], whwcf) + ZERO + fill("i", [1, 4, 4, 16]) + """\
  %s = bnn.sign %x : tensor<1x6x6x8xf32>
  %r = linalg.conv_2d_nhwc_hwcf {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s, %w : tensor<1x6x6x8xf32>, tensor<3x3x8x16xf32>) outs(%i : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
""", "linalg.conv_2d_nhwc_hwcf")

# 6. An NCHW network (torch-mlir): float conv, batch norm on channel dim 1,
# sign, binary conv with padding, sign, max pool, flatten, binary dense.
form("nchw_network", [1, 3, 8, 8], [1, 10],
     const("w1", [8, 3, 3, 3], floats(8 * 27)) +
     const("mean", [8], floats(8, -0.5, 0.5)) +
     const("w2", [16, 8, 3, 3], pm_alpha(16, 72)) +
     const("wd", [10, 256], pm_alpha(10, 256)) + ZERO +
     "  %ninf = arith.constant 0xFF800000 : f32\n" +
     fill("i1", [1, 8, 8, 8]) + fill("i2", [1, 16, 8, 8]) +
     fill("ip", [1, 16, 4, 4], "%ninf") + fill("id", [1, 10]) + """\
  %xp = tensor.pad %x low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a0: index, %a1: index, %a2: index, %a3: index):
    tensor.yield %z : f32
  } : tensor<1x3x8x8xf32> to tensor<1x3x10x10xf32>
  %c1 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%xp, %w1 : tensor<1x3x10x10xf32>, tensor<8x3x3x3xf32>) outs(%i1 : tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %eb = tensor.empty() : tensor<1x8x8x8xf32>
  %bn = linalg.generic {indexing_maps = [#id4, #chN, #id4], iterator_types = ["parallel", "parallel", "parallel", "parallel"]} ins(%c1, %mean : tensor<1x8x8x8xf32>, tensor<8xf32>) outs(%eb : tensor<1x8x8x8xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %d = arith.subf %a, %b : f32
    linalg.yield %d : f32
  } -> tensor<1x8x8x8xf32>
  %s1 = bnn.sign %bn : tensor<1x8x8x8xf32>
  %s1p = tensor.pad %s1 low[0, 0, 1, 1] high[0, 0, 1, 1] {
  ^bb0(%a0: index, %a1: index, %a2: index, %a3: index):
    tensor.yield %z : f32
  } : tensor<1x8x8x8xf32> to tensor<1x8x10x10xf32>
  %c2 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s1p, %w2 : tensor<1x8x10x10xf32>, tensor<16x8x3x3xf32>) outs(%i2 : tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %s2 = bnn.sign %c2 : tensor<1x16x8x8xf32>
  %win = tensor.empty() : tensor<2x2xf32>
  %p = linalg.pooling_nchw_max {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>} ins(%s2, %win : tensor<1x16x8x8xf32>, tensor<2x2xf32>) outs(%ip : tensor<1x16x4x4xf32>) -> tensor<1x16x4x4xf32>
  %f = tensor.collapse_shape %p [[0], [1, 2, 3]] : tensor<1x16x4x4xf32> into tensor<1x256xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%f, %wd : tensor<1x256xf32>, tensor<10x256xf32>) outs(%id : tensor<1x10xf32>) -> tensor<1x10xf32>
""", "NCHW convolutions, batch norm, max pool and flatten")

# 7/8. Layers that accumulate into a broadcast bias.
form("conv_bias_init", [1, 6, 6, 8], [1, 4, 4, 16],
     const("w", [16, 3, 3, 8], pm_alpha(16, 72)) + const("b", [16], floats(16)) + """\
  %s = bnn.sign %x : tensor<1x6x6x8xf32>
  %be = tensor.empty() : tensor<1x4x4x16xf32>
  %i = linalg.broadcast ins(%b : tensor<16xf32>) outs(%be : tensor<1x4x4x16xf32>) dimensions = [0, 1, 2]
  %r = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%s, %w : tensor<1x6x6x8xf32>, tensor<16x3x3x8xf32>) outs(%i : tensor<1x4x4x16xf32>) -> tensor<1x4x4x16xf32>
""", "convolution into a broadcast bias")
form("matmul_bias_init", [2, 64], [2, 8],
     const("w", [8, 64], pm_alpha(8, 64)) + const("b", [8], floats(8)) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %be = tensor.empty() : tensor<2x8xf32>
  %i = linalg.broadcast ins(%b : tensor<8xf32>) outs(%be : tensor<2x8xf32>) dimensions = [0]
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w : tensor<2x64xf32>, tensor<8x64xf32>) outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "matmul into a broadcast bias")

# 9. Sign as a generic (cmpf olt + select), then a binary dense layer.
form("sign_generic", [2, 64], [2, 8],
     const("w", [8, 64], pm_alpha(8, 64)) + ZERO + fill("i", [2, 8]) + """\
  %se = tensor.empty() : tensor<2x64xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x64xf32>) outs(%se : tensor<2x64xf32>) {
  ^bb0(%a: f32, %o: f32):
    %m1 = arith.constant -1.0 : f32
    %p1 = arith.constant 1.0 : f32
    %c = arith.cmpf olt, %a, %z : f32
    %v = arith.select %c, %m1, %p1 : f32
    linalg.yield %v : f32
  } -> tensor<2x64xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w : tensor<2x64xf32>, tensor<8x64xf32>) outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "sign as cmpf olt + select")

# 10. TOSA's greater_equal + select as lowered (unordered: +1 at NaN).
form("sign_tosa", [2, 64], [2, 8],
     const("w", [8, 64], pm_alpha(8, 64)) + ZERO + fill("i", [2, 8]) + """\
  %ce = tensor.empty() : tensor<2x64xi1>
  %c = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%x : tensor<2x64xf32>) outs(%ce : tensor<2x64xi1>) {
  ^bb0(%a: f32, %o: i1):
    %v = arith.cmpf uge, %a, %z : f32
    linalg.yield %v : i1
  } -> tensor<2x64xi1>
  %se = tensor.empty() : tensor<2x64xf32>
  %s = linalg.generic {indexing_maps = [#id2, #id2], iterator_types = ["parallel", "parallel"]} ins(%c : tensor<2x64xi1>) outs(%se : tensor<2x64xf32>) {
  ^bb0(%a: i1, %o: f32):
    %m1 = arith.constant -1.0 : f32
    %p1 = arith.constant 1.0 : f32
    %v = arith.select %a, %p1, %m1 : f32
    linalg.yield %v : f32
  } -> tensor<2x64xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w : tensor<2x64xf32>, tensor<8x64xf32>) outs(%i : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "sign as TOSA's greater_equal + select")

# 11. Batch norm written with rsqrt(var + eps) on constants between two
# binary layers: the constants fold, the batch norm becomes a threshold.
form("batchnorm_rsqrt", [2, 64], [2, 8],
     const("w1", [32, 64], pm_alpha(32, 64)) + const("w2", [8, 32], pm_alpha(8, 32)) +
     const("var", [32], [rng.uniform(0.5, 2.0) for _ in range(32)]) +
     const("mean", [32], floats(32, -4, 4)) + ZERO + fill("i1", [2, 32]) + fill("i2", [2, 8]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %h = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w1 : tensor<2x64xf32>, tensor<32x64xf32>) outs(%i1 : tensor<2x32xf32>) -> tensor<2x32xf32>
  %ie = tensor.empty() : tensor<32xf32>
  %inv = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%var : tensor<32xf32>) outs(%ie : tensor<32xf32>) {
  ^bb0(%a: f32, %o: f32):
    %eps = arith.constant 1.0e-5 : f32
    %v = arith.addf %a, %eps : f32
    %rs = math.rsqrt %v : f32
    linalg.yield %rs : f32
  } -> tensor<32xf32>
  %be = tensor.empty() : tensor<2x32xf32>
  %bn = linalg.generic {indexing_maps = [#id2, #ch2, #ch2, #id2], iterator_types = ["parallel", "parallel"]} ins(%h, %mean, %inv : tensor<2x32xf32>, tensor<32xf32>, tensor<32xf32>) outs(%be : tensor<2x32xf32>) {
  ^bb0(%a: f32, %m: f32, %k: f32, %o: f32):
    %d = arith.subf %a, %m : f32
    %n = arith.mulf %d, %k : f32
    linalg.yield %n : f32
  } -> tensor<2x32xf32>
  %s2 = bnn.sign %bn : tensor<2x32xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s2, %w2 : tensor<2x32xf32>, tensor<8x32xf32>) outs(%i2 : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "batch norm as rsqrt(var + eps) on constants")

# A convolution written as a generic (strided, on a padded sign): upstream's
# specialization names it.
w = pm_alpha(16, 72)
form("generic_conv", [1, 7, 7, 8], [1, 4, 4, 16],
     const("w", [16, 3, 3, 8], w) + ZERO + fill("i", [1, 4, 4, 16]) + """\
  %s = bnn.sign %x : tensor<1x7x7x8xf32>
  %sp = tensor.pad %s low[0, 1, 1, 0] high[0, 1, 1, 0] {
  ^bb0(%a0: index, %a1: index, %a2: index, %a3: index):
    tensor.yield %z : f32
  } : tensor<1x7x7x8xf32> to tensor<1x9x9x8xf32>
  %r = linalg.generic {indexing_maps = [affine_map<(n, h, w, f, kh, kw, c) -> (n, h * 2 + kh, w * 2 + kw, c)>, affine_map<(n, h, w, f, kh, kw, c) -> (f, kh, kw, c)>, affine_map<(n, h, w, f, kh, kw, c) -> (n, h, w, f)>], iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]} ins(%sp, %w : tensor<1x9x9x8xf32>, tensor<16x3x3x8xf32>) outs(%i : tensor<1x4x4x16xf32>) {
  ^bb0(%a: f32, %b: f32, %o: f32):
    %p = arith.mulf %a, %b : f32
    %q = arith.addf %o, %p : f32
    linalg.yield %q : f32
  } -> tensor<1x4x4x16xf32>
""", "a strided convolution written as a linalg.generic")

# A dense layer on a [B, M, K] activation as a batch matmul with the same
# constant matrix in every batch.
wb = pm_alpha(8, 64)
wkn = [wb[o * 64 + k] for k in range(64) for o in range(8)]
form("batch_matmul_shared", [2, 3, 64], [2, 3, 8],
     const("w", [2, 64, 8], wkn + wkn) + ZERO + fill("i", [2, 3, 8]) + """\
  %s = bnn.sign %x : tensor<2x3x64xf32>
  %r = linalg.batch_matmul ins(%s, %w : tensor<2x3x64xf32>, tensor<2x64x8xf32>) outs(%i : tensor<2x3x8xf32>) -> tensor<2x3x8xf32>
""", "linalg.batch_matmul with one constant matrix for every batch")

# 12. Hardtanh and PReLU between a binary layer and the next sign: fused
# into the threshold (evaluated per accumulator value).
form("hardtanh_prelu", [2, 64], [2, 8],
     const("w1", [16, 64], pm_alpha(16, 64)) + const("w2", [8, 16], pm_alpha(8, 16)) +
     const("b", [16], floats(16, -3, 3)) +
     const("slope", [16], [0.25, 0.5, 2.0, 0.1] * 4) + ZERO +
     fill("i1", [2, 16]) + fill("i2", [2, 8]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %h = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w1 : tensor<2x64xf32>, tensor<16x64xf32>) outs(%i1 : tensor<2x16xf32>) -> tensor<2x16xf32>
  %ae = tensor.empty() : tensor<2x16xf32>
  %a = linalg.generic {indexing_maps = [#id2, #ch2, #ch2, #id2], iterator_types = ["parallel", "parallel"]} ins(%h, %b, %slope : tensor<2x16xf32>, tensor<16xf32>, tensor<16xf32>) outs(%ae : tensor<2x16xf32>) {
  ^bb0(%v: f32, %bb: f32, %sl: f32, %o: f32):
    %m1 = arith.constant -1.0 : f32
    %p1 = arith.constant 1.0 : f32
    %t = arith.addf %v, %bb : f32
    %ht = arith.maximumf %t, %m1 : f32
    %ht2 = arith.minimumf %ht, %p1 : f32
    %neg = arith.cmpf olt, %ht2, %z : f32
    %sc = arith.mulf %ht2, %sl : f32
    %pr = arith.select %neg, %sc, %ht2 : f32
    linalg.yield %pr : f32
  } -> tensor<2x16xf32>
  %s2 = bnn.sign %a : tensor<2x16xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s2, %w2 : tensor<2x16xf32>, tensor<8x16xf32>) outs(%i2 : tensor<2x8xf32>) -> tensor<2x8xf32>
""", "hardtanh and PReLU between binary layers")

# 12. A TOSA model: greater_equal + select as the sign, conv2d (OHWI
# weights) with a bias; bnn-compile runs the upstream TOSA pipeline first.
def tosa_const(name, shape, values):
    ty = "tensor<" + "x".join(map(str, shape)) + "xf32>"
    return f'  %{name} = "tosa.const"() <{{values = dense<{hexf(values)}> : {ty}}}> : () -> {ty}\n'


form("tosa_conv", [1, 6, 6, 8], [1, 6, 6, 16],
     tosa_const("w", [16, 3, 3, 8], pm_alpha(16, 72)) +
     tosa_const("b", [16], floats(16)) + """\
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %one = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %mone = "tosa.const"() <{values = dense<-1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.greater_equal %x, %zero : (tensor<1x6x6x8xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x8xi1>
  %s = tosa.select %c, %one, %mone : (tensor<1x6x6x8xi1>, tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>) -> tensor<1x6x6x8xf32>
  %r = tosa.conv2d %s, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x8xf32>, tensor<16x3x3x8xf32>, tensor<16xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x16xf32>
""", "a TOSA model: greater_equal + select, conv2d with a bias")

# 12. A binary layer in a called function, called twice.
CALLEE = ("func.func private @binary_dense(%x: tensor<2x64xf32>) -> tensor<2x64xf32> {\n" +
          const("w", [64, 64], pm_alpha(64, 64)) + ZERO + fill("i", [2, 64]) + """\
  %s = bnn.sign %x : tensor<2x64xf32>
  %r = linalg.matmul indexing_maps = [#mk, #nk, #mn] ins(%s, %w : tensor<2x64xf32>, tensor<64x64xf32>) outs(%i : tensor<2x64xf32>) -> tensor<2x64xf32>
  return %r : tensor<2x64xf32>
}
""")
form("called_twice", [2, 64], [2, 64], """\
  %a = func.call @binary_dense(%x) : (tensor<2x64xf32>) -> tensor<2x64xf32>
  %r = func.call @binary_dense(%a) : (tensor<2x64xf32>) -> tensor<2x64xf32>
""", "a binary layer in a function called twice")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", required=True)
    args = parser.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "forms.mlir"), "w") as f:
        f.write("// Generated by gen_forms.py.\n" + MAPS + "\n")
        f.write(CALLEE + "\n")
        for name, ins, outs, body, desc in forms:
            f.write(f"// {desc}\n")
            f.write(f"func.func @form_{name}(%x: {t(ins)}) -> {t(outs)} {{\n")
            f.write(body)
            f.write(f"  return %r : {t(outs)}\n}}\n\n")
    with open(os.path.join(args.out_dir, "cases.inc"), "w") as f:
        for name, ins, outs, _, _ in forms:
            n_in = 1
            for d in ins:
                n_in *= d
            n_out = 1
            for d in outs:
                n_out *= d
            f.write(f"CASE({name}, {n_in}, {n_out})\n")


if __name__ == "__main__":
    main()
