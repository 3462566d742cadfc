"""User text is drawn literally: markup, TeX and Typst syntax stay characters."""

from __future__ import annotations

import numpy as np
import pytest

from scenes.components.labels import literal, missing_glyphs, with_notation

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


@pytest.mark.parametrize("text", NASTY)
def test_matrix_names_get_subscripts_and_nothing_else_is_parsed(text):
    said = f"W_Q and W_V↑ meet “W_K{text}” and {text}"
    mob = with_notation(said)
    visible = [c for c in said if not c.isspace()]
    assert mob.text == "".join(visible)
    # every character drawn, less the underscores of the two names outside the quotes
    glyphs = [part for part in mob.family_members_with_points()]
    assert len(glyphs) == len(visible) - 2
    subscript = glyphs[1]  # the Q of W_Q: smaller than the W and lower
    assert subscript.height < 0.9 * glyphs[0].height
    assert subscript.get_bottom()[1] < glyphs[0].get_bottom()[1]


def test_text_without_matrix_names_is_plain_literal_text():
    assert type(with_notation("a W_ b “W_Q”")) is type(literal("a W_ b “W_Q”"))


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
    mob = literal(text, font_size=24, mono=mono, **kwargs)
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
    with np.load(path) as data:  # a valid file whose outlines were changed
        arrays = dict(data)
    arrays["points"] = arrays["points"] * 1.01
    altered = tmp_path / "altered.npz"
    np.savez(altered, **arrays)
    # foreign, torn, empty, and whole but not what was saved
    for broken in (b"not a sheet", whole[: len(whole) // 2], b"", altered.read_bytes()):
        path.write_bytes(broken)
        monkeypatch.setattr(glyphs, "_SHEETS", {})
        assert glyphs.sheet(MONO).advance == drawn.advance  # drawn again, file replaced
        assert glyphs.GlyphSheet.load(MONO, path).advance == drawn.advance


def test_glyph_cache_name_follows_the_installed_fonts(monkeypatch):
    from scenes.components import glyphs

    before = glyphs.cache_path("DejaVu Sans")
    monkeypatch.setattr(glyphs, "_installed_fonts", lambda: "another set of fonts")
    assert glyphs.cache_path("DejaVu Sans") != before


# Other scripts and emoji: Pango laid a right-to-left paragraph (a Hebrew or Arabic
# word) outside manim's canvas, so such a label drew nothing at all, and the grids of
# chapters 3 and 4 failed on a label without points.
EXOTIC = [
    "שלום",  # Hebrew
    "مرحبا",  # Arabic (shaped: joined letters)
    "שָׁלוֹם",  # Hebrew with vowel points
    "ދިވެހި",  # Thaana, right to left
    "नमस्ते",  # Devanagari
    "cafe\u0301",  # a decomposed accent
    "\U0001f468\u200d\U0001f469\u200d\U0001f467",  # a family: emoji joined by ZWJ
    "\U0001f1eb\U0001f1f7",  # a flag (its two regional-indicator letters)
    "\U0001f44d\U0001f3fd",  # a thumb with a skin tone
    "the cat שלום sat",  # mixed directions
]


@pytest.mark.parametrize("text", EXOTIC)
def test_other_scripts_and_emoji_are_drawn(text):
    mob = literal(text)
    assert mob.text == text.replace(" ", "")  # what callers see: the text as given
    drawn = [m for m in mob.family_members_with_points()]
    assert drawn, "nothing drawn"
    latin = literal("abcd")  # about the width of four letters
    assert 0.2 * latin.width < mob.width < 1.5 * latin.width * max(1, len(text) / 4)
    assert 0.5 * latin.height < mob.height < 3 * latin.height


def test_right_to_left_text_reads_right_to_left_inside_left_to_right_lines():
    from scenes.components.labels import LRM, as_drawn

    assert as_drawn("שלום") == LRM + "שלום"
    assert as_drawn("a\nשלום") == f"{LRM}a\n{LRM}שלום"
    assert as_drawn("plain text") == "plain text"
    for lines in ("שלום\nעולם", "שלום\rעולם", "שלום\u2028עולם"):  # every line is drawn
        assert len(literal(lines).family_members_with_points()) == 8, repr(lines)
    # The words keep their order: "the" on the left, "sat" on the right.
    mob = literal("the שלום sat")
    xs = [m.get_center()[0] for m in mob.submobjects]
    assert xs[0] == min(xs) and xs[-1] == max(xs)
    # inside the Hebrew word the letters run right to left: shin (its first) on the
    # right, final mem (its last) on the left; glyphs are told apart by their widths
    hebrew = sorted(mob.submobjects[3:7], key=lambda m: m.get_center()[0])
    expected = [literal(c).width for c in reversed("שלום")]
    assert [m.width for m in hebrew] == pytest.approx(expected, rel=0.02)


def test_a_skin_tone_is_not_drawn_as_a_square_next_to_the_emoji():
    from scenes.components.labels import as_drawn

    thumb, tone = "\U0001f44d", "\U0001f3fd"
    assert as_drawn(thumb + tone) == thumb
    assert as_drawn(tone) == tone  # alone, the swatch is what the character is
    assert literal(thumb + tone).width == pytest.approx(literal(thumb).width, rel=0.01)


@pytest.mark.parametrize("word", ["\u2800", "\u3164", "a \u2800"])
def test_words_that_draw_nothing_are_refused_before_rendering(word):
    from attention_math import InputError
    from scenes.components.labels import check_drawable

    with pytest.raises(InputError, match="draws nothing"):
        check_drawable([word], [w for w in word.split()])


def test_words_that_draw_are_accepted_and_boxes_are_refused():
    from attention_math import InputError
    from scenes.components.labels import check_drawable

    check_drawable(EXOTIC, [w for t in EXOTIC for w in t.split()])
    with pytest.raises(InputError, match="U\\+E0001"):
        check_drawable(["tag \U000e0001"], ["tag"])
