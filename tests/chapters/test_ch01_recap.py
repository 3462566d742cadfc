"""Chapter 1 renders as a lesson, and its columns and 3D arrows are the trace's vectors."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import (
    Timed,
    cue_saying,
    last_frame,
    play_bringing,
    render_default,
    scene_duration,
)

from attention_math.embeddings import direction, token_directions
from attention_math.heads import load_design
from attention_math.projection import orthonormal_basis, pca_basis, project
from scenes.ch01_recap import RecapOnEmbeddings, last_index_of
from scenes.components.context_arcs import arc_style
from scenes.components.entries import shown_array, signed
from scenes.cues import reading_seconds

RATE = 15  # frames a second: a wait ends on a frame, so times are good to one frame


class Recap(Timed, RecapOnEmbeddings):
    """The chapter, keeping when each beat starts and each animation is played, and
    where the token row stood in the tokens beat."""

    def embeddings(self) -> None:
        self.row_in_tokens_beat = self.row.get_center().copy()
        super().embeddings()


@pytest.fixture(scope="module")
def chapter():
    return render_default(Recap, frame_rate=RATE)


def word_vector(trace, i):
    """A token's embedding without its position, summed from its named parts."""
    settings = load_design().embedding
    weights = {"base": settings.base, "role": settings.role, "feature": settings.feature}
    d = trace.dims.d_model
    parts = token_directions(trace.tokens[i], i)
    total = sum(
        weights[kind] * direction(name, d, trace.seed) for kind, name in parts if kind != "position"
    )
    return np.sqrt(d) * total


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "tokens",
        "embeddings",
        "embedding size",
        "same word",
        "position",
        "meanings",
        "tower",
        "attention block",
        "context arcs",
    ]


def test_columns_show_the_real_embeddings(chapter):
    t = chapter.trace
    for i, column in chapter.columns.items():
        assert [e.text for e in column.get_entries()] == [
            signed(t.E[i, k], 1) for k in column.indices
        ]


def test_mole_starts_from_the_same_vector_in_every_phrase(chapter):
    moles = chapter.supporting("mole")
    texts = [[e.text for e in c.get_entries()] for c in chapter.mole_columns]
    assert texts[0] == texts[1] == texts[2]
    for trace, column in zip(moles, chapter.mole_columns):
        k = last_index_of(trace, "mole")
        assert np.allclose(column.values, word_vector(trace, k))


def test_mole_arrows_are_projections_of_the_computed_vectors(chapter):
    """Review: each yellow arrow, said to be a change attention made, ran from the word
    without its position, so it was position + ΔE. Each runs from the phrase's E to its
    E′, exactly ΔE projected, and starts near the tip of 'mole' alone, as said."""
    moles = chapter.supporting("mole")
    ks = [last_index_of(t, "mole") for t in moles]
    generic = word_vector(moles[0], ks[0])
    E = np.stack([t.E[k] for t, k in zip(moles, ks)])
    E_prime = np.stack([t.E_prime[k] for t, k in zip(moles, ks)])
    delta = np.stack([sum(h.delta_E[k] for h in t.heads) for t, k in zip(moles, ks)])
    assert np.allclose(E_prime - E, delta)  # E′ is E plus every head's change
    _, spread = pca_basis(delta, 2)  # the two directions in which the changes differ most
    basis = orthonormal_basis(np.vstack([generic, spread]))
    space = chapter.mole_space
    assert np.allclose(space.coords("mole")[1], project(generic, basis))
    for k in range(3):
        assert np.allclose(space.coords(f"mole {k}")[1], project(E_prime[k], basis))
        start, end = space.coords(f"change {k}")
        assert np.allclose(start, project(E[k], basis))
        assert np.allclose(end - start, project(delta[k], basis))  # ΔE, projected
        assert np.linalg.norm(start - project(generic, basis)) < 0.02 * np.linalg.norm(generic)
        tip = space.get_arrow(f"mole {k}").get_end()
        assert np.allclose(tip, space.to_screen(project(E_prime[k], basis)), atol=1e-6)
    said = dict(chapter.narration)["meanings"]
    assert "3 chosen directions" in said and "3 of the" not in said
    assert "starts near the tip of 'mole' alone" in said
    assert any("3 chosen directions" in c for c in chapter.captions_said)


