"""Chapter 11: going deeper. Attention and MLP blocks alternate, layer after layer, and
the embeddings keep changing; all of it runs in parallel.

Only the first attention step is computed (the core has no MLP): the strips of the input
embeddings E and of E' = E + ΔE after the first attention layer are the trace's real
entries; every level above is drawn schematic (outlined, uncoloured) and the chapter says
so. The multiply-add count of one attention layer comes from the model's sizes and this
sentence's mask.

    manim -pql scenes/ch11_going_deeper.py GoingDeeper
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    DecimalNumber,
    FadeIn,
    LaggedStart,
    MoveToTarget,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
    there_and_back,
)

from scenes.components import palette
from scenes.components.block_stack import BlockStack
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.entries import color_scale, dots, equation_entries, fixed
from scenes.components.fade_in_place import FadeOutInPlace
from scenes.components.labels import literal
from scenes.components.parameter_counter import CountBrace, ProductLine, figure, grouped
from scenes.components.token_row import TokenRow
from scenes.focus import quoted
from scenes.lesson import STAGE, Lesson

CELLS = 8  # entries per strip: the first CELLS entries of each vector
COLUMN_INDICES = (*range(CELLS), -1)  # the panel shows the same entries, and the last
BLOCKS = ("attention", "mlp", "attention", "mlp")  # two layers drawn, bottom first
ROW_WIDTH = 7.0  # the token row's widest, left of the side notes
ROW_CENTER = STAGE.center + LEFT * 2.75 + DOWN * 2.35  # the token row, while one layer is shown
CLOSE_STRIP = 1.5  # height of a strip (CELLS cells) while one layer is shown close up
ROW_BOTTOM = STAGE.bottom + 0.25  # the row's centre once the whole stack is shown
STACK_ROW_WIDTH = 6.0  # the row's width then, and its centre's x: left of the notes
STACK_ROW_X = STAGE.center[0] - 3.3
LANE_ROWS = 4  # head lanes drawn in the parallelism picture
LANE_ROW_WIDTH = 9.0  # the token row over the lanes, and its centre's x: the head
LANE_ROW_X = 1.0  # names and the window label go left of it
LANE_CELL = 0.75  # height of one head's cell on one token
LANE_PITCH = 0.9  # between two heads' lanes
LANES_SHRUNK = 0.62  # the lanes' size once the counts are written under them


def multiply_adds(trace) -> dict[str, int]:
    """Multiply-adds of one attention layer of the model on this sentence.

    Every attention weight is used once per token (queries, keys, value-down, value-up),
    and each head does a d_head-long dot product per visible (key, query) pair for the
    scores and the same again for the weighted sum of values.
    """
    d, params = trace.dims, trace.params
    pairs = int(trace.heads[0].mask.sum())  # visible (query, key) pairs
    weights = trace.n * params["layer/attention"]
    pattern = 2 * d.n_heads * d.d_head * pairs
    return {"pairs": pairs, "weights": weights, "pattern": pattern, "total": weights + pattern}


def multiply_add_sentences(trace, counts: dict[str, int]) -> dict[str, str]:
    """The sentences of the multiply-add beat, one per sum drawn (``counts``:
    :func:`multiply_adds`), said as each appears."""
    d, per_layer = trace.dims, grouped(trace.params["layer/attention"])
    return {
        "weights": f"For this sentence, one GPT-3 attention layer uses each of its {per_layer} "
        f"weights once per token: {trace.n} × {per_layer} = {grouped(counts['weights'])}.",
        "pattern": f"The scores and weighted sums add 2 × {d.n_heads} × {d.d_head} × "
        f"{counts['pairs']} = {grouped(counts['pattern'])}.",
        "total": f"In all, {grouped(counts['total'])} multiply-adds.",
        "gpu": "A GPU does thousands of them at the same time, which is what makes "
        "attention fast to run.",
    }


def strip_legend(d_model: int) -> VGroup:
    """How to read a strip of cells: which entries, and what the colours mean."""
    return VGroup(
        literal(
            f"each strip: the first {CELLS} of {grouped(d_model)} entries",
            font_size=palette.SMALL,
            color=palette.DIM_TEXT,
        ),
        literal(
            "blue positive · red negative · brighter larger",
            font_size=palette.SMALL,
            color=palette.DIM_TEXT,
        ),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)


def update_columns(trace, j: int, drawn: list[np.ndarray]) -> list[EmbeddingColumn]:
    """E, ΔE and E′ of token ``j`` as columns of the entries ``COLUMN_INDICES``, written
    as ``drawn`` (rounded so that each row adds up), on E's colour scale."""
    scale = color_scale(trace.E)
    parts = (
        (trace.E[j], "E", palette.EMBEDDING),
        (trace.delta_E[j], "ΔE", palette.DELTA),
        (trace.E_prime[j], "E′", palette.UPDATED),
    )
    return [
        EmbeddingColumn(
            vector,
            COLUMN_INDICES,
            font_size=palette.SMALL,
            scale=scale,
            bracket_color=color,
            label=label,
            drawn=written,
        )
        for (vector, label, color), written in zip(parts, drawn, strict=True)
    ]


