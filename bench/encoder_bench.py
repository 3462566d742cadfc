"""x264 settings on this video's frames: encoder CPU per frame, size, quality (not a test).

    .venv/bin/python bench/encoder_bench.py VIDEO.mp4 [--frames 600]

Decodes the first frames of a rendered chapter (any quality) and encodes them again
as manim does (libx264, zerolatency, one thread, from RGB frames), once per setting
(three presets at crf 23, and the 480p15 preview's ultrafast with a constant
quantiser, video/encoder.py); prints CPU milliseconds per frame, the size of the
result and its PSNR against the frames given to the encoder. manim.cfg's preset was
chosen with it.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from video.encoder import QUALITY_OPTIONS  # noqa: E402

SETTINGS = {
    "veryfast": {"preset": "veryfast", "crf": "23"},
    "superfast": {"preset": "superfast", "crf": "23"},
    "ultrafast": {"preset": "ultrafast", "crf": "23"},
    "480p15 preview": QUALITY_OPTIONS["low"],
}


def decode(path: Path, count: int) -> tuple[list[np.ndarray], int]:
    frames = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        # base_rate: a held picture is one long frame, so the average rate is lower
        rate = int(round(float(stream.base_rate or stream.average_rate or 15)))
        for frame in container.decode(stream):
            frames.append(frame.to_ndarray(format="rgb24"))
            if len(frames) >= count:
                break
    return frames, rate


def encode(frames: list[np.ndarray], rate: int, setting: dict) -> tuple[float, bytes]:
    """CPU seconds per frame and the encoded file."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as out:
        options = {"tune": "zerolatency", "threads": "1", **setting}
        stream = out.add_stream("libx264", rate=rate, options=options)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        start = time.process_time()
        for pixels in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(stream.encode())
        cpu = (time.process_time() - start) / len(frames)
    return cpu, buffer.getvalue()


def psnr(original: list[np.ndarray], encoded: bytes) -> float:
    with av.open(io.BytesIO(encoded)) as container:
        decoded = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    mse = np.mean([np.mean((a.astype(float) - b) ** 2) for a, b in zip(original, decoded)])
    return float(10 * np.log10(255**2 / mse))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("video", type=Path, help="a rendered chapter, e.g. output/.../ch03_*.mp4")
    parser.add_argument("--frames", type=int, default=600)
    args = parser.parse_args()
    if not args.video.is_file():
        print(f"error: no video at {args.video}", file=sys.stderr)
        return 2
    frames, rate = decode(args.video, args.frames)
    height, width = frames[0].shape[:2]
    print(f"{len(frames)} frames of {args.video.name}, {width}x{height} at {rate} fps")
    for name, setting in SETTINGS.items():
        cpu, encoded = encode(frames, rate, setting)
        print(
            f"  {name:<16} {1000 * cpu:5.1f} ms CPU/frame  {len(encoded) / 1e6:5.2f} MB  "
            f"PSNR {psnr(frames, encoded):4.1f} dB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
