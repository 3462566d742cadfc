"""The formula is coloured by the legend, and Typst code cannot get in."""

from __future__ import annotations

import pytest

from scenes.components import palette
from scenes.components.formula import attention_formula, colored


def test_attention_formula_colours_q_k_v():
    formula = attention_formula()
    colors = {m.get_color() for m in formula.submobjects}
    assert {palette.QUERY, palette.KEY, palette.VALUE} <= colors


def test_typst_code_is_refused():
    with pytest.raises(ValueError):
        colored('#read("/etc/passwd")')
