#!/usr/bin/env bash
# Installs the Debian packages bnn-mlir needs, only those that are missing.
# Idempotent: prints one line and does nothing when everything is present.
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
  # the demo's data set
  dataset-fashion-mnist
)

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