def test_the_tokens_beat_uses_the_middle_of_the_stage(chapter):
    """Review: the row stood at the top of the stage with nothing below it but the key.
    While the tokens are named it stands in the middle; the embeddings move it up."""
    from scenes.lesson import STAGE

    assert not chapter.row.windowed
    assert abs(chapter.row_in_tokens_beat[1] - STAGE.center[1]) < 1.0
    assert chapter.row.get_y() > STAGE.center[1] + 1.5  # over the embedding columns


def test_tower_arrows_keep_lengths_and_angles(chapter):
    towers = chapter.supporting("tower")
    vectors = np.stack([t.E_prime[last_index_of(t, "tower")] for t in towers])
    space = chapter.tower_space
    coords = np.stack([space.coords(f"tower {k}")[1] for k in range(3)])
    assert np.allclose(coords @ coords.T, vectors @ vectors.T, rtol=1e-9)  # exact picture
    for k in range(3):
        assert np.allclose(space.get_arrow(f"tower {k}").get_end(), space.to_screen(coords[k]))


def test_block_arcs_only_run_forward_with_the_patterns_strength(chapter):
    pattern = chapter.trace.head("adjective-noun").pattern
    for i, j in chapter.block_arcs.pairs():
        assert i < j and pattern[j, i] >= 0.05
        width, _ = arc_style(pattern[j, i])
        assert chapter.block_arcs.get_arc(i, j).get_stroke_width() == pytest.approx(width)


def test_position_sums_add_up_as_drawn(chapter):
    word, place, total = chapter.sum_columns
    E = chapter.trace.E[chapter.focus, total.indices]
    assert np.array_equal(total.displayed, np.round(word.displayed + place.displayed, 1))
    assert np.array_equal(total.displayed, shown_array(E, 1))
    for column in (word, place):  # each part within one unit of its last decimal
        assert np.all(np.abs(column.displayed - column.values[column.indices]) < 0.1)


def test_adding_up_rounds_terms_so_that_sums_add_up():
    from scenes.components.entries import adding_up

    # 0.74 + 0.04 = 0.78: rounded on their own, "0.7 + 0.0 = 0.8"
    a, b = adding_up([np.array([0.74]), np.array([0.04])], np.array([0.78]), 1)
    assert a[0] + b[0] == pytest.approx(0.8)
    rng = np.random.default_rng(7)
    for _ in range(300):  # against a plain check: sums add up, terms within one unit
        terms = rng.normal(size=(3, 5)) * 3
        total = terms.sum(axis=0)
        drawn = adding_up(list(terms), total, 2)
        assert np.array_equal(np.round(np.sum(drawn, axis=0), 2), shown_array(total, 2))
        assert np.all(np.abs(np.array(drawn) - terms) < 0.01)


def test_the_token_row_shows_the_whole_sentence_when_it_fits():
    from render_helpers import render_sentence

    from scenes.ch01_recap import MAX_COLUMNS

    sentence = "the old man with a red hat walked his small dog home"
    scene = render_sentence(RecapOnEmbeddings, sentence, skip_animations=True)
    n = scene.trace.n
    assert n == 12 > MAX_COLUMNS
    assert list(scene.row.shown) == list(range(n)) and not scene.row.windowed
    columns = list(scene.columns)  # embedding columns: a run of at most MAX_COLUMNS
    assert len(columns) == MAX_COLUMNS and columns == list(range(columns[0], columns[-1] + 1))
    assert scene.focus in columns
    assert scene.row.get_left()[0] > -7.1 and scene.row.get_right()[0] < 7.1


CAPTAIN = "The tired old captain steered his small wooden boat through the dark stormy sea."


