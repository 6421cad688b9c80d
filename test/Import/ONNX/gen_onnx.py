#!/usr/bin/python3
"""Writes the ONNX test models of bnn-import's end-to-end tests.

This script was run ONCE and its outputs are checked in under Inputs/ (and
cases.inc next to this file): the lit tests only read them, they need
neither PyTorch nor onnx. To regenerate (deterministic: fixed seeds, one per
model, derived from the model's name; the same PyTorch/onnx versions give
the same bytes), from the repository root, with Debian's python (it has
torch 1.13, onnx 1.12 and numpy; a pyenv python3 usually has not):

    /usr/bin/python3 test/Import/ONNX/gen_onnx.py --out-dir test/Import/ONNX/Inputs

It rewrites cases.inc next to itself unless --cases says otherwise.

For each model NAME with expected outputs it writes
  NAME.onnx     the model: one float32 input, one float32 output, static
                shapes, exported with torch.onnx.export (opset 13 unless the
                case says otherwise), checked with onnx.checker;
  NAME.in.bin   a random input (normal distribution, no element exactly 0),
                raw little-endian float32, row-major in the ONNX (NCHW) shape;
  NAME.out.bin  PyTorch's output of the model (eval mode) on it, same format;
and one line CASE(NAME, IN_ELEMENTS, OUT_ELEMENTS) in cases.inc. It also
runs each exported .onnx file with onnx_eval.py (a numpy evaluator that
follows the ONNX specification) and checks that it gives NAME.out.bin: the
file computes what PyTorch computed.

Models with a sign (Sign, or Where on a comparison) of an activation are
given an input whose pre-sign activations are all at least 1e-3 away from 0,
so that float rounding differences (a different summation order in the
compiled code) cannot flip a sign.

Bad inputs (no expected outputs; errors.test): truncated.onnx, garbage.onnx,
unsupported_op.onnx, dynamic_batch.onnx, opset9.onnx, empty_graph.onnx.

At the end it prints each model's ONNX op types (graph order, with counts).
"""

import argparse
import collections
import io
import os
import sys
import warnings
import zlib

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_eval  # noqa: E402

MAX_ONNX_BYTES = 50 * 1024
SIGN_MARGIN = 1e-3


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# --- Model building blocks ---------------------------------------------------


def randomize_bn(bn):
    """Non-trivial batch norm: scale, shift and running statistics away from
    the identity (scales of both signs)."""
    c = bn.num_features
    with torch.no_grad():
        bn.weight.copy_(torch.randn(c))
        bn.bias.copy_(torch.randn(c) * 0.5)
        bn.running_mean.copy_(torch.randn(c) * 0.5)
        bn.running_var.copy_(torch.rand(c) * 1.5 + 0.5)
    return bn


class Presign(nn.Module):
    """Records its input (the activation a sign reads), for the margin check."""

    def forward(self, x):
        self.last = x
        return x


