"""A few real entries of a real weight matrix, with row/column ellipses and a label.

Real weight matrices are 128 x 12,288; their entries are of order 10⁻³. The block
shown is ``matrix[rows][:, cols]`` written as ``entry x 10^exponent`` with one
decimal, and the factor ``×10⁻³`` is printed beside the matrix, so the numbers
are readable and still exactly the real entries, rounded.

Example::

    class Matrix(Scene):
        def construct(self):
            W = WeightMatrix(head.weights.W_Q, kind="query", label="W_Q")
            self.play(W.create())
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    FadeIn,
    LaggedStart,
    ManimColor,
    MathTypst,
    Text,
    VGroup,
    Write,
)

from . import palette
from .entries import brackets, color_scale, dots, gaps, numeral, shown_array
from .formula import typst
from .labels import lighten, literal

KIND_COLORS = {
    "query": palette.QUERY,
    "key": palette.KEY,
    "value": palette.VALUE,
    "value_down": palette.VALUE_DOWN,
    "value_up": palette.VALUE_UP,
    "output": palette.OUTPUT,
}
SUPERSCRIPTS = str.maketrans(
    "-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
)


def kind_color(kind: str) -> ManimColor:
    """Colour of a matrix kind (query, key, value, value_down, value_up, output)."""
    return KIND_COLORS[kind]


def display_exponent(block: np.ndarray) -> int:
    """Power of ten that brings the block's typical entry into [1, 10)."""
    rms = float(np.sqrt(np.mean(np.asarray(block, dtype=float) ** 2)))
    return 0 if rms == 0 else -int(np.floor(np.log10(rms)))


def factor_text(exponent: int) -> str:
    """ "×10⁻³" for ``exponent`` 3 (entries were multiplied by 10³ to be shown)."""
    return "" if exponent == 0 else f"\u00d710{str(-exponent).translate(SUPERSCRIPTS)}"


class WeightMatrix(VGroup):
    """A block of real entries of ``matrix`` with ellipses where rows/columns are skipped.

    Parameters
    ----------
    matrix
        The whole weight matrix, e.g. ``head.weights.W_Q`` (d_head x d_model).
    rows, cols
        Which rows and columns to draw, in order (negative indices count from the end).
    kind
        query, key, value, value_down, value_up or output: colours label and brackets.
    label
        Typst math for the label, e.g. ``"W_Q"`` (code constants only, never user text).
    exponent
        Entries are drawn times ``10**exponent`` (default: :func:`display_exponent`).
    decimals
        Decimals of the drawn entries.
    font_size
        Font size of the entries.
    """

    def __init__(
        self,
        matrix: np.ndarray,
        rows: Sequence[int] = (0, 1, 2, -1),
        cols: Sequence[int] = (0, 1, 2, 3, -1),
        *,
        kind: str = "query",
        label: str | None = None,
        exponent: int | None = None,
        decimals: int = 1,
        font_size: float = palette.LABEL,
    ) -> None:
        super().__init__()
        matrix = np.asarray(matrix, dtype=float)
        self.matrix = matrix
        self.rows = [int(r) % matrix.shape[0] for r in rows]
        self.cols = [int(c) % matrix.shape[1] for c in cols]
        self.kind = kind
        self.decimals = decimals
        block = matrix[np.ix_(self.rows, self.cols)]  # (len(rows), len(cols))
        self.exponent = display_exponent(matrix) if exponent is None else exponent
        scaled = block * 10.0**self.exponent
        self.displayed = shown_array(scaled, decimals)  # what the reader sees (x 10^-exponent)
        scale = color_scale(matrix) * 10.0**self.exponent
        self._entries = {
            (r, c): numeral(scaled[a, b], decimals, font_size, scale)
            for a, r in enumerate(self.rows)
            for b, c in enumerate(self.cols)
        }
        self._build_grid(font_size)
        color = kind_color(kind)
        self.brackets = brackets(self.body, color)
        self.add(self.brackets, self.body)
        self.label = None
        if label is not None:
            self.label = lighten(typst(label, font_size * 1.6, color))
            self.label.next_to(self.brackets, UP, buff=0.2)
            self.add(self.label)
        self.factor = None
        if self.exponent:
            self.factor = literal(
                factor_text(self.exponent), font_size=font_size * 0.9, color=palette.DIM_TEXT
            )
            self.factor.next_to(self.brackets, DOWN, buff=0.12).align_to(self.brackets, RIGHT)
            self.add(self.factor)

    def _build_grid(self, font_size: float) -> None:
        """Place entries on a grid; a dots row/column wherever indices are skipped."""
        k = font_size / 22
        cell_w = max(e.width for e in self._entries.values()) + 0.22 * k
        cell_h = max(e.height for e in self._entries.values()) + 0.2 * k
        row_gap = [False, *gaps(self.rows)]
        col_gap = [False, *gaps(self.cols)]
        ys, y = [], 0.0
        for gap in row_gap:
            y -= cell_h * (1.7 if gap else 1.0)
            ys.append(y)
        xs, x = [], 0.0
        for gap in col_gap:
            x += cell_w * (1.7 if gap else 1.0)
            xs.append(x)
        self.body = VGroup()
        self.ellipses = VGroup()
        for a, r in enumerate(self.rows):
            for b, c in enumerate(self.cols):
                self.body.add(self._entries[(r, c)].move_to([xs[b], ys[a], 0], aligned_edge=RIGHT))
        size, gap = 0.026 * k, 0.06 * k
        for a, flag in enumerate(row_gap):
            if flag:
                for b in range(len(self.cols)):
                    mark = dots(DOWN, size, gap).move_to(
                        [xs[b] - cell_w / 2 + 0.1 * k, (ys[a] + ys[a - 1]) / 2, 0]
                    )
                    self.ellipses.add(mark)
        for b, flag in enumerate(col_gap):
            if flag:
                for a in range(len(self.rows)):
                    mark = dots(RIGHT, size, gap).move_to(
                        [xs[b - 1] + (xs[b] - xs[b - 1] - cell_w) / 2 + 0.05 * k, ys[a], 0]
                    )
                    self.ellipses.add(mark)
        self.body.add(self.ellipses)

    # -- getters ---------------------------------------------------------------------
    def get_entry(self, row: int, col: int) -> Text:
        """Drawn entry at matrix position (row, col) (negative indices from the end)."""
        return self._entries[(row % self.matrix.shape[0], col % self.matrix.shape[1])]

    def get_row(self, row: int) -> VGroup:
        """Drawn entries of one matrix row, left to right."""
        return VGroup(*[self.get_entry(row, c) for c in self.cols])

    def get_column(self, col: int) -> VGroup:
        """Drawn entries of one matrix column, top to bottom."""
        return VGroup(*[self.get_entry(r, col) for r in self.rows])

    def get_label(self) -> MathTypst | None:
        return self.label

    def get_brackets(self) -> VGroup:
        return self.brackets

    def get_factor(self) -> Text | None:
        """The "×10⁻³" note (None when entries are drawn unscaled)."""
        return self.factor

    # -- animations ------------------------------------------------------------------
    def create(self) -> Animation:
        """Brackets and label draw, then the entries appear row by row."""
        rows = [FadeIn(self.get_row(r), shift=0.1 * LEFT) for r in self.rows]
        anims: list[Animation] = [Write(self.brackets), LaggedStart(*rows, lag_ratio=0.15)]
        anims.append(FadeIn(self.ellipses))
        if self.label is not None:
            anims.append(Write(self.label))
        if self.factor is not None:
            anims.append(FadeIn(self.factor))
        return AnimationGroup(*anims)
