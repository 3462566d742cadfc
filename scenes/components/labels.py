"""Text that is always drawn literally: never TeX, Typst or Pango markup.

User sentences reach the screen only through :func:`literal`, which uses
manim's plain ``Text`` (Pango without markup parsing), so ``<b>``, ``$x$``,
``\\input{...}`` or ``#read(...)`` appear as the characters they are.
"""

from __future__ import annotations

from manim import DecimalNumber, Text

from . import palette

FONT = "DejaVu Sans"
MONO = "DejaVu Sans Mono"


def literal(text: str, size: float = 28, color=palette.TEXT, mono: bool = False, **kwargs) -> Text:
    """Plain text, drawn as written (no markup of any kind)."""
    return Text(str(text), font=MONO if mono else FONT, font_size=size, color=color, **kwargs)


def number(value: float, decimals: int = 1, size: float = 24, color=palette.TEXT) -> DecimalNumber:
    """A number drawn with Pango instead of LaTeX (fast, no TeX installation)."""
    return DecimalNumber(
        float(value),
        num_decimal_places=decimals,
        mob_class=Text,
        font_size=size,
        color=color,
        include_sign=False,
    )
