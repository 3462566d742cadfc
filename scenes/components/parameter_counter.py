"""Parameter counts on screen: count-up braces, exact products, a running tally.

Every figure is passed in from :attr:`attention_math.Trace.params` or
:attr:`attention_math.Trace.dims`; nothing here types a model size. Products are
checked when they are built (:class:`ProductLine` refuses a false equation), so
a figure on screen is always the product it claims to be.

Numbers are drawn with Pango (:func:`figure`), with thousands separators.

Example::

    class Count(Scene):
        def construct(self):
            trace = resolve_source().trace  # from scenes.settings
            W_Q = WeightMatrix(trace.heads[0].weights.W_Q, kind="query", label="W_Q")
            cols = CountBrace(W_Q.get_brackets(), trace.dims.d_model, DOWN, "columns")
            rows = CountBrace(W_Q.get_brackets(), trace.dims.d_head, LEFT, "rows")
            product = ProductLine([trace.dims.d_model, trace.dims.d_head], trace.params["head/W_Q"])
            self.add(W_Q, product.next_to(cols, DOWN))
            self.play(cols.count_up(), rows.count_up())
            self.play(product.write())
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Brace,
    FadeIn,
    GrowFromCenter,
    LaggedStart,
    Line,
    ManimColor,
    Polygon,
    Rectangle,
    Succession,
    SurroundingRectangle,
    UpdateFromAlphaFunc,
    VGroup,
    VMobject,
    smooth,
)

from . import palette
from .labels import Number, literal, number

SPELLED_FRACTIONS = {
    Fraction(1, 2): "about half",
    Fraction(1, 3): "about a third",
    Fraction(2, 3): "about two thirds",
    Fraction(1, 4): "about a quarter",
    Fraction(3, 4): "about three quarters",
    Fraction(1, 5): "about a fifth",
}


def figure(value: int, font_size: float = palette.BODY, color: ManimColor = palette.TEXT) -> Number:
    """A whole number with thousands separators (``1,572,864``), drawn with Pango."""
    return number(int(value), decimals=0, font_size=font_size, color=color)


def grouped(value: int) -> str:
    """The same digits :func:`figure` draws, as a string (for narration)."""
    return f"{int(value):,}"


def approx_billions(value: int) -> str:
    """``57,982,058,496`` -> ``"58 B"`` (rounded to whole billions)."""
    return f"{round(value / 1e9):,} B"


def rough_fraction(share: float, max_denominator: int = 5) -> str:
    """A share in words when it is close to a simple fraction (``0.331`` -> "about a
    third"), else as a percentage."""
    near = Fraction(share).limit_denominator(max_denominator)
    if near in SPELLED_FRACTIONS and abs(float(near) - share) < 0.02:
        return SPELLED_FRACTIONS[near]
    return f"{100 * share:.0f} %"


def baseline(fig: Number) -> float:
    """Where the digits of a figure stand (its commas hang below that line)."""
    return float(fig.get_baseline())


def sit_on_baseline(mob: VMobject, y: float) -> None:
    """Move a figure (by its first digit) or a word (by its bottom) onto baseline ``y``."""
    bottom = baseline(mob) if isinstance(mob, Number) else mob.get_bottom()[1]
    mob.shift(UP * (y - bottom))


def count_up(
    label: Number, value: int, keep: Callable[[Number], object], run_time: float = 1.5
) -> Animation:
    """Count ``label`` from 0 up to ``value`` (whole numbers only); after every step
    ``keep(label)`` puts it back in place (its width changes as digits appear)."""

    def step(mob: Number, alpha: float) -> None:
        mob.set_value(round(value * alpha))
        keep(mob)

    return UpdateFromAlphaFunc(label, step, run_time=run_time, rate_func=smooth)


class CountBrace(VGroup):
    """A brace along one side of ``target`` with a figure that counts up to ``value``.

    Parameters
    ----------
    target
        The mobject the brace spans.
    value
        The count (a model size or a parameter count).
    direction
        Side of ``target``: ``UP``, ``DOWN``, ``LEFT`` or ``RIGHT``.
    caption
        A word after the figure ("columns", "rows"), optional.
    around
        Frame the whole of ``target`` instead of bracing one side: for a count of
        everything inside (the 96 heads of a grid of 12 x 8), not of a row or a column.
    """

    def __init__(
        self,
        target: VMobject,
        value: int,
        direction: np.ndarray = DOWN,
        caption: str = "",
        font_size: float = palette.BODY,
        color: ManimColor = palette.TEXT,
        around: bool = False,
    ) -> None:
        self.value = int(value)
        self.direction = direction
        if around:
            self.brace = SurroundingRectangle(
                target, buff=0.12, corner_radius=0.12, color=palette.DIM_TEXT, stroke_width=2
            )
        else:
            self.brace = Brace(target, direction, buff=0.08, color=palette.DIM_TEXT)
        self.figure = figure(self.value, font_size=font_size, color=color)
        parts = [self.figure]
        if caption:
            parts.append(literal(caption, font_size=font_size * 0.8, color=palette.DIM_TEXT))
        self.text = VGroup(*parts)
        self._arrange_text()
        super().__init__(self.brace, self.text)

    def _arrange_text(self) -> None:
        vertical_side = abs(self.direction[0]) > 0  # brace on the left or right
        if len(self.text) > 1:
            if vertical_side:
                self.text[1].next_to(self.text[0], DOWN, buff=0.1)
            else:
                self.text[1].next_to(self.text[0], RIGHT, buff=0.12)
                sit_on_baseline(self.text[1], baseline(self.text[0]))
        self.text.next_to(self.brace, self.direction, buff=0.12)

    def count_up(self, run_time: float = 1.5) -> Animation:
        """Grow the brace with the figure at 0, then count it up."""
        self.figure.set_value(0)
        self._arrange_text()
        counting = count_up(
            self.figure, self.value, lambda _: self._arrange_text(), run_time=run_time
        )
        return Succession(
            AnimationGroup(GrowFromCenter(self.brace), FadeIn(self.text), run_time=0.5),
            counting,
        )


class ProductLine(VGroup):
    """``a × b × ... = result`` with exact whole numbers, checked when built.

    ``labels`` optionally names the factors (drawn small underneath), e.g.
    ``("heads", "per head")``.
    """

    def __init__(
        self,
        factors: list[int],
        result: int,
        font_size: float = palette.HEADING,
        result_color: ManimColor = palette.TEXT,
        labels: tuple[str, ...] = (),
    ) -> None:
        factors = [int(f) for f in factors]
        if math.prod(factors) != int(result):
            raise ValueError(f"{' x '.join(map(str, factors))} is not {result}")
        self.value = int(result)
        self.factors = VGroup(*(figure(f, font_size=font_size) for f in factors))
        self.result = figure(self.value, font_size=font_size, color=result_color)
        self.captions = VGroup()
        parts: list[VMobject] = []
        for i, fig in enumerate(self.factors):
            if i:
                parts.append(literal("×", font_size=font_size, color=palette.DIM_TEXT))
            column = VGroup(fig)  # a factor and its caption take the wider one's room
            if i < len(labels) and labels[i]:
                caption = literal(labels[i], font_size=font_size * 0.7, color=palette.DIM_TEXT)
                self.captions.add(caption.next_to(fig, DOWN, buff=0.1))
                column.add(caption)
            parts.append(column)
        parts += [literal("=", font_size=font_size, color=palette.DIM_TEXT), self.result]
        self.line = VGroup(*parts).arrange(RIGHT, buff=0.18)
        line_base = baseline(self.result)
        for column in parts[:-1:2]:  # digits on one baseline, signs centred on the digits
            column.shift(UP * (line_base - baseline(column[0])))
        for sign in parts[1::2]:
            sign.set_y(line_base + self.result[0].height / 2)
        super().__init__(self.line)

    def write(self, run_time: float = 2.0) -> Animation:
        """Factors appear one by one, then the result, whole: an equation is never shown
        with a number on its way up ("128 × 12,288 = 29,065" is false at every frame)."""
        return Succession(
            LaggedStart(
                *(FadeIn(p) for p in self.line[:-1]),
                lag_ratio=0.25,
                run_time=run_time / 2,
            ),
            FadeIn(self.result, run_time=run_time / 2),
        )


class Bottleneck(VGroup):
    """The low-rank value map: ``d_model -> d_head -> d_model``.

    Three bars (embedding, value-down output, embedding) joined by two funnels,
    value-down (darker red) narrowing and value-up (lighter red) widening. Bar
    heights are schematic, the narrow one clamped so it stays visible; the figures
    beside them are the real sizes.
    """

    def __init__(self, d_model: int, d_head: int, tall: float = 4.0, gap: float = 2.4) -> None:
        short = max(0.5, tall * d_head / d_model)
        bars = [
            Rectangle(width=0.35, height=h, color=c, stroke_width=2).set_fill(c, 0.35)
            for h, c in ((tall, palette.EMBEDDING), (short, palette.VALUE), (tall, palette.DELTA))
        ]
        for i, bar in enumerate(bars):
            bar.move_to(RIGHT * (i - 1) * gap)
        self.bars = VGroup(*bars)
        self.funnels = VGroup(
            self._funnel(bars[0], bars[1], palette.VALUE_DOWN),
            self._funnel(bars[1], bars[2], palette.VALUE_UP),
        )
        self.sizes = VGroup(
            *(
                figure(v, font_size=palette.BODY).next_to(bar, DOWN, buff=0.15)
                for v, bar in zip((d_model, d_head, d_model), bars)
            )
        )
        self.names = VGroup(
            literal("value-down", font_size=palette.BODY, color=palette.VALUE_DOWN),
            literal("value-up", font_size=palette.BODY, color=palette.VALUE_UP),
        )
        for name, funnel in zip(self.names, self.funnels):
            name.next_to(funnel, UP, buff=0.15)
        super().__init__(self.funnels, self.bars, self.sizes, self.names)

    @staticmethod
    def _funnel(left: Rectangle, right: Rectangle, color: ManimColor) -> Polygon:
        return Polygon(
            left.get_corner(UP + RIGHT),
            right.get_corner(UP + LEFT),
            right.get_corner(DOWN + LEFT),
            left.get_corner(DOWN + RIGHT),
            color=color,
            stroke_width=1.5,
        ).set_fill(color, opacity=0.3)


class Tally(VGroup):
    """A running list of named counts, figures right-aligned, with a total line.

    Rows are added one at a time below ``top_left`` (:meth:`add_row` returns the
    animation); the tally keeps every row's count, and its total must be their sum.
    """

    def __init__(
        self, top_left: np.ndarray, width: float = 4.6, font_size: float = palette.BODY
    ) -> None:
        super().__init__()
        self.top_left = np.asarray(top_left, dtype=float)
        self.row_width = width
        self.font_size = font_size
        self.row_height = 0.6 * font_size / 24
        self.rows: list[VGroup] = []
        self.values: list[int] = []
        self.total_figure: Number | None = None

    def add_row(self, label: VMobject, value: int, color: ManimColor = palette.TEXT) -> Animation:
        """A row ``label ........ value`` under the previous one."""
        fig = figure(value, font_size=self.font_size, color=color)
        y = self.top_left[1] - (len(self.rows) + 0.5) * self.row_height
        label.move_to([self.top_left[0], y, 0], aligned_edge=LEFT)
        fig.move_to([self.top_left[0] + self.row_width, y, 0], aligned_edge=RIGHT)
        fig.shift(UP * (y - fig[0].get_center()[1]))  # digits centred on the row
        row = VGroup(label, fig)
        self.rows.append(row)
        self.values.append(int(value))
        self.add(row)
        return FadeIn(row, shift=LEFT * 0.3)

    def add_total(self, caption: str, value: int, color: ManimColor = palette.TEXT) -> Animation:
        """A rule under the rows and the total, which must be their sum."""
        if int(value) != sum(self.values):
            raise ValueError(f"total {value} is not the sum of the rows {self.values}")
        y = self.top_left[1] - len(self.rows) * self.row_height - 0.1
        x0 = self.top_left[0]
        rule = Line([x0, y, 0], [x0 + self.row_width, y, 0], stroke_width=1.5)
        rule.set_color(palette.DIM_TEXT)
        label = literal(caption, font_size=self.font_size * 0.9, color=color)
        fig = figure(value, font_size=self.font_size, color=color)
        y_text = y - 0.5 * self.row_height - 0.05
        label.move_to([x0, y_text, 0], aligned_edge=LEFT)
        fig.move_to([x0 + self.row_width, y_text, 0], aligned_edge=RIGHT)
        sit_on_baseline(label, baseline(fig))
        self.total_figure = fig
        self.add(rule, label, fig)
        return Succession(GrowFromCenter(rule, run_time=0.4), FadeIn(VGroup(label, fig)))
