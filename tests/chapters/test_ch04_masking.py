"""Chapter 4: −∞ exactly on the masked cells, zeros after the softmax, columns summing to 1."""

from __future__ import annotations

import pytest
from render_helpers import assert_grid_fills_the_stage, last_frame, render_default, scene_duration

from scenes.ch04_masking import Masking
from scenes.components.attention_grid import MINUS_INFINITY
from scenes.components.entries import fixed


@pytest.fixture(scope="module")
def chapter():
    return render_default(Masking)


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "predict every token",
        "cheating",
        "minus infinity",
        "softmax",
        "side by side",
    ]


def test_unnormalized_grid_masks_exactly_the_later_keys(chapter):
    head = chapter.trace.head("adjective-noun")
    left, _ = chapter.sides
    full = head.with_sink()  # the sink, the last key, is seen by every query
    for i, j in left.shown_cells():
        text = left.get_content(i, j).text
        if i == left.sink:
            assert text == fixed(head.spec.sink, 2)
        elif head.mask[j, i]:
            assert i <= j and text == fixed(full["scaled"][j, i], 2)
        else:
            assert i > j and text == MINUS_INFINITY


def test_normalized_grid_is_the_pattern_with_exact_zeros(chapter):
    head = chapter.trace.head("adjective-noun")
    _, right = chapter.sides
    full = head.with_sink()
    for i, j in right.shown_cells():  # each within a unit of the last place: they add up
        assert abs(float(right.get_content(i, j).text) - full["pattern"][j, i]) < 0.01
        if not full["mask"][j, i]:
            assert full["pattern"][j, i] == 0.0
    for j in right.query_range:  # the tokens' weights and the sink's
        assert head.pattern[j].sum() + head.sink[j] == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("sentence", "focus", "said"),
    [
        (
            "a big red ball",
            3,
            "“ball” is the last token, with nothing after it, while “a” "
            "gives 0 to all 3 tokens after it",
        ),
        ("a big red ball", 2, "“red” gives 0 to the 1 token after it"),
        ("hello", 0, "with a single token nothing is masked"),
    ],
)
def test_masked_example_counts_the_later_tokens(sentence, focus, said):
    from attention_math import build_trace, example_from_sentence
    from scenes.ch04_masking import masked_example

    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    assert masked_example(trace, trace.head("adjective-noun"), focus) == said


def test_the_grid_fills_the_stage_and_leaves_the_side_note_its_room(chapter):
    grid, stage = chapter.grid, chapter.stage
    # chapter.note: "key after query: the future", right of the grid
    assert_grid_fills_the_stage(grid, stage, 0.7, chapter.note)
    for side in chapter.sides:  # the two grids side by side stay on the stage
        assert stage.bottom <= side.get_bottom()[1] and side.get_top()[1] <= stage.top
        assert stage.left <= side.get_left()[0] and side.get_right()[0] <= stage.right


def _side_by_side(sentence: str):
    """(trace, head, link, window) of chapter 4's side-by-side grids for ``sentence``."""
    from attention_math import build_trace, example_from_sentence
    from scenes.ch04_masking import SIDE_BY_SIDE_TOKENS, least_cut_focus
    from scenes.components.attention_grid import token_window
    from scenes.focus import main_link

    trace = build_trace(example_from_sentence(sentence))
    head = trace.head("adjective-noun")
    link = main_link(trace, head)
    focus = least_cut_focus(head, link, SIDE_BY_SIDE_TOKENS)
    return trace, head, link, token_window(trace.n, focus, SIDE_BY_SIDE_TOKENS)


def test_the_side_by_side_window_keeps_each_columns_weight_in_view():
    # "student" takes 0.90 from "quiet": a window of tokens 3-8 cut that column to 0.10
    sentence = "A quiet student read the thick green book while his friends played outside."
    trace, head, link, window = _side_by_side(sentence)
    assert link.key in window and link.query in window
    for q in window:  # every column shown keeps most of its weight: in view or the sink
        seen = sum(head.pattern[q, k] for k in window if k <= q) + head.sink[q]
        assert seen >= 0.8, (trace.words[q], seen)


def test_the_side_by_side_window_starts_at_the_first_token_when_that_cuts_nothing():
    # a window of tokens 2-7 cut the row of "The" (0.01 from each column): Σ read 0.99
    sentence = "The small brown bird built a round nest in the tall old tree near her cat."
    _, _, link, window = _side_by_side(sentence)
    assert window.start == 0 and link.key in window and link.query in window
