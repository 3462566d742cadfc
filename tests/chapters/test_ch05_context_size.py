"""Chapter 5: the large picture is a real 53-token pattern, drawn by its own numbers."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import Timed, last_frame, render_default, scene_duration

from attention_math import load_example
from scenes.ch05_context_size import PASSAGE, ContextSize, label_step, passage
from scenes.components.attention_grid import PatternHeatmap
from scenes.cues import timed


class Captioned(Timed, ContextSize):
    """The chapter, keeping the text of every caption it shows, when each beat starts
    and when each animation is played."""

    def setup(self) -> None:
        super().setup()
        self.captions: list[str] = []

    def caption(self, text: str, wait: float = 0.0) -> None:
        self.captions.append(text)
        super().caption(text, wait)


@pytest.fixture(scope="module")
def chapter():
    return render_default(Captioned)


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "small grid",
        "large grid",
        "whole grid",
        "quadratic",
        "methods",
    ]


def _play_showing(chapter, mob) -> tuple[float, tuple]:
    """The first play whose animations bring in ``mob`` (a FadeIn or Write of it)."""
    for start, animations in chapter.plays:
        for animation in animations:
            if type(animation).__name__ in ("FadeIn", "Write") and any(
                part is mob for part in animation.mobject.get_family()
            ):
                return start, animations
    raise AssertionError(f"nothing brings in {mob}")


def test_the_zoom_starts_with_the_words_that_say_it(chapter):
    """Review G: 'Zooming out' was said while the corner still showed, and the axes came
    late; now the zoom opens its own beat and the axes come with the cell count."""
    said = dict(chapter.narration)
    assert "Zooming out" in said["whole grid"] and "Zooming out" not in said["large grid"]
    zoom, _ = _play_showing(chapter, chapter.heatmap.frame)
    assert zoom == pytest.approx(chapter.beat_starts["whole grid"], abs=1e-6)
    axes, animations = _play_showing(chapter, chapter.heatmap.query_labels)
    count = [a for a in animations if type(a).__name__ == "Write"]
    assert count and "\u00d7" in count[0].mobject.text  # the n × n count, in the same play
    assert axes - zoom < 3.5  # right after the 3-second zoom


def test_large_pattern_is_the_passage_run_through_the_head(chapter):
    big = chapter.big
    assert big.sentence == load_example(PASSAGE).sentence  # one story, from the assets
    assert big.n == len(big.sentence.split()) == 56
    head = big.head("adjective-noun")
    pattern = head.pattern  # [query, key]
    levels = chapter.heatmap.levels  # [key, query]: the tokens, then the head's sink
    n = big.n
    assert levels.shape == (n + 1, n)
    for i in range(n):
        for j in range(n):
            if i > j:
                assert levels[i, j] == -1 and pattern[j, i] == 0
            else:
                assert levels[i, j] == round(np.sqrt(pattern[j, i]) * 15)
    for j in range(n):
        assert levels[n, j] == round(np.sqrt(head.sink[j]) * 15)
    assert chapter.heatmap.key_labels[-1].text == "sink"


def _label_positions(labels) -> list[int]:
    """Token positions (from 0) named by axis labels such as K₁₀ or Q₅₀."""
    digits = str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789")
    return [int(label.text[1:].translate(digits)) - 1 for label in labels]


def test_the_passage_is_shown_token_by_token_numbered_as_on_the_axes(chapter):
    words = chapter.big.words
    heatmap, corner = chapter.heatmap, chapter.corner
    keys = heatmap.key_labels[:-1]  # the last one names the sink's row
    named = set(_label_positions(keys)) | set(_label_positions(corner.key_labels))
    assert set(_label_positions(keys)) <= set(_label_positions(heatmap.query_labels))
    n = len(words)
    assert {0, n - 1} <= named and len(named - set(range(8))) >= 3 and set(range(8)) <= named
    digits = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    expected = [
        w + (str(i + 1).translate(digits) if i in named else "") for i, w in enumerate(words)
    ]
    assert [token.text for token in chapter.passage] == expected
    # read left to right, top to bottom, as a paragraph
    lines = np.round([token.get_bottom()[1] for token in chapter.passage], 1)
    for a, b in zip(chapter.passage, chapter.passage[1:]):
        same_line = abs(a.get_y() - b.get_y()) < 0.2
        assert b.get_left()[0] > a.get_right()[0] if same_line else b.get_y() < a.get_y()
    assert len(set(lines)) >= 3


def test_the_grid_stays_on_the_stage_with_its_labels_and_beside_the_passage(chapter):
    stage = chapter.stage
    for grid in (chapter.small, chapter.heatmap, chapter.corner):  # corner: the zoom's start
        assert grid.get_left()[0] >= stage.left + 0.2 and grid.get_right()[0] <= stage.right
        assert grid.get_top()[1] <= stage.top and grid.get_bottom()[1] >= stage.bottom
    for grid in (chapter.heatmap, chapter.corner):
        assert len(grid.key_labels) >= 2 and len(grid.query_labels) >= 2
    assert chapter.heatmap.get_right()[0] < chapter.passage.get_left()[0]
    np.testing.assert_allclose(  # the corner zooms out of the very square of the grid
        chapter.corner.frame.get_corner([-1, 1, 0]), chapter.heatmap.frame.get_corner([-1, 1, 0])
    )


def test_the_zoomed_corner_is_the_first_tokens_of_the_same_pattern(chapter):
    pattern = chapter.big.head("adjective-noun").pattern  # [query, key]
    corner = chapter.corner.levels  # [key, query]
    assert corner.shape == (8, 8)
    for i in range(8):
        for j in range(8):
            expected = -1 if i > j else round(np.sqrt(pattern[j, i]) * 15)
            assert corner[i, j] == expected
    assert any("the first 8 tokens" in text for text in chapter.captions)


@pytest.mark.parametrize("n", [50, 52, 61, 120, 300])
def test_axis_labels_stand_apart_even_next_to_the_last_one(n):
    side = 5.2
    step = label_step(n, side / n)
    heatmap = PatternHeatmap(np.eye(n), np.eye(n, dtype=bool), side=side, every=step)
    xs = sorted(label.get_x() for label in heatmap.query_labels)
    assert len(xs) >= 2 and min(np.diff(xs)) >= 0.6 - 1e-9
    for a, b in zip(heatmap.query_labels, heatmap.query_labels[1:]):
        assert a.get_right()[0] < b.get_left()[0]
    if n == 52:  # every 10th would put Q₅₀ and Q₅₂ two cells apart
        assert step != 10


def test_a_passage_too_long_for_the_smallest_type_is_scaled_into_its_box():
    words = ["token"] * 400
    text = passage(words, {0, 399}, width=7.0, height=3.5)
    assert text.width <= 7.0 + 1e-6 and text.height <= 3.5 + 1e-6
    assert len(text) == 400


def test_punctuation_in_the_passage_follows_its_word_without_a_space(chapter):
    words, tokens = chapter.big.words, chapter.passage
    gaps = {"word": [], "punctuation": []}
    for i in range(1, len(words)):
        a, b = tokens[i - 1], tokens[i]
        if abs(a.get_y() - b.get_y()) < 0.2:  # same line
            numbered = any(ch in SUBSCRIPT_DIGITS for ch in b.text)  # ",₆" keeps its space
            kind = "word" if numbered else "punctuation" if words[i] in PUNCTUATION else "word"
            gaps[kind].append(b.get_left()[0] - a.get_right()[0])
    assert gaps["punctuation"] and gaps["word"]
    assert max(gaps["punctuation"]) < 0.5 * min(gaps["word"])


def test_a_numbered_mark_stands_apart_from_the_numbered_word_before_it():
    words = ["an", "alibi", ",", "but"]
    tokens = passage(words, {1, 2}, width=7.0, height=3.5)  # "alibi₂" ",₃"
    hugging = passage(words, {1}, width=7.0, height=3.5)  # "alibi₂" ","
    space = tokens[1].get_left()[0] - tokens[0].get_right()[0]
    assert tokens[2].get_left()[0] - tokens[1].get_right()[0] == pytest.approx(space)
    assert hugging[2].get_left()[0] - hugging[1].get_right()[0] < 0.5 * space


SUBSCRIPT_DIGITS = set("₀₁₂₃₄₅₆₇₈₉")
PUNCTUATION = {",", ".", ";", ":"}


def test_the_corners_labels_leave_at_the_zooms_start(chapter):
    """Review: Q₁–Q₈/K₁–K₈ stayed ~1 s while the grid shrank away from them."""
    zoom, animations = _play_showing(chapter, chapter.heatmap.frame)
    leaving = [
        a
        for a in animations
        if type(a).__name__ == "FadeOut"
        and any(part is chapter.corner.query_labels for part in a.mobject.get_family())
    ]
    assert len(leaving) == 1
    fade = leaving[0].rate_func
    assert fade(0.3) == pytest.approx(1.0) and 0 < fade(0.15) < 1


def test_the_sinks_row_is_said_where_the_cells_are_counted(chapter):
    """Both grids draw the head's sink under the tokens; the counts are n × n."""
    assert chapter.head.has_sink and chapter.big.head("adjective-noun").has_sink
    counted = [c for c in chapter.captions if "cells" in c or "across" in c][:2]
    n = chapter.trace.n
    assert f"{n * n:,} cells" in counted[0]
    assert all("the head's sink adds one more row" in c for c in counted)


