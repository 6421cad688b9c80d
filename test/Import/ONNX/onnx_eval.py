#!/usr/bin/env python3
"""A small numpy evaluator of ONNX graphs: an independent check of the test data.

gen_onnx.py and gen_fashion_bnn.py take each expected output (NAME.out.bin,
fashion_bnn.pred) from PyTorch. This module runs the *exported ONNX file*
with plain numpy, following the ONNX operator specifications (in float64),
so that the generators can check that the .onnx file computes what PyTorch
computed: an exporter quirk (a fused or dropped node, a folded constant)
would otherwise show up as a mismatch in bnn-import's end-to-end tests and
be blamed on the importer. It implements only the ops and attributes that
the exported test models use, and fails loudly on anything else.

Needs numpy and onnx (Debian's /usr/bin/python3 has both). Standalone use:

    /usr/bin/python3 onnx_eval.py MODEL.onnx IN.bin OUT.bin

runs MODEL.onnx on the raw little-endian float32 input IN.bin (shaped as the
graph's only input) and compares with OUT.bin (|got - want| <= 1e-4 * (1 +
|want|), the harness's rule); prints the max abs error, exit 1 on mismatch.
"""

import sys

import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    group = a.get("group", 1)
    strides = a.get("strides", [1, 1])
    dil = a.get("dilations", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError("Conv auto_pad")
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    assert c == cg * group and m % group == 0
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - dil[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd + pads[1] + pads[3] - dil[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, m, oh, ow))
    mg = m // group
    for g in range(group):
        xg = xp[:, g * cg:(g + 1) * cg]
        wg = w[g * mg:(g + 1) * mg]
        for i in range(kh):
            for j in range(kw):
                r0, c0 = i * dil[0], j * dil[1]
                patch = xg[:, :, r0:r0 + strides[0] * (oh - 1) + 1:strides[0],
                           c0:c0 + strides[1] * (ow - 1) + 1:strides[1]]
                # patch: n, cg, oh, ow; wg[:, :, i, j]: mg, cg
                out[:, g * mg:(g + 1) * mg] += np.tensordot(
                    patch, wg[:, :, i, j], axes=([1], [1])).transpose(0, 3, 1, 2)
    if b is not None:
        out += b.reshape(1, m, 1, 1)
    return out


def _pool(x, a, kind):
    if a.get("ceil_mode", 0) or a.get("dilations", [1, 1]) != [1, 1]:
        raise NotImplementedError(kind + " ceil_mode/dilations")
    if a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise NotImplementedError(kind + " auto_pad")
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    pads = a.get("pads", [0, 0, 0, 0])
    n, c, h, w = x.shape
    fill = -np.inf if kind == "MaxPool" else 0.0
    xp = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])),
                constant_values=fill)
    ones = np.pad(np.ones((h, w)), ((pads[0], pads[2]), (pads[1], pads[3])))
    oh = (h + pads[0] + pads[2] - kh) // sh + 1
    ow = (w + pads[1] + pads[3] - kw) // sw + 1
    acc = np.full((n, c, oh, ow), fill)
    cnt = np.zeros((oh, ow))
    for i in range(kh):
        for j in range(kw):
            win = xp[:, :, i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
            if kind == "MaxPool":
                acc = np.maximum(acc, win)
            else:
                acc = acc + win
                cnt += ones[i:i + sh * (oh - 1) + 1:sh, j:j + sw * (ow - 1) + 1:sw]
    if kind == "MaxPool":
        return acc
    if a.get("count_include_pad", 0):
        return acc / (kh * kw)
    return acc / cnt


def _axes(a, ins, vals, pos):
    """Axes from the attribute (older opsets) or the optional input `pos`."""
    if "axes" in a:
        return list(a["axes"])
    if len(ins) > pos and ins[pos]:
        return [int(v) for v in vals[ins[pos]]]
    return None


def run(model, feeds):
    """Runs `model` (a ModelProto) on feeds {input name: array}; returns the
    list of graph outputs (float64 for float tensors)."""
    g = model.graph
    vals = {}
    for init in g.initializer:
        v = numpy_helper.to_array(init)
        vals[init.name] = v.astype(np.float64) if v.dtype.kind == "f" else v
    for k, v in feeds.items():
        vals[k] = np.asarray(v, dtype=np.float64)
    for node in g.node:
        a = _attrs(node)
        ins = list(node.input)
        x = [vals[i] if i else None for i in ins]
        op = node.op_type
        if op == "Conv":
            y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif op == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * (A @ B)
            if len(x) > 2 and x[2] is not None:
                y = y + a.get("beta", 1.0) * x[2]
        elif op == "MatMul":
            y = x[0] @ x[1]
        elif op == "Transpose":
            y = np.transpose(x[0], a.get("perm"))
        elif op == "BatchNormalization":
            xin, sc, bi, mean, var = x[:5]
            shape = [1, -1] + [1] * (xin.ndim - 2)
            y = ((xin - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + a.get("epsilon", 1e-5))
                 * sc.reshape(shape) + bi.reshape(shape))
        elif op == "Relu":
            y = np.maximum(x[0], 0.0)
        elif op == "Clip":
            lo = x[1] if len(x) > 1 and x[1] is not None else a.get("min", -np.inf)
            hi = x[2] if len(x) > 2 and x[2] is not None else a.get("max", np.inf)
            y = np.minimum(np.maximum(x[0], lo), hi)
        elif op == "PRelu":
            y = np.where(x[0] < 0, x[0] * x[1], x[0])
        elif op in ("MaxPool", "AveragePool"):
            if len(node.output) > 1 and node.output[1]:
                raise NotImplementedError("MaxPool indices")
            y = _pool(x[0], a, op)
        elif op == "GlobalAveragePool":
            y = x[0].mean(axis=(2, 3), keepdims=True)
        elif op == "Flatten":
            ax = a.get("axis", 1)
            y = x[0].reshape(int(np.prod(x[0].shape[:ax])), -1)
        elif op == "Reshape":
            shape = [int(s) for s in x[1]]
            shape = [x[0].shape[i] if s == 0 else s for i, s in enumerate(shape)]
            y = x[0].reshape(shape)
        elif op in ("Add", "Sub", "Mul", "Div"):
            y = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply,
                 "Div": np.divide}[op](x[0], x[1])
        elif op == "Softmax":
            ax = a.get("axis", -1)
            e = np.exp(x[0] - x[0].max(axis=ax, keepdims=True))
            y = e / e.sum(axis=ax, keepdims=True)
        elif op == "Constant":
            y = numpy_helper.to_array(a["value"])
            y = y.astype(np.float64) if y.dtype.kind == "f" else y
        elif op == "Sign":
            y = np.sign(x[0])
        elif op == "Abs":
            y = np.abs(x[0])
        elif op in ("Less", "Greater", "LessOrEqual", "GreaterOrEqual", "Equal"):
            y = {"Less": np.less, "Greater": np.greater, "LessOrEqual": np.less_equal,
                 "GreaterOrEqual": np.greater_equal, "Equal": np.equal}[op](x[0], x[1])
        elif op == "Not":
            y = np.logical_not(x[0])
        elif op == "Where":
            y = np.where(x[0], x[1], x[2])
        elif op == "ReduceMean":
            axes = _axes(a, ins, vals, 1)
            y = x[0].mean(axis=tuple(axes) if axes is not None else None,
                          keepdims=bool(a.get("keepdims", 1)))
        elif op == "Unsqueeze":
            y = x[0]
            for ax in sorted(_axes(a, ins, vals, 1)):
                y = np.expand_dims(y, ax)
        elif op == "Squeeze":
            axes = _axes(a, ins, vals, 1)
            y = np.squeeze(x[0], axis=tuple(axes) if axes is not None else None)
        elif op == "Shape":
            y = np.array(x[0].shape, dtype=np.int64)
        elif op == "Gather":
            y = np.take(x[0], x[1].astype(np.int64), axis=a.get("axis", 0))
        elif op == "Concat":
            y = np.concatenate([np.atleast_1d(t) for t in x], axis=a["axis"])
        elif op == "Pad":
            if a.get("mode", b"constant") not in (b"constant", "constant"):
                raise NotImplementedError("Pad mode")
            pads = [int(p) for p in (x[1] if len(x) > 1 else a["pads"])]
            value = float(x[2]) if len(x) > 2 and x[2] is not None else a.get("value", 0.0)
            r = x[0].ndim
            y = np.pad(x[0], [(pads[i], pads[i + r]) for i in range(r)], constant_values=value)
        elif op == "Identity":
            y = x[0]
        elif op == "Cast":
            to = a["to"]
            y = x[0].astype(np.float64 if to in (onnx.TensorProto.FLOAT, onnx.TensorProto.DOUBLE)
                            else onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[to])
        else:
            raise NotImplementedError("onnx_eval: op %s (node %s)" % (op, node.name))
        outs = y if isinstance(y, tuple) else (y,)
        for name, v in zip(node.output, outs):
            vals[name] = v
    return [vals[o.name] for o in g.output]


