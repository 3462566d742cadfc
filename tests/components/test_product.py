"""The product's sums are the products of the DRAWN entries, recomputed here from the text."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.entries import MINUS, signed
from scenes.components.product import MatrixVectorProduct
from scenes.components.weight_matrix import WeightMatrix


def read(text: str) -> float:
    """A drawn number back to a float, from the characters on screen."""
    return float(text.replace(MINUS, "-"))


@pytest.fixture(scope="module")
def product(fluffy_trace):
    W = fluffy_trace.head("adjective-noun").weights.W_Q
    matrix = WeightMatrix(W, (0, 1, 2, -1), (0, 1, 2, 3, -1), label="W_Q")
    vector = EmbeddingColumn(fluffy_trace.E[3], (0, 1, 2, 3, -1))
    return MatrixVectorProduct(matrix, vector)


def test_final_entries_are_sums_of_products_of_the_drawn_entries(product):
    m, v = product.matrix, product.vector
    drawn_v = np.array([read(e.text) for e in v.get_entries()])
    for row in m.rows:
        drawn_row = np.array([read(m.get_entry(row, c).text) for c in m.cols])
        expected = float(drawn_row @ drawn_v)
        assert product.get_result_entry(row).text == signed(expected, 2)
        assert read(product.get_result_entry(row).text) == pytest.approx(expected, abs=5e-3)
        running = np.cumsum(drawn_row * drawn_v)
        assert np.allclose(product.running_sums[row], running)
    assert np.allclose(
        product.final_values,
        [np.dot([read(m.get_entry(r, c).text) for c in m.cols], drawn_v) for r in m.rows],
    )


def test_result_is_hidden_until_computed_and_the_animation_fills_it(product):
    entry = product.get_result_entry(0)
    assert entry.get_fill_opacity() == 0
    animation = product.compute_all(detailed_rows=1)
    assert animation.run_time > 2  # the first row is walked through term by term


def test_columns_must_match_the_vector():
    matrix = WeightMatrix(np.ones((3, 5)), (0, 1, 2), (0, 1, 2), exponent=0)
    vector = EmbeddingColumn(np.ones(5), (0, 1, 4))
    with pytest.raises(ValueError):
        MatrixVectorProduct(matrix, vector)
