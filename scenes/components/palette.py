"""The colour legend and the type scale, in one place: the same meaning in every scene.

Colours (video-spec.md): query yellow, key teal, value red (value-down darker, value-up
lighter), output matrix pink, original embedding E grey, updated embedding E' teal,
delta E yellow, masking red, a head's sink (a slot with no value) slate. Matrix
entries: brightness encodes magnitude, hue the sign (positive blue, negative red).

Type scale: every text size of the lesson is one of the named font sizes below, from
:data:`FOOTNOTE` (16) to :data:`TITLE` (48), passed as ``font_size``::

    literal("keys: English", font_size=palette.BODY, color=palette.KEY)
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
SINK = ManimColor("#8A8FA3")  # slate: a head's sink, the slot with no value

ADJECTIVE = ManimColor("#7CC96B")  # token tint for adjectives
NOUN = ManimColor("#5B8DEF")  # token tint for nouns
VERB = ManimColor("#C58AF9")  # token tint for verbs
PRONOUN = ManimColor("#F4A259")  # token tint for pronouns
NEUTRAL = GREY_D

POSITIVE = BLUE
NEGATIVE = ManimColor("#E0524C")
TEXT = ManimColor("#ECECEC")
DIM_TEXT = GREY_B

# Type scale: font sizes (manim's ``font_size``), each named for what it is used for.
FOOTNOTE = 16  # marks inside small cells, the smallest labels
NOTE = 18  # notes around a picture: axis numbers, the names of small thumbnails
SMALL = 20  # secondary lines: explanations under a picture, small legends
LABEL = 22  # labels and matrix entries, a short note beside a picture
BODY = 24  # running text: captions, names under a picture, figures in a count
HEADING = 26  # a beat's heading; a line that names a picture
LARGE = 28  # words and figures that are the picture itself
HEADLINE = 30  # the chapter number on its card; a list that fills the screen
PROMINENT = 34  # the sentence, formula or line a beat is about
DISPLAY = 40  # a figure or formula shown on its own
TITLE = 48  # the chapter title on its card

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
