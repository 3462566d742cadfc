"""Designed heads: real W_Q, W_K, value-down and value-up matrices built by hand.

A head is described in ``assets/heads.toml`` the way a person would design it:
"a noun's query looks for an adjective's key", "add a bonus to the token right
before me", "carry the adjective's colour into the noun". This module turns such
a description into full-size matrices (d_key x d_embed and d_embed x d_key).

Key space (d_key dims) is split in two blocks: the first d_key/2 dims hold one
code per position (for distance-based scores), the rest hold one code per
query/key match. Codes within a block are orthonormal.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .embeddings import EmbeddingSettings, direction, rng_for
from .errors import InputError
from .lexicon import ASSETS, read_toml

HEADS_PATH = ASSETS / "heads.toml"


@dataclass(frozen=True)
class Match:
    query: str  # feature pattern on the query side, e.g. "role:noun" or "concept:*"
    key: str  # feature pattern on the key side, or "same"
    score: float  # scaled score a matching pair contributes


@dataclass(frozen=True)
class ValueRule:
    source: str  # feature pattern read from the attended token
    target: str  # feature written into the attending token ("*" = matched value)
    gain: float


@dataclass(frozen=True)
class HeadSpec:
    id: str
    name: str
    question: str
    answer: str
    matches: tuple[Match, ...]
    position: tuple[float, ...]  # score bonus by distance 0, 1, 2, ...
    values: tuple[ValueRule, ...]


@dataclass(frozen=True)
class HeadWeights:
    W_Q: np.ndarray  # (d_key, d_embed)
    W_K: np.ndarray  # (d_key, d_embed)
    W_V_down: np.ndarray  # (d_key, d_embed)
    W_V_up: np.ndarray  # (d_embed, d_key)


@dataclass(frozen=True)
class Design:
    embedding: EmbeddingSettings
    heads: tuple[HeadSpec, ...]
    cross: HeadSpec


@lru_cache(maxsize=4)
def load_design(path: Path = HEADS_PATH) -> Design:
    """Load and validate ``heads.toml``."""
    data = read_toml(path)
    where = str(path)
    emb = data.get("embedding", {})
    if not isinstance(emb, dict):
        raise InputError(f"{where}: [embedding] must be a table")
    fields = EmbeddingSettings.__dataclass_fields__
    for key, value in emb.items():
        if key not in fields:
            raise InputError(f"{where}: embedding.{key} is not a setting ({', '.join(fields)})")
        if not isinstance(value, int | float):
            raise InputError(f"{where}: embedding.{key} must be a number")
    settings = EmbeddingSettings(**{k: float(v) for k, v in emb.items()})
    heads = data.get("heads")
    if not isinstance(heads, list) or not heads:
        raise InputError(f"{where}: needs at least one [[heads]] table")
    specs = tuple(_head_spec(h, f"{where}: heads[{i}]") for i, h in enumerate(heads))
    if "cross" not in data:
        raise InputError(f"{where}: missing the [cross] head")
    return Design(settings, specs, _head_spec(data["cross"], f"{where}: cross"))


def _head_spec(raw: object, where: str) -> HeadSpec:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: must be a table")
    try:
        matches = tuple(
            Match(str(m["query"]), str(m["key"]), float(m["score"])) for m in raw.get("match", [])
        )
        values = tuple(
            ValueRule(str(v["from"]), str(v["to"]), float(v["gain"])) for v in raw.get("value", [])
        )
        position = tuple(float(x) for x in raw.get("position", []))
        return HeadSpec(
            id=str(raw["id"]),
            name=str(raw["name"]),
            question=str(raw.get("question", "")),
            answer=str(raw.get("answer", "")),
            matches=matches,
            position=position,
            values=values,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: malformed head ({type(exc).__name__}: {exc})") from None


def _orthonormal_codes(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` random unit vectors in ``dim`` dims, orthonormal when count <= dim."""
    raw = rng.standard_normal((dim, max(count, 1)))  # (dim, count)
    if count <= dim:
        q, r = np.linalg.qr(raw)  # (dim, count)
        q *= np.sign(np.diag(r))  # make the factorisation unique
        return q.T[:count]  # (count, dim)
    return (raw / np.linalg.norm(raw, axis=0)).T  # (count, dim)


def _matching(pattern: str, features: list[str]) -> list[str]:
    return [f for f in features if fnmatch.fnmatchcase(f, pattern)]


def _substitute(target: str, source_pattern: str, feature: str) -> str:
    """``colour:*`` read as ``colour:blue`` writes ``target`` with ``*`` -> ``blue``."""
    if "*" not in target:
        return target
    prefix = source_pattern.split("*", 1)[0]
    return target.replace("*", feature[len(prefix) :], 1)


