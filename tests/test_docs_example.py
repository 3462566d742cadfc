"""The components guide's example scene (docs/examples/own_numbers.py) renders, and
what it draws is the user's own numbers, checked against scipy."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from render_helpers import render_scene
from scipy.special import softmax

from scenes.components.entries import signed

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "own_numbers.py"


@pytest.fixture(scope="module")
def scene():
    spec = importlib.util.spec_from_file_location("own_numbers", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, render_scene(module.OwnNumbers)


def test_grid_shows_softmax_of_the_users_queries_and_keys(scene):
    module, rendered = scene
    Q, K = module.QUERIES, module.KEYS
    n, d = Q.shape
    grid = rendered.grid
    for j in range(n):  # query column j: softmax over the keys it may see
        visible = np.arange(j + 1)
        expected = softmax(np.array([Q[j] @ K[i] for i in visible]) / np.sqrt(d))
        for i in range(n):
            content = grid.get_content(i, j)
            if i <= j:
                assert grid.value("pattern", i, j) == pytest.approx(expected[i])
                assert grid.dot_radius(expected[i]) == pytest.approx(content.width / 2, rel=1e-3)
            else:
                assert content is None or grid.value("pattern", i, j) == 0.0
    assert [grid.get_key_label(i).text for i in range(n)] == module.WORDS


def test_matrix_and_arrows_are_the_users_numbers(scene):
    module, rendered = scene
    K = module.KEYS
    for r in range(3):
        for c in range(4):
            assert rendered.matrix.get_entry(r, c).text == signed(K.T[r, c], 1)
    start, end = rendered.space.coords("q")
    assert np.allclose(start, 0) and np.allclose(end, module.QUERIES[2])
