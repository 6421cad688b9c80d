#!/usr/bin/env python3
"""PyTorch anchor of the training-step benchmark (run by scripts/bench.sh
with Debian's /usr/bin/python3 and python3-torch; benchmarks only, never at
run time).

    torch_train_anchor.py OUT.json

Times one training step (forward, softmax cross-entropy plus the SQ
penalty, backward) of the network of bench/gen_train_model.py at batch 64,
on CPU, one thread: the same layers, the sign with a straight-through
estimator, BiTAT's importance-weighted sign of an orthonormally transformed
weight, SQ's ternary weight and regularizer, batch norm on batch
statistics. Writes the median seconds per step.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn.functional as F


class SignSte(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x < 0, -torch.ones_like(x), torch.ones_like(x))

    @staticmethod
    def backward(ctx, dy):
        (x,) = ctx.saved_tensors
        return dy * (x.abs() <= 1).to(dy.dtype)


def sign(x):
    return SignSte.apply(x)


def importance_sign(w, s):
    # alpha_o = sum_k s_k |w_ok| / sum s, y = alpha_o * sign(w) (scale exact).
    alpha = (w.abs() * s).flatten(1).sum(1) / s.sum()
    return alpha.view(-1, *([1] * (w.dim() - 1))) * sign(w)


def ternary(w, delta):
    d = delta.view(-1, 1)
    t = (w > d).to(w.dtype) - (w < -d).to(w.dtype)
    kept = t.abs().detach()
    alpha = (kept * w.abs()).sum(1) / kept.sum(1).clamp(min=1)
    # t straight-through (1 where |w| <= 1), the scale exact.
    t_ste = t.detach() + (w - w.detach()) * (w.abs() <= 1).to(w.dtype)
    return alpha.view(-1, 1) * t_ste


def sq_regularizer(w, beta):
    m = w.abs().mean().detach()
    u = w / m
    return torch.minimum(torch.minimum((u - 1) ** 2, (u + 1) ** 2),
                         torch.tan(beta) * u ** 2).mean()


def batch_norm(x, g, b):
    dims = tuple(range(x.dim() - 1))
    mean = x.mean(dims)
    var = ((x - mean) ** 2).mean(dims)
    return (x - mean) / torch.sqrt(var + 1e-5) * g + b


def step(p, x, delta, labels):
    # NHWC activations, OHWI weights, as in the MLIR model.
    def conv(a, w, stride, pad_value):
        a = F.pad(a.permute(0, 3, 1, 2), (1, 1, 1, 1), value=pad_value)
        return F.conv2d(a, w.permute(0, 3, 1, 2), stride=stride).permute(
            0, 2, 3, 1)

    def bitat(w, v, s):
        return importance_sign(torch.einsum("ij,ohwj->ohwi", v, w), s)

    def pool(a):
        return F.max_pool2d(a.permute(0, 3, 1, 2), 2).permute(0, 2, 3, 1)

    a = conv(x, p["w1"], 1, 0.0) + p["b1"]
    a = sign(batch_norm(a, p["g1"], p["be1"]))
    a = conv(a, bitat(p["w2"], p["v2"], p["s2"]), 1, 1.0)
    a = pool(sign(batch_norm(a, p["g2"], p["be2"])))
    a = conv(a, bitat(p["w3"], p["v3"], p["s3"]), 2, 1.0)
    a = pool(sign(batch_norm(a, p["g3"], p["be3"]))).reshape(x.shape[0], -1)
    a = a @ ternary(p["w4"], delta).t()
    a = sign(batch_norm(a, p["g4"], p["be4"]))
    logits = a @ p["w5"] + p["b5"]
    loss = F.cross_entropy(logits, labels) + 0.01 * sq_regularizer(
        p["w4"], p["beta4"])
    loss.backward()
    return loss


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    shapes = {
        "w1": (16, 3, 3, 1), "b1": (16,), "g1": (16,), "be1": (16,),
        "w2": (32, 3, 3, 16), "v2": (16, 16), "s2": (3, 3, 16),
        "g2": (32,), "be2": (32,),
        "w3": (32, 3, 3, 32), "v3": (32, 32), "s3": (3, 3, 32),
        "g3": (32,), "be3": (32,),
        "w4": (64, 288), "beta4": (), "g4": (64,), "be4": (64,),
        "w5": (64, 10), "b5": (10,),
    }
    p = {k: (torch.rand(s) - 0.5).requires_grad_() for k, s in shapes.items()}
    with torch.no_grad():
        p["beta4"].fill_(math.pi / 4)
    batch = 64
    x = torch.rand(batch, 28, 28, 1)
    delta = torch.rand(64) * 0.3
    labels = torch.randint(0, 10, (batch,))
    for _ in range(3):
        step(p, x, delta, labels)
    times = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(5):
            for t in p.values():
                t.grad = None
            step(p, x, delta, labels)
        times.append((time.perf_counter() - start) / 5)
    json.dump({"train_step_b64": statistics.median(times),
               "torch_version": torch.__version__}, open(sys.argv[1], "w"))


if __name__ == "__main__":
    main()
