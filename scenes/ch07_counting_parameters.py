"""Chapter 7: how many numbers attention learns, every figure from the core's counts.

W_Q and W_K (d_head rows x d_model columns each), the square value map a model could
have used, crossed out and factored into value-down and value-up (a low-rank map),
then one head, one layer of heads, every layer, and attention's share of the whole
model. Figures come from ``trace.params`` and ``trace.dims`` only, and every equation
on screen is checked when it is built (:class:`ProductLine`). The matrices show real
entries of the lesson's head.

    manim -pql scenes/ch07_counting_parameters.py CountingParameters
"""

from __future__ import annotations

import math

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    Cross,
    FadeIn,
    LaggedStart,
    MathTypst,
    Polygon,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
)

from scenes.components import palette
from scenes.components.fade_in_place import FadeOutInPlace
from scenes.components.formula import typst
from scenes.components.labels import Number, literal
from scenes.components.parameter_counter import (
    Bottleneck,
    CountBrace,
    ProductLine,
    Tally,
    approx_billions,
    figure,
    grouped,
    rough_fraction,
)
from scenes.components.weight_matrix import WeightMatrix, display_exponent
from scenes.lesson import CONTENT_BOTTOM, STAGE, Lesson, Region

MATRIX_CENTER = STAGE.center + LEFT * 2.0 + UP * 0.15  # the matrix on show, left of the tally
TALLY = Region(left=3.3, right=6.7, top=2.3, bottom=CONTENT_BOTTOM)  # the running count
MATRIX_FONT = palette.LABEL  # entries of the matrix on show
SAMPLE = (0, 1, 2, 3, 4, -1)  # rows/columns of the square value map that are computed
SHOWN = (0, 1, 2, 3, 5)  # of those, the ones drawn (4 sits behind the dots)


def square_value_sample(up: np.ndarray, down: np.ndarray) -> tuple[np.ndarray, int]:
    """Entries of the full value map W_V = value-up · value-down at rows and columns
    ``SAMPLE`` (6 x 6), and the power of ten that displays the whole map.

    The full map (d_model x d_model) is never formed: its root mean square comes from
    ||up · down||_F² = trace((upᵀup)(down downᵀ)), two d_head x d_head products.
    """
    idx = list(SAMPLE)
    sample = up[idx] @ down[:, idx]  # (6, d_head) @ (d_head, 6) -> (6, 6)
    gram = (up.T @ up) @ (down @ down.T)  # (d_head, d_head)
    rms = math.sqrt(float(np.trace(gram))) / up.shape[0]
    return sample, display_exponent(np.array([rms]))


def symbol(name: str, color) -> MathTypst:
    """A matrix name for the tally (Typst math; fixed symbols, never user text)."""
    return typst(name, palette.HEADLINE, color)


