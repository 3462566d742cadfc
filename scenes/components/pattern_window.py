"""One head's attention pattern up close: keys as rows, queries as columns, real weights.

Convention (video-spec.md): keys are rows, listed down the left; queries are columns,
listed across the top; softmax runs down each column, so each full column sums to 1. The
pattern arrives in the core's ``[query, key]`` layout and is turned once, with
:func:`attention_math.layout.key_by_query`.

Three styles: ``"numbers"``, the weight with two decimals on a background as bright as the
gallery draws that weight (:func:`head_gallery.weight_color`); ``"shades"``, that background
alone; ``"dots"``, a dot whose *area* is proportional to the weight. By default cells big
enough for numbers get numbers, smaller ones dots. Masked cells (key after query) stay
empty. A long sentence does not fit: :func:`window` then keeps the first
token (where most real heads park their weight) and the last tokens, and the grid leaves a
gap row between them.

Example::

    class Zoom(Scene):
        def construct(self):
            run = run_sentence("a fluffy blue creature roamed the verdant forest")
            self.add(PatternWindow(run.pattern[16, 0], run.mask, run.tokens))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, PI, RIGHT, UP, Circle, Rectangle, Square, VGroup, VMobject, config

from attention_math.layout import key_by_query

from . import palette
from .head_gallery import LEVELS, weight_color, weight_level
from .labels import literal, number
from .piece_row import piece_text

MIN_NUMBER_CELL = 0.5  # scene units: below this, cells show dots by default
STYLES = ("numbers", "shades", "dots")


def window(n_tokens: int, size: int) -> tuple[list[int], list[int]]:
    """Key and query positions a grid of at most ``size`` rows shows.

    All of them if they fit; otherwise the queries are the last ``size - 1`` tokens and the
    keys are the first token followed by those same tokens.
    """
    if n_tokens <= size:
        every = list(range(n_tokens))
        return every, every
    last = list(range(n_tokens - size + 1, n_tokens))
    return [0, *last], last


class PatternWindow(VGroup):
    """A grid of one head's weights with token labels.

    Parameters
    ----------
    pattern
        ``[query_pos, key_pos]`` weights (each row sums to 1 over visible keys).
    mask
        ``[query_pos, key_pos]``, True where the key is visible.
    tokens
        Display strings, one per position.
    size
        Most rows shown (see :func:`window`).
    height
        Height of the cell area on screen.
    font_size
        Font size of the token labels.
    style
        ``"numbers"``, ``"shades"`` or ``"dots"``; default: numbers when cells are at least
        ``MIN_NUMBER_CELL`` wide, dots otherwise.
    sink
        ``[query_pos]`` weights on the head's sink (a slot with no value), drawn as a last
        row labelled "sink", half a row apart: every column drawn then adds up to 1.
        Its cells' key is :attr:`sink_key` (one past the last position).
    """

    def __init__(
        self,
        pattern: np.ndarray,
        mask: np.ndarray,
        tokens: Sequence[str],
        size: int = 10,
        height: float = 5.0,
        font_size: float = palette.SMALL,
        style: str | None = None,
        sink: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        grid = key_by_query(pattern)  # (keys, queries)
        visible = key_by_query(mask)  # (keys, queries)
        self.keys, self.queries = window(len(tokens), size)
        self.tokens = tuple(tokens)
        self.sink_key = len(tokens) if sink is not None else None
        gaps = sum(1 for a, b in zip(self.keys, self.keys[1:]) if b != a + 1)
        rows = len(self.keys) + 0.5 * gaps + (1.5 if sink is not None else 0.0)
        self.cell = height / rows
        if style is None:
            style = "numbers" if self.cell >= MIN_NUMBER_CELL else "dots"
        if style not in STYLES:
            raise ValueError(f"style must be one of {', '.join(STYLES)}, not {style!r}")
        self.style = style
        self.rows_y = self._row_positions()
        self.weights: dict[tuple[int, int], float] = {}
        self.boxes: dict[tuple[int, int], Square] = {}
        self.dots: dict[tuple[int, int], Circle] = {}
        self.numbers: dict[tuple[int, int], VMobject] = {}
        self.cells = VGroup()
        for key, y in zip(self.keys, self.rows_y):
            for column, query in enumerate(self.queries):
                if visible[key, query]:
                    self._add_cell(key, query, float(grid[key, query]), self._column_x(column), y)
        if sink is not None:  # the sink's row, half a row below the tokens'
            y = self.rows_y[-1] - 1.5 * self.cell
            for column, query in enumerate(self.queries):
                self._add_cell(self.sink_key, query, float(sink[query]), self._column_x(column), y)
            self.sink_y = y
        self.key_labels = self._key_labels(font_size)
        self.query_labels = self._query_labels(font_size)
        self.gap_marks = self._gap_marks(font_size)
        self.add(self.cells, self.key_labels, self.query_labels, self.gap_marks)

    @property
    def show_numbers(self) -> bool:
        return self.style == "numbers"

    @property
    def is_window(self) -> bool:
        """True when some tokens are left out."""
        return len(self.queries) < len(self.tokens)

    @property
    def max_radius(self) -> float:
        """Radius of the dot of a weight of 1."""
        return 0.46 * self.cell

    def _row_positions(self) -> list[float]:
        ys, y = [], 0.0
        for i, key in enumerate(self.keys):
            if i and key != self.keys[i - 1] + 1:
                y -= 0.5 * self.cell
            ys.append(y)
            y -= self.cell
        return ys

    def _add_cell(self, key: int, query: int, weight: float, x: float, y: float) -> None:
        box = Square(self.cell, stroke_color=palette.NEUTRAL, stroke_width=1).move_to([x, y, 0])
        if self.style == "shades":
            self.cells.add(box.set_fill(weight_color(weight), opacity=1))
        elif self.style == "numbers":
            box.set_fill(weight_color(weight), opacity=1)
            bright = weight_level(weight) > 0.6 * LEVELS
            text = number(weight, decimals=2, font_size=self.cell * 30, color=palette.TEXT)
            text.set_color(config.background_color if bright else palette.TEXT).move_to(box)
            self.numbers[key, query] = text
            self.cells.add(box, text)
        else:
            radius = self.max_radius * np.sqrt(max(weight, 0.0))  # area follows the weight
            dot = Circle(radius=max(radius, 1e-4), stroke_width=0).move_to(box)
            dot.set_fill(palette.TEXT, opacity=1)
            self.dots[key, query] = dot
            self.cells.add(box, dot)
        self.weights[key, query] = weight
        self.boxes[key, query] = box

    def _column_x(self, column: int) -> float:
        return column * self.cell

    def _key_labels(self, font_size: float) -> VGroup:
        labels = VGroup()
        left = -self.cell / 2 - 0.12
        for key, y in zip(self.keys, self.rows_y):
            label = literal(piece_text(self.tokens[key]), font_size=font_size, color=palette.KEY)
            labels.add(label.move_to([left, y, 0], aligned_edge=RIGHT))
        if self.sink_key is not None:
            label = literal("sink", font_size=font_size, color=palette.SINK)
            labels.add(label.move_to([left, self.sink_y, 0], aligned_edge=RIGHT))
        return labels

    def _query_labels(self, font_size: float) -> VGroup:
        labels = VGroup()
        bottom = self.rows_y[0] + self.cell / 2 + 0.12
        for column, query in enumerate(self.queries):
            label = literal(
                piece_text(self.tokens[query]), font_size=font_size, color=palette.QUERY
            )
            label.rotate(PI / 2)
            labels.add(label.move_to([self._column_x(column), bottom, 0], aligned_edge=DOWN))
        return labels

    def _gap_marks(self, font_size: float) -> VGroup:
        marks = VGroup()
        for i in range(1, len(self.keys)):
            if self.keys[i] != self.keys[i - 1] + 1:
                y = self.rows_y[i] + 0.75 * self.cell
                left = -self.cell / 2 - 0.12
                mark = literal("⋮", font_size=font_size, color=palette.DIM_TEXT)
                marks.add(mark.move_to([left, y, 0], aligned_edge=RIGHT))
        return marks

    def mark(self, key: int, query: int, color=palette.TEXT) -> Square:
        """A frame around the cell of (key, query)."""
        box = self.boxes[key, query]
        return Square(box.width, color=color, stroke_width=4).move_to(box)

    def column_label(self, query: int):
        return self.query_labels[self.queries.index(query)]

    def row_label(self, key: int):
        return self.key_labels[self.keys.index(key)]

    def row_frame(self, key: int, color=palette.QUERY) -> VMobject:
        """A frame around row ``key`` over the cells of queries 1 and later (the ones an
        average over later queries takes in); empty when there are none."""
        cells = [self.boxes[key, q] for q in self.queries if q >= 1 and (key, q) in self.boxes]
        if not cells:
            return VMobject()
        around = VGroup(*cells)
        frame = Rectangle(width=around.width, height=around.height, stroke_width=3)
        return frame.set_stroke(color).move_to(around)

    def axis_titles(self, font_size: float = palette.SMALL) -> VGroup:
        """'keys' down the left of the key labels, 'queries' above the query labels."""
        keys = literal("keys", font_size=font_size, color=palette.KEY).rotate(PI / 2)
        keys.next_to(self.key_labels, LEFT, buff=0.2)
        queries = literal("queries", font_size=font_size, color=palette.QUERY)
        queries.next_to(self.query_labels, UP, buff=0.15)
        return VGroup(keys, queries)


__all__ = ["MIN_NUMBER_CELL", "STYLES", "PatternWindow", "window"]
