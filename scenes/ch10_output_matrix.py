"""Chapter 10: the output matrix. Every head's value-up block, stapled side by side, is one
matrix W_O; applied to all heads' outputs stacked into one column it gives the sum of the
heads' changes: W_O · concat(o⁽¹⁾, …, o⁽ᴴ⁾) = Σ_h ΔE⁽ʰ⁾.

The blocks are ``trace.W_O``'s columns; the two columns compared on screen are computed
independently (``trace.W_O @ trace.head_outputs()[j]`` and the sum of the heads' ΔE) and
drawn from the same entries. Block by block, each head's ΔE⁽ʰ⁾ of the token (``head.delta_E``)
is drawn as its block meets its segment, rounded so that the drawn columns add up to that
sum as drawn (:func:`changes_drawn`).

    manim -pql scenes/ch10_output_matrix.py OutputMatrix
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    FadeIn,
    FadeOut,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
    interpolate_color,
)

from scenes.components import entries, palette
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.formula import colored
from scenes.components.labels import literal, with_notation
from scenes.components.parameter_counter import ProductLine, grouped
from scenes.focus import main_link, quoted
from scenes.lesson import Lesson

RESULT_ROWS = (0, 1, 2, -1)  # entries of the d_model-long results drawn
SEGMENT_ROWS = (0, -1)  # entries of each head's d_head-long output drawn
STACKED_HEIGHT = 5.2  # the stacked column of all heads' outputs, at most
STACKED_ROW = 0.26  # between a segment's first entry, its dots and its last
BLOCK_HEIGHT = 3.2
W_O_HEIGHT = 4.4  # the stapled matrix, drawn taller than one head's block
SUPER = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def stapled_product(trace, j: int) -> tuple[np.ndarray, np.ndarray]:
    """W_O · concat(outputs of token j) and Σ_h ΔE⁽ʰ⁾ of token j, computed separately."""
    concat = trace.head_outputs()[j]  # (H * d_head,)
    through_W_O = trace.W_O @ concat  # (d_model, H * d_head) @ (H * d_head,) -> (d_model,)
    summed = np.sum([h.delta_E[j] for h in trace.heads], axis=0)  # (d_model,)
    return through_W_O, summed


def changes_drawn(trace, j: int) -> list[np.ndarray]:
    """The entries ``RESULT_ROWS`` of each head's ΔE of token ``j`` and, last, of their sum,
    as the block-by-block sum draws them: the heads' rounded so that they add up, as
    drawn, to the sum rounded plainly (the column the equality beat draws)."""
    return entries.equation_entries([h.delta_E[j] for h in trace.heads], RESULT_ROWS, 2)


def block(color, width: float, height: float = BLOCK_HEIGHT) -> Rectangle:
    """A weight matrix too big to write out: a tinted block."""
    return Rectangle(width=width, height=height, stroke_width=2, color=color).set_fill(color, 0.3)


class OutputMatrix(Lesson):
    number = 10
    title = "The output matrix"

    def construct(self) -> None:
        t = self.trace
        self.focus = main_link(t, t.head("adjective-noun")).query
        self.title_card("Value-up blocks, stapled together")
        self.per_head()
        self.staple()
        self.block_by_block()
        self.equality()
        self.at_gpt3_size()

    # -- beats -----------------------------------------------------------------------
    def per_head(self) -> None:
        t, j = self.trace, self.focus
        H, dk, d = len(t.heads), t.dims.d_head, t.dims.d_model
        self.beat(
            "per-head",
            f"Each of the {H} heads ends with its own value-up: a {d:,} × {dk} matrix that "
            f"turns the head's {dk}-number output for {quoted(t, j)} into its ΔE.",
        )
        self.heading(f"{H} heads, {H} value-up maps")
        width = min(1.0, 9.0 / (2.2 * H))
        self.blocks = VGroup()
        self.outputs = VGroup()
        self.block_names = VGroup()
        groups = VGroup()
        for h, head in enumerate(t.heads):
            b = block(palette.VALUE_UP, width)
            name = colored(f"{{{{ W_(V arrow.t)^(({h + 1})) : v }}}}", font_size=palette.PROMINENT)
            name.next_to(b, UP, buff=0.15)
            out = EmbeddingColumn(
                head.output[j],
                SEGMENT_ROWS,
                font_size=palette.SMALL,
                bracket_color=palette.VALUE_DOWN,
            )
            out.next_to(b, RIGHT, buff=0.15)
            mark = literal(
                f"o{f'({h + 1})'.translate(SUPER)}",
                font_size=palette.BODY,
                color=palette.VALUE_DOWN,
            )
            mark.next_to(out, DOWN, buff=0.12)
            self.blocks.add(b)
            self.outputs.add(VGroup(out, mark))
            self.block_names.add(name)
            groups.add(VGroup(b, name, out, mark))
        groups.arrange(RIGHT, buff=0.45).move_to(self.stage.center + UP * 0.1)
        if groups.width > 13.0:
            groups.scale_to_fit_width(13.0)
        size = literal(
            f"each block: {d:,} rows × {dk} columns",
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
        )
        size.next_to(groups, DOWN, buff=0.5)
        self.play(FadeIn(self.blocks, lag_ratio=0.2), FadeIn(self.block_names, lag_ratio=0.2))
        self.play(FadeIn(self.outputs, lag_ratio=0.2), FadeIn(size))
        self.size_note = size
        self.caption(
            f"o⁽ʰ⁾: head h's weighted sum of value-down vectors for {quoted(t, j)}, {dk} numbers.",
            wait=2.5,
        )

    def staple(self) -> None:
        t = self.trace
        H, dk, d = len(t.heads), t.dims.d_head, t.dims.d_model
        self.beat(
            "staple",
            f"Put the {H} value-up blocks side by side and they form one {d:,} × {H * dk} "
            f"matrix, the output matrix W_O; stack the {H} outputs into one column of "
            f"{H * dk} numbers.",
        )
        self.heading("Stapled: the output matrix W_O")
        # W_O is d rows by H·d_head columns, far taller than wide (12,288 × 640): drawn
        # taller than wide too, though not to scale (it would be a hairline)
        width = min(self.blocks[0].width, 0.6 * W_O_HEIGHT / H)
        W_O = VGroup(*(block(palette.OUTPUT, width, W_O_HEIGHT) for _ in t.heads))
        W_O.arrange(RIGHT, buff=0)
        # at the left: the heads' changes are written right of it, block by block
        W_O.move_to(self.stage.center + LEFT * 5.0 + DOWN * 0.2)
        seams = VGroup(
            *(
                literal(f"{h + 1}", font_size=palette.NOTE, color=palette.DIM_TEXT).next_to(
                    b, DOWN, buff=0.1
                )
                for h, b in enumerate(W_O)
            )
        )
        name = colored("{{ W_O : o }}", font_size=palette.DISPLAY).next_to(W_O, UP, buff=0.2)
        shape = literal(f"{d:,} × {H * dk}", font_size=palette.SMALL, color=palette.DIM_TEXT)
        shape.next_to(seams, DOWN, buff=0.15)
        segments = VGroup(
            *(
                EmbeddingColumn(
                    head.output[self.focus],
                    SEGMENT_ROWS,  # first and last entries, the rest as dots: 128 numbers
                    font_size=palette.LABEL,
                    bracket_color=palette.VALUE_DOWN,
                    row_height=STACKED_ROW,
                )
                for head in t.heads
            )
        ).arrange(DOWN, buff=0.14)  # stacked, each bracket apart
        if segments.height > STACKED_HEIGHT:
            segments.scale_to_fit_height(STACKED_HEIGHT)
        segments.next_to(W_O, RIGHT, buff=0.5).match_y(W_O)
        concat = self._shapes_note(W_O, segments)
        self.play(
            *(ReplacementTransform(b, w) for b, w in zip(self.blocks, W_O, strict=True)),
            *(ReplacementTransform(o[0], s) for o, s in zip(self.outputs, segments, strict=True)),
            *(ReplacementTransform(n, m) for n, m in zip(self.block_names, seams, strict=True)),
            *(o[1].animate.set_opacity(0) for o in self.outputs),
            self.size_note.animate.set_opacity(0),
            run_time=2.5,
        )
        self.play(Write(name), FadeIn(shape))
        self.play(FadeIn(concat, lag_ratio=0.4), run_time=1.5)
        self.W_O, self.segments, self.concat_note = W_O, segments, concat
        self.caption(
            f"Block h of W_O is head h's value-up; W_O has {d:,} rows and {H * dk} columns.",
            wait=2.5,
        )

    def _shapes_note(self, W_O: VGroup, segments: VGroup) -> VGroup:
        """The shapes, in words, right of the stacked outputs: what multiplies what, and
        what comes out."""
        t = self.trace
        H, dk, d = len(t.heads), t.dims.d_head, t.dims.d_model
        concat = VGroup(
            with_notation(
                f"W_O: {d:,} rows × {H * dk} columns", font_size=palette.LABEL, color=palette.OUTPUT
            ),
            literal(  # the segments' red, lightened: dark red is hard to read on black
                f"stacked outputs: {H} × {dk} = {H * dk} numbers",
                font_size=palette.LABEL,
                color=interpolate_color(palette.VALUE_DOWN, palette.TEXT, 0.4),
            ),
            literal(f"their product: {d:,} numbers,", font_size=palette.LABEL, color=palette.DELTA),
            literal(
                f"the heads' summed change to {quoted(t, self.focus)}",
                font_size=palette.LABEL,
                color=palette.DELTA,
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        # from the segments to the frame's edge: as wide as it can be drawn unscaled
        left, right = segments.get_right()[0] + 0.5, self.side_notes.point(RIGHT)[0]
        if concat.width > right - left:
            concat.scale_to_fit_width(right - left)
        concat.move_to(self.side_notes.center).set_y(W_O.get_y())
        concat.shift(RIGHT * max(0.0, left - concat.get_left()[0]))
        concat.shift(LEFT * max(0.0, concat.get_right()[0] - right))
        return concat

    def block_by_block(self) -> None:
        t = self.trace
        H = len(t.heads)
        narration = (
            "Multiplying the stapled matrix by the stacked column works block by block: "
            "block h only ever meets segment h, so each head's value-up meets its own "
            "output and gives that head's ΔE. The product adds them up."
        )
        self.beat("block-by-block", narration)
        start = self.time
        self.heading("Block h meets segment h")
        self.play(self.concat_note.animate.set_opacity(0), run_time=0.4)
        row, parts = self._changes_row()
        note = literal(
            f"entries 1, 2, 3 and the last of {t.dims.d_model:,}",
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
        ).next_to(row, DOWN, buff=0.35)
        anchor = [row.get_x(), self.stage.top - 0.7, 0]  # where each block's product is written
        shown = None
        for h in range(H):
            marks, step = self._step(h, anchor)
            if shown is None:
                anims = [Create(marks), FadeIn(step), FadeIn(note)]
            else:  # both frames slide together: block h and segment h are always a pair
                anims = [
                    ReplacementTransform(shown[0], marks),
                    ReplacementTransform(shown[1], step),
                    FadeIn(row[2 * h - 1]),  # the "+" before this head's change
                ]
            self.play(*anims, parts[h].create(), run_time=0.9)
            self.wait(0.4)
            shown = (marks, step)
        # said before the sum comes: the beat then lasts no longer than its words, and the
        # sum comes with "The product adds them up"
        self.caption(f"{H} blocks, {H} segments: {H} products, added in one go.")
        total = colored(
            '{{ W_O : o }} dot op("concat")(o) = sum_h {{ Delta E^((h)) : delta }}',
            font_size=palette.PROMINENT,
        ).move_to(anchor)
        self.until_said("adds")
        self.sum_shown = (start, self.time)  # the beat's start, the sum's arrival
        self.play(
            FadeOut(shown[0]),
            FadeOut(shown[1]),
            FadeIn(row[-2]),
            parts[-1].create(),
            FadeIn(total),
            run_time=1.0,
        )
        self.wait(2.0)  # the sum, the beat's point, stays to be read
        self.changes, self.steps_left = parts, [m for m in shown if m in self.mobjects]
        self.clear_content()

    def _step(self, h: int, anchor) -> tuple[VGroup, VGroup]:
        """Frames round block ``h`` of W_O and segment ``h`` of the stacked outputs, and
        what they make, W_V↑⁽ʰ⁾ o⁽ʰ⁾ = ΔE⁽ʰ⁾, written at ``anchor``."""
        marks = VGroup(
            SurroundingRectangle(self.W_O[h], color=palette.DELTA, buff=0.03),
            SurroundingRectangle(self.segments[h], color=palette.DELTA, buff=0.03),
        )
        step = colored(
            f"{{{{ W_(V arrow.t)^(({h + 1})) : v }}}} o^(({h + 1})) = "
            f"{{{{ Delta E^(({h + 1})) : delta }}}}",
            font_size=palette.DISPLAY,
        ).move_to(anchor)
        return marks, step

    def _changes_row(self) -> tuple[VGroup, list[EmbeddingColumn]]:
        """ΔE⁽¹⁾ + … + ΔE⁽ᴴ⁾ = Σ_h ΔE⁽ʰ⁾ of the token, as a row of columns (and signs) right
        of the stacked outputs, and its columns (:func:`changes_drawn`)."""
        t, j = self.trace, self.focus
        drawn = changes_drawn(t, j)
        scale = entries.color_scale(t.delta_E[j])  # one scale: a head's tiny ΔE stays dim
        labels = [f"ΔE{f'({h + 1})'.translate(SUPER)}" for h in range(len(t.heads))]
        vectors = [*(head.delta_E[j] for head in t.heads), t.delta_E[j]]
        parts = [
            EmbeddingColumn(
                vector,
                RESULT_ROWS,
                decimals=2,
                font_size=palette.SMALL,
                scale=scale,
                bracket_color=palette.DELTA,
                label=label,
                drawn=values,
            )
            for vector, label, values in zip(vectors, [*labels, "Σ ΔE⁽ʰ⁾"], drawn, strict=True)
        ]
        row = VGroup()
        for k, column in enumerate(parts):
            row.add(column)
            if k < len(parts) - 1:
                sign = "=" if k == len(parts) - 2 else "+"
                row.add(literal(sign, font_size=palette.HEADING, color=palette.DIM_TEXT))
        row.arrange(RIGHT, buff=0.14)
        for sign in row[1::2]:
            sign.set_y(parts[0].get_brackets().get_y())
        left, right = self.segments.get_right()[0] + 0.4, self.stage.right - 0.5
        if row.width > right - left:
            row.scale_to_fit_width(right - left)
        row.move_to([(left + right) / 2, self.W_O.get_y() - 0.4, 0])
        return row, parts

    def equality(self) -> None:
        t, j = self.trace, self.focus
        through_W_O, summed = stapled_product(t, j)
        gap = float(np.abs(through_W_O - summed).max())
        self.gap = gap
        self.beat(
            "equality",
            f"One product with W_O gives exactly the sum of the heads' changes to "
            f"{quoted(t, j)}: the largest difference between the two {t.dims.d_model:,}-"
            f"number columns is {entries.scientific(gap)}, rounding error.",
        )
        self.heading("One matrix, the same result")
        left = EmbeddingColumn(
            through_W_O,
            RESULT_ROWS,
            decimals=2,
            font_size=palette.HEADING,
            bracket_color=palette.DELTA,
        )
        right = EmbeddingColumn(
            summed, RESULT_ROWS, decimals=2, font_size=palette.HEADING, bracket_color=palette.DELTA
        )
        left_name = colored(
            '{{ W_O : o }} dot op("concat")(o^((1)), ..., o^((H)))', font_size=palette.HEADLINE
        )
        right_name = colored("sum_h {{ Delta E^((h)) : delta }}", font_size=palette.HEADLINE)
        equals = literal("=", font_size=palette.DISPLAY)
        VGroup(left, equals, right).arrange(RIGHT, buff=1.0).move_to(self.stage.center + UP * 0.1)
        left_name.next_to(left, DOWN, buff=0.35)
        right_name.next_to(right, DOWN, buff=0.35)
        diff = literal(
            f"largest difference over all {t.dims.d_model:,} entries: {entries.scientific(gap)}",
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
        ).next_to(VGroup(left_name, right_name), DOWN, buff=0.4)
        self.play(left.create(), FadeIn(left_name))
        self.play(FadeIn(equals), right.create(), FadeIn(right_name))
        self.play(FadeIn(diff))
        self.columns = (left, right)
        self.caption(
            f"Two separate computations for {quoted(t, j)}, drawn from their own entries.",
            wait=3,
        )
        self.clear_content()

    def at_gpt3_size(self) -> None:
        t = self.trace
        d, p = t.dims, t.params
        total = d.n_heads * p["head/W_V_up"]
        self.beat(
            "gpt3",
            f"In GPT-3 the {d.n_heads} value-up blocks make W_O a {d.d_model:,} × "
            f"{d.n_heads * d.d_head:,} matrix: {d.n_heads} × {grouped(p['head/W_V_up'])} = "
            f"{grouped(total)} parameters, already counted head by head in chapter 7.",
        )
        self.heading("W_O in GPT-3")
        shape = ProductLine(
            [d.d_model, d.n_heads * d.d_head],
            total,
            font_size=palette.PROMINENT,
            result_color=palette.OUTPUT,
            labels=("rows", f"columns = {d.n_heads} × {d.d_head}"),
        )
        heads = ProductLine(
            [d.n_heads, p["head/W_V_up"]],
            total,
            font_size=palette.PROMINENT,
            result_color=palette.OUTPUT,
            labels=("heads", "value-up of one head"),
        )
        name = colored("{{ W_O : o }}", font_size=palette.TITLE)
        VGroup(name, shape, heads).arrange(DOWN, buff=0.7).move_to(self.stage.center + UP * 0.2)
        self.play(Write(name))
        self.play(shape.write())
        self.play(heads.write())
        self.figures = {"shape": shape.result, "heads": heads.result}
        self.caption(
            "Same numbers, two bookkeepings: one W_O, or a value-up in every head.", wait=3
        )
