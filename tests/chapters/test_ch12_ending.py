"""Chapter 12 sums up what the example's head did with the trace's own numbers, and
degrades gracefully on sentences without nouns or with a single token."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import render_scene, scene_duration

from attention_math import build_trace, example_from_sentence
from scenes.ch12_ending import MIN_WEIGHT, Ending, Relation, head_summary, summary_narration
from scenes.components.labels import TEXT_TYPES


@pytest.fixture(scope="module")
def chapter():
    return render_scene(Ending)


def texts(mob) -> list[str]:
    return [m.text for m in mob.get_family() if isinstance(m, TEXT_TYPES)]


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "what-we-covered",
        "what-the-head-did",
        "how-far",
        "references",
        "this-example",
    ]


def test_relations_are_the_heads_pattern(chapter):
    t = chapter.trace
    pattern = t.head("adjective-noun").pattern  # [query, key]
    words = t.words
    assert {words[r.query] for r in chapter.relations} == {"creature", "forest"}
    for rel, row in zip(chapter.relations, chapter.rows, strict=True):
        assert rel.kind == "adjectives"
        assert all(k < rel.query for k in rel.keys)  # causal: keys come before
        drawn = texts(row)
        for k, w in zip(rel.keys, rel.weights, strict=True):
            assert w == pattern[rel.query, k]
            assert words[k] in drawn and f"{w:.2f}" in drawn
    by_word = {words[r.query]: {words[k] for k in r.keys} for r in chapter.relations}
    assert by_word == {"creature": {"fluffy", "blue"}, "forest": {"verdant"}}
    narration = dict(chapter.narration)["what-the-head-did"]
    assert "did what it was built for" in narration
    assert all(r.total >= 0.5 for r in chapter.relations)


def test_bars_are_the_real_lengths(chapter):
    t = chapter.trace
    j = chapter.relations[0].query
    assert chapter.norms["E"] == pytest.approx(np.linalg.norm(t.E[j]))
    assert chapter.norms["head"] == pytest.approx(np.linalg.norm(t.heads[0].delta_E[j]))
    assert chapter.norms["E_prime"] == pytest.approx(np.linalg.norm(t.E[j] + t.delta_E[j]))
    drawn = [texts(group)[1] for group in chapter.bars]
    assert drawn == [f"{chapter.norms[k]:.1f}" for k in ("E", "head", "all", "E_prime")]


def test_example_card_names_the_sentence(chapter):
    words_on_card = "".join(texts(chapter.card))
    assert chapter.trace.sentence.replace(" ", "") in words_on_card


@pytest.mark.parametrize("sentence", ["hello", "they sang loudly"])
def test_summary_without_nouns_or_with_one_token(sentence):
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    relations = head_summary(trace, head)
    assert relations
    for rel in relations:
        assert rel.kind == "earlier"
        assert rel.weights[0] == head.pattern[rel.query, rel.keys[0]]
    narration = summary_narration(trace, head, relations)
    assert "built for" not in narration


def test_summary_without_adjectives_names_the_strongest_earlier_token():
    trace = build_trace(example_from_sentence("the cat sat on the mat"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    relations = head_summary(trace, head)
    assert {trace.words[r.query] for r in relations} == {"cat", "mat"}  # the nouns
    for rel in relations:
        earlier = head.pattern[rel.query, : rel.query]
        strong = {i for i in range(rel.query) if earlier[i] >= MIN_WEIGHT}
        assert set(rel.keys) == (strong or {int(np.argmax(earlier))})
    narration = summary_narration(trace, head, relations)
    assert "found no adjective" in narration and "built for" not in narration
    first = relations[0]
    # the sentence has two "the": the narration says which (the first)
    assert f"{first.weights[0]:.2f} to the first “the”" in narration
    assert trace.words[first.keys[0]] == "the" and first.keys[0] == 0


def test_verdict_is_partial_when_a_noun_gives_its_adjectives_less_than_half():
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    strong = Relation(3, (1, 2), (0.5, 0.3), "adjectives")
    weak = Relation(3, (1,), (0.3,), "adjectives")
    assert "did what it was built for" in summary_narration(trace, head, [strong])
    partial = summary_narration(trace, head, [strong, weak])
    assert "built for" not in partial and "1 of the 2 nouns" in partial
    assert "0.50 to “fluffy” and 0.30 to “blue” (0.80 together)" in partial


def test_the_narration_quotes_a_link_the_grid_shows():
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    hidden = Relation(3, (1,), (0.5,), "adjectives")
    seen = Relation(3, (2,), (0.3,), "adjectives")
    shown = {(2, 3), (3, 3)}  # (key, query) cells of the grid's window
    said = summary_narration(trace, head, [hidden, seen], shown)
    assert "0.30 to “blue”" in said and "“fluffy”" not in said
    assert "0.50 to “fluffy”" in summary_narration(trace, head, [hidden, seen])


def test_the_grid_window_shows_as_many_listed_links_as_any_window_could():
    from render_helpers import render_sentence

    from scenes.ch12_ending import GRID_TOKENS

    sentence = "The quiet old farmer sold his red tractor to a young neighbour after the summer."
    scene = render_sentence(Ending, sentence)
    cells = [(i, r.query) for r in scene.relations for i in r.keys]
    n = scene.trace.n
    assert n > GRID_TOKENS  # a window, not the whole sentence
    best = max(  # any run of GRID_TOKENS consecutive tokens, by hand
        sum(start <= i < start + GRID_TOKENS and start <= j < start + GRID_TOKENS for i, j in cells)
        for start in range(n - GRID_TOKENS + 1)
    )
    shown = set(scene.grid.shown_cells())
    assert sum(cell in shown for cell in cells) == best
    assert best > 0


def test_weights_said_together_add_up_to_the_total_as_written():
    trace = build_trace(example_from_sentence("a quiet student read the thick green book"))
    head = trace.head("adjective-noun")
    pair = Relation(7, (5, 6), (0.384737, 0.534737), "adjectives")  # 0.38 + 0.53 = 0.91
    assert pair.written == ("0.38", "0.54") or pair.written == ("0.39", "0.53")
    said = summary_narration(trace, head, [pair])
    first, second = pair.written
    assert f"{first} to “thick” and {second} to “green” (0.92 together)" in said
