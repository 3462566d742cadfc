"""Mini pattern: keys are rows and queries columns, dot areas are the weights, masked
cells have no dot."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.components.mini_pattern import MiniPattern

PATTERN = np.array([[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.5, 0.1, 0.4]])  # [query, key]
MASK = np.tril(np.ones((3, 3), dtype=bool))  # key <= query


def test_keys_are_rows_and_dot_area_is_the_weight():
    mini = MiniPattern(PATTERN, MASK, side=3.0, title="head")
    for q in range(3):
        for k in range(3):
            dot = mini.get_dot(k, q)  # row = key, column = query
            if k > q:
                assert dot is None  # masked: the key comes after the query
                continue
            radius = dot.width / 2
            assert radius == pytest.approx(mini.dot_radius(PATTERN[q, k]), rel=1e-3)
            assert np.pi * radius**2 / (np.pi * mini.dot_radius(1.0) ** 2) == pytest.approx(
                PATTERN[q, k], rel=1e-2
            )
    # key 0 is the top row, query 2 the right column
    assert mini.get_dot(0, 2).get_y() > mini.get_dot(2, 2).get_y()
    assert mini.get_dot(0, 2).get_x() > mini.get_dot(0, 0).get_x()
    assert mini.title.get_bottom()[1] > mini.cells.get_top()[1]


def test_zero_weights_draw_no_dot():
    mini = MiniPattern(np.eye(2), np.ones((2, 2), dtype=bool))
    assert mini.get_dot(1, 0) is None and mini.get_dot(0, 0) is not None


def test_a_long_title_is_no_wider_than_the_grid():
    mini = MiniPattern(PATTERN, MASK, side=1.0, title="a very long name for one head")
    assert mini.title.width <= mini.cells.width + 1e-6
    assert mini.width == pytest.approx(mini.cells.width)


def test_positions_draw_a_window_of_the_tokens():
    pattern = np.tril(np.full((5, 5), 0.2))  # [query, key]
    mask = np.tril(np.ones((5, 5), dtype=bool))
    mini = MiniPattern(pattern, mask, side=3.0, positions=range(2, 5))
    assert mini.positions == (2, 3, 4)
    assert len(mini.cells) == 9 and mini.cell == pytest.approx(1.0)
    assert mini.get_dot(0, 4) is None  # key 0 is not drawn
    assert mini.get_dot(2, 4).width / 2 == pytest.approx(mini.dot_radius(0.2), rel=1e-3)
    # key 2 is the top row, query 4 the right column
    assert mini.get_dot(2, 4).get_y() > mini.get_dot(4, 4).get_y()
    assert mini.get_dot(2, 4).get_x() > mini.get_dot(2, 2).get_x()
