#!/usr/bin/env bash
# One row of docs/REAL-DATA.md's ablation: round 1 of `mitosis run` on the real cohort (5 patient folds,
# thresholds from the other folds' held-out detections, so no map of a training image is needed), then
# every held-out map's peaks above P = 0.01, scored per fold two ways:
#   - cross-validated: each fold at the best-F1 threshold of the other folds' images (no test image
#     chooses its own threshold);
#   - each fold at its own best-F1 threshold (optimistic: how well the fold's model ranks its candidates).
#
#   bash scripts/real-ablation.sh NAME [mitosis run options...]     e.g.  ... negratio10 --negative-ratio 10
#
# Writes NAME/ (the run) and NAME/ablation.txt (the two summaries and the wall time). Environment:
# MITOSIS (the binary; default .build/release/mitosis of this checkout), REAL (the cohort; default
# ../shared/real/mitos-atypia-14-H beside this checkout), PIXEL_SIZE (0.2273). Run it from any folder: NAME
# is relative to the current one.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
name=${1:?usage: real-ablation.sh NAME [mitosis run options...]}; shift
mitosis=${MITOSIS:-$here/.build/release/mitosis}
real=${REAL:-$here/../shared/real/mitos-atypia-14-H}
px=${PIXEL_SIZE:-0.2273}
[ -x "$mitosis" ] || { echo "real-ablation.sh: $mitosis is not built; run: swift build -c release --product mitosis" >&2; exit 2; }
[ -d "$real" ] || { echo "real-ablation.sh: no cohort at $real; set REAL=" >&2; exit 2; }
# detect and evaluate must know the working resolution the maps were made at.
working=()
args=("$@")
for i in "${!args[@]}"; do
    if [ "${args[$i]}" = "--working-pixel-size" ]; then working=(--working-pixel-size "${args[$((i + 1))]}"); fi
done
start=$(date +%s)
"$mitosis" run "$real" "$name" --pixel-size "$px" --no-refine --threshold-from other-folds "$@"
ran=$(( $(date +%s) - start ))
"$mitosis" detect "$name/round1/maps" -o "$name/ablation-detections" --threshold 0.01 --pixel-size "$px" "${working[@]}" --quiet
"$mitosis" evaluate --truth "$real" --detections "$name/ablation-detections" --folds "$name/round1/patches/folds.json" \
    --pixel-size "$px" "${working[@]}" --sweep -o "$name/ablation-evaluation" --quiet > "$name/ablation-evaluation.txt"
{
    echo "row: $name  options: ${*:-(defaults)}  run wall time: $ran s"
    grep -A8 "^cross-validated:" "$name/ablation-evaluation.txt"
    grep -A8 "^each fold at the best-F1 threshold of its own" "$name/ablation-evaluation.txt"
} | tee "$name/ablation.txt"
