#!/usr/bin/env bash
# Steps 1-3 benchmark: times `mitosis patches`, `folds` and `db` (all five folds) on a synthetic cohort,
# generating the cohort first if it is missing (its generation is timed separately).
#
#   bash scripts/bench-steps.sh                       # 12 patients x 4 images of 2000x2000 (48 images)
#   IMAGES=26 bash scripts/bench-steps.sh             # 12 x 26 = 312 images: the tutorial's cohort size
#   BACKEND=leveldb WORK=/tmp/bench-steps bash scripts/bench-steps.sh
#   BIN=.build-lead-rel/release/mitosis bash scripts/bench-steps.sh   # use an existing release binary
#
# Prints one line per step with its wall time and throughput, and writes them to $WORK/steps.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${PATIENTS:-12}
IMAGES=${IMAGES:-4}
SIZE=${SIZE:-2000}
BACKEND=${BACKEND:-lmdb}
WORK=${WORK:-/tmp/mitosis-bench-steps}
export OMP_WAIT_POLICY=PASSIVE

# BIN=path/to/mitosis skips the build (any release build of this tree).
if [ -z "${BIN:-}" ]; then
    swift build -c release --product mitosis --scratch-path .build-release >&2
    BIN=$PWD/.build-release/release/mitosis
fi
COHORT=$WORK/cohort-${PATIENTS}x${IMAGES}-${SIZE}
RUN=$WORK/run-${PATIENTS}x${IMAGES}-${SIZE}-${BACKEND}
mkdir -p "$WORK"

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f}')"; }

if [ ! -f "$COHORT/.complete" ]; then
    t0=$(now)
    "$BIN" synth "$COHORT" --patients "$PATIENTS" --images-per-patient "$IMAGES" --size "$SIZE" --quiet
    touch "$COHORT/.complete"
    echo "synth: $(elapsed "$t0" "$(now)") s for $((PATIENTS * IMAGES)) images (not part of steps 1-3)" | tee "$WORK/synth-${PATIENTS}x${IMAGES}.txt"
fi

rm -rf "$RUN"
t0=$(now)
"$BIN" patches "$COHORT" "$RUN/patches" --quiet
t1=$(now)
"$BIN" folds "$RUN/patches" --quiet
t2=$(now)
"$BIN" db "$RUN/patches" --output "$RUN/db" --backend "$BACKEND" --quiet
t3=$(now)

# Patch counts from the fold summary (every patch is in exactly one test side).
PATCHES=$(python3 -c "
import json; s = json.load(open('$RUN/patches/folds.json'))
print(sum(sum(f['testPatches']) for f in s['folds']))")
RECORDS=$(python3 -c "
import json; s = json.load(open('$RUN/patches/folds.json'))
print(sum(sum(f['testPatches']) + sum(f['trainPatches']) for f in s['folds']))")
{
    echo "cohort: $PATIENTS patients x $IMAGES images of ${SIZE}x${SIZE}, $(ls "$COHORT"/*.csv | wc -l) images, backend $BACKEND, $(nproc) cores"
    echo "step 1 patches: $(elapsed "$t0" "$t1") s, $PATCHES patches, $(python3 -c "print(round($PATCHES / ($t1 - $t0)))") patches/s"
    echo "step 2 folds:   $(elapsed "$t1" "$t2") s"
    echo "step 3 db:      $(elapsed "$t2" "$t3") s, $RECORDS records in 10 databases + 5 means, $(python3 -c "print(round($RECORDS / ($t3 - $t2)))") records/s"
    echo "steps 1-3:      $(elapsed "$t0" "$t3") s"
} | tee "$WORK/steps-${PATIENTS}x${IMAGES}-${BACKEND}.txt"
