#!/usr/bin/env bash
# The demo command: installs what is missing, builds the tools, then
#  1. compiles a binarized CNN for Fashion-MNIST (examples/fashion_mnist) to
#     x86-64 and AArch64 objects, runs both on the first test images
#     (AArch64 under qemu-aarch64) next to the same model written with the
#     reference library, and checks that all three agree on every image;
#  2. trains examples/fashion_mnist/train_bitat.mlir with bnn-train (BiTAT,
#     a short run: DEMO_EPOCHS epochs, default 4, on DEMO_LIMIT training
#     images, default 8192), compiles the trained model for both targets and
#     checks that both predict what the trainer predicted on all 10,000
#     test images;
#  3. imports a BNN trained in PyTorch (test/Import/ONNX/Inputs/
#     fashion_bnn.onnx, gen_fashion_bnn.py) with bnn-import, compiles it for
#     both targets and checks that both predict what PyTorch predicted (all
#     10,000 test images on x86-64, the first 1,000 under qemu-aarch64).
#
#   scripts/demo.sh [N]      N test images shown (default 10)
#
# Everything it generates goes to $BUILD_DIR/demo/fashion_mnist.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh bnn-compile bnn-opt bnn-train bnn-import
ROOT=$PWD
BUILD_DIR=${BUILD_DIR:-build}
[[ "$BUILD_DIR" == /* ]] || BUILD_DIR=$ROOT/$BUILD_DIR
BNN_COMPILE=$BUILD_DIR/bin/bnn-compile
SRC=$ROOT/examples/fashion_mnist
OUT=$BUILD_DIR/demo/fashion_mnist
DATA=/usr/share/datasets/fashion-mnist
COUNT=${1:-10}
CXX_X86=${CXX:-clang++-22}
CXX_A64=aarch64-linux-gnu-g++
# -ffp-contract=off: the reference's float expressions are evaluated as
# written (no fused multiply-add), like the compiled model's.
CXXFLAGS=(-std=c++17 -O2 -Wall -Wextra -ffp-contract=off -I"$OUT" -I"$ROOT/include")
REFERENCE_SOURCES=("$ROOT/lib/Reference/Packing.cpp" "$ROOT/lib/Reference/Reference.cpp")

die() { echo "demo: error: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }

[[ "$COUNT" =~ ^[1-9][0-9]*$ ]] || die "the number of images must be a positive integer, got '$COUNT'"
[[ -x "$BNN_COMPILE" ]] || die "$BNN_COMPILE was not built"
for tool in python3 "$CXX_X86" "$CXX_A64" qemu-aarch64 gzip; do
  command -v "$tool" >/dev/null || die "$tool not found (scripts/install-deps.sh installs it)"
done
for f in t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz train-images-idx3-ubyte.gz \
         train-labels-idx1-ubyte.gz; do
  [[ -r "$DATA/$f" ]] || die "$DATA/$f is missing (Debian package dataset-fashion-mnist)"
done
mkdir -p "$OUT"
start=$SECONDS

step "Generating the model (examples/fashion_mnist/make_model.py)"
python3 "$SRC/make_model.py" -o "$OUT" --data-dir "$DATA"
sed -n '/^\/\/   conv1/,/^\/\/   dense5/p' "$OUT/fashion_bnn.mlir"

step "Compiling it with bnn-compile for x86-64 and AArch64"
"$BNN_COMPILE" "$OUT/fashion_bnn.mlir" --target=x86_64-linux-gnu --emit=obj \
  -o "$OUT/fashion_bnn.x86_64.o" --header "$OUT/fashion_bnn.h" \
  --summary --summary-output="$OUT/summary.txt" \
  || die "bnn-compile failed for x86_64-linux-gnu"
"$BNN_COMPILE" "$OUT/fashion_bnn.mlir" --target=aarch64-linux-gnu --emit=obj \
  -o "$OUT/fashion_bnn.aarch64.o" \
  || die "bnn-compile failed for aarch64-linux-gnu"
ls -l "$OUT/fashion_bnn.x86_64.o" "$OUT/fashion_bnn.aarch64.o" | awk '{print "  " $5 " bytes  " $9}'
sed -n 's/^void /  void /p' "$OUT/fashion_bnn.h"

step "Model summary after the compile-time passes (bnn-compile --summary)"
cat "$OUT/summary.txt"

step "Building the demo driver ($CXX_X86 for x86-64; $CXX_A64 -static for AArch64)"
# The two builds run side by side; each logs to its own file.
"$CXX_X86" "${CXXFLAGS[@]}" "$SRC/demo.cpp" "${REFERENCE_SOURCES[@]}" \
  "$OUT/fashion_bnn.x86_64.o" -lz -lm -o "$OUT/fashion_demo.x86_64" \
  >"$OUT/build.x86_64.log" 2>&1 &
x86_build=$!
"$CXX_A64" -static -DDEMO_NO_ZLIB "${CXXFLAGS[@]}" "$SRC/demo.cpp" "${REFERENCE_SOURCES[@]}" \
  "$OUT/fashion_bnn.aarch64.o" -lm -o "$OUT/fashion_demo.aarch64" \
  >"$OUT/build.aarch64.log" 2>&1 &
a64_build=$!
failed=0
wait "$x86_build" || { cat "$OUT/build.x86_64.log" >&2; echo "demo: error: building the x86-64 driver failed" >&2; failed=1; }
wait "$a64_build" || { cat "$OUT/build.aarch64.log" >&2; echo "demo: error: building the AArch64 driver failed" >&2; failed=1; }
[[ $failed -eq 0 ]] || exit 1
echo "  $OUT/fashion_demo.x86_64, $OUT/fashion_demo.aarch64"
# The AArch64 driver has no zlib: it reads uncompressed IDX files.
for f in t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  gzip -dc "$DATA/$f.gz" >"$OUT/$f" || die "cannot decompress $DATA/$f.gz"
done

run() { # run NAME COMMAND...: prints the output, keeps it in $OUT/NAME.txt
  local name=$1 rc=0
  shift
  "$@" >"$OUT/$name.txt" || rc=$?
  cat "$OUT/$name.txt"
  return $rc
}
rc_x86=0
rc_a64=0
step "x86-64 (native): compiled model vs. reference on $COUNT test images"
run x86_64 "$OUT/fashion_demo.x86_64" --weights "$OUT/fashion_bnn.weights" \
  --images "$DATA/t10k-images-idx3-ubyte.gz" --labels "$DATA/t10k-labels-idx1-ubyte.gz" \
  -n "$COUNT" || rc_x86=$?
step "AArch64 (qemu-aarch64): compiled model vs. reference on $COUNT test images"
run aarch64 qemu-aarch64 "$OUT/fashion_demo.aarch64" --weights "$OUT/fashion_bnn.weights" \
  --images "$OUT/t10k-images-idx3-ubyte" --labels "$OUT/t10k-labels-idx1-ubyte" \
  -n "$COUNT" || rc_a64=$?

step "Summary: predicted classes"
# Per-image lines of the driver: fixed columns (image, true label, compiled,
# reference), class names padded to 11 characters.
columns() {
  awk 'substr($0, 1, 5) ~ /^ *[0-9]+$/ {
         t = substr($0, 8, 11); c = substr($0, 21, 11); r = substr($0, 34, 11)
         gsub(/ +$/, "", t); gsub(/ +$/, "", c); gsub(/ +$/, "", r)
         print $1 "\t" t "\t" c "\t" r }' "$1"
}
columns "$OUT/x86_64.txt" >"$OUT/x86_64.tsv"
columns "$OUT/aarch64.txt" >"$OUT/aarch64.tsv"
ok=1
[[ $rc_x86 -eq 0 ]] || { echo "demo: the x86-64 driver exited with status $rc_x86" >&2; ok=0; }
[[ $rc_a64 -eq 0 ]] || { echo "demo: the AArch64 driver exited with status $rc_a64" >&2; ok=0; }
n_x86=$(wc -l <"$OUT/x86_64.tsv")
n_a64=$(wc -l <"$OUT/aarch64.tsv")
if [[ $n_x86 -ne $COUNT || $n_a64 -ne $COUNT ]]; then
  echo "demo: expected $COUNT result lines, got $n_x86 (x86-64) and $n_a64 (AArch64)" >&2
  ok=0
fi
paste "$OUT/x86_64.tsv" "$OUT/aarch64.tsv" | awk -F'\t' '
  BEGIN { printf "%5s  %-11s  %-11s  %-11s  %-11s  %-11s\n", "image", "true label",
          "x86-64", "AArch64", "ref x86-64", "ref AArch64" }
  { agree = ($1 == $5 && $3 == $4 && $3 == $7 && $3 == $8)
    printf "%5s  %-11s  %-11s  %-11s  %-11s  %-11s  %s\n", $1, $2, $3, $7, $4, $8,
           agree ? "agree" : "DISAGREE" }' | tee "$OUT/summary.txt"
mismatches=$(grep -c 'DISAGREE' "$OUT/summary.txt" || true)
hash_x86=$(sed -n 's/^compiled logits FNV-1a: //p' "$OUT/x86_64.txt")
hash_a64=$(sed -n 's/^compiled logits FNV-1a: //p' "$OUT/aarch64.txt")
[[ $mismatches -eq 0 ]] || ok=0

echo
if [[ $ok -eq 1 ]]; then
  echo "OK: x86-64, AArch64 and the reference agree on all $COUNT images (logits within tolerance)."
  if [[ -n "$hash_x86" && "$hash_x86" == "$hash_a64" ]]; then
    echo "    The compiled logits are bit-identical on x86-64 and AArch64 (FNV-1a $hash_x86)."
  else
    echo "    The compiled logits differ in rounding between x86-64 and AArch64 (FNV-1a $hash_x86 vs $hash_a64)."
  fi
  echo "    ($((SECONDS - start)) s; outputs in $OUT)"
else
  echo "FAIL: the compiled models and the reference do not agree (outputs in $OUT)" >&2
  exit 1
fi

# Part 2: a trained model.
EPOCHS=${DEMO_EPOCHS:-4}
LIMIT=${DEMO_LIMIT:-8192}
TRAINED=$BUILD_DIR/demo/trained
mkdir -p "$TRAINED"
start=$SECONDS
step "Training examples/fashion_mnist/train_bitat.mlir with bnn-train (BiTAT, $EPOCHS epochs on $LIMIT images)"
"$BUILD_DIR/bin/bnn-train" "$SRC/train_bitat.mlir" --data="$DATA" --method=bitat \
  --epochs="$EPOCHS" --stage-epochs=1 --limit="$LIMIT" --log="$TRAINED/log.csv" \
  --predictions="$TRAINED/trainer_predictions.txt" -o "$TRAINED/fashion_bitat.mlir" \
  || die "bnn-train failed"

step "Compiling the trained model for x86-64 and AArch64"
"$BNN_COMPILE" "$TRAINED/fashion_bitat.mlir" --target=x86_64-linux-gnu \
  -o "$TRAINED/fashion_bitat.x86_64.o" --summary --summary-output="$TRAINED/summary.txt" \
  || die "bnn-compile failed for x86_64-linux-gnu"
"$BNN_COMPILE" "$TRAINED/fashion_bitat.mlir" --target=aarch64-linux-gnu \
  -o "$TRAINED/fashion_bitat.aarch64.o" || die "bnn-compile failed for aarch64-linux-gnu"
cat "$TRAINED/summary.txt"
"$CXX_X86" -std=c++17 -O2 -DMODEL_FN=fashion_bitat "$SRC/run_trained.cpp" \
  "$TRAINED/fashion_bitat.x86_64.o" -lm -o "$TRAINED/run_trained.x86_64" \
  || die "building the x86-64 driver failed"
"$CXX_A64" -std=c++17 -O2 -static -DMODEL_FN=fashion_bitat "$SRC/run_trained.cpp" \
  "$TRAINED/fashion_bitat.aarch64.o" -lm -o "$TRAINED/run_trained.aarch64" \
  || die "building the AArch64 driver failed"

trained_ok=1
step "x86-64 (native): the trained model on the test set"
"$TRAINED/run_trained.x86_64" "$OUT/t10k-images-idx3-ubyte" "$OUT/t10k-labels-idx1-ubyte" \
  -n "$COUNT" --expect "$TRAINED/trainer_predictions.txt" || trained_ok=0
step "AArch64 (qemu-aarch64): the trained model on the test set"
qemu-aarch64 "$TRAINED/run_trained.aarch64" "$OUT/t10k-images-idx3-ubyte" \
  "$OUT/t10k-labels-idx1-ubyte" -n "$COUNT" --expect "$TRAINED/trainer_predictions.txt" \
  || trained_ok=0
echo
if [[ $trained_ok -eq 1 ]]; then
  echo "OK: the trained model predicts on x86-64 and AArch64 exactly what bnn-train predicted"
  echo "    on all 10,000 test images ($((SECONDS - start)) s; outputs in $TRAINED)."
  echo "    A short run: docs/Training.md has the commands for the full results."
else
  echo "FAIL: a compiled trained model disagrees with bnn-train (outputs in $TRAINED)" >&2
  exit 1
fi

# Part 3: a BNN trained in PyTorch, exported to ONNX.
ONNX_DIR=$ROOT/test/Import/ONNX
IMPORTED=$BUILD_DIR/demo/onnx
mkdir -p "$IMPORTED"
start=$SECONDS
step "Importing a BNN trained in PyTorch (fashion_bnn.onnx) and compiling it for x86-64 and AArch64"
"$BUILD_DIR/bin/bnn-import" "$ONNX_DIR/Inputs/fashion_bnn.onnx" --function-name=fashion_bnn \
  -o "$IMPORTED/fashion_bnn.mlir" || die "bnn-import failed"
"$BNN_COMPILE" "$IMPORTED/fashion_bnn.mlir" --target=x86_64-linux-gnu \
  -o "$IMPORTED/fashion_bnn.x86_64.o" --summary --summary-output="$IMPORTED/summary.txt" \
  || die "bnn-compile failed for x86_64-linux-gnu"
"$BNN_COMPILE" "$IMPORTED/fashion_bnn.mlir" --target=aarch64-linux-gnu \
  -o "$IMPORTED/fashion_bnn.aarch64.o" || die "bnn-compile failed for aarch64-linux-gnu"
cat "$IMPORTED/summary.txt"
"$CXX_X86" -std=c++17 -O2 -ffp-contract=off "$ONNX_DIR/fashion_harness.cpp" \
  "$IMPORTED/fashion_bnn.x86_64.o" -lm -o "$IMPORTED/run_onnx.x86_64" \
  || die "building the x86-64 driver failed"
"$CXX_A64" -std=c++17 -O2 -ffp-contract=off -static "$ONNX_DIR/fashion_harness.cpp" \
  "$IMPORTED/fashion_bnn.aarch64.o" -lm -o "$IMPORTED/run_onnx.aarch64" \
  || die "building the AArch64 driver failed"
onnx_ok=1
step "x86-64 (native): the imported model on the 10,000 test images"
"$IMPORTED/run_onnx.x86_64" "$OUT/t10k-images-idx3-ubyte" "$OUT/t10k-labels-idx1-ubyte" \
  "$ONNX_DIR/Inputs/fashion_bnn.pred" || onnx_ok=0
step "AArch64 (qemu-aarch64): the imported model on the first 1,000 test images"
qemu-aarch64 "$IMPORTED/run_onnx.aarch64" "$OUT/t10k-images-idx3-ubyte" \
  "$OUT/t10k-labels-idx1-ubyte" "$ONNX_DIR/Inputs/fashion_bnn.pred" 1000 || onnx_ok=0
echo
if [[ $onnx_ok -eq 1 ]]; then
  echo "OK: the BNN trained in PyTorch, imported from ONNX, predicts on x86-64 and AArch64"
  echo "    what PyTorch predicted ($((SECONDS - start)) s; outputs in $IMPORTED)."
else
  echo "FAIL: the imported model disagrees with PyTorch (outputs in $IMPORTED)" >&2
  exit 1
fi
