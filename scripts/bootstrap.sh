#!/usr/bin/env bash
# Installs, idempotently, everything a fresh Debian 12 machine needs to build, test and run mitosis.
# Usage: scripts/bootstrap.sh [--python]   (--python also installs the PyPI packages the fixture scripts use)
set -euo pipefail
DEBS=(
  libdnnl-dev          # oneDNN: convolution / pooling / inner-product kernels
  libtiff-dev          # TIFF codec
  libpng-dev           # PNG codec
  libjpeg62-turbo-dev  # JPEG codec (libjpeg-turbo)
  libturbojpeg0-dev    # JPEG decoding via the TurboJPEG API (errors by return value, no longjmp)
  liblmdb-dev          # LMDB patch databases
  libleveldb-dev       # LevelDB patch databases (the tutorial's backend)
  libopenslide-dev     # whole-slide images
  pkg-config
  slurmctld slurmd slurm-client munge   # the Slurm executor's tests start a one-node cluster (scripts/slurm-local.sh)
)
missing=()
for p in "${DEBS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--python" ]; then
  python3 -c "import numpy, PIL, cv2, onnxruntime, onnx, lmdb, plyvel, google.protobuf" 2>/dev/null || \
    python3 -m pip install -q numpy Pillow opencv-python-headless onnxruntime onnx lmdb plyvel protobuf
fi
echo "bootstrap: ok" >&2
