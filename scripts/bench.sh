#!/usr/bin/env bash
# Builds and runs the packed-kernel benchmark (bench/): every layer of
# bench/gen_layers.py compiled for this machine (--target=host, -O3) with the
# register tiles (bnn-tile) and without (--no-tile), next to the measured
# XOR+popcount+add ceiling, in one run. Writes the table to
# docs/BENCHMARKS.md (section "Packed kernels") and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh bench
scripts/build.sh bnn-compile bnn-opt
OUT=${BUILD_DIR:-build}/bench
mkdir -p "$OUT"
python3 bench/gen_layers.py --suffix=_tiled -o "$OUT/layers_tiled.mlir"
python3 bench/gen_layers.py --suffix=_scalar -o "$OUT/layers_scalar.mlir"
BC=${BUILD_DIR:-build}/bin/bnn-compile
"$BC" "$OUT/layers_tiled.mlir" --target=host -O3 --emit=obj -o "$OUT/layers_tiled.o" --header "$OUT/layers_tiled.h"
"$BC" "$OUT/layers_scalar.mlir" --target=host -O3 --no-tile --emit=obj -o "$OUT/layers_scalar.o" --header "$OUT/layers_scalar.h"
# End to end: the demo model at batch 1 and (leading dimension rewritten) 64.
python3 examples/fashion_mnist/make_model.py -o "$OUT" >/dev/null
sed 's/tensor<1x/tensor<64x/g; s/@fashion_bnn\b/@fashion_bnn64/' "$OUT/fashion_bnn.mlir" > "$OUT/fashion_bnn64.mlir"
"$BC" "$OUT/fashion_bnn.mlir" --target=host -O3 --emit=obj -o "$OUT/demo_b1.o" --header "$OUT/demo_b1.h"
"$BC" "$OUT/fashion_bnn64.mlir" --target=host -O3 --emit=obj -o "$OUT/demo_b64.o" --header "$OUT/demo_b64.h"
# The training step: gradients written by bnn-generate-gradients.
python3 bench/gen_train_model.py --batch 64 -o "$OUT/train_b64.mlir"
${BUILD_DIR:-build}/bin/bnn-opt "$OUT/train_b64.mlir" -bnn-generate-gradients -o "$OUT/train_b64_grad.mlir"
"$BC" "$OUT/train_b64_grad.mlir" --target=host -O3 --emit=obj -o "$OUT/train_b64.o" --header "$OUT/train_b64.h"
clang++-22 -O3 -march=native -std=c++17 -I"$OUT" bench/bench.cpp \
  "$OUT/layers_tiled.o" "$OUT/layers_scalar.o" "$OUT/demo_b1.o" "$OUT/demo_b64.o" "$OUT/train_b64.o" \
  -ldnnl -lbenchmark -lpthread -o "$OUT/bench"
# One thread everywhere: oneDNN's OpenMP runtime, PyTorch.
export OMP_NUM_THREADS=1
# Medians of 5 repetitions: the speed of a shared machine drifts.
REPS=(--benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
"$OUT/bench" --benchmark_min_time=0.2 "${REPS[@]}" --benchmark_format=json > "$OUT/results.json"
# The models again with glibc's malloc told to keep freed memory: each call
# of a compiled model mallocs its temporaries, and large ones are fresh
# mmapped pages by default (see docs/BENCHMARKS.md).
GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4294967295:glibc.malloc.trim_threshold=4294967295 \
  "$OUT/bench" --benchmark_filter=demo --benchmark_min_time=0.2 "${REPS[@]}" --benchmark_format=json > "$OUT/results_kept.json"
# Compile time of a ResNet-18-sized binarized model (bench/gen_resnet.py),
# with and without the register tiles.
/usr/bin/python3 bench/gen_resnet.py -o "$OUT/resnet18_bnn.mlir"
compile_seconds() {
  local start end
  start=$(date +%s.%N)
  "$BC" "$OUT/resnet18_bnn.mlir" --target=host -O3 --emit=obj -o "$OUT/resnet18_bnn.o" "$@" \
    --mlir-timing --mlir-output-format=json 2> "$OUT/resnet18_timing$*.json"
  end=$(date +%s.%N)
  python3 -c "print('%.1f' % ($end - $start))"
}
RESNET_TILED=$(compile_seconds)
RESNET_SCALAR=$(compile_seconds --no-tile)
echo "{\"tiled\": $RESNET_TILED, \"scalar\": $RESNET_SCALAR}" > "$OUT/compile_time.json"
# PyTorch is Debian's python3-torch, for /usr/bin/python3.
/usr/bin/python3 bench/torch_anchor.py "$OUT/torch.json"
/usr/bin/python3 bench/torch_train_anchor.py "$OUT/torch_train.json"
python3 bench/report.py "$OUT/results.json" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  "$OUT/plot.dat" "$OUT/torch.json" "$OUT/results_kept.json" "$OUT/compile_time.json" "$OUT/torch_train.json" \
  > "$OUT/table.md"
# The plot: % of the ceiling per layer.
gnuplot -e "set terminal png size 900,420; set output 'docs/benchmarks.png';
  set style fill solid; set boxwidth 0.7; set yrange [0:*]; set xtics rotate by -35;
  set ylabel '% of the measured ceiling'; set title 'bnn-mlir kernels, one thread';
  plot '$OUT/plot.dat' using 0:2:xtic(1) with boxes notitle"
cat "$OUT/table.md"
python3 - "$OUT/table.md" <<'PY'
import re, sys
table = open(sys.argv[1]).read()
path = "docs/BENCHMARKS.md"
doc = open(path).read()
start = doc.index("<!-- bench:begin -->") + len("<!-- bench:begin -->\n")
end = doc.index("<!-- bench:end -->")
open(path, "w").write(doc[:start] + table + doc[end:])
PY
