"""What the designed heads move, on plain sentences no example holds: a head changes the
words it is built to update (nouns that have adjectives; verbs that have subjects) far
more than any other word. A word with nothing to find parks its weight on the head's
sink, which has no value, and takes almost nothing."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax

from attention_math import build_trace, build_traces, example_from_sentence, load_example
from attention_math.attention import softmax_with_sink

# Plain sentences of our own: varied lengths, two or three adjectives before a noun,
# subjects set apart from their verbs by a phrase or a clause, colour names that are also
# nouns, adjectives the lexicon does not know, a sentence with no adjective at all.
SENTENCES = [
    "the old man walked slowly to the quiet harbour",
    "my brave little dog chased the noisy cat",
    "the tall green tree shaded the small house",
    "the dog near the red barn barked loudly",
    "an angry wasp stung the sleeping child",
    "the cold dark river flowed past the empty mill",
    "she wore a lime scarf and a rose coat",
    "the students in the back row laughed",
    "heavy rain fell on the crowded city all night",
    "the clever fox outwitted the lazy hound",
    "a strange glorpy creature wandered through the misty valley",
    "the teacher with the yellow umbrella smiled",
    "bright stars filled the clear night sky",
    "the hungry children ate warm bread",
    "two small boats sailed across the wide bay",
    "the old wooden bridge creaked under the heavy truck",
    "my sister painted a beautiful picture of the ocean",
    "the nervous pilot landed the damaged plane safely",
    "a gentle breeze moved the tall grass",
    "the man who lives next door plays the piano",
    "the quick brown fox jumps over the lazy dog",
    "rain fell",
    "the shy new student from the small northern village finally spoke",
    "a huge gray elephant and a tiny white mouse became friends",
]
HEADS = {"adjective-noun": "modifies", "subject-verb": "subject-of"}


@pytest.fixture(scope="module")
def traces():
    return {s: build_trace(example_from_sentence(s)) for s in SENTENCES}


def moved(trace, head_id: str) -> np.ndarray:
    """|ΔE| of every token in one head."""
    return np.linalg.norm(trace.head(head_id).delta_E, axis=1)


@pytest.mark.parametrize("head_id", HEADS)
def test_a_head_moves_the_words_it_is_built_to_update_twice_as_much_as_any_other(traces, head_id):
    checked = 0
    for sentence, trace in traces.items():
        targets = sorted({r.target for r in trace.relations if r.kind == HEADS[head_id]})
        if not targets:
            continue
        size = moved(trace, head_id)
        others = [i for i in range(trace.n) if i not in targets]
        if others:
            assert size[targets].min() >= 2 * size[others].max(), (sentence, size.round(1))
        checked += 1
    assert checked >= 20


@pytest.mark.parametrize("head_id", HEADS)
def test_a_word_with_nothing_to_find_parks_on_the_sink_and_barely_changes(traces, head_id):
    for sentence, trace in traces.items():
        head = trace.head(head_id)
        targets = {r.target for r in trace.relations if r.kind == HEADS[head_id]}
        for j in set(range(trace.n)) - targets:
            assert head.sink[j] > 0.5, (sentence, trace.words[j])
            # its change is small against its own embedding
            assert moved(trace, head_id)[j] < 0.1 * np.linalg.norm(trace.E[j]), sentence


def test_the_sink_is_one_more_slot_of_the_softmax_with_no_value(traces):
    trace = traces["my brave little dog chased the noisy cat"]
    for head in trace.heads:
        assert head.has_sink
        for j in range(trace.n):  # an independent reference: scipy over [sink, visible keys]
            visible = np.flatnonzero(head.mask[j])
            expected = softmax(np.concatenate([[head.spec.sink], head.scores[j, visible]]))
            assert head.sink[j] == pytest.approx(expected[0], rel=1e-12)
            np.testing.assert_allclose(head.pattern[j, visible], expected[1:], rtol=1e-12)
            assert head.pattern[j, ~head.mask[j]].sum() == 0.0
        np.testing.assert_allclose(head.pattern.sum(axis=1) + head.sink, 1.0, rtol=1e-12)
        # the sink adds nothing: the output is the tokens' values, weighted
        naive = sum(head.pattern[:, i, None] * head.V[i] for i in range(trace.n))
        np.testing.assert_allclose(head.output, naive, atol=1e-9)
        drawn = head.with_sink()
        assert drawn["pattern"].shape == (trace.n, trace.n + 1)
        np.testing.assert_allclose(drawn["pattern"].sum(axis=1), 1.0, rtol=1e-12)
        assert drawn["scaled"][:, -1] == pytest.approx(head.spec.sink)
        assert drawn["mask"][:, -1].all()


def test_softmax_with_sink_on_a_hand_example():
    scores = np.array([[0.0, -np.inf], [np.log(2.0), 0.0]])
    mask = np.array([[True, False], [True, True]])
    pattern, sink = softmax_with_sink(scores, mask, 0.0)
    # query 0 sees the sink (e^0) and key 0 (e^0): half each; query 1: 1, 2, 1
    np.testing.assert_allclose(pattern, [[0.5, 0.0], [0.5, 0.25]])
    np.testing.assert_allclose(sink, [0.5, 0.25])


def test_colour_names_that_are_nouns_modify_the_noun_after_them(traces):
    trace = traces["she wore a lime scarf and a rose coat"]
    words = trace.words
    pairs = {(words[r.source], words[r.target]) for r in trace.relations if r.kind == "modifies"}
    assert pairs == {("lime", "scarf"), ("rose", "coat")}
    for colour in ("lime", "rose"):
        token = trace.tokens[words.index(colour)]
        assert token.role == "adj" and f"colour:{colour}" in token.features
    alone = build_trace(example_from_sentence("I ate a lime")).tokens[-1]
    assert (alone.text, alone.role) == ("lime", "noun")  # a lime is a fruit here


def test_the_bundled_examples_keep_their_designed_links():
    trace = build_trace(load_example("fluffy-creature"))
    head, words = trace.head("adjective-noun"), trace.words
    creature, forest = words.index("creature"), words.index("forest")
    assert head.pattern[creature, words.index("fluffy")] > 0.3
    assert head.pattern[creature, words.index("blue")] > 0.3
    assert head.pattern[forest, words.index("verdant")] > 0.6
    verb = trace.head("subject-verb").pattern[words.index("roamed")]
    assert np.argmax(verb) == creature and verb[creature] > 0.6
    for t in build_traces(load_example("mole")):  # each "mole" takes its sense from a cue
        context = t.head("context-meaning")
        j = len(t.words) - 1  # "mole" ends each phrase
        assert context.sink[j] < 0.5 and context.pattern[j, :j].max() > 0.3, t.words
