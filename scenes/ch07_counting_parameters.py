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
    ManimColor,
    MathTypst,
    Polygon,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
    Write,
    interpolate_color,
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
from scenes.facts.ch07_counting_parameters import bar_percent, rest_said, rest_terms
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


def legible(color) -> ManimColor:
    """``color`` lightened towards the text colour: value-down's dark red, readable as
    thin letters and figures on black."""
    return interpolate_color(color, palette.TEXT, 0.4)


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

    def _braces(self, matrix: WeightMatrix, rows: int, cols: int, key: str, color) -> VGroup:
        """The matrix's row and column braces with their final counts, and rows x columns
        (the order every shape in the lesson is written in) under them: built, not shown."""
        span = VGroup(matrix.get_brackets(), *filter(None, [matrix.get_factor()]))
        col_brace = CountBrace(span, cols, DOWN, "columns", font_size=palette.LABEL)
        row_brace = CountBrace(matrix.get_brackets(), rows, LEFT, "rows", font_size=palette.LABEL)
        product = ProductLine(
            [rows, cols], self.trace.params[key], font_size=palette.HEADING, result_color=color
        )
        product.next_to(col_brace, DOWN, buff=0.25)
        self._register(key, product.result)
        self.shapes[key] = (row_brace, col_brace, product)
        return VGroup(row_brace, col_brace, product)

    def _show_matrix(self, matrix: WeightMatrix, at: np.ndarray = MATRIX_CENTER) -> None:
        matrix.move_to(at)
        self.play(matrix.create(), run_time=1.0)

    def _shown_whole(
        self, matrix: WeightMatrix, rows: int, cols: int, key: str, name: str, color
    ) -> VGroup:
        """Show one of the head's matrices with its braces and product at their final
        figures (said in one sentence), and add it to the tally."""
        matrix.move_to(MATRIX_CENTER)
        counts = self._braces(matrix, rows, cols, key, color)
        # the counts come with the matrix: its sentence says them as it starts
        self.play(matrix.create(), FadeIn(counts), run_time=1.0)
        self.play(self.tally.add_row(symbol(name, color), self.trace.params[key]), run_time=0.8)
        return VGroup(matrix, counts)

    # -- beats -----------------------------------------------------------------------
    def query_and_key_matrices(self) -> None:
        d, p = self.trace.dims, self.trace.params
        said = {
            "rows": f"It has one row per query dimension: {d.d_head} rows.",
            "columns": f"And one column per embedding dimension: {grouped(d.d_model)} columns.",
            "product": f"{d.d_head} × {grouped(d.d_model)} = {grouped(p['head/W_Q'])} numbers.",
            "tally": "The tally on the right adds up one head's parameters, matrix by matrix.",
            "key": f"The key matrix W_K has the same shape: {grouped(p['head/W_K'])} numbers more.",
        }
        self.beat(
            "query-key", "This is the query matrix W_Q of one head. " + " ".join(said.values())
        )
        self.heading("The query and key matrices")
        weights = self.trace.heads[0].weights
        header = literal("parameters per head", font_size=palette.HEADING, color=palette.DIM_TEXT)
        header.move_to(TALLY.point(UP) + UP * 0.35)
        self.tally = Tally(TALLY.point(UP + LEFT), width=TALLY.width, font_size=palette.HEADING)
        self.tally_header = header
        W_Q = WeightMatrix(weights.W_Q, kind="query", label="W_Q", font_size=MATRIX_FONT)
        self._show_matrix(W_Q)
        self.play(FadeIn(header), run_time=0.5)
        row_brace, col_brace, product = self._braces(
            W_Q, d.d_head, d.d_model, "head/W_Q", palette.QUERY
        )
        # W_Q's rows and columns are counted as they are said; later matrices come whole
        self.until_said(said["rows"])
        self.play(row_brace.count_up(run_time=0.6))
        self.until_said(said["columns"])
        self.play(col_brace.count_up(run_time=0.6))
        self.until_said(said["product"])
        self.play(product.write(run_time=1.4))
        self.until_said(said["tally"])
        self.play(self.tally.add_row(symbol("W_Q", palette.QUERY), p["head/W_Q"]))
        self.wait(1)
        # W_Q leaves while the tally is talked about: W_K then comes with its words
        self.play(FadeOutInPlace(VGroup(W_Q, row_brace, col_brace, product)), run_time=0.6)
        self.until_said(said["key"])
        W_K = WeightMatrix(weights.W_K, kind="key", label="W_K", font_size=MATRIX_FONT)
        shown = self._shown_whole(W_K, d.d_head, d.d_model, "head/W_K", "W_K", palette.KEY)
        self.caption(
            f"W_Q and W_K: {d.d_head} rows × {grouped(d.d_model)} columns = "
            f"{grouped(p['head/W_Q'])} numbers each."
        )
        self.fade_out(shown)

    def full_value_matrix(self) -> None:
        d, p = self.trace.dims, self.trace.params
        full, times = p["head/full_W_V"], p["head/full_W_V"] // p["head/W_Q"]
        said = {
            "shape": f"{grouped(d.d_model)} rows × {grouped(d.d_model)} columns = "
            f"{grouped(full)} numbers.",
            "times": f"That is {times} times the query matrix: {times} × {grouped(p['head/W_Q'])}.",
            "cross": "Models do not spend that much, so it is crossed out.",
            "entries": "The entries shown are this head's value-up times value-down, which "
            "come next.",
        }
        self.beat(
            "full-value",
            "A value map from embeddings to embeddings could be one square matrix, W_V. "
            + " ".join(said.values()),
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
        self._show_matrix(W_V, MATRIX_CENTER + UP * 0.45)  # room for two lines of figures
        self.full_value = W_V
        counts = self._braces(W_V, d.d_model, d.d_model, "head/full_W_V", palette.VALUE)
        self.until_said(said["shape"])
        self.play(FadeIn(counts), run_time=0.8)
        self.until_said(said["times"])
        # the same count as a multiple of W_Q's, checked as every product line is
        self.multiple = ProductLine(
            [times, p["head/W_Q"]], full, font_size=palette.BODY, result_color=palette.VALUE
        ).next_to(counts[-1], DOWN, buff=0.15)  # under rows x columns
        self.play(self.multiple.write(run_time=1.2))
        self.until_said(said["cross"])
        # the matrix's entries are crossed out, not its name, its "×10⁻³" or its counts:
        # those stay true (150,994,944 is what it would cost)
        cross = Cross(W_V.get_brackets(), stroke_color=palette.MASK, stroke_width=8)
        self.cross = cross
        self.play(Create(cross), run_time=0.8)
        self.caption(
            f"Entries shown: value-up · value-down of this head. {grouped(full)} would be too many."
        )
        self.fade_out(VGroup(W_V, counts, self.multiple, cross))

    def low_rank_values(self) -> None:
        d, p = self.trace.dims, self.trace.params
        each, full = p["head/W_V_down"], p["head/full_W_V"]
        said = {
            "down": f"Value-down squeezes a {grouped(d.d_model)}-dimensional embedding into "
            f"{d.d_head} dimensions.",
            "up": f"Value-up expands those {d.d_head} back into {grouped(d.d_model)}.",
            "down-shape": f"Value-down has {d.d_head} rows of {grouped(d.d_model)} numbers: "
            f"{grouped(each)}, the same as W_Q.",
            "up-shape": f"Value-up has {grouped(d.d_model)} rows of {d.d_head}: another "
            f"{grouped(p['head/W_V_up'])}.",
            "together": f"Together 2 × {grouped(each)} = {grouped(2 * each)}, instead of "
            f"{grouped(full)} for one full matrix.",
        }
        self.beat(
            "low-rank",
            "Instead the value map is factored into two smaller matrices: a low-rank map. "
            + " ".join(said.values()),
        )
        self.heading("Value-down and value-up: a low-rank map")
        picture = Bottleneck(d.d_model, d.d_head, tall=3.2).move_to(MATRIX_CENTER + DOWN * 0.45)
        title = literal("a low-rank map", font_size=palette.HEADLINE).next_to(picture, UP, buff=0.3)
        self.play(FadeIn(picture.bars[0]), FadeIn(picture.sizes[0]), Write(title), run_time=1.0)
        for i, key in enumerate(("down", "up")):
            self.until_said(said[key])
            self.play(
                FadeIn(picture.funnels[i]),
                FadeIn(picture.names[i]),
                FadeIn(picture.bars[i + 1]),
                FadeIn(picture.sizes[i + 1]),
                run_time=1.0,
            )
        self.wait(1)
        self.play(FadeOutInPlace(VGroup(picture, title)), run_time=0.5)
        self.until_said(said["down-shape"])
        self.value_matrices(said)
        self.fade_out(self.together)

    def value_matrices(self, said: dict[str, str]) -> None:
        """Value-down, then value-up, each with its count, then the two added up."""
        d, p = self.trace.dims, self.trace.params
        weights = self.trace.heads[0].weights
        down = WeightMatrix(
            weights.W_V_down, kind="value_down", label="W_V^(arrow.b)", font_size=MATRIX_FONT
        )
        shown = self._shown_whole(
            down, d.d_head, d.d_model, "head/W_V_down", "W_V^(arrow.b)", legible(palette.VALUE_DOWN)
        )
        self.wait(0.6)
        self.play(FadeOutInPlace(shown), run_time=0.5)
        self.until_said(said["up-shape"])
        up = WeightMatrix(
            weights.W_V_up,
            rows=(0, 1, 2, 3, -1),
            cols=(0, 1, 2, -1),
            kind="value_up",
            label="W_V^(arrow.t)",
            font_size=MATRIX_FONT,
        )
        shown = self._shown_whole(
            up, d.d_model, d.d_head, "head/W_V_up", "W_V^(arrow.t)", legible(palette.VALUE_UP)
        )
        self.wait(0.6)
        self.play(FadeOutInPlace(shown), run_time=0.5)
        self.until_said(said["together"])
        each = p["head/W_V_down"]
        self.together = ProductLine(
            [2, each],
            p["head/W_V_down"] + p["head/W_V_up"],
            font_size=palette.LARGE,
            result_color=palette.VALUE,
        )
        instead = literal(
            f"instead of {grouped(p['head/full_W_V'])}",
            font_size=palette.HEADING,
            color=palette.DIM_TEXT,
        )
        VGroup(self.together, instead).arrange(DOWN, buff=0.4).move_to(MATRIX_CENTER)
        self.play(self.together.write(run_time=1.2), FadeIn(instead, run_time=1.2))
        self.together.add(instead)
        self.caption(
            f"{grouped(d.d_model)} → {d.d_head} → {grouped(d.d_model)}: two matrices of "
            f"{grouped(each)} instead of one of {grouped(p['head/full_W_V'])}."
        )

    def one_head(self) -> None:
        p = self.trace.params
        self.beat(
            "one-head",
            f"Four matrices make one attention head: 4 × {grouped(p['head/W_Q'])} = "
            f"{grouped(p['head/total'])} parameters.",
        )
        self.heading("One head")
        self.head_icon = head_icon(scale=2.4).move_to(MATRIX_CENTER)
        caption = literal("one head", font_size=palette.LARGE).next_to(
            self.head_icon, DOWN, buff=0.3
        )
        self.play(
            self.tally.add_total("total", p["head/total"], palette.QUERY),
            FadeIn(self.head_icon, scale=0.8),
            FadeIn(caption),
        )
        self._register("head/total", self.tally.total_figure)
        self.caption(f"4 × {grouped(p['head/W_Q'])} = {grouped(p['head/total'])}.")
        self.fade_out(caption)

    def one_layer(self) -> None:
        d, p = self.trace.dims, self.trace.params
        product_said = (
            f"{d.n_heads} × {grouped(p['head/total'])} = {grouped(p['layer/attention'])} "
            "parameters in one layer."
        )
        self.beat(
            "one-layer",
            f"A layer of GPT-3 runs {d.n_heads} heads side by side, each with its own four "
            f"matrices. {product_said}",
        )
        self.heading(f"One layer: {d.n_heads} heads")
        columns = math.ceil(math.sqrt(d.n_heads * 1.5))
        grid = VGroup(*(head_icon(scale=0.28) for _ in range(d.n_heads)))
        grid.arrange_in_grid(cols=columns, buff=0.1).move_to(MATRIX_CENTER + DOWN * 0.15)
        self.play(ReplacementTransform(self.head_icon, grid[0]), run_time=0.6)
        self.play(LaggedStart(*(FadeIn(icon) for icon in grid[1:]), lag_ratio=0.02), run_time=1.4)
        # a frame round the whole grid: the count is of every head in it, not of one row;
        # it comes once all are drawn, with its final figure
        brace = CountBrace(grid, d.n_heads, UP, "heads", font_size=palette.BODY, around=True)
        self._register("dims/n_heads", brace.figure)
        self.play(FadeIn(brace), run_time=0.5)
        product = ProductLine(
            [d.n_heads, p["head/total"]],
            p["layer/attention"],
            font_size=palette.HEADING,
            result_color=palette.QUERY,
        ).next_to(grid, DOWN, buff=0.45)
        self.until_said(product_said)
        self.play(product.write(run_time=1.4))
        self._register("layer/attention", product.result)
        self.caption(
            f"Each of the {d.n_heads} heads has its own four matrices, all of the same size."
        )
        self.layer = VGroup(grid, brace, product)

    def all_layers(self) -> None:
        d, p = self.trace.dims, self.trace.params
        total = p["model/attention"]
        said = {
            "product": f"{d.n_layers} × {grouped(p['layer/attention'])} = {grouped(total)}.",
            "rounded": f"That is about {approx_billions(total).replace(' B', ' billion')} "
            "parameters for attention.",
            "heads": f"Every layer has heads of its own: {d.n_layers} × {d.n_heads} = "
            f"{grouped(d.n_layers * d.n_heads)} heads in the whole model.",
        }
        self.beat(
            "all-layers",
            f"GPT-3 stacks {d.n_layers} such layers, one above the other. "
            + " ".join(said.values()),
        )
        self.heading(f"{d.n_layers} layers")
        self.play(
            FadeOutInPlace(VGroup(self.tally, self.tally_header, self.layer[1:])), run_time=0.5
        )
        stack = layer_stack(d.n_layers).move_to(self.stage.center + UP * 0.65)
        self.play(ReplacementTransform(self.layer[0], stack[-1]), run_time=0.5)
        self.play(LaggedStart(*(FadeIn(s) for s in stack[:-1]), lag_ratio=0.01), run_time=0.8)
        # the brace comes once the stack is whole, with its final figure
        brace = CountBrace(stack, d.n_layers, RIGHT, "layers", font_size=palette.BODY)
        self._register("dims/n_layers", brace.figure)
        self.play(FadeIn(brace), run_time=0.4)
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
        self.until_said(said["product"])
        self.play(product.write(run_time=1.4))
        self._register("model/attention", product.result)
        self.until_said(said["rounded"])
        self.play(FadeIn(rounded, shift=UP * 0.2), run_time=0.6)
        self.until_said(said["heads"])
        self.caption(said["heads"])
        self.fade_out(VGroup(stack, brace, product, rounded))

    def share_of_the_model(self) -> None:
        p = self.trace.params
        share = p["model/attention"] / p["model/total"]
        percent = {key: bar_percent(p, key) for key in ("model/attention", "model/mlp", "rest")}
        said = {
            "model/mlp": f"Most of the rest, {percent['model/mlp']}, sit in the MLP blocks, "
            "between the attention layers.",
            "rest": rest_said(p),
        }
        self.beat(
            "share",
            f"That is {rough_fraction(share)} of all {grouped(p['model/total'])} parameters "
            f"of GPT-3 ({percent['model/attention']}). " + " ".join(said.values()),
        )
        self.heading("Attention's share of GPT-3")
        bar = ShareBar(p).move_to(self.stage.center + DOWN * 0.5)
        self.share_bar = bar
        self._register("model/total", bar.total)
        for key in ("model/attention", "model/mlp"):
            self._register(key, bar.figures[key])
        heading = literal(rough_fraction(share), font_size=palette.DISPLAY, color=palette.QUERY)
        heading.move_to(self.stage.point(UP) + DOWN * 0.75)
        attention = bar.segments["model/attention"], bar.labels["model/attention"]
        self.play(
            Create(bar.outline),
            FadeIn(bar.total_text),
            *(FadeIn(m) for m in attention),
            Write(heading),
            run_time=1.2,
        )
        for key in ("model/mlp", "rest"):
            self.until_said(said[key])
            self.play(FadeIn(bar.segments[key]), FadeIn(bar.labels[key]), run_time=0.8)
        self.caption(
            f"Attention {percent['model/attention']}, MLP blocks {percent['model/mlp']}, "
            "embeddings the rest."
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
                bar_percent(params, key), font_size=palette.SMALL, color=palette.DIM_TEXT
            )
            lines = [literal(name, font_size=palette.BODY, color=color), fig, share]
            if key == "rest":  # how its figure adds up, to be checked
                lines.insert(2, literal(rest_terms(params), font_size=palette.SMALL, color=color))
            label = VGroup(*lines)
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
        self.total_text.align_to(self.outline, LEFT)  # clear of the rest's label, right
        super().__init__(
            self.outline, *self.segments.values(), *self.labels.values(), self.total_text
        )
