"""VMobject.get_points_defining_boundary with numpy (render_speed/bounds.py) returns the
very array ManimCE builds row by row, for every kind of mobject the chapters use."""

from __future__ import annotations

import numpy as np
import pytest
from manim import (
    Arrow,
    Circle,
    DashedLine,
    Dot,
    Square,
    Text,
    VectorizedPoint,
    VGroup,
    VMobject,
)

from render_speed import bounds
from scenes.components.labels import literal, number


def _mobjects():
    yield literal("Attention: 12,288 × 128", font_size=30)
    yield number(175_181_291_520, decimals=0)
    yield Text("plain")
    yield VGroup(Circle(), Square().shift(2), Dot(), VectorizedPoint([1, 2, 3]))
    yield VGroup(Arrow(), DashedLine([-1, 0, 0], [2, 1, 0]))
    yield VMobject()  # no points at all
    yield VGroup(VMobject(), VGroup())
    yield VectorizedPoint([0.5, -1, 0])  # one point: its own anchor


@pytest.mark.parametrize("mob", list(_mobjects()), ids=lambda m: type(m).__name__)
def test_same_anchors_as_manim(mob):
    ours = bounds.points_defining_boundary(mob)
    manims = bounds._ORIGINAL(mob)
    assert ours.dtype == manims.dtype and ours.shape == manims.shape
    assert np.array_equal(ours, manims)


def test_install_and_uninstall():
    bounds.install()
    assert bounds.installed()
    assert VMobject.get_points_defining_boundary is bounds.points_defining_boundary
    bounds.uninstall()
    assert not bounds.installed()
    assert VMobject.get_points_defining_boundary is bounds._ORIGINAL
