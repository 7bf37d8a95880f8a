#!/usr/bin/env bash
# Fuzzes every parser of input mitosis does not control with libFuzzer and AddressSanitizer (issue 16).
#
#   bash scripts/fuzz.sh [--seconds N] [--seed S] [TARGET ...]   # default: 5 seconds for each of the 16 targets, seed 1
#
# Builds Fuzz/MitosisFuzz into .build-fuzz (MITOSIS_FUZZ=1 adds it to the package), makes seed corpora from
# the real files in ../shared (reference prototxts, caffemodels, mean files, real centre CSVs and frames),
# the outputs of a small `mitosis run` on a synthetic cohort, and Fuzz/make_seeds.py, then runs each target
# for N seconds. New inputs accumulate in .build-fuzz/corpus/TARGET, so a second run goes on from the first.
# Prints executions, coverage (libFuzzer's cov/ft) and corpus size per target; a crash, hang, sanitizer
# report or error that does not name its file leaves .build-fuzz/crashes/TARGET-* and makes the script fail.
# Replay one: MITOSIS_FUZZ_TARGET=TARGET .build-fuzz/debug/mitosis-fuzz FILE
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=5
seed=1
targets=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds="$2"; shift 2 ;;
        --seed) seed="$2"; shift 2 ;;
        -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
        *) targets+=("$1"); shift ;;
    esac
done
all=(centre-csv detections-csv net-prototxt solver-prototxt template caffemodel binaryproto solverstate datum
     patch-archive folds-json patch-index bundle-manifest png jpeg tiff)
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
shared=../shared
ref=$shared/reference/janowczyk-2016
real=$shared/real/mitos-atypia-14-H
for d in "$ref" "$real"; do
    [ -d "$d" ] || { echo "fuzz: $d is missing: the seed corpora come from ../shared (see README)" >&2; exit 1; }
done

echo "fuzz: building mitosis-fuzz (libFuzzer + AddressSanitizer, debug) and mitosis (release) ..." >&2
# One -sanitize=fuzzer,address (swiftc keeps only the last -sanitize= it is given, so SwiftPM's --sanitize
# twice would drop one; --sanitize fuzzer tells SwiftPM that libFuzzer supplies main); no dead stripping, which would drop libFuzzer's coverage sections.
MITOSIS_FUZZ=1 swift build --scratch-path .build-fuzz --sanitize fuzzer -Xswiftc -sanitize=fuzzer,address --disable-dead-strip --product mitosis-fuzz \
    > .build-fuzz.log 2>&1 || { tail -30 .build-fuzz.log >&2; echo "fuzz: the fuzz build failed (.build-fuzz.log)" >&2; exit 1; }
swift build -c release --product mitosis > .build-fuzz-release.log 2>&1 \
    || { tail -30 .build-fuzz-release.log >&2; echo "fuzz: the release build failed" >&2; exit 1; }
fuzzer=$PWD/.build-fuzz/debug/mitosis-fuzz
mitosis=$PWD/.build/release/mitosis
work=$PWD/.build-fuzz
seeds=$work/seeds

# Seeds: rebuilt every run (cheap), so they follow the current writers.
rm -rf "$seeds" "$work/seed-run" && mkdir -p "$seeds" "$work/seed-run" "$work/crashes"
(cd "$work/seed-run" && "$mitosis" synth cohort --patients 2 --images-per-patient 1 --size 128 --seed 16 -q > /dev/null \
    && "$mitosis" run cohort out --folds 2 --iterations 2 --no-refine --seed 16 > run.log 2>&1) \
    || { cat "$work/seed-run/run.log" >&2; echo "fuzz: the seed run failed" >&2; exit 1; }
out=$work/seed-run/out
put() { local target=$1; shift; mkdir -p "$seeds/$target"; for f in "$@"; do cp "$f" "$seeds/$target/$(echo "$f" | tr '/' '_')"; done; }
put centre-csv $(ls "$real"/*.csv | head -40) "$work"/seed-run/cohort/*.csv
put detections-csv "$out"/detections/*.csv
put net-prototxt "$ref"/deploy*.prototxt "$ref"/BASE-alexnet_traing*.prototxt "$out"/round1/fold_1/net.prototxt "$out"/model/deploy.prototxt
put solver-prototxt "$ref"/BASE-alexnet_solver_ada.prototxt "$out"/round1/fold_1/solver.prototxt
put template "$ref"/BASE-*.prototxt
put caffemodel "$ref"/1_caffenet_train_w32_2nd_iter_600000.caffemodel "$out"/model/fold_1.caffemodel
put binaryproto "$ref"/DB_train_w32_1_2nd.binaryproto "$out"/model/fold_1_mean.binaryproto
put solverstate "$out"/round1/fold_1/model_iter_1.solverstate
put patch-archive "$out"/round1/patches/*.patches
put folds-json "$out"/round1/patches/folds.json
put patch-index "$out"/round1/patches/index.json
put bundle-manifest "$out"/model/manifest.json
put png "$out"/round1/maps/*.png "$work"/seed-run/cohort/01_01_cmask.png
put tiff "$out"/round1/maps/01_01_logodds.tif "$work"/seed-run/cohort/01_01.tif
python3 Fuzz/make_seeds.py "$seeds" "$(ls "$real"/*.jpg | head -1)"
"$fuzzer" --write-seeds "$seeds"
# Inputs that once crashed a target (each has a regression test) stay in its seeds.
for d in Fuzz/regressions/*/; do put "$(basename "$d")" "$d"*; done

# No Swift backtracer (it would wait on each crash); no leak checks (Swift runtime caches are not leaks).
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:symbolize=1
failed=0
printf '%-16s %8s %10s %8s %8s %8s %7s %s\n' target seconds executions exec/s cov ft corpus crashes
for t in "${targets[@]}"; do
    corpus=$work/corpus/$t && mkdir -p "$corpus"
    log=$work/fuzz-$t.log
    rm -f "$work/crashes/$t-"*
    set +e
    MITOSIS_FUZZ_TARGET=$t "$fuzzer" "$corpus" "$seeds/$t" -max_total_time="$seconds" -seed="$seed" -timeout=20 -rss_limit_mb=4096 \
        -malloc_limit_mb=3072 -print_final_stats=1 -artifact_prefix="$work/crashes/$t-" > "$log" 2>&1
    status=$?
    set -e
    runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo 0)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
    ft=$(grep -oE 'ft: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
    units=$(ls "$corpus" | wc -l)
    crashes=$(ls "$work/crashes" | grep -c "^$t-" || true)
    printf '%-16s %8s %10s %8s %8s %8s %7s %s\n' "$t" "$seconds" "$runs" "$((runs / seconds))" "$cov" "$ft" "$units" "$crashes"
    if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
        failed=1
        grep -E 'ERROR|Fatal error|SUMMARY|error does not name' "$log" | head -5 >&2 || true
        echo "fuzz: $t failed (log $log; inputs in $work/crashes/$t-*)" >&2
    fi
done
[ "$failed" -eq 0 ] || { echo "fuzz: crashes found" >&2; exit 1; }
echo "fuzz: no crashes" >&2