def input_shape(model):
    inits = {i.name for i in model.graph.initializer}
    ins = [i for i in model.graph.input if i.name not in inits]
    assert len(ins) == 1, "expected one graph input"
    dims = ins[0].type.tensor_type.shape.dim
    return ins[0].name, [d.dim_value for d in dims]


def compare(got, want, tol=1e-4):
    """The harness's rule: |got - want| <= tol * (1 + |want|). Returns
    (ok, max abs error, index of the first bad element or -1)."""
    got = np.asarray(got, dtype=np.float64).ravel()
    want = np.asarray(want, dtype=np.float64).ravel()
    if got.shape != want.shape:
        return False, np.inf, 0
    err = np.abs(got - want)
    bad = ~(err <= tol * (1.0 + np.abs(want)))
    return (not bad.any()), float(np.nanmax(err)) if err.size else 0.0, \
        int(np.argmax(bad)) if bad.any() else -1


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: onnx_eval.py MODEL.onnx IN.bin OUT.bin\n")
        return 2
    model = onnx.load(argv[1])
    name, shape = input_shape(model)
    x = np.fromfile(argv[2], dtype="<f4").reshape(shape)
    want = np.fromfile(argv[3], dtype="<f4")
    (got,) = run(model, {name: x})
    ok, err, bad = compare(got, want)
    print("%s: max abs err %.3g%s" % (argv[1], err, "" if ok else
                                        " FAIL at element %d" % bad))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
