"""One head's attention pattern as a small grid of dots, to set several heads side by side.

Keys are rows and queries are columns, as everywhere in the video: the core's
``[query, key]`` pattern is turned once, with :func:`attention_math.layout.key_by_query`.
A dot's AREA is proportional to the weight (the rule of :class:`AttentionGrid`); masked
cells are shaded. No token labels: the head's name goes above the grid, and the full
grids with words are in the chapters about one head. A long sentence can be shown in
part: ``positions`` picks the tokens whose rows and columns are drawn.

Example::

    class Heads(Scene):
        def construct(self):
            grids = VGroup(*(MiniPattern(h.pattern, h.mask, title=h.name) for h in trace.heads))
            self.add(grids.arrange(RIGHT))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import UP, Circle, ManimColor, Rectangle, VGroup

from attention_math.layout import key_by_query

from . import palette
from .labels import literal

DOT_FILL = 0.45  # radius of a weight-1 dot, as a fraction of the cell side
MASKED_FILL = 0.25


class MiniPattern(VGroup):
    """A square grid of ``n x n`` cells with one dot per visible (key, query) cell.

    Parameters
    ----------
    pattern, mask
        ``[query, key]`` weights and visibility (True where the key is visible).
    side
        Width and height of the grid on screen.
    title
        Plain text above the grid (a head's name), shrunk to the grid's width if wider.
    color
        Colour of the dots.
    positions
        Token positions drawn, as both keys and queries, in order (default: all).
    sink
        ``[query]`` weights on the head's sink (a slot with no value), drawn as a last row
        of slate dots, half a cell below the tokens' rows.
    """

    def __init__(
        self,
        pattern: np.ndarray,
        mask: np.ndarray,
        *,
        side: float = 2.4,
        title: str | None = None,
        color: ManimColor = palette.TEXT,
        font_size: float = palette.SMALL,
        positions: Sequence[int] | None = None,
        sink: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.values = key_by_query(pattern)  # [key row, query column]
        self.visible = key_by_query(mask)
        shown = range(len(self.values)) if positions is None else positions
        self.positions = tuple(int(p) for p in shown)
        self.cell = side / len(self.positions)
        self.cells = VGroup()
        self.dots = VGroup()
        self._dots: dict[tuple[int, int], Circle] = {}
        for row, i in enumerate(self.positions):
            for column, j in enumerate(self.positions):
                center = np.array([(column + 0.5) * self.cell, -(row + 0.5) * self.cell, 0.0])
                square = Rectangle(width=self.cell, height=self.cell).move_to(center)
                square.set_stroke(palette.NEUTRAL, 1)
                if not self.visible[i, j]:
                    square.set_fill(palette.MASK, MASKED_FILL)
                self.cells.add(square)
                weight = float(self.values[i, j])
                if self.visible[i, j] and weight > 0:
                    dot = Circle(radius=self.dot_radius(weight), stroke_width=0)
                    dot.set_fill(color, 1).move_to(center)
                    self._dots[(i, j)] = dot
                    self.dots.add(dot)
        self.sink_dots = VGroup()
        if sink is not None:
            y = -(len(self.positions) + 1.0) * self.cell
            for column, j in enumerate(self.positions):
                center = np.array([(column + 0.5) * self.cell, y, 0.0])
                square = Rectangle(width=self.cell, height=self.cell).move_to(center)
                self.cells.add(square.set_stroke(palette.SINK, 1))
                if sink[j] > 0:
                    dot = Circle(radius=self.dot_radius(float(sink[j])), stroke_width=0)
                    self.sink_dots.add(dot.set_fill(palette.SINK, 1).move_to(center))
        self.add(self.cells, self.dots, self.sink_dots)
        self.title = None
        if title is not None:
            self.title = literal(title, font_size=font_size, color=palette.DIM_TEXT)
            if self.title.width > side:  # no wider than the grid: neighbours keep apart
                self.title.scale_to_fit_width(side)
            self.title.next_to(self.cells, UP, buff=0.15)
            self.add(self.title)
        self.center()

    def dot_radius(self, weight: float) -> float:
        """Area proportional to the weight: radius ∝ √weight."""
        return DOT_FILL * self.cell * float(np.sqrt(weight))

    def get_dot(self, i: int, j: int) -> Circle | None:
        """The dot of key ``i`` (row) and query ``j`` (column), token positions; None if it
        has none or is not drawn."""
        return self._dots.get((i, j))
