#!/usr/bin/env python3
"""PyTorch anchor of the training-epoch benchmark (scripts/bench-training.sh;
Debian's /usr/bin/python3 with python3-torch and python3-numpy; benchmarks
only, never at run time).

    torch_epoch.py [--threads T] [--limit N] OUT.json

Trains the architecture of examples/fashion_mnist/train_bitat.mlir for one
epoch on Fashion-MNIST the way `bnn-train --method=ste` does: batch 64,
Adam (lr 1e-3, cosine), the sign with a straight-through estimator (1 where
|x| <= 1), BiTAT's importance-weighted sign of an orthonormally transformed
weight, batch norm on batch statistics, latent binary weights clipped to
[-1, 1]; then evaluates the test set (batch norm on running statistics), as
bnn-train does at the end of every epoch. Writes the seconds of the epoch
(training and test evaluation), the training alone, and the test accuracy.
PyTorch layers are NCHW, its native layout.
"""
import argparse
import gzip
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F

# The straight-through sign and the importance sign of the training-step
# anchor (same semantics as bnn-mlir's ops).
from torch_train_anchor import importance_sign, sign

DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(name, count=None):
    with gzip.open("%s/%s" % (DATA, name), "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[0:4], "big")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(magic & 0xFF)]
    array = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * len(dims)).reshape(dims)
    return array if count is None else array[:count]


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        P = torch.nn.Parameter

        def kaiming(*shape):
            fan_in = int(np.prod(shape[1:]))
            b = math.sqrt(6.0 / fan_in)
            return P(torch.empty(*shape).uniform_(-b, b))

        self.w1 = kaiming(16, 1, 3, 3)
        self.bn1 = torch.nn.BatchNorm2d(16)
        self.w2, self.v2, self.s2 = kaiming(32, 16, 3, 3), P(torch.eye(16)), P(torch.ones(16, 3, 3))
        self.bn2 = torch.nn.BatchNorm2d(32)
        self.w3, self.v3, self.s3 = kaiming(64, 32, 3, 3), P(torch.eye(32)), P(torch.ones(32, 3, 3))
        self.bn3 = torch.nn.BatchNorm2d(64)
        self.w4, self.s4 = kaiming(128, 3136), P(torch.ones(3136))
        self.bn4 = torch.nn.BatchNorm1d(128)
        self.w5, self.b5 = kaiming(10, 128), P(torch.zeros(10))

    def forward(self, x):
        def bitat(w, v, s):
            return importance_sign(torch.einsum("ij,ojhw->oihw", v, w), s)

        a = sign(self.bn1(F.conv2d(F.pad(x, (1, 1, 1, 1)), self.w1)))
        a = F.conv2d(F.pad(a, (1, 1, 1, 1), value=1.0), bitat(self.w2, self.v2, self.s2))
        a = F.max_pool2d(sign(self.bn2(a)), 2)
        a = F.conv2d(F.pad(a, (1, 1, 1, 1), value=1.0), bitat(self.w3, self.v3, self.s3))
        # NHWC flatten order, as the MLIR model's.
        a = F.max_pool2d(sign(self.bn3(a)), 2).permute(0, 2, 3, 1).reshape(x.shape[0], -1)
        a = sign(self.bn4(a @ importance_sign(self.w4, self.s4).t()))
        return a @ self.w5.t() + self.b5


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("out")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    train_x = torch.from_numpy(read_idx("train-images-idx3-ubyte.gz", args.limit).astype(np.float32) / 255.0).unsqueeze(1)
    train_y = torch.from_numpy(read_idx("train-labels-idx1-ubyte.gz", args.limit).astype(np.int64))
    test_x = torch.from_numpy(read_idx("t10k-images-idx3-ubyte.gz").astype(np.float32) / 255.0).unsqueeze(1)
    test_y = torch.from_numpy(read_idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
    model = Model()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    batch = 64
    steps = len(train_x) // batch
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, steps)
    order = torch.randperm(len(train_x))
    start = time.perf_counter()
    model.train()
    for s in range(steps):
        idx = order[s * batch:(s + 1) * batch]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(train_x[idx]), train_y[idx])
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():
            for w in (model.w2, model.w3, model.w4):
                w.clamp_(-1, 1)
    train_seconds = time.perf_counter() - start
    model.eval()
    correct = 0
    with torch.no_grad():
        for first in range(0, len(test_x), batch):
            logits = model(test_x[first:first + batch])
            correct += (logits.argmax(1) == test_y[first:first + batch]).sum().item()
    epoch_seconds = time.perf_counter() - start
    result = {"epoch_seconds": epoch_seconds, "train_seconds": train_seconds,
              "test_accuracy": correct / len(test_x), "steps": steps,
              "threads": args.threads, "torch_version": torch.__version__}
    json.dump(result, open(args.out, "w"), indent=1)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
