"""A speech bubble with a tail, for the questions and answers tokens ask each other.

Example::

    class Ask(Scene):
        def construct(self):
            row = TokenRow(["a", "fluffy", "creature"])
            bubble = SpeechBubble("Any adjectives in front of me?").attach_to(row.get_box(2))
            self.add(row)
            self.play(bubble.pop_in())
"""

from __future__ import annotations

import textwrap

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Animation,
    FadeOut,
    GrowFromPoint,
    Line,
    ManimColor,
    Mobject,
    Polygon,
    RoundedRectangle,
    Text,
    VGroup,
    config,
)

from . import palette
from .labels import literal


class SpeechBubble(VGroup):
    """Text in a rounded box with a tail.

    Parameters
    ----------
    text
        What is said (drawn literally).
    color
        Outline colour.
    font_size
        Size of the text.
    max_width
        Wider text is scaled down to this width.
    wrap
        Break text longer than this many characters into centred lines of at most this
        many (a narrower bubble, for speakers that stand close together).
    """

    def __init__(
        self,
        text: str,
        *,
        color: ManimColor = palette.QUERY,
        font_size: float = palette.BODY,
        max_width: float = 5.0,
        wrap: int | None = None,
    ) -> None:
        super().__init__()
        if wrap is not None and len(text) > wrap:
            lines = textwrap.wrap(text, wrap, break_on_hyphens=False)
            self.text = VGroup(*[literal(line, font_size=font_size) for line in lines])
            self.text.arrange(DOWN, buff=0.12)
        else:
            self.text = literal(text, font_size=font_size)
        if self.text.width > max_width:
            self.text.scale_to_fit_width(max_width)
        self.box = RoundedRectangle(
            corner_radius=0.15,
            width=self.text.width + 0.4,
            height=self.text.height + 0.3,
            stroke_color=color,
            stroke_width=2.5,
            fill_color=config.background_color,
            fill_opacity=0.9,
        )
        self.text.move_to(self.box)
        self.tail = Polygon(
            self.box.get_bottom() + 0.18 * np.array([-1, 0, 0]),
            self.box.get_bottom() + 0.18 * np.array([1, 0, 0]),
            self.box.get_bottom() + 0.3 * DOWN,
            stroke_color=color,
            stroke_width=2.5,
            fill_color=config.background_color,
            fill_opacity=1,
        )
        self.add(self.tail, self.box, self.text)
        self._pointing = DOWN

    def tip(self) -> np.ndarray:
        """The point the tail points at."""
        return self.tail.get_edge_center(self._pointing)

    def attach_to(
        self, mob: Mobject, direction: np.ndarray = UP, buff: float = 0.1
    ) -> SpeechBubble:
        """Place the bubble on the ``direction`` side of ``mob``, tail pointing at it."""
        if direction[1] < 0 and self._pointing[1] < 0:
            self.tail.rotate(np.pi, about_point=self.box.get_center())
            self._pointing = UP
        self.shift(mob.get_edge_center(direction) + buff * direction - self.tip())
        return self

    def slide(self, dx: float) -> None:
        """Move box and text ``dx`` sideways, the tail staying on its speaker (as far as
        it can while still under the box)."""
        room = max(0.0, self.box.width / 2 - 0.3)
        dx = float(np.clip(dx, -room, room))
        self.box.shift(RIGHT * dx)
        self.text.shift(RIGHT * dx)

    def get_text(self) -> Text | VGroup:
        """The words: one ``Text``, or a ``VGroup`` of them, a line each, when wrapped."""
        return self.text

    def pop_in(self) -> Animation:
        """The bubble grows out of its tail."""
        return GrowFromPoint(self, self.tip())

    def pop_out(self) -> Animation:
        return FadeOut(self, shift=0.2 * UP)


def spread(bubbles: list[SpeechBubble], margin: float = 0.15) -> bool:
    """Bubbles hanging under one row of speakers, left to right, kept apart and on the
    frame: neighbours that would touch slide their boxes apart over their tails; one that
    still touches one before it goes a step lower (or more), its tail drawn longer up to its
    speaker. Returns whether any went lower."""
    edge = config.frame_width / 2 - margin
    for bubble in bubbles:
        bubble.slide(max(0.0, -edge - bubble.box.get_left()[0]))
        bubble.slide(-max(0.0, bubble.box.get_right()[0] - edge))
    for k in range(1, len(bubbles)):
        before, bubble = bubbles[k - 1], bubbles[k]
        overlap = before.box.get_right()[0] + 0.1 - bubble.box.get_left()[0]
        if overlap > 0:  # half each way, the left one no further than its own neighbour
            wall = bubbles[k - 2].box.get_right()[0] + 0.1 if k > 1 else -edge
            before.slide(-min(overlap / 2, max(0.0, before.box.get_left()[0] - wall)))
            bubble.slide(before.box.get_right()[0] + 0.1 - bubble.box.get_left()[0])
            bubble.slide(-max(0.0, bubble.box.get_right()[0] - edge))
    lowered = False
    for k, bubble in enumerate(bubbles):  # each on the highest step where it touches none
        step, drop = bubble.height + 0.1, 0.0
        while any(_touch(bubble, before) for before in bubbles[:k]):
            bubble.shift(DOWN * step)
            drop += step
        if drop:
            tip, color = bubble.tip(), bubble.box.get_stroke_color()
            bubble.add(Line(tip, tip + UP * drop, color=color, stroke_width=2.5))
            lowered = True
    return lowered


def _touch(a: SpeechBubble, b: SpeechBubble, gap: float = 0.05) -> bool:
    """Whether the boxes of ``a`` and ``b`` come closer than ``gap``."""
    return (
        a.box.get_left()[0] < b.box.get_right()[0] + gap
        and b.box.get_left()[0] < a.box.get_right()[0] + gap
        and a.box.get_bottom()[1] < b.box.get_top()[1] + gap
        and b.box.get_bottom()[1] < a.box.get_top()[1] + gap
    )
