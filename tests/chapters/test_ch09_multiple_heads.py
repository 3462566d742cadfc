"""Chapter 9: the supporting examples' arcs and the heads' small patterns are the computed
weights, and the columns drawn add up: E + Σ_h ΔE⁽ʰ⁾ = E′."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from render_helpers import render_scene, scene_duration

from attention_math.layout import key_by_query
from scenes.ch09_multiple_heads import COLUMN_ROWS, MultipleHeads
from scenes.components.entries import shown_array


@pytest.fixture(scope="module")
def chapter():
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ATTENTION_EXAMPLE", "ATTENTION_SENTENCE", "ATTENTION_SEED"):
            mp.delenv(name, raising=False)
        return render_scene(MultipleHeads)


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "crashed-car",
        "two-harrys",
        "relation-types",
        "many-heads",
        "patterns",
        "sum",
    ]


def test_car_takes_crashed_from_another_head(chapter):
    tr, i, j, adjective, other = chapter.car
    assert (tr.words[i], tr.words[j]) == ("crashed", "car")
    assert other.pattern[j, i] > 0.9 > 0.2 > adjective.pattern[j, i]
    above, below = chapter.car_arcs
    for arcs, head in ((above, adjective), (below, other)):
        assert all(arcs.weight(k, q) == head.pattern[q, k] for k, q in arcs.pairs())
        assert all(q == j for _, q in arcs.pairs())


def test_harrys_find_their_own_cues(chapter):
    senses = [sense for _, _, _, sense, _ in chapter.harrys]
    assert senses == ["wizard", "royal"]
    for (tr, head, j, sense, weight), arcs in zip(chapter.harrys, chapter.harry_arcs):
        cues = [i for i, tok in enumerate(tr.tokens) if f"cue:{sense}" in tok.features]
        assert weight == pytest.approx(sum(head.pattern[j, i] for i in cues))
        assert all(arcs.weight(k, q) == head.pattern[q, k] for k, q in arcs.pairs())


def test_relations_read_the_designed_questions(chapter):
    words = chapter.trace.words
    found = {head.id: link for head, link in chapter.relations}
    adj = found["adjective-noun"]
    assert (words[adj.key], words[adj.query]) == ("verdant", "forest")
    sv = found["subject-verb"]
    assert (words[sv.key], words[sv.query]) == ("creature", "roamed")
    assert found["pronoun-antecedent"] is None  # no pronoun in the sentence
    for head, link in chapter.relations:
        if link is not None:
            assert link.weight == head.pattern[link.query, link.key]


def test_small_patterns_are_the_heads_patterns(chapter):
    t = chapter.trace
    assert len(chapter.minis) == len(t.heads)
    for mini, head in zip(chapter.minis, t.heads, strict=True):
        screen = key_by_query(head.pattern)  # [key row, query column]
        assert np.array_equal(mini.values, screen)
        for (i, j), w in np.ndenumerate(screen):
            dot = mini.get_dot(i, j)
            if head.mask[j, i] and w > 0:
                assert dot.width / 2 == pytest.approx(mini.dot_radius(w), rel=1e-3)
            else:
                assert dot is None
    # visibly different: any two heads move at least a fifth of the attention elsewhere
    for a, b in combinations(t.heads, 2):
        assert np.mean(0.5 * np.abs(a.pattern - b.pattern).sum(axis=1)) > 0.2, (a.id, b.id)


def test_columns_add_up_to_E_prime(chapter):
    t, j = chapter.trace, chapter.focus
    assert np.allclose(t.E[j] + sum(h.delta_E[j] for h in t.heads), t.E_prime[j])
    vectors = [t.E[j], *(h.delta_E[j] for h in t.heads), t.E_prime[j]]
    for column, vector in zip(chapter.sum_columns, vectors, strict=True):
        assert np.array_equal(column.displayed, shown_array(vector[list(COLUMN_ROWS)], 1))
    assert "".join(p.text for p in chapter.heads_figure) == f"{t.dims.n_heads:,}"


@pytest.mark.parametrize("sentence", ["a big red ball", "the dog near the barn barked"])
def test_relation_narration_names_exactly_the_heads_without_an_answer(sentence):
    from attention_math import build_trace, example_from_sentence
    from scenes.ch09_multiple_heads import answers_said, strongest_answer

    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    relations = [(head, strongest_answer(trace, head)) for head in trace.heads]
    said = answers_said(relations)
    for head, link in relations:
        assert (head.name in said) == (link is None)
    verbs = [t for t in trace.tokens if t.role == "verb"]
    subject = next(h for h in trace.heads if h.id == "subject-verb")
    assert (subject.name in said) == (not verbs)  # a verb asks for its subject
    assert ("each finds" in said) == all(link is not None for _, link in relations)
