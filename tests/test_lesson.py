"""The lesson's regions of the screen: they tile the frame, and placing a mobject against
a region's side that is a frame edge gives exactly manim's own ``to_edge`` / ``to_corner``
(the chapters kept their pictures when they moved to the regions)."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from manim import DOWN, LEFT, ORIGIN, RIGHT, UP, Circle, Rectangle, VGroup, config

from scenes.components import palette
from scenes.components.labels import literal
from scenes.lesson import (
    CAPTION_BAND,
    CONTENT_BOTTOM,
    CONTENT_TOP,
    HEADING_BAND,
    SIDE_NOTES,
    STAGE,
    Lesson,
    Region,
    balanced,
)


def shapes():
    """A few mobjects of different sizes, off centre."""
    return [
        Rectangle(width=2.3, height=0.7).shift(1.3 * RIGHT + 0.4 * UP),
        Circle(radius=0.37).shift(2.9 * LEFT + 1.1 * DOWN),
        literal("Keys: 12,288 × 128", font_size=palette.BODY).shift(0.21 * UP),
        VGroup(Rectangle(width=0.5, height=3.1), Circle(0.2).shift(RIGHT)).shift(0.7 * DOWN),
    ]


def test_bands_tile_the_frame_from_top_to_bottom():
    for band in (HEADING_BAND, STAGE, CAPTION_BAND):
        assert band.left == -config.frame_x_radius and band.right == config.frame_x_radius
    assert HEADING_BAND.top == config.frame_y_radius
    assert HEADING_BAND.bottom == STAGE.top == CONTENT_TOP
    assert STAGE.bottom == CAPTION_BAND.top == CONTENT_BOTTOM
    assert CAPTION_BAND.bottom == -config.frame_y_radius


def test_side_notes_are_a_column_at_the_right_of_the_stage():
    assert STAGE.left < 0 < SIDE_NOTES.left < SIDE_NOTES.right <= STAGE.right
    assert (SIDE_NOTES.top, SIDE_NOTES.bottom) == (STAGE.top, STAGE.bottom)


def test_points_centre_sides_and_corners():
    region = Region(left=-1.0, right=3.0, top=2.0, bottom=-0.5)
    assert (region.width, region.height) == (4.0, 2.5)
    assert np.array_equal(region.center, [1.0, 0.75, 0.0])
    assert np.array_equal(region.point(UP + LEFT), [-1.0, 2.0, 0.0])
    assert np.array_equal(region.point(DOWN + RIGHT), [3.0, -0.5, 0.0])
    assert np.array_equal(region.point(RIGHT), [3.0, 0.75, 0.0])
    assert np.array_equal(region.point(2 * DOWN), [1.0, -0.5, 0.0])


@pytest.mark.parametrize(
    "region, direction, buff",
    [
        (STAGE, LEFT, 0.35),
        (STAGE, RIGHT, 0.4),
        (HEADING_BAND, UP + LEFT, 0.3),
        (HEADING_BAND, UP, 0.25),
        (CAPTION_BAND, DOWN, 0.25),
        (CAPTION_BAND, DOWN + RIGHT, 0.2),
    ],
)
def test_place_against_a_frame_edge_is_manims_to_edge(region, direction, buff):
    for shape in shapes():
        mine = region.place(shape.copy(), direction, buff=buff)
        corner = abs(direction[0]) > 0 and abs(direction[1]) > 0
        theirs = shape.copy()
        theirs.to_corner(direction, buff=buff) if corner else theirs.to_edge(direction, buff=buff)
        assert np.array_equal(mine.get_all_points(), theirs.get_all_points())


def test_place_inside_a_region():
    region = Region(left=1.0, right=6.0, top=2.5, bottom=-1.5)
    for shape in shapes():
        assert np.allclose(region.place(shape.copy()).get_center(), region.center)
        placed = region.place(shape.copy(), UP + RIGHT, buff=0.2)
        assert np.allclose(placed.get_corner(UP + RIGHT), [5.8, 2.3, 0.0])
        placed = region.place(shape.copy(), LEFT, buff=0.1)
        assert placed.get_left()[0] == pytest.approx(1.1)
        assert placed.get_y() == pytest.approx(shape.get_y())  # only moved sideways
        assert np.allclose(region.place(shape.copy(), ORIGIN).get_center(), region.center)


def test_a_lesson_reaches_the_regions():
    assert (Lesson.heading_band, Lesson.stage, Lesson.side_notes, Lesson.caption_band) == (
        HEADING_BAND,
        STAGE,
        SIDE_NOTES,
        CAPTION_BAND,
    )


def test_captions_off_leave_the_band_empty_and_keep_the_timing():
    from render_helpers import render_default

    from scenes.components.labels import TEXT_TYPES

    class Beat(Lesson):
        number = 99

        def construct(self):
            self.beat("one", "A beat.")
            self.heading("One")
            self.caption("A caption with 0.54 in it.", wait=1.0)
            self.caption("A second caption.", wait=0.5)

    def rendered(captions: bool):
        class Chosen(Beat):
            def __init__(self, **kwargs):
                super().__init__(captions=captions, **kwargs)

        return render_default(Chosen, frame_rate=15)

    on, off = rendered(True), rendered(False)
    assert on.time == pytest.approx(off.time)  # sections, subtitles: the same times
    assert (
        on.captions_said == off.captions_said == ["A caption with 0.54 in it.", "A second caption."]
    )

    def drawn(scene):
        return {
            m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, TEXT_TYPES)
        }

    assert "Asecondcaption." in drawn(on) and "Asecondcaption." not in drawn(off)


def test_captions_environment_variable(monkeypatch):
    from scenes.settings import environment_captions as captions_from_environment

    for raw, expected in (("", True), ("on", True), ("OFF", False), (" 0 ", False)):
        monkeypatch.setenv("ATTENTION_CAPTIONS", raw)
        assert captions_from_environment() is expected
    monkeypatch.setenv("ATTENTION_CAPTIONS", "maybe")
    with pytest.raises(Exception, match="ATTENTION_CAPTIONS: expected on or off"):
        captions_from_environment()


CAPTIONS = [
    "Every red cell is exactly 0.00 and every column of the window still sums to 1.",
    "After the softmax, masked cells are exactly 0 and each column still sums to 1.",
    "Green: adjectives, blue: nouns. This window shows 11 of the 16 tokens: all 4 adjectives.",
]


@pytest.mark.parametrize("text", CAPTIONS)
@pytest.mark.parametrize("chars", [40, 55, 70])
def test_caption_lines_are_even_and_as_few_as_greedy_wrapping_gives(text, chars):
    greedy = textwrap.wrap(text, chars)
    lines = balanced(text, chars)
    assert " ".join(lines) == " ".join(greedy)  # the same words, in order
    assert len(lines) == len(greedy) and max(map(len, lines)) <= chars
    if len(lines) > 1:
        # no shorter width keeps the count: the lines are as even as wrapping allows
        narrower = textwrap.wrap(text, max(map(len, lines)) - 1)
        assert len(narrower) > len(lines)
        assert min(map(len, lines)) >= min(map(len, greedy))


def test_until_said_waits_for_the_cue_that_holds_the_words():
    """The picture that goes with a phrase comes when the subtitle holding it shows."""
    from render_helpers import render_default

    from scenes.cues import reading_seconds, said_at

    text = (
        "First the designed head, drawn on the left with its dots. Then its share on the "
        "sink, framed under it. On the right, a real head of the model, layer 22, head 0, "
        "with its own share. Real heads are learned, not designed."
    )

    class Paced(Lesson):
        number = 99

        def construct(self):
            self.beat("one", text)
            self.times = {}
            for phrase in ("On the right", "Real heads", "First the"):
                self.until_said(phrase)
                self.times[phrase] = self.time
                self.wait(0.2)
            with pytest.raises(ValueError, match="does not say"):
                self.until_said("never said")

    scene = render_default(Paced, frame_rate=15)
    seconds = reading_seconds(text)
    for phrase in ("On the right", "Real heads"):
        expected = said_at(text, text.index(phrase), seconds)
        assert expected > 1.0
        assert scene.times[phrase] == pytest.approx(expected, abs=1 / 15)  # to a frame
    assert scene.times["First the"] == pytest.approx(scene.times["Real heads"] + 0.2)  # past
