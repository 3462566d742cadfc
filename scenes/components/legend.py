"""A colour key: a short coloured bar (an arrow or line of that colour) or a dot (a
point named in that colour) and its meaning, one per line.

Example::

    class Key(Scene):
        def construct(self):
            self.add(Legend([(palette.EMBEDDING, "word alone"), (palette.UPDATED, "in context")]))
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, LEFT, RIGHT, Dot, Line, ManimColor, VGroup

from . import palette
from .labels import literal


class Legend(VGroup):
    """Lines of "coloured bar + text", left-aligned.

    Parameters
    ----------
    items
        (colour, text) pairs, top to bottom, drawn with a bar; (colour, text, "point")
        with a dot instead, for a point whose name is written in that colour.
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
        for color, text, *kind in items:
            if kind == ["point"]:
                mark = VGroup(Line(LEFT * 0.25, RIGHT * 0.25, stroke_opacity=0), Dot(color=color))
                words = literal(text, font_size=font_size, color=color)
            else:
                mark = Line(LEFT * 0.25, RIGHT * 0.25, color=color, stroke_width=6)
                words = literal(text, font_size=font_size)
            lines.append(VGroup(mark, words).arrange(RIGHT, buff=0.2))
        self.add(*lines)
        self.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
