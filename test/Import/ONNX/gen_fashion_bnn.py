#!/usr/bin/python3
"""Trains a small BNN on Fashion-MNIST with PyTorch and exports it to ONNX.

This script was run ONCE and its outputs are checked in: Inputs/fashion_bnn.onnx
and Inputs/fashion_bnn.pred (the lit tests fashion-*.test only read them).
To regenerate (deterministic: fixed seeds, one thread; the same PyTorch
version gives the same model), from the repository root, with Debian's
python (torch 1.13, onnx 1.12, numpy):

    /usr/bin/python3 test/Import/ONNX/gen_fashion_bnn.py --out-dir test/Import/ONNX/Inputs

and put the accuracy it prints into the comments of fashion-x86_64.test and
fashion-aarch64.test. It takes about 2-3 minutes on one core.

The model (input 1x1x28x28, x = pixel / 255.0 in float32, no other
normalization):

    conv1  float 3x3 1->16 pad 1 + bias, BatchNorm2d, sign        16x28x28
    conv2  binary 3x3 16->32 pad 1, BatchNorm2d, sign, MaxPool 2  32x14x14
    conv3  binary 3x3 32->32 pad 1, BatchNorm2d, sign, MaxPool 2  32x7x7
    Flatten (NCHW order)                                           1568
    fc4    binary 1568->64, BatchNorm1d, sign                      64
    fc5    float 64->10 + bias                                     10 logits

sign(x) is +1 for x >= 0 and -1 otherwise, for activations and weights.
Training: binary weights and activations through a straight-through
estimator (a custom autograd.Function: forward sign, backward passes the
gradient where |x| <= 1), latent weights clipped to [-1, 1], Adam, one pass
over the first --train-images training images.

Export: a module variant with the activation sign written
torch.where(x >= 0, 1, -1) (float32 constants) and the binary weights as
constant +-1 float32 tensors (torch.where(W >= 0, 1, -1), computed once:
the ONNX file has +-1 initializers; the binary layers have no bias), batch
size 1, opset 13, training=PRESERVE on the model in eval mode (PyTorch's
eval-mode export would fold each batch norm into the conv before it, and the
binary weights would no longer be +-1).

Ties. A compiled model may compute "batch norm then sign" as a comparison
with a threshold (an integer one after a binary layer), which rounds
differently from PyTorch's float32 batch norm. So that no threshold sits on
a tie, the script nudges (by 0.02 in the running mean: a negligible change)
the batch norm of any binary-layer channel whose threshold on the integer
sum lies within 0.01 of an integer, and of any conv1 channel whose output
on a black patch (the conv bias, the whole background) is within 1e-3 of 0
after batch norm; it prints how many. What remains are the float first
layer's pre-sign values that are close to 0 by chance on some pixel; the
script prints how many test images have one within 1e-5 (the candidates for
a flipped pixel; a flipped pixel rarely changes the predicted class).

Writes Inputs/fashion_bnn.onnx and Inputs/fashion_bnn.pred (the predicted
class, argmax with the first maximum, of each of the 10,000 test images, by
the exported variant in PyTorch, eval mode, one uint8 each), and checks the
.onnx file with onnx.checker and, on the first --check-images test images
(default 2,000; about 10 s per 1,000), with onnx_eval.py (a numpy ONNX
evaluator in float64): it prints how many predictions agree.
"""

import argparse
import gzip
import io
import os
import sys
import time
import warnings

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import onnx_eval  # noqa: E402

SEED = 20240601


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def to_input(images_u8):
    """uint8 N x 28 x 28 -> float32 N x 1 x 28 x 28, x = pixel / 255 (float32
    division, as fashion_harness.cpp: static_cast<float>(p) / 255.0f)."""
    x = torch.from_numpy(images_u8.astype(np.float32)).unsqueeze(1)
    return x / torch.tensor(255.0, dtype=torch.float32)


class SignSTE(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x >= 0, 1.0, -1.0)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * (x.abs() <= 1).to(grad.dtype)


