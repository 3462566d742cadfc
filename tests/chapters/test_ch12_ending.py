"""Chapter 12 sums up what the example's head did with the trace's own numbers, and
degrades gracefully on sentences without nouns or with a single token."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import render_scene, scene_duration

from attention_math import build_trace, example_from_sentence
from scenes.ch12_ending import MIN_WEIGHT, Ending, head_summary
from scenes.components.labels import TEXT_TYPES


@pytest.fixture(scope="module")
def chapter():
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ATTENTION_EXAMPLE", "ATTENTION_SENTENCE", "ATTENTION_SEED"):
            mp.delenv(name, raising=False)
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
    pattern = t.heads[0].pattern  # [query, key]
    words = t.words
    assert {words[r.query] for r in chapter.relations} == {"creature", "forest"}
    for rel, row in zip(chapter.relations, chapter.rows, strict=True):
        assert all(pattern[rel.query, k] >= MIN_WEIGHT for k in rel.keys)
        assert all(k < rel.query for k in rel.keys)  # causal: keys come before
        drawn = texts(row)
        for k, w in zip(rel.keys, rel.weights, strict=True):
            assert w == pattern[rel.query, k]
            assert words[k] in drawn and f"{w:.2f}" in drawn
    creature = next(r for r in chapter.relations if words[r.query] == "creature")
    assert {words[k] for k in creature.keys} == {"fluffy", "blue"}


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
    relations = head_summary(trace)
    assert relations
    for rel in relations:
        assert rel.weights[0] == trace.heads[0].pattern[rel.query, rel.keys[0]]
