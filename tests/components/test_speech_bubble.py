"""A speech bubble points at what speaks, above or below it."""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Square

from scenes.components.speech_bubble import SpeechBubble


def test_the_tail_points_at_the_speaker_from_above_and_below():
    speaker = Square(1.0)
    above = SpeechBubble("Any adjectives in front of me?").attach_to(speaker, UP, buff=0.1)
    assert np.allclose(above.tip(), speaker.get_top() + 0.1 * UP)
    assert above.box.get_bottom()[1] > speaker.get_top()[1]
    below = SpeechBubble("I am!").attach_to(speaker, DOWN, buff=0.1)
    assert np.allclose(below.tip(), speaker.get_bottom() + 0.1 * DOWN)
    assert below.box.get_top()[1] < speaker.get_bottom()[1]
    assert above.get_text().text == "Anyadjectivesinfrontofme?"
