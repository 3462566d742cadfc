"""User text is drawn literally: markup, TeX and Typst syntax stay characters."""

from __future__ import annotations

import pytest

from scenes.components.labels import literal, missing_glyphs

NASTY = [
    r"\input{/etc/passwd}",
    '#read("/etc/passwd")',
    '<span foreground="red">x</span>',
    "$x$ & % _ { } ~ ^",
    "<b>bold</b> &amp;",
]


@pytest.mark.parametrize("text", NASTY)
def test_literal_draws_every_character(text):
    mob = literal(text)
    visible = "".join(c for c in text if not c.isspace())
    assert mob.text == visible  # manim keeps the characters, without spaces
    assert len(mob.submobjects) == len(visible)  # one glyph per character: nothing parsed


def test_scripts_with_fonts_are_drawable_and_unknown_ones_are_reported():
    assert missing_glyphs("naïve café 猫 القطة חתול नमस्ते") == []
    assert missing_glyphs("tag \U000e0001") == ["\U000e0001"]
