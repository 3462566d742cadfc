"""What a render makes and where everything goes: the example (:class:`Source`), the
quality, the chapters, the output folder and the paths of the files in it (:class:`Plan`).

An output folder, ``output/<example>/<quality>/``, holds::

    <example>.mp4, .srt            the whole video and its subtitles
    <example>-ch3-4.mp4            a render of some chapters only
    contact-sheet.png, trace.json  one frame per chapter; every number computed
    chapters/<module>.mp4, .srt    each chapter (kept for reuse)
    chapters/.<module>.key         what that chapter was rendered from (video/reuse.py)
    chapters/sections/<module>/    one clip per beat and their index (the lecture deck)
    .<video>.key                   what the whole video was put together from
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import manim

from attention_math import Example
from scenes.order import CHAPTERS, Chapter
from scenes.settings import ExampleSource

ROOT = Path(__file__).resolve().parent.parent  # the project folder
QUALITIES = {  # name: (manim flag, folder name)
    "low": ("l", "480p15"),
    "medium": ("m", "720p30"),
    "high": ("h", "1080p60"),
    "4k": ("k", "2160p60"),
}


def manim_quality(name: str) -> str:
    """manim's name of the quality with ``name``'s flag (``low`` -> ``low_quality``)."""
    flag = QUALITIES[name][0]
    return next(q for q, spec in manim.constants.QUALITIES.items() if spec["flag"] == flag)


@dataclass(frozen=True)
class Source:
    """The example of a render, checked: where it comes from (a sentence or a file) and
    the designed model's seed; the chapters are handed :meth:`for_chapters`."""

    example: Example
    sentence: str | None  # --sentence text, or None
    example_path: Path | None  # --example file, or None
    seed: int
    # the example's traces if already built (checking the example builds them), so
    # that trace.json does not build them again
    traces: tuple = dataclasses.field(default=(), compare=False, repr=False)

    def for_chapters(self) -> ExampleSource:
        """What the chapters are handed (the render processes get it in each job)."""
        if self.sentence is not None:
            return ExampleSource(sentence=self.sentence, seed=self.seed)
        return ExampleSource(example=str(self.example_path), seed=self.seed)

    def identity(self) -> bytes:
        """The example's own text: its sentence, or its file's bytes."""
        if self.sentence is not None:
            return b"sentence\0" + self.sentence.encode("utf-8")
        return b"file\0" + self.example_path.read_bytes()


@dataclass(frozen=True)
class Plan:
    source: Source
    quality: str
    chapters: tuple[Chapter, ...]
    out_dir: Path  # output/<example>/<quality>
    jobs: int
    force: bool = False
    captions: bool = True  # burn the captions in (False: the band is left to subtitles)
    voice: bool = False  # every beat's narration read aloud into the sound track

    @property
    def chapter_dir(self) -> Path:
        return self.out_dir / "chapters"

    def chapter_file(self, chapter: Chapter, suffix: str = ".mp4") -> Path:
        """A rendered chapter's video (or ``.srt`` subtitles) in :attr:`chapter_dir`."""
        return self.chapter_dir / f"{chapter.module}{suffix}"

    def key_file(self, chapter: Chapter) -> Path:
        """Records what the chapter's current render was made from (video/reuse.py)."""
        return self.chapter_dir / f".{chapter.module}.key"

    def sections_dir(self, chapter: Chapter) -> Path:
        """The chapter's clips, one per beat, and their index."""
        return self.chapter_dir / "sections" / chapter.module

    def section_index(self, chapter: Chapter) -> Path:
        """manim's index of the chapter's sections (name, duration, clip of each beat)."""
        return self.sections_dir(chapter) / f"{chapter.scene}.json"

    @property
    def video_path(self) -> Path:
        """``<example>.mp4`` for the whole video, ``<example>-ch3-4-5.mp4`` for a part."""
        name = self.source.example.name
        if self.chapters != CHAPTERS:
            name += "-ch" + "-".join(str(c.number) for c in self.chapters)
        return self.out_dir / f"{name}.mp4"

    @property
    def video_key_file(self) -> Path:
        """Records which chapter renders the video was put together from."""
        return self.out_dir / f".{self.video_path.stem}.key"
