#!/usr/bin/env python3
"""The peer of `mitosis slide`'s map: the tutorial's net as an a trous map at output stride 2 in PyTorch,
over the same tissue tiles of the same slide, read by openslide-python and resized by Pillow.

What it does per tile (the tiles `mitosis slide` mapped: the names in OUT/<slide>/tiles/ give row and
column): read the level-0 window under the tile's working region plus a halo of 34 working pixels, resize
it to the working resolution (Pillow bicubic), subtract the per-channel mean, BGR, and run

    conv1 5x5 -> maxpool 3x3/2 -> relu -> conv2 5x5 -> relu -> avgpool 3x3/1 -> conv3 5x5 dil 2 -> relu
    -> avgpool 3x3/1 dil 2 (as a depthwise conv) -> ip1 as conv 4x4 dil 4 -> ip2 as conv 1x1 -> softmax

which is the dense rewrite of deploy_train32.prototxt that keeps pool1's stride (a map point every 2
working pixels), the same work `mitosis slide` does per pixel. Weights come from the caffemodel (parsed
with the project's caffe.proto, as scripts/fixtures/make_caffe_fixtures.py does). Neither the border
semantics of Caffe's clipped pooling windows nor MATLAB's resize are reproduced: this measures speed, not
values.

Usage: python3 Benchmarks/peers/slide_peer.py SLIDE OUT/<slide>/tiles --pixel-size 0.2273 [--tiles 40]
       [--weights W.caffemodel] [--mean M.binaryproto] [--threads 2]
Needs: pip install --index-url https://download.pytorch.org/whl/cpu torch (PyPI's torch wheel wants the CUDA
libraries), pip install openslide-python numpy Pillow protobuf, and protoc (Debian's protobuf-compiler).
"""
import argparse
import glob
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "fixtures"))
from make_caffe_fixtures import blob_array, caffe_messages  # noqa: E402


def load(weights_path, mean_path):
    net_cls, blob_cls = caffe_messages()
    net = net_cls.FromString(open(weights_path, "rb").read())
    layers = list(net.layer) or list(net.layers)
    w = {l.name: [torch.tensor(blob_array(b), dtype=torch.float32) for b in l.blobs] for l in layers if len(l.blobs)}
    mean = blob_array(blob_cls.FromString(open(mean_path, "rb").read())).reshape(3, -1).mean(axis=1)
    return w, torch.tensor(mean, dtype=torch.float32).reshape(1, 3, 1, 1)


def a_trous(x, w):
    """P(mitosis) at every other pixel of x's interior (x already padded by 16 + 2 on each side)."""
    (c1, b1), (c2, b2), (c3, b3) = w["conv1"], w["conv2"], w["conv3"]
    (i1, bi1), (i2, bi2) = w["ip1"], w["ip2"]
    y = F.conv2d(x, c1, b1)
    y = F.relu(F.max_pool2d(y, 3, 2))
    y = F.relu(F.conv2d(y, c2, b2))
    y = F.avg_pool2d(y, 3, 1)
    y = F.relu(F.conv2d(y, c3, b3, dilation=2))
    ch = y.shape[1]
    y = F.conv2d(y, torch.full((ch, 1, 3, 3), 1 / 9), groups=ch, dilation=2)
    y = F.conv2d(y, i1.reshape(i1.shape[0], ch, 4, 4), bi1.reshape(-1), dilation=4)
    y = F.conv2d(y, i2.reshape(i2.shape[0], -1, 1, 1), bi2.reshape(-1))
    return F.softmax(y, dim=1)[:, 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("slide")
    ap.add_argument("tiles", help="OUT/<slide>/tiles of a `mitosis slide` run (row_column.json names)")
    ap.add_argument("--pixel-size", type=float, required=True)
    ap.add_argument("--working", type=float, default=0.5)
    ap.add_argument("--tile", type=int, default=1024)
    ap.add_argument("--tiles-limit", type=int, default=40)
    ap.add_argument("--weights", default=os.path.join(ROOT, "..", "shared", "reference", "janowczyk-2016", "1_caffenet_train_w32_2nd_iter_600000.caffemodel"))
    ap.add_argument("--mean", default=os.path.join(ROOT, "..", "shared", "reference", "janowczyk-2016", "DB_train_w32_1_2nd.binaryproto"))
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    import openslide  # here, so that speed_peers.py can use this file's net without openslide-python

    torch.set_num_threads(a.threads)
    w, mean = load(a.weights, a.mean)
    slide = openslide.OpenSlide(a.slide)
    W, H = slide.dimensions
    scale = a.pixel_size / a.working
    ww, wh = math.ceil(W * scale), math.ceil(H * scale)
    names = sorted(glob.glob(os.path.join(a.tiles, "*.json")))[: a.tiles_limit]
    halo = 34  # the valid receptive field of the rewrite: 33 working pixels each side
    t_read = t_resize = t_map = 0.0
    megapixels = 0.0
    with torch.inference_mode():
        for name in names:
            r, c = map(int, os.path.basename(name)[:-5].split("_"))
            x0, y0 = c * a.tile, r * a.tile
            x1, y1 = min(ww, x0 + a.tile), min(wh, y0 + a.tile)
            megapixels += (x1 - x0) * (y1 - y0) / 1e6
            gx0, gy0 = max(0, x0 - halo), max(0, y0 - halo)
            gx1, gy1 = min(ww, x1 + halo), min(wh, y1 + halo)
            lx0, ly0 = int(gx0 / scale), int(gy0 / scale)
            lx1, ly1 = min(W, math.ceil(gx1 / scale)), min(H, math.ceil(gy1 / scale))
            t = time.perf_counter()
            region = slide.read_region((lx0, ly0), 0, (lx1 - lx0, ly1 - ly0)).convert("RGB")
            t_read += time.perf_counter() - t
            t = time.perf_counter()
            working = np.asarray(region.resize((gx1 - gx0, gy1 - gy0), Image.BICUBIC), dtype=np.float32)
            t_resize += time.perf_counter() - t
            t = time.perf_counter()
            x = torch.from_numpy(working[:, :, ::-1].copy()).permute(2, 0, 1).unsqueeze(0) - mean
            pad = [max(0, halo - (x0 - gx0))] * 2 + [max(0, halo - (y0 - gy0))] * 2
            if any(pad):
                x = F.pad(x, (pad[0], pad[1], pad[2], pad[3]), mode="reflect")
            p = a_trous(x, w)
            t_map += time.perf_counter() - t
    total = t_read + t_resize + t_map
    print(f"peer: {len(names)} tiles, {megapixels:.1f} working MP, torch {torch.__version__} on {a.threads} threads")
    print(f"read {t_read:.1f} s, resize {t_resize:.1f} s, map {t_map:.1f} s, total {total:.1f} s: "
          f"{megapixels / total:.3f} MP/s overall, {megapixels / t_map:.3f} MP/s map only (last map {tuple(p.shape)})")


if __name__ == "__main__":
    main()
