"""Text that is always drawn literally: never TeX, Typst or Pango markup.

User sentences reach the screen only through :func:`literal`, which uses
manim's plain ``Text`` (Pango without markup parsing), so ``<b>``, ``$x$``,
``\\input{...}`` or ``#read(...)`` appear as the characters they are.
"""

from __future__ import annotations

import string
import subprocess
import tempfile
from functools import lru_cache

import numpy as np
from manim import (
    ORIGIN,
    RIGHT,
    UP,
    ManimColor,
    SVGMobject,
    Text,
    VGroup,
    VMobject,
    tempconfig,
)

from . import palette

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


def literal(text: str, size: float = 28, color=palette.TEXT, mono: bool = False, **kwargs) -> Text:
    """Plain text, drawn as written (no markup of any kind).

    Each distinct text is parsed once per process; later calls get a copy (parsing a
    ``Text`` costs tens of milliseconds, a copy of a lightened one well under one).
    """
    text = str(text)
    if _composable(text, kwargs):
        return _compose(text, size, color, MONO if mono else FONT, **kwargs)
    key = (text, size, repr(color), mono, repr(sorted(kwargs.items())))
    if key not in _TEXTS:
        _TEXTS[key] = lighten(
            Text(str(text), font=MONO if mono else FONT, font_size=size, color=color, **kwargs)
        )
    return _TEXTS[key].copy()


_TEXTS: dict[tuple, Text] = {}

# Running text and numbers are put together from glyphs that Pango drew once per
# font (a "sheet"), instead of a Pango + SVG round trip per label, which costs tens
# of milliseconds per label and dominated the render time of the grids and captions.
# Only characters in COMPOSABLE take this path; anything else (other scripts, emoji,
# combining marks) goes through Pango, which shapes it properly.
COMPOSABLE = (
    string.ascii_letters
    + string.digits
    + string.punctuation
    + "\u2212\u00d7\u00b7\u2026\u22ef\u221e\u2013\u2014\u2018\u2019\u201c\u201d"
    + "\u2192\u2190\u2248\u2264\u2265\u00b0\u00e9\u00e8\u00ea\u00e0\u00e7\u2032"
    + "\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089"
    + "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207b"
)
_COMPOSABLE = frozenset(COMPOSABLE)
SHEET_SIZE = 48  # glyphs are drawn at this size and scaled (linear: no hinting in SVG)


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


class _Sheet:
    """The outline of every COMPOSABLE glyph of one font, shifted so that its advance
    starts at x = 0 on the baseline of the sheet, with its advance width.

    Pango draws "00" (the advance of 0), then "0c0c0..." for every character c: the
    distance between the zeros around c is the advance of 0 plus that of c.

    Manim lays text out in a box as wide as the current video and caches the drawing
    under a name that ignores that width, so at a small resolution (the tests render at
    192 x 108 pixels) a sheet would wrap onto two lines, and the wrapped drawing would be
    reused at every resolution. The sheets are therefore drawn on a wide canvas into a
    folder of their own, and each is checked to be one line.
    """

    def __init__(self, font: str):
        self.font = font
        self.advance: dict[str, float] = {}
        self.outline: dict[str, np.ndarray] = {}
        self._pitch: dict[float, float] = {}
        self.baseline = 0.0  # outlines are stored with the bottom of "0" at y = 0
        with (
            tempfile.TemporaryDirectory(prefix="glyph-sheets-") as folder,
            tempconfig({"pixel_width": 3840, "pixel_height": 2160, "text_dir": folder}),
        ):
            pair = Text("00", font=font, font_size=SHEET_SIZE)
            zero = pair[1].get_center()[0] - pair[0].get_center()[0]
            chars = COMPOSABLE + " "  # the space has no glyph, only an advance
            for first in range(0, len(chars), 16):  # short lines: Pango wraps long ones
                self._measure(chars[first : first + 16], zero)
            for spacing in (-1, 0.8):  # the line spacings the scenes use, drawn now too
                self.pitch(spacing)

    def _measure(self, chars: str, zero: float) -> None:
        sheet = Text("0" + "0".join(chars) + "0", font=self.font, font_size=SHEET_SIZE)
        # left to right (Pango may emit a run drawn from another font out of order)
        glyphs = sorted(sheet.submobjects, key=lambda g: g.get_center()[0])
        drawn = len(chars) - chars.count(" ")
        if len(glyphs) != len(chars) + 1 + drawn:
            raise RuntimeError(f"font {self.font!r} does not draw one glyph per character")
        zeros, index = [0], 0
        for ch in chars:
            index += 1 if ch == " " else 2
            zeros.append(index)
        if any(
            len(glyphs[n].points) != len(glyphs[0].points)
            or abs(glyphs[n].get_bottom()[1] - glyphs[0].get_bottom()[1]) > 0.01 * zero
            for n in zeros
        ):  # the zeros must stand on one baseline, every other glyph between two of them
            raise RuntimeError(f"the glyph sheet of {self.font!r} is not drawn on one line")
        # Pango centres each sheet on its own ink, so put every sheet's baseline (where
        # the zeros stand) at y = 0.
        floor = glyphs[0].get_bottom()[1]
        index = 0  # of the zero before ch
        for ch in chars:
            before = glyphs[index].get_center()[0]
            step = 1 if ch == " " else 2
            self.advance[ch] = glyphs[index + step].get_center()[0] - before - zero
            if ch != " ":
                start = before + zero / 2  # where the advance of ch begins
                points = np.vstack(
                    [g.points for g in glyphs[index + 1].family_members_with_points()]
                )
                self.outline[ch] = points - start * RIGHT - floor * UP
            index += step

    def pitch(self, line_spacing: float) -> float:
        """Distance between baselines, as Pango spaces lines for ``line_spacing``."""
        if line_spacing not in self._pitch:
            kwargs = {} if line_spacing == -1 else {"line_spacing": line_spacing}
            two = Text("0\n0", font=self.font, font_size=SHEET_SIZE, **kwargs)
            self._pitch[line_spacing] = two[0].get_center()[1] - two[1].get_center()[1]
        return self._pitch[line_spacing]

    def outlines(self, text: str, line_spacing: float) -> list[np.ndarray]:
        """The placed outline of every non-space character of ``text``, in order."""
        placed = []
        for row, line in enumerate(text.split("\n")):
            x, y = 0.0, -row * self.pitch(line_spacing)
            for ch in line:
                if ch != " ":
                    placed.append(self.outline[ch] + (x * RIGHT + y * UP))
                x += self.advance[ch]
        return placed


