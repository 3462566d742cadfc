"""Arcs that carry context from earlier tokens into later ones, as strong as the pattern.

An arc goes from key token ``i`` to query token ``j`` only when ``i < j`` (context
flows forward); its stroke width and opacity grow with the weight ``pattern[j, i]``
(the core's ``[query, key]`` layout, read directly, no transpose). Arcs join
anchors: the boxes of a :class:`TokenRow` (:meth:`ContextArcs.over_row`) or any
mobjects standing for the tokens (embedding columns, for instance).

Example::

    class Arcs(Scene):
        def construct(self):
            row = TokenRow(trace.words, roles)
            arcs = ContextArcs.over_row(row, trace.head("adjective-noun").pattern, [3, 7])
            self.add(row)
            self.play(arcs.create())
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from manim import (
    PI,
    UP,
    Animation,
    CurvedArrow,
    ManimColor,
    Mobject,
    VGroup,
    Write,
)

from . import palette
from .animations import together
from .token_row import TokenRow

MAX_STROKE = 9.0
ARC_ANGLE = PI / 2.2  # angle an arc turns through (its height grows with its length)


def arc_style(weight: float) -> tuple[float, float]:
    """(stroke width, opacity) of an arc carrying ``weight`` of a query's attention."""
    weight = float(np.clip(weight, 0.0, 1.0))
    return MAX_STROKE * weight + 0.5, 0.15 + 0.85 * weight


class ContextArcs(VGroup):
    """Arcs above (or below) token anchors, from earlier tokens to later tokens.

    Parameters
    ----------
    anchors
        Token index -> the mobject that stands for that token.
    pattern
        ``[query, key]`` attention weights of the whole sentence.
    queries
        Query tokens that receive arcs (default: every anchored token).
    min_weight
        Weaker connections are not drawn.
    side
        ``UP`` (default) or ``DOWN``: where the arcs bulge.
    color
        Arc colour.
    max_height
        Long arcs are flattened so that none rises higher than this.
    """

    def __init__(
        self,
        anchors: Mapping[int, Mobject],
        pattern: np.ndarray,
        queries: Sequence[int] | None = None,
        *,
        min_weight: float = 0.05,
        side: np.ndarray = UP,
        color: ManimColor = palette.QUERY,
        max_height: float | None = None,
    ) -> None:
        super().__init__()
        self.pattern = np.asarray(pattern)
        queries = list(anchors) if queries is None else list(queries)
        self._arcs: dict[tuple[int, int], CurvedArrow] = {}
        sign = 1 if side[1] > 0 else -1
        for j in queries:
            if j not in anchors:
                continue
            for i in anchors:
                weight = float(self.pattern[j, i])
                if i >= j or weight < min_weight:
                    continue
                start = anchors[i].get_edge_center(side) + 0.05 * side
                end = anchors[j].get_edge_center(side) + 0.05 * side
                width, opacity = arc_style(weight)
                angle = ARC_ANGLE
                if max_height is not None:  # an arc over chord c rises c/2 * tan(angle/4)
                    chord = float(np.linalg.norm(end - start))
                    angle = min(angle, 4 * np.arctan(2 * max_height / max(chord, 1e-6)))
                arc = CurvedArrow(
                    start,
                    end,
                    angle=-sign * angle,
                    color=color,
                    stroke_width=width,
                    tip_length=0.12 + 0.1 * weight,
                )
                arc.set_stroke(opacity=opacity)
                arc.get_tip().set_fill(opacity=opacity).set_stroke(opacity=opacity)
                self._arcs[(i, j)] = arc
                self.add(arc)

    @classmethod
    def over_row(
        cls, row: TokenRow, pattern: np.ndarray, queries: Sequence[int] | None = None, **kwargs
    ) -> ContextArcs:
        """Arcs between the boxes of a token row."""
        return cls({i: row.get_box(i) for i in row.shown}, pattern, queries, **kwargs)

    def get_arc(self, i: int, j: int) -> CurvedArrow:
        """The arc from key token ``i`` into query token ``j``."""
        return self._arcs[(i, j)]

    def pairs(self) -> list[tuple[int, int]]:
        """Every drawn (key, query) pair."""
        return list(self._arcs)

    def weight(self, i: int, j: int) -> float:
        """The pattern weight an arc stands for."""
        return float(self.pattern[j, i])

    def strongest(self) -> tuple[int, int] | None:
        """The drawn (key, query) pair of the largest weight (None if none is drawn):
        what a caption may call "the strongest" arc."""
        return max(self._arcs, key=lambda p: self.weight(*p), default=None)

    def create(self, lag_ratio: float = 0.1) -> Animation:
        """Arcs draw one after another, weakest first."""
        order = sorted(self._arcs, key=lambda p: self.weight(*p))
        return together([Write(self._arcs[p]) for p in order], lag_ratio=lag_ratio)
