"""Scores, masks, softmax and value sums: the arithmetic of one attention head.

Convention: arrays are indexed ``[query, key]`` here (as in TransformerLens).
On screen keys are rows and queries are columns; the single transpose between
the two lives in :func:`attention_math.layout.key_by_query`.
"""

from __future__ import annotations

import numpy as np


def causal_mask(n_query: int, n_key: int | None = None) -> np.ndarray:
    """Boolean ``[query, key]`` array: True where the key may be attended to.

    A key is hidden from a query exactly when it comes later in the sentence.
    """
    n_key = n_query if n_key is None else n_key
    return np.tril(np.ones((n_query, n_key), dtype=bool))  # (n_q, n_k)


def full_mask(n_query: int, n_key: int) -> np.ndarray:
    """No masking at all (cross-attention)."""
    return np.ones((n_query, n_key), dtype=bool)  # (n_q, n_k)


def attention_scores(Q: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Raw dot products ``K_i . Q_j`` laid out ``[query j, key i]``."""
    return Q @ K.T  # (n_q, d_head) @ (d_head, n_k) -> (n_q, n_k)


def scale_scores(scores: np.ndarray, d_head: int) -> np.ndarray:
    """Divide by sqrt(d_head) so that scores stay O(1) at any head size."""
    return scores / np.sqrt(d_head)


def masked_softmax(scores: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Softmax over keys for each query; masked entries become exactly 0.

    Masked scores are treated as minus infinity (the red cells of the video).
    Every query must see at least one key.
    """
    if not mask.any(axis=-1).all():
        raise ValueError("every query must be allowed to see at least one key")
    masked = np.where(mask, scores, -np.inf)  # (n_q, n_k)
    shifted = masked - masked.max(axis=-1, keepdims=True)  # stability; max is finite
    weights = np.exp(shifted)  # exp(-inf) == 0 exactly
    return weights / weights.sum(axis=-1, keepdims=True)  # (n_q, n_k), rows sum to 1


def softmax_with_sink(
    scores: np.ndarray, mask: np.ndarray, sink: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`masked_softmax` over the keys and one more slot, the head's sink: a learned
    score ``sink`` that every query sees, with no value (as the "attention sinks" of
    some released models, a logit per head added to the softmax). A query with no key
    scoring near ``sink`` parks most of its weight there and takes almost nothing.

    Returns ``(pattern (n_q, n_k), sink_weight (n_q,))``; for every query
    ``pattern[j].sum() + sink_weight[j] == 1``.
    """
    n_q, n_k = scores.shape
    with_sink = np.concatenate([np.full((n_q, 1), float(sink)), scores], axis=1)  # (n_q, 1+n_k)
    seen = np.concatenate([np.ones((n_q, 1), dtype=bool), mask], axis=1)  # (n_q, 1+n_k)
    weights = masked_softmax(with_sink, seen)  # (n_q, 1+n_k)
    return weights[:, 1:], weights[:, 0]  # (n_q, n_k), (n_q,)


def weighted_values(pattern: np.ndarray, V: np.ndarray) -> np.ndarray:
    """For each query j: sum_i pattern[j, i] * V_i."""
    return pattern @ V  # (n_q, n_k) @ (n_k, d_v) -> (n_q, d_v)
