"""Chapter 8 draws the translation pair's cross-attention: line opacities and dot areas
are the pattern's weights, the grid has no mask, and the highlighted cell is one a
causal mask would have erased."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import assert_grid_fills_the_stage, render_scene, scene_duration, source_of

from attention_math import load_example
from scenes.ch08_cross_attention import CrossAttention


@pytest.fixture(scope="module")
def chapter():
    # the main example does not matter here
    return render_scene(CrossAttention, source_of(example="tiny-robot"))


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "two-sentences",
        "lines",
        "grid",
        "no-mask",
        "values",
    ]


def test_it_shows_the_translation_pair(chapter):
    example = load_example("translation")
    assert chapter.pair.sentence == example.sentence
    assert " ".join(chapter.french) == example.target
    assert chapter.trace.sentence != example.sentence  # main example: tiny-robot


def test_line_opacity_is_the_weight(chapter):
    pattern = chapter.cross.head.pattern  # [query, key]
    n_q, n_k = pattern.shape
    assert len(chapter.link_lines) == n_q * n_k
    for line, (j, i) in zip(chapter.link_lines, np.ndindex(n_q, n_k), strict=True):
        assert line.get_stroke_opacity() == pytest.approx(pattern[j, i])
        start, end = line.get_start(), line.get_end()
        assert start[0] == pytest.approx(chapter.source.get_box(i).get_bottom()[0])
        assert end[0] == pytest.approx(chapter.target.get_box(j).get_top()[0])


def test_grid_has_no_mask_and_dot_areas_follow_the_weights(chapter):
    grid, pattern = chapter.grid, chapter.cross.head.pattern
    assert grid.mask.all()
    for i, j in grid.shown_cells():
        assert grid.value("pattern", i, j) == pattern[j, i]  # key row i, query column j
        dot = grid.get_content(i, j)
        if pattern[j, i] > 0:
            assert dot.width / 2 == pytest.approx(grid.dot_radius(pattern[j, i]), rel=1e-3)


def test_no_mask_beat_names_the_first_french_and_last_english_word(chapter):
    pattern = chapter.cross.head.pattern  # (query, key)
    shown = chapter.unmasked
    assert (shown.query, shown.last_key) == (0, pattern.shape[1] - 1)
    assert shown.weight == pattern[0, -1]
    assert shown.top_weight == pattern[0].max() and pattern[0, shown.top_key] == pattern[0].max()
    said = dict(chapter.narration)["no-mask"]
    n_q, n_k = pattern.shape
    assert f"{n_k * n_q} cells" in said
    assert f"“{chapter.french[0]}”" in said and f"“{chapter.english[-1]}”" in said
    assert f"{pattern[0, -1]:.2f}" in said
    assert "causal mask would have erased" not in said  # positions across languages


def test_the_grid_fills_the_stage_and_leaves_the_side_notes_their_room(chapter):
    grid, stage = chapter.grid, chapter.stage
    # chapter.side: "keys: English", "queries: French", right of the grid
    assert_grid_fills_the_stage(grid, stage, 0.55, chapter.side)


def test_the_values_beat_outlines_only_its_own_column(chapter):
    # the no-mask beat's red cell is cleared: one outline left, round the ΔE column
    outlines = list(chapter.grid.highlights)
    assert len(outlines) == 1
    j = int(np.argmax(np.linalg.norm(chapter.cross.head.delta_E, axis=1)))
    column = chapter.grid.get_column(j)
    assert outlines[0].get_x() == pytest.approx(column.get_x(), abs=1e-6)
    # the outline keeps clear of the neighbouring columns' labels
    for k in (j - 1, j + 1):
        if k in chapter.grid.query_range:
            label = chapter.grid.get_query_label(k)
            left, right = outlines[0].get_left()[0], outlines[0].get_right()[0]
            assert label.get_right()[0] < left or label.get_left()[0] > right
