"""Text that is always drawn literally: never TeX, Typst or Pango markup.

User sentences reach the screen only through :func:`literal`, which uses
manim's plain ``Text`` (Pango without markup parsing), so ``<b>``, ``$x$``,
``\\input{...}`` or ``#read(...)`` appear as the characters they are.

Text in a right-to-left script (Hebrew, Arabic, ...) is laid out by Pango as a
right-to-left paragraph, which manim's canvas does not show: a Hebrew word drew
nothing at all. :func:`literal` starts each line of such text with a LEFT-TO-RIGHT
MARK (invisible), so the paragraph runs left to right while the words themselves keep
their right-to-left order and their shaping (see :func:`as_drawn`); ``.text`` stays
the text as given.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import textwrap
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from html import escape

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UP,
    ManimColor,
    MarkupText,
    SVGMobject,
    Text,
    VGroup,
    VMobject,
    tempconfig,
)

from attention_math.errors import InputError

from . import palette
from .glyphs import COMPOSABLE, SHEET_SIZE, sheet

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


def literal(
    text: str, font_size: float = palette.LARGE, color=palette.TEXT, mono: bool = False, **kwargs
) -> Text:
    """Plain text, drawn as written (no markup of any kind).

    Each distinct text is parsed once per process; later calls get a copy (parsing a
    ``Text`` costs tens of milliseconds, a copy of a lightened one well under one).
    """
    text = str(text)
    if _composable(text, kwargs):
        return _compose(text, font_size, color, MONO if mono else FONT, **kwargs)
    key = (text, font_size, repr(color), mono, repr(sorted(kwargs.items())))
    if key not in _TEXTS:
        font = MONO if mono else FONT
        drawn = as_drawn(text)
        mob = Text(drawn, font=font, font_size=font_size, color=color, **kwargs)
        if drawn != text:  # what callers see: the text as given, as Text keeps it
            mob.original_text, mob.text = text, as_text_keeps(text)
        _TEXTS[key] = lighten(mob)
    return _TEXTS[key].copy()


_TEXTS: dict[tuple, Text] = {}


def paragraph(
    text: str, width: int = 46, font_size: float = palette.LABEL, color=palette.TEXT
) -> VGroup:
    """``text`` as left-aligned lines of plain text, at most ``width`` characters each."""
    rows = textwrap.wrap(text, width, break_on_hyphens=False)
    lines = [literal(line, font_size=font_size, color=color) for line in rows]
    return VGroup(*lines).arrange(DOWN, aligned_edge=LEFT, buff=0.14)


def as_text_keeps(text: str) -> str:
    """``text`` as manim's ``Text`` keeps it in ``.text``: without spaces or line breaks."""
    return text.replace("\t", " ").replace(" ", "").replace("\n", "")


# The lesson's matrix names, W_Q, W_K, W_V, W_O, W_V↑, W_V↓, written with a subscript
MATRIX_NAME = re.compile(r"\bW_([QKVO])([↑↓]?)")
_QUOTED = re.compile(r"(“[^”]*”)")  # a quoted word of the sentence: always left as it is


def _subscript(name: re.Match) -> str:
    letter, arrow = name.groups()
    return f"W<sub>{letter}</sub>" + (f"<sup>{arrow}</sup>" if arrow else "")


def with_notation(text: str, font_size: float = palette.BODY, color=palette.TEXT, **kwargs):
    """The lesson's own wording, ``text``, with its matrix names set as W and a subscript
    letter (W_Q drawn as W with a small Q below); everything else literal, as
    :func:`literal` draws it. Quoted words of the sentence (“…”) are never touched, and
    the text is escaped before the subscripts are the only markup added, so nothing a
    user wrote can become markup. ``.text`` is the text as :func:`literal` keeps it."""
    text = str(text)
    parts = _QUOTED.split(text)
    if is_right_to_left(text) or not any(MATRIX_NAME.search(p) for p in parts[::2]):
        return literal(text, font_size=font_size, color=color, **kwargs)
    key = ("notation", text, font_size, repr(color), repr(sorted(kwargs.items())))
    if key not in _TEXTS:
        markup = "".join(
            escape(part) if k % 2 else MATRIX_NAME.sub(_subscript, escape(part))
            for k, part in enumerate(parts)
        )
        mob = MarkupText(markup, font=FONT, font_size=font_size, color=color, **kwargs)
        mob.original_text, mob.text = text, as_text_keeps(text)
        _TEXTS[key] = lighten(mob)
    return _TEXTS[key].copy()


