"""The base of every chapter: its trace, its title card, and its beats.

A chapter's ``construct`` reads like a table of contents of short beat methods.
Each beat starts with :meth:`ChapterScene.beat`, which

* starts a named section (``manim --save_sections`` then writes one clip per beat),
* records the beat's narration, written as a subtitle (``.srt`` beside the video)
  that lasts until the next beat starts.

What comes before the first beat (the title card) is the section
:data:`OPENING_SECTION`, not manim's default ``autocreated``.
"""

from __future__ import annotations

from manim import (
    DOWN,
    UP,
    FadeIn,
    FadeOut,
    MovingCameraScene,
    Scene,
    ThreeDScene,
    Write,
)

from attention_math import Trace

from . import bounds, corners, encoding, movie_file
from .components import palette
from .components.labels import literal
from .path_cache import PathCachingCamera
from .redraw import moving_members
from .settings import current_trace

encoding.install()  # a held frame is encoded once, as one long frame (see encoding.py)
movie_file.install()  # a chapter's movie is joined from its sections' (see movie_file.py)
bounds.install()  # bounding anchors gathered with numpy (see bounds.py)
corners.install()  # rounded corners kept by shape (see corners.py)

OPENING_SECTION = "title card"  # the section before the first beat


class ChapterScene(Scene):
    """Base class: subclasses set ``number`` and ``title`` and write beats."""

    number: int = 0
    title: str = ""

    def __init__(self, *args, **kwargs):
        if not isinstance(self, (ThreeDScene, MovingCameraScene)):  # they bring their own
            kwargs.setdefault("camera_class", PathCachingCamera)  # see path_cache.py
        super().__init__(*args, **kwargs)

    def setup(self) -> None:
        self.trace: Trace = current_trace()
        self.narration: list[tuple[str, str]] = []  # (beat name, narration), in order
        self._open_beat: tuple[str, float] | None = None  # (text, start time)
        # replaces manim's empty first section, "autocreated" (an empty section is
        # dropped, so a chapter that starts with a beat has no opening section)
        self.next_section(OPENING_SECTION)

    def beat(self, name: str, narration: str) -> None:
        """Start a new section named ``name``; ``narration`` becomes its subtitle."""
        self._close_beat()
        self.next_section(name)
        self.narration.append((name, narration))
        self._open_beat = (narration, self.time)

    def _close_beat(self) -> None:
        if self._open_beat is None:
            return
        text, start = self._open_beat
        elapsed = self.time - start
        if elapsed > 0:
            self.add_subcaption(text, duration=elapsed, offset=-elapsed)
        self._open_beat = None

    def get_moving_mobjects(self, *animations):
        """Redraw each frame only what an animation can change (see redraw.py)."""
        moving = moving_members(self, animations)
        return super().get_moving_mobjects(*animations) if moving is None else moving

    def tear_down(self) -> None:
        self._close_beat()
        super().tear_down()

    def title_card(self, subtitle: str = "") -> None:
        """Chapter number and title, centred, then cleared."""
        heading = literal(f"Chapter {self.number}", size=30, color=palette.DIM_TEXT)
        name = literal(self.title, size=48).next_to(heading, DOWN, buff=0.3)
        group = [heading, name]
        if subtitle:
            group.append(literal(subtitle, size=26, color=palette.DIM_TEXT).next_to(name, DOWN))
        for mob in group:
            mob.shift(UP * 0.4)
        self.play(FadeIn(heading), Write(name), *[FadeIn(m) for m in group[2:]], run_time=1.5)
        self.wait(1.5)
        self.play(*[FadeOut(m) for m in group], run_time=0.8)
