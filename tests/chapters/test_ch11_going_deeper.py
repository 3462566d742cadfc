"""Chapter 11: the strips of E and E' are the trace's entries, every level above is drawn
schematic, the focus panel shows the real E, ΔE and E', and the multiply-add count follows
from the model's sizes and the sentence's mask."""

from __future__ import annotations

import numpy as np
import pytest
from manim import config
from render_helpers import Timed as Recording
from render_helpers import (
    cue_saying,
    play_bringing,
    render_scene,
    render_sentence,
    scene_duration,
)

from scenes.ch11_going_deeper import CELLS, COLUMN_INDICES, GoingDeeper, window_note
from scenes.components import palette
from scenes.components.entries import color_scale, fixed, shown_array
from scenes.focus import quoted
from scenes.lesson import CONTENT_BOTTOM, CONTENT_TOP

RATE = 15  # frames a second: a wait ends on a frame, so times are good to one frame


class Timed(Recording, GoingDeeper):
    """The chapter, keeping when each beat starts and when each animation is played."""


@pytest.fixture(scope="module")
def chapter():
    return render_scene(Timed, frame_rate=RATE)


def drawn(fig) -> str:
    return "".join(part.text for part in fig.submobjects)


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "first-attention",
        "what-changed",
        "mlp",
        "many-layers",
        "parallel",
        "all-at-once",
    ]
    assert "schematic" in chapter.narration[2][1]  # honest about what is not computed


def test_computed_levels_are_the_traces_entries(chapter):
    t, stack = chapter.trace, chapter.stack
    scale = color_scale(t.E)
    for level, vectors in ((0, t.E), (1, t.E_prime)):
        for k, token in enumerate(chapter.shown):
            cells = stack.get_level(level)[k]
            expected = [palette.value_color(v, scale).to_hex() for v in vectors[token, :CELLS]]
            assert [c.get_fill_color().to_hex() for c in cells] == expected
    assert all(stack.is_schematic(i) for i in range(2, len(stack.levels)))


def test_focus_panel_is_E_plus_delta_E(chapter):
    t, j = chapter.trace, chapter.focus
    assert j == int(np.argmax(np.linalg.norm(t.delta_E, axis=1)))
    E, dE, E_prime = chapter.columns
    rows = list(COLUMN_INDICES)
    for column, vector in ((E, t.E[j]), (dE, t.delta_E[j])):  # within one unit of the value
        assert np.all(np.abs(column.displayed - vector[rows]) <= 0.1 + 1e-9)
    assert np.array_equal(E_prime.displayed, shown_array(t.E_prime[j, rows], 1))  # plainly
    # what is drawn adds up exactly, row by row
    assert np.array_equal(np.round(E.displayed + dE.displayed, 1), E_prime.displayed)
    said = dict(chapter.narration)["what-changed"]
    first = rows.index(0)
    before, after = fixed(E.displayed[first], 1), fixed(E_prime.displayed[first], 1)
    assert f"went from {before} to {after}" in said


def test_counts_come_from_the_dims_and_the_mask(chapter):
    t = chapter.trace
    d = t.dims
    assert drawn(chapter.layers_figure) == f"{d.n_layers:,}"
    assert drawn(chapter.heads_figure) == f"{d.n_heads:,}"
    # independent count: per token every head runs four d_model x d_head maps; per visible
    # (query, key) pair one d_head dot product for the score and one for the weighted sum
    per_token = d.n_heads * 4 * d.d_model * d.d_head
    pairs = sum(1 for q in range(t.n) for k in range(t.n) if k <= q)
    expected = t.n * per_token + d.n_heads * pairs * 2 * d.d_head
    assert chapter.figures["total"].get_value() == expected
    assert drawn(chapter.figures["total"]) == f"{expected:,}"
    assert f"{expected:,}" in chapter.narration[-1][1]


def test_the_first_caption_says_which_tokens_the_strips_show(chapter):
    """Review H1: the row shows a window of the sentence with no word about it."""
    shown, n = chapter.shown, chapter.trace.n
    assert shown == list(range(shown[0], shown[-1] + 1))  # a window, in order
    first = chapter.captions_said[0]
    assert window_note(shown, n) in first
    assert window_note([2, 3, 4], 8) == " (tokens 3\u20135 of 8 shown)."
    assert window_note(list(range(8)), 8) == "."


