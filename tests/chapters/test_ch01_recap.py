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
from scenes.ch01_recap import MAX_COLUMNS, RecapOnEmbeddings, last_index_of
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
        # where the columns and tokens stood, before the next beat moves one column
        self.under = {
            i: (c.get_x(), c.get_left()[0], c.get_right()[0]) for i, c in self.columns.items()
        }
        self.token_xs = {i: self.row.get_box(i).get_x() for i in self.row.shown}


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
    scene = render_sentence(Recap, sentence, skip_animations=True)
    n = scene.trace.n
    assert n == 12 > MAX_COLUMNS
    assert list(scene.row.shown) == list(range(n)) and not scene.row.windowed
    columns = list(scene.columns)  # embedding columns: a run of tokens with the focus
    assert columns == list(range(columns[0], columns[-1] + 1)) and scene.focus in columns
    assert_columns_under_their_tokens(scene)
    assert scene.row.get_left()[0] > -7.1 and scene.row.get_right()[0] < 7.1


def assert_columns_under_their_tokens(scene):
    """Review: the columns sat under the left half of the row, reached by long diagonal
    arrows. Each column's nearest token is its own, and the columns stay in the frame."""
    xs = scene.token_xs
    for i, (x, left, right) in scene.under.items():
        assert min(xs, key=lambda k: abs(xs[k] - x)) == i
        assert -7.1 < left and right < 7.1


def test_each_embedding_column_stands_under_its_token(chapter, farmer):
    assert_columns_under_their_tokens(chapter)
    assert_columns_under_their_tokens(farmer)
    assert len(farmer.columns) >= MAX_COLUMNS


FARMER = (
    "The tall farmer opened the old wooden gate and his two black dogs ran across the wet "
    "green field."
)


@pytest.fixture(scope="module")
def farmer():
    from render_helpers import render_sentence

    return render_sentence(Recap, FARMER, skip_animations=True)


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


def test_the_tower_shows_the_lengths_its_caption_quotes(chapter):
    """Review: the caption quoted 267 and 203 for the steps against 209 for 'tower',
    while the view drew the tower arrow far shorter than the steps. On screen the tower
    arrow and the two steps keep the proportions of their lengths in all dimensions, and
    those lengths are the ones said and shown."""
    towers = chapter.supporting("tower")
    vectors = np.stack([t.E_prime[last_index_of(t, "tower")] for t in towers])
    true = [np.linalg.norm(vectors[0])] + [
        np.linalg.norm(np.diff(vectors, axis=0)[k]) for k in (0, 1)
    ]
    space = chapter.tower_space
    arrows = [space.get_arrow(name) for name in ("tower 0", "step 1", "step 2")]
    drawn = [np.linalg.norm(a.get_end() - a.get_start()) for a in arrows]
    assert np.allclose(np.array(drawn) / drawn[0], np.array(true) / true[0], rtol=0.02)
    numbers = f"{true[1]:.0f} and {true[2]:.0f} units"
    said = dict(chapter.narration)["tower"]
    assert numbers in said and f"{true[0]:.0f} for" in said and "->" not in said
    assert any(numbers in c and f"{true[0]:.0f}" in c for c in chapter.captions_said)


def test_each_tower_step_and_position_part_comes_with_its_words(chapter):
    """Review: "miniature Eiffel tower" was drawn 3 s after its cue, and the position
    picture stayed blank while "token N" was said."""
    names = [t.sentence for t in chapter.supporting("tower")]
    space, (_, place, total) = chapter.tower_space, chapter.sum_columns
    pictures = [
        (space.get_arrow("tower 0"), f"First '{names[0]}'"),
        (space.get_arrow("step 1"), f"Then '{names[1]}'"),
        (space.get_arrow("step 2"), f"Then '{names[2]}'"),
        (chapter.position_row, "Position is folded in"),
        (place, "so the vector of position"),
        (total, "The sum is the embedding"),
    ]
    for mob, words in pictures:
        drawn, said = play_bringing(chapter, mob)[0], cue_saying(chapter, words).start
        assert said - 0.2 <= drawn <= said + 1.0, (words, drawn, said)
