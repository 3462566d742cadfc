"""The grid: keys as rows, queries as columns; what each cell draws equals the trace.

The core's arrays are [query, key]; cell (key i, query j) must show pattern[j, i].
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP, Scene, VGroup, tempconfig

from attention_math.layout import key_by_query
from scenes.components.attention_grid import (
    HIGHLIGHT_MARGIN,
    LEGEND,
    MINUS_INFINITY,
    SINK,
    AttentionGrid,
    PatternHeatmap,
    heatmap_levels,
)
from scenes.components.entries import fixed
from scenes.components.labels import literal

SCENES = Path(__file__).resolve().parents[2] / "scenes"


@pytest.fixture(scope="module")
def head(fluffy_trace):
    return fluffy_trace.head("adjective-noun")


@pytest.fixture()
def grid(fluffy_trace, head):
    return AttentionGrid.from_head(head, fluffy_trace.words)


@pytest.fixture(scope="module")
def full(head):
    """The head's [query, key] arrays with its sink as the last key: what the grid draws."""
    return head.with_sink()


def test_rows_are_keys_and_columns_are_queries(grid, fluffy_trace):
    keys = [grid.get_key_label(i).text for i in grid.key_range]
    assert keys == [*fluffy_trace.words, SINK]  # the head's sink: the last row
    assert [grid.get_query_label(j).text for j in grid.query_range] == fluffy_trace.words
    row_ys = [grid.get_cell(i, 0).get_y() for i in grid.key_range]
    col_xs = [grid.get_cell(0, j).get_x() for j in grid.query_range]
    assert row_ys == sorted(row_ys, reverse=True) and col_xs == sorted(col_xs)
    assert grid.get_legend().text == LEGEND.replace(" ", "")


def test_numbers_are_the_pattern_transposed_once(grid, full):
    grid.numbers("pattern", masked="value")
    for i, j in grid.shown_cells():  # [query, key]; rounded within one unit, see below
        assert abs(float(grid.get_content(i, j).text) - full["pattern"][j, i]) < 0.01
        assert grid.get_content(i, j).text == fixed(grid.drawn("pattern")[i, j], 2)
    np.testing.assert_array_equal(grid.values["pattern"], key_by_query(full["pattern"]))


def test_each_columns_written_weights_add_up_to_one(grid, head):
    grid.numbers("pattern", masked="value")
    for j in grid.query_range:  # every key shown: the written numbers add up to 1.00
        written = [float(grid.get_content(i, j).text) for i in grid.key_range]
        assert round(sum(written), 2) == 1.0


def test_raw_scores_and_masked_cells(grid, head, full):
    grid.numbers("raw", masked="infinity")
    for i, j in grid.shown_cells():
        text = grid.get_content(i, j).text
        if i == grid.sink:  # every query sees the sink, whose score is the same for all
            assert text == fixed(head.spec.sink * np.sqrt(head.Q.shape[1]), 1)
        elif i > j:  # the key comes after the query: masked
            assert not head.mask[j, i] and text == MINUS_INFINITY
        else:
            assert head.mask[j, i] and text == fixed(head.scores_raw[j, i], 1)


def test_after_softmax_masked_cells_are_exactly_zero_and_columns_sum_to_one(grid, full):
    grid.numbers("pattern", masked="value")
    for i, j in grid.shown_cells():
        if not full["mask"][j, i]:
            assert full["pattern"][j, i] == 0.0 and grid.get_content(i, j).text == "0.00"
    sums, _ = grid.column_sums("pattern")
    assert [s.text for s in sums.totals] == ["1.00"] * len(grid.query_range)
    assert sums.rests == {}  # every key shown: nothing hidden


def test_dot_area_is_proportional_to_the_weight(grid, full):
    grid.dots()
    one = grid.dot_radius(1.0)
    for i, j in grid.shown_cells():
        weight = full["pattern"][j, i]
        dot = grid.get_content(i, j)
        if weight == 0:
            assert dot is None
        else:
            area_ratio = (dot.width / 2) ** 2 / one**2
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
    # a cut column's numbers add up to its visible part: each within a unit of its value
    assert abs(float(grid.get_content(19, 30).text) - pattern[30, 19]) <= 0.01


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
    files = [*SCENES.glob("ch0[1-5]_*.py"), *SCENES.glob("facts/ch0[1-5]_*.py")]
    files += [SCENES / "focus.py", SCENES / "lesson.py"]
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


LONG_WORDS = [
    "an",
    "extraordinarily",
    "incomprehensible",
    "bureaucratic",
    "questionnaire",
    "overwhelmed",
    "the",
    "administrators",
]


def _causal_grid(words, **kwargs) -> AttentionGrid:
    n = len(words)
    pattern = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]  # [query, key]
    return AttentionGrid(words, words, {"pattern": pattern}, pattern > 0, **kwargs)


