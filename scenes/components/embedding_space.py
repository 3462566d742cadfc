"""An embedding space (3D axes seen at an angle, or 2D axes) with labelled arrows.

Coordinates are passed in: the scene computes them from the real vectors with
:mod:`attention_math.projection`. The picture keeps lengths and angles of those
coordinates (one scale for all axes); the 3D view is a fixed oblique projection
that :meth:`EmbeddingSpace.turn` can rotate about the vertical axis.

Example::

    class Space(Scene):
        def construct(self):
            space = EmbeddingSpace(extent=2.0)
            self.add(space)
            self.play(space.vector("tower", [1.0, 0.5, 1.2], label="tower"))
            self.play(space.turn(0.6))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    ORIGIN,
    RIGHT,
    UP,
    Animation,
    AnimationGroup,
    Arrow,
    DashedLine,
    Dot,
    FadeIn,
    GrowArrow,
    ManimColor,
    Text,
    UpdateFromAlphaFunc,
    VectorizedPoint,
    VGroup,
)

from . import palette
from .labels import literal

# Where a label may sit around its arrow's tip, tried in order: straight beyond the tip,
# then turning away from the arrow's direction by 45° steps, either way.
LABEL_TURNS = tuple(np.pi / 8 * k for k in (0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, 6, -6, 7, -7, 8))
LABEL_GAPS = (0.12, 0.35, 0.7)  # how far from the tip a label's box may stand


class EmbeddingSpace(VGroup):
    """Axes and arrows; every arrow is stored with its data coordinates.

    Parameters
    ----------
    extent
        Largest coordinate (in data units) that must fit; axes run from -extent to extent.
    dims
        3 (oblique 3D view) or 2 (flat).
    size
        Screen length of ``extent``.
    azimuth, elevation
        View angles of the 3D picture (radians).
    title
        Plain-text caption above the axes.
    """

    def __init__(
        self,
        extent: float,
        *,
        dims: int = 3,
        size: float = 2.6,
        azimuth: float = -0.7,
        elevation: float = 0.4,
        title: str | None = None,
        font_size: float = palette.LABEL,
    ) -> None:
        super().__init__()
        if dims not in (2, 3):
            raise ValueError("an embedding space is drawn in 2 or 3 dimensions")
        if extent <= 0:
            raise ValueError("extent must be positive")
        self.dims = dims
        self.extent = extent
        self.azimuth = azimuth
        self.elevation = elevation
        self.font_size = font_size
        # Two invisible points (the origin and the top of the vertical axis) carry the
        # position and scale of the picture through any shift or scaling of the group.
        self._vertical_extent = extent * (np.cos(elevation) if dims == 3 else 1.0)
        self._reference = VGroup(
            VectorizedPoint(ORIGIN),
            VectorizedPoint(UP * size / extent * self._vertical_extent),
        )
        self._coords: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._arrows: dict[str, Arrow] = {}
        self._labels: dict[str, Text] = {}
        self._offsets: dict[str, np.ndarray] = {}
        self._tips: dict[str, Dot] = {}
        self.axes = VGroup(
            *[
                DashedLine(ORIGIN, ORIGIN + RIGHT, stroke_color=palette.NEUTRAL, stroke_width=2)
                for _ in range(dims)
            ]
        )
        self.arrows = VGroup()
        self.tips = VGroup()  # dots on the tips of arrows that name a point
        self.labels = VGroup()
        self.add(self._reference, self.axes, self.arrows, self.tips, self.labels)
        self._place_axes()
        self.title = None
        if title is not None:
            self.title = literal(title, font_size=font_size, color=palette.DIM_TEXT)
            self.title.next_to(self.axes, UP, buff=0.3)
            self.add(self.title)

    # -- projection ------------------------------------------------------------------
    def to_screen(self, coords: Sequence[float]) -> np.ndarray:
        """Screen point of data coordinates (2 or 3 numbers)."""
        c = np.zeros(3)
        c[: self.dims] = np.asarray(coords, dtype=float)[: self.dims]
        if self.dims == 2:
            return self.origin + self.unit * np.array([c[0], c[1], 0.0])
        ca, sa = np.cos(self.azimuth), np.sin(self.azimuth)
        x, y = ca * c[0] - sa * c[1], sa * c[0] + ca * c[1]  # turn about the vertical axis
        screen_y = np.cos(self.elevation) * c[2] - np.sin(self.elevation) * y  # seen from above
        return self.origin + self.unit * np.array([x, screen_y, 0.0])

    def _place_axes(self) -> None:
        for k, axis in enumerate(self.axes):
            end = np.zeros(3)
            end[k] = self.extent
            axis.put_start_and_end_on(self.to_screen(-end), self.to_screen(end))

    def _place_vector(self, name: str) -> None:
        start, end = self._coords[name]
        self._arrows[name].put_start_and_end_on(self.to_screen(start), self.to_screen(end))
        if name in self._tips:
            self._tips[name].move_to(self.to_screen(end))
        if name in self._labels:
            self._labels[name].move_to(self.to_screen(end) + self._offsets[name])

    def _replace(self) -> None:
        self._place_axes()
        for name in self._coords:
            self._place_vector(name)
        for name, label in self._labels.items():  # the view changed: labels may now collide
            self._offsets[name] = self._label_offset(name, label)

    @property
    def origin(self) -> np.ndarray:
        """Screen point of the data origin (follows every move and scaling of the space)."""
        return self._reference[0].get_center()

    @property
    def unit(self) -> float:
        """Screen length of one data unit."""
        top = np.linalg.norm(self._reference[1].get_center() - self.origin)
        return float(top / self._vertical_extent)

    # -- arrows ----------------------------------------------------------------------
    def add_vector(
        self,
        name: str,
        coords: Sequence[float],
        *,
        start: Sequence[float] | None = None,
        color: ManimColor = palette.EMBEDDING,
        label: str | None = None,
        label_color: ManimColor | None = None,
        tip_dot: bool = False,
    ) -> Arrow:
        """Add an arrow from ``start`` (default: the origin) to ``coords``; return it.
        ``tip_dot``: a dot in the label's colour marks the point the arrow reaches (the
        point its label names)."""
        begin = np.zeros(3) if start is None else _as3(start)
        end = _as3(coords)
        self._coords[name] = (begin, end)
        arrow = Arrow(
            self.to_screen(begin),
            self.to_screen(end),
            buff=0,
            color=color,
            stroke_width=5,
            max_tip_length_to_length_ratio=0.2,
            tip_length=0.22,
        )
        self._arrows[name] = arrow
        self.arrows.add(arrow)
        if tip_dot:
            self._tips[name] = Dot(radius=0.07, color=label_color or color)
            self.tips.add(self._tips[name])
        if label is not None:
            text = literal(label, font_size=self.font_size, color=label_color or color)
            self._labels[name] = text
            self.labels.add(text)
        for other, text in self._labels.items():  # the new arrow may cross a label
            self._offsets[other] = self._label_offset(other, text)
        self._place_vector(name)
        return arrow

    def _label_offset(self, name: str, text: Text) -> np.ndarray:
        """Next to the tip: straight beyond it if that spot is free, else the free spot
        closest in angle (turning up to half a turn either way) that touches no earlier
        label, no arrow and no arrowhead; the least crowded spot if none is free."""
        start, end = (self.to_screen(p) for p in self._coords[name])
        direction = end - start
        norm = np.linalg.norm(direction[:2])
        base = np.arctan2(direction[1], direction[0]) if norm > 1e-9 else 0.0
        names = list(self._labels)  # in the order they were added; ``name`` is among them
        others = [self._labels[n] for n in names[: names.index(name)]]
        segments = [
            (self.to_screen(a)[:2], self.to_screen(b)[:2]) for a, b in self._coords.values()
        ]
        heads = [_box(arrow.tip) for arrow in self._arrows.values() if arrow.has_tip()]
        half = np.array([text.width, text.height]) / 2
        best, best_cost = None, np.inf
        # next to the tip first, then a little farther out if every spot there is taken
        for gap, turn in ((gap, turn) for gap in LABEL_GAPS for turn in LABEL_TURNS):
            angle = base + turn
            unit = np.array([np.cos(angle), np.sin(angle)])
            # from the box's centre to its edge along ``unit``, plus a gap
            edge = min(half[0] / max(abs(unit[0]), 1e-9), half[1] / max(abs(unit[1]), 1e-9))
            offset = np.array([*(unit * (gap + edge)), 0.0])
            text.move_to(end + offset)
            lo, hi = end[:2] + offset[:2] - half, end[:2] + offset[:2] + half
            cost = (
                sum(_overlap(text, o) for o in others)
                + sum(crosses(lo, hi, a, b) for a, b in segments)
                + sum(bool(np.all(lo < h_hi) and np.all(h_lo < hi)) for h_lo, h_hi in heads)
            )
            if cost == 0:
                return offset
            if cost < best_cost:
                best, best_cost = offset, cost
        text.move_to(end + best)
        return best

    def vector(self, name: str, coords: Sequence[float], **kwargs) -> Animation:
        """Add an arrow (see :meth:`add_vector`) and return its growing animation."""
        arrow = self.add_vector(name, coords, **kwargs)
        anims: list[Animation] = [GrowArrow(arrow)]
        if name in self._tips:
            anims.append(FadeIn(self._tips[name]))
        if name in self._labels:
            anims.append(FadeIn(self._labels[name], shift=0.1 * UP))
        return AnimationGroup(*anims)

    def get_arrow(self, name: str) -> Arrow:
        return self._arrows[name]

    def get_label(self, name: str) -> Text:
        return self._labels[name]

    def coords(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Data coordinates (start, end) of arrow ``name``."""
        return self._coords[name]

    def names(self) -> list[str]:
        return list(self._coords)

    # -- animations ------------------------------------------------------------------
    def create(self) -> Animation:
        """Axes (and title) appear."""
        parts = [FadeIn(self.axes)]
        if self.title is not None:
            parts.append(FadeIn(self.title, shift=0.1 * DOWN))
        return AnimationGroup(*parts)

    def turn(self, angle: float, run_time: float = 3.0) -> Animation:
        """Rotate the 3D view by ``angle`` about the vertical axis."""
        start = self.azimuth

        def update(space: EmbeddingSpace, alpha: float) -> None:
            space.azimuth = start + alpha * angle
            space._replace()

        return UpdateFromAlphaFunc(self, update, run_time=run_time)


