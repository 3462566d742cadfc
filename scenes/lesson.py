"""A chapter laid out as a lesson: a heading per beat, a caption line, a content area.

The screen has three bands: the beat's heading at the top left, the content in the
middle (:data:`CONTENT_TOP` to :data:`CONTENT_BOTTOM`), and a one- or two-line
caption at the bottom that says what the picture shows, with this example's numbers.

Example::

    class Demo(Lesson):
        def construct(self):
            self.title_card()
            self.beat("tokens", "The sentence is cut into tokens.")
            self.heading("Tokens")
            self.caption("The sentence is cut into 8 tokens.")
"""

from __future__ import annotations

import textwrap
from functools import lru_cache

from manim import DOWN, LEFT, UP, FadeIn, FadeOut, Mobject, Text, config

from .chapter import ChapterScene
from .components import palette
from .components.fade_in_place import FadeInPlace, FadeOutInPlace
from .components.labels import literal

CONTENT_TOP = 3.05  # scene units: the heading band is above this line
CONTENT_BOTTOM = -2.85  # the caption band is below this line
CAPTION_SIZE = 24
HEADING_SIZE = 26


def wrap(text: str, size: float, width: float) -> str:
    """``text`` broken into lines that fit ``width`` at font ``size``, judged by the mean
    width of a character (a caption that still comes out too wide is scaled down)."""
    chars = max(10, int(width / char_width(size)))
    return "\n".join(textwrap.wrap(text, chars))


@lru_cache(maxsize=8)
def char_width(size: float) -> float:
    """Mean width of a character of running text at font ``size``."""
    sample = "The query of a noun and the key of an adjective: 0.54, 12,288."
    return literal(sample, size=size).width / len(sample)


class Lesson(ChapterScene):
    """ChapterScene with a heading, a caption and helpers to clear the content."""

    def setup(self) -> None:
        super().setup()
        self._heading: Text | None = None
        self._caption: Text | None = None

    def heading(self, text: str) -> None:
        """Show ``text`` as the beat's heading (replacing the previous one); the previous
        beat's caption leaves with the old heading."""
        new = literal(text, size=HEADING_SIZE, color=palette.DIM_TEXT)
        new.to_corner(UP + LEFT, buff=0.3)
        anims = [FadeIn(new, shift=0.2 * DOWN)]
        if self._heading is not None:
            anims.append(FadeOut(self._heading, shift=0.2 * UP))
        if self._caption is not None:
            anims.append(FadeOutInPlace(self._caption))
            self._caption = None
        self._heading = new
        self.play(*anims, run_time=0.6)

    def caption(self, text: str, wait: float = 0.0) -> None:
        """Show ``text`` at the bottom of the screen (replacing the previous caption)."""
        width = config.frame_width - 1.0
        new = literal(wrap(text, CAPTION_SIZE, width), size=CAPTION_SIZE, line_spacing=0.8)
        if new.width > width:
            new.scale_to_fit_width(width)
        new.to_edge(DOWN, buff=0.25)
        new.add_background_rectangle(opacity=0.85, buff=0.1).set_z_index(10)  # above content
        anims = [FadeInPlace(new)]  # fades without copies (fade_in_place.py)
        if self._caption is not None:
            anims.append(FadeOutInPlace(self._caption))
        self._caption = new
        self.play(*anims, run_time=0.6)
        if wait:
            self.wait(wait)

    def clear_content(self, *keep: Mobject, run_time: float = 0.7) -> None:
        """Fade out everything on screen except the heading, the caption and ``keep``."""
        kept = {
            id(part)
            for m in (self._heading, self._caption, *keep)
            if m is not None
            for part in m.get_family()
        }
        leaving: list[Mobject] = []

        def visit(mob: Mobject) -> None:
            # Manim regroups mobjects while animating them, so a top-level group may
            # hold parts of a kept mobject: descend until the parts are all leaving.
            if id(mob) in kept:
                return
            if not any(id(part) in kept for part in mob.get_family()):
                leaving.append(mob)
                return
            for sub in mob.submobjects:
                visit(sub)

        for mob in self.mobjects:
            visit(mob)
        if leaving:
            self.play(*[FadeOutInPlace(m) for m in leaving], run_time=run_time)
