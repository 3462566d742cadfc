"""Head scores on hand-made patterns whose behaviour is known."""

from __future__ import annotations

import numpy as np
import pytest

from attention_math.errors import InputError
from attention_math.real_model.head_finder import (
    BEHAVIOURS,
    behaviour_scores,
    best_head,
    rank_heads,
    score_heads,
)

N = 8


def _previous() -> np.ndarray:
    pattern = np.eye(N, k=-1)
    pattern[0, 0] = 1
    return pattern


def _sink() -> np.ndarray:
    pattern = np.zeros((N, N))
    pattern[:, 0] = 1
    return pattern


def _uniform() -> np.ndarray:
    return np.tril(np.ones((N, N))) / np.arange(1, N + 1)[:, None]


def _broad() -> np.ndarray:
    """Even over keys 1..q-1 (the sink and the query itself get nothing)."""
    pattern = np.zeros((N, N))
    pattern[0, 0] = pattern[1, 0] = pattern[2, 1] = 1
    for q in range(3, N):
        pattern[q, 1:q] = 1 / (q - 1)
    return pattern


@pytest.fixture
def patterns() -> np.ndarray:
    """Layer 0: previous, sink, self; layer 1: uniform, broad, sink."""
    heads = [[_previous(), _sink(), np.eye(N)], [_uniform(), _broad(), _sink()]]
    return np.array(heads)  # (2, 3, N, N)


def test_pure_heads_score_one(patterns):
    scores = behaviour_scores(patterns)
    assert scores["previous_token"][0, 0] == 1
    assert scores["first_token"][0, 1] == 1 and scores["first_token"][1, 2] == 1
    assert scores["current_token"][0, 2] == 1
    assert scores["broad"][1, 1] == pytest.approx(1)
    for name in BEHAVIOURS:
        assert ((scores[name] >= 0) & (scores[name] <= 1 + 1e-12)).all()


def test_uniform_head_is_broad_but_less_than_a_pure_one(patterns):
    scores = behaviour_scores(patterns)
    assert 0.3 < scores["broad"][1, 0] < scores["broad"][1, 1]
    assert scores["broad"][0, 1] == 0 and scores["broad"][0, 0] == 0


def test_ranking_and_best_head(patterns):
    assert [(s.layer, s.head) for s in rank_heads(patterns, "first_token")[:2]] == [(0, 1), (1, 2)]
    previous = best_head(patterns, "previous_token")
    assert (previous.layer, previous.head) == (0, 0)
    broad = best_head(patterns, "broad", max_first_token=0.5)
    assert (broad.layer, broad.head, broad.behaviour) == (1, 1, "broad")
    assert all(s.first_token <= 0.5 for s in rank_heads(patterns, "broad", max_first_token=0.5))


def test_score_heads_order_and_behaviour(patterns):
    scored = score_heads(patterns)
    assert [(s.layer, s.head) for s in scored] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert [s.behaviour for s in scored[:3]] == ["previous_token", "first_token", "current_token"]


def test_bad_requests(patterns):
    with pytest.raises(InputError, match="unknown head behaviour"):
        rank_heads(patterns, "induction")
    with pytest.raises(InputError, match="at least two tokens"):
        behaviour_scores(np.ones((1, 1, 1, 1)))
    with pytest.raises(InputError, match="sink"):
        best_head(patterns[:, 1:2], "broad", max_first_token=0.1)
