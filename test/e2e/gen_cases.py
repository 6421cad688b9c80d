#!/usr/bin/env python3
"""Generates the end-to-end differential test cases of bnn-mlir.

Writes two files into --out-dir:

  cases.mlir  one public function `case_<N>` per case, each holding one bnn op
              or a short chain of them; every argument is a tensor with a
              static shape (f32 for float operands, i32/i64 words for packed
              operands, i32 for accumulators and thresholds).
  cases.inc   the same cases for harness.cpp: the C declaration of each
              compiled function, a builder function that replays the case on
              the reference library (lib/Reference) and a lambda that calls
              the compiled function with typed pointers.

Shapes cross every boundary of the packed layout (channels 1, 31, 32, 33, 63,
64, 65, 200 with 32- and 64-bit words), and the convolution cases vary
strides, dilations, asymmetric padding, pad_value, groups, ternary masks and
the batch size. Everything is deterministic: a fixed seed picks the
variations, and the harness seeds its input generator with the case id.

Only the Python standard library is used.
"""

import argparse
import collections
import math
import os
import random
import sys

WORD_WIDTHS = (32, 64)
CHANNELS = (1, 31, 32, 33, 63, 64, 65, 200)
ESTIMATORS = (None, "approx", "swish", "identity", "ste")


def words(size, w):
    return (size + w - 1) // w


def conv_out(size, kernel, stride, dilation, before, after):
    span = dilation * (kernel - 1) + 1
    padded = size + before + after
    if padded < span:
        return 0
    return (padded - span) // stride + 1


def tensor_type(shape, elem):
    return "tensor<" + "".join("%dx" % d for d in shape) + elem + ">"


def cpp_shape(shape):
    return "S{" + ", ".join(str(d) for d in shape) + "}"


def cpp_list(values):
    return "{" + ", ".join(str(v) for v in values) + "}"


class Value:
    """A tensor value of a case: its ABI shape and kind.

    kind is "f32", "acc" (i32 accumulators or thresholds) or "packed" (words
    of `w` bits; `logical` is the logical length of the innermost axis).
    """

    def __init__(self, name, var, kind, shape, w=None, logical=None):
        self.name = name  # MLIR SSA name
        self.var = var  # C++ variable holding the harness value id
        self.kind = kind
        self.shape = list(shape)
        self.w = w
        self.logical = logical

    @property
    def elem(self):
        if self.kind == "f32":
            return "f32"
        if self.kind == "acc":
            return "i32"
        return "i%d" % self.w

    @property
    def type(self):
        return tensor_type(self.shape, self.elem)

    @property
    def ctype(self):
        if self.kind == "f32":
            return "float"
        if self.kind == "acc":
            return "int32_t"
        return "uint%d_t" % self.w


