"""Render a scene for real, at a tiny size, inside the test process.

``manim.utils.testing.frames_comparison`` skips silently on this machine (it needs
cairo >= 1.18), so tests render scenes themselves under ``tempconfig`` and assert
on the final frame and on the scene's own objects.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

import numpy as np
from manim import tempconfig

TINY = {
    "pixel_width": 192,
    "pixel_height": 108,
    "frame_rate": 3,
    "disable_caching": True,
    "write_to_movie": False,
    "save_last_frame": False,
    "verbosity": "ERROR",
    "progress_bar": "none",
}


@functools.cache
def source_of(sentence: str | None = None, example: str | None = None, seed: int | None = None):
    """The checked example (scenes.settings.Source), once per test session: the default
    example without arguments, whatever the environment says."""
    from scenes.settings import resolve_source

    return resolve_source(sentence, example, seed)


def render_scene(scene_cls, source=None, **overrides):
    """Construct and render ``scene_cls`` for ``source`` (default: the default example,
    handed to it, so the environment plays no part); return the scene after rendering.
    Scenes that are not chapters take no source."""
    from scenes.chapter import ChapterScene

    with tempconfig({**TINY, **overrides}):
        if issubclass(scene_cls, ChapterScene):
            scene = scene_cls(source=source or source_of())
        else:
            scene = scene_cls()
        scene.render()
    return scene


def last_frame(scene) -> np.ndarray:
    """The final frame as an (h, w, 4) uint8 array."""
    return np.asarray(scene.renderer.get_frame())


def scene_duration(scene) -> float:
    return float(scene.time)


def render_default(scene_cls, **overrides):
    """Render ``scene_cls`` for the default example."""
    return render_scene(scene_cls, **overrides)


def render_sentence(scene_cls, sentence: str, **overrides):
    """Render ``scene_cls`` for ``sentence`` (default seed)."""
    return render_scene(scene_cls, source_of(sentence), **overrides)


def assert_grid_fills_the_stage(grid, stage, width_share: float, note) -> None:
    """``grid`` lies in ``stage``, against its left side, as tall as the stage and at
    least ``width_share`` of its width; ``note`` sits right of it, inside the frame."""
    from manim import config

    assert stage.bottom <= grid.get_bottom()[1] and grid.get_top()[1] <= stage.top
    assert stage.left <= grid.get_left()[0]
    assert grid.height >= 0.95 * stage.height and grid.width >= width_share * stage.width
    assert note.get_left()[0] > grid.get_right()[0]
    assert note.get_right()[0] < config.frame_width / 2 - 0.2


class Timed:
    """Mixed into a chapter (``class T(Timed, Chapter)``): keeps when each beat starts
    (``beat_starts``) and when each animation is played (``plays``: scene time, the
    animations, ``.animate`` ones built)."""

    def setup(self) -> None:
        super().setup()
        self.beat_starts: dict[str, float] = {}
        self.plays: list[tuple[float, tuple]] = []

    def beat(self, name: str, narration: str) -> None:
        super().beat(name, narration)
        self.beat_starts[name] = self.time

    def play(self, *animations, **kwargs) -> None:
        from manim.animation.animation import prepare_animation

        animations = tuple(map(prepare_animation, animations))
        self.plays.append((self.time, animations))
        super().play(*animations, **kwargs)


class Heard:
    """Mixed into a chapter (``class T(Heard, Chapter)``): keeps when each beat starts
    (``beat_starts``) and when each picture that waits for its words (``until_said``) is
    let go (``heard``: beat, phrase, scene time, ids of what is on screen then)."""

    def setup(self) -> None:
        super().setup()
        self.beat_starts: dict[str, float] = {}
        self.heard: list[tuple[str, str, float, set[int]]] = []

    def beat(self, name: str, narration: str) -> None:
        super().beat(name, narration)
        self.beat_starts[name] = self.time

    def until_said(self, phrase: str) -> None:
        super().until_said(phrase)
        self.heard.append((self.narration[-1][0], phrase, self.time, self.on_screen()))

    def on_screen(self) -> set[int]:
        """Ids of every mobject on screen, parts included."""
        return {id(m) for top in self.mobjects for m in top.get_family()}

    def heard_at(self, beat: str, phrase: str) -> tuple[float, set[int]]:
        """When the picture waiting for ``phrase`` of ``beat`` was let go, and what was
        on screen then."""
        return next((t, ids) for b, p, t, ids in self.heard if (b, p) == (beat, phrase))


def cue_holding(scene, beat: str, phrase: str) -> tuple[float, float]:
    """(start, end), in the scene, of the subtitle cue of ``beat`` where ``phrase``
    begins, the beat's cues timed over its reading time (a silent render)."""
    from scenes.cues import reading_seconds, timed

    said = dict(scene.narration)[beat]
    start, begins, end_of_cue = scene.beat_starts[beat], said.index(phrase), 0
    for piece, a, b in timed(said, reading_seconds(said)):
        end_of_cue += len(piece) + 1  # the cues, joined by single spaces, give it back
        if begins < end_of_cue:
            return start + a, start + b
    raise AssertionError(f"no cue of {beat!r} holds {phrase!r}")


class Cue(NamedTuple):
    """A subtitle cue: when it shows (seconds) and what it says, on one line."""

    start: float
    end: float
    text: str


def cue_saying(scene, words: str) -> Cue:
    """The first subtitle cue of ``scene`` that says ``words``."""
    for cue in scene.renderer.file_writer.subcaptions:
        text = cue.content.replace("\n", " ")
        if words in text:
            return Cue(cue.start.total_seconds(), cue.end.total_seconds(), text)
    raise AssertionError(f"no cue says {words!r}")


def play_bringing(scene, mob) -> tuple[float, tuple]:
    """The first play of a :class:`Timed` ``scene`` whose animations draw ``mob`` or a
    part of it: (when it starts, its animations)."""
    parts = {id(part) for part in mob.get_family()}

    def draws(animation) -> bool:  # a group's own mobject is emptied once it has played
        inner = getattr(animation, "animations", None)
        if inner is not None:
            return any(draws(a) for a in inner)
        return bool(parts & {id(part) for part in animation.mobject.get_family()})

    for start, animations in scene.plays:
        if any(draws(animation) for animation in animations):
            return start, animations
    raise AssertionError(f"nothing draws {mob}")
