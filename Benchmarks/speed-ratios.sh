#!/usr/bin/env bash
# Issue 15's three speed rows, ours and the peers', measured side by side in one run on this machine,
# with the measured FP32 FMA peak they are fractions of:
#   training   `mitosis train` with the tutorial's solver and net files, batch 128, 300 iterations, whole
#              process (LMDB reading included)      vs PyTorch's bare AdaGrad step (no data loading)
#   inference  InferenceChain, batch 1024 in one call, as PatchClassifier runs it (mitosis-bench)
#                                                    vs onnxruntime and PyTorch, batch 1024
#   dense map  `mitosis probmap` of a 2000x2000 image (1000x1000 working map), whole process
#                                                    vs PyTorch's a trous map of the same image
# Usage: bash Benchmarks/speed-ratios.sh [WORK_FOLDER]   (default /tmp/mitosis-speed; nothing else should run)
# Needs: the release builds (made here), python3 with torch (CPU wheel), onnxruntime, onnx, numpy, Pillow,
# protobuf (`bash scripts/bootstrap.sh --python` installs all but torch), and protoc (installed here if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v protoc >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq protobuf-compiler >/dev/null
W=${1:-/tmp/mitosis-speed}
mkdir -p "$W"
W=$(cd "$W" && pwd)
R=../shared/reference/janowczyk-2016
swift build -c release --product mitosis >/dev/null
swift build -c release --package-path Benchmarks >/dev/null
M=$PWD/.build/release/mitosis
BB=Benchmarks/.build/release
export OMP_WAIT_POLICY=PASSIVE

echo "== FP32 FMA peak"
"$BB/fma-peak" --seconds 2 | tee "$W/peak.txt"
peak=$(grep -E '^FP32 FMA peak, [0-9]+ threads' "$W/peak.txt" | sed -E 's/.*: ([0-9.]+) GFLOP.*/\1/')

echo "== inputs"
python3 - "$W/tissue-2000.png" <<'PY'
import sys
from PIL import Image
Image.open("../shared/reference/tissue/breast-carcinoma-he-1000.png").convert("RGB").resize((2000, 2000), Image.BICUBIC).save(sys.argv[1])
PY
if [ ! -e "$W/train/.ready" ]; then
  rm -rf "$W/train"
  "$M" synth "$W/train/cohort" --patients 4 --images-per-patient 1 --size 1000 --seed 1 -q >/dev/null
  "$M" patches "$W/train/cohort" "$W/train/patches" -q >/dev/null
  "$M" folds "$W/train/patches" --folds 2 -q >/dev/null
  "$M" db "$W/train/patches" -o "$W/train/db" -q >/dev/null
  mkdir -p "$W/train/db/solver"
  cp "$R/BASE-alexnet_solver_ada.prototxt" "$W/train/db/solver/solver.prototxt"
  cp "$R/BASE-alexnet_traing_32w_db.prototxt" "$W/train/db/solver/1-alexnet_traing_32w_db.prototxt"
  touch "$W/train/.ready"
fi

echo "== ours"
t0=$(date +%s.%N)
"$M" train --solver "$W/train/db/solver/solver.prototxt" --set kfoldi=1 --set numiter=1 --max-iter 300 -q >/dev/null
t1=$(date +%s.%N)
ours_train=$(python3 -c "print(round(300 * 128 / ($t1 - $t0)))")
echo "ours training-mitosis-train $ours_train img/s (300 iterations in $(python3 -c "print(round($t1 - $t0, 1))") s, whole process)"
"$BB/mitosis-bench" --iterations 10 --runs 2 --peak "$peak" > "$W/bench.txt"
# Chunk 1024: the batch PatchClassifier (probmap --exact, classify) runs the chain with.
ours_infer=$(grep '^chunk 1024:' "$W/bench.txt" | sed -E 's/.*median [0-9.]+ ms, ([0-9]+) patches.*/\1/')
ours_infer64=$(grep '^chunk 64:' "$W/bench.txt" | sed -E 's/.*median [0-9.]+ ms, ([0-9]+) patches.*/\1/')
ours_kernels=$(grep '^training median' "$W/bench.txt" | sed -E 's/.*, ([0-9]+) images\/s.*/\1/')
echo "ours inference-chain $ours_infer patches/s (median, chunk 1024; chunk 64: $ours_infer64); training kernels alone $ours_kernels img/s"
for stride in 1 2; do
  best=999
  for _ in 1 2 3; do
    rm -rf "$W/maps"
    t0=$(date +%s.%N)
    "$M" probmap --net "$R/deploy_train32.prototxt" --weights "$R/1_caffenet_train_w32_2nd_iter_600000.caffemodel" \
      --mean "$R/DB_train_w32_1_2nd.binaryproto" "$W/tissue-2000.png" -o "$W/maps" --pixel-size 0.25 --stride $stride -q >/dev/null
    t1=$(date +%s.%N)
    best=$(python3 -c "print(round(min($best, $t1 - $t0), 2))")
  done
  echo "ours densemap-stride$stride $best s whole process (best of 3)"
  eval "ours_map$stride=$best"
done

echo "== peers"
python3 Benchmarks/peers/speed_peers.py "$W/tissue-2000.png" --threads 2 --seconds 10 | tee "$W/peers.txt"
pt=$(awk '/^peer training-pytorch/ {print $3}' "$W/peers.txt")
pi=$(awk '/^peer inference-pytorch/ {print $3}' "$W/peers.txt")
po=$(awk '/^peer inference-onnxruntime/ {print $3}' "$W/peers.txt")
pm=$(awk '/^peer densemap-pytorch/ {print $3}' "$W/peers.txt")

echo "== ratios (goal: training >= 1.5x PyTorch, inference >= 1.5x onnxruntime, dense map >= 3x PyTorch)"
python3 - "$peak" "$ours_train" "$pt" "$ours_infer" "$po" "$pi" "$ours_map1" "$ours_map2" "$pm" <<'PY'
import sys
peak, ot, pt, oi, po, pi, om1, om2, pm = map(float, sys.argv[1:])
train_flop, infer_flop = 69.2e6, 24.7e6  # nominal FLOP per image: forward + backward, forward (docs/PERFORMANCE.md)
print(f"| row | ours | peer | ratio | ours, % of the {peak:.1f} GFLOP/s peak |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| training, img/s | {ot:.0f} | PyTorch {pt:.0f} | {ot / pt:.2f}x | {100 * ot * train_flop / 1e9 / peak:.0f} % |")
print(f"| inference, patches/s | {oi:.0f} | onnxruntime {po:.0f} (PyTorch {pi:.0f}) | {oi / po:.2f}x | {100 * oi * infer_flop / 1e9 / peak:.0f} % |")
print(f"| dense map, s (stride 2, the peer's work) | {om2:.2f} | PyTorch {pm:.2f} | {pm / om2:.2f}x | - |")
print(f"| dense map, s (stride 1, 4x the work after pool1) | {om1:.2f} | PyTorch {pm:.2f} (stride 2) | {pm / om1:.2f}x | - |")
PY
