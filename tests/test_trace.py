"""The trace: the checks of numeric-core.md, on the real-size default example and
property-based on small random models."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from conftest import SMALL
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_math import build_trace, example_from_sentence, key_by_query
from attention_math.attention import causal_mask


def _check_head_invariants(trace):
    n = trace.n
    for head in trace.heads:
        # each row of the pattern and the query's weight on the head's sink add up to 1
        np.testing.assert_allclose(head.pattern.sum(axis=1) + head.sink, 1.0, atol=1e-12)
        assert np.array_equal(head.mask, causal_mask(n))
        assert np.all(head.pattern[~head.mask] == 0.0)
        d_head = head.Q.shape[1]
        np.testing.assert_allclose(head.scores, head.Q @ head.K.T / np.sqrt(d_head), atol=1e-9)
        np.testing.assert_allclose(head.Q, trace.E @ head.weights.W_Q.T, atol=1e-9)
        np.testing.assert_allclose(head.K, trace.E @ head.weights.W_K.T, atol=1e-9)
        # delta_E_j = sum_i A[j, i] * value_up(value_down(E_i)), term by term
        values = trace.E @ head.weights.W_V_down.T @ head.weights.W_V_up.T  # (n, d_model)
        for j in range(n):
            expected = sum(head.pattern[j, i] * values[i] for i in range(n))
            np.testing.assert_allclose(head.delta_E[j], expected, atol=1e-8)
    np.testing.assert_allclose(trace.E_prime, trace.E + trace.delta_E, atol=1e-12)


def test_default_example_invariants(fluffy_trace):
    assert fluffy_trace.E.shape == (8, 12_288)
    assert fluffy_trace.heads[0].Q.shape == (8, 128)
    _check_head_invariants(fluffy_trace)


def test_nouns_attend_to_their_own_preceding_adjectives(fluffy_trace):
    head = fluffy_trace.head("adjective-noun")
    words = fluffy_trace.words
    col = key_by_query(head.pattern)  # [key, query]
    creature, forest = words.index("creature"), words.index("forest")
    fluffy, blue, verdant = words.index("fluffy"), words.index("blue"), words.index("verdant")
    assert col[fluffy, creature] + col[blue, creature] > 0.8
    assert min(col[fluffy, creature], col[blue, creature]) > 0.25
    assert col[verdant, forest] > 0.6
    assert col[verdant, forest] == col[:, forest].max()
    # the designed scores: adjective keys win their noun's column; some score is negative
    scores = key_by_query(head.scores)
    assert set(np.argsort(scores[:, creature])[-2:]) == {fluffy, blue}
    assert scores[:, forest].argmax() == verdant
    assert (scores[key_by_query(head.mask)] < -0.5).any()


def test_heads_that_find_something_have_visibly_different_patterns(fluffy_trace):
    # a head that finds nothing in this sentence (no pronoun, no ambiguous word) parks
    # most of every column on its sink: it looks like another such head, truthfully
    heads = [h for h in fluffy_trace.heads if h.sink.min() < 0.5]
    assert {h.id for h in heads} >= {"adjective-noun", "previous-token", "subject-verb"}
    patterns = [h.with_sink()["pattern"] for h in heads]
    for a in range(len(patterns)):
        for b in range(a + 1, len(patterns)):
            assert np.abs(patterns[a] - patterns[b]).max() > 0.3


def test_previous_token_head_looks_one_back(fluffy_trace):
    pattern = fluffy_trace.head("previous-token").pattern
    for j in range(1, fluffy_trace.n):
        assert pattern[j].argmax() == j - 1 and pattern[j, j - 1] > 0.9


def test_output_matrix_on_concatenation_equals_sum_of_heads(fluffy_trace):
    combined = fluffy_trace.head_outputs() @ fluffy_trace.W_O.T  # (n, d_model)
    np.testing.assert_allclose(combined, fluffy_trace.delta_E, atol=1e-8)
    d_head = fluffy_trace.dims.d_head
    assert fluffy_trace.W_O.shape == (12_288, len(fluffy_trace.heads) * d_head)


def test_value_map_rank_is_at_most_d_head():
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims=SMALL)
    for head in trace.heads:
        value_map = head.weights.W_V_up @ head.weights.W_V_down  # (d_model, d_model)
        assert np.linalg.matrix_rank(value_map) <= SMALL.d_head


def test_value_carries_adjective_meaning_into_the_noun(fluffy_trace):
    from attention_math.embeddings import direction

    head = fluffy_trace.head("adjective-noun")
    creature = fluffy_trace.words.index("creature")
    d, seed = fluffy_trace.dims.d_model, fluffy_trace.seed
    blue = direction("colour:blue", d, seed) @ head.delta_E[creature] / np.sqrt(d)
    fluffy = direction("texture:fluffy", d, seed) @ head.delta_E[creature] / np.sqrt(d)
    green = direction("colour:green", d, seed) @ head.delta_E[creature] / np.sqrt(d)
    words = fluffy_trace.words
    a_blue = head.pattern[creature, words.index("blue")]
    a_fluffy = head.pattern[creature, words.index("fluffy")]
    assert abs(blue - a_blue) < 0.15 and abs(fluffy - a_fluffy) < 0.15
    assert abs(green) < 0.15


def test_cross_attention_aligns_the_translation(translation_trace):
    cross = translation_trace.cross
    assert cross is not None
    assert cross.head.mask.all()  # no mask
    q = [t.text for t in cross.query_tokens]
    k = translation_trace.words
    pattern = cross.head.pattern  # [query (French), key (English)]
    for fr, en in [("Je", "I"), ("veux", "want"), ("caresser", "pet"), ("le", "it")]:
        assert pattern[q.index(fr)].argmax() == k.index(en)


def test_context_head_pulls_mole_toward_its_sense(mole_traces):
    from attention_math.embeddings import direction

    for trace, sense in zip(mole_traces, ["animal", "chemistry", "skin"], strict=True):
        mole = trace.words.index("mole")
        delta = trace.head("context-meaning").delta_E[mole]
        d = trace.dims.d_model
        amounts = {
            s: direction(f"sense:{s}", d, trace.seed) @ delta / np.sqrt(d)
            for s in ["animal", "chemistry", "skin"]
        }
        assert max(amounts, key=amounts.get) == sense


words = st.sampled_from(["a", "fluffy", "blue", "creature", "the", "forest", "it", "ran", "zorp"])


@settings(max_examples=15, deadline=None)
@given(st.lists(words, min_size=1, max_size=SMALL.max_context), st.integers(0, 10_000))
def test_invariants_hold_for_any_sentence_and_seed(sentence, seed):
    trace = build_trace(example_from_sentence(" ".join(sentence)), dims=SMALL, seed=seed)
    _check_head_invariants(trace)
    for head in trace.heads:  # the value map really is low-rank through d_head
        assert head.V.shape == (len(sentence), SMALL.d_head)


def test_same_input_same_numbers_bit_for_bit_across_processes(fluffy_trace):
    code = (
        "import hashlib; from attention_math import build_trace, load_example;"
        "t = build_trace(load_example('fluffy-creature'));"
        "print(hashlib.sha256(t.E.tobytes() + t.heads[0].pattern.tobytes()"
        " + t.delta_E.tobytes()).hexdigest())"
    )
    import hashlib

    here = hashlib.sha256(
        fluffy_trace.E.tobytes()
        + fluffy_trace.heads[0].pattern.tobytes()
        + fluffy_trace.delta_E.tobytes()
    ).hexdigest()
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == here


def test_different_seed_different_numbers(fluffy_trace):
    other = build_trace(example_from_sentence(fluffy_trace.sentence), seed=fluffy_trace.seed + 1)
    assert not np.array_equal(other.E, fluffy_trace.E)


def test_trace_arrays_are_read_only(fluffy_trace):
    with pytest.raises(ValueError):
        fluffy_trace.E[0, 0] = 1.0
    with pytest.raises(ValueError):
        fluffy_trace.heads[0].pattern[0, 0] = 1.0


def test_same_word_same_token_embedding_anywhere(mole_traces):
    columns = [t.E_token[t.words.index("mole")] for t in mole_traces]
    positions = [t.words.index("mole") for t in mole_traces]
    assert len(set(positions)) == 3  # mole stands at three different places
    for col in columns[1:]:
        assert np.array_equal(col, columns[0])
    for t in mole_traces:
        np.testing.assert_array_equal(t.E, t.E_token + t.E_position)


@pytest.fixture
def fresh_weights_cache(monkeypatch):
    """Gives the traces an empty cache of head weights, so that they build their own (the
    traces of other tests keep theirs); returns the cache. Call it again for another."""
    from functools import lru_cache

    from attention_math import trace
    from attention_math.heads import build_head_weights

    def fresh():
        cache = lru_cache(maxsize=8)(build_head_weights)
        monkeypatch.setattr(trace, "_shared_weights", cache)
        return cache

    return fresh


@pytest.fixture
def thread_starts(monkeypatch):
    """The threads started while a test runs."""
    import threading

    started = []
    start = threading.Thread.start

    def counting_start(thread):
        started.append(thread)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counting_start)
    return started


def _all_weights(trace):
    return [h.weights for h in (*trace.heads, trace.cross.head)]


def test_build_trace_builds_the_weights_it_needs_without_threads(
    fresh_weights_cache, thread_starts
):
    from attention_math import load_example

    cache = fresh_weights_cache()
    trace = build_trace(load_example("translation"), dims=SMALL)
    assert cache.cache_info().misses == len(trace.heads) + 1  # and the cross head
    assert thread_starts == []


def test_warming_then_building_gives_the_weights_built_without_warming(
    fresh_weights_cache, thread_starts
):
    # each head has its own random generator: built in threads at GPT-3 size, the weights
    # equal the ones build_trace builds one by one
    from attention_math import load_example, warm_head_weights

    example = load_example("translation")
    fresh_weights_cache()
    alone = build_trace(example)
    cache = fresh_weights_cache()
    warm_head_weights(example, workers=2)
    assert len(thread_starts) == 2 and not any(t.is_alive() for t in thread_starts)
    warmed = cache.cache_info()
    assert warmed.misses == len(alone.heads) + 1
    trace = build_trace(example)
    assert cache.cache_info().misses == warmed.misses  # nothing built again
    assert len(thread_starts) == 2
    for before, after in zip(_all_weights(alone), _all_weights(trace), strict=True):
        for name in ("W_Q", "W_K", "W_V_down", "W_V_up"):
            assert np.array_equal(getattr(before, name), getattr(after, name)), name
    for name in ("E", "W_O", "delta_E", "E_prime"):
        assert np.array_equal(getattr(trace, name), getattr(alone, name)), name
    assert np.array_equal(trace.cross.head.pattern, alone.cross.head.pattern)


def test_warming_on_one_thread_builds_in_place(fresh_weights_cache, thread_starts):
    from attention_math import load_example, warm_head_weights
    from attention_math.heads import load_design

    cache = fresh_weights_cache()
    warm_head_weights(load_example("fluffy-creature"), dims=SMALL, workers=1)
    assert thread_starts == []
    assert cache.cache_info().misses == len(load_design().heads)  # no target: no cross head
