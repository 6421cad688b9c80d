#!/usr/bin/env bash
# Installs the Debian packages bnn-mlir needs, only those that are missing.
# Idempotent: prints one line and does nothing when everything is present.
#
#   scripts/install-deps.sh          what building, the demo and the tests need
#   scripts/install-deps.sh bench    plus the benchmark anchors (scripts/bench.sh)
#                                    and the test generators: oneDNN, PyTorch,
#                                    ONNX's python package
#   scripts/install-deps.sh dev      (accepted; clang-format-22 is in the base set)
set -euo pipefail

PACKAGES=(
  # build
  cmake ninja-build ccache python3 zlib1g-dev libzstd-dev
  # LLVM/MLIR 22: libraries, tablegen, lit/FileCheck, compiler and linker
  llvm-22-dev libmlir-22-dev mlir-22-tools llvm-22-tools clang-22 lld-22
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev
  # AArch64: cross toolchain and user-mode emulation for the e2e tests
  qemu-user gcc-aarch64-linux-gnu g++-aarch64-linux-gnu libc6-dev-arm64-cross
  # the demo's data set; gnuplot draws bnn-train's --plot curves
  dataset-fashion-mnist gnuplot-nox
  # the test command's format check; libFuzzer and the sanitizer runtimes
  clang-format-22 libclang-rt-22-dev
  # bnn-import: the ONNX protobuf classes
  libonnx-dev libprotobuf-dev
)
for group in "$@"; do
  case "$group" in
    bench) PACKAGES+=(libdnnl-dev python3-torch python3-numpy python3-onnx) ;;
    dev) ;; # clang-format-22 is part of the base set now
    *) echo "install-deps: unknown group '$group' (expected bench or dev)" >&2; exit 2 ;;
  esac
done

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
