"""Numbers are written, rounded and read back the same way everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.components.entries import MINUS, fixed, numeral, shown, shown_array, signed


@pytest.mark.parametrize(
    ("value", "decimals", "text"),
    [
        (1.26, 1, "+1.3"),
        (-0.74, 1, f"{MINUS}0.7"),
        (-0.04, 1, "0.0"),
        (0.0, 2, "0.00"),
        (12.345, 2, "+12.35"),
        (-3.0, 0, f"{MINUS}3"),
    ],
)
def test_signed_uses_a_true_minus_and_never_writes_minus_zero(value, decimals, text):
    assert signed(value, decimals) == text


def test_shown_is_the_number_the_reader_sees():
    values = np.array([0.049, -0.051, 2.25, -7.777])
    assert shown_array(values, 1).tolist() == [0.0, -0.1, 2.2, -7.8]  # as Python formats them
    for v in values:
        assert shown(v, 2) == float(fixed(v, 2).replace(MINUS, "-"))


def test_numeral_draws_exactly_the_signed_text():
    assert numeral(-1.26, 2).text == signed(-1.26, 2)
    assert numeral(3.14159, 1, plus=False).text == "3.1"
