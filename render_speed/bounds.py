"""The anchors that bound a VMobject, gathered by numpy instead of row by row.

Every ``get_center``, ``get_top``, ``next_to``, ``move_to`` or ``width`` of a VMobject
asks ManimCE for the points defining its boundary: the start and end anchor of every
curve of every family member, which ManimCE 0.22 collects as a Python list of rows
and turns back into an array. For a label (one path of hundreds of curves) that took
about a millisecond per call, and such calls are everywhere: placing labels, count-ups
that re-place their digits in every frame, fades that scale. :func:`install` makes
``VMobject.get_points_defining_boundary`` return the same array (the same rows, in
the same order; tests/render_speed/test_bounds.py compares them) built with a few
numpy calls.
"""

from __future__ import annotations

import numpy as np
from manim import VMobject

_ORIGINAL = VMobject.get_points_defining_boundary


def points_defining_boundary(self: VMobject) -> np.ndarray:
    parts = []
    for member in self.get_family():
        points = member.points
        if len(points) == 1:  # a lone point is its own anchor (ManimCE's get_anchors)
            parts.append(points)
            continue
        step = member.n_points_per_cubic_curve
        starts, ends = points[::step], points[step - 1 :: step]
        if len(starts) != len(ends):  # not whole curves: ManimCE's own (it raises)
            return _ORIGINAL(self)
        anchors = np.empty((2 * len(starts), points.shape[1]))
        anchors[0::2], anchors[1::2] = starts, ends  # start, end, start, end, ...
        parts.append(anchors)
    anchors = np.concatenate(parts) if parts else ()
    return anchors if len(anchors) else np.array(())  # ManimCE's for no anchors at all


def install() -> None:
    """Gather bounding anchors with numpy in every VMobject of this process."""
    VMobject.get_points_defining_boundary = points_defining_boundary


def uninstall() -> None:
    """ManimCE's own behaviour again."""
    VMobject.get_points_defining_boundary = _ORIGINAL


def installed() -> bool:
    return VMobject.__dict__["get_points_defining_boundary"] is points_defining_boundary