def window_note(shown: list[int], n: int) -> str:
    """The end of a caption about a row of tokens ``shown`` (in order) of ``n``: which
    ones, when not all."""
    return f" (tokens {shown[0] + 1}\u2013{shown[-1] + 1} of {n} shown)." if len(shown) < n else "."


def parallel_sentences(trace, shown: list[int]) -> dict[str, str]:
    """The sentences of the parallelism beat over a row of the tokens ``shown`` (in
    order): the count is the whole sentence's, so a window of it is named first."""
    d, n = trace.dims, trace.n
    said = {"start": "Within one layer nothing waits in line."}
    if len(shown) < n:  # said as the label beside the row writes it (a token "." unsaid)
        said["window"] = f"The row shows tokens {shown[0] + 1} to {shown[-1] + 1} of the {n}."
    said["count"] = (
        f"Every token and every head is computed independently: {d.n_heads} heads for "
        f"each of the {n} tokens of the sentence."
    )
    said["together"] = (
        "Each cell is a stream of multiply-adds, and all of them can run at the same time."
    )
    said["turns"] = "Only the layers take turns, each one reading what the one below it wrote."
    return said


def window_label(shown: list[int], n: int) -> VGroup:
    """Beside a row of the tokens ``shown`` (in order) of ``n``: which ones."""
    return literal(
        f"tokens {shown[0] + 1}\u2013{shown[-1] + 1} of {n}",
        font_size=palette.SMALL,
        color=palette.DIM_TEXT,
    )