def _x_range(mobs) -> tuple[float, float]:
    return min(m.get_left()[0] for m in mobs), max(m.get_right()[0] for m in mobs)


def _y_range(mobs) -> tuple[float, float]:
    return min(m.get_bottom()[1] for m in mobs), max(m.get_top()[1] for m in mobs)


@pytest.fixture(params=["default", "long words"])
def any_grid(request, fluffy_trace, head):
    if request.param == "default":  # as chapter 3 sizes it
        return AttentionGrid.from_head(head, fluffy_trace.words, max_width=9.7, max_height=5.7)
    return _causal_grid(LONG_WORDS, max_width=6.2, max_height=5.6)  # as chapter 6 does


def test_a_column_outline_is_its_cells_width_plus_a_small_margin(any_grid):
    grid = any_grid
    assert 0 < HIGHLIGHT_MARGIN <= 0.2 * min(grid.cell_width, grid.cell_height)
    centres = {j: grid.get_cell(grid.key_range[0], j).get_x() for j in grid.query_range}
    for j in grid.query_range:
        grid.highlight_column(j)
        box = grid.highlights[-1]
        left, right = _x_range([grid.get_cell(i, j) for i in grid.key_range])
        assert box.get_left()[0] == pytest.approx(left - HIGHLIGHT_MARGIN)
        assert box.get_right()[0] == pytest.approx(right + HIGHLIGHT_MARGIN)
        for other, x in centres.items():  # no neighbouring column's centre inside
            assert (box.get_left()[0] < x < box.get_right()[0]) == (other == j)
        label = grid.get_query_label(j)
        assert left <= label.get_left()[0] and label.get_right()[0] <= right  # not sideways
        assert box.get_top()[1] >= label.get_top()[1]  # the label is in the outline
        bottom, _ = _y_range([grid.get_cell(i, j) for i in grid.key_range])
        assert box.get_bottom()[1] == pytest.approx(bottom - HIGHLIGHT_MARGIN)


def test_a_row_outline_is_its_cells_height_plus_a_small_margin(any_grid):
    grid = any_grid
    assert 0 < HIGHLIGHT_MARGIN <= 0.2 * min(grid.cell_width, grid.cell_height)
    centres = {i: grid.get_cell(i, grid.query_range[0]).get_y() for i in grid.key_range}
    for i in grid.key_range:
        grid.highlight_row(i)
        box = grid.highlights[-1]
        bottom, top = _y_range([grid.get_cell(i, j) for j in grid.query_range])
        assert box.get_bottom()[1] == pytest.approx(bottom - HIGHLIGHT_MARGIN)
        assert box.get_top()[1] == pytest.approx(top + HIGHLIGHT_MARGIN)
        for other, y in centres.items():
            assert (box.get_bottom()[1] < y < box.get_top()[1]) == (other == i)
        label = grid.get_key_label(i)
        assert bottom <= label.get_bottom()[1] and label.get_top()[1] <= top
        assert box.get_left()[0] <= label.get_left()[0]


def test_one_query_label_per_column_never_wider_than_it_and_keys_right_aligned(any_grid):
    grid = any_grid
    top = grid.cells.get_top()[1]
    labels = [grid.get_query_label(j) for j in grid.query_range]
    for j, label in zip(grid.query_range, labels, strict=True):
        assert label.get_x() == pytest.approx(grid.get_cell(grid.key_range[0], j).get_x())
        assert label.width <= grid.cell_width
        assert label.get_bottom()[1] > top
    for a, b in zip(labels, labels[1:]):  # side by side, none above another (no stagger)
        assert a.get_right()[0] < b.get_left()[0]
    rights = [grid.get_key_label(i).get_right()[0] for i in grid.key_range]
    assert max(rights) - min(rights) < 1e-6
    assert max(rights) < grid.cells.get_left()[0]


def test_query_labels_turn_upward_only_when_they_do_not_fit(fluffy_trace, head):
    words = ["I", "do", "not", "want", "to", "pet", "it"]
    short = _causal_grid(words, max_width=9.0, max_height=5.8)
    assert not short.rotated
    for j in short.query_range:  # horizontal, at the labels' own size
        label = short.get_query_label(j)
        assert label.height == pytest.approx(literal(words[j], font_size=short.font_size).height)
    long = _causal_grid(LONG_WORDS, max_width=9.0, max_height=5.8)
    assert long.rotated
    for j in long.query_range:  # turned a quarter: the word's length is now upright
        word = literal(LONG_WORDS[j], font_size=long.font_size)
        label = long.get_query_label(j)
        assert label.height / label.width == pytest.approx(word.width / word.height, rel=1e-3)


