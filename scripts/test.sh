#!/usr/bin/env bash
# The one test command: installs what is missing, builds everything, runs
# every test (lit + FileCheck suite and GoogleTest binaries, through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/check-format.sh
scripts/build.sh all
cd "${BUILD_DIR:-build}"
ctest --output-on-failure --verbose
