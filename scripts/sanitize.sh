#!/usr/bin/env bash
# The sanitizer build: the whole project with AddressSanitizer and
# UndefinedBehaviorSanitizer (and libFuzzer coverage, so that bnn-fuzz is
# guided by the compiler's own code) in ./build-sanitize, then the lit suite
# under it.
#
#   scripts/sanitize.sh            every test (lit and unit tests)
#   scripts/sanitize.sh --short    bnn-opt's tests only (dialect, passes,
#                                  lowering, pipeline, the fuzzers): what CI
#                                  runs after the test command
#
# The uninstrumented libMLIR.so allocates from slabs that instrumented code
# would see as poisoned, hence allow_user_poisoning=0. Leaks are not
# checked: MLIR keeps its uniquing tables until exit. UBSan halts on the
# first report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
BUILD_DIR=${SANITIZE_BUILD_DIR:-build-sanitize}
SHORT=0
[[ "${1:-}" == "--short" ]] && SHORT=1

if [[ ! -f "$BUILD_DIR/build.ninja" ]]; then
  FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -fsanitize=fuzzer-no-link"
  cmake -G Ninja -S . -B "$BUILD_DIR" \
    -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir \
    -DCMAKE_C_FLAGS="$FLAGS" -DCMAKE_CXX_FLAGS="$FLAGS" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
    -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined"
fi

export ASAN_OPTIONS=allow_user_poisoning=0:detect_leaks=0:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
LIT=/usr/lib/llvm-22/bin/lit
if [[ $SHORT == 1 ]]; then
  targets=(bnn-opt bnn-compile bnn-doc)
  # Not `ninja ... | grep -q`: grep exits at the first match, ninja then gets
  # SIGPIPE, and pipefail turns that into "no bnn-fuzz target".
  all_targets=$(ninja -C "$BUILD_DIR" -t targets all)
  if grep -q '^bnn-fuzz:' <<<"$all_targets"; then targets+=(bnn-fuzz); fi
  ninja -C "$BUILD_DIR" -j "$(nproc)" "${targets[@]}"
  "$LIT" -sv "$BUILD_DIR/test" --filter '^BNN :: (Dialect|Transforms|Conversion|Pipelines|fuzz)/'
else
  ninja -C "$BUILD_DIR" -j "$(nproc)" all
  "$LIT" -sv "$BUILD_DIR/test" "$BUILD_DIR/test/unit"
fi