class BinaryConv2d(nn.Conv2d):
    def forward(self, x):
        return F.conv2d(x, SignSTE.apply(self.weight), None, padding=self.padding)


class BinaryLinear(nn.Linear):
    def forward(self, x):
        return F.linear(x, SignSTE.apply(self.weight))


class TrainBNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(16)
        self.conv2 = BinaryConv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.conv3 = BinaryConv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.fc4 = BinaryLinear(32 * 7 * 7, 64, bias=False)
        self.bn4 = nn.BatchNorm1d(64)
        self.fc5 = nn.Linear(64, 10)

    def forward(self, x):
        s = SignSTE.apply
        x = s(self.bn1(self.conv1(x)))
        x = F.max_pool2d(s(self.bn2(self.conv2(x))), 2)
        x = F.max_pool2d(s(self.bn3(self.conv3(x))), 2)
        x = s(self.bn4(self.fc4(torch.flatten(x, 1))))
        return self.fc5(x)

    def binary_layers(self):
        return [self.conv2, self.conv3, self.fc4]


def pm1(w):
    return torch.where(w >= 0, 1.0, -1.0).to(torch.float32)


class ExportBNN(nn.Module):
    """The trained model for export: +-1 weight constants, where-sign."""

    def __init__(self, t):
        super().__init__()
        self.conv1, self.bn1 = t.conv1, t.bn1
        self.register_buffer("w2", pm1(t.conv2.weight.detach()))
        self.bn2 = t.bn2
        self.register_buffer("w3", pm1(t.conv3.weight.detach()))
        self.bn3 = t.bn3
        self.register_buffer("w4", pm1(t.fc4.weight.detach()))
        self.bn4 = t.bn4
        self.fc5 = t.fc5
        self.pool = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()

    def sign(self, x):
        # float32 constants: Python floats would be exported as float64.
        return torch.where(x >= 0, torch.tensor(1.0), torch.tensor(-1.0))

    def forward(self, x):
        x = self.sign(self.bn1(self.conv1(x)))
        x = self.pool(self.sign(self.bn2(F.conv2d(x, self.w2, None, padding=1))))
        x = self.pool(self.sign(self.bn3(F.conv2d(x, self.w3, None, padding=1))))
        x = self.sign(self.bn4(F.linear(self.flatten(x), self.w4)))
        return self.fc5(x)


def bn_thresholds(bn):
    """Per channel: the input value t at which the batch norm output crosses
    0 (float64), or None where the scale is 0."""
    g = bn.weight.detach().double()
    b = bn.bias.detach().double()
    m = bn.running_mean.double()
    v = bn.running_var.double()
    sd = torch.sqrt(v + bn.eps)
    return [None if float(g[c]) == 0 else float(m[c] - b[c] * sd[c] / g[c])
            for c in range(len(g))]


def nudge_ties(model):
    """Moves batch norm thresholds off ties (see the docstring); returns the
    number of channels changed."""
    changed = 0
    with torch.no_grad():
        for bn in (model.bn2, model.bn3, model.bn4):
            for c, t in enumerate(bn_thresholds(bn)):
                if t is not None and abs(t - round(t)) < 0.01:
                    bn.running_mean[c] += 0.02
                    changed += 1
        # conv1 on a black patch gives its bias; after bn1 it must not be ~0.
        bias = model.conv1.bias.detach().double()
        for c, t in enumerate(bn_thresholds(model.bn1)):
            if t is not None and abs(float(bias[c]) - t) < 1e-3 * max(1.0, abs(t)):
                model.bn1.running_mean[c] += 0.02
                changed += 1
    return changed


