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


class _Chord:
    """The straight line from an arc's start to its end, and the circular arcs over it
    (heights measured from the chord, at right angles to it)."""

    def __init__(self, start: np.ndarray, end: np.ndarray) -> None:
        self.start, self.end = np.asarray(start, float), np.asarray(end, float)
        along = self.end - self.start
        self.length = max(float(np.linalg.norm(along)), 1e-6)
        self.direction = along / self.length
        self.middle = (self.start + self.end) / 2

    def middle_along(self, other: _Chord) -> float:
        """Where this chord's middle lies along ``other``, from ``other``'s middle."""
        return float((self.middle - other.middle) @ other.direction)

    def angle_for(self, height: float) -> float:
        """The angle a circular arc over this chord turns through to rise ``height``."""
        return float(4 * np.arctan(2 * height / self.length))

    def rise_at(self, height: float, offset: float) -> float:
        """How high an arc of apex ``height`` is at ``offset`` from the chord's middle."""
        half = self.length / 2
        if abs(offset) >= half:
            return 0.0
        radius = (half**2 + height**2) / (2 * height)
        return float(np.sqrt(radius**2 - offset**2) - (radius - height))

    def height_passing(self, offset: float, clearance: float, height: float) -> float:
        """The lowest apex height from ``height`` up (at most a half circle) at which the
        arc is ``clearance`` high at ``offset`` from the middle."""
        top = self.length / 2
        if height >= top or self.rise_at(height, offset) >= clearance:
            return height
        if self.rise_at(top, offset) < clearance:
            return top
        low, high = height, top
        for _ in range(40):
            mid = (low + high) / 2
            low, high = (low, mid) if self.rise_at(mid, offset) >= clearance else (mid, high)
        return high


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
    label_room
        Height kept free over each arc's apex for its label (:meth:`apex`): a longer arc
        that would run through that room, over the label's width (``label_width``), is
        raised until it passes above it (default 0: arcs keep their own height). A
        shorter arc is lower than a longer one's apex, so it passes under its label.
    label_width
        Width of that room, centred on the apex.
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
        label_room: float = 0.0,
        label_width: float = 0.0,
    ) -> None:
        super().__init__()
        self.pattern = np.asarray(pattern)
        queries = list(anchors) if queries is None else list(queries)
        self._arcs: dict[tuple[int, int], CurvedArrow] = {}
        self._side = side
        sign = 1 if side[1] > 0 else -1
        ends = {
            (i, j): (
                anchors[i].get_edge_center(side) + 0.05 * side,
                anchors[j].get_edge_center(side) + 0.05 * side,
            )
            for j in queries
            if j in anchors
            for i in anchors
            if i < j and float(self.pattern[j, i]) >= min_weight
        }
        chords = {pair: _Chord(*points) for pair, points in ends.items()}
        rise: dict[tuple[int, int], float] = {}
        for pair in sorted(chords, key=lambda p: chords[p].length):  # inner arcs first
            chord = chords[pair]
            height = chord.length / 2 * np.tan(ARC_ANGLE / 4)  # an arc turning ARC_ANGLE
            if max_height is not None:
                height = min(height, max_height)
            for inner, inner_height in rise.items() if label_room > 0 else ():
                apex = chords[inner].middle_along(chord)
                for offset in (apex - label_width / 2, apex, apex + label_width / 2):
                    passing = chord.rise_at(height, offset)
                    if inner_height < passing < inner_height + label_room:  # through it
                        height = chord.height_passing(offset, inner_height + label_room, height)
            rise[pair] = height
        for (i, j), chord in chords.items():
            weight = float(self.pattern[j, i])
            width, opacity = arc_style(weight)
            arc = CurvedArrow(
                chord.start,
                chord.end,
                angle=-sign * chord.angle_for(rise[(i, j)]),
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

    def apex(self, i: int, j: int) -> np.ndarray:
        """The highest point of the arc from ``i`` into ``j`` (the lowest, for arcs
        below): where its label goes, with ``label_room`` kept free above it."""
        arc = self.get_arc(i, j)
        points = np.array([arc.point_from_proportion(t) for t in np.linspace(0, 1, 101)])
        return points[np.argmax(points @ self._side)]

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
