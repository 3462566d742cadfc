"""Typst formulas with the colour legend applied: Q yellow, K teal, V red...

Only constant formulas written in the code go through Typst; user text never does
(it is drawn with :func:`labels.literal`). Parts to colour are marked with
MathTypst's ``{{ ... : label }}`` groups whose label is a key of ``COLORS``.

Example::

    class Equation(Scene):
        def construct(self):
            self.play(Write(attention_formula()))
"""

from __future__ import annotations

from functools import cache

import typst as typst_compiler
from manim import MathTypst

from . import palette
from .labels import lighten

COLORS = {
    "q": palette.QUERY,
    "k": palette.KEY,
    "v": palette.VALUE,
    "e": palette.EMBEDDING,
    "eprime": palette.UPDATED,
    "delta": palette.DELTA,
    "o": palette.OUTPUT,
    "mask": palette.MASK,
}
# keys as rows, queries as columns (the grids' convention): K and Q hold one column per
# token, V one value per column, so V times the pattern gives one change per query
ATTENTION = '{{ V : v }} dot op("softmax")(({{ K : k }}^T {{ Q : q }}) / sqrt(d_k))'


# Stroke width (manim's units) per frame unit of a Typst line's source width: what
# ManimCE 0.22 gives at 1080p. ManimCE itself sets these widths from the resolution
# at the time of building, and leaves them unset when the formula comes from its
# cache, so the same fraction bar or root sign was drawn thicker or thinner from one
# formula to the next.
TYPST_STROKE = 0.5 * 1920 / 14.222


@cache
def installed_fonts() -> typst_compiler.Fonts:
    """Typst's view of the installed fonts, loaded once per process: a compile given
    only font folders loads every installed font again (0.13 s a formula here; with
    this, 2 ms for the same SVG)."""
    return typst_compiler.Fonts()


def typst(expression: str, font_size: float = palette.DISPLAY, color=None) -> MathTypst:
    """A MathTypst formula whose lines (fraction bars, root signs) are equally thick
    in every copy and at every resolution."""
    kwargs = {} if color is None else {"color": color}
    # use_svg_cache=False: ManimCE keeps a deep copy of every formula it builds, for the
    # next one from the same SVG; nearly all of this video's formulas are distinct, so
    # the copy is paid for and never used (built anew, the points are the same)
    formula = MathTypst(
        expression,
        font_size=font_size,
        font_paths=installed_fonts(),
        use_svg_cache=False,
        **kwargs,
    )
    for part in formula.family_members_with_points():
        source = getattr(part, "_typst_source_stroke_width", None)
        reference = getattr(part, "_typst_reference_size", None)
        if source and reference:
            size = max(part.width, part.height)
            part.set_stroke(width=source * size / reference * TYPST_STROKE, family=False)
    formula._preserve_svg_stroke_widths = False  # manim must not reset them on scale()
    return formula


def colored(expression: str, font_size: float = palette.DISPLAY) -> MathTypst:
    """A MathTypst formula whose ``{{ ... : label }}`` groups get their legend colour.

    ``expression`` must be a constant of the code: Typst code (``#``) is refused.
    """
    if "#" in expression:
        raise ValueError("formulas are constant math; Typst code is not allowed")
    formula = typst(expression, font_size)
    for label, color in COLORS.items():
        if f": {label} }}}}" in expression:
            formula.select(label).set_color(color)
    return lighten(formula)


def attention_formula(font_size: float = palette.DISPLAY) -> MathTypst:
    """V · softmax(KᵀQ / √d_k), with Q, K and V in their colours."""
    return colored(ATTENTION, font_size)