@pytest.fixture(scope="module")
def captain():
    from render_helpers import render_sentence

    return render_sentence(RecapOnEmbeddings, CAPTAIN, skip_animations=True)


def test_the_position_row_shows_the_window_the_tokens_beat_named(captain):
    """A sentence too long for one row: the tokens beat names a window ("tired" to "sea")
    and the position beat shows that same window, not another one."""
    assert captain.row.windowed
    assert list(captain.position_row.shown) == list(captain.row.shown)
    words = [captain.trace.words[i] for i in captain.row.shown]
    said = [text for text in captain.captions_said if text.startswith("Next,")]
    assert said and f"“{words[0]}” to “{words[-1]}”" in said[0]


def test_the_3d_pictures_fill_the_stage(chapter):
    """The mole and tower pictures are scaled to their arrows, not to their axes: never
    smaller than the axes' fixed size (3.2 for the largest coordinate) makes them, and
    inside the stage."""
    from scenes.lesson import STAGE

    for space in (chapter.mole_space, chapter.tower_space):
        assert space.unit >= 3.2 / space.extent - 1e-9
        tips = [space.origin] + [space.get_arrow(name).get_end() for name in space.names()]
        ys = [p[1] for p in tips]
        assert STAGE.bottom < min(ys) and max(ys) < STAGE.top
        assert STAGE.left < min(p[0] for p in tips)


def test_the_attention_block_names_its_strongest_arc(chapter):
    t = chapter.trace
    pattern = t.head("adjective-noun").pattern
    drawn = [(i, j) for i, j in chapter.block_arcs.pairs()]
    key, query = max(drawn, key=lambda p: pattern[p[1], p[0]])
    said = " ".join(chapter.captions_said)
    assert f"“{t.words[key]}” into “{t.words[query]}”, {pattern[query, key]:.2f}" in said


def test_a_picture_with_room_to_spare_is_drawn_larger(chapter):
    """The tower's arrows leave room beside their labels: drawn larger than the axes'
    fixed size made them."""
    space = chapter.tower_space
    assert space.unit > 1.2 * 3.2 / space.extent


def test_each_picture_comes_with_the_words_that_name_it(chapter):
    """Review: E′ came 15 s after "two rows of embeddings", the three mole columns before
    "three identical columns". Each comes within a second of the cue that names it."""
    below, above = chapter.block_rows
    key, query = chapter.block_arcs.strongest()
    pictures = [
        (chapter.mole_columns[0], "three identical columns"),
        (next(iter(below.values())), "Below, E"),
        (next(iter(above.values())), "Above, E′"),
        (chapter.block_arcs.get_arc(key, query), "The arcs are"),
    ]
    for mob, words in pictures:
        drawn, said = play_bringing(chapter, mob)[0], cue_saying(chapter, words).start
        assert said - 0.2 <= drawn <= said + 1.0, (words, drawn, said)


def test_the_narration_says_what_the_block_captions_claim(chapter):
    """The strongest arc's words and weight and the number of heads, read from the
    pattern here, are said in the beats whose captions show them."""
    t = chapter.trace
    pattern = t.head("adjective-noun").pattern
    drawn = chapter.block_arcs.pairs()
    key, query = max(drawn, key=lambda p: pattern[p[1], p[0]])
    said = dict(chapter.narration)
    strongest = f"“{t.words[key]}” into “{t.words[query]}”, {pattern[query, key]:.2f}"
    assert strongest in said["context arcs"]
    assert f"all {len(t.heads)} heads" in said["attention block"]


def test_no_beat_holds_its_picture_long_after_its_words(chapter):
    """Review: the tokens beat stayed 9 s and the attention block 20 s after their words.
    A silent render: no beat lasts 8 s longer than its narration takes to read."""
    starts = list(chapter.beat_starts.items())
    ends = [start for _, start in starts[1:]] + [scene_duration(chapter)]
    said = dict(chapter.narration)
    for (name, start), end in zip(starts, ends):
        assert end - start - reading_seconds(said[name]) < 8.0, name
