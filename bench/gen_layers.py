#!/usr/bin/env python3
"""Writes the packed layers of the kernel benchmark as one MLIR file.

Each layer is a public function `NAME(input, filter) -> acc` holding one
bnn.bconv2d (3x3, pad 1, NHWC packed in i64 words) or bnn.bdense, with the
filter as an argument for the convolutions (re-laid out at every call,
a cost included in their times) and a constant for the dense layers (as
in a model: the blocked layout is made at compile time), and float
convolutions and a float matmul (weights as arguments). The ResNet-18
binary layer shapes of issue 9 plus a stride-2 down-sampling layer, a
ternary layer, a grouped layer and a dense layer at batch 1 and 16. `--suffix` is appended
to every name so that two builds (tiled, scalar) link into one benchmark.
Prints the layer table (name, kind, N, H, W, C, O, stride, ternary, groups) that
bench.cpp mirrors.
"""
import argparse

LAYERS = [
    # name, H, W, C, O, stride, ternary, groups
    ("conv56x56x64", 56, 56, 64, 64, 1, False, 1),
    ("conv28x28x128", 28, 28, 128, 128, 1, False, 1),
    ("conv14x14x256", 14, 14, 256, 256, 1, False, 1),
    ("conv7x7x512", 7, 7, 512, 512, 1, False, 1),
    ("conv56x56x64s2", 56, 56, 64, 128, 2, False, 1),
    ("conv28x28x128t", 28, 28, 128, 128, 1, True, 1),
    ("conv28x28x256g2", 28, 28, 256, 256, 1, False, 2),
]
DENSE = [("dense1x4096", 1, 4096, 4096), ("dense16x4096", 16, 4096, 4096)]
# Float layers (bnn-vectorize): the ResNet-18 first convolution (7x7 stride
# 2 pad 3), the demo model's first convolution and a float dense layer.
FLOAT_CONVS = [
    # name, H, W, C, O, kernel, stride, pad
    ("fconv224x224x3", 224, 224, 3, 64, 7, 2, 3),
    ("fconv28x28x1", 28, 28, 1, 16, 3, 1, 1),
]
FLOAT_DENSE = [("fdense16x1024", 16, 1024, 1024)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--suffix", default="")
    p.add_argument("-o", required=True)
    a = p.parse_args()
    out = []
    for name, h, w, c, o, s, t, g in LAYERS:
        words = c // 64
        oh, ow = (h + 2 - 3) // s + 1, (w + 2 - 3) // s + 1
        it = "tensor<1x%dx%dx%dxi64>" % (h, w, words)
        ft = "tensor<%dx3x3x%dxi64>" % (o, words // g)
        groups = " groups = %d" % g if g > 1 else ""
        rt = "tensor<1x%dx%dx%dxi32>" % (oh, ow, o)
        mask_arg = ", %%m: %s" % ft if t else ""
        mask_use = " mask %m" if t else ""
        mask_ty = ", " + ft if t else ""
        out.append(
            "func.func @%s%s(%%x: %s, %%f: %s%s) -> %s {\n"
            "  %%0 = bnn.bconv2d %%x, %%f%s channels_in = %d strides = [%d, %d] "
            "padding = [1, 1, 1, 1]%s : %s, %s%s -> %s\n"
            "  return %%0 : %s\n}\n"
            % (name, a.suffix, it, ft, mask_arg, rt, mask_use, c, s, s, groups,
               it, ft, mask_ty, rt, rt))
    for name, n, k, o in DENSE:
        it = "tensor<%dx%dxi64>" % (n, k // 64)
        ft = "tensor<%dx%dxi64>" % (o, k // 64)
        rt = "tensor<%dx%dxi32>" % (n, o)
        # Constant weights, as in a compiled model: the blocked layout is
        # made at compile time (a splat keeps the MLIR file small).
        out.append(
            "func.func @%s%s(%%x: %s) -> %s {\n"
            "  %%f = arith.constant dense<6148914691236517205> : %s\n"
            "  %%0 = bnn.bdense %%x, %%f size = %d : %s, %s -> %s\n"
            "  return %%0 : %s\n}\n" % (name, a.suffix, it, rt, ft, k, it, ft,
                                       rt, rt))
    for name, h, w, c, o, k, s, p in FLOAT_CONVS:
        oh, ow = (h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1
        it = "tensor<1x%dx%dx%dxf32>" % (h, w, c)
        pt = "tensor<1x%dx%dx%dxf32>" % (h + 2 * p, w + 2 * p, c)
        ft = "tensor<%dx%dx%dx%dxf32>" % (o, k, k, c)
        rt = "tensor<1x%dx%dx%dxf32>" % (oh, ow, o)
        out.append(
            "func.func @%s%s(%%x: %s, %%f: %s) -> %s {\n"
            "  %%z = arith.constant 0.0 : f32\n"
            "  %%p = tensor.pad %%x low[0, %d, %d, 0] high[0, %d, %d, 0] {\n"
            "  ^bb0(%%i: index, %%j: index, %%k: index, %%l: index):\n"
            "    tensor.yield %%z : f32\n"
            "  } : %s to %s\n"
            "  %%e = tensor.empty() : %s\n"
            "  %%i = linalg.fill ins(%%z : f32) outs(%%e : %s) -> %s\n"
            "  %%0 = linalg.conv_2d_nhwc_fhwc {dilations = dense<1> : tensor<2xi64>, "
            "strides = dense<%d> : tensor<2xi64>} ins(%%p, %%f : %s, %s) "
            "outs(%%i : %s) -> %s\n"
            "  return %%0 : %s\n}\n"
            % (name, a.suffix, it, ft, rt, p, p, p, p, it, pt, rt, rt, rt, s,
               pt, ft, rt, rt, rt))
    for name, n, k, o in FLOAT_DENSE:
        it, wt, rt = ("tensor<%dx%dxf32>" % (n, k), "tensor<%dx%dxf32>" % (k, o),
                      "tensor<%dx%dxf32>" % (n, o))
        out.append(
            "func.func @%s%s(%%x: %s, %%w: %s) -> %s {\n"
            "  %%z = arith.constant 0.0 : f32\n"
            "  %%e = tensor.empty() : %s\n"
            "  %%i = linalg.fill ins(%%z : f32) outs(%%e : %s) -> %s\n"
            "  %%0 = linalg.matmul ins(%%x, %%w : %s, %s) outs(%%i : %s) -> %s\n"
            "  return %%0 : %s\n}\n"
            % (name, a.suffix, it, wt, rt, rt, rt, rt, it, wt, rt, rt, rt))
    with open(a.o, "w") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    main()
