"""Matrix and vector entries: how a real number is rounded, written and coloured.

Shared by the embedding column, the weight matrix, the product and the attention
grid, so that a number means the same thing everywhere:

* :func:`shown` is the value a reader sees: the trace value rounded to the drawn
  number of decimals (``float`` of the very string that is drawn);
* :func:`signed` writes it with an explicit sign and a true minus sign;
* :func:`numeral` draws it with Pango (plain ``Text``, no TeX), coloured by value:
  hue from the sign, brightness from the magnitude (:func:`palette.value_color`).

Example::

    class Entries(Scene):
        def construct(self):
            self.add(VGroup(numeral(1.26), numeral(-0.04)).arrange(DOWN))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Dot, ManimColor, Text, VGroup, VMobject

from . import palette
from .labels import literal

MINUS = "\u2212"


def fixed(value: float, decimals: int) -> str:
    """``value`` with ``decimals`` decimals, a true minus sign and no "-0.0"."""
    text = f"{float(value):.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", MINUS)


def signed(value: float, decimals: int = 1) -> str:
    """Like :func:`fixed` but positive numbers carry a "+": "+1.3", "−0.7", "0.0"."""
    text = fixed(value, decimals)
    return text if text.startswith(MINUS) or float(text) == 0 else f"+{text}"


SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def scientific(value: float, digits: int = 1) -> str:
    """``value`` as a reader writes a tiny or huge number: "6.2 × 10⁻¹⁵" (``digits``
    decimals in the mantissa), "0" for zero, never a programmer's "6.2e-15"."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{float(value):.{digits}e}".split("e")
    power = str(int(exponent)).translate(SUPERSCRIPT)
    return f"{mantissa.replace('-', MINUS)} × 10{power}"


def shown(value: float, decimals: int) -> float:
    """The value a reader sees: ``value`` rounded exactly as :func:`fixed` writes it."""
    return float(fixed(value, decimals).replace(MINUS, "-"))


def shown_array(values: np.ndarray, decimals: int) -> np.ndarray:
    """:func:`shown` for every entry of an array."""
    values = np.asarray(values, dtype=float)
    return np.vectorize(lambda v: shown(v, decimals), otypes=[float])(values)


def adding_up(
    terms: Sequence[np.ndarray],
    total: np.ndarray,
    decimals: int,
    keep: np.ndarray | None = None,
) -> list[np.ndarray]:
    """``terms`` rounded to ``decimals`` so that, entry by entry, the drawn terms add up
    to the drawn ``total`` (``total`` rounded as :func:`fixed` writes it): no shown sum
    reads "0.7 + 0.0 = 0.8".

    Each term is rounded down or up, the units the total needs going to the terms with
    the largest remainders (Hamilton's method), so every drawn term is within one unit of
    the last decimal of its exact value. ``keep`` (one flag per term, or per term and
    entry) marks the terms to keep as plainly rounded as the sum allows, the numbers a
    caption or another chapter quotes: where the total needs a unit more or less than
    plain rounding gives, it goes first to a term not kept whose remainder is near
    enough (a quarter of a unit or more), so that "0.42" stays 0.42 in every chapter.
    ``total`` is the exact sum of ``terms`` (up to rounding error). Returns the drawn
    values, one array per term.
    """
    unit = 10.0**decimals
    exact = np.asarray(terms, dtype=float) * unit  # (k, m) in units of the last decimal
    low = np.floor(exact)
    target = np.rint(shown_array(total, decimals) * unit)  # (m,) the drawn total, in units
    missing = (target - low.sum(axis=0)).astype(int)  # units still to hand out, per entry
    rest = exact - low  # the remainders, 0 to 1
    kept = (
        np.zeros(exact.shape, bool)
        if keep is None
        else np.broadcast_to(np.asarray(keep, bool).reshape(len(exact), -1), exact.shape)
    )
    # who gets a unit first: the kept that round up anyway, then the others that do, then
    # others not far below half a unit, then the rest; by remainder within each
    group = np.where(rest >= 0.5, np.where(kept, 0, 1), np.where(~kept & (rest >= 0.25), 2, 3))
    drawn = low.copy()
    for entry, count in enumerate(missing):
        order = np.lexsort((-rest[:, entry], group[:, entry]))
        drawn[order[: max(count, 0)], entry] += 1
    return [row / unit for row in drawn]