class CountingParameters(Lesson):
    number = 7
    title = "Counting parameters"

    def construct(self) -> None:
        self.figures: list[tuple[str, Number]] = []  # (params or dims key, figure drawn)
        self.shapes: dict[str, tuple] = {}  # params key: (row brace, column brace, product)
        self.title_card("How many numbers does attention learn?")
        self.query_and_key_matrices()
        self.full_value_matrix()
        self.low_rank_values()
        self.one_head()
        self.one_layer()
        self.all_layers()
        self.share_of_the_model()

    # -- helpers ---------------------------------------------------------------------
    def _register(self, key: str, fig: Number) -> None:
        self.figures.append((key, fig))

    def _count(self, matrix: WeightMatrix, rows: int, cols: int, key: str, color) -> VGroup:
        """Count the matrix's rows and columns with braces, then write rows x columns (the
        order every shape in the lesson is written in)."""
        span = VGroup(matrix.get_brackets(), *filter(None, [matrix.get_factor()]))
        col_brace = CountBrace(span, cols, DOWN, "columns", font_size=palette.LABEL)
        row_brace = CountBrace(matrix.get_brackets(), rows, LEFT, "rows", font_size=palette.LABEL)
        product = ProductLine(
            [rows, cols], self.trace.params[key], font_size=palette.HEADING, result_color=color
        )
        product.next_to(col_brace, DOWN, buff=0.25)
        self.play(row_brace.count_up(), run_time=1.4)
        self.play(col_brace.count_up(), run_time=1.6)
        self.play(product.write())
        self._register(key, product.result)
        self.shapes[key] = (row_brace, col_brace, product)
        return VGroup(col_brace, row_brace, product)

    def _show_matrix(self, matrix: WeightMatrix) -> None:
        matrix.move_to(MATRIX_CENTER)
        self.play(matrix.create(), run_time=1.5)

    def _tallied(
        self, matrix: WeightMatrix, rows: int, cols: int, key: str, name: str, color
    ) -> VGroup:
        """Show one of the head's matrices, count it, and add it to the tally."""
        self._show_matrix(matrix)
        counts = self._count(matrix, rows, cols, key, color)
        self.play(self.tally.add_row(symbol(name, color), self.trace.params[key]))
        return VGroup(matrix, counts)

    # -- beats -----------------------------------------------------------------------
    def query_and_key_matrices(self) -> None:
        d, p = self.trace.dims, self.trace.params
        self.beat(
            "query-key",
            f"The query matrix W_Q has one row per query dimension, {d.d_head}, and one "
            f"column per embedding dimension, {grouped(d.d_model)}: "
            f"{grouped(p['head/W_Q'])} numbers. The key matrix W_K has the same shape. The "
            "tally on the right adds up the parameters of one head, matrix by matrix.",
        )
        self.heading("The query and key matrices")
        weights = self.trace.heads[0].weights
        header = literal("parameters per head", font_size=palette.HEADING, color=palette.DIM_TEXT)
        header.move_to(TALLY.point(UP) + UP * 0.35)
        self.tally = Tally(TALLY.point(UP + LEFT), width=TALLY.width, font_size=palette.HEADING)
        self.play(FadeIn(header))
        self.tally_header = header

        W_Q = WeightMatrix(weights.W_Q, kind="query", label="W_Q", font_size=MATRIX_FONT)
        shown = self._tallied(W_Q, d.d_head, d.d_model, "head/W_Q", "W_Q", palette.QUERY)
        self.wait(1)

        W_K = WeightMatrix(weights.W_K, kind="key", label="W_K", font_size=MATRIX_FONT)
        self.play(FadeOutInPlace(shown), run_time=0.8)
        shown = self._tallied(W_K, d.d_head, d.d_model, "head/W_K", "W_K", palette.KEY)
        self.caption(
            f"W_Q and W_K: {d.d_head} rows × {grouped(d.d_model)} columns = "
            f"{grouped(p['head/W_Q'])} numbers each.",
            wait=2,
        )
        self.fade_out(shown)

    def full_value_matrix(self) -> None:
        d, p = self.trace.dims, self.trace.params
        full = p["head/full_W_V"]
        self.beat(
            "full-value",
            f"A value map from embeddings to embeddings could be one square matrix: "
            f"{grouped(d.d_model)} × {grouped(d.d_model)} = {grouped(full)} numbers, "
            f"{full // p['head/W_Q']} times the query matrix. Models do not spend that much.",
        )
        self.heading("A full value matrix?")
        weights = self.trace.heads[0].weights
        sample, exponent = square_value_sample(weights.W_V_up, weights.W_V_down)
        W_V = WeightMatrix(
            sample,
            rows=SHOWN,
            cols=SHOWN,
            kind="value",
            label="W_V",
            exponent=exponent,
            font_size=MATRIX_FONT,
        )
        self._show_matrix(W_V)
        self.full_value = W_V
        counts = self._count(W_V, d.d_model, d.d_model, "head/full_W_V", palette.VALUE)
        self.wait(1)
        # the matrix is crossed out, not its count: 150,994,944 is what it would cost
        cross = Cross(W_V, stroke_color=palette.MASK, stroke_width=8)
        self.play(Create(cross), run_time=1.0)
        self.caption(
            f"Entries shown: value-up · value-down of this head. {grouped(full)} would be "
            "too many.",
            wait=2,
        )
        self.fade_out(VGroup(W_V, counts, cross))

    def low_rank_values(self) -> None:
        d, p = self.trace.dims, self.trace.params
        self.beat(
            "low-rank",
            f"Instead the value map is factored. Value-down squeezes a "
            f"{grouped(d.d_model)}-dimensional embedding into {d.d_head} dimensions and "
            f"value-up expands it back: a low-rank map, {grouped(p['head/W_V_down'])} "
            f"numbers each, the same as W_Q. Value-down has {d.d_head} rows of "
            f"{grouped(d.d_model)} numbers, value-up {grouped(d.d_model)} rows of {d.d_head}: "
            f"together {grouped(2 * p['head/W_V_down'])}, instead of "
            f"{grouped(p['head/full_W_V'])} for one full matrix.",
        )
        self.heading("Value-down and value-up: a low-rank map")
        picture = Bottleneck(d.d_model, d.d_head, tall=3.2).move_to(MATRIX_CENTER + DOWN * 0.45)
        title = literal("a low-rank map", font_size=palette.HEADLINE).next_to(picture, UP, buff=0.3)
        self.play(LaggedStart(FadeIn(picture.bars[0]), FadeIn(picture.sizes[0]), lag_ratio=0.3))
        for i in (0, 1):
            self.play(
                FadeIn(picture.funnels[i]),
                FadeIn(picture.names[i]),
                FadeIn(picture.bars[i + 1]),
                FadeIn(picture.sizes[i + 1]),
                run_time=1.2,
            )
        self.play(Write(title))
        self.wait(1.5)
        self.play(FadeOutInPlace(VGroup(picture, title)))

        weights = self.trace.heads[0].weights
        down = WeightMatrix(
            weights.W_V_down,
            kind="value_down",
            label="W_V^(arrow.b)",
            font_size=MATRIX_FONT,
        )
        shown = self._tallied(
            down, d.d_head, d.d_model, "head/W_V_down", "W_V^(arrow.b)", palette.VALUE_DOWN
        )
        self.play(FadeOutInPlace(shown))
        up = WeightMatrix(
            weights.W_V_up,
            rows=(0, 1, 2, 3, -1),
            cols=(0, 1, 2, -1),
            kind="value_up",
            label="W_V^(arrow.t)",
            font_size=MATRIX_FONT,
        )
        shown = self._tallied(
            up, d.d_model, d.d_head, "head/W_V_up", "W_V^(arrow.t)", palette.VALUE_UP
        )
        self.caption(
            f"{grouped(d.d_model)} → {d.d_head} → {grouped(d.d_model)}: two matrices of "
            f"{grouped(p['head/W_V_down'])} instead of one of {grouped(p['head/full_W_V'])}.",
            wait=2,
        )
        self.fade_out(shown)

    def one_head(self) -> None:
        p = self.trace.params
        self.beat(
            "one-head",
            f"Four matrices make one attention head: {grouped(p['head/total'])} parameters.",
        )
        self.heading("One head")
        self.play(self.tally.add_total("total", p["head/total"], palette.QUERY))
        self._register("head/total", self.tally.total_figure)
        self.head_icon = head_icon(scale=2.4).move_to(MATRIX_CENTER)
        caption = literal("one head", font_size=palette.LARGE).next_to(
            self.head_icon, DOWN, buff=0.3
        )
        self.play(FadeIn(self.head_icon, scale=0.8), FadeIn(caption))
        self.caption(f"4 × {grouped(p['head/W_Q'])} = {grouped(p['head/total'])}.", wait=2)
        self.fade_out(caption)

    def one_layer(self) -> None:
        d, p = self.trace.dims, self.trace.params
        self.beat(
            "one-layer",
            f"A layer of GPT-3 runs {d.n_heads} heads side by side: "
            f"{d.n_heads} × {grouped(p['head/total'])} = {grouped(p['layer/attention'])}.",
        )
        self.heading(f"One layer: {d.n_heads} heads")
        columns = math.ceil(math.sqrt(d.n_heads * 1.5))
        grid = VGroup(*(head_icon(scale=0.28) for _ in range(d.n_heads)))
        grid.arrange_in_grid(cols=columns, buff=0.1).move_to(MATRIX_CENTER + DOWN * 0.15)
        self.play(ReplacementTransform(self.head_icon, grid[0]), run_time=0.8)
        self.play(LaggedStart(*(FadeIn(icon) for icon in grid[1:]), lag_ratio=0.02), run_time=2)
        # a frame round the whole grid: the count is of every head in it, not of one row
        brace = CountBrace(grid, d.n_heads, UP, "heads", font_size=palette.BODY, around=True)
        self._register("dims/n_heads", brace.figure)
        product = ProductLine(
            [d.n_heads, p["head/total"]],
            p["layer/attention"],
            font_size=palette.HEADING,
            result_color=palette.QUERY,
        ).next_to(grid, DOWN, buff=0.45)
        self.play(brace.count_up())
        self.play(product.write())
        self._register("layer/attention", product.result)
        self.caption(
            f"Each of the {d.n_heads} heads has its own four matrices, all of the same size.",
            wait=2.0,
        )
        self.layer = VGroup(grid, brace, product)

    def all_layers(self) -> None:
        d, p = self.trace.dims, self.trace.params
        total = p["model/attention"]
        self.beat(
            "all-layers",
            f"And there are {d.n_layers} layers: {d.n_layers} × "
            f"{grouped(p['layer/attention'])} = {grouped(total)}, "
            f"about {approx_billions(total).replace(' B', ' billion')} parameters for attention.",
        )
        self.heading(f"{d.n_layers} layers")
        self.play(FadeOutInPlace(VGroup(self.tally, self.tally_header, self.layer[1:])))
        stack = layer_stack(d.n_layers).move_to(self.stage.center + UP * 0.65)
        self.play(ReplacementTransform(self.layer[0], stack[-1]), run_time=1.0)
        self.play(LaggedStart(*(FadeIn(s) for s in stack[:-1]), lag_ratio=0.01), run_time=1.5)
        brace = CountBrace(stack, d.n_layers, RIGHT, "layers", font_size=palette.BODY)
        self._register("dims/n_layers", brace.figure)
        product = ProductLine(
            [d.n_layers, p["layer/attention"]],
            total,
            font_size=palette.LARGE,
            result_color=palette.QUERY,
        ).next_to(stack, DOWN, buff=0.45)
        rounded = literal(
            f"≈ {approx_billions(total)}", font_size=palette.HEADLINE, color=palette.QUERY
        )
        rounded.next_to(product, RIGHT, buff=0.5)
        VGroup(product, rounded).set_x(0)
        self.play(brace.count_up())
        self.play(product.write(run_time=2.5))
        self._register("model/attention", product.result)
        self.play(FadeIn(rounded, shift=UP * 0.2))
        self.caption(
            f"Every layer has heads of its own: {d.n_layers} × {d.n_heads} = "
            f"{grouped(d.n_layers * d.n_heads)} heads in the whole model.",
            wait=1.5,
        )
        self.fade_out(VGroup(stack, brace, product, rounded))

    def share_of_the_model(self) -> None:
        p = self.trace.params
        share = p["model/attention"] / p["model/total"]
        self.beat(
            "share",
            f"That is {rough_fraction(share)} of all {grouped(p['model/total'])} parameters "
            f"of GPT-3 ({100 * share:.1f} %). Most of the rest sit in the MLP blocks, "
            f"between the attention layers.",
        )
        self.heading("Attention's share of GPT-3")
        bar = ShareBar(p).move_to(self.stage.center + DOWN * 0.5)
        self._register("model/total", bar.total)
        for key in ("model/attention", "model/mlp"):
            self._register(key, bar.figures[key])
        heading = literal(rough_fraction(share), font_size=palette.DISPLAY, color=palette.QUERY)
        heading.move_to(self.stage.point(UP) + DOWN * 0.75)
        self.play(Create(bar.outline), FadeIn(bar.total_text))
        for key in ("model/attention", "model/mlp"):
            self.play(FadeIn(bar.segments[key]), FadeIn(bar.labels[key]), run_time=1.2)
        self.play(FadeIn(bar.segments["rest"]), FadeIn(bar.labels["rest"]))
        self.play(Write(heading))
        self.caption(
            f"Attention {100 * share:.1f} %, MLP blocks "
            f"{100 * p['model/mlp'] / p['model/total']:.1f} %, embeddings the rest.",
            wait=3,
        )


