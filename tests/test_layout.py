"""No label overlaps another, leaves the frame or lies under an arrow, every drawn
equation of columns adds up as drawn, at any still moment of any chapter, every
narrated beat shows a caption and no subtitle goes faster than 3.5 words a second,
for the default example, a long sentence and a short one (tests/layout_helpers.py)."""

from __future__ import annotations

import pytest
from layout_helpers import ALLOWED, SENTENCES, Box, Shot, recorded

from scenes.order import CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda c: f"ch{c.number:02d}")
@pytest.mark.parametrize("sentence", SENTENCES, ids=str)
def test_labels_neither_overlap_nor_leave_the_frame(chapter, sentence):
    shots = recorded(chapter.number, sentence)
    assert len(shots) > 10  # every play was seen
    assert sum(len(shot.boxes) for shot in shots) > 0
    problems = list(dict.fromkeys(p for shot in shots for p in shot.problems()))
    assert problems == []
    if chapter.number in (9, 11):  # E + ΔE... = E′ as columns: the scan must see them
        assert sum(len(shot.equations) for shot in shots) >= 1
    # every narrated beat also shows a caption (burned into the picture)
    uncaptioned = [name for name, _ in shots.narration if name not in shots.captioned_beats]
    assert uncaptioned == []
    if sentence == "default":  # a silent render's subtitles can be read: 3.5 words a second
        said = " ".join(text.replace("\n", " ") for text, _ in shots.cues)
        assert all(narration in said for _, narration in shots.narration)  # cut, not changed
        for text, seconds in shots.cues:  # two lines at most, read in time
            assert text.count("\n") <= 1 and len(text.split()) / seconds <= 3.5, text


def test_an_equation_that_does_not_add_up_as_drawn_is_found():
    import numpy as np
    from layout_helpers import Equation

    fine = Equation((np.array([-0.5, 0.1]), np.array([-0.6, 0.3])), np.array([-1.1, 0.4]), 1)
    off = Equation((np.array([-0.5, 0.1]), np.array([-0.4, 0.3])), np.array([-1.1, 0.4]), 1)
    assert fine.adds_up() and not off.adds_up()
    assert any("does not add up" in p for p in Shot(0, "beat", equations=[off]).problems())


def test_the_check_sees_overlaps_and_the_frame_edge():
    a = Box("a", 0.0, 1.0, 0.0, 0.5)
    b = Box("b", 0.9, 2.0, 0.1, 0.4)  # shares 0.1 of width with a
    c = Box("c", 1.1, 2.0, 0.0, 0.5)  # apart from a
    edge = Box("edge", 6.0, 7.05, 0.0, 0.5)  # past the right margin of the 14.2-wide frame
    problems = Shot(0, "beat", [a, b, c, edge]).problems()
    assert any("'a' overlaps 'b'" in p for p in problems)
    assert not any("'a' overlaps 'c'" in p for p in problems)
    assert any("'edge' leaves the frame" in p for p in problems)
    assert ALLOWED == {}  # no deliberate overlays needed so far


def test_a_frame_edge_or_an_arrow_through_a_label_is_found():
    from layout_helpers import FAST, arrow_segments, label_boxes
    from manim import LEFT, RIGHT, Arrow, Rectangle, Scene, tempconfig

    from scenes.components.labels import literal

    with tempconfig(FAST):
        scene = Scene()
        word = literal("caresser", font_size=24)
        cut = Rectangle(width=1.0, height=1.0).move_to(word.get_left() + RIGHT * 0.3)
        around = Rectangle(width=word.width + 0.4, height=word.height + 0.4).move_to(word)
        scene.add(word, around)
        shot = Shot(0, "beat", label_boxes(scene), arrow_segments(scene))
        assert shot.problems() == []  # a frame round a label: fine
        scene.add(cut)
        shot = Shot(0, "beat", label_boxes(scene), arrow_segments(scene))
        assert any("frame's edge runs through 'caresser'" in p for p in shot.problems())
        scene.remove(cut)
        scene.add(Arrow(word.get_left() + LEFT, word.get_right() + RIGHT))
        shot = Shot(0, "beat", label_boxes(scene), arrow_segments(scene))
        assert any("runs through 'caresser'" in p for p in shot.problems())