def _as3(coords: Sequence[float]) -> np.ndarray:
    c = np.zeros(3)
    values = np.asarray(coords, dtype=float)
    c[: len(values)] = values
    return c


def crosses(lo: np.ndarray, hi: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the segment from ``a`` to ``b`` passes through the box ``lo``..``hi``,
    exactly (Liang-Barsky clipping: the part of the segment inside each of the four
    half-planes, intersected). Points along it would miss a small box between them."""
    d = b - a
    low, high = 0.0, 1.0
    for p, q in (
        (-d[0], a[0] - lo[0]),
        (d[0], hi[0] - a[0]),
        (-d[1], a[1] - lo[1]),
        (d[1], hi[1] - a[1]),
    ):
        if abs(p) < 1e-12:
            if q <= 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low >= high:
            return False
    return True


def _overlap(a: Text, b: Text, pad: float = 0.04) -> bool:
    """The boxes of ``a`` and ``b`` (as get_left/right/bottom/top see them) come within
    ``pad`` of each other. One pass over each one's points instead of eight (this runs
    for every label pair in every frame of a turn)."""
    (a_lo, a_hi), (b_lo, b_hi) = _box(a), _box(b)
    return bool(np.all(a_lo < b_hi + pad) and np.all(b_lo < a_hi + pad))


def _box(mob: Text) -> tuple[np.ndarray, np.ndarray]:
    points = mob.get_points_defining_boundary()[:, :2]
    return points.min(axis=0), points.max(axis=0)
