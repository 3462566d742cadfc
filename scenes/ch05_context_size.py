"""Chapter 5: context size. The grid grows with the square of the number of tokens.

The example's own pattern, then a real 56-token pattern (a short mystery story,
``assets/examples/long-passage.toml``, run through the same designed head): it is shown
as text, token by token, beside its grid, which zooms out from its top-left corner
(inside the stage). Then the count of cells (context²), and a list of methods that make
long contexts cheaper.

    manim -pql scenes/ch05_context_size.py ContextSize
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    ReplacementTransform,
    Square,
    VGroup,
    VMobject,
    Write,
    smooth,
    squish_rate_func,
)

from attention_math import PRESETS, Trace, build_trace, load_example
from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid, PatternHeatmap, subscript
from scenes.components.labels import literal
from scenes.focus import main_link
from scenes.lesson import Lesson, Region, char_width
from scenes.settings import chapter_cache

HEAD = "adjective-noun"
LARGE = 50  # tokens of the large pattern
ZOOM_TOKENS = 8  # the large pattern's grid first shows its top-left corner of this many rows
HEATMAP_SIDE = 5.2  # side of the large grid's square
HEATMAP_LEFT = 0.75  # from the stage's left edge to the grid: room for the key labels
HEATMAP_TOP = 0.45  # from the stage's top to the grid: room for the query labels
LABEL_ROOM = 0.6  # least distance between the centres of two axis labels
COUNT_ROOM = 1.4  # below the passage: room for the count of cells
DIMMED = 0.35  # opacity of the passage's tokens outside the zoomed corner
LINE_PITCH = 2.9  # between the passage's baselines, in mean character widths
DOUBLING_SIDE = 1.1  # side of the small square of cells whose context doubles
DOUBLING_BASE = 0.65  # y of the doubling squares' bottoms, above the table
TABLE_TOP = -0.5  # y of the table's first row, under the doubling squares
TABLE_PITCH = 0.75  # between the table's rows
HUGGING = frozenset(",.;:!?)")  # punctuation drawn without a space before it
PASSAGE_SIZES = (palette.LABEL, palette.SMALL, palette.NOTE, palette.FOOTNOTE)
GPT3_CONTEXT = PRESETS["gpt3"].context_length  # tokens
# 33 + 8 + 9 words, the break and two full stops: 53 tokens
PASSAGE = "long-passage"  # the example whose sentence is the longer passage
METHODS = (  # each with its idea in a line
    ("Sparse attention", "each token looks at a few chosen places"),
    ("Blockwise attention", "the grid in blocks, never all held at once"),
    ("Linformer", "keys and values squeezed to a fixed length"),
    ("Reformer", "hashing pairs up queries and keys that are alike"),
    ("Ring attention", "the context split across devices in a ring"),
    ("Longformer", "a sliding window, plus a few global tokens"),
    ("Adaptive attention span", "each head learns how far back to look"),
)


@chapter_cache
@lru_cache(maxsize=2)
def large_trace(seed: int) -> Trace:
    """The longer passage (:data:`PASSAGE`), through the lesson's heads."""
    return build_trace(load_example(PASSAGE), seed=seed)


def labelled(n: int, step: int) -> list[int]:
    """Positions a :class:`PatternHeatmap` of ``n`` tokens labels with ``every=step``: the
    first, every ``step``-th and the last."""
    return sorted({0, n - 1, *range(step - 1, n, step)})


def label_step(n: int, cell: float, room: float = LABEL_ROOM) -> int:
    """The roundest step (a multiple of 10, else of 5, else any) whose labels, on cells of
    side ``cell``, stand at least ``room`` apart; the last label does not follow the
    steps, so a step that brings a label close to it is skipped."""

    def fits(step: int) -> bool:
        shown = labelled(n, step)
        return all((b - a) * cell >= room for a, b in zip(shown, shown[1:]))

    for round_to in (10, 5, 1):
        for step in range(round_to, n + 1, round_to):
            if fits(step):
                return step
    return n


def passage(words: list[str], numbered: set[int], width: float, height: float) -> VGroup:
    """``words`` as a left-aligned paragraph of at most ``width`` x ``height``, one text
    per token; the tokens at the positions in ``numbered`` carry their place (from 1) as
    a dim subscript, as the grid's axes name them. The largest type size that fits is
    used; a passage too long for the smallest is scaled down."""
    for font_size in PASSAGE_SIZES:
        tokens = VGroup()
        for i, word in enumerate(words):
            mark = subscript(i + 1) if i in numbered else ""
            dim = {"t2c": {mark: palette.DIM_TEXT}} if mark else {}
            tokens.add(literal(word + mark, font_size=font_size, **dim))
        space = char_width(font_size)
        # a numbered mark keeps its space: "alibi₅ ,₆", not "alibi₅,₆" (one token?)
        hugging = {i for i, word in enumerate(words) if word in HUGGING and i not in numbered}
        _flow(tokens, width, space=space, pitch=LINE_PITCH * space, hugging=hugging)
        if tokens.height <= height:
            break
    if tokens.height > height:
        tokens.scale_to_fit_height(height)
    return tokens