def test_the_corner_comes_as_its_words_are_said(chapter):
    """Review: the passage waited ~8 s alone before its grid's corner came; now the
    corner is there when "Here are its first 8 tokens" starts."""
    said = dict(chapter.narration)["large grid"]
    start, end = chapter.beat_starts["large grid"], chapter.beat_starts["whole grid"]
    cues = timed(said, end - start)
    here = next(a for piece, a, _ in cues if piece.startswith("Here are its first"))
    corner, _ = _play_showing(chapter, chapter.corner.frame)
    assert corner - start <= here


def test_doubling_the_context_draws_four_copies_of_its_square(chapter):
    small, big, label, total = chapter.doubling
    n = chapter.trace.n
    assert label.text == f"{n}\u00d7{n}={n * n:,}cells"  # Text keeps no spaces
    assert total.text == f"{2 * n}\u00d7{2 * n}={4 * n * n:,}=4\u00d7{n * n:,}cells"
    assert len(big) == 4 and big.width == pytest.approx(2 * small.width)
    assert big.height == pytest.approx(2 * small.height)
    corners = {
        tuple(np.round(copy.get_corner([-1, -1, 0]) - big.get_corner([-1, -1, 0]), 6))
        for copy in big
    }
    side = round(small.width, 6)
    assert corners == {(0, 0, 0), (side, 0, 0), (0, side, 0), (side, side, 0)}
    lines = small[1]  # the cell lines: n - 1 each way
    assert len(lines) == 2 * (n - 1)
    for mob in (small, big, label, total):  # on the stage, clear of the table below
        assert mob.get_left()[0] >= chapter.stage.left and mob.get_top()[1] <= chapter.stage.top
    assert label.get_right()[0] < big.get_left()[0]
