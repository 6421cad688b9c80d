#!/usr/bin/env python3
"""PyTorch anchor of the end-to-end benchmark (run by scripts/bench.sh with
Debian's /usr/bin/python3 and python3-torch; benchmarks only, never at run
time).

    torch_anchor.py OUT.json

Times the float version of the Fashion-MNIST demo network
(examples/fashion_mnist: conv 3x3 1->16, batch norm, activation; conv 3x3
16->32, BN, act, max pool 2x2; conv 3x3 32->32 stride 2, BN, act, max pool
2x2; dense 288->64, BN, act; dense 64->10) on CPU, one thread, in inference
mode, at batch 1 and 64, and writes the median seconds per image. Debian's
PyTorch has no MKL or OpenBLAS, so its plain convolution path is not a fair
anchor: its convolutions run through oneDNN (torch.backends.mkldnn), once
with the whole network in oneDNN's layouts (torch.utils.mkldnn) and once in
PyTorch's, and the faster of the two is the anchor.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.utils.mkldnn


def network():
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
        nn.Conv2d(16, 32, 3, padding=1, bias=False), nn.BatchNorm2d(32),
        nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, stride=2, padding=1, bias=False),
        nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2))


def classifier():
    return nn.Sequential(nn.Linear(288, 64, bias=False), nn.BatchNorm1d(64),
                         nn.ReLU(), nn.Linear(64, 10))


def seconds_per_image(batch, onednn_layout, rounds=5):
    torch.manual_seed(0)
    features, head = network().eval(), classifier().eval()
    if onednn_layout:
        features = torch.utils.mkldnn.to_mkldnn(features)
    x = torch.rand(batch, 1, 28, 28)
    with torch.no_grad():
        def run():
            if onednn_layout:
                y = features(x.to_mkldnn()).to_dense()
            else:
                y = features(x)
            return head(y.flatten(1))
        run()
        calls = max(1, int(500 / batch))
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times.append((time.perf_counter() - start) / (calls * batch))
    return statistics.median(times)


def main():
    torch.set_num_threads(1)
    if not torch.backends.mkldnn.is_available():
        sys.exit("torch_anchor: this PyTorch has no oneDNN (mkldnn) backend")
    # Convolutions go through oneDNN either way (torch.backends.mkldnn);
    # the faster of the two layouts is the anchor.
    result = {"torch_version": torch.__version__}
    for batch in (1, 64):
        times = {layout: seconds_per_image(batch, layout == "onednn")
                 for layout in ("onednn", "plain")}
        best = min(times, key=times.get)
        result["demo_b%d" % batch] = times[best]
        result["demo_b%d_layout" % batch] = best
    with open(sys.argv[1], "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
