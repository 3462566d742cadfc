"""Matrix times vector, one real multiply-add at a time.

The product multiplies the entries as DRAWN: each running sum is the exact sum of
products of the displayed (rounded) matrix entries and the displayed vector entries,
so every number on screen can be checked by hand. The shown block covers only a
few of the 12,288 columns; the scene says so and then shows the full result from
the trace (e.g. the real query vector).

Example::

    class Multiply(Scene):
        def construct(self):
            W = WeightMatrix(head.weights.W_Q, label="W_Q")
            E = EmbeddingColumn(trace.E[3], indices=W.cols)
            product = MatrixVectorProduct(W, E, result_color=palette.QUERY)
            self.play(product.create())
            self.play(product.compute_all(detailed_rows=1))
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    Animation,
    AnimationGroup,
    FadeIn,
    FadeOut,
    ManimColor,
    Succession,
    SurroundingRectangle,
    Text,
    Transform,
    VGroup,
    Write,
)

from . import palette
from .animations import reveal
from .embedding_column import EmbeddingColumn
from .entries import brackets, dots, gaps, numeral, signed
from .labels import literal
from .weight_matrix import WeightMatrix, factor_text

TERM_TIME = 0.45  # seconds per multiply-add in a detailed row


class MatrixVectorProduct(VGroup):
    """``matrix`` x ``vector`` = result, laid out left to right.

    Parameters
    ----------
    matrix
        The weight matrix block (its columns must be the vector's indices).
    vector
        The embedding column it multiplies.
    result_color
        Bracket colour of the result (query yellow, key teal, value red...).
    result_label
        Plain-text caption under the result column.
    font_size
        Font size of the result entries and the working line.
    """

    def __init__(
        self,
        matrix: WeightMatrix,
        vector: EmbeddingColumn,
        *,
        result_color: ManimColor = palette.QUERY,
        result_label: str | None = None,
        font_size: float = palette.LABEL,
    ) -> None:
        super().__init__()
        if list(matrix.cols) != list(vector.indices):
            raise ValueError("the matrix columns shown must be the vector entries shown")
        self.matrix = matrix
        self.vector = vector
        self.font_size = font_size
        self.decimals = matrix.decimals + vector.decimals  # exact for products of the two
        # running_sums[r][k]: sum of the first k + 1 displayed products of matrix row r
        self.running_sums = {
            r: np.cumsum(matrix.displayed[a] * vector.displayed) for a, r in enumerate(matrix.rows)
        }
        self.final_values = np.array([self.running_sums[r][-1] for r in matrix.rows])
        scale = max(float(np.abs(self.final_values).max()), 1e-9)
        self._results = {
            r: numeral(v, self.decimals, font_size, scale)
            for r, v in zip(matrix.rows, self.final_values)
        }
        vector.next_to(matrix.brackets, RIGHT, buff=0.25).match_y(matrix.body)
        self.equals = literal("=", font_size=font_size * 1.4)
        self.equals.next_to(vector.brackets, RIGHT, buff=0.3).match_y(matrix.body)
        x = self.equals.get_right()[0] + 0.45 + max(e.width for e in self._results.values())
        for r, entry in self._results.items():
            entry.move_to([x, matrix.get_entry(r, matrix.cols[0]).get_y(), 0], aligned_edge=RIGHT)
        gap_dots = self._gap_dots(x - 0.3 * font_size / 22)
        self.result_body = VGroup(*self._results.values(), *gap_dots)
        self.result_brackets = brackets(self.result_body, result_color)
        self.extras = VGroup(*gap_dots)  # everything of the result but brackets and entries
        if matrix.exponent:
            note = literal(
                factor_text(matrix.exponent), font_size=font_size * 0.9, color=palette.DIM_TEXT
            )
            note.next_to(self.result_brackets, DOWN, buff=0.12)
            self.extras.add(note.align_to(self.result_brackets, RIGHT))
        self.result_label = None
        if result_label is not None:
            self.result_label = literal(result_label, font_size=font_size, color=result_color)
            self.result_label.next_to(VGroup(self.result_brackets, self.extras), DOWN, buff=0.15)
            self.extras.add(self.result_label)
        self.result = VGroup(self.result_brackets, self.result_body, self.extras)
        self.add(matrix, vector, self.equals, self.result)
        for entry in self._results.values():
            entry.set_opacity(0)  # filled in by compute_row

    def _gap_dots(self, x: float) -> list[VGroup]:
        """Vertical dots in the result wherever the matrix skips rows."""
        k = self.font_size / 22
        rows = self.matrix.rows
        marks = []
        for a, gap in enumerate([False, *gaps(rows)]):
            if gap:
                above = self.matrix.get_entry(rows[a - 1], self.matrix.cols[0]).get_y()
                below = self.matrix.get_entry(rows[a], self.matrix.cols[0]).get_y()
                marks.append(dots(DOWN, 0.026 * k, 0.06 * k).move_to([x, (above + below) / 2, 0]))
        return marks

    # -- getters ---------------------------------------------------------------------
    def get_result_entry(self, row: int) -> Text:
        """The drawn result for matrix row ``row``."""
        return self._results[row % self.matrix.matrix.shape[0]]

    def get_result(self) -> VGroup:
        """Result brackets, entries and captions."""
        return self.result

    # -- animations ------------------------------------------------------------------
    def create(self) -> Animation:
        """Matrix, vector, "=" and the still empty result appear."""
        return AnimationGroup(
            self.matrix.create(),
            self.vector.create(),
            FadeIn(self.equals),
            Write(self.result_brackets),
            FadeIn(self.extras),
        )

    def compute_row(self, row: int, detailed: bool = True, hold: float = 0.0) -> Animation:
        """Fill one result entry.

        Detailed: a marker walks along the row and down the vector; under the product
        each step shows "matrix entry × vector entry" and the running sum at the
        result slot grows by that product, and stays ``hold`` seconds to be read.
        Otherwise the row's products are summed in one step.
        """
        row = row % self.matrix.matrix.shape[0]
        result = self._results[row]
        a = self.matrix.rows.index(row)
        row_box = SurroundingRectangle(self.matrix.get_row(row), color=palette.QUERY, buff=0.06)
        col_box = SurroundingRectangle(self.vector.body, color=palette.QUERY, buff=0.06)
        boxes = VGroup(row_box, col_box)
        steps: list[Animation] = [reveal(boxes, run_time=0.4)]
        if detailed:
            steps += self._term_steps(a, row, result, hold)
        steps.append(AnimationGroup(result.animate.set_opacity(1), run_time=0.5))
        steps.append(FadeOut(boxes, run_time=0.3))
        return Succession(*steps)

    def _term_steps(self, a: int, row: int, result: Text, hold: float) -> list[Animation]:
        """One step per displayed column: the term and the running sum so far, played
        in TERM_TIME, then standing still ``hold`` seconds."""
        length = TERM_TIME + hold

        def then_hold(alpha: float) -> float:
            return min(1.0, alpha * length / TERM_TIME)

        m, v = self.matrix, self.vector
        size = self.font_size
        work_anchor = VGroup(m, v, self.result).get_bottom() + 0.55 * DOWN
        work = running = marks = None
        steps: list[Animation] = []
        for k, col in enumerate(m.cols):
            w_text = signed(m.displayed[a, k], m.decimals)
            e_text = signed(v.displayed[k], v.decimals)
            term = m.displayed[a, k] * v.displayed[k]
            line = literal(
                f"({w_text}) \u00d7 ({e_text}) = {signed(term, self.decimals)}"
                f"     sum: {signed(self.running_sums[row][k], self.decimals)}",
                font_size=size,
                mono=True,
            ).move_to(work_anchor)
            new_sum = numeral(self.running_sums[row][k], self.decimals, size)
            new_sum.move_to(result, aligned_edge=RIGHT)
            new_marks = VGroup(
                SurroundingRectangle(m.get_entry(row, col), color=palette.DELTA, buff=0.04),
                SurroundingRectangle(v.get_entry(col), color=palette.DELTA, buff=0.04),
            )
            if k == 0:
                work, running, marks = line, new_sum, new_marks
                steps.append(
                    AnimationGroup(
                        reveal(work),
                        reveal(running),
                        reveal(marks),
                        run_time=length,
                        rate_func=then_hold,
                    )
                )
            else:
                steps.append(
                    AnimationGroup(
                        Transform(work, line),
                        Transform(running, new_sum),
                        Transform(marks, new_marks),
                        run_time=length,
                        rate_func=then_hold,
                    )
                )
        steps.append(AnimationGroup(FadeOut(work), FadeOut(marks), FadeOut(running), run_time=0.3))
        return steps

    def compute_all(self, detailed_rows: int = 1) -> Animation:
        """Every result entry, the first ``detailed_rows`` rows term by term."""
        return Succession(
            *[
                self.compute_row(r, detailed=a < detailed_rows)
                for a, r in enumerate(self.matrix.rows)
            ]
        )

    def compute_rest(self) -> Animation:
        """Every result entry but the first's, at once, each row summed in one step (after
        the first row worked term by term: :meth:`compute_row`)."""
        return AnimationGroup(*(self.compute_row(r, detailed=False) for r in self.matrix.rows[1:]))
