#!/usr/bin/env python3
"""The peers of issue 15's three speed rows, on this machine, in one run: PyTorch and onnxruntime.

1. training: the tutorial net (BASE-alexnet_traing_32w_db.prototxt: conv 5x5 32, max pool 3/2, ReLU,
   conv 5x5 32, ReLU, ave pool 3/2, conv 5x5 64, ReLU, ave pool 3/2, ip 64, ip 2, softmax loss; Caffe's
   ceil-mode pooling), batch 128, a bare AdaGrad step in PyTorch (forward, loss, backward, update; random
   batches already in memory, so no data loading is counted).
2. inference: the same net's forward on batches of 1024 patches, in PyTorch and in onnxruntime (the ONNX
   graph exported from the same PyTorch module).
3. dense map: the tutorial net as an a trous map (`a_trous` of Benchmarks/peers/slide_peer.py: pool1 keeps
   its stride, so P(mitosis) at every second working pixel, the work of `mitosis probmap --stride 2`) of a
   2000x2000 40x image read by Pillow and halved to 1000x1000 (bicubic), with the author's fold-1 weights:
   the whole job (read, resize, map) and the map alone.

Prints one `peer <row> <figure> <unit>` line per figure, for Benchmarks/speed-ratios.sh.
Usage: python3 Benchmarks/peers/speed_peers.py IMAGE_2000.png [--threads 2] [--seconds 10]
Needs: torch (CPU wheel), onnxruntime, onnx, numpy, Pillow, protobuf.
"""
import argparse
import os
import statistics
import sys
import tempfile
import time
import warnings

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from slide_peer import a_trous, load  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
AUTHOR = os.path.join(ROOT, "..", "shared", "reference", "janowczyk-2016")


class TutorialNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 32, 5, padding=2)
        self.conv2 = nn.Conv2d(32, 32, 5, padding=2)
        self.conv3 = nn.Conv2d(32, 64, 5, padding=2)
        self.ip1 = nn.Linear(1024, 64)
        self.ip2 = nn.Linear(64, 2)

    def forward(self, x):
        x = F.relu(F.max_pool2d(self.conv1(x), 3, 2, ceil_mode=True))
        x = F.avg_pool2d(F.relu(self.conv2(x)), 3, 2, ceil_mode=True)
        x = F.avg_pool2d(F.relu(self.conv3(x)), 3, 2, ceil_mode=True)
        return self.ip2(self.ip1(x.flatten(1)))


def timed(step, seconds, per_call):
    """Median rate (items/s) over repeated calls for about `seconds`, after warm-up calls."""
    for _ in range(3):
        step()
    times, start = [], time.perf_counter()
    while time.perf_counter() - start < seconds or len(times) < 5:
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    return per_call / statistics.median(times), per_call / min(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image", help="a 2000x2000 RGB image at 40x (speed-ratios.sh makes one)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=10)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    print(f"peer torch {torch.__version__}, {a.threads} threads")

    # 1. Training: a bare AdaGrad step, batch 128.
    net = TutorialNet()
    opt = torch.optim.Adagrad(net.parameters(), lr=0.001, weight_decay=0.004)
    batches = [(torch.randn(128, 3, 32, 32), torch.randint(0, 2, (128,))) for _ in range(8)]
    k = [0]

    def train_step():
        x, y = batches[k[0] % len(batches)]
        k[0] += 1
        opt.zero_grad(set_to_none=False)
        F.cross_entropy(net(x), y).backward()
        opt.step()

    median, best = timed(train_step, a.seconds, 128)
    print(f"peer training-pytorch {median:.0f} img/s (best {best:.0f})")

    # 2. Inference, batch 1024: PyTorch, then onnxruntime on the exported graph.
    net.eval()
    x = torch.randn(1024, 3, 32, 32)
    with torch.inference_mode():
        median, best = timed(lambda: net(x), a.seconds, 1024)
    print(f"peer inference-pytorch {median:.0f} patches/s (best {best:.0f})")
    import onnxruntime as ort
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.onnx")
        warnings.simplefilter("ignore")  # the legacy exporter's deprecation notice
        torch.onnx.export(net, x[:1], path, input_names=["data"], output_names=["prob"],
                          dynamic_axes={"data": {0: "n"}, "prob": {0: "n"}}, dynamo=False)
        so = ort.SessionOptions()
        so.intra_op_num_threads = a.threads
        so.inter_op_num_threads = 1
        session = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        feed = {"data": x.numpy()}
        median, best = timed(lambda: session.run(None, feed), a.seconds, 1024)
    print(f"peer inference-onnxruntime {median:.0f} patches/s (best {best:.0f}; onnxruntime {ort.__version__})")

    # 3. Dense map of a 1000x1000 working image from the 2000x2000 image: whole job and map alone.
    w, mean = load(os.path.join(AUTHOR, "1_caffenet_train_w32_2nd_iter_600000.caffemodel"),
                   os.path.join(AUTHOR, "DB_train_w32_1_2nd.binaryproto"))
    halo = 34
    runs = []
    with torch.inference_mode():
        for _ in range(3):
            t0 = time.perf_counter()
            img = Image.open(a.image).convert("RGB")
            working = np.asarray(img.resize((img.width // 2, img.height // 2), Image.BICUBIC), dtype=np.float32)
            t1 = time.perf_counter()
            t = torch.from_numpy(working[:, :, ::-1].copy()).permute(2, 0, 1).unsqueeze(0) - mean
            t = F.pad(t, (halo, halo, halo, halo), mode="reflect")
            p = a_trous(t, w)
            t2 = time.perf_counter()
            runs.append((t2 - t0, t2 - t1))
    whole, only = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"peer densemap-pytorch {whole:.2f} s whole job, {only:.2f} s map alone "
          f"({working.shape[1]}x{working.shape[0]} working image, map {tuple(p.shape)}, best of 3)")


if __name__ == "__main__":
    main()
