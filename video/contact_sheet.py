"""One PNG with a representative frame of every chapter."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def poster_span(sections_index: Path, beat: str) -> tuple[float, float] | None:
    """When the beat named ``beat`` starts and ends, from manim's sections index
    (``--save_sections``); None if the index or the beat is missing."""
    try:
        sections = json.loads(sections_index.read_text())
        start = 0.0
        for section in sections:
            end = start + float(section["duration"])
            if section["name"] == beat:
                return start, end
            start = end
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def grab_frame(path: Path, span: tuple[float, float] | None = None) -> Image.Image:
    """The fullest still frame of the time ``span`` (seconds), or the frame 60 % into
    the video. Beats fade in and out: among frames that match the candidate a third of a
    second earlier (a pause, nothing moving), the one with the most ink is the beat at its
    peak; without a pause, the one with the most ink."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        start, end = span if span is not None else (0.6 * duration, 0.6 * duration)
        rate = float(stream.average_rate or 15)
        every = max(1, round(rate / 3))  # three candidates a second
        best: dict[bool, tuple[float, object]] = {}  # still or not -> (ink, frame)
        previous, last = None, None
        for n, frame in enumerate(container.decode(stream)):
            last = frame
            t = frame.time if frame.time is not None else n / rate
            if t < start or n % every:
                continue
            gray = frame.to_ndarray(format="gray").astype(np.int16)
            still = previous is not None and float(np.abs(gray - previous).mean()) < 0.05
            ink = float(gray.mean())
            if ink > best.get(still, (-1.0, None))[0]:
                best[still] = (ink, frame)
            previous = gray
            if t >= end:
                break
        chosen = (best.get(True) or best.get(False) or (0.0, last))[1]
        if chosen is None:
            raise ValueError(f"{path}: no frames")
        return chosen.to_image()


def contact_sheet(
    videos: list[tuple[str, Path, tuple[float, float] | None]],
    out: Path,
    columns: int = 4,
    width: int = 480,
) -> None:
    """Tile one frame per video (the fullest of the given span, or 60 % in) with its
    caption; write ``out`` atomically."""
    frames = [(caption, grab_frame(path, span)) for caption, path, span in videos]
    if not frames:
        raise ValueError("no videos for a contact sheet")
    if len(frames) < columns:  # a few chapters: fewer, larger tiles, no empty columns
        width = min(width * columns // len(frames), frames[0][1].width)
        columns = len(frames)
    ratio = frames[0][1].height / frames[0][1].width
    tile_w, tile_h, caption_h = width, int(width * ratio), 28
    rows = (len(frames) + columns - 1) // columns
    sheet = Image.new("RGB", (columns * tile_w, rows * (tile_h + caption_h)), "black")
    draw = ImageDraw.Draw(sheet)
    try:
        font = ImageFont.truetype(FONT_PATH, 18)
    except OSError:
        font = ImageFont.load_default()
    for k, (caption, image) in enumerate(frames):
        x, y = (k % columns) * tile_w, (k // columns) * (tile_h + caption_h)
        sheet.paste(image.resize((tile_w, tile_h)), (x, y + caption_h))
        draw.text((x + 8, y + 4), caption, fill="white", font=font)
    tmp = out.with_name(f".{out.name}.partial.png")
    sheet.save(tmp)
    os.replace(tmp, out)
