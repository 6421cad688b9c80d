#!/usr/bin/env bash
# Fails when a tracked C/C++ file differs from its clang-format-22 form
# (.clang-format: LLVM style). Fix with:
#   git ls-files '*.cpp' '*.h' '*.c' | xargs clang-format-22 -i
set -euo pipefail
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-22}
mapfile -t files < <(git ls-files '*.cpp' '*.h' '*.c')
if ! "$CLANG_FORMAT" --dry-run --Werror "${files[@]}" 2>/tmp/bnn-format.$$; then
  grep -E '^[^ ].*: (error|warning):' /tmp/bnn-format.$$ | cut -d: -f1 | sort -u |
    sed 's/^/check-format: not formatted: /' >&2
  rm -f /tmp/bnn-format.$$
  echo "check-format: run: git ls-files '*.cpp' '*.h' '*.c' | xargs $CLANG_FORMAT -i" >&2
  exit 1
fi
rm -f /tmp/bnn-format.$$
echo "check-format: ${#files[@]} files formatted"
