"""Arrows sit exactly at the projected coordinates of the real vectors."""

from __future__ import annotations

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT

from attention_math.projection import orthonormal_basis, project
from scenes.components.embedding_space import EmbeddingSpace


def oblique(coords, azimuth, elevation):
    """The 3D view, written out independently: turn about z, then tilt."""
    x, y, z = coords
    ca, sa = np.cos(azimuth), np.sin(azimuth)
    return np.array(
        [ca * x - sa * y, np.cos(elevation) * z - np.sin(elevation) * (sa * x + ca * y)]
    )


def test_arrows_are_the_projected_vectors(fluffy_trace):
    vectors = fluffy_trace.E[[3, 1, 2]]  # creature, fluffy, blue
    coords = project(vectors, orthonormal_basis(vectors))  # exact: 3 vectors span 3 dims
    assert np.allclose(coords @ coords.T, vectors @ vectors.T)  # lengths and angles kept
    space = EmbeddingSpace(np.abs(coords).max() * 1.1, size=2.0, azimuth=-0.7, elevation=0.4)
    space.shift(RIGHT * 1.5 + DOWN).scale(0.8)
    for k, name in enumerate(["creature", "fluffy", "blue"]):
        space.add_vector(name, coords[k], label=name)
        start, end = space.coords(name)
        assert np.allclose(end, coords[k]) and np.allclose(start, 0)
        arrow = space.get_arrow(name)
        expected = space.origin[:2] + space.unit * oblique(coords[k], -0.7, 0.4)
        assert np.allclose(arrow.get_end()[:2], expected, atol=1e-6)
        assert np.allclose(arrow.get_start()[:2], space.origin[:2], atol=1e-6)
    assert space.unit == pytest.approx(0.8 * 2.0 / (np.abs(coords).max() * 1.1))


def test_turning_moves_arrows_but_keeps_coordinates():
    space = EmbeddingSpace(2.0)
    space.add_vector("v", [1.0, 0.5, 1.5], start=[0.2, 0.0, 0.1])
    space.turn(0.9).interpolate(1.0)
    start, end = space.coords("v")
    assert np.allclose(end, [1.0, 0.5, 1.5])
    assert np.allclose(space.get_arrow("v").get_end(), space.to_screen(end), atol=1e-6)
    assert np.allclose(space.get_arrow("v").get_start(), space.to_screen(start), atol=1e-6)


def test_flat_space_is_a_plain_scaled_plane():
    space = EmbeddingSpace(4.0, dims=2, size=2.0)
    space.add_vector("q", [2.0, -1.0])
    assert np.allclose(space.get_arrow("q").get_end()[:2], space.origin[:2] + [1.0, -0.5])


def test_label_overlap_agrees_with_manims_box_edges():
    # The overlap test runs for every label pair in every frame of a turn, so it reads
    # each label's points once; it must decide as manim's get_left/right/bottom/top do.
    from scenes.components.embedding_space import _overlap
    from scenes.components.labels import literal

    def by_edges(a, b, pad=0.04):
        return (
            a.get_left()[0] < b.get_right()[0] + pad
            and b.get_left()[0] < a.get_right()[0] + pad
            and a.get_bottom()[1] < b.get_top()[1] + pad
            and b.get_bottom()[1] < a.get_top()[1] + pad
        )

    rng = np.random.default_rng(7)
    a, b = literal("blue fluffy creature"), literal("mole (skin)")
    decisions = []
    for _ in range(400):
        b.move_to(a.get_center() + rng.normal(size=3) * [1.5, 0.3, 0])
        decisions.append(by_edges(a, b))
        assert _overlap(a, b) == decisions[-1]
    assert 50 < sum(decisions) < 350  # both answers were put to the test


def test_labels_sit_by_their_own_tip_and_clear_of_each_other_and_the_arrows():
    from scenes.components.embedding_space import _overlap
    from scenes.components.embedding_space import crosses as _crosses

    space = EmbeddingSpace(3.0, size=3.0)
    tips = {"up": (0.2, 2.5, 0.0), "right": (2.5, 0.3, 0.0), "down": (2.3, -1.5, 0.0)}
    for name, tip in tips.items():
        space.add_vector(name, tip, label=f"label {name}")
    space.add_vector("step", tips["up"], start=tips["right"])  # crosses the picture
    labels = {name: space.get_label(name) for name in tips}
    for name, label in labels.items():
        tip = space.get_arrow(name).get_end()
        box_lo, box_hi = label.get_corner(DOWN + LEFT)[:2], label.get_corner(-DOWN - LEFT)[:2]
        gap = np.linalg.norm(np.maximum(0, np.maximum(box_lo - tip[:2], tip[:2] - box_hi)))
        assert gap < 0.3, name  # next to its tip
        for other_name, other in labels.items():
            if other_name != name:
                assert not _overlap(label, other)
        for arrow in space.arrows:
            a, b = arrow.get_start()[:2], arrow.get_end()[:2]
            assert not _crosses(box_lo, box_hi, a, b), (name, arrow)


def test_an_arrow_through_a_small_label_is_seen_wherever_it_crosses():
    from scenes.components.embedding_space import crosses as _crosses

    # a 6-unit shaft across a box 0.2 wide that lies between where 16 points along it fall
    a, b = np.array([-3.0, 0.0]), np.array([3.0, 0.0])
    lo, hi = np.array([0.1, -0.1]), np.array([0.3, 0.1])
    assert _crosses(lo, hi, a, b)
    assert not _crosses(lo + [0, 0.2], hi + [0, 0.2], a, b)  # just above it
    assert _crosses(lo, hi, np.array([0.2, -1.0]), np.array([0.2, 1.0]))  # straight up
    assert not _crosses(lo, hi, np.array([0.5, -1.0]), np.array([0.5, 1.0]))


def test_a_named_point_has_its_dot_on_the_arrow_tip_as_the_view_turns():
    space = EmbeddingSpace(2.0)
    space.add_vector("plain", [0.4, 0.2, 0.9])
    space.add_vector("named", [1.0, 0.5, 1.5], start=[0.2, 0.0, 0.1], tip_dot=True)
    assert len(space.tips) == 1  # only the arrow asked for one
    dot = space.tips[0]
    for _ in range(2):  # as drawn, and after a turn of the view
        assert np.allclose(dot.get_center(), space.get_arrow("named").get_end(), atol=1e-6)
        space.turn(0.9).interpolate(1.0)
