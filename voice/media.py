"""Media files, for the sound track (:mod:`voice.track`) and the pipeline (:mod:`video`)
alike, kept here below both: how long a video is (:func:`video_duration`, read with
PyAV: no ffprobe needed), and a file written under a temporary name and renamed into
place in one step (:func:`replacing`).

Example::

    seconds = video_duration(Path("ch01.mp4"))
    with replacing(Path("ch01.mp4")) as partial:
        write_video(partial)  # a failure here leaves ch01.mp4 as it was
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import av


def video_duration(path: Path) -> float:
    """Duration in seconds of the first video stream."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


def partial_name(path: Path) -> Path:
    """A temporary name beside ``path`` that no other process or call uses, with the
    same suffix (PyAV and Pillow choose a format by it)."""
    return path.with_name(f".{path.stem}.{os.getpid()}-{secrets.token_hex(4)}.partial{path.suffix}")


@contextlib.contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path for the block to write ``path``'s new content to; renamed to
    ``path`` when the block ends normally, removed if it fails or is stopped."""
    partial = partial_name(path)
    try:
        yield partial
        os.replace(partial, path)
    finally:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