def test_the_first_layer_uses_the_room(chapter):
    """Review: tiny strips of tokens 3-8 in a corner; the default's 8 tokens all fit."""
    assert chapter.shown == list(range(chapter.trace.n))
    close_up = chapter.close_up
    width, height = chapter.close_up_size  # as first shown
    assert height >= 0.6 * (CONTENT_TOP - CONTENT_BOTTOM) and width >= 6.0
    t, scale = chapter.trace, color_scale(chapter.trace.E)
    for level, vectors in ((0, t.E), (1, t.E_prime)):  # the same entries as the stack's
        for k, token in enumerate(chapter.shown):
            expected = [palette.value_color(v, scale).to_hex() for v in vectors[token, :CELLS]]
            cells = close_up.get_level(level)[k]
            assert [c.get_fill_color().to_hex() for c in cells] == expected


LONG = "The old fisherman slowly pulled his heavy net from the cold grey sea at dawn."


@pytest.fixture(scope="module")
def long_chapter():
    return render_sentence(GoingDeeper, LONG, skip_animations=True)


def test_the_parallel_count_names_the_window_it_is_said_over(chapter, long_chapter):
    """Review: "96 heads for each of the 14 tokens" was said over a row of 11 of them."""
    for scene in (chapter, long_chapter):
        t, row = scene.trace, scene.lanes[0]
        shown, said = list(row.shown), dict(scene.narration)["parallel"]
        assert f"{t.dims.n_heads} heads for each of the {t.n} tokens" in said
        named = f"The row shows tokens {shown[0] + 1} to {shown[-1] + 1} of the {t.n}."
        if scene is chapter:  # the default's row holds the whole sentence: nothing to name
            assert shown == list(range(t.n)) and "The row shows" not in said
            assert len(scene.window) == 0
            continue
        assert len(shown) < t.n  # a window
        assert said.index(named) < said.index(f"{t.dims.n_heads} heads")  # named first
        label = f"tokens {shown[0] + 1}–{shown[-1] + 1} of {t.n}"  # on screen beside the row
        assert [m.text for m in scene.window] == [label.replace(" ", "")]  # Text drops spaces


def test_one_whole_column_comes_with_the_first_words(chapter):
    """Review: the first cue ("a long column of numbers") played over an almost empty
    screen, the right half empty for 10 s: the focus token's E column is shown then, on
    the right, as the narration says."""
    column = chapter.columns[0]
    drawn, _ = play_bringing(chapter, column)
    said = cue_saying(chapter, "a long column of numbers").start
    assert said - 0.2 <= drawn <= said + 1.0
    assert column.get_left()[0] > 0.5  # "on the right"
    words = dict(chapter.narration)["first-attention"]
    assert f"like that of {quoted(chapter.trace, chapter.focus)} on the right" in words


def touched(animation, parts: set[int]) -> set[int]:
    """Which of ``parts`` (ids of mobjects) ``animation`` moves or recolours."""
    inner = getattr(animation, "animations", None)
    if inner is not None:
        return set().union(*(touched(a, parts) for a in inner))
    return parts & {id(part) for part in animation.mobject.get_family()}


def test_every_head_on_every_token_lights_at_once_as_said(chapter):
    """Review: the lanes lit one at a time while the words said they run at the same
    time. Every animation that touches a cell touches them all, and the first one that
    lights them comes with "all of them can run at the same time"."""
    cells = [lane[0] for lane in chapter.lanes[1]]
    ids = {id(cell) for cell in cells}
    lit = []
    for start, animations in chapter.plays:
        hit = set().union(*(touched(a, ids) for a in animations))
        assert hit in (set(), ids), f"{len(hit)} of {len(ids)} cells at {start:.1f} s"
        if hit and start >= chapter.beat_starts["parallel"]:
            lit.append(start)
    said = cue_saying(chapter, "all of them can run at the same time").start
    first_light = lit[1]  # lit[0]: the cells drawn
    assert said - 0.2 <= first_light <= said + 1.0


def test_the_parallel_picture_uses_the_room(chapter, long_chapter):
    """Review: small cells crowded at the top, the right half empty."""
    for scene in (chapter, long_chapter):
        width, height = scene.lanes_size
        assert width >= 0.55 * config.frame_width
        assert height >= 0.55 * (CONTENT_TOP - CONTENT_BOTTOM)
        assert scene.banner.get_right()[0] < config.frame_width / 2  # inside the frame
