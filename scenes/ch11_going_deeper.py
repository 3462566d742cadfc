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
ROW_CENTER = STAGE.center + LEFT * 3.3 + DOWN * 1.1  # the token row, while one layer is shown
ROW_BOTTOM = STAGE.bottom + 0.25  # the row's centre once the whole stack is shown
LANE_ROWS = 4  # head lanes drawn in the parallelism picture
LANE_CELL = 0.62  # height of one head's cell on one token
LANE_PITCH = 0.74  # between two heads' lanes
LANES_SHRUNK = 0.78  # the lanes' size once the counts are written under them


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


def lanes_under(row: TokenRow) -> VGroup:
    """``LANE_ROWS`` rows of small cells ("×+"), one per shown token of ``row``, over
    it: each cell one head's work on one token (a gap between neighbouring lanes)."""
    xs = [row.get_token(i).get_x() for i in row.shown]
    cell_width = min(0.5, 0.7 * min(np.diff(xs), default=0.5))  # a gap between lanes
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
        lane.set_y(2.05 - (index // n_cols) * LANE_PITCH)
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
        self.beat(
            "first-attention",
            "Each token's embedding is a long column of numbers; here are its first "
            f"{CELLS} entries as coloured cells. The attention layer turns every E into "
            "E′ = E + ΔE; these two rows are the computed values.",
        )
        self.row = TokenRow(
            t.words,
            [tok.role for tok in t.tokens],
            font_size=palette.LABEL,
            max_width=6.0,
            focus=self.focus,
        ).move_to(ROW_CENTER)
        shown = list(self.row.shown)
        xs = [self.row.get_token(i).get_x() for i in shown]
        pitch = min((b - a for a, b in zip(xs, xs[1:])), default=1.0)  # between strips
        E, E_prime = t.E[shown, :CELLS], t.E_prime[shown, :CELLS]
        levels = [E, E_prime, *([None] * (len(BLOCKS) - 1))]
        self.stack = BlockStack(
            xs,
            levels,
            BLOCKS,
            scale=color_scale(t.E),
            strip_width=min(0.4, 0.7 * pitch),  # a gap between strips over narrow tokens
            strip_height=0.42,
            block_height=0.42,
            gap=0.12,
        )
        # straight up from the tokens, so each strip stays over its token
        self.stack.shift(UP * (self.row.get_top()[1] + 0.2 - self.stack.get_bottom()[1]))
        self.shown = shown
        self.level_names = VGroup(
            literal("E", font_size=palette.HEADING, color=palette.EMBEDDING),
            literal("E′", font_size=palette.HEADING, color=palette.UPDATED),
        )
        for name, level in zip(self.level_names, self.stack.levels):
            name.next_to(level, LEFT, buff=0.3)
        self.legend = strip_legend(t.dims.d_model)
        self.side_notes.place(self.legend, UP + RIGHT, buff=0.3)
        self.heading("One attention layer")
        self.play(self.row.create())
        self.play(
            LaggedStart(*(FadeIn(s, shift=UP * 0.2) for s in self.stack.get_level(0))),
            FadeIn(self.level_names[0]),
            FadeIn(self.legend),
        )
        self.wait(1)
        self.play(self.stack.pass_through(0, run_time=2.5))
        self.play(FadeIn(self.level_names[1]))
        self.caption(
            f"E: the embeddings going in. E′ = E + ΔE: the layer's output, the changes of "
            f"all {len(t.heads)} heads of this lesson added. Both rows computed"
            + window_note(self.shown, t.n),
            wait=1.5,
        )

    def what_changed(self) -> None:
        t, j = self.trace, self.focus
        word = t.words[j]
        size = float(np.linalg.norm(t.delta_E[j]))
        # E + ΔE = E′ as drawn: the terms rounded so that each row adds up
        drawn = equation_entries([t.E[j], t.delta_E[j]], COLUMN_INDICES, 1)
        first = list(COLUMN_INDICES).index(0)
        self.beat(
            "what-changed",
            f"Take “{word}”, whose embedding changed most: the first layer added a ΔE of "
            f"length {size:.0f}. Its first entry went from {fixed(drawn[0][first], 1)} to "
            f"{fixed(drawn[2][first], 1)}.",
        )
        self.heading(f"{quoted(t, j)} after the first layer")
        k = self.shown.index(j)
        marks = self.stack.highlight_token(k, (0, 1), palette.DELTA)
        columns = update_columns(t, j, drawn)
        signs = [literal(s, font_size=palette.HEADLINE, color=palette.DIM_TEXT) for s in ("+", "=")]
        panel = VGroup(columns[0], signs[0], columns[1], signs[1], columns[2])
        panel.arrange(RIGHT, buff=0.3).move_to(self.side_notes.center + DOWN * 0.2)
        for sign in signs:
            sign.set_y(columns[0].get_brackets().get_y())
        self.play(Create(marks))
        self.play(columns[0].create())
        self.play(FadeIn(signs[0]), columns[1].create())
        self.play(FadeIn(signs[1]), columns[2].create())
        self.caption(
            f"Entry by entry, E + ΔE = E′ for {quoted(t, j)} (the first {CELLS} entries and "
            f"the last of {grouped(t.dims.d_model)}); |ΔE| = {size:.0f}.",
            wait=2,
        )
        self.panel = VGroup(panel, marks)
        self.columns = columns

    def mlp_block(self) -> None:
        self.beat(
            "mlp",
            "Next comes a multilayer perceptron, the MLP block, then attention again. "
            "This project computes only the first attention layer, so from here on the "
            "picture is schematic: the outlined cells stand for numbers not computed.",
        )
        self.heading("Then an MLP block, then attention again")
        self.play(FadeOutInPlace(self.panel))
        down = DOWN * (self.row.get_y() - ROW_BOTTOM)  # make room for the levels above
        stack = self.stack
        shown = VGroup(self.row, self.level_names, *stack.levels[:2], stack.get_block(0))
        VGroup(*stack.levels[2:], *stack.blocks[1:]).shift(down)  # not on screen yet
        self.play(shown.animate.shift(down), run_time=1.0)
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
        self.play(FadeIn(more))
        self.play(brace.count_up(run_time=2))
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
        self.beat(
            "parallel",
            "Within one layer nothing waits in line: every token and every head is "
            f"computed independently, {d.n_heads} heads for each of the {t.n} tokens, each "
            "a stream of multiply-adds that can run at the same time. Only the layers "
            "take turns, each one reading what the one below it wrote.",
        )
        self.heading("All in parallel")
        self.play(FadeOutInPlace(self.deeper))
        row = TokenRow(
            t.words, [tok.role for tok in t.tokens], font_size=palette.SMALL, max_width=7.0
        ).move_to(self.stage.point(UP) + RIGHT * 0.3 + DOWN * 0.4)
        lanes = lanes_under(row)
        n_cols = len(row.shown)
        head_names = VGroup(
            *(
                literal(f"head {h + 1}", font_size=palette.NOTE, color=palette.DIM_TEXT).next_to(
                    lanes[h * n_cols], LEFT, buff=0.2
                )
                for h in range(LANE_ROWS)
            )
        )
        more = dots(DOWN, size=0.04, gap=0.12).next_to(lanes, DOWN, buff=0.15)
        brace = CountBrace(
            VGroup(head_names, lanes, more), d.n_heads, LEFT, "heads", font_size=palette.BODY
        )
        self.play(row.create(), LaggedStart(*(FadeIn(c) for c in lanes), lag_ratio=0.01))
        explain = literal(
            "each cell: one head on one token", font_size=palette.LABEL, color=palette.DIM_TEXT
        ).next_to(more, DOWN, buff=0.25)
        self.play(FadeIn(head_names), FadeIn(more), brace.count_up())
        self.play(FadeIn(explain))
        self.heads_figure = brace.figure
        cells = VGroup(*(lane[0] for lane in lanes))
        for lane in lanes[:n_cols]:  # one lane at a time: slow
            self.play(lane[0].animate.set_fill(palette.QUERY, 0.8), run_time=0.25)
            self.play(lane[0].animate.set_fill(palette.NEUTRAL, 0.3), run_time=0.15)
        for _ in range(3):  # all lanes at once
            self.play(
                cells.animate.set_fill(palette.QUERY, 0.8), rate_func=there_and_back, run_time=0.8
            )
        self.caption(
            "Within a layer, every head on every token can run at the same time; only the "
            "layers take turns.",
            wait=1,
        )
        self.lanes = VGroup(row, lanes, head_names, more, brace, explain)

    def all_at_once(self) -> None:
        t, d = self.trace, self.trace.dims
        counts = multiply_adds(t)
        self.beat(
            "all-at-once",
            f"For this sentence one GPT-3 attention layer does {grouped(counts['total'])} "
            f"multiply-adds: each of its {grouped(t.params['layer/attention'])} weights once "
            "per token, plus the scores and weighted sums. A GPU does thousands of them at "
            "the same time, which is what makes attention fast to run.",
        )
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
        self.play(FadeOutInPlace(self.lanes[-1]), run_time=0.5)  # the note under the lanes
        # the lanes make room below them for the sums, shrinking towards their top
        shown = VGroup(*self.lanes[:-1])  # the note is gone
        self.play(shown.animate.scale(LANES_SHRUNK, about_edge=UP), run_time=0.6)
        sums = VGroup(weights, pattern).arrange(DOWN, aligned_edge=RIGHT, buff=0.3)
        more = self.lanes[3]  # the dots under the lanes: the sums go below them
        sums.next_to(more, DOWN, buff=0.3).set_x(0.6)
        total.next_to(sums, DOWN, buff=0.3).align_to(sums, RIGHT)
        caption.next_to(total, LEFT, buff=0.3)
        plus = literal("+", font_size=palette.HEADING, color=palette.DIM_TEXT).next_to(
            pattern.line, LEFT, 0.25
        )
        self.play(weights.write())
        self.play(FadeIn(plus), pattern.write())
        self.play(FadeIn(total, shift=UP * 0.2), FadeIn(caption))
        cells = VGroup(*(lane[0] for lane in self.lanes[1]))
        banner = literal("all at once", font_size=palette.LARGE, color=palette.QUERY)
        banner.next_to(self.lanes[1], RIGHT, buff=0.5)
        self.play(cells.animate.set_fill(palette.QUERY, 0.6), Write(banner), run_time=1.2)
        self.figures: dict[str, DecimalNumber] = {
            "weights": weights.result,
            "pattern": pattern.result,
            "total": total,
        }
        self.caption(
            f"{grouped(counts['total'])} multiply-adds for {t.n} tokens in one layer; a GPU "
            "runs thousands of them at the same time.",
            wait=2,
        )
