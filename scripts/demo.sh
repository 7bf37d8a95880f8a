#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine, builds mitosis in release mode and runs the demo: the whole pipeline on
# a built-in synthetic cohort. Extra arguments go to `mitosis demo` (e.g. --quick, --output DIR); the demo
# runs in the folder this script was started from, so relative paths and the default `demo-out` are there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/bootstrap.sh"
swift build --package-path "$root" -c release --product mitosis 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
bin="$(swift build --package-path "$root" -c release --show-bin-path)/mitosis"
[ -x "$bin" ] || { echo "demo: the build did not produce $bin (see the compiler output above)" >&2; exit 1; }
exec "$bin" demo "$@"
