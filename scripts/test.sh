#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (native libraries, PyPI packages for the interop checks), builds the
# package and runs every test. Used by CI (.ci/run) and by the README's second command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --python
# oneDNN's OpenMP threads must not spin while the tests run in parallel (docs/PERFORMANCE.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
swift test 2>&1
