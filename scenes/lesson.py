"""A chapter laid out as a lesson: named regions of the screen, a heading per beat,
a caption.

The screen (14.2 x 8 scene units, y up) has four named regions (:class:`Region`):

* :data:`HEADING_BAND`, above :data:`CONTENT_TOP`: the beat's heading, at its top left
  (:meth:`Lesson.heading`);
* :data:`STAGE`, from :data:`CONTENT_TOP` down to :data:`CONTENT_BOTTOM`, the whole
  width: the picture;
* :data:`SIDE_NOTES`, a column at the right of the stage (inside it): notes, legends and
  tallies beside a picture that keeps to the left;
* :data:`CAPTION_BAND`, below :data:`CONTENT_BOTTOM`: a one- or two-line caption that
  says what the picture shows, with this example's numbers (:meth:`Lesson.caption`).

A lesson reaches them as ``self.heading_band``, ``self.stage``, ``self.side_notes`` and
``self.caption_band``, and places things relative to them::

    class Demo(Lesson):
        def construct(self):
            self.title_card()
            self.beat("tokens", "The sentence is cut into tokens.")
            self.heading("Tokens")
            row = TokenRow(["a", "fluffy", "creature"]).move_to(self.stage.center)
            note = literal("3 tokens", font_size=palette.LABEL)
            self.play(row.create(), FadeIn(note.move_to(self.side_notes.center)))
            self.caption("The sentence is cut into 3 tokens.")
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np
from manim import DOWN, LEFT, ORIGIN, UP, FadeIn, FadeOut, Mobject, Text, config
from manim.utils.rate_functions import smooth, squish_rate_func

from .chapter import ChapterScene, reading_seconds
from .components import palette
from .components.fade_in_place import FadeInPlace, FadeOutInPlace
from .components.labels import literal, with_notation

M = TypeVar("M", bound=Mobject)


@dataclass(frozen=True)
class Region:
    """A rectangle of the screen, in scene units (x to the right, y up).

    Example::

        grid.move_to(STAGE.center + LEFT * 1.9)  # left of the middle of the stage
        STAGE.place(grid, LEFT, buff=0.35)  # against the stage's left side
    """

    left: float
    right: float
    top: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.top - self.bottom

    @property
    def center(self) -> np.ndarray:
        return self.point(ORIGIN)

    def point(self, direction: np.ndarray = ORIGIN) -> np.ndarray:
        """The centre (``ORIGIN``), the middle of a side (``UP``, ``LEFT``, ...) or a
        corner (``UP + LEFT``, ...) of the region."""
        xs = (self.left, (self.left + self.right) / 2, self.right)
        ys = (self.bottom, (self.bottom + self.top) / 2, self.top)
        return np.array(
            [xs[int(np.sign(direction[0])) + 1], ys[int(np.sign(direction[1])) + 1], 0.0]
        )

    def place(self, mob: M, direction: np.ndarray = ORIGIN, buff: float = 0.0) -> M:
        """Move ``mob`` to the region's centre, or against its side or corner ``direction``
        with a margin of ``buff``, as manim's ``to_edge`` and ``to_corner`` do for the
        frame (with the same arithmetic: against a side that is a frame edge, the very
        same position). Returns ``mob``."""
        direction = np.asarray(direction, dtype=float)
        if not direction[:2].any():
            return mob.move_to(self.center)
        shift = self.point(direction) - mob.get_critical_point(direction) - buff * direction
        return mob.shift(shift * np.abs(np.sign(direction)))


CAPTION_FADE = 0.6  # seconds a caption takes to fade in
FRAME_X, FRAME_Y = config.frame_x_radius, config.frame_y_radius  # half the frame's size
CONTENT_TOP = 3.05  # the heading band is above this line
CONTENT_BOTTOM = -2.85  # the caption band is below this line
HEADING_BAND = Region(left=-FRAME_X, right=FRAME_X, top=FRAME_Y, bottom=CONTENT_TOP)
STAGE = Region(left=-FRAME_X, right=FRAME_X, top=CONTENT_TOP, bottom=CONTENT_BOTTOM)
SIDE_NOTES = Region(left=1.0, right=6.8, top=CONTENT_TOP, bottom=CONTENT_BOTTOM)
CAPTION_BAND = Region(left=-FRAME_X, right=FRAME_X, top=CONTENT_BOTTOM, bottom=-FRAME_Y)


def wrap(text: str, font_size: float, width: float) -> str:
    """``text`` broken into lines that fit ``width`` at ``font_size``, judged by the mean
    width of a character (a caption that still comes out too wide is scaled down)."""
    chars = max(10, int(width / char_width(font_size)))
    return "\n".join(balanced(text, chars))


def balanced(text: str, chars: int) -> list[str]:
    """``text`` in as few lines of at most ``chars`` characters as greedy wrapping needs,
    made as even as they can be: no last line of one short word ("1.") under a full one."""
    lines = textwrap.wrap(text, chars)
    while chars > 10:
        narrower = textwrap.wrap(text, chars - 1, break_long_words=False)
        if len(narrower) != len(lines) or max(map(len, narrower)) > chars - 1:
            break
        lines, chars = narrower, chars - 1
    return lines


@lru_cache(maxsize=8)
def char_width(font_size: float) -> float:
    """Mean width of a character of running text at ``font_size``."""
    sample = "The query of a noun and the key of an adjective: 0.54, 12,288."
    return literal(sample, font_size=font_size).width / len(sample)


class Lesson(ChapterScene):
    """ChapterScene with the screen's named regions, a heading, a caption and helpers to
    clear the content."""

    heading_band = HEADING_BAND
    stage = STAGE
    side_notes = SIDE_NOTES
    caption_band = CAPTION_BAND

    def setup(self) -> None:
        super().setup()
        self._heading: Text | None = None
        self._caption: Text | None = None

    def heading(self, text: str) -> None:
        """Show ``text`` as the beat's heading (replacing the previous one); the previous
        beat's caption leaves with the old heading."""
        self.heading_shown(text)
        new = with_notation(text, font_size=palette.HEADING, color=palette.DIM_TEXT)
        self.heading_band.place(new, UP + LEFT, buff=0.3)
        anims = [FadeIn(new, shift=0.2 * DOWN)]
        if self._heading is not None:
            anims.append(FadeOut(self._heading, shift=0.2 * UP))
        if self._caption is not None:
            anims.append(FadeOutInPlace(self._caption))
            self._caption = None
        self._heading = new
        self.play(*anims, run_time=0.6)

    def caption(self, text: str, wait: float = 0.0) -> None:
        """Show ``text`` at the bottom of the screen (replacing the previous caption) and
        keep it there ``wait`` seconds, and at least as long as it takes to read
        (:func:`reading_seconds`). With captions off (``self.captions``), the band stays
        empty and the beat lasts just as long; the text is kept in ``self.captions_said``
        all the same."""
        self.caption_shown(text)
        wait = max(wait, reading_seconds(text) - CAPTION_FADE)
        if not self.captions:
            self.wait(CAPTION_FADE + wait)
            return
        width = self.caption_band.width - 1.0
        # two lines at most, in the band: a longer caption is set a little smaller, and
        # the band's height is a hard limit (above it the picture goes on)
        for size in (palette.BODY, 0.9 * palette.BODY, 0.8 * palette.BODY):
            lines = wrap(text, size, width)
            if lines.count("\n") < 2:
                break
        new = with_notation(lines, font_size=size, line_spacing=0.8)
        if new.width > width:
            new.scale_to_fit_width(width)
        room = self.caption_band.height - 0.35
        if new.height > room:
            new.scale_to_fit_height(room)
        self.caption_band.place(new, DOWN, buff=0.25)
        new.add_background_rectangle(opacity=0.85, buff=0.1).set_z_index(10)  # above content
        if self._caption is None:
            anims = [FadeInPlace(new)]  # fades without copies (fade_in_place.py)
        else:  # one after the other: two captions never show on top of each other
            anims = [
                FadeOutInPlace(self._caption, rate_func=squish_rate_func(smooth, 0.0, 0.5)),
                FadeInPlace(new, rate_func=squish_rate_func(smooth, 0.5, 1.0)),
            ]
        self._caption = new
        self.play(*anims, run_time=CAPTION_FADE)
        if wait:
            self.wait(wait)

    def caption_leaving(self) -> list:
        """The animation that takes the caption away (none if there is none), to play
        with others when the picture moves on before the next caption comes."""
        if self._caption is None or not self.captions:
            return []
        leaving, self._caption = self._caption, None
        return [FadeOutInPlace(leaving)]

    def clear_content(self, *keep: Mobject, run_time: float = 0.7) -> None:
        """Fade out everything on screen except the heading, the caption and ``keep``."""
        self.finish_speech()  # the picture stays while its beat is being spoken
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
