#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds mitosis in release mode and runs the demo: the whole pipeline on
# a built-in synthetic cohort. Extra arguments go to `mitosis demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
swift build -c release --product mitosis 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\] ' || true
exec "$(swift build -c release --show-bin-path)/mitosis" demo "$@"
