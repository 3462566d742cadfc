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

import numpy as np
from manim import (
    DOWN,
    UP,
    Animation,
    FadeOut,
    GrowFromPoint,
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
    """

    def __init__(
        self,
        text: str,
        *,
        color: ManimColor = palette.QUERY,
        font_size: float = palette.BODY,
        max_width: float = 5.0,
    ) -> None:
        super().__init__()
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

    def get_text(self) -> Text:
        return self.text

    def pop_in(self) -> Animation:
        """The bubble grows out of its tail."""
        return GrowFromPoint(self, self.tip())

    def pop_out(self) -> Animation:
        return FadeOut(self, shift=0.2 * UP)