def _flow(
    tokens: VGroup, width: float, space: float, pitch: float, hugging: set[int] = frozenset()
) -> None:
    """Set ``tokens`` left to right on baselines ``pitch`` apart, starting a new line
    where the next one would pass ``width``; the tokens at the positions in ``hugging``
    (punctuation) follow the token before without a space."""
    x, line = 0.0, 0
    for i, token in enumerate(tokens):
        if i in hugging and x > 0:
            x -= 0.85 * space  # a hair apart, as a font spaces a comma
        if x > 0 and x + token.width > width:
            x, line = 0.0, line + 1
        token.shift([x - token.get_left()[0], -line * pitch - _baseline(token), 0])
        x += token.width + space


def cell_square(n: int, side: float) -> VGroup:
    """A square of ``n`` x ``n`` cells, ``side`` wide: a tinted square and its grid lines."""
    square = Square(side, stroke_color=palette.QUERY, stroke_width=2)
    square.set_fill(palette.QUERY, opacity=0.25)
    step = side / n
    lines = VGroup(
        *(
            line
            for k in range(1, n)
            for line in (
                Line([k * step, 0, 0], [k * step, side, 0]),
                Line([0, k * step, 0], [side, k * step, 0]),
            )
        )
    ).set_stroke(palette.TEXT, width=1, opacity=0.55)
    lines.shift(square.get_corner(DOWN + LEFT))
    return VGroup(square, lines)


def _baseline(mob: VMobject) -> float:
    """The y of a text's baseline (its bottom if it cannot tell)."""
    return mob.get_baseline() if hasattr(mob, "get_baseline") else mob.get_bottom()[1]