@pytest.mark.parametrize("n", [1, 2, 8, 20])
def test_the_grid_fills_its_room_and_stays_inside_it_with_the_sums(n, fluffy_trace):
    words = (fluffy_trace.words * 3)[:n]
    grid = _causal_grid(words, max_width=9.7, max_height=5.7)
    sums, _ = grid.column_sums()
    whole = VGroup(grid, sums)
    assert whole.width <= 9.7 + 1e-6 and whole.height <= 5.7 + 1e-6
    assert grid.windowed == (n > 8)
    if 2 < n:  # a grid of a few tokens fills its room (short cells up to a cap)
        assert whole.height >= 0.97 * 5.7
    for label in [*sums.totals, *sums.rests.values()]:
        assert label.get_top()[1] < grid.cells.get_bottom()[1]
        assert label.get_bottom()[1] > grid.notes.get_top()[1]


def test_a_column_cut_by_the_window_writes_its_visible_part_and_the_hidden_rest(fluffy_trace):
    n = 20
    words = (fluffy_trace.words * 3)[:n]
    pattern = np.tril(np.ones((n, n))) / np.arange(1, n + 1)[:, None]  # [query, key]
    grid = AttentionGrid(words, words, {"pattern": pattern}, np.tril(np.ones((n, n), bool)))
    assert grid.windowed and grid.cropped_columns
    grid.numbers("pattern", masked="value")
    sums, _ = grid.column_sums()
    for column, j in enumerate(grid.query_range):
        written = [float(grid.get_content(i, j).text) for i in grid.key_range]
        total = float(sums.totals[column].text)
        assert total == pytest.approx(round(sum(written), 2))  # what is drawn above it
        if j in sums.rests:
            rest = float(sums.rests[j].text)
            assert j in grid.cropped_columns
            assert rest > 0 and total + rest == pytest.approx(1.0)
            assert rest == pytest.approx(pattern[j, : grid.key_range[0]].sum(), abs=0.011)
        else:  # whole, or cut where the hidden rows hold less than 0.005
            assert total == 1.0
    # the rests' row is named, left of it, where the sums' row has its Σ
    assert sums.above.text == "above"
    assert sums.above.get_right()[0] == pytest.approx(sums.sigma.get_right()[0])
    first = next(iter(sums.rests.values()))
    assert sums.above.get_y() == pytest.approx(first.get_y())


def test_numbers_are_at_least_ten_pixels_tall_at_480p(fluffy_trace, head):
    pixels_per_unit = 480 / 8
    for kwargs in (
        {"max_width": 9.7, "max_height": 5.7},  # chapter 3
        {"max_width": 6.0, "max_height": 5.3, "max_tokens": 6, "font_size": 20},  # chapter 4
    ):
        grid = AttentionGrid.from_head(head, fluffy_trace.words, **kwargs)
        for name in ("raw", "scaled", "pattern"):
            grid.numbers(name, masked="infinity")
            heights = [m.height for m in grid.contents if m.text != MINUS_INFINITY]
            assert min(heights) * pixels_per_unit >= 10, name
            for i, j in grid.shown_cells():  # and inside their cells
                content, cell = grid.get_content(i, j), grid.get_cell(i, j)
                if content is not None:
                    assert content.width < cell.width and content.height < cell.height


@pytest.mark.parametrize(("width", "height"), [(5.2, 5.4), (6.2, 5.6), (9.7, 5.8)])
def test_long_words_keep_one_readable_size_for_keys_and_queries(width, height):
    grid = _causal_grid(LONG_WORDS, max_width=width, max_height=height, font_size=20)
    assert grid.rotated
    for n, word in enumerate(LONG_WORDS):
        smallest = literal(word, font_size=16)  # FOOTNOTE, the smallest type size
        key, query = grid.get_key_label(n), grid.get_query_label(n)
        assert key.height >= smallest.height - 1e-6 and key.width >= smallest.width - 1e-6
        assert query.width == pytest.approx(key.height) and query.height == pytest.approx(key.width)
    whole = VGroup(grid, grid.column_sums()[0])
    assert whole.width <= width + 1e-6 and whole.height <= height + 1e-6


def test_the_sink_row_is_drawn_last_apart_from_the_tokens_even_in_a_window(fluffy_trace, head):
    grid = AttentionGrid.from_head(head, fluffy_trace.words, max_tokens=4, focus=3)
    assert grid.windowed and grid.key_range[-1] == grid.sink == fluffy_trace.n
    tokens_last = grid.get_cell(grid.key_range[-2], 3)
    sink = grid.get_cell(grid.sink, 3)
    gap = tokens_last.get_bottom()[1] - sink.get_top()[1]
    assert gap == pytest.approx(0.25 * grid.cell_height)
    assert grid.get_key_label(grid.sink).text == SINK
