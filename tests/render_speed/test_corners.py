"""Rounded corners kept by shape (render_speed/corners.py) are ManimCE's rounded
corners."""

from __future__ import annotations

import numpy as np
import pytest
from manim import RIGHT, UP, Polygon, Rectangle, RegularPolygon, Star

from render_speed import corners


def _manim(shape, *args):
    """ManimCE's own rounding of a copy of ``shape``."""
    copy = shape.copy()
    corners._ORIGINAL(copy, *args)
    return copy.points


SHAPES = [
    lambda: Rectangle(width=1.2, height=0.5),
    lambda: Rectangle(width=1.2, height=0.5).shift(2 * RIGHT + UP),  # same size, moved
    lambda: Rectangle(width=3.0, height=0.42),
    lambda: RegularPolygon(6),
    lambda: Star(outer_radius=2),
    lambda: Polygon([0, 0, 0], [2, 0, 0], [2, 0, 0], [0, 1, 0]),  # a repeated vertex
]
ARGS = [(0.1,), (0.25, True), ([0.1, 0.3], False, 3), (0,)]


@pytest.mark.parametrize("make", SHAPES)
@pytest.mark.parametrize("args", ARGS)
def test_kept_corners_are_manims_corners(make, args):
    corners.install()
    expected = _manim(make(), *args)
    for _ in range(2):  # computed, then kept
        shape = make()
        assert shape.round_corners(*args) is shape
        assert shape.points.shape == expected.shape
        assert np.array_equal(shape.points, expected)


def test_a_kept_shape_is_not_shared():
    corners.install()
    first = Rectangle(width=1.0, height=0.5).round_corners(0.1)
    second = Rectangle(width=1.0, height=0.5).round_corners(0.1)
    second.shift(RIGHT)  # moving one must not move the other, nor what is kept
    third = Rectangle(width=1.0, height=0.5).round_corners(0.1)
    assert np.array_equal(first.points, third.points)
    assert not np.array_equal(first.points, second.points)