class ContextSize(Lesson):
    number = 5
    title = "Context size"

    def construct(self) -> None:
        self.title_card()
        self.small_grid()
        self.large_grid()
        self.quadratic()
        self.methods()

    def setup(self) -> None:
        super().setup()
        self.head = self.trace.head(HEAD)
        self.big = self.trace if self.trace.n >= LARGE else large_trace(self.source.seed)

    # -- beats -----------------------------------------------------------------------
    def small_grid(self) -> None:
        t = self.trace
        n = t.n
        grid = AttentionGrid.from_head(
            self.head,
            t.words,
            focus=main_link(t, self.head).query,
            max_width=8.0,
            max_height=self.stage.height - 0.2,
        )
        asides = [f"a window of {len(grid.query_range)} shown"] if grid.windowed else []
        if self.head.has_sink:  # drawn under the tokens, not counted
            asides.append("the head's sink adds one more row")
        aside = f" ({'; '.join(asides)})" if asides else ""
        self.beat(  # the caption's words said too: the picture stays as long as they last
            "small grid",
            f"Our sentence has {n} tokens, so its attention pattern has {n} \u00d7 {n} = "
            f"{n * n:,} cells{aside}. Each new token adds a whole row and a whole column.",
        )
        self.heading("One cell per pair of tokens")
        self.small = grid.move_to(self.stage.center + LEFT * 2.4)
        self.play(grid.create(), run_time=1.5)
        self.play(grid.shade_masked(palette.MASK), grid.dots(), run_time=1.5)
        count = literal(
            f"{n} \u00d7 {n} = {n * n:,}", font_size=palette.DISPLAY, color=palette.QUERY
        )
        unit = literal("cells", font_size=palette.LARGE, color=palette.DIM_TEXT)
        total = VGroup(count, unit).arrange(DOWN, buff=0.2)
        total.move_to(self.side_notes.center + RIGHT * 0.5 + UP * 0.3)
        self.play(Write(count), FadeIn(unit))
        self.caption(
            f"{n} tokens: {n * n:,} cells{aside}. Each new token adds a whole row "
            "and a whole column.",
            wait=1.5,
        )
        self.clear_content()

    def _heatmaps(
        self, head, n: int, corner_n: int
    ) -> tuple[PatternHeatmap, PatternHeatmap, int, np.ndarray]:
        """The whole grid (``self.heatmap``), its top-left corner of ``corner_n`` tokens
        drawn as large (``self.corner``), both with their top-left corner at the returned
        point; and the step of the whole grid's axis labels."""
        sink = head.sink if head.has_sink else None
        side = HEATMAP_SIDE
        if sink is not None:  # the sink's row and its gap fit under the grid, on the stage
            room = self.stage.height - HEATMAP_TOP - 0.05  # and the frames' strokes
            label = literal("sink", font_size=palette.SMALL).height
            while side * (n + 1) / n + np.ceil(label / (side / n)) * side / n > room:
                side -= 0.05
        step = label_step(n, side / n)
        self.heatmap = heatmap = PatternHeatmap(
            head.pattern, head.mask, side=side, every=step, font_size=palette.SMALL, sink=sink
        )
        self.corner = corner = PatternHeatmap(
            head.pattern[:corner_n, :corner_n],
            head.mask[:corner_n, :corner_n],
            side=side,
            every=1,
            font_size=palette.SMALL,
        )  # the top-left corner: the sink's row, at the bottom, is not in it
        # room on the left for the widest key label ("sink" is wider than K₁₀)
        left = max(HEATMAP_LEFT, heatmap.frame.get_left()[0] - heatmap.key_labels.get_left()[0])
        top_left = np.array([self.stage.left + left + 0.1, self.stage.top - HEATMAP_TOP, 0])
        for grid in (heatmap, corner):
            grid.shift(top_left - grid.frame.get_corner(UP + LEFT))
        return heatmap, corner, step, top_left

    def large_grid(self) -> None:
        big = self.big
        n = big.n
        head = big.head(HEAD)
        corner_n = min(ZOOM_TOKENS, n)
        self.beat(
            "large grid",
            f"Now a longer passage: {n} tokens. Here are its first {corner_n} tokens and "
            "their corner of its grid, the same head computed on the passage; small numbers "
            "give places on the grid's axes.",
        )
        self.heading(f"A passage of {n} tokens")
        heatmap, corner, step, top_left = self._heatmaps(head, n, corner_n)
        numbered = set(labelled(n, step)) | set(range(corner_n))
        column = Region(
            left=heatmap.frame.get_right()[0] + 0.6,
            right=self.stage.right - 0.3,
            top=self.stage.top - 0.1,
            bottom=self.stage.bottom + COUNT_ROOM,
        )
        self.passage = text = passage(big.words, numbered, column.width, column.height)
        column.place(text, UP + LEFT)
        later = text[corner_n:]
        self.play(FadeIn(text, lag_ratio=0.02), run_time=1.0)
        self.until_said("Here are its first")  # the corner comes with its words
        self.play(later.animate.set_opacity(DIMMED), FadeIn(corner), run_time=1.2)
        self.caption(
            f"Its grid's top-left corner: the first {corner_n} tokens (bright in the passage; "
            "small numbers: places on the grid's axes).",
            wait=1.5,
        )
        # the zoom starts with the words that say it
        self.beat(
            "whole grid",
            f"Zooming out, the whole grid has {n} \u00d7 {n} = {n * n:,} "
            "cells: queries across, keys down, each cell as bright as the square root of its "
            "weight, and the masked cells, lower left, in red.",
        )
        self.heading_shown(f"A passage of {n} tokens")  # still there: the slide's title
        picture = VGroup(corner.shades, corner.frame)
        self.play(
            picture.animate.scale(corner_n / n, about_point=top_left),
            # the corner's labels go at once: the grid shrinks away from them
            FadeOut(
                VGroup(corner.key_labels, corner.query_labels),
                rate_func=squish_rate_func(smooth, 0, 0.3),
            ),
            FadeIn(VGroup(heatmap.shades, heatmap.frame)),
            later.animate.set_opacity(1),
            *self.caption_leaving(),  # the corner's caption goes with the corner
            run_time=3,
        )
        self.remove(picture, corner)
        self._cell_count(n, text, head.has_sink)
        self.clear_content()

    def _cell_count(self, n: int, text: VGroup, has_sink: bool) -> None:
        """n × n = n² cells, written under the passage ``text``, and how to read the grid."""
        count = literal(
            f"{n} \u00d7 {n} = {n * n:,}", font_size=palette.DISPLAY, color=palette.QUERY
        )
        unit = literal("cells", font_size=palette.LARGE, color=palette.DIM_TEXT)
        total = VGroup(count, unit).arrange(RIGHT, buff=0.3, aligned_edge=DOWN)
        total.next_to(text, DOWN, buff=0.5, aligned_edge=LEFT)
        axes = VGroup(self.heatmap.key_labels, self.heatmap.query_labels)
        self.play(Write(count), FadeIn(unit), FadeIn(axes))  # the count and the axes together
        self.caption(
            f"Q\u2081\u2026Q{subscript(n)} across, K\u2081\u2026K{subscript(n)} down"
            + (" (the head's sink adds one more row)" if has_sink else "")
            + "; brightness = \u221aweight, red = masked.",
            wait=3.0,
        )

    def quadratic(self) -> None:
        n_small, n_big = self.trace.n, self.big.n
        rows = [(n_small, "this sentence"), (n_big, "the passage"), (GPT3_CONTEXT, "GPT-3")]
        rows = list(dict.fromkeys(rows))
        self.beat(
            "quadratic",
            "Cells grow with the square of the context: double the tokens, and there are four "
            f"times as many cells. GPT-3's {GPT3_CONTEXT:,} tokens make {GPT3_CONTEXT**2:,} "
            "cells per head.",
        )
        self.heading("Context size squared")
        self._doubling(n_small)
        cells = self._table(rows)
        self.play(Indicate(cells[-1], color=palette.MASK))
        self.caption(
            f"Double the context, four times the cells: {GPT3_CONTEXT:,}\u00b2 = "
            f"{GPT3_CONTEXT**2:,}, in every head of every layer.",
            wait=3.0,
        )
        self.clear_content()

    def _doubling(self, n: int) -> None:
        """The sentence's square of n x n cells, then four copies of it: the square of a
        context twice as long, 2n x 2n cells."""
        left = self.stage.left + 0.9
        small = cell_square(n, DOUBLING_SIDE).move_to([left, DOUBLING_BASE, 0], DOWN + LEFT)
        label = literal(f"{n} \u00d7 {n} = {n * n:,} cells", font_size=palette.BODY)
        label.next_to(small, DOWN, buff=0.15, aligned_edge=LEFT)
        self.play(FadeIn(small), FadeIn(label), run_time=0.8)
        # the big square's corner: past the small one's label, as long as n is
        corner = np.array([label.get_right()[0] + 0.6, DOUBLING_BASE, 0])
        copies = [
            small.copy().move_to(corner + [dx, dy, 0], DOWN + LEFT)
            for dy in (DOUBLING_SIDE, 0)
            for dx in (0, DOUBLING_SIDE)
        ]
        big = VGroup(*copies)
        total = literal(
            f"{2 * n} \u00d7 {2 * n} = {4 * n * n:,} = 4 \u00d7 {n * n:,} cells",
            font_size=palette.BODY,
        ).next_to(big, DOWN, buff=0.15, aligned_edge=LEFT)
        said = VGroup(
            literal("double the tokens:", font_size=palette.HEADLINE),
            literal("four times the cells", font_size=palette.HEADLINE, color=palette.QUERY),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        said.next_to(big, RIGHT, buff=0.8)
        self.play(
            *(ReplacementTransform(small.copy(), c) for c in copies), FadeIn(total), run_time=1.5
        )
        self.play(FadeIn(said, shift=0.2 * RIGHT), run_time=0.8)
        self.doubling = (small, big, label, total)

    def _table(self, rows: list[tuple[int, str]]) -> list[VMobject]:
        """One line per context of ``rows``: its name, its tokens and its cells, under the
        doubling squares; returns the cells' counts."""
        cells = []
        for k, (n, name) in enumerate(rows):
            y = TABLE_TOP - TABLE_PITCH * k
            count = literal(f"{n * n:,} cells", font_size=palette.HEADLINE, color=palette.QUERY)
            cells.append(count.move_to([5.6, y, 0], aligned_edge=RIGHT))
            line = VGroup(
                literal(name, font_size=palette.HEADLINE, color=palette.DIM_TEXT).move_to(
                    [-5.2, y, 0], aligned_edge=LEFT
                ),
                literal(f"{n:,} tokens", font_size=palette.HEADLINE).move_to(
                    [0.6, y, 0], aligned_edge=RIGHT
                ),
                count,
            )
            self.play(FadeIn(line, shift=0.2 * UP), run_time=0.8)
            self.wait(0.4)
        return cells

    def methods(self) -> None:
        self.beat(
            "methods",
            "Many methods make long contexts cheaper: "
            + ", ".join(name for name, _ in METHODS)
            + ".",
        )
        self.heading("Making long contexts affordable")
        per_column = (len(METHODS) + 1) // 2
        items = VGroup()
        for k, (name, idea) in enumerate(METHODS):
            item = literal(f"\u2022 {name}", font_size=palette.HEADING)
            gist = literal(idea, font_size=palette.SMALL, color=palette.DIM_TEXT)
            x, y = -6.2 + 7.2 * (k // per_column), 1.9 - 1.15 * (k % per_column)
            bullet = item[0]  # line up the bullets: descenders must not move a line
            item.shift([x - item.get_left()[0], y - bullet.get_y(), 0])
            gist.next_to(item, DOWN, buff=0.12, aligned_edge=LEFT).shift(RIGHT * 0.33)
            items.add(VGroup(item, gist))
        items.move_to(self.stage.center + UP * 0.1)
        for item, (name, _) in zip(items, METHODS, strict=True):  # each as it is named
            self.until_said(name)
            self.play(FadeIn(item), run_time=0.4)
        self.caption(
            "Each one avoids computing the full context \u00d7 context grid, or holding "
            "all of it in one place.",
            wait=4.0,
        )
