#!/usr/bin/env python3
"""Small seed inputs for the fuzz targets that real files make too big or do not cover (issue 16).

Usage: python3 Fuzz/make_seeds.py CORPUS_ROOT REAL_FRAME.jpg

Writes CORPUS_ROOT/<target>/<name> for: datum, solverstate, caffemodel, binaryproto (protobuf wire format
encoded by hand, so no protobuf package is needed) and png, jpeg, tiff (crops of a real H&E frame in the
variants the codecs map: gray, RGB, RGBA, palette, 16-bit, uncompressed / LZW / Deflate / JPEG TIFF, tiled,
float32). scripts/fuzz.sh adds the real files of ../shared and the outputs of a small `mitosis run`.
"""
import io
import os
import struct
import sys

import numpy as np
from PIL import Image


def varint(n):
    out = bytearray()
    n &= (1 << 64) - 1
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def field(number, wire, payload):
    tag = varint(number << 3 | wire)
    if wire == 0:
        return tag + varint(payload)
    if wire == 2:
        return tag + varint(len(payload)) + payload
    raise ValueError(wire)


def blob(shape, values):
    """caffe.BlobProto: shape (7) {dim (1), packed}, data (5), packed floats."""
    dims = b"".join(varint(d) for d in shape)
    data = struct.pack("<%df" % len(values), *values)
    return field(7, 2, field(1, 2, dims)) + field(5, 2, data)


def legacy_blob(num, channels, height, width, values):
    """caffe.BlobProto with the legacy num (1) / channels (2) / height (3) / width (4) fields."""
    data = struct.pack("<%df" % len(values), *values)
    return field(1, 0, num) + field(2, 0, channels) + field(3, 0, height) + field(4, 0, width) + field(5, 2, data)


def write(root, target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    root, frame = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(16)

    # Datum: channels 1, height 2, width 3, data 4, label 5, float_data 6, encoded 7.
    pixels = rng.integers(0, 256, 3 * 8 * 8, dtype=np.uint8).tobytes()
    write(root, "datum", "rgb8x8", field(1, 0, 3) + field(2, 0, 8) + field(3, 0, 8) + field(4, 2, pixels) + field(5, 0, 1))
    write(root, "datum", "gray4x4", field(1, 0, 1) + field(2, 0, 4) + field(3, 0, 4) + field(4, 2, bytes(range(16))) + field(5, 0, 0))
    write(root, "datum", "encoded", field(1, 0, 3) + field(2, 0, 2) + field(3, 0, 2) + field(4, 2, b"\xff\xd8") + field(7, 0, 1))

    # SolverState: iter 1, learned_net 2, history 3 (BlobProto), current_step 4.
    history = b"".join(field(3, 2, blob([2, 3], rng.standard_normal(6).tolist())) for _ in range(2))
    write(root, "solverstate", "tiny", field(1, 0, 40) + field(2, 2, b"net_iter_40.caffemodel") + history + field(4, 0, 1))

    # NetParameter: name 1, layer 100 {name 1, type 2, blobs 7}; V1 layers 2 {name 4, blobs 6}.
    conv = field(1, 2, b"conv1") + field(2, 2, b"Convolution") + field(7, 2, blob([2, 1, 3, 3], rng.standard_normal(18).tolist())) \
        + field(7, 2, blob([2], [0.5, -0.5]))
    write(root, "caffemodel", "tiny", field(1, 2, b"tiny") + field(100, 2, conv))
    v1 = field(4, 2, b"ip") + field(6, 2, legacy_blob(1, 1, 2, 3, rng.standard_normal(6).tolist()))
    write(root, "caffemodel", "tiny-v1", field(1, 2, b"old") + field(2, 2, v1))

    # Mean image: legacy 4-D and shape-style blobs.
    write(root, "binaryproto", "legacy-1x3x4x4", legacy_blob(1, 3, 4, 4, rng.uniform(0, 255, 48).tolist()))
    write(root, "binaryproto", "shape-3x2x2", blob([1, 3, 2, 2], rng.uniform(0, 255, 12).tolist()))

    # Images: a 48x40 crop of a real frame in the variants each codec maps.
    crop = Image.open(frame).convert("RGB").crop((600, 600, 648, 640))
    def encoded(image, fmt, **options):
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        return buffer.getvalue()
    write(root, "png", "rgb", encoded(crop, "PNG"))
    write(root, "png", "gray", encoded(crop.convert("L"), "PNG"))
    write(root, "png", "rgba", encoded(crop.convert("RGBA"), "PNG"))
    write(root, "png", "palette", encoded(crop.convert("P"), "PNG"))
    write(root, "png", "gray16", encoded(Image.fromarray((np.asarray(crop.convert("L"), dtype=np.uint16) * 257)), "PNG"))
    write(root, "jpeg", "rgb", encoded(crop, "JPEG", quality=80))
    write(root, "jpeg", "gray", encoded(crop.convert("L"), "JPEG", quality=80))
    write(root, "jpeg", "progressive", encoded(crop, "JPEG", quality=70, progressive=True))
    write(root, "jpeg", "cmyk", encoded(crop.convert("CMYK"), "JPEG"))
    write(root, "tiff", "raw", encoded(crop, "TIFF"))
    write(root, "tiff", "lzw", encoded(crop, "TIFF", compression="tiff_lzw"))
    write(root, "tiff", "deflate", encoded(crop.convert("L"), "TIFF", compression="tiff_adobe_deflate"))
    write(root, "tiff", "jpeg", encoded(crop, "TIFF", compression="jpeg"))
    write(root, "tiff", "tiled", encoded(crop, "TIFF", tile=(16, 16)))
    write(root, "tiff", "rgba", encoded(crop.convert("RGBA"), "TIFF"))
    write(root, "tiff", "float32", encoded(Image.fromarray(rng.standard_normal((20, 24)).astype(np.float32)), "TIFF"))


if __name__ == "__main__":
    main()