def head_icon(scale: float = 1.0) -> VGroup:
    """One head as its four matrices: W_Q, W_K, value-down, value-up (small tinted tiles)."""
    colors = (palette.QUERY, palette.KEY, palette.VALUE_DOWN, palette.VALUE_UP)
    tiles = VGroup(
        *(
            Rectangle(width=0.5, height=0.5, stroke_color=c, stroke_width=2).set_fill(c, 0.5)
            for c in colors
        )
    ).arrange_in_grid(rows=2, cols=2, buff=0.08)
    frame = RoundedRectangle(
        corner_radius=0.1, width=tiles.width + 0.3, height=tiles.height + 0.3
    ).set_stroke(palette.DIM_TEXT, 2)
    return VGroup(frame.move_to(tiles), tiles).scale(scale)


def layer_stack(n_layers: int, width: float = 4.0, height: float = 3.9) -> VGroup:
    """``n_layers`` thin slabs seen slightly from above, one per layer, bottom to top."""
    step = (height - 1.0) / n_layers
    depth = np.array([0.9, 0.6, 0.0])  # the slab's top face recedes up and to the right
    front = [LEFT * width / 2, RIGHT * width / 2]
    corners = [*front, front[1] + depth, front[0] + depth]
    slabs = VGroup()
    for i in range(n_layers):
        slab = Polygon(*corners).shift(UP * i * step)
        shade = palette.NEUTRAL if i % 2 else palette.EMBEDDING
        slab.set_fill(shade, 1.0).set_stroke(palette.QUERY, 0.8, opacity=0.7)
        slabs.add(slab)
    return slabs