class Sign(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind
        self.pre = Presign()

    def forward(self, x):
        x = self.pre(x)
        if self.kind == "sign":
            return torch.sign(x)
        # The +-1 as float32 tensors: with Python floats (torch.where(x < 0,
        # -1.0, 1.0)) torch 1.13 exports them as float64 Constants, the Where
        # is then float64 and the next Conv mixes float64 and float32 (an
        # invalid graph: onnx.checker's full_check rejects it).
        one, minus_one = torch.tensor(1.0), torch.tensor(-1.0)
        if self.kind == "where_less":
            return torch.where(x < 0, minus_one, one)
        assert self.kind == "where_ge"
        return torch.where(x >= 0, one, minus_one)


class Lambda(nn.Module):
    """A module computing fn(self, x); keyword arguments become its
    submodules (nn.Module values) or constant buffers (tensors)."""

    def __init__(self, fn, **members):
        super().__init__()
        self.fn = fn
        for k, v in members.items():
            if isinstance(v, nn.Module):
                setattr(self, k, v)
            else:
                self.register_buffer(k, v)

    def forward(self, x):
        return self.fn(self, x)


class MatMulConst(nn.Module):
    """x @ W with a constant W [K, O]."""

    def __init__(self, k, o):
        super().__init__()
        self.register_buffer("w", torch.randn(k, o) / k ** 0.5)

    def forward(self, x):
        return torch.matmul(x, self.w)


class MatMulTransposed(nn.Module):
    """x @ W.t() with W a parameter [O, K]: Transpose + MatMul when exported
    without constant folding."""

    def __init__(self, k, o):
        super().__init__()
        self.w = nn.Parameter(torch.randn(o, k) / k ** 0.5)

    def forward(self, x):
        return x @ self.w.t()


class XnorConv(nn.Module):
    """XNOR-Net weights: mean(|W|) per output channel times sign(W), computed
    in forward (Abs -> ReduceMean -> Mul with Sign(W) in the graph)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.w = nn.Parameter(torch.randn(cout, cin, 3, 3) * 0.3)

    def forward(self, x):
        alpha = self.w.abs().mean(dim=(1, 2, 3), keepdim=True)
        return F.conv2d(x, alpha * torch.sign(self.w), None, padding=1)


class EinsumLinear(nn.Module):
    def __init__(self, k, o):
        super().__init__()
        self.w = nn.Parameter(torch.randn(k, o))

    def forward(self, x):
        return torch.einsum("nk,ko->no", x, self.w)


def conv_s2():
    """The reference conv: 3->4, 3x3, stride 2, pad 1, bias."""
    return nn.Conv2d(3, 4, 3, stride=2, padding=1, bias=True)


# --- The cases ----------------------------------------------------------------
# name -> (model factory, input shape, export options). Spatial sizes are not
# square and channel counts differ from them, so an H/W or C/W mix-up in the
# importer's layout changes shows. Batch 2 unless noted.

def sign_between(kind):
    return lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), Sign(kind),
                                 nn.Conv2d(4, 5, 3, padding=1))


def per_channel(c):
    return (torch.rand(c, 1, 1) * 1.5 + 0.5) * torch.where(torch.rand(c, 1, 1) < 0.5, -1.0, 1.0)


def batchnorm2d():
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), randomize_bn(nn.BatchNorm2d(4)))


def batchnorm1d():
    return nn.Sequential(nn.Linear(16, 8), randomize_bn(nn.BatchNorm1d(8)))


def prelu():
    p = nn.PReLU(4)
    with torch.no_grad():
        p.weight.copy_(torch.tensor([0.25, -0.5, 0.1, 1.5]))
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), p)


def constant_model():
    c = torch.randn(4, 5, 6)

    class AddConstant(nn.Module):
        def forward(self, x):
            # A torch.tensor built in forward: a constant of the traced graph.
            return x + torch.tensor(c.numpy())

    return AddConstant()


DEFAULT = dict(opset=13, fold=True, preserve=False)

CASES = [
    ("conv", conv_s2, [2, 3, 8, 10], {}),
    ("conv_dilated", lambda: nn.Conv2d(3, 4, 3, padding=1, dilation=2, bias=False),
     [2, 3, 7, 9], {}),
    ("conv_group", lambda: nn.Conv2d(4, 6, 3, padding=1, groups=2), [2, 4, 5, 7], {}),
    ("conv_depthwise", lambda: nn.Conv2d(4, 4, 3, padding=1, groups=4), [2, 4, 5, 7], {}),
    ("gemm", lambda: nn.Linear(16, 8), [3, 16], {}),
    ("matmul", lambda: MatMulConst(16, 8), [3, 16], {}),
    ("matmul_transpose", lambda: MatMulTransposed(16, 8), [3, 16], dict(fold=False)),
    # training=PRESERVE on a model in eval mode: exported in inference mode,
    # without the eval-mode peephole that would fold the batch norm into the
    # conv (the BatchNormalization node stays).
    ("batchnorm", batchnorm2d, [2, 3, 5, 7], dict(preserve=True)),
    ("batchnorm1d", batchnorm1d, [3, 16], dict(preserve=True)),
    ("relu", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU()), [2, 3, 5, 7], {}),
    ("hardtanh", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Hardtanh()),
     [2, 3, 5, 7], {}),
    ("prelu", prelu, [2, 3, 5, 7], {}),
    ("maxpool", lambda: nn.MaxPool2d(2, 2), [2, 3, 6, 8], {}),
    ("maxpool_k3s2p1", lambda: nn.MaxPool2d(3, 2, padding=1), [2, 3, 7, 9], {}),
    ("avgpool", lambda: nn.AvgPool2d(2, 2), [2, 3, 6, 8], {}),
    ("avgpool_k3s1p1", lambda: nn.AvgPool2d(3, 1, padding=1, count_include_pad=False),
     [2, 3, 5, 7], {}),
    ("global_avgpool", lambda: nn.AdaptiveAvgPool2d(1), [2, 3, 5, 7], {}),
    ("flatten", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.Flatten(),
                                      nn.Linear(4 * 4 * 6, 5)), [2, 3, 4, 6], {}),
    ("reshape", lambda: nn.Sequential(nn.Conv2d(3, 4, 3, padding=1),
                                      Lambda(lambda m, x: x.reshape(2, -1)),
                                      nn.Linear(4 * 4 * 6, 5)), [2, 3, 4, 6], {}),
    ("add_residual", lambda: Lambda(lambda m, x: m.conv(x) + x,
                                    conv=nn.Conv2d(4, 4, 3, padding=1)), [2, 4, 5, 7], {}),
    ("mul", lambda: Lambda(lambda m, x: x * m.c * 2.5, c=per_channel(4)), [2, 4, 5, 7], {}),
    ("sub", lambda: Lambda(lambda m, x: 0.5 - (x - m.c), c=per_channel(4)), [2, 4, 5, 7], {}),
    ("div", lambda: Lambda(lambda m, x: x / m.c / 4.0, c=per_channel(4)), [2, 4, 5, 7], {}),
    ("softmax", lambda: nn.Sequential(nn.Linear(16, 10), nn.Softmax(dim=1)), [3, 16], {}),
    ("constant", constant_model, [2, 4, 5, 6], {}),
    ("sign", sign_between("sign"), [2, 3, 5, 7], {}),
    ("sign_where_less", sign_between("where_less"), [2, 3, 5, 7], {}),
    ("sign_where_ge", sign_between("where_ge"), [2, 3, 5, 7], {}),
    ("xnor_weight", lambda: XnorConv(3, 5), [2, 3, 5, 7], dict(fold=False)),
    ("opset11_conv", conv_s2, [2, 3, 8, 10], dict(opset=11)),
    ("opset17_conv", conv_s2, [2, 3, 8, 10], dict(opset=17)),
]


def build(name, factory):
    torch.manual_seed(seed_of(name))
    return factory().eval()


def export(model, x, path, opset=13, fold=True, preserve=False, dynamic=False):
    f = io.BytesIO()
    kwargs = dict(opset_version=opset, do_constant_folding=fold,
                  input_names=["input"], output_names=["output"])
    if preserve:
        kwargs["training"] = torch.onnx.TrainingMode.PRESERVE
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    with warnings.catch_warnings():
        # PRESERVE with constant folding warns about models in training mode;
        # ours are in eval mode.
        warnings.simplefilter("ignore")
        torch.onnx.export(model, (x,), f, **kwargs)
    data = f.getvalue()
    # full_check: also ONNX shape and type inference (consistent types).
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    with open(path, "wb") as out:
        out.write(data)
    return data


def sign_presigns(model):
    return [m for m in model.modules() if isinstance(m, Presign)]


def make_input(name, model, shape):
    """Normal random input; no element exactly 0; for models with a sign, every
    pre-sign activation at least SIGN_MARGIN away from 0 (re-drawn until so)."""
    rng = np.random.RandomState(seed_of(name))
    pres = sign_presigns(model)
    for _ in range(1000):
        x = rng.standard_normal(shape).astype(np.float32)
        if (x == 0).any():
            continue
        if not pres:
            return x
        with torch.no_grad():
            model(torch.from_numpy(x))
        if all(float(p.last.abs().min()) >= SIGN_MARGIN for p in pres):
            return x
    raise RuntimeError("%s: no input with pre-sign activations away from 0" % name)


def op_summary(path):
    model = onnx.load(path)
    counts = collections.OrderedDict()
    for n in model.graph.node:
        counts[n.op_type] = counts.get(n.op_type, 0) + 1
    ops = " ".join(k if v == 1 else "%s x%d" % (k, v) for k, v in counts.items())
    return "opset %d: %s" % (model.opset_import[0].version, ops or "(no nodes)")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--cases", default=os.path.join(here, "cases.inc"),
                    help="where to write the CASE table (default: cases.inc next to this script)")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    torch.set_num_threads(1)

    summary = []
    lines = []
    for name, factory, shape, opts in CASES:
        o = dict(DEFAULT, **opts)
        model = build(name, factory)
        x = make_input(name, model, shape)
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy().astype(np.float32)
        onnx_path = os.path.join(args.out_dir, name + ".onnx")
        data = export(model, torch.from_numpy(x), onnx_path, **o)
        if len(data) > MAX_ONNX_BYTES:
            raise RuntimeError("%s: %d bytes, over the limit" % (onnx_path, len(data)))
        x.astype("<f4").tofile(os.path.join(args.out_dir, name + ".in.bin"))
        y.astype("<f4").tofile(os.path.join(args.out_dir, name + ".out.bin"))
        # The ONNX file computes what PyTorch computed.
        mp = onnx.load(onnx_path)
        in_name, in_shape = onnx_eval.input_shape(mp)
        assert in_shape == list(shape), (name, in_shape, shape)
        assert len(mp.graph.output) == 1
        out_shape = [d.dim_value for d in mp.graph.output[0].type.tensor_type.shape.dim]
        assert out_shape == list(y.shape), (name, out_shape, y.shape)
        (got,) = onnx_eval.run(mp, {in_name: x})
        ok, err, bad = onnx_eval.compare(got, y)
        if not ok:
            raise RuntimeError("%s: onnx_eval disagrees with PyTorch at element %d" % (name, bad))
        lines.append("CASE(%s, %d, %d)" % (name, x.size, y.size))
        summary.append("%-18s %-14s -> %-14s %s" % (name, "x".join(map(str, x.shape)),
                                                 "x".join(map(str, y.shape)),
                                                 op_summary(onnx_path)))

    # --- Bad inputs -----------------------------------------------------------
    def out(name):
        return os.path.join(args.out_dir, name)

    with open(out("conv.onnx"), "rb") as f:
        conv_bytes = f.read()
    with open(out("truncated.onnx"), "wb") as f:
        f.write(conv_bytes[:len(conv_bytes) // 2])
    with open(out("garbage.onnx"), "wb") as f:
        f.write(b"this is not a model\n")
    # unsupported_op.onnx: torch.einsum -> one Einsum node (opset 13), an op
    # bnn-import does not support; the graph is otherwise valid.
    m = build("unsupported_op", lambda: EinsumLinear(16, 8))
    export(m, torch.randn(3, 16), out("unsupported_op.onnx"))
    # dynamic_batch.onnx: the conv with a symbolic batch dimension ("batch").
    m = build("dynamic_batch", conv_s2)
    export(m, torch.randn(2, 3, 8, 10), out("dynamic_batch.onnx"), dynamic=True)
    # opset9.onnx: the conv at opset 9 (bnn-import needs 11 or later).
    m = build("opset9", conv_s2)
    export(m, torch.randn(2, 3, 8, 10), out("opset9.onnx"), opset=9)
    # empty_graph.onnx: one input, no nodes, no outputs.
    g = onnx.helper.make_graph(
        [], "empty", [onnx.helper.make_tensor_value_info("input", onnx.TensorProto.FLOAT, [1, 4])],
        [])
    em = onnx.helper.make_model(g, producer_name="gen_onnx.py",
                                opset_imports=[onnx.helper.make_opsetid("", 13)])
    onnx.checker.check_model(em, full_check=True)
    onnx.save(em, out("empty_graph.onnx"))
    for bad in ("unsupported_op", "dynamic_batch", "opset9", "empty_graph"):
        summary.append("%-18s %-31s %s" % (bad, "(bad input)", op_summary(out(bad + ".onnx"))))

    with open(args.cases, "w") as f:
        f.write("// Generated by gen_onnx.py: the models of Inputs/ with expected outputs.\n"
                "// CASE(NAME, IN_ELEMENTS, OUT_ELEMENTS): Inputs/NAME.onnx, one float32\n"
                "// input of IN_ELEMENTS elements (NAME.in.bin), one float32 output of\n"
                "// OUT_ELEMENTS elements (NAME.out.bin). build_cases.py imports each\n"
                "// one as the function onnx_NAME; harness.cpp calls it.\n")
        for line in lines:
            f.write(line + "\n")

    print("\n".join(summary))
    print("%d cases written to %s, table %s" % (len(lines), args.out_dir, args.cases))


if __name__ == "__main__":
    main()
