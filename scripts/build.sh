#!/usr/bin/env bash
# Configures (once) and builds bnn-mlir in ./build against Debian's LLVM/MLIR 22.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
fi
# Two cores: keep parallelism at the core count (MLIR TUs need ~1 GB each).
ninja -C "$BUILD_DIR" -j "$(nproc)" "$@"
