"""Chapter 10: W_O is the heads' value-up blocks side by side, and the two columns drawn,
W_O · concat(outputs) and Σ_h ΔE⁽ʰ⁾, are equal numbers computed separately."""

from __future__ import annotations

import numpy as np
import pytest
from manim import config
from render_helpers import render_scene, scene_duration

from scenes.ch10_output_matrix import RESULT_ROWS, OutputMatrix
from scenes.components.entries import shown_array


@pytest.fixture(scope="module")
def chapter():
    return render_scene(OutputMatrix)


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "per-head",
        "staple",
        "block-by-block",
        "equality",
        "gpt3",
    ]


def test_W_O_is_the_value_up_blocks_stapled(chapter):
    t = chapter.trace
    dk = t.dims.d_head
    for h, head in enumerate(t.heads):
        assert np.array_equal(t.W_O[:, h * dk : (h + 1) * dk], head.weights.W_V_up)
    assert len(chapter.W_O) == len(t.heads) == len(chapter.segments)


def test_drawn_columns_are_equal_and_are_W_O_times_the_outputs(chapter):
    t, j = chapter.trace, chapter.focus
    concat = np.concatenate([h.output[j] for h in t.heads])  # (H * d_head,)
    through_W_O = t.W_O @ concat
    summed = sum(h.delta_E[j] for h in t.heads)
    assert np.allclose(through_W_O, summed, atol=1e-9)
    left, right = chapter.columns
    rows = list(RESULT_ROWS)
    assert np.array_equal(left.displayed, shown_array(through_W_O[rows], 2))
    assert np.array_equal(right.displayed, shown_array(summed[rows], 2))
    assert np.array_equal(left.displayed, right.displayed)  # what the reader compares
    assert chapter.gap == pytest.approx(np.abs(through_W_O - summed).max())
    assert chapter.gap < 1e-9


def test_gpt3_figures_come_from_the_counts(chapter):
    t = chapter.trace
    expected = t.dims.n_heads * t.params["head/W_V_up"]
    assert expected == t.dims.d_model * t.dims.n_heads * t.dims.d_head
    for fig in chapter.figures.values():
        assert "".join(p.text for p in fig) == f"{expected:,}"


def test_the_shapes_written_beside_the_stapled_matrix_are_the_real_ones(chapter):
    t = chapter.trace
    H, dk, d = len(t.heads), t.dims.d_head, t.dims.d_model
    assert t.W_O.shape == (d, H * dk)
    lines = [line.text for line in chapter.concat_note]  # Text keeps no spaces
    assert lines[0] == f"W_O:{d:,}rows×{H * dk}columns"
    assert lines[1] == f"stackedoutputs:{H}×{dk}={H * dk}numbers"
    assert lines[2] == f"theirproduct:{(t.W_O @ np.ones(H * dk)).size:,}numbers,"


def test_block_by_block_draws_each_heads_change_adding_up_to_the_sum(chapter):
    """Each head's ΔE⁽ʰ⁾ of the token, drawn as its block meets its segment, is the trace's,
    within one unit of the last decimal; the drawn columns add up, as drawn, to the sum,
    which is the column the equality beat draws."""
    t, j = chapter.trace, chapter.focus
    rows = list(RESULT_ROWS)
    *heads, total = chapter.changes
    assert len(heads) == len(t.heads)
    for column, head in zip(heads, t.heads, strict=True):
        exact = head.weights.W_V_up @ head.output[j]  # block h times segment h
        assert np.allclose(exact, head.delta_E[j])
        assert np.all(np.abs(column.displayed - exact[rows]) <= 0.01 + 1e-9)
    added = np.round(np.sum([c.displayed for c in heads], axis=0), 2)
    assert np.array_equal(added, total.displayed)  # adds up as drawn
    assert np.array_equal(total.displayed, chapter.columns[1].displayed)
    # laid out right of the stacked outputs, inside the frame
    assert heads[0].get_left()[0] > chapter.segments.get_right()[0]
    assert total.get_right()[0] <= config.frame_width / 2 - 0.1
    assert chapter.steps_left == []  # no formula of one head's step left beside the sum


def test_the_sum_comes_with_the_words_that_say_it(chapter):
    """The sum column comes as the subtitle "The product adds them up." is shown (at most a
    second before it), not while the heads' products are still being described."""
    start, shown = chapter.sum_shown
    cue = next(c for c in chapter.renderer.file_writer.subcaptions if "adds them up" in c.content)
    assert cue.start.total_seconds() > start
    assert cue.start.total_seconds() - 1.0 <= shown < cue.end.total_seconds()
