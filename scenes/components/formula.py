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
ATTENTION = 'op("softmax")(({{ K : k }}^T {{ Q : q }}) / sqrt(d_k)) {{ V : v }}'


def colored(expression: str, font_size: float = 40) -> MathTypst:
    """A MathTypst formula whose ``{{ ... : label }}`` groups get their legend colour.

    ``expression`` must be a constant of the code: Typst code (``#``) is refused.
    """
    if "#" in expression:
        raise ValueError("formulas are constant math; Typst code is not allowed")
    formula = MathTypst(expression, font_size=font_size)
    for label, color in COLORS.items():
        if f": {label} }}}}" in expression:
            formula.select(label).set_color(color)
    return lighten(formula)


def attention_formula(font_size: float = 40) -> MathTypst:
    """softmax(KᵀQ / √d_k) V, with Q, K and V in their colours."""
    return colored(ATTENTION, font_size)
