"""What can be reused: a chapter whose render was made from exactly what it would be
made from now is not rendered again, and a video whose chapters are all unchanged is
not put together again.

A chapter's key is a digest of everything its render depends on (:func:`render_digest`:
the files of the numeric core, the scenes, the speed-ups and the assets; ManimCE's and
PyAV's versions; whether the speed-ups are on), the example's own text, the seed, the
quality and the chapter. It is written beside the chapter's video
(:meth:`Plan.key_file <video.plan.Plan.key_file>`) once the video is in place.
"""

from __future__ import annotations

import hashlib

import av
import manim

import render_speed
from scenes.order import Chapter

from .plan import ROOT, Plan

SOURCE_DIRS = ("attention_math", "render_speed", "scenes", "assets", "voice")


def render_digest() -> str:
    """A digest of everything but the example that can change a chapter's render."""
    h = hashlib.sha256(f"{manim.__version__}|{av.__version__}".encode())
    h.update(b"speed-ups on" if render_speed.usable() else b"speed-ups off")
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def chapter_key(plan: Plan, chapter: Chapter, digest: str) -> str:
    h = hashlib.sha256(digest.encode())
    h.update(plan.source.identity())
    h.update(f"{plan.source.seed}|{plan.quality}|{chapter.module}".encode())
    h.update(b"captions on" if plan.captions else b"captions off")
    h.update(b"voice on" if plan.voice else b"voice off")
    return h.hexdigest()


def chapter_keys(plan: Plan) -> list[str]:
    """The key of each of the plan's chapters, in order."""
    digest = render_digest()
    return [chapter_key(plan, chapter, digest) for chapter in plan.chapters]


def is_current(plan: Plan, chapter: Chapter, key: str) -> bool:
    """An identical render of ``chapter`` exists (and ``--force`` was not given)."""
    final, key_file = plan.chapter_file(chapter), plan.key_file(chapter)
    return not plan.force and final.exists() and key_file.exists() and key_file.read_text() == key


def video_key(keys: list[str]) -> str:
    return hashlib.sha256("|".join(keys).encode()).hexdigest()


def video_is_current(plan: Plan, keys: list[str]) -> bool:
    """The video was put together from chapters with these ``keys``, and is there."""
    key_file = plan.video_key_file
    return (
        not plan.force
        and plan.video_path.exists()
        and key_file.exists()
        and key_file.read_text() == video_key(keys)
    )


def record_video(plan: Plan, keys: list[str]) -> None:
    """Note that the video was put together from chapters with these ``keys``."""
    plan.video_key_file.write_text(video_key(keys))