class ShareBar(VGroup):
    """The whole model as one bar; attention, MLP and the rest as its segments."""

    def __init__(self, params, width: float = 12.0, height: float = 0.8) -> None:
        total = params["model/total"]
        rest = total - params["model/attention"] - params["model/mlp"]
        parts = {
            "model/attention": (params["model/attention"], palette.QUERY, "attention"),
            "model/mlp": (params["model/mlp"], palette.EMBEDDING, "MLP blocks"),
            "rest": (rest, palette.DIM_TEXT, "embeddings"),
        }
        self.outline = Rectangle(width=width, height=height).set_stroke(palette.TEXT, 2)
        self.segments: dict[str, Rectangle] = {}
        self.labels: dict[str, VGroup] = {}
        self.figures: dict[str, Number] = {}
        left = -width / 2
        for i, (key, (value, color, name)) in enumerate(parts.items()):
            w = width * value / total
            seg = Rectangle(width=max(w, 0.02), height=height, stroke_width=0)
            seg.set_fill(color, 0.75).move_to([left + w / 2, 0, 0])
            left += w
            fig = figure(value, font_size=palette.LABEL, color=color)
            share = literal(
                f"{100 * value / total:.1f} %", font_size=palette.SMALL, color=palette.DIM_TEXT
            )
            label = VGroup(literal(name, font_size=palette.BODY, color=color), fig, share)
            label.arrange(DOWN, buff=0.1, aligned_edge=LEFT if i < 2 else RIGHT)
            side = UP if i < 2 else DOWN
            label.next_to(seg, side, buff=0.25)
            if i == 0:
                label.align_to(self.outline, LEFT)
            elif i == 2:
                label.align_to(self.outline, RIGHT)
            self.segments[key], self.labels[key], self.figures[key] = seg, label, fig
        self.total = figure(total, font_size=palette.HEADING)
        self.total_text = VGroup(literal("the whole model:", font_size=palette.BODY), self.total)
        self.total_text.arrange(RIGHT, buff=0.2).next_to(self.outline, DOWN, buff=1.2)
        super().__init__(
            self.outline, *self.segments.values(), *self.labels.values(), self.total_text
        )
