"""A speech bubble points at what speaks, above or below it."""

from __future__ import annotations

import numpy as np
from manim import DOWN, UP, Square, config

from scenes.components.speech_bubble import SpeechBubble, spread


def test_the_tail_points_at_the_speaker_from_above_and_below():
    speaker = Square(1.0)
    above = SpeechBubble("Any adjectives in front of me?").attach_to(speaker, UP, buff=0.1)
    assert np.allclose(above.tip(), speaker.get_top() + 0.1 * UP)
    assert above.box.get_bottom()[1] > speaker.get_top()[1]
    below = SpeechBubble("I am!").attach_to(speaker, DOWN, buff=0.1)
    assert np.allclose(below.tip(), speaker.get_bottom() + 0.1 * DOWN)
    assert below.box.get_top()[1] < speaker.get_bottom()[1]
    assert above.get_text().text == "Anyadjectivesinfrontofme?"


def boxes_apart(bubbles: list[SpeechBubble]) -> bool:
    """No two bubbles' boxes share a point."""
    return all(
        a.box.get_right()[0] < b.box.get_left()[0]
        or b.box.get_right()[0] < a.box.get_left()[0]
        or a.box.get_bottom()[1] > b.box.get_top()[1]
        or b.box.get_bottom()[1] > a.box.get_top()[1]
        for k, a in enumerate(bubbles)
        for b in bubbles[k + 1 :]
    )


def test_spread_bubbles_of_close_speakers_side_by_side_on_the_frame():
    # two wrapped bubbles under neighbouring words near the frame's left edge (the
    # chapter 3 link "quiet" -> "librarian"): side by side, no step down, inside the
    # frame, each tail still on its own speaker
    speakers = [Square(0.6).move_to([x, 0, 0]) for x in (-5.2, -3.3)]
    bubbles = [
        SpeechBubble("I modify the word at position 4", wrap=18).attach_to(speakers[0], DOWN),
        SpeechBubble("Does anything modify position 4?", wrap=20).attach_to(speakers[1], DOWN),
    ]
    assert not boxes_apart(bubbles)  # as attached, they overlap
    assert spread(bubbles) is False
    assert boxes_apart(bubbles)
    edge = config.frame_width / 2
    for bubble, speaker in zip(bubbles, speakers):
        assert -edge < bubble.box.get_left()[0] and bubble.box.get_right()[0] < edge
        assert np.isclose(bubble.tip()[0], speaker.get_x())
        assert bubble.box.get_left()[0] < speaker.get_x() < bubble.box.get_right()[0]


def test_spread_steps_a_bubble_down_when_sliding_cannot_part_them():
    speakers = [Square(0.3).move_to([x, 0, 0]) for x in (0.0, 0.35, 0.7)]
    bubbles = [SpeechBubble("I am the answer!").attach_to(s, DOWN) for s in speakers]
    assert spread(bubbles) is True
    assert boxes_apart(bubbles)
    for bubble, speaker in zip(bubbles, speakers):  # a stem reaches up to each speaker
        assert bubble.get_top()[1] >= speaker.get_bottom()[1] - 0.11
