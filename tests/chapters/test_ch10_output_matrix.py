"""Chapter 10: W_O is the heads' value-up blocks side by side, and the two columns drawn,
W_O · concat(outputs) and Σ_h ΔE⁽ʰ⁾, are equal numbers computed separately."""

from __future__ import annotations

import numpy as np
import pytest
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
