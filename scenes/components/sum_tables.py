"""A weighted sum of vectors written out entry by entry, and its update E + ΔE = E′.

Chapter 6 turns one column of the attention pattern into the change ΔE of its token:
``w₁·V₁ + w₂·V₂ + … = ΔE`` over ``E + ΔE = E′``, a few entries of each vector, the rows
lined up across the columns so that each row reads as one sum. The pieces:

* :class:`EntryColumn`: some entries of one vector in brackets under a header, a fixed
  row height apart, the skipped ones as dots;
* :class:`IndexColumn`: the entries' numbers (``#1``, ``#5,012``), at the same heights;
* :class:`SumTables`: both sums, the terms' plain values laid over them (a scene turns
  each plain value into its weighted term) and the rows of the largest changes boxed.

The numbers drawn are the ones handed in (rounded by the caller so that each sum adds
up as drawn, :func:`scenes.components.entries.adding_up`).

Example::

    class Sum(Scene):
        def construct(self):
            self.add(SumTables(trace, head, values, column_sum(trace, head, 3)))
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, ManimColor, SurroundingRectangle, Text, VGroup, VMobject

from scenes.focus import plural

from . import palette
from .attention_grid import subscript
from .embedding_column import EmbeddingColumn
from .entries import color_scale, dots
from .labels import literal

SUM_DECIMALS = 2  # decimals of the entries of a written sum
ROW_HEIGHT = 0.3  # between the entries of a written sum


class EntryColumn(EmbeddingColumn):
    """Some entries of one vector in brackets under a header, ``row_height`` apart (the
    skipped ones as dots), so that the columns of a sum line up entry by entry. The
    first entry sits at y = 0."""

    def __init__(
        self,
        vector: np.ndarray,
        slots: list[int | None],
        header: VGroup,
        *,
        scale: float,
        color: ManimColor,
        row_height: float,
        drawn: np.ndarray | None = None,
        font_size: float = palette.SMALL,
    ) -> None:
        super().__init__(
            vector,
            [s for s in slots if s is not None],
            decimals=SUM_DECIMALS,
            scale=scale,
            font_size=font_size,
            bracket_color=color,
            drawn=drawn,
            row_height=row_height,
            bracket_buff=0.08,
        )
        self.vector = self.values
        self.header = header.next_to(self.brackets, UP, buff=0.1)
        self.add(self.header)


def heading_lines(*lines: tuple[str, ManimColor], font_size: float = palette.SMALL) -> VGroup:
    """One or more centred lines of text, each in its colour."""
    return VGroup(*(literal(text, font_size=font_size, color=c) for text, c in lines)).arrange(
        DOWN, buff=0.06
    )


class IndexColumn(VGroup):
    """``entry`` over the 1-based numbers of the drawn entries, at their slots' heights
    (as in :class:`EntryColumn`)."""

    def __init__(self, slots: list[int | None], row_height: float) -> None:
        super().__init__()
        self.numbers = {
            s: literal(f"#{s + 1:,}", font_size=palette.NOTE, color=palette.DIM_TEXT)
            for s in slots
            if s is not None
        }
        body = VGroup()
        for k, s in enumerate(slots):
            mark = self.numbers[s] if s is not None else dots(DOWN, size=0.02, gap=0.04)
            body.add(mark.move_to(DOWN * k * row_height))
        right = max(m.get_right()[0] for m in body)
        for mark in body:
            mark.shift(RIGHT * (right - mark.get_right()[0]))
        title = literal("entry", font_size=palette.NOTE, color=palette.DIM_TEXT)
        self.add(body, title.next_to(body, UP, buff=0.18))


def side_by_side(parts: list[VMobject], buff: float = 0.16) -> VGroup:
    """``parts`` placed left to right, each keeping its height."""
    x = 0.0
    for part in parts:
        part.shift(RIGHT * (x - part.get_left()[0]))
        x = part.get_right()[0] + buff
    return VGroup(*parts)


def sign(text: str, y: float) -> Text:
    return literal(text, font_size=palette.BODY, color=palette.DIM_TEXT).set_y(y)


class SumTables(VGroup):
    """The weighted sum of one column, a few entries of each vector:
    ``entry | w·V + w·V + ... = ΔE`` above ``entry | E + ΔE = E′``, the rows of the
    entries ΔE changes most boxed. ``plain`` holds each drawn value before its weight,
    laid over its term (the scene turns one into the other).

    ``shown`` says what to draw (chapter 6's ``ColumnSum``): ``query``, ``slots`` (the
    entries top to bottom, None for a row of dots), ``terms`` ((key, weight) drawn one by
    one), ``others`` (keys summed into one term), ``drawn_terms`` and ``drawn_E`` (the
    entries as written) and ``largest`` (the entries to box)."""

    def __init__(self, trace, head, values: np.ndarray, shown) -> None:
        super().__init__()
        self.trace, self.head, self.shown = trace, head, shown
        self._scale = color_scale(trace.E[shown.query])  # one colour scale for every column
        self._middle = -(len(shown.slots) - 1) * ROW_HEIGHT / 2
        self.top = self._sum_of_terms(values)
        self.bottom = self._update()
        self.bottom.next_to(self.top, DOWN, buff=0.45, aligned_edge=LEFT)
        self.boxes = self._boxes()
        self.add(self.top, self.bottom, *self.plain, self.boxes)

    def _column(self, vector, lines, color, drawn=None) -> EntryColumn:
        return EntryColumn(
            vector,
            self.shown.slots,
            heading_lines(*lines),
            scale=self._scale,
            color=color,
            row_height=ROW_HEIGHT,
            drawn=drawn,
        )

    def _sum_of_terms(self, values: np.ndarray) -> VGroup:
        """``entry | w·V + w·V + ... = ΔE``, with each term's plain value laid over it."""
        trace, head, shown = self.trace, self.head, self.shown
        j, slots = shown.query, shown.slots
        self.plain, self.terms = [], []
        for k, (i, w) in enumerate(shown.terms):
            v, word = f"V{subscript(i + 1)}", (trace.words[i], palette.DIM_TEXT)
            self.plain.append(self._column(values[i], [(v, palette.VALUE), word], palette.VALUE))
            header = [(f"{w:.2f} × {v}", palette.VALUE), word]
            self.terms.append(
                self._column(w * values[i], header, palette.VALUE, drawn=shown.drawn_terms[k])
            )
        self.index_top = IndexColumn(slots, ROW_HEIGHT)
        self.term_signs = [sign("+", self._middle) for _ in self.terms[1:]]
        parts: list[VMobject] = [self.index_top, self.terms[0]]
        for plus, term in zip(self.term_signs, self.terms[1:], strict=True):
            parts += [plus, term]
        self.others = None
        if shown.others:
            keys = list(shown.others)
            weights = head.pattern[j, keys]
            self.others = self._column(
                weights @ values[keys],  # (d_model,)
                [
                    (plural(len(keys), "other"), palette.VALUE),
                    (f"weights {weights.sum():.2f}", palette.DIM_TEXT),
                ],
                palette.VALUE,
                drawn=shown.drawn_terms[-1],
            )
            self.term_signs.append(sign("+", self._middle))
            parts += [self.term_signs[-1], self.others]
        self.delta = self._column(head.delta_E[j], [("ΔE", palette.DELTA)], palette.DELTA)
        self.equals_top = sign("=", self._middle)
        top = side_by_side([*parts, self.equals_top, self.delta])
        for plain, term in zip(self.plain, self.terms, strict=True):
            plain.shift(RIGHT * (term.body.get_right()[0] - plain.body.get_right()[0]))
        return top

    def _update(self) -> VGroup:
        """``entry | E + ΔE = E′`` with the same entries."""
        trace, head, shown = self.trace, self.head, self.shown
        j = shown.query
        self.index_bottom = IndexColumn(shown.slots, ROW_HEIGHT)
        self.update_columns = {
            name: self._column(vector, [(name, color)], color, drawn)
            for name, vector, color, drawn in (
                ("E", trace.E[j], palette.EMBEDDING, shown.drawn_E),
                ("ΔE", head.delta_E[j], palette.DELTA, None),
                ("E′", trace.E[j] + head.delta_E[j], palette.UPDATED, None),
            )
        }
        self.bottom_signs = [sign("+", self._middle), sign("=", self._middle)]
        e, d, updated = self.update_columns.values()
        plus, equals = self.bottom_signs
        return side_by_side([self.index_bottom, e, plus, d, equals, updated])

    def _boxes(self) -> VGroup:
        """A box round each row of the entries ΔE changes most, across E, ΔE and E′."""
        return VGroup(
            *(
                SurroundingRectangle(
                    VGroup(
                        self.index_bottom.numbers[m],
                        *(c.get_entry(m) for c in self.update_columns.values()),
                    ),
                    color=palette.DELTA,
                    buff=0.06,
                    stroke_width=2.5,
                )
                for m in self.shown.largest
            )
        )


__all__ = [
    "ROW_HEIGHT",
    "SUM_DECIMALS",
    "EntryColumn",
    "IndexColumn",
    "SumTables",
    "heading_lines",
    "side_by_side",
    "sign",
]
