"""The colour legend, in one place (video-spec.md): the same meaning in every scene.

Query yellow, key teal, value red (value-down darker, value-up lighter), output
matrix pink, original embedding E grey, updated embedding E' teal, delta E yellow,
masking red. Matrix entries: brightness encodes magnitude, hue the sign
(positive blue, negative red).
"""

from __future__ import annotations

from manim import BLUE, GREY_B, GREY_D, ManimColor, interpolate_color

QUERY = ManimColor("#F7D154")  # yellow
KEY = ManimColor("#3FC1C9")  # teal
VALUE = ManimColor("#E0524C")  # red
VALUE_DOWN = ManimColor("#A8322D")  # darker red
VALUE_UP = ManimColor("#F08A84")  # lighter red
OUTPUT = ManimColor("#E877B5")  # pink
EMBEDDING = ManimColor("#A0A4AB")  # grey: original embedding E
UPDATED = ManimColor("#3FC1C9")  # teal: updated embedding E'
DELTA = ManimColor("#F7D154")  # yellow: delta E
MASK = ManimColor("#D03B3B")  # red: masked (-inf) cells

ADJECTIVE = ManimColor("#7CC96B")  # token tint for adjectives
NOUN = ManimColor("#5B8DEF")  # token tint for nouns
VERB = ManimColor("#C58AF9")  # token tint for verbs
PRONOUN = ManimColor("#F4A259")  # token tint for pronouns
NEUTRAL = GREY_D

POSITIVE = BLUE
NEGATIVE = ManimColor("#E0524C")
TEXT = ManimColor("#ECECEC")
DIM_TEXT = GREY_B

ROLE_TINTS = {
    "adj": ADJECTIVE,
    "noun": NOUN,
    "propn": NOUN,
    "verb": VERB,
    "aux": VERB,
    "pron": PRONOUN,
}


def role_tint(role: str | None) -> ManimColor:
    """Box tint of a token by its role (grey for everything without a tint)."""
    return ROLE_TINTS.get(role or "", NEUTRAL)


def value_color(value: float, scale: float) -> ManimColor:
    """Hue from the sign, brightness from |value| / scale (clipped to 1)."""
    strength = min(abs(float(value)) / scale, 1.0) if scale > 0 else 0.0
    hue = POSITIVE if value >= 0 else NEGATIVE
    return interpolate_color(GREY_D, hue, 0.25 + 0.75 * strength)
