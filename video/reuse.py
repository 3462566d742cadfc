"""What can be reused: a chapter whose render was made from exactly what it would be
made from now is not rendered again, and a video whose chapters are all unchanged is
not put together again.

A chapter's key is a digest of everything its render depends on (:func:`render_digest`:
the files of the numeric core, the scenes, the speed-ups and the assets; ManimCE's and
PyAV's versions; whether the speed-ups are on), the example's own text, the seed, the
quality and the chapter. It is written, with the size and digest of every file the
render made (video/files.py), in a record beside the chapter's video
(:meth:`Plan.key_file <video.plan.Plan.key_file>`) once those files are in place; a
chapter is reused only if its record holds: same key, every file there and intact.
The same goes for the whole video and what lies beside it (its subtitles, contact
sheet and trace.json), whose key is made of its chapters' keys.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import av
import manim

import render_speed
from scenes.order import Chapter

from .files import record_holds, write_record
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
    h.update(f"voice on|{plan.speech}".encode() if plan.voice else b"voice off")
    return h.hexdigest()


def chapter_keys(plan: Plan) -> list[str]:
    """The key of each of the plan's chapters, in order."""
    digest = render_digest()
    return [chapter_key(plan, chapter, digest) for chapter in plan.chapters]


def chapter_files(plan: Plan, chapter: Chapter) -> list[Path]:
    """What a chapter's render leaves in the chapter folder: its video, its subtitles,
    what its voice said (if any), its beats' headings and narration, and its clips with
    their index."""
    files = [plan.chapter_file(chapter)]
    for suffix in (".srt", ".speech.json", ".beats.json"):
        if plan.chapter_file(chapter, suffix).exists():
            files.append(plan.chapter_file(chapter, suffix))
    files += sorted(p for p in plan.sections_dir(chapter).rglob("*") if p.is_file())
    return files


def is_current(plan: Plan, chapter: Chapter, key: str) -> bool:
    """An identical render of ``chapter`` is there, whole (and ``--force`` was not given)."""
    return not plan.force and record_holds(plan.key_file(chapter), key, plan.chapter_dir)


def record_chapter(plan: Plan, chapter: Chapter, key: str) -> None:
    """Note that the chapter's files, now in place, were rendered from ``key``."""
    write_record(plan.key_file(chapter), key, plan.chapter_dir, chapter_files(plan, chapter))


def video_key(keys: list[str]) -> str:
    return hashlib.sha256("|".join(keys).encode()).hexdigest()


def video_is_current(plan: Plan, keys: list[str]) -> bool:
    """The video and what lies beside it were put together from chapters with these
    ``keys``, and are there, whole."""
    return not plan.force and record_holds(plan.video_key_file, video_key(keys), plan.out_dir)


def record_video(plan: Plan, keys: list[str]) -> None:
    """Note that the video's files, now in place, were made from chapters with these
    ``keys``."""
    write_record(plan.video_key_file, video_key(keys), plan.out_dir, plan.video_files)
