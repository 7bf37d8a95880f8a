#!/usr/bin/env bash
# Sets up a fresh Debian 12 machine (native libraries, PyPI packages for the interop checks), builds the
# package and runs every test. Used by CI (.ci/run) and by the README's second command.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh --python
# The author's models, real tissue and the real cohort live in ../shared (never in the repository). Without
# them their suites are skipped: say so loudly, and in CI (CI=true) refuse to pass.
shared="$(cd .. && pwd)/shared"
missing=()
[ -f "$shared/reference/janowczyk-2016/deploy_train32.prototxt" ] || missing+=("$shared/reference/janowczyk-2016")
[ -f "$shared/reference/tissue/breast-carcinoma-he-1000.png" ] || missing+=("$shared/reference/tissue")
if [ ${#missing[@]} -gt 0 ]; then
  echo "test: WARNING: ${missing[*]} not found: the reference-model and real-tissue tests will be SKIPPED" >&2
  if [ "${CI:-}" = "true" ]; then echo "test: CI needs ../shared beside the clone; failing" >&2; exit 1; fi
fi
# oneDNN's OpenMP threads must not spin while the tests run in parallel (docs/PERFORMANCE.md).
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
# The command-line tests run the release binary users run (scripts/demo.sh builds the same one, so CI builds it
# once): the debug build's image and detection code is several times slower, and those tests map real slides.
swift build -c release --product mitosis 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\] ' || true; }
export MITOSIS_TEST_BINARY="$(swift build -c release --show-bin-path)/mitosis"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
swift test 2>&1 | tee "$log"
# A skipped test is a test that did not run: in CI that is a failure, with the tests named.
skipped="$(grep -E '^[^ ]+ (Test|Suite) .* skipped' "$log" || true)"
if [ -n "$skipped" ]; then
  echo "test: these tests were SKIPPED:" >&2
  echo "$skipped" >&2
  if [ "${CI:-}" = "true" ]; then echo "test: CI does not pass with skipped tests" >&2; exit 1; fi
fi
