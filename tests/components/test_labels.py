"""User text is drawn literally: markup, TeX and Typst syntax stay characters."""

from __future__ import annotations

import numpy as np
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
    assert mob.glyph_count == len(visible)  # one glyph per character: nothing parsed


def test_scripts_with_fonts_are_drawable_and_unknown_ones_are_reported():
    assert missing_glyphs("naïve café 猫 القطة חתול नमस्ते") == []
    assert missing_glyphs("tag \U000e0001") == ["\U000e0001"]


# Composed text (glyphs drawn once per font, then copied) against Pango drawing the
# whole string: same glyphs in the same places, up to kerning pairs (a few thousandths
# of a unit; the frame is 8 units high).
COMPOSED = [
    ("\u22120.35", True),
    ("K\u2082\u00b7Q\u2084 \u2212\u221e", True),
    ("The query of a noun, \u201ccurly\u201d \u2014 0.54!", False),
    ("second line is text\nsecond line: 12,288", False),
    (r"\input{/etc/passwd} $x$ & % _ ~ ^", False),
]


@pytest.mark.parametrize("text, mono", COMPOSED)
def test_composed_text_matches_pango(text, mono):
    from manim import Text

    from scenes.components.labels import FONT, MONO, ComposedText

    kwargs = {"line_spacing": 0.8} if "\n" in text else {}
    mob = literal(text, size=24, mono=mono, **kwargs)
    ref = Text(text, font=MONO if mono else FONT, font_size=24, **kwargs)
    assert isinstance(mob, ComposedText) and mob.text == ref.text
    assert mob.glyph_count == len(ref.submobjects)
    ours = np.vstack([m.points for m in mob.family_members_with_points()])
    pango = np.vstack([m.points for m in ref.family_members_with_points()])
    assert ours.shape == pango.shape  # the same outlines, glyph after glyph
    assert np.abs(ours - pango).max() < 0.01  # kerning pairs, rounding: ~1 px at 1080p
    assert mob.width == pytest.approx(ref.width, abs=0.04)


def test_glyph_sheets_do_not_depend_on_the_video_size(tmp_path):
    # Manim lays text out as wide as the video and caches it under a name that ignores
    # the width: a sheet first drawn at the tests' 192 x 108 wrapped, and every later
    # composed label (at any resolution) got the glyphs of other characters.
    from manim import tempconfig

    from scenes.components.glyphs import GlyphSheet
    from scenes.components.labels import FONT

    with tempconfig({"pixel_width": 192, "pixel_height": 108, "text_dir": str(tmp_path)}):
        small = GlyphSheet.draw(FONT)
    wide = GlyphSheet.draw(FONT)
    assert small.outline.keys() == wide.outline.keys()
    for ch, outline in wide.outline.items():
        assert small.outline[ch].shape == outline.shape, ch
        assert np.abs(small.outline[ch] - outline).max() < 1e-6, ch
        assert small.advance[ch] == pytest.approx(wide.advance[ch], abs=1e-6), ch


def test_composed_text_colours_parts_like_t2c():
    from manim import BLUE, RED

    mob = literal("K₂·Q₄", mono=True, t2c={"K₂": BLUE, "Q₄": RED})
    colours = [run.get_fill_color() for run in mob.submobjects]
    assert colours[0] == BLUE and colours[-1] == RED and len(colours) == 3


def test_other_scripts_go_through_pango():
    from manim import Text

    mob = literal("naïve 猫 القطة")
    assert isinstance(mob, Text)


def test_glyph_sheets_are_cached_on_disk_and_rebuilt_when_broken(tmp_path, monkeypatch):
    from scenes.components import glyphs
    from scenes.components.labels import MONO

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(glyphs, "_SHEETS", {})
    drawn = glyphs.sheet(MONO)
    path = glyphs.cache_path(MONO)
    assert path.parent == tmp_path / "attention-visually-explained" and path.exists()
    loaded = glyphs.GlyphSheet.load(MONO, path)
    assert loaded.advance == drawn.advance
    assert all(np.array_equal(loaded.outline[c], drawn.outline[c]) for c in drawn.outline)
    assert loaded.pitch(0.8) == drawn.pitch(0.8)

    whole = path.read_bytes()
    for broken in (b"not a sheet", whole[: len(whole) // 2], b""):  # foreign, torn, empty
        path.write_bytes(broken)
        monkeypatch.setattr(glyphs, "_SHEETS", {})
        assert glyphs.sheet(MONO).advance == drawn.advance  # drawn again, file replaced
        assert glyphs.GlyphSheet.load(MONO, path).advance == drawn.advance


def test_glyph_cache_name_follows_the_installed_fonts(monkeypatch):
    from scenes.components import glyphs

    before = glyphs.cache_path("DejaVu Sans")
    monkeypatch.setattr(glyphs, "_installed_fonts", lambda: "another set of fonts")
    assert glyphs.cache_path("DejaVu Sans") != before