QUOTED_WEIGHT = 0.1  # a weight this large is one a caption may quote: kept plainly rounded


def columns_adding_up(
    values: np.ndarray, visible: np.ndarray, decimals: int, columns: Sequence[int] | None = None
) -> np.ndarray:
    """``[key, query]`` weights as a grid writes them: rounded to ``decimals``, and in each
    of ``columns`` (default all) the ``visible`` entries rounded by :func:`adding_up` so
    that they add up to their sum as written (1.00 for a whole column), weights of
    :data:`QUOTED_WEIGHT` or more kept plainly rounded where the sum allows; the others
    plainly rounded."""
    drawn = np.round(values, decimals)
    for j in range(values.shape[1]) if columns is None else columns:
        keys = np.flatnonzero(visible[:, j])
        if not len(keys):
            continue
        terms = [values[[i], j] for i in keys]
        total = np.array([values[keys, j].sum()])
        quoted = values[keys, j] >= QUOTED_WEIGHT
        for i, v in zip(keys, adding_up(terms, total, decimals, quoted), strict=True):
            drawn[i, j] = v[0]
    return drawn


def equation_entries(
    terms: Sequence[np.ndarray], rows: Sequence[int], decimals: int
) -> list[np.ndarray]:
    """The entries ``rows`` of the vectors of a drawn equation ``term + term + ... = total``
    (``terms``, then nothing: the total is their sum), as the equation writes them: the
    terms rounded by :func:`adding_up` so that they add up, as drawn, to the total rounded
    plainly. Returns one array per term and, last, the total's."""
    picked = [np.asarray(t, dtype=float)[list(rows)] for t in terms]
    total = np.sum(picked, axis=0)
    return [*adding_up(picked, total, decimals), shown_array(total, decimals)]


def color_scale(values: np.ndarray) -> float:
    """Default brightness scale of a vector or matrix: twice its root mean square."""
    values = np.asarray(values, dtype=float)
    return 2.0 * float(np.sqrt(np.mean(values**2))) if values.size else 1.0


def numeral(
    value: float,
    decimals: int = 1,
    font_size: float = palette.LABEL,
    scale: float | None = None,
    plus: bool = True,
    color: ManimColor | None = None,
) -> Text:
    """A number drawn with Pango in a monospaced font.

    Coloured by :func:`palette.value_color` with ``scale`` unless ``color`` is given
    (``scale=None`` and no colour: plain text colour).
    """
    text = signed(value, decimals) if plus else fixed(value, decimals)
    if color is None:
        color = palette.value_color(value, scale) if scale else palette.TEXT
    return literal(text, font_size=font_size, color=color, mono=True)


def dots(direction: np.ndarray = DOWN, size: float = 0.045, gap: float = 0.13) -> VGroup:
    """Three dots in a line along ``direction`` (a vertical or horizontal ellipsis)."""
    group = VGroup(*[Dot(radius=size, color=palette.DIM_TEXT) for _ in range(3)])
    return group.arrange(direction, buff=gap)


def brackets(content: VMobject, color: ManimColor = palette.DIM_TEXT, buff: float = 0.12) -> VGroup:
    """Square brackets around ``content`` (left bracket first), drawn as lines."""
    height = content.height + 2 * buff
    tick = min(0.15, 0.25 * height)
    pair = VGroup()
    for side in (LEFT, RIGHT):
        x = content.get_edge_center(side)[0] + side[0] * buff
        top = np.array([x, content.get_center()[1] + height / 2, 0])
        bottom = top - UP * height
        inward = -side * tick
        pair.add(
            VMobject(stroke_color=color, stroke_width=2.5).set_points_as_corners(
                [top + inward, top, bottom, bottom + inward]
            )
        )
    return pair


def gaps(indices: Sequence[int]) -> list[bool]:
    """For each shown index after the first: True where indices were skipped before it."""
    return [b - a > 1 for a, b in zip(indices, indices[1:])]