LRM = "\u200e"  # LEFT-TO-RIGHT MARK
_RIGHT_TO_LEFT = frozenset({"R", "AL"})
_SKIN_TONES = frozenset(chr(c) for c in range(0x1F3FB, 0x1F400))  # emoji modifiers
# where Pango starts a new paragraph (each with a direction of its own)
_LINE_BREAK = re.compile("\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def is_right_to_left(text: str) -> bool:
    """Whether ``text`` has a character of a right-to-left script (Hebrew, Arabic, ...)."""
    return any(unicodedata.bidirectional(ch) in _RIGHT_TO_LEFT for ch in text)


def as_drawn(text: str) -> str:
    """``text`` as given to Pango, which draws it as written with two changes:

    * text with right-to-left words starts, and so does every line of it, with a
      LEFT-TO-RIGHT MARK, or Pango lays them out where manim does not look (nothing
      is drawn);
    * a skin-tone modifier after an emoji is left out: the emoji font draws outlines
      in one colour, and without a ligature for the pair it drew the modifier as a
      large textured square next to the emoji.
    """
    if any(ch in _SKIN_TONES for ch in text):
        text = "".join(
            ch
            for n, ch in enumerate(text)
            if ch not in _SKIN_TONES or n == 0 or text[n - 1].isspace()
        )
    if not is_right_to_left(text):
        return text
    return LRM + _LINE_BREAK.sub(lambda m: m[0] + LRM, text)


# Running text and numbers are put together from glyphs that Pango drew once per
# font (a "sheet", see glyphs.py), instead of a Pango + SVG round trip per label, which
# costs tens of milliseconds per label and dominated the render time of the grids and
# captions. Only characters in COMPOSABLE take this path.
_COMPOSABLE = frozenset(COMPOSABLE)


class ComposedText(VGroup):
    """Text assembled from pre-drawn glyphs; looks like ``Text`` with the same font
    (same glyphs, advances and baseline; no kerning pairs).

    The glyphs of each run of one colour form a single path (one submobject per
    colour), so the renderer draws one shape per label instead of one per character:
    that is most of the cost of a frame full of numbers. ``.text`` is the string
    without spaces or line breaks, as for ``Text``; ``.glyph_count`` its glyphs.
    """

    def __init__(self, text: str, runs: list, glyph_count: int, **kwargs):
        super().__init__(*runs, **kwargs)
        self.original_text = text
        self.text = "".join(text.split())
        self.glyph_count = glyph_count
        self._baseline_at = 0.0  # as a fraction of the height, from the bottom

    def get_baseline(self) -> float:
        """The y of the (first line's) baseline, wherever the text has moved or scaled."""
        return self.get_bottom()[1] + self._baseline_at * self.height


# What :func:`literal` returns: for finding the labels among a scene's mobjects.
TEXT_TYPES = (Text, MarkupText, ComposedText)


def _composable(text: str, kwargs: dict) -> bool:
    return (
        set(kwargs) <= {"line_spacing", "t2c"}
        and bool(text.strip())
        and all(ch in _COMPOSABLE or ch in " \n" for ch in text)
    )


def _compose(
    text: str, font_size: float, color, font: str, line_spacing: float = -1, t2c: dict | None = None
) -> ComposedText:
    glyphs = sheet(font)
    outlines = glyphs.outlines(text, line_spacing)
    colors = [ManimColor(color)] * len(outlines)
    if t2c:
        glyph_of, count = [], 0  # the glyph of each character (spaces have none)
        for ch in text:
            glyph_of.append(count)
            count += not ch.isspace()
    for part, part_color in (t2c or {}).items():  # colour every occurrence, as Text does
        start = text.find(part)
        while part and start >= 0:
            for n in range(start, start + len(part)):
                if not text[n].isspace():
                    colors[glyph_of[n]] = ManimColor(part_color)
            start = text.find(part, start + 1)
    runs, first = [], 0
    for n in range(1, len(outlines) + 1):
        # (comparing colours is slow: most glyphs share the very same colour object)
        if n == len(outlines) or (colors[n] is not colors[first] and colors[n] != colors[first]):
            run = VMobject(fill_color=colors[first], fill_opacity=1.0, stroke_width=0)
            run.set_points(np.vstack(outlines[first:n]))
            runs.append(run)
            first = n
    mob = ComposedText(text, runs, len(outlines))
    baseline = glyphs.baseline  # in sheet coordinates, like the outlines
    mob._baseline_at = (baseline - mob.get_bottom()[1]) / mob.height if mob.height else 0.0
    return mob.scale(font_size / SHEET_SIZE, about_point=ORIGIN).center()


def lighten(mob: SVGMobject) -> SVGMobject:
    """Drop what ``Text`` (or a Typst formula) keeps only from parsing its SVG: the
    element tree behind every glyph.

    Every animation copies its mobjects, and copying that tree cost a short label far
    more than its glyphs (docs/performance.md). What is drawn, ``.text`` and the
    glyphs are unchanged. (Select Typst parts before lightening.)
    """
    mob.id_to_vgroup_dict = {}
    for part in mob.get_family():
        if hasattr(part, "path_obj"):
            part.path_obj = None
    return mob


class Number(VGroup):
    """A number with thousands separators drawn like :func:`literal` text, that can
    change value (``set_value``, e.g. in a count-up) cheaply.

    Its one submobject is the drawn :class:`ComposedText`; a new value keeps the left end
    and the baseline where they were, and any scaling applied since.
    """

    def __init__(
        self, value: float, decimals: int = 1, font_size: float = palette.BODY, color=palette.TEXT
    ):
        super().__init__()
        self.decimals, self.font_size, self.number_color = decimals, font_size, color
        self.value = value
        self._drawn_height = 0.0
        self.add(self._draw(value))

    def text_of(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}".replace("-", "\u2212")

    def _draw(self, value: float) -> ComposedText:
        mob = literal(self.text_of(value), font_size=self.font_size, color=self.number_color)
        self._drawn_height = mob.height
        return mob

    def get_value(self) -> float:
        return self.value

    def get_baseline(self) -> float:
        return self.submobjects[0].get_baseline()

    def set_value(self, value: float) -> Number:
        old = self.submobjects[0]
        factor = old.height / self._drawn_height if self._drawn_height else 1.0
        new = self._draw(value).scale(factor)
        new.shift(
            (old.get_left()[0] - new.get_left()[0]) * RIGHT
            + (old.get_baseline() - new.get_baseline()) * UP
        )
        self.value = value
        self.submobjects = [new]
        # An animation running now (a count-up) draws the family members it listed when
        # it began, the old digits among them: hide them, or they show through the new.
        old.set_opacity(0)
        return self


def number(
    value: float, decimals: int = 1, font_size: float = palette.BODY, color=palette.TEXT
) -> Number:
    """A number drawn like :func:`literal` text (no LaTeX), with thousands separators."""
    return Number(float(value) if decimals else int(value), decimals, font_size, color)


@lru_cache(maxsize=4096)
def _has_glyph(char: str) -> bool:
    """Whether any installed font (what Pango falls back to) draws ``char``."""
    try:
        result = subprocess.run(
            ["fc-list", f":charset={ord(char):x}", "family"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return True  # cannot tell; let Pango try
    return bool(result.stdout.strip())


_INVISIBLE = frozenset("\u200c\u200d" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no installed font can draw (they would show as boxes)."""
    return [
        ch
        for ch in dict.fromkeys(text)
        if ord(ch) > 0x7E and not ch.isspace() and ch not in _INVISIBLE and not _has_glyph(ch)
    ]


def check_drawable(texts: Iterable[str], words: Iterable[str] = ()) -> None:
    """Refuse, before anything is rendered, user text that would not show: characters
    no installed font has (boxes), and ``words`` (labels of their own: the tokens) that
    Pango draws as nothing at all (a blank Braille pattern, a Hangul filler), which
    would leave empty boxes or break the layout of a grid. One-line
    :class:`~attention_math.InputError` naming the characters."""
    for text in texts:
        missing = missing_glyphs(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
            raise InputError(f"no installed font can draw {shown}; remove these characters")
    exotic = [w for w in dict.fromkeys(words) if w.strip() and not _composable(w, {})]
    if not exotic:
        return
    with tempfile.TemporaryDirectory(prefix="attention-text-") as tmp:
        with tempconfig({"text_dir": tmp}):  # not manim's cache: only a check
            for word in exotic:
                if not literal(word).family_members_with_points():
                    codes = " ".join(f"U+{ord(c):04X}" for c in word[:6])
                    raise InputError(f"the word {word!r} ({codes}) draws nothing; remove it")
