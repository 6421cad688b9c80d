#!/usr/bin/env bash
# The demo command: installs what is missing, builds bnn-opt and runs it over
# the example BiTAT layer, showing the weight expression fold into packed
# constants.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh bnn-opt
BNN_OPT=${BUILD_DIR:-build}/bin/bnn-opt

echo "== examples/bitat_layer.mlir (Level 1 form, as training leaves it)"
grep -v '^ *//' examples/bitat_layer.mlir
echo
echo "== after bnn-opt -canonicalize: transforms folded, weights packed"
"$BNN_OPT" examples/bitat_layer.mlir -canonicalize
