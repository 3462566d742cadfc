"""Rounded corners computed once per shape instead of once per rounded rectangle.

ManimCE 0.22 rounds a polygon's corners (``Polygram.round_corners``, behind every
``RoundedRectangle``) by building an ``ArcBetweenPoints`` for each corner and a
``Line`` between each two: about 3.5 ms for a rectangle. This video draws about 500
rounded rectangles (token boxes, frames, slabs), half of them the same size as one
before. The result depends only on the polygon's points and the arguments, so
:func:`install` keeps it, by those, and gives a polygon with the same points the
same rounded points again (tests/render_speed/test_corners.py compares them with
ManimCE's).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np
from manim.mobject.geometry.polygram import Polygram

_ORIGINAL = Polygram.round_corners
KEPT = 1024  # shapes kept (a rounded rectangle is 40 points: well under a megabyte)
_ROUNDED: OrderedDict[tuple, np.ndarray] = OrderedDict()


def round_corners(
    self: Polygram,
    radius: float | list[float] = 0.5,
    evenly_distribute_anchors: bool = False,
    components_per_rounded_corner: int = 2,
) -> Polygram:
    radii = tuple(radius) if isinstance(radius, (list, tuple)) else float(radius)
    key = (
        self.points.shape,
        self.points.tobytes(),
        radii,
        evenly_distribute_anchors,
        components_per_rounded_corner,
    )
    rounded = _ROUNDED.get(key)
    if rounded is None:
        _ORIGINAL(self, radius, evenly_distribute_anchors, components_per_rounded_corner)
        _ROUNDED[key] = self.points.copy()
        if len(_ROUNDED) > KEPT:
            _ROUNDED.popitem(last=False)
    else:
        _ROUNDED.move_to_end(key)
        self.set_points(rounded.copy())
    return self


def install() -> None:
    """Keep rounded corners in every Polygram of this process."""
    Polygram.round_corners = round_corners


def uninstall() -> None:
    """ManimCE's own behaviour again."""
    Polygram.round_corners = _ORIGINAL


def installed() -> bool:
    return Polygram.__dict__["round_corners"] is round_corners
