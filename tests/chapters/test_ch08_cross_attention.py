"""Chapter 8 draws the translation pair's cross-attention: line opacities and dot areas
are the pattern's weights, the grid has no mask, the highlighted cell is one a causal
mask would have erased, every French word's |ΔE| is written under its column, and what
the narration names lights up as its subtitle shows."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import (
    TINY,
    Heard,
    assert_grid_fills_the_stage,
    cue_holding,
    render_scene,
    scene_duration,
    source_of,
)

from attention_math import load_example
from scenes.ch08_cross_attention import CrossAttention
from scenes.components import palette


class RecordedCrossAttention(Heard, CrossAttention):
    """The chapter, noting when each beat starts and when each picture waits for its
    words (``until_said``) is let go."""

    def no_mask(self) -> None:
        super().no_mask()
        self.no_mask_outlines = [m.get_stroke_color() for m in self.grid.highlights]


@pytest.fixture(scope="module")
def chapter():
    # the main example does not matter here
    return render_scene(RecordedCrossAttention, source_of(example="tiny-robot"))


FRAME = 1 / TINY["frame_rate"]  # a wait ends on a frame: up to one frame early


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


def test_the_no_mask_beat_keeps_red_for_masking(chapter):
    """Review: the cell "Je" reads was outlined in red, the masking colour, in the beat
    that says nothing is masked; it takes the lesson's highlight colour, and the caption
    names it by what it is."""
    assert [c.to_hex() for c in chapter.no_mask_outlines] == [palette.DELTA.to_hex()]
    caption = next(c for c in chapter.captions_said if f"“{chapter.french[0]}”, the first" in c)
    assert caption.startswith("Framed:") and "Red" not in caption


def test_the_grid_fills_the_stage_and_leaves_the_side_notes_their_room(chapter):
    grid, stage = chapter.grid, chapter.stage
    # chapter.side: "keys: English", "queries: French", right of the grid
    assert_grid_fills_the_stage(grid, stage, 0.55, chapter.side)


def test_the_values_beat_outlines_only_its_own_column(chapter):
    # the no-mask beat's framed cell is cleared: one outline left, round the ΔE column
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


def test_each_strongest_pair_lights_up_while_its_cue_shows(chapter):
    """Review: each pair was outlined about 5 s after it was said; now each waits for the
    cue that names it and comes before that cue is over."""
    pattern = chapter.cross.head.pattern  # (query, key)
    best = sorted(range(len(pattern)), key=lambda j: -pattern[j].max())[:3]
    for j in best:
        phrase = f"“{chapter.french[j]}” to “{chapter.english[int(np.argmax(pattern[j]))]}”"
        start, end = cue_holding(chapter, "lines", phrase)
        assert start - FRAME <= chapter.heard_at("lines", phrase)[0] < end, phrase


def test_every_french_word_shows_the_length_of_its_change(chapter):
    """Review: "|ΔE| = 113.1" showed 5 s early, and "the largest" had nothing to compare
    with: each French word's |ΔE| is written under its column, with the words that say it,
    and the largest is the one named and coloured."""
    sizes = [float(np.sqrt(np.sum(row**2))) for row in chapter.cross.head.delta_E]
    name, numbers = chapter.change_row
    assert name.original_text == "|ΔE|"
    assert [m.original_text for m in numbers] == [f"{v:.1f}" for v in sizes]
    for j, label in enumerate(numbers):
        assert label.get_x() == pytest.approx(chapter.grid.get_column(j).get_x(), abs=1e-6)
        assert label.get_top()[1] < chapter.grid.cells.get_bottom()[1]
    largest = sizes.index(max(sizes))
    colours = [m.get_color().to_hex() for m in numbers]
    assert colours[largest] == palette.DELTA.to_hex()
    assert colours.count(palette.DELTA.to_hex()) == 1
    said = dict(chapter.narration)["values"]
    named = f"“{chapter.french[largest]}” gets the largest"
    assert f"{named} change, {sizes[largest]:.1f}." in said
    # the row comes with its words, the outline with the cue that names the largest
    for phrase in ("Under each column", named):
        start, end = cue_holding(chapter, "values", phrase)
        assert start - FRAME <= chapter.heard_at("values", phrase)[0] < end, phrase


def test_the_lines_beat_says_most_lines_are_too_faint_to_see(chapter):
    """Review: "Each of the 42 lines" was said with some 7 lines in sight; the narration
    says most are too faint to see, true when most weights are under a tenth."""
    opacities = [line.get_stroke_opacity() for line in chapter.link_lines]
    assert sum(o < 0.1 for o in opacities) > len(opacities) / 2
    said = dict(chapter.narration)["lines"]
    assert f"Each of the {len(opacities)} lines" in said and "most are too faint to see" in said


def _crosses(line, box) -> bool:
    """Whether ``line`` passes through the box of ``box`` (points along it, checked here)."""
    (x0, y0), (x1, y1) = box.get_corner([-1, -1, 0])[:2], box.get_corner([1, 1, 0])[:2]
    a, b = line.get_start(), line.get_end()
    points = [a + (b - a) * t for t in np.linspace(0, 1, 201)]
    return any(x0 <= p[0] <= x1 and y0 <= p[1] <= y1 for p in points)


def test_each_strongest_pair_has_its_weight_written_beside_its_line(chapter):
    """Review: the narration quoted "veux" to "want" with 1.00 and the like while no weight
    was drawn: each named pair's weight, as the grid writes it, comes beside its line (with
    the pair's highlight, as its cue shows), and no other line one can see runs through it."""
    pattern = chapter.cross.head.pattern  # (query, key)
    best = sorted(range(len(pattern)), key=lambda j: -pattern[j].max())[:3]
    n_k = pattern.shape[1]
    assert len(chapter.pair_weights) == 3
    for label, j in zip(chapter.pair_weights, best, strict=True):
        i = int(np.argmax(pattern[j]))
        assert label.original_text == f"{chapter.grid.drawn('pattern')[i, j]:.2f}"
        assert (
            f"“{chapter.french[j]}” to “{chapter.english[i]}” with {label.original_text}"
            in (dict(chapter.narration)["lines"])
        )
        line = chapter.link_lines[j * n_k + i]
        grown = label.copy().scale(1.6)  # beside the line: within about half its size
        assert _crosses(line, grown) and not _crosses(line, label)
        for k, other in enumerate(chapter.link_lines):
            if other is not line and other.get_stroke_opacity() >= 0.1:
                assert not _crosses(other, label), (label.original_text, divmod(k, n_k))


