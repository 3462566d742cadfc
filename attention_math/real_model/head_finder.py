"""Name what each head of a real model does on one sentence, so scenes can pick heads.

Every score is an average over query positions of a share of attention, so it lies in
[0, 1]. Query 0 is left out everywhere: it can only see itself.

- ``previous_token``: weight on the token just before the query.
- ``first_token``: weight on the first token, the "attention sink" most heads of most
  layers fall into.
- ``current_token``: weight the query puts on itself.
- ``broad``: how evenly the query spreads over the earlier tokens other than the first
  (keys ``1 .. query - 1``): the weight there times the normalised entropy of its spread.
  A head that reads many earlier words scores high; a sink or a one-token head scores 0.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from attention_math.errors import InputError

BEHAVIOURS = ("previous_token", "first_token", "current_token", "broad")


@dataclass(frozen=True)
class HeadScore:
    """How strongly one head shows each behaviour on the sentence (each in [0, 1])."""

    layer: int
    head: int
    previous_token: float
    first_token: float
    current_token: float
    broad: float

    @property
    def behaviour(self) -> str:
        """The behaviour with the highest score."""
        return max(BEHAVIOURS, key=lambda name: getattr(self, name))

    def score(self, behaviour: str) -> float:
        return getattr(self, behaviour)


def behaviour_scores(pattern: np.ndarray) -> dict[str, np.ndarray]:
    """Each behaviour's score for every head.

    Parameters
    ----------
    pattern
        Attention weights ``[layer, head, query_pos, key_pos]``, causal, rows summing to 1.

    Returns
    -------
    dict
        Behaviour name -> ``(n_layers, n_heads)`` array.
    """
    n_tokens = pattern.shape[-1]
    if n_tokens < 2:
        raise InputError("scoring heads needs a sentence of at least two tokens")
    queries = np.arange(1, n_tokens)  # (T-1,)
    return {
        "previous_token": pattern[..., queries, queries - 1].mean(axis=-1),  # (L, h)
        "first_token": pattern[..., queries, 0].mean(axis=-1),  # (L, h)
        "current_token": pattern[..., queries, queries].mean(axis=-1),  # (L, h)
        "broad": _broad(pattern),  # (L, h)
    }


def _broad(pattern: np.ndarray) -> np.ndarray:
    """Mean over queries q >= 3 of (weight on keys 1..q-1) x (normalised entropy there)."""
    n_tokens = pattern.shape[-1]
    if n_tokens < 4:
        return np.zeros(pattern.shape[:-2])  # (L, h): too few middle keys to spread over
    per_query = []
    for q in range(3, n_tokens):
        middle = pattern[..., q, 1:q]  # (L, h, q-1)
        mass = middle.sum(axis=-1)  # (L, h)
        share = middle / np.maximum(mass, 1e-12)[..., None]  # (L, h, q-1), sums to 1
        entropy = -(share * np.log(np.maximum(share, 1e-12))).sum(axis=-1)  # (L, h)
        per_query.append(mass * entropy / np.log(q - 1))  # (L, h)
    return np.mean(per_query, axis=0)  # (L, h)


def score_heads(pattern: np.ndarray) -> list[HeadScore]:
    """One :class:`HeadScore` per head, in (layer, head) order."""
    scores = behaviour_scores(pattern)
    n_layers, n_heads = pattern.shape[:2]
    return [
        HeadScore(layer, head, **{name: float(scores[name][layer, head]) for name in BEHAVIOURS})
        for layer in range(n_layers)
        for head in range(n_heads)
    ]


def rank_heads(pattern: np.ndarray, by: str, max_first_token: float = 1.0) -> list[HeadScore]:
    """Heads sorted by one behaviour, strongest first.

    ``max_first_token`` drops heads whose sink share is above it (e.g. 0.5 keeps only heads
    that mostly look at real words).
    """
    if by not in BEHAVIOURS:
        raise InputError(f"unknown head behaviour {by!r}; choose one of {', '.join(BEHAVIOURS)}")
    kept = [s for s in score_heads(pattern) if s.first_token <= max_first_token]
    return sorted(kept, key=lambda s: s.score(by), reverse=True)


def best_head(pattern: np.ndarray, by: str, max_first_token: float = 1.0) -> HeadScore:
    """The single strongest head for one behaviour (see :func:`rank_heads`)."""
    ranked = rank_heads(pattern, by, max_first_token)
    if not ranked:
        raise InputError(f"no head puts at most {max_first_token:.0%} of its weight on the sink")
    return ranked[0]


def distinct_best(
    pattern: np.ndarray, wanted: tuple[tuple[str, float], ...]
) -> list[tuple[str, HeadScore]]:
    """The best head for each ``(behaviour, largest first-token share allowed)`` of
    ``wanted``, in order, each head picked once, and only heads that show the behaviour
    at all (score above 0)."""
    picked: list[tuple[str, HeadScore]] = []
    for behaviour, max_first in wanted:
        taken = {(s.layer, s.head) for _, s in picked}
        for score in rank_heads(pattern, behaviour, max_first_token=max_first):
            if score.score(behaviour) <= 0:
                break
            if (score.layer, score.head) not in taken:
                picked.append((behaviour, score))
                break
    return picked


def first_token_share(pattern: np.ndarray) -> np.ndarray:
    """The weight the later queries give the first token, averaged over them, for
    ``[..., query, key]`` patterns: (...). Query 0 is left out: it can only see itself."""
    return pattern[..., 1:, 0].mean(axis=-1)


def parked_share(sink: np.ndarray) -> float | None:
    """The weight a designed head's later queries park on its sink (``[query]``), averaged
    over them (query 0 left out, as in :func:`first_token_share`); None for one word."""
    return float(np.mean(sink[1:])) if len(sink) > 1 else None


def as_rows(scores: list[HeadScore]) -> list[dict]:
    """Plain dicts (with the dominant behaviour), e.g. for a table or a JSON dump."""
    return [{**asdict(s), "behaviour": s.behaviour} for s in scores]
