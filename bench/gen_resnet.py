#!/usr/bin/env python3
"""Writes a ResNet-18-sized binarized model in Level 1 form, for the
compile-time figure of scripts/bench.sh (python3-numpy: weights only).

    gen_resnet.py -o resnet18_bnn.mlir

The layer shapes of ResNet-18 at 224 x 224 without the residual additions:
a float 7x7 stride-2 convolution 3 -> 64 with batch norm and sign, a 2x2 max
pool to 56 x 56, then four stages of four binary 3x3 convolutions (64, 128,
256, 512 channels; the first of stages 2-4 has stride 2), each with its
weights as `bnn.importance_sign(W, S)` of float constants, batch norm and
sign, and a float classifier: mean over the 7 x 7 pixels, 512 -> 1000. The
weights are random; about 11 M parameters, so the file is large (~90 MB).
"""
import argparse

import numpy as np

rng = np.random.default_rng(20261202)


def hex_attr(values, shape):
    data = np.asarray(values, dtype="<f4").tobytes().hex().upper()
    return 'dense<"0x%s"> : tensor<%sxf32>' % (data, "x".join(map(str, shape)))


def tt(shape):
    return "tensor<%sxf32>" % "x".join(map(str, shape))


class Model:
    def __init__(self):
        self.lines, self.n = [], 0

    def name(self, stem):
        self.n += 1
        return "%%%s%d" % (stem, self.n)

    def emit(self, text):
        self.lines.append("  " + text)

    def const(self, values, shape):
        v = self.name("c")
        self.emit("%s = arith.constant %s" % (v, hex_attr(values, shape)))
        return v

    def filled(self, shape, value):
        """A tensor of `shape` filled with the SSA scalar `value`."""
        e, f = self.name("e"), self.name("f")
        self.emit("%s = tensor.empty() : %s" % (e, tt(shape)))
        self.emit("%s = linalg.fill ins(%s : f32) outs(%s : %s) -> %s"
                  % (f, value, e, tt(shape), tt(shape)))
        return f

    def pad(self, x, shape, p):
        v = self.name("pad")
        out = [shape[0], shape[1] + 2 * p, shape[2] + 2 * p, shape[3]]
        self.emit("%s = tensor.pad %s low[0, %d, %d, 0] high[0, %d, %d, 0] {\n"
                  "  ^bb0(%%i: index, %%j: index, %%k: index, %%l: index):\n"
                  "    tensor.yield %%zero : f32\n  } : %s to %s"
                  % (v, x, p, p, p, p, tt(shape), tt(out)))
        return v, out

    def conv(self, x, shape, w, o, k, s, p):
        xp, pshape = self.pad(x, shape, p)
        oh, ow = (shape[1] + 2 * p - k) // s + 1, (shape[2] + 2 * p - k) // s + 1
        out = [shape[0], oh, ow, o]
        z = self.filled(out, "%zero")
        v = self.name("conv")
        self.emit("%s = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : "
                  "tensor<2xi64>, strides = dense<%d> : tensor<2xi64>} ins(%s, %s "
                  ": %s, %s) outs(%s : %s) -> %s"
                  % (v, s, xp, w, tt(pshape), tt([o, k, k, shape[3]]), z,
                     tt(out), tt(out)))
        return v, out

    def bn_sign(self, x, shape):
        c = shape[3]
        mean = self.const(rng.normal(0, 2, c), [c])
        var = self.const(rng.uniform(0.5, 3, c), [c])
        gamma = self.const(rng.choice([-1, 1], c) * rng.uniform(0.5, 1.5, c), [c])
        beta = self.const(rng.normal(0, 0.3, c), [c])
        e, v, s = self.name("e"), self.name("bn"), self.name("act")
        self.emit("%s = tensor.empty() : %s" % (e, tt(shape)))
        self.emit(
            "%s = linalg.generic {indexing_maps = [#nhwc, #c4, #c4, #c4, #c4, "
            "#nhwc], iterator_types = [\"parallel\", \"parallel\", \"parallel\", "
            "\"parallel\"]} ins(%s, %s, %s, %s, %s : %s, %s, %s, %s, %s) outs(%s : "
            "%s) {\n  ^bb0(%%x: f32, %%m: f32, %%va: f32, %%g: f32, %%b: f32, "
            "%%o: f32):\n    %%ve = arith.addf %%va, %%eps : f32\n"
            "    %%sd = math.sqrt %%ve : f32\n    %%d = arith.subf %%x, %%m : f32\n"
            "    %%n = arith.divf %%d, %%sd : f32\n    %%sc = arith.mulf %%n, %%g : f32\n"
            "    %%sh = arith.addf %%sc, %%b : f32\n    linalg.yield %%sh : f32\n"
            "  } -> %s" % (v, x, mean, var, gamma, beta, tt(shape), tt([c]),
                           tt([c]), tt([c]), tt([c]), e, tt(shape), tt(shape)))
        self.emit("%s = bnn.sign %s : %s" % (s, v, tt(shape)))
        return s

    def binary_conv(self, x, shape, o, s):
        c = shape[3]
        w = self.const(rng.normal(0, 0.1, o * 9 * c), [o, 3, 3, c])
        imp = self.const(rng.uniform(0.5, 1.5, 9 * c), [3, 3, c])
        wb = self.name("wb")
        self.emit("%s = bnn.importance_sign %s, %s : %s, %s"
                  % (wb, w, imp, tt([o, 3, 3, c]), tt([3, 3, c])))
        y, out = self.conv(x, shape, wb, o, 3, s, 1)
        return self.bn_sign(y, out), out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", required=True)
    a = ap.parse_args()
    m = Model()
    m.emit("%zero = arith.constant 0.0 : f32")
    m.emit("%eps = arith.constant 1.0e-5 : f32")
    m.emit("%ninf = arith.constant 0xFF800000 : f32")
    shape = [1, 224, 224, 3]
    w1 = m.const(rng.normal(0, 0.1, 64 * 49 * 3), [64, 7, 7, 3])
    y, shape = m.conv("%image", shape, w1, 64, 7, 2, 3)
    x = m.bn_sign(y, shape)
    pooled = [1, 56, 56, 64]
    f = m.filled(pooled, "%ninf")
    win, pool = m.name("w"), m.name("pool")
    m.emit("%s = tensor.empty() : tensor<2x2xf32>" % win)
    m.emit("%s = linalg.pooling_nhwc_max {dilations = dense<1> : tensor<2xi64>, "
           "strides = dense<2> : tensor<2xi64>} ins(%s, %s : %s, tensor<2x2xf32>) "
           "outs(%s : %s) -> %s" % (pool, x, win, tt(shape), f, tt(pooled),
                                   tt(pooled)))
    x, shape = pool, pooled
    for stage, channels in enumerate((64, 128, 256, 512)):
        for i in range(4):
            stride = 2 if stage > 0 and i == 0 else 1
            x, shape = m.binary_conv(x, shape, channels, stride)
    # Classifier: mean over the pixels, 512 -> 1000.
    f = m.filled([1, 512], "%zero")
    mean = m.name("mean")
    m.emit("%s = linalg.generic {indexing_maps = [#nhwc, #nc_of_nhwc], "
           "iterator_types = [\"parallel\", \"reduction\", \"reduction\", "
           "\"parallel\"]} ins(%s : %s) outs(%s : tensor<1x512xf32>) {\n"
           "  ^bb0(%%x: f32, %%acc: f32):\n    %%s = arith.addf %%x, %%acc : f32\n"
           "    linalg.yield %%s : f32\n  } -> tensor<1x512xf32>"
           % (mean, x, tt(shape), f))
    wc = m.const(rng.normal(0, 0.05, 1000 * 512), [1000, 512])
    f = m.filled([1, 1000], "%zero")
    logits = m.name("logits")
    m.emit("%s = linalg.matmul indexing_maps = [affine_map<(m, n, k) -> (m, k)>, "
           "affine_map<(m, n, k) -> (n, k)>, affine_map<(m, n, k) -> (m, n)>] "
           "ins(%s, %s : tensor<1x512xf32>, tensor<1000x512xf32>) outs(%s : "
           "tensor<1x1000xf32>) -> tensor<1x1000xf32>" % (logits, mean, wc, f))
    m.emit("return %s : tensor<1x1000xf32>" % logits)
    with open(a.o, "w") as out:
        out.write("#nhwc = affine_map<(n, h, w, c) -> (n, h, w, c)>\n"
                  "#c4 = affine_map<(n, h, w, c) -> (c)>\n"
                  "#nc_of_nhwc = affine_map<(n, h, w, c) -> (n, c)>\n"
                  "func.func @resnet18_bnn(%image: tensor<1x224x224x3xf32>) -> "
                  "tensor<1x1000xf32> {\n")
        out.write("\n".join(m.lines))
        out.write("\n}\n")


if __name__ == "__main__":
    main()
