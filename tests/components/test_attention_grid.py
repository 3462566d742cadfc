"""The grid: keys as rows, queries as columns; what each cell draws equals the trace.

The core's arrays are [query, key]; cell (key i, query j) must show pattern[j, i].
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, Scene, tempconfig

from attention_math.layout import key_by_query
from scenes.components.attention_grid import (
    LEGEND,
    MINUS_INFINITY,
    AttentionGrid,
    PatternHeatmap,
    heatmap_levels,
)
from scenes.components.entries import fixed

SCENES = Path(__file__).resolve().parents[2] / "scenes"


@pytest.fixture(scope="module")
def head(fluffy_trace):
    return fluffy_trace.head("adjective-noun")


@pytest.fixture()
def grid(fluffy_trace, head):
    return AttentionGrid.from_head(head, fluffy_trace.words)


def test_rows_are_keys_and_columns_are_queries(grid, fluffy_trace):
    assert [grid.get_key_label(i).text for i in grid.key_range] == fluffy_trace.words
    assert [grid.get_query_label(j).text for j in grid.query_range] == fluffy_trace.words
    row_ys = [grid.get_cell(i, 0).get_y() for i in grid.key_range]
    col_xs = [grid.get_cell(0, j).get_x() for j in grid.query_range]
    assert row_ys == sorted(row_ys, reverse=True) and col_xs == sorted(col_xs)
    assert grid.get_legend().text == LEGEND.replace(" ", "")


def test_numbers_are_the_pattern_transposed_once(grid, head):
    grid.numbers("pattern", masked="value")
    for i, j in grid.shown_cells():
        assert grid.get_content(i, j).text == fixed(head.pattern[j, i], 2)  # [query, key]
    np.testing.assert_array_equal(grid.values["pattern"], key_by_query(head.pattern))


def test_raw_scores_and_masked_cells(grid, head):
    grid.numbers("raw", masked="infinity")
    for i, j in grid.shown_cells():
        text = grid.get_content(i, j).text
        if i > j:  # the key comes after the query: masked
            assert not head.mask[j, i] and text == MINUS_INFINITY
        else:
            assert head.mask[j, i] and text == fixed(head.scores_raw[j, i], 1)


def test_after_softmax_masked_cells_are_exactly_zero_and_columns_sum_to_one(grid, head):
    grid.numbers("pattern", masked="value")
    for i, j in grid.shown_cells():
        if not head.mask[j, i]:
            assert head.pattern[j, i] == 0.0 and grid.get_content(i, j).text == "0.00"
    sums, _ = grid.column_sums("pattern")
    assert [s.text for s in sums[:-1]] == ["1.00"] * len(grid.query_range)


def test_dot_area_is_proportional_to_the_weight(grid, head):
    grid.dots()
    full = grid.dot_radius(1.0)
    for i, j in grid.shown_cells():
        weight = head.pattern[j, i]
        dot = grid.get_content(i, j)
        if weight == 0:
            assert dot is None
        else:
            area_ratio = (dot.width / 2) ** 2 / full**2
            assert area_ratio == pytest.approx(weight, rel=1e-6, abs=1e-9)


def test_symbols_name_the_key_and_the_query(grid):
    grid.symbols(masked="show")
    assert grid.get_content(1, 3).text == "K\u2082\u00b7Q\u2084"


def test_a_long_sentence_is_windowed_and_says_so():
    n = 40
    pattern = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]  # [query, key]
    grid = AttentionGrid(
        [f"t{i}" for i in range(n)],
        [f"t{i}" for i in range(n)],
        {"pattern": pattern},
        pattern > 0,
        focus=30,
        max_tokens=12,
    )
    assert grid.windowed and list(grid.query_range) == list(range(19, 31))
    assert grid.notes[0].text == "showingtokens20\u201331of40"
    grid.numbers("pattern", masked="value")
    assert grid.get_content(19, 30).text == fixed(pattern[30, 19], 2)


def test_heatmap_levels_follow_the_pattern_with_few_mobjects():
    n = 50
    rng = np.random.default_rng(0)
    raw = rng.random((n, n)) * np.tril(np.ones((n, n)))
    pattern = raw / raw.sum(axis=1, keepdims=True)  # [query, key]
    mask = np.tril(np.ones((n, n), dtype=bool))
    heatmap = PatternHeatmap(pattern, mask)
    expected = np.where(mask.T, np.rint(np.sqrt(pattern.T) * 15), -1)
    np.testing.assert_array_equal(heatmap.levels, expected)
    np.testing.assert_array_equal(heatmap_levels(pattern.T, mask.T), expected)
    assert len(heatmap.shades) <= 17  # one path per brightness step, whatever n
    assert heatmap.shade_of(10, 3) is heatmap.shade_of(20, 5)  # both masked


def test_only_the_grid_transposes():
    """Chapters 1-5 and their helpers never turn a [query, key] array themselves."""
    files = [*SCENES.glob("ch0[1-5]_*.py"), SCENES / "focus.py", SCENES / "lesson.py"]
    for path in files:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                assert node.attr not in {"T", "transpose", "swapaxes"}, path.name
            if isinstance(node, ast.Name):
                assert node.id != "key_by_query", path.name


class _ExoticGrid(Scene):
    """A grid whose labels are words of other scripts and emoji sequences."""

    WORDS = [
        "the",
        "שלום",
        "مرحبا",
        "\U0001f468\u200d\U0001f469\u200d\U0001f467",
        "\U0001f1eb\U0001f1f7",
        "नमस्ते",
    ]

    def construct(self):
        n = len(self.WORDS)
        pattern = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]  # [query, key]
        self.grid = AttentionGrid(self.WORDS, self.WORDS, {"pattern": pattern}, pattern > 0)
        self.add(self.grid)
        self.play(self.grid.dots())


def test_a_grid_with_labels_in_other_scripts_renders_and_shows_every_label():
    from manim import config
    from render_helpers import last_frame, render_scene

    scene = render_scene(_ExoticGrid, pixel_width=480, pixel_height=270)
    frame = last_frame(scene)[..., :3].max(axis=2)  # brightness, (h, w)
    grid = scene.grid
    h, w = frame.shape
    with tempconfig({"pixel_width": 480, "pixel_height": 270}):
        fw, fh = config.frame_width, config.frame_height
    labels = [grid.get_key_label(i) for i in grid.key_range]
    labels += [grid.get_query_label(j) for j in grid.query_range]
    assert [lab.text for lab in labels[: len(_ExoticGrid.WORDS)]] == _ExoticGrid.WORDS
    for label in labels:
        assert label.family_members_with_points(), label.text
        assert label.width > 0.05 and label.height > 0.05, label.text
        # the pixels under the label are lit: it was drawn, not an empty box
        left, bottom = label.get_corner(DOWN + LEFT)[:2]
        right, top = label.get_corner(UP + RIGHT)[:2]
        cols = slice(int((left + fw / 2) / fw * w), int(np.ceil((right + fw / 2) / fw * w)))
        rows = slice(int((fh / 2 - top) / fh * h), int(np.ceil((fh / 2 - bottom) / fh * h)))
        assert frame[rows, cols].max() > 120, label.text
    # and rows are keys, in order, right of their labels; columns are queries, below theirs
    for i in grid.key_range:
        assert grid.get_key_label(i).get_right()[0] < grid.get_cell(i, 0).get_left()[0]
    for j in grid.query_range:
        assert grid.get_query_label(j).get_bottom()[1] > grid.get_cell(0, j).get_top()[1]
