"""A colour key: a short coloured bar and its meaning, one per line.

Example::

    class Key(Scene):
        def construct(self):
            self.add(Legend([(palette.EMBEDDING, "word alone"), (palette.UPDATED, "in context")]))
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, LEFT, RIGHT, Line, ManimColor, VGroup

from . import palette
from .labels import literal


class Legend(VGroup):
    """Lines of "coloured bar + text", left-aligned.

    Parameters
    ----------
    items
        (colour, text) pairs, top to bottom.
    title
        Optional first line in plain text colour.
    font_size
        Size of the texts.
    """

    def __init__(
        self,
        items: Sequence[tuple[ManimColor, str]],
        *,
        title: str | None = None,
        font_size: float = palette.LABEL,
    ) -> None:
        super().__init__()
        lines = []
        if title is not None:
            lines.append(literal(title, font_size=font_size))
        for color, text in items:
            bar = Line(LEFT * 0.25, RIGHT * 0.25, color=color, stroke_width=6)
            lines.append(VGroup(bar, literal(text, font_size=font_size)).arrange(RIGHT, buff=0.2))
        self.add(*lines)
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