def predict(model, x, batch=500):
    preds = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            preds.append(torch.argmax(logits, dim=1))  # first maximum
    return torch.cat(preds).numpy().astype(np.uint8)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out-dir", default=os.path.join(here, "Inputs"))
    ap.add_argument("--train-images", type=int, default=48000)
    ap.add_argument("--batch", type=int, default=100)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--check-images", type=int, default=2000)
    args = ap.parse_args()

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    rng = np.random.RandomState(SEED)
    train_x = read_idx(os.path.join(args.data, "train-images-idx3-ubyte.gz"))
    train_y = read_idx(os.path.join(args.data, "train-labels-idx1-ubyte.gz"))
    test_x = read_idx(os.path.join(args.data, "t10k-images-idx3-ubyte.gz"))
    test_y = read_idx(os.path.join(args.data, "t10k-labels-idx1-ubyte.gz"))
    assert test_x.shape == (10000, 28, 28) and test_y.shape == (10000,)

    model = TrainBNN()
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    order = rng.permutation(len(train_x))[:args.train_images]
    steps = len(order) // args.batch
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0 - s / steps)
    model.train()
    start = time.time()
    for step in range(steps):
        idx = order[step * args.batch:(step + 1) * args.batch]
        x = to_input(train_x[idx])
        y = torch.from_numpy(train_y[idx].astype(np.int64))
        loss = F.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for layer in model.binary_layers():
                layer.weight.clamp_(-1.0, 1.0)
        if step % 100 == 0 or step == steps - 1:
            print("step %d/%d loss %.4f (%.0f s)" % (step + 1, steps, float(loss),
                                                    time.time() - start), flush=True)
    model.eval()

    changed = nudge_ties(model)
    print("batch norm channels moved off a tie: %d" % changed)

    xt = to_input(test_x)
    train_pred = predict(model, xt)
    exp = ExportBNN(model).eval()
    pred = predict(exp, xt)
    acc = float((pred == test_y).mean())
    print("test accuracy (PyTorch, exported variant): %.4f (%d of 10000)"
          % (acc, int((pred == test_y).sum())))
    print("training variant agrees with the exported one on %d of 10000"
          % int((train_pred == pred).sum()))

    # Near-ties of the float first layer (after batch norm, before sign).
    with torch.no_grad():
        near = 0
        for i in range(0, 10000, 500):
            a = exp.bn1(exp.conv1(xt[i:i + 500]))
            near += int((a.abs().flatten(1).min(dim=1).values < 1e-5).sum())
    print("test images with a first-layer pre-sign value within 1e-5 of 0: %d" % near)

    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, "fashion_bnn.onnx")
    f = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(exp, (xt[:1],), f, opset_version=13, do_constant_folding=True,
                          training=torch.onnx.TrainingMode.PRESERVE,
                          input_names=["input"], output_names=["output"])
    data = f.getvalue()
    mp = onnx.load_from_string(data)
    onnx.checker.check_model(mp, full_check=True)
    with open(onnx_path, "wb") as out:
        out.write(data)
    pred.tofile(os.path.join(args.out_dir, "fashion_bnn.pred"))
    print("wrote %s (%d bytes) and fashion_bnn.pred" % (onnx_path, len(data)))

    # The binary layers' weights in the file are +-1.
    inits = {i.name: onnx.numpy_helper.to_array(i) for i in mp.graph.initializer}
    binary = [k for k, v in inits.items()
              if v.ndim >= 2 and k not in ("conv1.weight", "fc5.weight")]
    assert len(binary) == 3, sorted(inits)
    for k in binary:
        assert set(np.unique(inits[k]).tolist()) <= {-1.0, 1.0}, k
    print("initializers:", ", ".join("%s %s" % (k, list(v.shape)) for k, v in inits.items()))
    ops = [n.op_type for n in mp.graph.node]
    print("ONNX ops:", " ".join(ops))

    # The ONNX file computes what PyTorch computed (numpy, float64).
    in_name, _ = onnx_eval.input_shape(mp)
    agree, n = 0, args.check_images
    for i in range(0, n, 250):
        j = min(n, i + 250)
        (logits,) = onnx_eval.run(mp, {in_name: xt[i:j].numpy()})
        agree += int((np.argmax(logits, axis=1) == pred[i:j]).sum())
    print("onnx_eval (float64) agrees with PyTorch on %d of the first %d test images" % (agree, n))


if __name__ == "__main__":
    main()
