"""One PNG with a representative frame of every chapter."""

from __future__ import annotations

import json
import os
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def poster_time(sections_index: Path, beat: str) -> float | None:
    """When the beat named ``beat`` ends (its last frame), from manim's sections index
    (``--save_sections``); None if the index or the beat is missing."""
    try:
        sections = json.loads(sections_index.read_text())
        start = 0.0
        for section in sections:
            end = start + float(section["duration"])
            if section["name"] == beat:
                return max(start, end - 0.15)
            start = end
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return None


def grab_frame(path: Path, at: float = 0.6, time: float | None = None) -> Image.Image:
    """The frame at ``time`` seconds, or at fraction ``at`` of the video's length."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base) if stream.duration else 0.0
        target = duration * at if time is None else time
        last = None
        for frame in container.decode(stream):
            last = frame
            if frame.time is not None and frame.time >= target:
                break
        if last is None:
            raise ValueError(f"{path}: no frames")
        return last.to_image()


def contact_sheet(
    videos: list[tuple[str, Path, float | None]], out: Path, columns: int = 4, width: int = 480
) -> None:
    """Tile one frame per video (at the given time, or 60 % in) with its caption; write
    ``out`` atomically."""
    frames = [(caption, grab_frame(path, time=time)) for caption, path, time in videos]
    if not frames:
        raise ValueError("no videos for a contact sheet")
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
