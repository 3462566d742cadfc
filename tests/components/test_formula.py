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


def test_formula_lines_are_equally_thick_in_every_copy_and_resolution():
    # ManimCE sets a Typst line's width from the resolution when a formula is built,
    # and not at all when the formula comes from its cache: the second KᵀQ/√d_k of a
    # render had a root sign half as thick as the first.
    from manim import tempconfig

    from scenes.components.formula import colored

    def line_widths(formula):
        return [
            m.get_stroke_width()
            for m in formula.family_members_with_points()
            if m.get_stroke_width()
        ]

    expression = "{{ K : k }}^T {{ Q : q }} \\/ sqrt(d_k)"
    first = line_widths(colored(expression, font_size=34))
    again = line_widths(colored(expression, font_size=34))
    with tempconfig({"pixel_width": 854, "pixel_height": 480}):
        low = line_widths(colored(expression, font_size=34))
    assert first and first == again == low
    assert all(0.5 < w < 3 for w in first)  # a hairline at 1080p, like the glyph strokes


def test_fonts_loaded_once_give_the_same_formula_as_a_plain_compile(tmp_path):
    # Typst loads every installed font per compile unless given the loaded fonts; both
    # ways must draw the same formula (here: the same SVG, byte for byte).
    from manim import MathTypst, tempconfig

    from scenes.components.formula import ATTENTION, typst

    svgs = []
    for name, build in (
        ("plain", lambda: MathTypst(ATTENTION)),  # manim's own call: fonts found per compile
        ("ours", lambda: typst(ATTENTION)),
    ):
        with tempconfig({"tex_dir": str(tmp_path / name)}):
            build()
        svgs.append({p.name: p.read_bytes() for p in (tmp_path / name).glob("*.svg")})
    assert svgs[0] == svgs[1] and len(svgs[0]) >= 2  # the formula and its colour probes


def test_formulas_built_anew_are_the_ones_manims_cache_gives():
    # typst() builds every formula afresh instead of from ManimCE's SVG cache: the
    # same submobjects with the same points as a copy from that cache.
    from manim import MathTypst

    from scenes.components.formula import ATTENTION, installed_fonts, typst

    MathTypst(ATTENTION, font_size=40, font_paths=installed_fonts())  # now in the cache
    cached = MathTypst(ATTENTION, font_size=40, font_paths=installed_fonts())
    ours = typst(ATTENTION, font_size=40)
    a, b = cached.family_members_with_points(), ours.family_members_with_points()
    assert len(a) == len(b) > 10
    assert all(x.points.shape == y.points.shape for x, y in zip(a, b, strict=True))
    assert all((x.points == y.points).all() for x, y in zip(a, b, strict=True))
