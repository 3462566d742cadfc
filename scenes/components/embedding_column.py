"""A vector as a bracketed column of a few of its real entries, with a row of dots.

Only ``indices`` of the vector are drawn (by default its first four entries and its
last one); wherever indices are skipped a vertical-dots row stands in for them.
Entries are signed one-decimal numbers drawn with Pango (no TeX), coloured by value:
hue from the sign, brightness from the magnitude.

Example::

    class Column(Scene):
        def construct(self):
            column = EmbeddingColumn(trace.E[3], label="E")
            self.play(column.create())
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    FadeIn,
    LaggedStart,
    ManimColor,
    Text,
    VGroup,
    Write,
)

from . import palette
from .entries import brackets, color_scale, dots, gaps, numeral, shown_array
from .labels import literal

FIRST_AND_LAST = (0, 1, 2, 3, -1)


class EmbeddingColumn(VGroup):
    """A bracketed column of some real entries of ``values``.

    Parameters
    ----------
    values
        The whole vector (for example one row of ``trace.E``).
    indices
        Which entries to draw, in order (negative indices count from the end).
    decimals
        Decimals of every entry.
    scale
        Magnitude drawn at full brightness (default: twice the RMS of ``values``).
    font_size
        Font size of the entries.
    bracket_color
        Colour of the brackets (the kind of vector: E grey, Q yellow...).
    label
        Optional caption drawn under the column (plain text).
    drawn
        The entries as drawn, one per index, already rounded to ``decimals`` (e.g. by
        :func:`entries.adding_up`, so that a drawn sum adds up); default: each entry of
        ``values`` rounded on its own.
    row_height
        Rows (entries and rows of dots) this far apart, centre to centre, the first at
        y = 0, so that columns side by side line up entry by entry; default: stacked
        with a small gap.
    bracket_buff
        Room between the entries and the brackets.
    """

    def __init__(
        self,
        values: np.ndarray,
        indices: Sequence[int] = FIRST_AND_LAST,
        *,
        decimals: int = 1,
        scale: float | None = None,
        font_size: float = palette.LABEL,
        bracket_color: ManimColor = palette.EMBEDDING,
        label: str | None = None,
        label_color: ManimColor | None = None,
        drawn: Sequence[float] | None = None,
        row_height: float | None = None,
        bracket_buff: float = 0.12,
    ) -> None:
        super().__init__()
        values = np.asarray(values, dtype=float)
        if values.ndim != 1:
            raise ValueError("an embedding column shows one vector")
        self.values = values
        self.indices = [int(i) % len(values) for i in indices]
        self.decimals = decimals
        self.scale_value = color_scale(values) if scale is None else scale
        if drawn is None:
            drawn = shown_array(values[self.indices], decimals)
        self.displayed = np.asarray(drawn, dtype=float)  # what the reader sees
        self._entries = {
            i: numeral(v, decimals, font_size, self.scale_value)
            for i, v in zip(self.indices, self.displayed, strict=True)
        }
        rows: list[VGroup | Text] = []
        self.dot_rows = VGroup()
        width = max(e.width for e in self._entries.values())
        for i, gap in zip(self.indices, [False, *gaps(self.indices)]):
            if gap:
                if row_height is None:
                    mark = dots(DOWN, size=0.03 * font_size / 22, gap=0.07 * font_size / 22)
                else:  # small enough for a fixed row
                    mark = dots(DOWN, size=0.02, gap=0.04)
                self.dot_rows.add(mark)
                rows.append(mark)
            rows.append(self._entries[i])
        if row_height is None:
            self.body = VGroup(*rows).arrange(DOWN, buff=0.12 * font_size / 22)
        else:
            self.body = VGroup(*(row.move_to(DOWN * k * row_height) for k, row in enumerate(rows)))
        for entry in self._entries.values():
            entry.shift((width - entry.width) / 2 * RIGHT)  # right-align
        self.brackets = brackets(self.body, bracket_color, buff=bracket_buff)
        self.add(self.brackets, self.body)
        self.label = None
        if label is not None:
            self.label = literal(label, font_size=font_size, color=label_color or bracket_color)
            self.label.next_to(self.brackets, DOWN, buff=0.15)
            self.add(self.label)

    # -- getters ---------------------------------------------------------------------
    def get_entry(self, index: int) -> Text:
        """The drawn entry for vector index ``index`` (negative counts from the end)."""
        return self._entries[int(index) % len(self.values)]

    def get_entries(self) -> list[Text]:
        """Drawn entries, top to bottom."""
        return [self._entries[i] for i in self.indices]

    def get_brackets(self) -> VGroup:
        return self.brackets

    def get_label(self) -> Text | None:
        return self.label

    # -- animations ------------------------------------------------------------------
    def create(self) -> Animation:
        """Brackets draw, then the entries fade in from the top."""
        parts = [FadeIn(m, shift=0.1 * DOWN) for m in self.body]
        anims: list[Animation] = [Write(self.brackets), LaggedStart(*parts, lag_ratio=0.1)]
        if self.label is not None:
            anims.append(FadeIn(self.label, shift=0.1 * UP))
        return AnimationGroup(*anims)