_SHEETS: dict[str, _Sheet] = {}

# What :func:`literal` returns: for finding the labels among a scene's mobjects.
TEXT_TYPES = (Text, ComposedText)


def _composable(text: str, kwargs: dict) -> bool:
    return (
        set(kwargs) <= {"line_spacing", "t2c"}
        and bool(text.strip())
        and all(ch in _COMPOSABLE or ch in " \n" for ch in text)
    )


def _compose(
    text: str, size: float, color, font: str, line_spacing: float = -1, t2c: dict | None = None
) -> ComposedText:
    if font not in _SHEETS:
        _SHEETS[font] = _Sheet(font)
    outlines = _SHEETS[font].outlines(text, line_spacing)
    colors = [ManimColor(color)] * len(outlines)
    glyph_of = [sum(1 for ch in text[:n] if not ch.isspace()) for n in range(len(text))]
    for part, part_color in (t2c or {}).items():  # colour every occurrence, as Text does
        start = text.find(part)
        while part and start >= 0:
            for n in range(start, start + len(part)):
                if not text[n].isspace():
                    colors[glyph_of[n]] = ManimColor(part_color)
            start = text.find(part, start + 1)
    runs, first = [], 0
    for n in range(1, len(outlines) + 1):
        if n == len(outlines) or colors[n] != colors[first]:
            run = VMobject(fill_color=colors[first], fill_opacity=1.0, stroke_width=0)
            run.set_points(np.vstack(outlines[first:n]))
            runs.append(run)
            first = n
    mob = ComposedText(text, runs, len(outlines))
    baseline = _SHEETS[font].baseline  # in sheet coordinates, like the outlines
    mob._baseline_at = (baseline - mob.get_bottom()[1]) / mob.height if mob.height else 0.0
    return mob.scale(size / SHEET_SIZE, about_point=ORIGIN).center()


def lighten(mob: SVGMobject) -> SVGMobject:
    """Drop what ``Text`` (or a Typst formula) keeps only from parsing its SVG: the
    element tree behind every glyph.

    Every animation copies its mobjects, and copying that tree made a copy of a short
    label cost about 20 ms; without it, under 1 ms. What is drawn, ``.text`` and the
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

    def __init__(self, value: float, decimals: int = 1, size: float = 24, color=palette.TEXT):
        super().__init__()
        self.decimals, self.size, self.number_color = decimals, size, color
        self.value = value
        self._drawn_height = 0.0
        self.add(self._draw(value))

    def text_of(self, value: float) -> str:
        return f"{value:,.{self.decimals}f}".replace("-", "\u2212")

    def _draw(self, value: float) -> ComposedText:
        mob = literal(self.text_of(value), size=self.size, color=self.number_color)
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
        return self


def number(value: float, decimals: int = 1, size: float = 24, color=palette.TEXT) -> Number:
    """A number drawn like :func:`literal` text (no LaTeX), with thousands separators."""
    return Number(float(value) if decimals else int(value), decimals, size, color)


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


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no installed font can draw (they would show as boxes)."""
    invisible = {"\u200d", "\ufe0f", "\ufe0e"}  # emoji joiners and variation selectors
    return [
        ch
        for ch in dict.fromkeys(text)
        if ord(ch) > 0x7E and not ch.isspace() and ch not in invisible and not _has_glyph(ch)
    ]
