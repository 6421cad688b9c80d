#!/usr/bin/env bash
# Builds and runs the packed-kernel benchmark (bench/): every layer of
# bench/gen_layers.py compiled for this machine (--target=host, -O3) with the
# register tiles (bnn-tile) and without (--no-tile), next to the measured
# XOR+popcount+add ceiling, in one run. Writes the table to
# docs/BENCHMARKS.md (section "Packed kernels") and prints it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh bnn-compile
OUT=${BUILD_DIR:-build}/bench
mkdir -p "$OUT"
python3 bench/gen_layers.py --suffix=_tiled -o "$OUT/layers_tiled.mlir"
python3 bench/gen_layers.py --suffix=_scalar -o "$OUT/layers_scalar.mlir"
BC=${BUILD_DIR:-build}/bin/bnn-compile
"$BC" "$OUT/layers_tiled.mlir" --target=host -O3 --emit=obj -o "$OUT/layers_tiled.o" --header "$OUT/layers_tiled.h"
"$BC" "$OUT/layers_scalar.mlir" --target=host -O3 --no-tile --emit=obj -o "$OUT/layers_scalar.o" --header "$OUT/layers_scalar.h"
clang++-22 -O3 -march=native -std=c++17 -I"$OUT" bench/bench.cpp \
  "$OUT/layers_tiled.o" "$OUT/layers_scalar.o" -lbenchmark -lpthread -o "$OUT/bench"
"$OUT/bench" --benchmark_min_time=0.5 --benchmark_format=json > "$OUT/results.json"
python3 bench/report.py "$OUT/results.json" "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" \
  > "$OUT/table.md"
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