def build_head_weights(
    spec: HeadSpec,
    features: frozenset[str],
    d_embed: int,
    d_key: int,
    settings: EmbeddingSettings,
    seed: int,
) -> HeadWeights:
    """Full-size weight matrices for one designed head.

    ``features`` is every feature the model knows (``role:...`` for each role plus
    the meaning features of the lexicon and the example), so that wildcard rules
    such as ``concept:*`` can be expanded.
    """
    feats = sorted(features)
    n_pos = d_key // 2
    sqrt_d = np.sqrt(d_embed)
    rng = rng_for(seed, "head", spec.id)
    W_Q = rng.standard_normal((d_key, d_embed)) * settings.noise / sqrt_d  # (d_key, d_embed)
    W_K = rng.standard_normal((d_key, d_embed)) * settings.noise / sqrt_d  # (d_key, d_embed)

    def reader(feature: str) -> np.ndarray:
        """Row vector that reads how much of ``feature`` an embedding holds (~1 if present)."""
        return direction(feature, d_embed, seed) / (sqrt_d * settings.weight_of(feature))

    # Semantic block: one orthonormal code per (query feature, key feature) pairing.
    pairs: list[tuple[list[str], list[str], float]] = []
    for m in spec.matches:
        q_feats = _matching(m.query, feats)
        if m.key == "same":
            pairs += [([f], [f], m.score) for f in q_feats]
        else:
            pairs.append((q_feats, _matching(m.key, feats), m.score))
    codes = _orthonormal_codes(len(pairs), d_key - n_pos, rng)  # (n_pairs, d_key - n_pos)
    q_terms: list[tuple[np.ndarray, np.ndarray]] = []  # (code column, reader row) pairs
    k_terms: list[tuple[np.ndarray, np.ndarray]] = []
    for (q_feats, k_feats, score), code in zip(pairs, codes, strict=False):
        strength = np.sqrt(abs(score) * np.sqrt(d_key))
        q_terms += [(strength * code, reader(f)) for f in q_feats]
        k_terms += [(np.sign(score) * strength * code, reader(f)) for f in k_feats]
    W_Q[n_pos:] += _sum_of_outers(q_terms, d_key - n_pos, d_embed)
    W_K[n_pos:] += _sum_of_outers(k_terms, d_key - n_pos, d_embed)

    # Position block: key j -> code e_j; query i -> sum_k alpha_k e_(i-k).
    bonus = np.asarray(spec.position)
    if bonus.size and np.abs(bonus).max() > 0:
        beta = d_key**0.25 * np.sqrt(np.abs(bonus).max())
        alpha = bonus * np.sqrt(d_key) / beta  # (n_offsets,)
        readers = np.stack([reader(f"position:{i}") for i in range(n_pos)])  # (n_pos, d_embed)
        offsets = np.arange(n_pos)[None, :] - np.arange(n_pos)[:, None]  # [code r, position i]
        in_range = (offsets >= 0) & (offsets < alpha.size)
        A = np.where(in_range, alpha[np.clip(offsets, 0, alpha.size - 1)], 0.0)  # (n_pos, n_pos)
        W_Q[:n_pos] += A @ readers  # (n_pos, n_pos) @ (n_pos, d_embed)
        W_K[:n_pos] += beta * readers

    # Values: value-down reads a feature into a code, value-up writes the target feature.
    rules = [
        (f, _substitute(rule.target, rule.source, f), rule.gain)
        for rule in spec.values
        for f in _matching(rule.source, feats)
    ]
    v_codes = _orthonormal_codes(len(rules), d_key, rng)  # (n_rules, d_key)
    alpha_v = np.sqrt(d_key)  # value entries come out O(1)
    W_V_down = rng.standard_normal((d_key, d_embed)) * settings.noise / sqrt_d
    W_V_up = rng.standard_normal((d_embed, d_key)) * settings.noise / np.sqrt(d_key)
    down_terms = [(alpha_v * code, reader(src)) for (src, _, _), code in zip(rules, v_codes)]
    up_terms = [
        (gain * sqrt_d * settings.weight_of(tgt) * direction(tgt, d_embed, seed), code / alpha_v)
        for (_, tgt, gain), code in zip(rules, v_codes, strict=False)
    ]
    W_V_down += _sum_of_outers(down_terms, d_key, d_embed)
    W_V_up += _sum_of_outers(up_terms, d_embed, d_key)
    for W in (W_Q, W_K, W_V_down, W_V_up):
        W.setflags(write=False)
    return HeadWeights(W_Q, W_K, W_V_down, W_V_up)


def _sum_of_outers(terms: list[tuple[np.ndarray, np.ndarray]], rows: int, cols: int) -> np.ndarray:
    """sum of outer(column, row) over the terms, as one matrix product."""
    if not terms:
        return np.zeros((rows, cols))
    columns = np.stack([c for c, _ in terms], axis=1)  # (rows, m)
    row_vectors = np.stack([r for _, r in terms])  # (m, cols)
    return columns @ row_vectors  # (rows, cols)
