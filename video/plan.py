"""What a render makes and where everything goes: the example (a checked
:class:`scenes.settings.Source`), the quality, the chapters, the output folder and the
paths of the files in it (:class:`Plan`).

An output folder, ``output/<example>/<quality>/``, holds::

    <example>.mp4, .srt                 the whole video and its subtitles
    <example>.contact-sheet.png         one frame of each of its chapters
    <example>-ch3-4.mp4, .srt, ...      a render of some chapters only, with its own
                                        subtitles and contact sheet
    trace.json                          every number computed (the example's, so the
                                        same for every video of the folder)
    chapters/<module>.mp4, .srt         each chapter (kept for reuse), what its voice
    chapters/<module>.speech.json       said and each beat's heading and narration
    chapters/<module>.beats.json        (the lecture's slides)
    chapters/.<module>.key              the record of that chapter's files and what
                                        they were rendered from (video/reuse.py)
    chapters/sections/<module>/         one clip per beat and their index (the deck)
    .<video>.key                        the record of a video's files and the chapter
                                        renders it was put together from
    lecture/                            ./render.sh lecture: index.html, clips/,
                                        slides/<video>.json, <video>.pptx (video/lecture.py)
    explorer/index.html                 ./render.sh explore and every whole-video render:
                                        the explorer page (video/explorer.py)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import manim

from scenes.order import CHAPTERS, Chapter
from scenes.settings import Source

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
class Plan:
    source: Source
    quality: str
    chapters: tuple[Chapter, ...]
    out_dir: Path  # output/<example>/<quality>
    jobs: int
    force: bool = False
    captions: bool = True  # burn the captions in (False: the band is left to subtitles)
    voice: bool = False  # every beat's narration read aloud into the sound track
    speech: str = "piper"  # the engine that reads it (voice.service.ENGINES; tests: "tone")

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
    def subtitles_path(self) -> Path:
        return self.video_path.with_suffix(".srt")

    @property
    def sheet_path(self) -> Path:
        """The video's contact sheet: one frame of each of its chapters. Each video of
        the folder has its own, as it has its own subtitles."""
        return self.video_path.with_suffix(".contact-sheet.png")

    @property
    def trace_path(self) -> Path:
        return self.out_dir / "trace.json"

    @property
    def video_files(self) -> tuple[Path, ...]:
        """What a render puts beside the chapters: the video and what describes it."""
        return (self.video_path, self.subtitles_path, self.sheet_path, self.trace_path)

    @property
    def video_key_file(self) -> Path:
        """The record of the video's files and of the chapter renders it was put
        together from (video/reuse.py)."""
        return self.out_dir / f".{self.video_path.stem}.key"