def test_the_no_mask_beat_writes_the_cells_it_counts_as_it_says_them(chapter):
    """Review: "all 7 × 6 = 42 cells" was said, never shown."""
    n_q, n_k = chapter.cross.head.pattern.shape
    assert chapter.cells_note.original_text == f"all {n_k} × {n_q} = {n_k * n_q} cells"
    phrase = f"all {n_k} × {n_q}"
    start, end = cue_holding(chapter, "no-mask", phrase)
    assert start - FRAME <= chapter.heard_at("no-mask", phrase)[0] < end


def test_the_strongest_are_called_so_only_when_no_other_line_is_as_strong(chapter):
    """Review H10/H12: "The strongest: veux→want 1.00; le→it 1.00; ne→not 0.99" while
    Je→I and pas→not also read 0.99: with a tie as written, "Among the strongest"."""
    drawn = chapter.grid.drawn("pattern")  # [key, query], as the grid writes them
    best = sorted(  # each French query's strongest English key, by a plain loop
        (
            max(round(float(drawn[i, j]), 2) for i in range(drawn.shape[0]))
            for j in range(drawn.shape[1])
        ),
        reverse=True,
    )
    said = dict(chapter.narration)["lines"]
    tie = best[3] >= best[2]
    assert ("Among the strongest:" in said) == tie and ("The strongest:" in said) != tie
