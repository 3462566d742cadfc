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


def test_a_column_adds_up_and_keeps_its_quoted_weights_plainly_rounded():
    """Review H2: 0.4238 was written 0.43 in the grid (the unit the column needed went to
    the largest remainder) and 0.42 everywhere else; the unit goes to a weight no caption
    quotes when one is near enough."""
    from scenes.components.entries import QUOTED_WEIGHT, adding_up, columns_adding_up

    column = np.array([0.4238, 0.5437, 0.0325])
    assert np.round(column, 2).sum() == pytest.approx(0.99)  # plain rounding misses 1.00
    plain = adding_up([column[[k]] for k in range(3)], np.array([1.0]), 2)
    assert [float(v[0]) for v in plain] == [0.43, 0.54, 0.03]  # Hamilton alone
    drawn = columns_adding_up(column[:, None], np.ones((3, 1), bool), 2)[:, 0]
    np.testing.assert_allclose(drawn, [0.42, 0.54, 0.04])
    assert drawn.sum() == pytest.approx(1.0)
    assert np.all(np.abs(drawn - column) < 0.01)  # each within one unit
    quoted = column >= QUOTED_WEIGHT
    assert np.all(drawn[quoted] == np.round(column[quoted], 2))


@pytest.mark.parametrize("seed", range(40))
def test_columns_always_add_up_within_one_unit_whatever_is_kept(seed):
    from scenes.components.entries import columns_adding_up

    rng = np.random.default_rng(seed)
    values = rng.dirichlet(np.full(9, 0.3), size=5).T  # (keys, queries), columns sum to 1
    drawn = columns_adding_up(values, np.ones(values.shape, bool), 2)
    np.testing.assert_allclose(drawn.sum(axis=0), 1.0)
    assert np.all(np.abs(drawn - values) < 0.01 + 1e-12)
