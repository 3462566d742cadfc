"""Numbers are written, rounded and read back the same way everywhere."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.components.entries import (
    MINUS,
    fixed,
    numeral,
    scientific,
    shown,
    shown_array,
    signed,
)


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


@pytest.mark.parametrize("value", [6.2e-15, 1.04e-16, -2.3e-3, 4.5e20, 7.0])
def test_scientific_reads_back_as_the_value_without_programmer_notation(value):
    text = scientific(value)
    assert "e" not in text
    mantissa, power = text.split(" × 10")
    digits = power.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-"))
    back = float(mantissa.replace(MINUS, "-")) * 10 ** int(digits)
    assert back == pytest.approx(value, rel=0.05)
    assert scientific(0.0) == "0"
