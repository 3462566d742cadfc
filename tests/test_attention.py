"""The arithmetic of one head against independent references (naive loops, scipy)."""

from __future__ import annotations

import math

import numpy as np
import scipy.special
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_math.attention import (
    attention_scores,
    causal_mask,
    masked_softmax,
    scale_scores,
    weighted_values,
)


def _naive_scores(Q, K):
    n_q, n_k = len(Q), len(K)
    out = np.zeros((n_q, n_k))
    for j in range(n_q):
        for i in range(n_k):
            out[j, i] = sum(K[i][c] * Q[j][c] for c in range(len(Q[j]))) / math.sqrt(len(Q[j]))
    return out


sizes = st.tuples(st.integers(1, 9), st.integers(1, 12), st.integers(0, 2**32 - 1))


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_scaled_scores_match_naive_loop(size):
    n, d_head, seed = size
    rng = np.random.default_rng(seed)
    Q, K = rng.standard_normal((n, d_head)), rng.standard_normal((n, d_head))
    ours = scale_scores(attention_scores(Q, K), d_head)
    np.testing.assert_allclose(ours, _naive_scores(Q, K), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(sizes)
def test_masked_softmax_matches_scipy_and_masks_exactly(size):
    n, d_head, seed = size
    rng = np.random.default_rng(seed)
    scores = rng.standard_normal((n, n)) * 10
    mask = causal_mask(n)
    pattern = masked_softmax(scores, mask)
    for j in range(n):  # query j sees keys 0..j
        np.testing.assert_allclose(pattern[j, : j + 1], scipy.special.softmax(scores[j, : j + 1]))
    assert np.all(pattern[~mask] == 0.0)  # exactly zero, not tiny
    np.testing.assert_allclose(pattern.sum(axis=1), 1.0, rtol=0, atol=1e-12)


def test_causal_mask_hides_exactly_later_keys():
    mask = causal_mask(5)
    for j in range(5):
        for i in range(5):
            assert mask[j, i] == (i <= j)


def test_softmax_survives_huge_scores():
    scores = np.array([[1000.0, 999.0], [-1000.0, 5.0]])
    pattern = masked_softmax(scores, np.ones((2, 2), bool))
    assert np.isfinite(pattern).all()
    np.testing.assert_allclose(pattern[0], scipy.special.softmax([1000.0, 999.0]))


def test_weighted_values_is_the_sum_of_weighted_rows():
    rng = np.random.default_rng(1)
    A, V = rng.random((3, 4)), rng.standard_normal((4, 5))
    expected = [sum(A[j, i] * V[i] for i in range(4)) for j in range(3)]
    np.testing.assert_allclose(weighted_values(A, V), expected)
