#!/usr/bin/env bash
# The training-speed benchmark (issue 8): one epoch of
# examples/fashion_mnist/train_bitat.mlir on Fashion-MNIST (60,000 images,
# batch 64, then the 10,000 test images), trained by bnn-train
# --method=ste and by PyTorch on the CPU (bench/torch_epoch.py: the same
# architecture with a straight-through sign), one thread each, back to back
# in one run. Prints both times and their ratio.
#
#   scripts/bench-training.sh [LIMIT]   train on the first LIMIT images only
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench
scripts/build.sh bnn-train
OUT=${BUILD_DIR:-build}/bench-training
mkdir -p "$OUT"
LIMIT=${1:-0}
limit_flag=()
[[ "$LIMIT" == 0 ]] || limit_flag=(--limit "$LIMIT")
${BUILD_DIR:-build}/bin/bnn-train examples/fashion_mnist/train_bitat.mlir --method=ste \
  --epochs=1 --limit="$LIMIT" --log="$OUT/bnn.csv" -o "$OUT/trained.mlir" | tail -n 3
/usr/bin/python3 bench/torch_epoch.py --threads 1 "${limit_flag[@]}" "$OUT/torch.json" >/dev/null
python3 - "$OUT/bnn.csv" "$OUT/torch.json" <<'PY'
import csv, json, sys
row = list(csv.DictReader(open(sys.argv[1])))[-1]
torch = json.load(open(sys.argv[2]))
bnn_train, bnn_epoch = float(row["train_seconds"]), float(row["seconds"])
print("one epoch, batch 64, one thread:")
print("  bnn-train: %7.1f s (training %.1f s), test accuracy %s" % (bnn_epoch, bnn_train, row["test_accuracy"]))
print("  PyTorch %s: %7.1f s (training %.1f s), test accuracy %.4f" % (
    torch["torch_version"], torch["epoch_seconds"], torch["train_seconds"], torch["test_accuracy"]))
print("  bnn-train / PyTorch: %.2fx the time of the epoch, %.2fx of the training" % (
    bnn_epoch / torch["epoch_seconds"], bnn_train / torch["train_seconds"]))
PY
