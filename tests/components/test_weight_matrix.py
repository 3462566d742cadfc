"""A weight matrix shows real entries times a printed power of ten."""

from __future__ import annotations

import numpy as np

from scenes.components import palette
from scenes.components.entries import signed
from scenes.components.weight_matrix import WeightMatrix, display_exponent, factor_text


def test_entries_are_real_entries_scaled_by_the_printed_factor(fluffy_trace):
    W = fluffy_trace.head("adjective-noun").weights.W_Q
    matrix = WeightMatrix(W, (0, 1, -1), (0, 1, 2, -1), kind="query", label="W_Q")
    assert matrix.exponent == display_exponent(W) == 3  # entries are O(10^-3)
    assert matrix.get_factor().text == factor_text(3).replace(" ", "") == "\u00d710\u207b\u00b3"
    for r in matrix.rows:
        for c in matrix.cols:
            assert matrix.get_entry(r, c).text == signed(W[r, c] * 1e3, 1)
    assert np.allclose(
        matrix.displayed, np.round(W[np.ix_([0, 1, 127], [0, 1, 2, 12287])] * 1e3, 1)
    )
    assert len(matrix.ellipses) == 4 + 3  # a dots row under 4 columns, a dots column by 3 rows
    assert matrix.get_brackets()[0].get_stroke_color() == palette.QUERY


def test_unscaled_matrix_has_no_factor():
    matrix = WeightMatrix(np.arange(12.0).reshape(3, 4) - 5, (0, 1, 2), (0, 1, 2, 3), exponent=0)
    assert matrix.get_factor() is None
    assert matrix.get_entry(0, 0).text == signed(-5.0, 1)
