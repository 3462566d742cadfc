"""The attention grid: keys as rows (down the left), queries as columns (across the top).

Convention (video-spec.md, and the only place scenes turn the core's layout): the
core's arrays are ``[query, key]``; this module turns each of them once, with
:func:`attention_math.layout.key_by_query`, into the screen's ``[key row, query
column]``. Softmax runs down each column, so every full column of the pattern sums
to 1. Nothing else in the scenes transposes.

A cell shows one of:

* nothing;
* the symbol ``Kᵢ·Qⱼ`` (key teal, query yellow);
* a number read from one of the arrays (raw scores ``K·Q``, scaled scores, the
  pattern), rounded to a fixed number of decimals;
* a dot whose AREA is proportional to the pattern weight (radius ∝ √weight).

Masked cells (key after query) can be left blank, shown as "−∞" (before the
softmax) or show their value (exactly 0 after the softmax). A grid of more tokens
than fit legibly (``max_tokens``) shows a window of consecutive tokens around the
focus query and says so under the grid. :class:`PatternHeatmap` draws very large
patterns (50+ tokens) cheaply, without text and with a few merged paths.

Example::

    class Grid(Scene):
        def construct(self):
            head = trace.head("adjective-noun")
            grid = AttentionGrid.from_head(head, trace.words)
            self.play(grid.create())
            self.play(grid.symbols())
            self.play(grid.numbers("raw"))
            self.play(grid.dots())
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from manim import (
    BLACK,
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    LaggedStart,
    ManimColor,
    Mobject,
    Rectangle,
    SurroundingRectangle,
    Text,
    VGroup,
    VMobject,
    interpolate_color,
)

from attention_math import HeadTrace
from attention_math.layout import key_by_query

from . import palette
from .animations import together
from .entries import MINUS, columns_adding_up, fixed
from .labels import ComposedText, literal

SUBSCRIPTS = str.maketrans(
    "0123456789", "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089"
)
LEGEND = "keys: rows \u00b7 queries: columns \u00b7 softmax down each column"
SINK = "sink"  # the label of a head's sink row
SINK_GAP = 0.25  # rows of space between the tokens' rows and the sink's
MINUS_INFINITY = f"{MINUS}\u221e"
DECIMALS = {"raw": 1, "scaled": 2, "pattern": 2}
DOT_FILL = 0.45  # radius of a weight-1 dot, as a fraction of the cell's smaller side
MASKED_FILL = 0.35
CELL_MAX_WIDTH = 1.4  # cells grow to fill the room given, up to this size
CELL_MAX_HEIGHT = 0.9
# Room for labels: key labels take up to KEY_SHARE of the width (upward-reading query
# labels HEADER_SHARE of the height), or more to stay at the smallest type size, up to
# KEY_MAX (HEADER_MAX).
KEY_SHARE, KEY_MAX = 0.25, 0.4
HEADER_SHARE, HEADER_MAX = 0.25, 0.4
# most of a column's width (a row's height) one label may take: what is left keeps it
# clear of a neighbouring column's outline (HIGHLIGHT_MARGIN past the column's edge)
LABEL_FILL = 0.84
SHRINK = 0.85  # query labels shrink this far to stay horizontal before they turn upward
LABEL_GAP = 0.12  # between the labels and the cells
NUMBER_FILL = (0.86, 0.6)  # most of a cell's width and height a number may take
HIGHLIGHT_MARGIN = 0.05  # how far an outline reaches past what it outlines
LEVELS = 16  # brightness steps of a PatternHeatmap


def subscript(n: int) -> str:
    """``12`` -> ``"₁₂"``."""
    return str(n).translate(SUBSCRIPTS)


def token_window(n: int, focus: int, size: int) -> range:
    """``size`` consecutive positions of ``n`` that end at ``focus`` when possible."""
    if n <= size:
        return range(n)
    stop = min(n, max(focus + 1, size))
    return range(stop - size, stop)


def focus_showing(n: int, size: int, cells: Iterable[tuple[int, int]]) -> int:
    """The focus whose :func:`token_window` of ``size`` of ``n`` tokens shows the most of
    ``cells`` (key, query) whole; of equals, the latest (the sentence's end in view)."""
    cells = list(cells)

    def shown(focus: int) -> int:
        window = token_window(n, focus, size)
        return sum(i in window and j in window for i, j in cells)

    return max(range(n), key=lambda focus: (shown(focus), focus))


class AttentionGrid(VGroup):
    """A grid of key rows and query columns whose cells show symbols, numbers or dots.

    Parameters
    ----------
    keys, queries
        Token texts of the keys (rows) and the queries (columns).
    arrays
        Named ``[query, key]`` arrays from the trace, e.g. ``{"raw": head.scores_raw,
        "scaled": head.scores, "pattern": head.pattern}``.
    mask
        ``[query, key]`` booleans, True where the key is visible (default: all).
    focus
        Query that a window must contain (default: the last query).
    max_tokens
        Most rows/columns drawn (8 keep numbers legible at 480p); more tokens give a
        window of this many.
    max_width, max_height
        Room for the whole grid with its labels, its column-sum row and its notes; the
        cells grow to fill it (up to ``CELL_MAX_WIDTH`` x ``CELL_MAX_HEIGHT``). Query
        labels sit one above each column: horizontal when they fit the column, else
        turned to read upward; key labels are right-aligned left of their rows.
    font_size
        Font size of the token labels; the numbers in the cells start from it and
        shrink until the longest one fits its cell.
    legend
        Draw the legend under the grid.
    decimals
        Decimals per array name (defaults: raw 1, scaled 2, pattern 2).
    sink
        The last key is the head's sink (:meth:`attention_math.HeadTrace.with_sink`): a
        slot with a score and no value, where a query with nothing to find parks its
        weight. Its row is always drawn, last, a little apart from the tokens' rows,
        so that every column drawn in full still adds up to 1.
    """

    def __init__(
        self,
        keys: Sequence[str],
        queries: Sequence[str],
        arrays: Mapping[str, np.ndarray],
        mask: np.ndarray | None = None,
        *,
        focus: int | None = None,
        max_tokens: int = 8,
        max_width: float = 12.0,
        max_height: float = 7.4,
        font_size: float = palette.LABEL,
        legend: bool = True,
        decimals: Mapping[str, int] | None = None,
        sink: bool = False,
    ) -> None:
        super().__init__()
        self.keys, self.queries = list(keys), list(queries)
        self.sink = len(self.keys) - 1 if sink else None  # the sink's key index
        n_q, n_k = len(self.queries), len(self.keys)
        full_mask = np.ones((n_q, n_k), dtype=bool) if mask is None else np.asarray(mask, bool)
        # The one transpose: [query, key] (core) -> [key row, query column] (screen).
        screen = {name: key_by_query(a) for name, a in {**arrays, "mask": full_mask}.items()}
        self.mask = screen.pop("mask")
        self.values = screen
        for name, a in self.values.items():
            if a.shape != (n_k, n_q):
                raise ValueError(
                    f"array {name!r} is {a.shape}, expected [query, key] of the tokens"
                )
        self.decimals = {**DECIMALS, **(decimals or {})}
        self._drawn: dict[str, np.ndarray] = {}  # see drawn()
        focus = n_q - 1 if focus is None else focus
        self.query_range = token_window(n_q, focus, max_tokens)
        n_tokens = n_k - (self.sink is not None)  # keys that are tokens
        if n_tokens == n_q:
            self.key_range = self.query_range
        else:
            self.key_range = token_window(n_tokens, n_tokens - 1, max_tokens)
        if self.sink is not None:
            self.key_range = [*self.key_range, self.sink]
        self.font_size = font_size
        self._sizes: dict[str, float] = {}  # font size of the numbers of each array
        self._build(max_width, max_height, legend)
        self._content: dict[tuple[int, int], Mobject] = {}
        self.contents = VGroup()
        self.highlights = VGroup()
        self.add(self.contents, self.highlights)
        self.mode = "empty"

    @classmethod
    def from_head(cls, head: HeadTrace, words: Sequence[str], **kwargs) -> AttentionGrid:
        """Grid of one self-attention head of the trace (keys and queries: ``words``),
        with the head's sink as its last row if it has one."""
        arrays = head.with_sink()
        mask = arrays.pop("mask")
        keys = [*words, SINK] if head.has_sink else list(words)
        return cls(keys, words, arrays, mask, sink=head.has_sink, **kwargs)

    # -- layout ----------------------------------------------------------------------
    def _build(self, max_width: float, max_height: float, legend: bool) -> None:
        """Cells as large as ``max_width`` x ``max_height`` allow once the labels, the
        column-sum row and the notes have their room; one query label per column."""
        size = self.font_size
        n_k, n_q = len(self.key_range), len(self.query_range)
        key_labels = {
            i: literal(
                self.keys[i], font_size=size, color=palette.SINK if i == self.sink else palette.TEXT
            )
            for i in self.key_range
        }
        query_labels = {j: literal(self.queries[j], font_size=size) for j in self.query_range}
        self.notes = self._notes(legend)
        if self.notes.width > max_width:
            self.notes.scale_to_fit_width(max_width)
        widest_key = max(m.width for m in key_labels.values())
        key_width = self._label_room(widest_key, max_width, KEY_SHARE, KEY_MAX)
        widest_q = max(m.width for m in query_labels.values())
        thickest_q = max(m.height for m in query_labels.values())

        def columns(key_width: float) -> tuple[float, bool, float]:
            w = min(CELL_MAX_WIDTH, (max_width - key_width - LABEL_GAP) / n_q)
            return w, *self._query_fit(w, widest_q, thickest_q, max_height)

        w, self.rotated, q_scale = columns(key_width)
        if q_scale < 1:  # key labels come down to the same size: the room saved goes to cells
            key_width = min(key_width, q_scale * widest_key)
            w, self.rotated, q_scale = columns(key_width)
        for label in query_labels.values():
            if self.rotated:
                label.rotate(PI / 2)
            label.scale(q_scale)
        # horizontal labels stand on one baseline; upward ones start on one line
        drops = {j: 0.0 if self.rotated else below_baseline(m) for j, m in query_labels.items()}
        deepest = max(drops.values())
        header = max(deepest - drops[j] + m.height for j, m in query_labels.items()) + LABEL_GAP
        self._sum_row = self._sum_row_height(size)
        footer = self._sum_row + (self.notes.height if self.notes else 0)
        gaps = SINK_GAP if self.sink is not None else 0.0  # in rows
        h = min(CELL_MAX_HEIGHT, (max_height - header - footer) / (n_k + gaps))
        self.cell_width, self.cell_height = w, h
        self._make_cells(w, h)
        # one scale for all keys, so that words stay comparable
        tallest_key = max(m.height for m in key_labels.values())
        k_scale = min(q_scale, key_width / widest_key, LABEL_FILL * h / tallest_key)
        for i, label in key_labels.items():
            label.scale(k_scale)
            label.next_to(self._cells[(i, self.query_range[0])], LEFT, buff=LABEL_GAP)
        top = self.cells.get_top()[1]
        for j, label in query_labels.items():
            label.set_x(self._cells[(self.key_range[0], j)].get_x())
            label.align_to([0, top + LABEL_GAP + deepest - drops[j], 0], DOWN)
        self.key_labels = VGroup(*key_labels.values())
        self.query_labels = VGroup(*query_labels.values())
        self._key_labels, self._query_labels = key_labels, query_labels
        self.add(self.cells, self.key_labels, self.query_labels)
        if self.notes:
            self._place_notes(max_width)
        self.center()

    def _make_cells(self, w: float, h: float) -> None:
        """The empty cells, ``w`` x ``h``, keys down and queries across (the sink's row
        set apart), the first at the origin."""
        self._cells = {}
        self.cells = VGroup()
        for a, i in enumerate(self.key_range):
            y = -(a + (SINK_GAP if i == self.sink else 0.0)) * h
            for b, j in enumerate(self.query_range):
                cell = Rectangle(width=w, height=h, stroke_color=palette.NEUTRAL, stroke_width=1.5)
                cell.set_fill(palette.NEUTRAL, opacity=0.0).move_to([b * w, y, 0])
                self._cells[(i, j)] = cell
                self.cells.add(cell)

    def _place_notes(self, max_width: float) -> None:
        """The notes under the cells and their sums, as far as the key labels' left edge
        and ``max_width`` allow."""
        self.notes.next_to(self.cells, DOWN, buff=self._sum_row)
        left = self.key_labels.get_left()[0]
        self.notes.shift(RIGHT * min(0, left + max_width - self.notes.get_right()[0]))
        self.notes.shift(RIGHT * max(0, left - self.notes.get_left()[0]))
        self.add(self.notes)

    def _sum_row_height(self, size: float) -> float:
        """Room under the cells for the column sums (and, in a window, for the hidden
        rows' share under a cut column and a frame a chapter may draw round the sums)."""
        height = LABEL_GAP + literal("1.00", font_size=size, mono=True).height + 0.15
        if self.windowed:
            rest = literal("+0.00", font_size=size, mono=True).height
            height += rest + 0.06 + 0.08
        return height

    def _query_fit(
        self, w: float, widest: float, thickest: float, max_height: float
    ) -> tuple[bool, float]:
        """Whether the query labels turn to read upward, and their scale, for columns
        ``w`` wide. They stay horizontal when each fits its column (a little smaller at
        most); turned, each is as wide as a line of text, and the tallest shrinks to its
        share of the height (:meth:`_label_room`). Either way no label is wider than its
        column."""
        if SHRINK * widest <= LABEL_FILL * w:
            return False, min(1.0, LABEL_FILL * w / widest)
        room = self._label_room(widest, max_height, HEADER_SHARE, HEADER_MAX) / widest
        return True, min(1.0, room, LABEL_FILL * w / thickest)

    def _label_room(self, longest: float, room: float, share: float, most: float) -> float:
        """Length labels of ``longest`` length get out of ``room``: ``share`` of it, or
        more to keep them at the smallest type size, but never more than ``most`` of it."""
        smallest = min(palette.FOOTNOTE / self.font_size * longest, most * room)
        return min(longest, max(share * room, smallest))

    def _notes(self, legend: bool) -> VGroup:
        """What goes under the grid: which tokens a window shows, and the legend."""
        notes = VGroup()
        size = self.font_size * 0.85
        if self.windowed:
            notes.add(
                literal(
                    f"showing tokens {self.query_range[0] + 1}\u2013{self.query_range[-1] + 1}"
                    f" of {len(self.queries)}",
                    font_size=size,
                    color=palette.DIM_TEXT,
                )
            )
        self.legend = None
        if legend:
            self.legend = literal(
                LEGEND,
                font_size=size,
                color=palette.DIM_TEXT,
                t2c={"keys": palette.KEY, "queries": palette.QUERY},
            )
            notes.add(self.legend)
        return notes.arrange(DOWN, buff=0.12)

    @property
    def windowed(self) -> bool:
        """True when some tokens are left out."""
        return len(self.query_range) < len(self.queries) or len(self.key_range) < len(self.keys)

    # -- getters ---------------------------------------------------------------------
    def get_cell(self, i: int, j: int) -> Rectangle:
        """The square of key ``i`` (row) and query ``j`` (column)."""
        return self._cells[(i, j)]

    def get_content(self, i: int, j: int) -> Mobject | None:
        """What cell (i, j) shows now (a symbol, a number or a dot; None if empty)."""
        return self._content.get((i, j))

    def get_key_label(self, i: int) -> Text:
        return self._key_labels[i]

    def get_query_label(self, j: int) -> Text:
        return self._query_labels[j]

    def get_column(self, j: int) -> VGroup:
        """Cells of query ``j``, top to bottom."""
        return VGroup(*[self._cells[(i, j)] for i in self.key_range])

    def get_row(self, i: int) -> VGroup:
        """Cells of key ``i``, left to right."""
        return VGroup(*[self._cells[(i, j)] for j in self.query_range])

    def get_legend(self) -> Text | None:
        return self.legend

    def shown_cells(self) -> list[tuple[int, int]]:
        """Every drawn (key, query) pair."""
        return [(i, j) for i in self.key_range for j in self.query_range]

    def value(self, name: str, i: int, j: int) -> float:
        """Screen value of array ``name`` at key ``i``, query ``j``."""
        return float(self.values[name][i, j])

    def drawn(self, name: str) -> np.ndarray:
        """Array ``name`` as its numbers are written: rounded to its decimals, and for
        the pattern, in every shown column, rounded so that the column's drawn numbers
        add up to what the sums row writes under it (:meth:`column_sums`): the whole
        column's sum (1.00) when every key it sees is shown, else the sum of the part
        shown (entries.adding_up; each number within one unit of its value)."""
        if name not in self._drawn:
            d = self.decimals[name]
            values = self.values[name]
            drawn = np.round(values, d)
            if name == "pattern":
                shown = np.zeros(values.shape[0], dtype=bool)
                shown[list(self.key_range)] = True
                drawn = columns_adding_up(values, self.mask & shown[:, None], d, self.query_range)
            self._drawn[name] = drawn
        return self._drawn[name]

    def dot_radius(self, weight: float) -> float:
        """Radius of the dot of a weight: area proportional to the weight."""
        return DOT_FILL * min(self.cell_width, self.cell_height) * float(np.sqrt(weight))

    # -- cell contents ---------------------------------------------------------------
    def _fit(self, text: Text, room: float) -> Text:
        if text.width > room:
            text.scale_to_fit_width(room)
        return text

    def _symbol(self, i: int, j: int) -> Text:
        if i == self.sink:  # the sink's score: one learned number, the same for every query
            text = literal("s", font_size=self.font_size, mono=True, color=palette.SINK)
            return text.move_to(self._cells[(i, j)])
        k_part, q_part = f"K{subscript(i + 1)}", f"Q{subscript(j + 1)}"
        text = literal(
            f"{k_part}\u00b7{q_part}",
            font_size=self.font_size,
            mono=True,
            t2c={k_part: palette.KEY, q_part: palette.QUERY},
        )
        return self._fit(text, 0.88 * self.cell_width).move_to(self._cells[(i, j)])

    def _number(self, name: str, i: int, j: int, masked: str) -> Mobject | None:
        size = self._number_size(name)
        if not self.mask[i, j] and masked != "value":
            if masked == "blank":
                return None
            text = literal(MINUS_INFINITY, font_size=size, color=palette.TEXT, mono=True)
        else:
            value = self.drawn(name)[i, j]
            scale = 1.0 if name == "pattern" else self._scale(name)
            color = palette.value_color(value, scale)
            text = literal(
                fixed(value, self.decimals[name]), font_size=size, color=color, mono=True
            )
        return self._fit(text, NUMBER_FILL[0] * self.cell_width).move_to(self._cells[(i, j)])

    def _number_size(self, name: str) -> float:
        """One font size for every number of array ``name``: the longest one fits its cell."""
        if name not in self._sizes:
            shown = self.values[name][np.ix_(self.key_range, self.query_range)]
            longest = max((fixed(v, self.decimals[name]) for v in shown.flat), key=len)
            text = literal(longest, font_size=self.font_size, mono=True)
            width, height = NUMBER_FILL
            fit = min(
                1.0, width * self.cell_width / text.width, height * self.cell_height / text.height
            )
            self._sizes[name] = self.font_size * fit
        return self._sizes[name]

    def _scale(self, name: str) -> float:
        shown = self.values[name][np.ix_(self.key_range, self.query_range)]
        visible = self.mask[np.ix_(self.key_range, self.query_range)]
        return float(np.abs(shown[visible]).max()) if visible.any() else 1.0

    def _dot(self, i: int, j: int) -> Circle | None:
        weight = float(self.values["pattern"][i, j])
        if weight <= 0:
            return None
        dot = Circle(radius=self.dot_radius(weight), stroke_width=0)
        dot.set_fill(palette.TEXT, opacity=1)
        return dot.move_to(self._cells[(i, j)])

    def _swap(self, cells: Iterable[tuple[int, int]], make) -> Animation:
        """Replace the content of ``cells`` by ``make(i, j)``; return the cross-fade."""
        out, new = [], []
        for cell in cells:
            old = self._content.pop(cell, None)
            if old is not None:
                self.contents.remove(old)
                out.append(old)
            mob = make(*cell)
            if mob is not None:
                self._content[cell] = mob
                self.contents.add(mob)
                new.append(mob)
        anims = [FadeOut(m) for m in out] + [FadeIn(m) for m in new]
        return together(anims)

    def _cells_of(self, columns: Iterable[int] | None) -> list[tuple[int, int]]:
        cols = self.query_range if columns is None else list(columns)
        return [(i, j) for j in cols for i in self.key_range]

    # -- animations ------------------------------------------------------------------
    def create(self) -> Animation:
        """Cells, then labels, then the notes under the grid."""
        return AnimationGroup(
            LaggedStart(*[Create(c) for c in self.cells], lag_ratio=0.01),
            FadeIn(self.key_labels, shift=0.2 * RIGHT),
            FadeIn(self.query_labels, shift=0.2 * DOWN),
            FadeIn(self.notes),
        )

    def symbols(self, masked: str = "blank") -> Animation:
        """Every cell shows ``Kᵢ·Qⱼ`` (masked cells too unless ``masked="blank"``)."""
        self.mode = "symbol"
        return self._swap(
            self._cells_of(None),
            lambda i, j: self._symbol(i, j) if self.mask[i, j] or masked != "blank" else None,
        )

    def numbers(
        self, name: str = "pattern", columns: Iterable[int] | None = None, masked: str = "blank"
    ) -> Animation:
        """Cells (of ``columns``, default all) show array ``name`` rounded.

        ``masked``: ``"blank"`` leaves masked cells empty, ``"infinity"`` writes "−∞"
        (light, to read on the red of :meth:`shade_masked`), ``"value"`` shows the
        array's value there too (0 for the pattern).
        """
        self.mode = name
        return self._swap(self._cells_of(columns), lambda i, j: self._number(name, i, j, masked))

    def dots(self, columns: Iterable[int] | None = None) -> Animation:
        """Cells show dots whose area is proportional to the pattern weight."""
        self.mode = "dots"
        return self._swap(self._cells_of(columns), self._dot)

    def clear(self) -> Animation:
        """Empty every cell."""
        self.mode = "empty"
        return self._swap(self._cells_of(None), lambda i, j: None)

    def shade_masked(
        self, color: ManimColor = palette.MASK, opacity: float = MASKED_FILL
    ) -> Animation:
        """Fill the masked cells (key after query) with ``color``."""
        masked = [self._cells[c] for c in self.shown_cells() if not self.mask[c]]
        return together([m.animate.set_fill(color, opacity) for m in masked])

    def highlight_column(self, j: int, color: ManimColor = palette.QUERY) -> Animation:
        """Outline query column ``j``: exactly its cells' width plus a margin, reaching up
        over its label (which is never wider than the column)."""
        cells = self.get_column(j)
        top = max(cells.get_top()[1], self._query_labels[j].get_top()[1])
        x, y = (cells.get_left()[0], cells.get_right()[0]), (cells.get_bottom()[1], top)
        return self._highlight(outline(x, y, color))

    def highlight_row(self, i: int, color: ManimColor = palette.KEY) -> Animation:
        """Outline key row ``i``: exactly its cells' height plus a margin, reaching left
        over its label (which is never taller than the row)."""
        cells = self.get_row(i)
        left = min(cells.get_left()[0], self._key_labels[i].get_left()[0])
        x, y = (left, cells.get_right()[0]), (cells.get_bottom()[1], cells.get_top()[1])
        return self._highlight(outline(x, y, color))

    def highlight_cell(self, i: int, j: int, color: ManimColor = palette.DELTA) -> Animation:
        """Outline one cell."""
        return self._highlight(
            SurroundingRectangle(self._cells[(i, j)], color=color, buff=0, stroke_width=5)
        )

    def _highlight(self, rect: Rectangle) -> Animation:
        self.highlights.add(rect)
        return Create(rect)

    def clear_highlights(self) -> Animation:
        """Remove every outline."""
        old = list(self.highlights)
        self.highlights.remove(*old)
        return together([FadeOut(m) for m in old])

    def column_sums(self, name: str = "pattern") -> tuple[ColumnSums, Animation]:
        """Under each shown column, the sum of its numbers as they are drawn.

        A column whose keys are all shown adds up to its whole sum (1.00 for the pattern:
        :meth:`drawn` rounds its entries so that they do). A column cut by a window shows
        what its visible entries add up to, and under it, dimmed, the rest that the
        hidden rows hold (``+0.98``: the hidden keys are earlier tokens, above), so that
        the two add up as drawn to the whole sum and the view never claims a sum it
        does not show. Returns the labels (so the scene can remove them) and their
        animation.
        """
        d = self.decimals[name]
        rests = self.hidden_rests(name)
        sums = ColumnSums()
        for j in self.query_range:
            whole = float(self.values[name][:, j][self.mask[:, j]].sum())
            shown = float(np.round(np.round(whole, d) - rests[j], d)) if j in rests else whole
            label = literal(
                fixed(shown, d), font_size=self.font_size, color=palette.QUERY, mono=True
            )
            self._fit(label, 0.9 * self.cell_width)
            label.next_to(self._cells[(self.key_range[-1], j)], DOWN, buff=LABEL_GAP)
            sums.totals.append(label)
            sums.add(label)
            if j in rests:
                # as large as the sum above it allows: "+0.79", the hidden rows being the
                # earlier tokens, above the window (the caption's cut_note says so)
                mark = literal(  # on the row named "above": no sign to crowd it
                    fixed(rests[j], d),
                    font_size=self.font_size,
                    color=palette.DIM_TEXT,
                    mono=True,
                )
                self._fit(mark, 0.9 * self.cell_width)
                mark.next_to(label, DOWN, buff=0.06)
                sums.rests[j] = mark
                sums.add(mark)
        sigma = literal("\u03a3", font_size=self.font_size, color=palette.QUERY)
        sigma.set_y(sums.totals[0].get_y())  # where the row's key label would be
        sigma.align_to(self.cells.get_left() + LEFT * LABEL_GAP, RIGHT)
        sums.sigma = sigma
        sums.add(sigma)
        if sums.rests:  # the rests' row, named as Σ names the sums': "above +0.02"
            above = literal("above", font_size=self.font_size, color=palette.DIM_TEXT)
            self._fit(above, sigma.get_right()[0] - self.get_left()[0])
            above.set_y(next(iter(sums.rests.values())).get_y())
            above.align_to(sigma, RIGHT)
            sums.above = above
            sums.add(above)
        return sums, FadeIn(sums, shift=0.1 * UP)

    @property
    def cropped_columns(self) -> list[int]:
        """Shown queries some of whose visible keys the window leaves out."""
        shown = set(self.key_range)
        return [
            j
            for j in self.query_range
            if any(self.mask[i, j] and i not in shown for i in range(len(self.keys)))
        ]

    def hidden_rests(self, name: str = "pattern") -> dict[int, float]:
        """Shown query -> the share its rows above the window hold, as written under its
        column (its whole sum rounded, less what its drawn entries add up to), for the
        columns the window cuts where that share is written above zero."""
        d = self.decimals[name]
        drawn = self.drawn(name)
        rests = {}
        for j in self.cropped_columns:
            whole = float(self.values[name][:, j][self.mask[:, j]].sum())
            shown = np.round(sum(drawn[i, j] for i in self.key_range if self.mask[i, j]), d)
            rest = float(np.round(np.round(whole, d) - shown, d))
            if rest > 0:
                rests[j] = rest
        return rests

    def cut_note(self) -> str:
        """What a caption adds when the sums row writes the hidden rows' share under
        columns the window cuts (:meth:`column_sums`); nothing when no such share is
        written."""
        if not self.hidden_rests():
            return ""
        return " “above”: a cut column's share on the rows above the window."


class ColumnSums(VGroup):
    """The sums under an :class:`AttentionGrid`'s columns: ``totals`` (one label per shown
    column, in order), ``rests`` (query -> the dimmed share of hidden rows, for columns a
    window cuts) and ``sigma`` (the row's Σ)."""

    def __init__(self) -> None:
        super().__init__()
        self.totals: list[Mobject] = []
        self.rests: dict[int, Mobject] = {}
        self.sigma: Mobject | None = None
        self.above: Mobject | None = None  # names the rests' row, when there are rests


class PatternHeatmap(VGroup):
    """A large pattern drawn cheaply, with a few ``Kᵢ`` / ``Qⱼ`` labels.

    Each cell is a square whose brightness is ``sqrt(weight)`` (the dot-radius rule
    of :class:`AttentionGrid`), rounded to one of ``LEVELS`` steps; masked cells are
    dark red. Runs of equal cells are merged and all runs of one brightness form one
    path, so the picture is a few dozen mobjects whatever the size. (ManimCE 0.22
    cannot draw an ``ImageMobject`` with this machine's Pillow.) Keys are rows,
    queries are columns, as in :class:`AttentionGrid`.

    Parameters
    ----------
    pattern
        ``[query, key]`` weights.
    mask
        ``[query, key]`` booleans, True where the key is visible.
    side
        Width and height on screen.
    every
        Label every ``every``-th key/query (plus the first and the last).
    font_size
        Font size of the labels.
    sink
        ``[query]`` weights on the head's sink (a slot with no value): one more row below
        the grid, apart from it by the height of its label "sink", so that every column
        drawn adds up to 1. ``levels`` then has that row last.
    """

    def __init__(
        self,
        pattern: np.ndarray,
        mask: np.ndarray,
        *,
        side: float = 6.0,
        every: int = 10,
        font_size: float = palette.SMALL,
        sink: np.ndarray | None = None,
    ) -> None:
        super().__init__()
        self.values = key_by_query(pattern)  # the one transpose: [key row, query column]
        self.mask = key_by_query(mask)
        n_tokens = self.values.shape[0]
        if sink is not None:  # the sink's row, seen by every query
            self.values = np.vstack([self.values, np.asarray(sink)[None, :]])
            self.mask = np.vstack([self.mask, np.ones((1, self.mask.shape[1]), dtype=bool)])
        n_k, n_q = self.values.shape
        self.cell_size = side / max(n_tokens, n_q)
        sink_label = literal("sink", font_size=font_size, color=palette.SINK)
        # the sink's row stands apart, by as many rows as its label is tall
        self.sink_gap = int(np.ceil(sink_label.height / self.cell_size)) if sink is not None else 0
        self.sink_row = n_tokens if sink is not None else None  # its row in levels
        self.levels = heatmap_levels(self.values, self.mask)  # (n_k, n_q), -1 where masked
        self.shades = VGroup()
        self._shade_of_level = {}
        for level in np.unique(self.levels):
            if level == -1:
                color = interpolate_color(palette.MASK, BLACK, 0.65)
            else:
                color = interpolate_color(BLACK, palette.TEXT, level / (LEVELS - 1))
            shade = self._runs_path(self.levels == level).set_fill(color, 1).set_stroke(width=0)
            self._shade_of_level[int(level)] = shade
            self.shades.add(shade)
        s = self.cell_size
        self.frame = Rectangle(width=n_q * s, height=n_tokens * s, stroke_color=palette.NEUTRAL)
        self.frame.move_to([n_q * s / 2, -n_tokens * s / 2, 0])  # around the tokens' rows
        self.key_labels = VGroup()
        self.query_labels = VGroup()
        top_left = self.frame.get_corner(UP + LEFT)
        for i in sorted({0, n_tokens - 1, *range(every - 1, n_tokens, every)}):
            label = literal(f"K{subscript(i + 1)}", font_size=font_size, color=palette.KEY)
            label.next_to(top_left + DOWN * (i + 0.5) * s, LEFT, buff=0.1)
            self.key_labels.add(label)
        if sink is not None:
            self.sink_frame = Rectangle(width=n_q * s, height=s, stroke_color=palette.SINK)
            self.sink_frame.move_to([n_q * s / 2, -self._row_top(n_tokens) - s / 2, 0])
            sink_label.next_to(self.sink_frame, LEFT, buff=0.1)
            self.key_labels.add(sink_label)
            self.add(self.sink_frame)
        for j in sorted({0, n_q - 1, *range(every - 1, n_q, every)}):
            label = literal(f"Q{subscript(j + 1)}", font_size=font_size, color=palette.QUERY)
            label.next_to(top_left + RIGHT * (j + 0.5) * s, UP, buff=0.1)
            self.query_labels.add(label)
        self.add(self.shades, self.frame, self.key_labels, self.query_labels)

    def _row_top(self, i: int) -> float:
        """How far below the grid's top row ``i`` starts: the sink's row after its gap."""
        return (i + (self.sink_gap if i == self.sink_row else 0)) * self.cell_size

    def _runs_path(self, cells: np.ndarray) -> VMobject:
        """One path with a rectangle per horizontal run of True cells."""
        path = VMobject()
        s = self.cell_size
        for i, row in enumerate(cells):
            j = 0
            while j < len(row):
                if not row[j]:
                    j += 1
                    continue
                start = j
                while j < len(row) and row[j]:
                    j += 1
                top = self._row_top(i)
                corners = [
                    np.array([x * s, -y, 0])
                    for x, y in ((start, top), (j, top), (j, top + s), (start, top + s))
                ]
                path.start_new_path(corners[0])
                path.add_points_as_corners([*corners[1:], corners[0]])
        return path

    def shade_of(self, i: int, j: int) -> VMobject:
        """The path that draws cell (key ``i``, query ``j``)."""
        return self._shade_of_level[int(self.levels[i, j])]


def below_baseline(label: Mobject) -> float:
    """How far ``label``'s ink reaches below its baseline (0 where that is unknown)."""
    if isinstance(label, ComposedText):
        return max(0.0, label.get_baseline() - label.get_bottom()[1])
    return 0.0


def outline(x: tuple[float, float], y: tuple[float, float], color: ManimColor) -> Rectangle:
    """A rectangle around ``x[0]..x[1]`` x ``y[0]..y[1]``, ``HIGHLIGHT_MARGIN`` outside it."""
    m = HIGHLIGHT_MARGIN
    rect = Rectangle(width=x[1] - x[0] + 2 * m, height=y[1] - y[0] + 2 * m, color=color)
    return rect.move_to([(x[0] + x[1]) / 2, (y[0] + y[1]) / 2, 0])


def heatmap_levels(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Brightness step of each ``[key, query]`` cell: round(sqrt(w) * (LEVELS - 1)),
    and -1 for masked cells."""
    level = np.rint(np.sqrt(np.clip(values, 0, 1)) * (LEVELS - 1)).astype(int)
    return np.where(mask, level, -1)