class Case:
    """One function of cases.mlir and its replay in cases.inc."""

    def __init__(self, cid, op, desc):
        self.id = cid
        self.op = op  # the main op, for the per-op counts
        self.desc = desc
        self.args = []
        self.results = []
        self.body = []  # MLIR lines
        self.cpp = []  # C++ builder lines
        self.counter = 0
        self.features = set()

    # -- values --------------------------------------------------------------

    def _new(self, kind, shape, w=None, logical=None, arg=False):
        n = self.counter
        self.counter += 1
        name = ("%%arg%d" % len(self.args)) if arg else ("%%v%d" % n)
        v = Value(name, "v%d" % n, kind, shape, w, logical)
        if arg:
            self.args.append(v)
        return v

    def in_f32(self, shape, gen="Float"):
        v = self._new("f32", shape, arg=True)
        self.cpp.append("int %s = b.inF32(%s, Gen::%s);" % (v.var, cpp_shape(shape), gen))
        return v

    def in_acc(self, shape, lo, hi):
        v = self._new("acc", shape, arg=True)
        self.cpp.append("int %s = b.inI32(%s, %d, %d);" % (v.var, cpp_shape(shape), lo, hi))
        return v

    def in_packed(self, logical_shape, w, plane="sign"):
        """A packed argument made by packing random floats (sign plane: random
        values of [-2, 2]; nonzero plane: random {-1, 0, 1})."""
        shape = list(logical_shape[:-1]) + [words(logical_shape[-1], w)]
        v = self._new("packed", shape, w, logical_shape[-1], arg=True)
        self.cpp.append("int %s = b.inPacked(%s, %d, ref::Plane::%s);" % (
            v.var, cpp_shape(logical_shape), w, "Sign" if plane == "sign" else "Nonzero"))
        return v

    # -- ops -----------------------------------------------------------------

    def _emit(self, result, mlir, cpp):
        self.body.append("    %s = %s" % (result.name, mlir))
        self.cpp.append("int %s = %s;" % (result.var, cpp))
        return result

    def sign(self, x, estimator=None):
        r = self._new("f32", x.shape)
        est = " estimator = %s" % estimator if estimator else ""
        return self._emit(r, "bnn.sign %s%s : %s" % (x.name, est, x.type),
                          "b.sign(%s)" % x.var)

    def orthonormal_transform(self, x, q, axis, transpose):
        r = self._new("f32", x.shape)
        tr = " transpose = true" if transpose else ""
        return self._emit(
            r, "bnn.orthonormal_transform %s, %s axis = %d%s : %s, %s" % (
                x.name, q.name, axis, tr, x.type, q.type),
            "b.orthonormalTransform(%s, %s, %d, %s)" % (
                x.var, q.var, axis, "true" if transpose else "false"))

    def importance_sign(self, x, s, estimator=None):
        r = self._new("f32", x.shape)
        est = " estimator = %s" % estimator if estimator else ""
        return self._emit(
            r, "bnn.importance_sign %s, %s%s : %s, %s" % (x.name, s.name, est, x.type, s.type),
            "b.importanceSign(%s, %s)" % (x.var, s.var))

    def ternary(self, x, delta):
        r = self._new("f32", x.shape)
        return self._emit(
            r, "bnn.ternary %s, %s : %s, %s" % (x.name, delta.name, x.type, delta.type),
            "b.ternary(%s, %s)" % (x.var, delta.var))

    def sq_regularizer(self, w, beta):
        r = self._new("f32", [])
        return self._emit(
            r, "bnn.sq_regularizer %s, %s : %s, %s" % (w.name, beta.name, w.type, beta.type),
            "b.sqRegularizer(%s, %s)" % (w.var, beta.var))

    def pack(self, x, w, plane="sign"):
        assert x.kind == "f32"
        shape = x.shape[:-1] + [words(x.shape[-1], w)]
        r = self._new("packed", shape, w, x.shape[-1])
        pl = " plane = nonzero" if plane == "nonzero" else ""
        self.features.add("plane_" + plane)
        return self._emit(
            r, "bnn.pack %s%s : %s -> %s" % (x.name, pl, x.type, r.type),
            "b.pack(%s, %d, ref::Plane::%s)" % (
                x.var, w, "Sign" if plane == "sign" else "Nonzero"))

    def unpack(self, p, size=None):
        assert p.kind == "packed"
        size = p.logical if size is None else size
        r = self._new("f32", p.shape[:-1] + [size])
        return self._emit(
            r, "bnn.unpack %s size = %d : %s -> %s" % (p.name, size, p.type, r.type),
            "b.unpack(%s, %d)" % (p.var, size))

    def bconv2d(self, x, f, mask=None, channels_in=None, strides=(1, 1),
                dilations=(1, 1), padding=(0, 0, 0, 0), pad_value=0, groups=1,
                explicit_defaults=False):
        c = x.logical if channels_in is None else channels_in
        n, h, wd, _ = x.shape
        o, kh, kw, fw = f.shape
        assert x.w == f.w and fw == words(c // groups, x.w)
        assert c % groups == 0 and o % groups == 0
        assert groups == 1 or (c // groups) % x.w == 0
        oh = conv_out(h, kh, strides[0], dilations[0], padding[0], padding[1])
        ow = conv_out(wd, kw, strides[1], dilations[1], padding[2], padding[3])
        assert oh > 0 and ow > 0, (h, wd, kh, kw, strides, dilations, padding)
        r = self._new("acc", [n, oh, ow, o])
        text = "bnn.bconv2d %s, %s" % (x.name, f.name)
        if mask is not None:
            text += " mask %s" % mask.name
        text += " channels_in = %d strides = [%d, %d]" % (c, strides[0], strides[1])
        if list(dilations) != [1, 1] or explicit_defaults:
            text += " dilations = [%d, %d]" % tuple(dilations)
        text += " padding = [%d, %d, %d, %d]" % tuple(padding)
        if pad_value != 0 or explicit_defaults:
            text += " pad_value = %d" % pad_value
        if groups != 1 or explicit_defaults:
            text += " groups = %d" % groups
        text += " : %s, %s" % (x.type, f.type)
        if mask is not None:
            text += ", %s" % mask.type
        text += " -> %s" % r.type
        self.features.update(self._conv_features(x.w, mask, strides, dilations,
                                                  padding, pad_value, groups, n))
        return self._emit(
            r, text, "b.bconv2d(%s, %s, %s, conv(%d, %s, %s, %s, %d, %d))" % (
                x.var, f.var, mask.var if mask is not None else "-1", c,
                cpp_list(strides), cpp_list(dilations), cpp_list(padding),
                pad_value, groups))

    @staticmethod
    def _conv_features(w, mask, strides, dilations, padding, pad_value, groups, n):
        feats = set()
        if mask is not None:
            feats.add("mask")
        if max(strides) > 1:
            feats.add("stride")
        if max(dilations) > 1:
            feats.add("dilation")
        if padding[0] != padding[1] or padding[2] != padding[3]:
            feats.add("asym_padding")
        if any(padding):
            feats.add("padding")
        if pad_value == 1 and any(padding):
            feats.add("pad_value_1")
        if groups > 1:
            feats.add("groups")
        if n > 1:
            feats.add("batch")
        return feats

    def bdense(self, x, f, mask=None, size=None):
        size = x.logical if size is None else size
        assert x.w == f.w and x.shape[1] == f.shape[1] == words(size, x.w)
        r = self._new("acc", [x.shape[0], f.shape[0]])
        text = "bnn.bdense %s, %s" % (x.name, f.name)
        if mask is not None:
            text += " mask %s" % mask.name
            self.features.add("mask")
        text += " size = %d : %s, %s" % (size, x.type, f.type)
        if mask is not None:
            text += ", %s" % mask.type
        text += " -> %s" % r.type
        return self._emit(r, text, "b.bdense(%s, %s, %s, %d)" % (
            x.var, f.var, mask.var if mask is not None else "-1", size))

    def bmaxpool2d(self, x, kernel, strides, padding):
        n, h, wd, c = x.shape
        assert all(padding[i] < kernel[i // 2] for i in range(4))
        oh = conv_out(h, kernel[0], strides[0], 1, padding[0], padding[1])
        ow = conv_out(wd, kernel[1], strides[1], 1, padding[2], padding[3])
        assert oh > 0 and ow > 0
        r = self._new("packed", [n, oh, ow, c], x.w, x.logical)
        if max(strides) > 1:
            self.features.add("stride")
        if any(padding):
            self.features.add("padding")
        return self._emit(
            r, "bnn.bmaxpool2d %s kernel = [%d, %d] strides = [%d, %d] "
               "padding = [%d, %d, %d, %d] : %s -> %s" % (
                   (x.name,) + tuple(kernel) + tuple(strides) + tuple(padding) +
                   (x.type, r.type)),
            "b.bmaxpool2d(%s, pool(%s, %s, %s))" % (
                x.var, cpp_list(kernel), cpp_list(strides), cpp_list(padding)))

    def scale(self, acc, mul, bias):
        r = self._new("f32", acc.shape)
        return self._emit(
            r, "bnn.scale %s, %s, %s : %s, %s, %s" % (
                acc.name, mul.name, bias.name, acc.type, mul.type, bias.type),
            "b.scale(%s, %s, %s)" % (acc.var, mul.var, bias.var))

    def threshold(self, acc, thr, w):
        o = acc.shape[-1]
        r = self._new("packed", acc.shape[:-1] + [words(o, w)], w, o)
        return self._emit(
            r, "bnn.threshold %s, %s : %s, %s -> %s" % (
                acc.name, thr.name, acc.type, thr.type, r.type),
            "b.threshold(%s, %s, %d)" % (acc.var, thr.var, w))

    def ret(self, *values):
        self.results = list(values)

    # -- output --------------------------------------------------------------

    def mlir(self):
        args = ", ".join("%s: %s" % (a.name, a.type) for a in self.args)
        res = ", ".join(r.type for r in self.results)
        if len(self.results) != 1:
            res = "(" + res + ")"
        lines = ["// case %d: %s" % (self.id, self.desc),
                 "func.func @case_%d(%s) -> %s {" % (self.id, args, res)]
        lines += self.body
        lines.append("    return %s : %s" % (
            ", ".join(r.name for r in self.results),
            ", ".join(r.type for r in self.results)))
        lines.append("}")
        return "\n".join(lines)

    def decl(self):
        params = ["const %s *" % a.ctype for a in self.args]
        params += ["%s *" % r.ctype for r in self.results]
        return 'extern "C" __attribute__((weak)) void case_%d(%s);' % (self.id, ", ".join(params))

    def builder(self):
        lines = ["static void build_case_%d(Builder &b) {" % self.id,
                 '  b.begin(%d, "%s", "%s");' % (self.id, self.op, self.desc)]
        lines += ["  " + l for l in self.cpp]
        for r in self.results:
            lines.append("  b.out(%s, %s);" % (r.var, cpp_shape(r.shape)))
        casts = ["(const %s *)a[%d]" % (a.ctype, i) for i, a in enumerate(self.args)]
        casts += ["(%s *)a[%d]" % (r.ctype, len(self.args) + i)
                  for i, r in enumerate(self.results)]
        lines.append("  b.defined = &case_%d != nullptr;" % self.id)
        lines.append("  b.call = [](void **a) { case_%d(%s); };" % (self.id, ", ".join(casts)))
        lines.append("}")
        return "\n".join(lines)


class Suite:
    def __init__(self):
        self.cases = []

    def case(self, op, desc):
        c = Case(len(self.cases), op, desc)
        self.cases.append(c)
        return c


def fmt_list(xs):
    return "x".join(str(x) for x in xs)


# ---------------------------------------------------------------------------
# Level 1
# ---------------------------------------------------------------------------

def gen_level1(s, rng):
    # bnn.sign, including NaN, infinities, -0.0 and denormals (Gen::Special).
    shapes = [[7], [5, 7, 3], [2, 5, 7, 65], [200], [], [1, 1], [3, 33], [2, 3, 5, 64]]
    for i, shape in enumerate(shapes):
        est = ESTIMATORS[i % len(ESTIMATORS)]
        gen = "Special" if i % 2 == 0 else "Float"
        c = s.case("sign", "sign %s estimator=%s inputs=%s" % (
            tensor_type(shape, "f32"), est or "default", gen))
        c.ret(c.sign(c.in_f32(shape, gen), est))

    # bnn.orthonormal_transform on every axis, with and without transpose.
    for shape, axis, tr in [([5, 3], 1, False), ([5, 3], 0, True),
                            ([4, 3, 3, 8], 3, False), ([4, 3, 3, 8], 3, True),
                            ([4, 3, 3, 8], 0, False), ([2, 5, 7], 1, True),
                            ([33, 10], 0, False), ([6, 64], 1, True),
                            ([1, 1], 0, False), ([3, 65], 1, False)]:
        n = shape[axis]
        c = s.case("orthonormal_transform", "orthonormal_transform %s axis=%d transpose=%s" % (
            tensor_type(shape, "f32"), axis, tr))
        c.ret(c.orthonormal_transform(c.in_f32(shape), c.in_f32([n, n], "Orthonormal"), axis, tr))

    # bnn.importance_sign: s random >= 0 with zeros, all ones (XNOR-Net),
    # all zeros (alpha = 0).
    for shape, sgen in [([16, 3, 3, 8], "NonNeg"), ([5, 7], "NonNeg"), ([1, 33], "Ones"),
                        ([4, 64], "NonNeg"), ([3, 2, 2, 65], "NonNeg"), ([7], "NonNeg"),
                        ([6, 5], "Zeros"), ([2, 200], "Ones")]:
        c = s.case("importance_sign", "importance_sign %s s=%s" % (tensor_type(shape, "f32"), sgen))
        c.ret(c.importance_sign(c.in_f32(shape), c.in_f32(shape[1:], sgen),
                                "approx" if sgen == "Ones" else None))

    # bnn.ternary: delta random in [0, 1.5] with exact 0 and 1 (ties with
    # x = +-1), and a delta above every |x| (alpha = 0).
    for shape, dgen in [([16, 3, 3, 8], "Delta"), ([5, 7], "Delta"), ([1, 33], "Delta"),
                        ([4, 64], "Delta"), ([3, 2, 2, 65], "Delta"), ([7], "Delta"),
                        ([2, 200], "Delta"), ([4, 9], "DeltaLarge")]:
        c = s.case("ternary", "ternary %s delta=%s" % (tensor_type(shape, "f32"), dgen))
        c.ret(c.ternary(c.in_f32(shape), c.in_f32(shape[:1], dgen)))

    # bnn.sq_regularizer: beta in [pi/4, pi/2), exactly pi/4, an all-zero w.
    for shape, wgen, bgen in [([16, 3, 3, 8], "Float", "Beta"), ([5, 7], "Float", "BetaQuarter"),
                              ([1], "Float", "Beta"), ([64, 65], "Float", "Beta"),
                              ([3, 200], "Ternary", "BetaQuarter"), ([2, 3], "Float", "BetaHigh"),
                              ([4, 4], "Zeros", "Beta")]:
        c = s.case("sq_regularizer", "sq_regularizer %s w=%s beta=%s" % (
            tensor_type(shape, "f32"), wgen, bgen))
        c.ret(c.sq_regularizer(c.in_f32(shape, wgen), c.in_f32([], bgen)))


# ---------------------------------------------------------------------------
# Level 2, one op per case
# ---------------------------------------------------------------------------

def shape_with_channels(rng, ch, i):
    prefixes = [[], [3], [2, 5, 7], [1, 5, 7], [2, 3]]
    return prefixes[i % len(prefixes)] + [ch]


def gen_pack_unpack(s, rng):
    i = 0
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            shape = shape_with_channels(rng, ch, i)
            plane = "nonzero" if i % 2 else "sign"
            gen = ["Float", "Special", "Ternary", "Float"][i % 4]
            c = s.case("pack", "pack %s -> i%d plane=%s inputs=%s" % (
                tensor_type(shape, "f32"), w, plane, gen))
            c.ret(c.pack(c.in_f32(shape, gen), w, plane))
            i += 1
        # Both planes of one tensor, two results.
        for shape, gen in [([3, 5, 65], "Ternary"), ([2, 200], "Special")]:
            c = s.case("pack", "pack both planes %s -> i%d inputs=%s" % (
                tensor_type(shape, "f32"), w, gen))
            x = c.in_f32(shape, gen)
            c.ret(c.pack(x, w, "sign"), c.pack(x, w, "nonzero"))
    i = 0
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            shape = shape_with_channels(rng, ch, i + 1)
            c = s.case("unpack", "unpack i%d %s size=%d" % (w, fmt_list(shape), ch))
            c.ret(c.unpack(c.in_packed(shape, w)))
            i += 1


CONV_KERNELS = [(3, 3), (1, 1), (2, 3), (3, 2), (3, 3), (1, 3)]
CONV_STRIDES = [(1, 1), (2, 2), (1, 2), (2, 1)]
CONV_DILATIONS = [(1, 1), (2, 2), (1, 2), (2, 1)]
CONV_PADDINGS = [(0, 0, 0, 0), (1, 1, 1, 1), (0, 1, 2, 0), (2, 1, 0, 1), (1, 0, 0, 1), (0, 2, 1, 1)]
CONV_HW = [(5, 7), (7, 5), (3, 9), (6, 6), (4, 5), (1, 1), (2, 3), (9, 3)]
CONV_OUT = [1, 5, 16, 33, 8, 3]


def fit_conv(h, wd, kernel, strides, dilations, padding):
    """Shrinks dilation and kernel until the output is non-empty."""
    kernel, dilations = list(kernel), list(dilations)
    for ax, size, (b, a) in ((0, h, padding[0:2]), (1, wd, padding[2:4])):
        while conv_out(size, kernel[ax], strides[ax], dilations[ax], b, a) <= 0:
            if dilations[ax] > 1:
                dilations[ax] -= 1
            else:
                kernel[ax] -= 1
    return tuple(kernel), tuple(dilations)


def conv_case(s, w, ch, kernel, strides, dilations, padding, pad_value, groups, mask,
              n, hw, o, explicit=False, op="bconv2d"):
    kernel, dilations = fit_conv(hw[0], hw[1], kernel, strides, dilations, padding)
    desc = ("bconv2d i%d C=%d N=%d HW=%s O=%d k=%s s=%s d=%s pad=[%s] pad_value=%d groups=%d%s" % (
        w, ch, n, fmt_list(hw), o, fmt_list(kernel), fmt_list(strides), fmt_list(dilations),
        ",".join(map(str, padding)), pad_value, groups, " mask" if mask else ""))
    c = s.case(op, desc)
    x = c.in_packed([n, hw[0], hw[1], ch], w)
    f = c.in_packed([o, kernel[0], kernel[1], ch // groups], w)
    m = c.in_packed([o, kernel[0], kernel[1], ch // groups], w, "nonzero") if mask else None
    c.ret(c.bconv2d(x, f, m, ch, strides, dilations, padding, pad_value, groups, explicit))
    return c


def gen_bconv2d(s, rng):
    i = 0
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            for v in range(3):
                conv_case(s, w, ch,
                          kernel=rng.choice(CONV_KERNELS), strides=CONV_STRIDES[(i + v) % 4],
                          dilations=CONV_DILATIONS[(i // 2 + v) % 4],
                          padding=CONV_PADDINGS[(i + 2 * v) % len(CONV_PADDINGS)],
                          pad_value=(i + v) % 2, groups=1, mask=(i // 3 + v) % 2 == 1,
                          n=1 + (i + v) % 2, hw=rng.choice(CONV_HW), o=rng.choice(CONV_OUT),
                          explicit=(i % 7 == 0 and v == 0))
                i += 1
    # Groups: channels_in / groups is a multiple of the word width.
    for w, ch, g, o, mask, pv, st, di, pad in [
            (32, 64, 2, 4, False, 0, (1, 1), (1, 1), (1, 1, 1, 1)),
            (32, 64, 2, 6, True, 1, (2, 2), (1, 1), (0, 1, 1, 0)),
            (32, 128, 2, 8, False, 1, (1, 1), (2, 2), (2, 1, 1, 2)),
            (32, 128, 4, 8, True, 0, (1, 2), (1, 1), (1, 0, 0, 1)),
            (64, 128, 2, 4, False, 1, (1, 1), (1, 1), (1, 1, 1, 1)),
            (64, 128, 2, 6, True, 0, (2, 1), (2, 1), (0, 1, 2, 0)),
            (64, 256, 2, 2, False, 0, (2, 2), (1, 1), (1, 1, 0, 0)),
            (64, 192, 3, 3, True, 1, (1, 1), (1, 2), (1, 0, 1, 0))]:
        conv_case(s, w, ch, (3, 3), st, di, pad, pv, g, mask, n=2 if mask else 1,
                  hw=(5, 7) if g == 2 else (4, 3), o=o)
    # More groups than bnn-lower splits (16): the one-generic form.
    conv_case(s, 32, 17 * 32, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 0, 17, True, 1,
              (3, 4), 34)
    # Windows entirely in the padding (1x1 kernel, padding 2), a kernel
    # larger than the input, a 1x1 output from stride 2.
    conv_case(s, 32, 33, (1, 1), (1, 1), (1, 1), (2, 1, 0, 1), 1, 1, True, 1, (3, 2), 5)
    conv_case(s, 64, 65, (1, 1), (2, 2), (1, 1), (2, 1, 0, 1), 0, 1, False, 2, (3, 2), 5)
    conv_case(s, 64, 31, (5, 5), (1, 1), (1, 1), (2, 2, 2, 2), 1, 1, False, 1, (2, 3), 4)
    conv_case(s, 32, 200, (3, 3), (2, 2), (1, 1), (0, 0, 0, 0), 0, 1, True, 2, (4, 4), 7)


def dense_case(s, w, n, size, o, mask, label="bdense"):
    c = s.case("bdense", "%s i%d N=%d K=%d O=%d%s" % (
        label, w, n, size, o, " mask" if mask else ""))
    x = c.in_packed([n, size], w)
    f = c.in_packed([o, size], w)
    m = c.in_packed([o, size], w, "nonzero") if mask else None
    c.ret(c.bdense(x, f, m, size))


def gen_bdense(s, rng):
    i = 0
    for w in WORD_WIDTHS:
        for size in CHANNELS + (1000,):
            for mask in (False, True):
                dense_case(s, w, [1, 2, 3][i % 3], size, [1, 7, 32, 65, 10][i % 5], mask)
                i += 1


def gen_tile_boundaries(s):
    """Shapes on the edges of the register tiles of bnn-tile: output channels
    that are not a multiple of any channel block (4 on SSE2, 8 on AVX2 and
    NEON, 32 on AVX-512), output widths with no divisor in the pixel budget
    (7, 11, 13) or a small one, padding on every single side, strides 2,
    ternary masks, both word widths; dense layers with odd batches and
    output counts."""
    for w, ch, o, hw, pad, st, mask, pv in [
            (64, 64, 33, (3, 7), (1, 1, 1, 1), (1, 1), False, 0),
            (64, 64, 70, (2, 11), (1, 0, 0, 0), (1, 1), True, 1),
            (32, 96, 40, (4, 13), (0, 1, 0, 0), (1, 1), False, 1),
            (32, 32, 9, (5, 13), (0, 0, 1, 0), (2, 2), True, 0),
            (64, 128, 65, (3, 14), (0, 0, 0, 1), (2, 1), False, 0),
            (64, 65, 31, (6, 9), (2, 0, 1, 2), (1, 2), True, 1),
            (32, 33, 100, (1, 25), (0, 0, 1, 1), (1, 1), False, 1),
            (64, 200, 17, (7, 7), (1, 1, 1, 1), (1, 1), True, 0)]:
        conv_case(s, w, ch, (3, 3), st, (1, 1), pad, pv, 1, mask, n=2 if mask else 1,
                  hw=hw, o=o)
    for w, n, size, o, mask in [(64, 5, 130, 33, False), (32, 7, 96, 70, True),
                                (64, 16, 512, 40, True), (32, 3, 33, 100, False)]:
        dense_case(s, w, n, size, o, mask, "bdense tile boundary")


POOL_KERNELS = [(2, 2), (3, 3), (1, 1), (2, 3), (3, 1)]
POOL_STRIDES = [(1, 1), (2, 2), (2, 1), (3, 3), (1, 2)]


def pool_case(s, w, ch, n, hw, kernel, strides, padding, op="bmaxpool2d"):
    c = s.case(op, "bmaxpool2d i%d C=%d N=%d HW=%s k=%s s=%s pad=[%s]" % (
        w, ch, n, fmt_list(hw), fmt_list(kernel), fmt_list(strides),
        ",".join(map(str, padding))))
    c.ret(c.bmaxpool2d(c.in_packed([n, hw[0], hw[1], ch], w), kernel, strides, padding))


def gen_bmaxpool2d(s, rng):
    i = 0
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            kernel = POOL_KERNELS[i % len(POOL_KERNELS)]
            strides = POOL_STRIDES[(i // 2) % len(POOL_STRIDES)]
            hw = rng.choice([(5, 7), (7, 5), (4, 4), (3, 9), (6, 5)])
            padding = tuple(rng.randrange(kernel[j // 2]) for j in range(4))
            if conv_out(hw[0], kernel[0], strides[0], 1, *padding[0:2]) <= 0 or \
               conv_out(hw[1], kernel[1], strides[1], 1, *padding[2:4]) <= 0:
                strides = (1, 1)
            pool_case(s, w, ch, 1 + i % 2, hw, kernel, strides, padding)
            i += 1
    pool_case(s, 32, 33, 2, (5, 7), (3, 3), (2, 2), (2, 1, 0, 2))
    pool_case(s, 64, 65, 1, (1, 1), (1, 1), (1, 1), (0, 0, 0, 0))
    pool_case(s, 64, 200, 2, (3, 3), (3, 3), (1, 1), (2, 2, 2, 2))
    # Windows of more than 16 taps (lowered as one window reduction).
    pool_case(s, 32, 40, 1, (6, 7), (5, 5), (1, 2), (2, 0, 1, 3))
    pool_case(s, 64, 64, 2, (4, 5), (4, 5), (4, 5), (0, 0, 0, 0))
    pool_case(s, 32, 64, 1, (8, 8), (2, 2), (2, 2), (0, 0, 0, 0))


def gen_scale_threshold(s, rng):
    shapes = [[1], [31], [3, 32], [2, 5, 7, 33], [63], [4, 64], [1, 3, 3, 65], [2, 200]]
    for shape in shapes:
        c = s.case("scale", "scale %s" % tensor_type(shape, "i32"))
        o = shape[-1]
        c.ret(c.scale(c.in_acc(shape, -700, 700), c.in_f32([o]), c.in_f32([o])))
    i = 0
    for w in WORD_WIDTHS:
        for o in CHANNELS:
            shape = [[], [3], [2, 5, 7], [2], [1, 2, 3]][i % 5] + [o]
            c = s.case("threshold", "threshold %s -> i%d" % (tensor_type(shape, "i32"), w))
            # Small ranges so that acc == threshold happens often.
            c.ret(c.threshold(c.in_acc(shape, -6, 6), c.in_acc([o], -6, 6), w))
            i += 1


# ---------------------------------------------------------------------------
# Chains
# ---------------------------------------------------------------------------

def gen_chains(s, rng):
    # pack -> bconv2d -> threshold (a binary conv + batch norm + sign layer).
    for w, ch, o, wo, k, st, di, pad, pv, g, mask, n, hw in [
            (32, 33, 16, 32, (3, 3), (1, 1), (1, 1), (1, 1, 1, 1), 1, 1, False, 1, (5, 7)),
            (64, 65, 33, 64, (3, 3), (2, 2), (1, 1), (0, 1, 1, 0), 0, 1, True, 2, (7, 5)),
            (32, 64, 8, 64, (3, 3), (1, 1), (2, 2), (2, 2, 2, 2), 1, 2, False, 1, (5, 5)),
            (64, 200, 65, 32, (1, 1), (1, 1), (1, 1), (0, 0, 0, 0), 0, 1, True, 1, (3, 5)),
            (64, 128, 4, 64, (3, 3), (1, 2), (1, 1), (1, 1, 1, 1), 1, 2, True, 2, (5, 7)),
            (32, 1, 31, 32, (2, 2), (1, 1), (1, 1), (0, 1, 0, 1), 1, 1, False, 1, (4, 6))]:
        c = s.case("chain", "pack -> bconv2d -> threshold: i%d C=%d O=%d -> i%d k=%s s=%s d=%s "
                   "pad=[%s] pad_value=%d groups=%d%s N=%d HW=%s" % (
                       w, ch, o, wo, fmt_list(k), fmt_list(st), fmt_list(di),
                       ",".join(map(str, pad)), pv, g, " mask" if mask else "", n, fmt_list(hw)))
        x = c.in_f32([n, hw[0], hw[1], ch])
        f = c.in_packed([o, k[0], k[1], ch // g], w)
        m = c.in_packed([o, k[0], k[1], ch // g], w, "nonzero") if mask else None
        kk = k[0] * k[1] * ch // g
        t = c.in_acc([o], -kk // 4 - 1, kk // 4 + 1)
        acc = c.bconv2d(c.pack(x, w), f, m, ch, st, di, pad, pv, g)
        c.ret(c.threshold(acc, t, wo))

    # pack -> bdense -> scale (a binary dense layer followed by a float one).
    for w, n, size, o, mask in [(32, 2, 33, 10, False), (64, 3, 200, 7, True),
                                (32, 1, 1000, 65, True), (64, 2, 64, 1, False)]:
        c = s.case("chain", "pack -> bdense -> scale: i%d N=%d K=%d O=%d%s" % (
            w, n, size, o, " mask" if mask else ""))
        x = c.in_f32([n, size])
        f = c.in_packed([o, size], w)
        m = c.in_packed([o, size], w, "nonzero") if mask else None
        acc = c.bdense(c.pack(x, w), f, m, size)
        c.ret(c.scale(acc, c.in_f32([o]), c.in_f32([o])))

    # pack -> bmaxpool2d -> unpack (max pool of signs).
    for w, ch, n, hw, k, st, pad in [(32, 31, 1, (5, 7), (2, 2), (2, 2), (0, 1, 0, 1)),
                                     (64, 65, 2, (7, 5), (3, 3), (1, 1), (1, 1, 1, 1)),
                                     (32, 200, 1, (4, 4), (2, 2), (2, 2), (0, 0, 0, 0)),
                                     (64, 1, 2, (3, 5), (3, 2), (2, 1), (2, 0, 1, 0))]:
        c = s.case("chain", "pack -> bmaxpool2d -> unpack: i%d C=%d N=%d HW=%s k=%s s=%s pad=[%s]" % (
            w, ch, n, fmt_list(hw), fmt_list(k), fmt_list(st), ",".join(map(str, pad))))
        x = c.in_f32([n, hw[0], hw[1], ch])
        c.ret(c.unpack(c.bmaxpool2d(c.pack(x, w), k, st, pad)))

    # Ternary weights given as floats {-1, 0, 1}: both planes packed in the
    # function, then a masked bconv2d and a scale.
    for w, ch, o, k, st, pad, pv in [(32, 65, 8, (3, 3), (1, 1), (1, 1, 1, 1), 1),
                                      (64, 33, 5, (2, 3), (2, 1), (0, 1, 1, 1), 0),
                                      (64, 200, 3, (1, 1), (1, 1), (0, 0, 0, 0), 0)]:
        c = s.case("chain", "pack(x), pack(w, sign|nonzero) -> bconv2d mask -> scale: i%d C=%d "
                   "O=%d k=%s s=%s pad=[%s] pad_value=%d" % (
                       w, ch, o, fmt_list(k), fmt_list(st), ",".join(map(str, pad)), pv))
        x = c.in_f32([2, 5, 7, ch])
        wt = c.in_f32([o, k[0], k[1], ch], "Ternary")
        acc = c.bconv2d(c.pack(x, w), c.pack(wt, w, "sign"), c.pack(wt, w, "nonzero"),
                        ch, st, (1, 1), pad, pv, 1)
        c.ret(c.scale(acc, c.in_f32([o]), c.in_f32([o])))

    # bconv2d -> scale with packed inputs.
    for w, ch in [(32, 63), (64, 64)]:
        c = s.case("chain", "bconv2d -> scale: i%d C=%d O=9 k=3x3 pad=[1,1,1,1] pad_value=1" % (w, ch))
        x = c.in_packed([1, 5, 7, ch], w)
        f = c.in_packed([9, 3, 3, ch], w)
        acc = c.bconv2d(x, f, None, ch, (1, 1), (1, 1), (1, 1, 1, 1), 1, 1)
        c.ret(c.scale(acc, c.in_f32([9]), c.in_f32([9])))

    # A BiTAT layer's weight: importance_sign(orthonormal_transform(W, V)).
    for shape, axis, tr in [([8, 3, 3, 16], 3, False), ([10, 33], 1, True), ([6, 2, 2, 5], 0, False)]:
        c = s.case("chain", "importance_sign(orthonormal_transform(W, V axis=%d transpose=%s), S) %s" % (
            axis, tr, tensor_type(shape, "f32")))
        wt = c.in_f32(shape)
        v = c.in_f32([shape[axis]] * 2, "Orthonormal")
        c.ret(c.importance_sign(c.orthonormal_transform(wt, v, axis, tr), c.in_f32(shape[1:], "NonNeg")))

    # An SQ layer: ternary weights packed into both planes, then bdense with
    # a packed input; also return the weight's regularizer.
    for w, n, size, o in [(32, 2, 65, 6), (64, 3, 200, 5), (64, 1, 31, 33)]:
        c = s.case("chain", "ternary -> pack(sign|nonzero) -> bdense mask, sq_regularizer: "
                   "i%d N=%d K=%d O=%d" % (w, n, size, o))
        x = c.in_packed([n, size], w)
        wt = c.in_f32([o, size])
        t = c.ternary(wt, c.in_f32([o], "Delta"))
        acc = c.bdense(x, c.pack(t, w, "sign"), c.pack(t, w, "nonzero"), size)
        c.ret(acc, c.sq_regularizer(wt, c.in_f32([], "Beta")))

    # Two binary layers: pack -> bconv2d -> threshold -> bmaxpool2d ->
    # bconv2d -> threshold -> unpack.
    for w, ch, o1, o2 in [(32, 33, 32, 5), (64, 65, 65, 64)]:
        c = s.case("chain", "pack -> bconv2d -> threshold -> bmaxpool2d -> bconv2d -> threshold "
                   "-> unpack: i%d C=%d O1=%d O2=%d" % (w, ch, o1, o2))
        x = c.in_f32([2, 7, 9, ch])
        f1 = c.in_packed([o1, 3, 3, ch], w)
        t1 = c.in_acc([o1], -8, 8)
        f2 = c.in_packed([o2, 3, 3, o1], w)
        m2 = c.in_packed([o2, 3, 3, o1], w, "nonzero")
        t2 = c.in_acc([o2], -6, 6)
        a1 = c.bconv2d(c.pack(x, w), f1, None, ch, (1, 1), (1, 1), (1, 1, 1, 1), 1, 1)
        p1 = c.bmaxpool2d(c.threshold(a1, t1, w), (2, 2), (2, 2), (0, 1, 0, 1))
        a2 = c.bconv2d(p1, f2, m2, o1, (1, 1), (1, 1), (1, 1, 1, 1), 0, 1)
        c.ret(c.unpack(c.threshold(a2, t2, w)))


# ---------------------------------------------------------------------------
# Coverage check and output
# ---------------------------------------------------------------------------

def check_coverage(s):
    """Every boundary with every word width, every feature several times."""
    seen = collections.Counter()
    for c in s.cases:
        for v in c.args:
            if v.kind == "packed":
                seen[("packed", c.op, v.w, v.logical)] += 1
        for feat in c.features:
            widths = {v.w for v in c.args if v.kind == "packed"} or {0}
            for w in widths:
                seen[("feature", feat, w)] += 1
    missing = []
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            for op in ("unpack", "bconv2d", "bdense", "bmaxpool2d"):
                if not seen[("packed", op, w, ch)]:
                    missing.append("%s with i%d and %d channels" % (op, w, ch))
        for feat in ("mask", "stride", "dilation", "asym_padding", "pad_value_1", "groups",
                     "batch"):
            if seen[("feature", feat, w)] < 3:
                missing.append("feature %s with i%d (%d times)" % (feat, w, seen[("feature", feat, w)]))
    for w in WORD_WIDTHS:
        for ch in CHANNELS:
            if not any(c.op == "pack" and c.results[0].w == w and c.args[0].shape[-1] == ch
                       for c in s.cases):
                missing.append("pack to i%d of %d channels" % (w, ch))
            if not any(c.op == "threshold" and c.results[0].w == w and c.results[0].logical == ch
                       for c in s.cases):
                missing.append("threshold to i%d of %d channels" % (w, ch))
    if missing:
        sys.exit("gen_cases.py: coverage incomplete:\n  " + "\n  ".join(missing))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--summary", action="store_true", help="print the number of cases per op")
    args = parser.parse_args()

    rng = random.Random(20250101)
    s = Suite()
    gen_level1(s, rng)
    gen_pack_unpack(s, rng)
    gen_bconv2d(s, rng)
    gen_bdense(s, rng)
    gen_tile_boundaries(s)
    gen_bmaxpool2d(s, rng)
    gen_scale_threshold(s, rng)
    gen_chains(s, rng)
    check_coverage(s)

    os.makedirs(args.out_dir, exist_ok=True)
    header = "// Generated by test/e2e/gen_cases.py; do not edit.\n"
    with open(os.path.join(args.out_dir, "cases.mlir"), "w") as f:
        f.write(header + "\n")
        f.write("\n\n".join(c.mlir() for c in s.cases))
        f.write("\n")
    with open(os.path.join(args.out_dir, "cases.inc"), "w") as f:
        f.write(header + "// Included by test/e2e/harness.cpp.\n\n")
        for c in s.cases:
            f.write(c.decl() + "\n")
        f.write("\n")
        for c in s.cases:
            f.write(c.builder() + "\n\n")
        f.write("static void (*const kCases[])(Builder &) = {\n")
        for c in s.cases:
            f.write("    build_case_%d,\n" % c.id)
        f.write("};\n")
    if args.summary:
        counts = collections.Counter(c.op for c in s.cases)
        for op, n in sorted(counts.items()):
            print("%-22s %d" % (op, n))
        print("%-22s %d" % ("total", len(s.cases)))


if __name__ == "__main__":
    main()
