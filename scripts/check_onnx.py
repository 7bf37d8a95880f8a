#!/usr/bin/env python3
"""Runs the ONNX export of the five released models in onnxruntime and compares with the golden fixtures.

1. `swift test --filter ONNXExportTests` with MITOSIS_ONNX_EXPORT_DIR set: the export tests write
   fold1.onnx .. fold5.onnx (deploy_train32.prototxt + K_caffenet_train_w32_2nd_iter_600000.caffemodel).
2. Each model runs in onnxruntime on Tests/MitosisCaffeTests/Fixtures/golden_patches.rgb (BGR minus the
   fold's mean image), and its probabilities are compared with golden_probs.json (OpenCV's, from
   scripts/fixtures/make_caffe_fixtures.py).

Needs: pip install onnxruntime onnx numpy protobuf; protoc. Usage: python3 scripts/check_onnx.py [--shared DIR]
[--onnx-dir DIR-with-fold1..5.onnx]. Exits non-zero if any probability differs by more than --tolerance.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
from make_caffe_fixtures import blob_array, caffe_messages  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.path.join(ROOT, "..", "shared"))
    parser.add_argument("--onnx-dir", help="use the .onnx files already in this folder instead of running swift test")
    parser.add_argument("--tolerance", type=float, default=1e-5)
    args = parser.parse_args()
    import onnx
    import onnxruntime

    folder = args.onnx_dir or tempfile.mkdtemp(prefix="mitosis-onnx-")
    if not args.onnx_dir:
        env = dict(os.environ, MITOSIS_ONNX_EXPORT_DIR=folder)
        subprocess.run(["swift", "test", "--filter", "ONNXExportTests"], cwd=ROOT, env=env, check=True)

    fixtures = os.path.join(ROOT, "Tests", "MitosisCaffeTests", "Fixtures")
    golden = json.load(open(os.path.join(fixtures, "golden_probs.json")))
    patches = np.frombuffer(open(os.path.join(fixtures, "golden_patches.rgb"), "rb").read(), np.uint8).reshape(-1, 32, 32, 3)
    bgr = patches[:, :, :, ::-1].transpose(0, 3, 1, 2).astype(np.float64)
    _, BlobProto = caffe_messages()
    ref = os.path.join(args.shared, "reference", "janowczyk-2016")

    worst = 0.0
    for k in range(1, 6):
        path = os.path.join(folder, f"fold{k}.onnx")
        onnx.checker.check_model(onnx.load(path))
        mean = blob_array(BlobProto.FromString(open(os.path.join(ref, f"DB_train_w32_{k}_2nd.binaryproto"), "rb").read()))
        session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
        (probs,) = session.run(None, {"data": (bgr - mean).astype(np.float32)})
        diff = float(np.abs(probs - np.array(golden["models"][str(k)]["probabilities"])).max())
        worst = max(worst, diff)
        print(f"fold {k}: onnxruntime {onnxruntime.__version__} vs golden max |dP| = {diff:.2e}")
    if worst > args.tolerance:
        sys.exit(f"ONNX export differs from the golden probabilities by {worst} > {args.tolerance}")
    print("ONNX export matches the golden probabilities")


if __name__ == "__main__":
    main()
