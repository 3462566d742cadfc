"""One PNG with a representative frame of every chapter."""

from __future__ import annotations

import json
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from voice.media import replacing, video_duration

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


def shown_at(path: Path, instants: list[float]):
    """(instant, frame) for each of the increasing ``instants`` (seconds) within the
    video: the frame on screen then. A held picture is one frame that lasts
    (render_speed/encoding.py), so frames are picked by time, not by count."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        pending = list(instants)
        if pending and stream.time_base:
            # from the last key frame before the first instant (every animation starts
            # with one) instead of decoding from the start
            container.seek(int(pending[0] / stream.time_base), stream=stream, backward=True)
        previous = None
        for frame in container.decode(stream):
            while pending and previous is not None and frame.time > pending[0] + 1e-6:
                yield pending.pop(0), previous
            if not pending:
                return
            previous = frame
        for instant in pending:  # past the last frame's start: it is still on screen
            if previous is not None:
                yield instant, previous


def grab_frame(path: Path, span: tuple[float, float] | None = None) -> Image.Image:
    """The fullest still frame of the time ``span`` (seconds), or the frame 60 % into
    the video. Beats fade in and out: among the pictures of every third of a second that
    match the one a third of a second earlier (a pause, nothing moving), the one with
    the most ink is the beat at its peak; without a pause, the one with the most ink."""
    duration = video_duration(path)
    start, end = span if span is not None else (0.6 * duration, 0.6 * duration)
    end = min(end, duration)
    count = int(max(0.0, end - start) * 3) + 1
    best: dict[bool, tuple[float, object]] = {}  # still or not -> (ink, frame)
    previous = None
    for _, frame in shown_at(path, [min(start + k / 3, end) for k in range(count)]):
        # a quarter of the size each way is plenty to tell ink and stillness
        small = {"width": max(1, frame.width // 4), "height": max(1, frame.height // 4)}
        gray = frame.to_ndarray(format="gray", **small).astype(np.int16)
        still = previous is not None and float(np.abs(gray - previous).mean()) < 0.05
        ink = float(gray.mean())
        if ink > best.get(still, (-1.0, None))[0]:
            best[still] = (ink, frame)
        previous = gray
    chosen = (best.get(True) or best.get(False) or (0.0, None))[1]
    if chosen is None:
        raise ValueError(f"{path}: no frames")
    return chosen.to_image()


def contact_sheet(
    videos: list[tuple[str, Path, tuple[float, float] | None]],
    out: Path,
    columns: int = 4,
    width: int = 480,
    grabbed: dict[Path, Image.Image] | None = None,
) -> None:
    """Tile one frame per video (the fullest of the given span, or 60 % in) with its
    caption; write ``out`` atomically. ``grabbed`` holds frames already grabbed (with
    :func:`grab_frame`, the same span) by video path."""
    grabbed = grabbed or {}
    frames = [
        (caption, grabbed[path] if path in grabbed else grab_frame(path, span))
        for caption, path, span in videos
    ]
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
    with replacing(out) as partial:  # stopped half-way: no partial file left behind
        sheet.save(partial)
