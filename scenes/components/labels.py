"""Text that is always drawn literally: never TeX, Typst or Pango markup.

User sentences reach the screen only through :func:`literal`, which uses
manim's plain ``Text`` (Pango without markup parsing), so ``<b>``, ``$x$``,
``\\input{...}`` or ``#read(...)`` appear as the characters they are.
"""

from __future__ import annotations

import subprocess
from functools import lru_cache

from manim import DecimalNumber, SVGMobject, Text

from . import palette

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


def literal(text: str, size: float = 28, color=palette.TEXT, mono: bool = False, **kwargs) -> Text:
    """Plain text, drawn as written (no markup of any kind).

    Each distinct text is parsed once per process; later calls get a copy (parsing a
    ``Text`` costs tens of milliseconds, a copy of a lightened one well under one).
    """
    key = (str(text), size, repr(color), mono, repr(sorted(kwargs.items())))
    if key not in _TEXTS:
        _TEXTS[key] = lighten(
            Text(str(text), font=MONO if mono else FONT, font_size=size, color=color, **kwargs)
        )
    return _TEXTS[key].copy()


_TEXTS: dict[tuple, Text] = {}


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


def _light_text(string: str, **kwargs) -> Text:
    return lighten(Text(string, font=FONT, **kwargs))


def number(value: float, decimals: int = 1, size: float = 24, color=palette.TEXT) -> DecimalNumber:
    """A number drawn with Pango instead of LaTeX (fast, no TeX installation), in the
    same font as :func:`literal` (plain ``Text`` would fall back to a serif font)."""
    return DecimalNumber(
        float(value),
        num_decimal_places=decimals,
        mob_class=_light_text,
        font_size=size,
        color=color,
        include_sign=False,
    )


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