def lanes_under(row: TokenRow) -> VGroup:
    """``LANE_ROWS`` rows of small cells ("×+"), one per shown token of ``row``, over
    it: each cell one head's work on one token (a gap between neighbouring lanes)."""
    xs = [row.get_token(i).get_x() for i in row.shown]
    cell_width = min(0.6, 0.7 * min(np.diff(xs), default=0.6))  # a gap between lanes
    top = row.get_bottom()[1] - 0.3 - LANE_CELL / 2  # the first lane's centre
    lanes = VGroup()
    for _ in range(LANE_ROWS):
        for i in row.shown:
            cell = RoundedRectangle(corner_radius=0.06, width=cell_width, height=LANE_CELL)
            cell.set_stroke(palette.DIM_TEXT, 1.5).set_fill(palette.NEUTRAL, 0.3)
            cell.move_to([row.get_token(i).get_x(), 0, 0])
            mark = literal("×+", font_size=palette.SMALL, color=palette.DIM_TEXT)
            mark.scale_to_fit_width(min(mark.width, cell_width * 0.8)).move_to(cell)
            lanes.add(VGroup(cell, mark))
    n_cols = len(row.shown)
    for index, lane in enumerate(lanes):
        lane.set_y(top - (index // n_cols) * LANE_PITCH)
    return lanes


class GoingDeeper(Lesson):
    number = 11
    title = "Going deeper"

    def construct(self) -> None:
        self.title_card("Layer after layer")
        self.focus = int(np.argmax(np.linalg.norm(self.trace.delta_E, axis=1)))
        self.first_attention()
        self.what_changed()
        self.mlp_block()
        self.many_layers()
        self.in_parallel()
        self.all_at_once()

    # -- beats -----------------------------------------------------------------------
    def first_attention(self) -> None:
        t = self.trace
        said = {
            "column": "Each token's embedding is a long column of numbers, like that of "
            f"{quoted(t, self.focus)} on the right.",
            "cells": f"Here are its first {CELLS} entries as coloured cells, one strip per token.",
            "layer": "The attention layer turns every E into E′ = E + ΔE, the changes of all "
            f"{len(t.heads)} heads of this lesson added.",
            "computed": "Both rows are computed values.",
        }
        self.beat("first-attention", " ".join(said.values()))
        self.row = TokenRow(
            t.words,
            [tok.role for tok in t.tokens],
            font_size=palette.LABEL,
            max_width=ROW_WIDTH,
            focus=self.focus,
        ).move_to(ROW_CENTER)
        self.shown = list(self.row.shown)
        self.close_up, self.stack = self._stacks()
        self.level_names = VGroup(
            literal("E", font_size=palette.HEADING, color=palette.EMBEDDING),
            literal("E′", font_size=palette.HEADING, color=palette.UPDATED),
        )
        for name, level in zip(self.level_names, self.close_up.levels):
            name.next_to(level, LEFT, buff=0.3)
        self.legend = strip_legend(t.dims.d_model)
        self.side_notes.place(self.legend, UP + RIGHT, buff=0.3)
        self.heading("One attention layer")
        self._focus_panel()
        # one whole column, on the right, with the words about it; the strips come next
        E, owner = self.columns[0], self.column_owner
        self.play(self.row.create(), E.create(), FadeIn(owner))
        self.until_said(said["cells"])
        self.play(
            LaggedStart(*(FadeIn(s, shift=UP * 0.2) for s in self.close_up.get_level(0))),
            FadeIn(self.level_names[0]),
            FadeIn(self.legend),
        )
        self.until_said(said["layer"])
        self.play(self.close_up.pass_through(0, run_time=2.0))
        self.play(FadeIn(self.level_names[1]), run_time=0.5)
        self.caption(
            f"E: the embeddings going in. E′ = E + ΔE: the layer's output, the changes of "
            f"all {len(t.heads)} heads of this lesson added. Both rows computed"
            + window_note(self.shown, t.n)
        )

    def _stacks(self) -> tuple[BlockStack, BlockStack]:
        """Over the row's shown tokens: the first layer close up (E, attention, E′: the
        first two beats), and the whole stack of ``BLOCKS`` drawn small, over the row once
        it has moved down to ``ROW_BOTTOM`` and shrunk (from the MLP beat on)."""
        t = self.trace
        xs = [self.row.get_token(i).get_x() for i in self.shown]
        pitch = min((b - a for a, b in zip(xs, xs[1:])), default=1.0)  # between strips
        E, E_prime = t.E[self.shown, :CELLS], t.E_prime[self.shown, :CELLS]
        close_up = BlockStack(
            xs,
            [E, E_prime],
            BLOCKS[:1],
            scale=color_scale(t.E),
            strip_width=min(0.55, 0.7 * pitch),  # a gap between strips over narrow tokens
            strip_height=CLOSE_STRIP,
            block_height=0.5,
            gap=0.15,
        )
        # the row once the whole stack is shown: narrower, left of the notes beside it
        shrink = min(1.0, STACK_ROW_WIDTH / self.row.width)  # never larger: "cats sleep"
        self.row.target = self.row.copy().scale(shrink)
        self.row.target.move_to([STACK_ROW_X, ROW_BOTTOM, 0])
        low = [self.row.target.get_token(i).get_x() for i in self.shown]
        stack = BlockStack(
            low,
            [E, E_prime, *([None] * (len(BLOCKS) - 1))],
            BLOCKS,
            scale=color_scale(t.E),
            strip_width=min(0.4, 0.7 * pitch * shrink),
            strip_height=0.42,
            block_height=0.42,
            gap=0.12,
        )
        # straight up from the tokens, so each strip stays over its token
        close_up.shift(UP * (self.row.get_top()[1] + 0.2 - close_up.get_bottom()[1]))
        self.close_up_size = (close_up.width, close_up.height)  # it shrinks into the stack
        stack.shift(UP * (self.row.target.get_top()[1] + 0.2 - stack.get_bottom()[1]))
        return close_up, stack

    def _focus_panel(self) -> None:
        """E + ΔE = E′ of the focus token on the right, built whole (E is shown first, on
        its own); the terms rounded so that each row adds up as drawn."""
        t, j = self.trace, self.focus
        self.drawn = equation_entries([t.E[j], t.delta_E[j]], COLUMN_INDICES, 1)
        columns = update_columns(t, j, self.drawn)
        signs = [literal(s, font_size=palette.HEADLINE, color=palette.DIM_TEXT) for s in ("+", "=")]
        panel = VGroup(columns[0], signs[0], columns[1], signs[1], columns[2])
        panel.arrange(RIGHT, buff=0.3).move_to(self.side_notes.center + DOWN * 0.2)
        for sign in signs:
            sign.set_y(columns[0].get_brackets().get_y())
        self.column_owner = literal(quoted(t, j), font_size=palette.LABEL)
        self.column_owner.next_to(columns[0], DOWN, buff=0.15)  # the legend is above
        self.columns, self.signs = columns, signs
        self.panel = VGroup(panel, self.column_owner)

    def what_changed(self) -> None:
        t, j = self.trace, self.focus
        word = t.words[j]
        size = float(np.linalg.norm(t.delta_E[j]))
        drawn, columns, signs = self.drawn, self.columns, self.signs
        first = list(COLUMN_INDICES).index(0)
        said = {
            "entries": f"Entry by entry, E + ΔE = E′: its first entry went from "
            f"{fixed(drawn[0][first], 1)} to {fixed(drawn[2][first], 1)}.",
            "size": f"The first layer added a ΔE of length {size:.0f} to it.",
        }
        self.beat(
            "what-changed",
            f"Take “{word}”, whose embedding changed most. " + " ".join(said.values()),
        )
        self.heading(f"{quoted(t, j)} after the first layer")
        k = self.shown.index(j)
        marks = self.close_up.highlight_token(k, (0, 1), palette.DELTA)
        self.play(Create(marks))
        self.until_said(said["entries"])
        self.play(FadeIn(signs[0]), columns[1].create(), run_time=0.6)
        self.play(FadeIn(signs[1]), columns[2].create(), run_time=0.6)
        self.until_said(said["size"])
        self.caption(
            f"Entry by entry, E + ΔE = E′ for {quoted(t, j)} (the first {CELLS} entries and "
            f"the last of {grouped(t.dims.d_model)}); |ΔE| = {size:.0f}."
        )
        self.panel.add(marks)

    def mlp_block(self) -> None:
        self.beat(
            "mlp",
            "Next comes a multilayer perceptron, the MLP block, then attention again. "
            "This project computes only the first attention layer, so from here on the "
            "picture is schematic: the outlined cells stand for numbers not computed.",
        )
        self.heading("Then an MLP block, then attention again")
        self.play(FadeOutInPlace(self.panel), run_time=0.6)
        # the close-up shrinks into the bottom of the whole stack, the row under it
        stack, close_up = self.stack, self.close_up
        for name, level in zip(self.level_names, stack.levels):
            name.generate_target().next_to(level, LEFT, buff=0.3)
        self.play(
            MoveToTarget(self.row),
            *(MoveToTarget(name) for name in self.level_names),
            *(ReplacementTransform(a, b) for a, b in zip(close_up.levels, stack.levels[:2])),
            ReplacementTransform(close_up.get_block(0), stack.get_block(0)),
            run_time=1.0,
        )
        note = VGroup(
            literal(
                "computed: E and E′ (first attention layer)",
                font_size=palette.LABEL,
                color=palette.UPDATED,
            ),
            literal(
                "schematic: every level above", font_size=palette.LABEL, color=palette.DIM_TEXT
            ),
            literal("(no MLP in this project)", font_size=palette.LABEL, color=palette.DIM_TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        self.side_notes.place(note, RIGHT, buff=0.3).set_y(self.side_notes.center[1] + 1.0)
        self.play(self.stack.pass_through(1))
        self.play(FadeIn(note, shift=LEFT * 0.2))
        self.wait(1)
        self.play(self.stack.pass_through(2))
        self.play(self.stack.pass_through(3))
        self.note = note
        self.caption(
            "Outlined cells stand for numbers this project does not compute: the MLP block "
            "and every layer above the first.",
            wait=1,
        )

    def many_layers(self) -> None:
        d = self.trace.dims
        self.beat(
            "many-layers",
            f"GPT-3 repeats this pair of blocks {d.n_layers} times. Each layer adds its own "
            "change to every embedding, so a word's vector keeps absorbing context on its "
            "way up.",
        )
        self.heading(f"{d.n_layers} layers")
        one_layer = VGroup(self.stack.get_block(0), self.stack.get_block(1))
        brace = CountBrace(one_layer, d.n_layers, RIGHT, "layers", font_size=palette.HEADING)
        times = literal("×", font_size=palette.HEADING, color=palette.DIM_TEXT)
        times.next_to(brace.figure, LEFT, buff=0.08)
        brace.text.add(times)
        self.layers_figure = brace.figure
        more = dots(UP, size=0.05, gap=0.15).next_to(self.stack, UP, buff=0.12)
        # the count comes whole, as the beat's first sentence says it
        self.play(FadeIn(more), FadeIn(brace), run_time=0.8)
        self.caption(
            f"Attention, then MLP, {d.n_layers} times over: each layer adds its own change "
            "to every embedding.",
            wait=2,
        )
        self.deeper = VGroup(
            self.row, self.stack, self.level_names, more, brace, self.note, self.legend
        )

    def in_parallel(self) -> None:
        t, d = self.trace, self.trace.dims
        row = TokenRow(
            t.words,
            [tok.role for tok in t.tokens],
            font_size=palette.LABEL,
            max_width=LANE_ROW_WIDTH,
            min_scale=0.85,
        )
        row.move_to([LANE_ROW_X, self.stage.top - 0.3 - row.height / 2, 0])
        said = parallel_sentences(t, list(row.shown))
        self.beat("parallel", " ".join(said.values()))
        self.heading("All in parallel")
        self.play(FadeOutInPlace(self.deeper))
        lanes = lanes_under(row)
        n_cols = len(row.shown)
        head_names = VGroup(
            *(
                literal(f"head {h + 1}", font_size=palette.SMALL, color=palette.DIM_TEXT).next_to(
                    lanes[h * n_cols], LEFT, buff=0.2
                )
                for h in range(LANE_ROWS)
            )
        )
        more = dots(DOWN, size=0.04, gap=0.12).next_to(lanes, DOWN, buff=0.15)
        brace = CountBrace(
            VGroup(head_names, lanes, more), d.n_heads, LEFT, "heads", font_size=palette.BODY
        )
        # the whole sentence's count beside a window of it: which tokens the row holds
        window = VGroup()
        if row.windowed:
            window.add(window_label(list(row.shown), t.n).next_to(row, LEFT, buff=0.3))
        self.play(
            row.create(), FadeIn(window), LaggedStart(*(FadeIn(c) for c in lanes), lag_ratio=0.01)
        )
        explain = literal(
            "each cell: one head on one token", font_size=palette.LABEL, color=palette.DIM_TEXT
        ).next_to(more, DOWN, buff=0.25)
        # the brace comes whole (every head exists at once), as its count is said
        self.until_said(f"{d.n_heads} heads for each")
        self.play(FadeIn(head_names), FadeIn(more), FadeIn(brace))
        self.heads_figure = brace.figure
        self.window = window
        self.lanes_size = (lanes.width, lanes.height)  # as first shown: they shrink later
        # every cell lights at once, as the words say they all run at the same time
        cells = VGroup(*(lane[0] for lane in lanes))
        self.until_said(said["together"])
        self.play(FadeIn(explain), run_time=0.5)
        for _ in range(3):
            self.play(
                cells.animate.set_fill(palette.QUERY, 0.8), rate_func=there_and_back, run_time=0.8
            )
        self.caption(
            "Within a layer, every head on every token can run at the same time; only the "
            "layers take turns.",
            wait=1,
        )
        # the note under the lanes stays last: the next beat takes it away
        self.lanes = VGroup(row, lanes, head_names, more, brace, window, explain)

    def all_at_once(self) -> None:
        t, d = self.trace, self.trace.dims
        counts = multiply_adds(t)
        said = multiply_add_sentences(t, counts)
        self.beat("all-at-once", " ".join(said.values()))
        self.heading("How many multiply-adds?")
        weights = ProductLine(
            [t.n, t.params["layer/attention"]],
            counts["weights"],
            font_size=palette.BODY,
            labels=("tokens", "weights of a layer"),
        )
        pattern = ProductLine(
            [2, d.n_heads, d.d_head, counts["pairs"]],
            counts["pattern"],
            font_size=palette.BODY,
            labels=("K·Q, w·V", "heads", "dₖ", "visible pairs"),
        )
        total = figure(counts["total"], font_size=palette.HEADLINE, color=palette.QUERY)
        caption = literal(
            "multiply-adds in one attention layer", font_size=palette.LABEL, color=palette.QUERY
        )
        # the note under the lanes leaves; the lanes make room below them for the sums,
        # shrinking towards their top
        shown = VGroup(*self.lanes[:-1])
        self.play(
            FadeOutInPlace(self.lanes[-1]),
            shown.animate.scale(LANES_SHRUNK, about_edge=UP),
            run_time=0.6,
        )
        sums = VGroup(weights, pattern).arrange(DOWN, aligned_edge=RIGHT, buff=0.3)
        more = self.lanes[3]  # the dots under the lanes: the sums go below them
        sums.next_to(more, DOWN, buff=0.3).set_x(0.6)
        total.next_to(sums, DOWN, buff=0.3).align_to(sums, RIGHT)
        caption.next_to(total, LEFT, buff=0.3)
        plus = literal("+", font_size=palette.HEADING, color=palette.DIM_TEXT).next_to(
            pattern.line, LEFT, 0.25
        )
        self.until_said(f"{t.n} × ")  # the product, said after the words about it
        self.play(weights.write(run_time=1.4))
        self.until_said(said["pattern"])
        self.play(FadeIn(plus), pattern.write(run_time=1.4))
        self.until_said(said["total"])
        self.play(FadeIn(total, shift=UP * 0.2), FadeIn(caption), run_time=0.8)
        cells = VGroup(*(lane[0] for lane in self.lanes[1]))
        banner = literal("all at once", font_size=palette.LARGE, color=palette.QUERY)
        banner.next_to(self.lanes[1], RIGHT, buff=0.4)
        self.until_said(said["gpu"])
        self.play(cells.animate.set_fill(palette.QUERY, 0.6), Write(banner), run_time=1.0)
        self.banner = banner
        self.figures: dict[str, DecimalNumber] = {
            "weights": weights.result,
            "pattern": pattern.result,
            "total": total,
        }
        self.caption(
            f"{grouped(counts['total'])} multiply-adds for {t.n} tokens in one layer; a GPU "
            "runs thousands of them at the same time."
        )
