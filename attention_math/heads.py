"""Designed heads: real W_Q, W_K, value-down and value-up matrices built by hand.

A head is described in ``assets/heads.toml`` the way a person would design it:
"a noun's query looks for an adjective's key", "add a bonus to the token right
before me", "carry the adjective's colour into the noun". This module turns such
a description into full-size matrices (d_head x d_model and d_model x d_head), each laid
out ``(d_out, d_in)`` as the lesson writes them (the orientation rule is in
:mod:`attention_math.dims`).

Key space (d_head dims) is split in two blocks: the first d_head/2 dims hold one
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
class RelationRule:
    """Keys whose ``kind`` relation points at the query's position score ``score``:
    ``modifies`` makes a noun's query find the adjectives that modify it, wherever they
    stand (the relations come from attention_math.grammar)."""

    kind: str  # "modifies", "subject-of", ... (grammar.RELATION_KINDS)
    score: float
    self_score: float = 0.0  # the query's own key: where a word with nothing to find looks


@dataclass(frozen=True)
class HeadSpec:
    id: str
    name: str
    question: str
    answer: str
    matches: tuple[Match, ...]
    position: tuple[float, ...]  # score bonus by distance 0, 1, 2, ...
    values: tuple[ValueRule, ...]
    relation: RelationRule | None = None  # keys that point at the query's position
    # the head's sink: a learned score every query sees, with no value (None: no sink);
    # a word with nothing to find parks its weight there and takes almost nothing
    sink: float | None = None
    # how much of the attended word itself its value carries, through a random low-rank
    # map, beyond the features of the value rules (a word the lexicon knows nothing of
    # still brings something of itself)
    carry: float = 0.0


@dataclass(frozen=True)
class HeadWeights:
    """One head's matrices, each ``(d_out, d_in)`` (see :mod:`attention_math.dims`):
    on embeddings in rows, ``Q = E @ W_Q.T``."""

    W_Q: np.ndarray  # (d_head, d_model) = (d_out, d_in)
    W_K: np.ndarray  # (d_head, d_model) = (d_out, d_in)
    W_V_down: np.ndarray  # (d_head, d_model) = (d_out, d_in)
    W_V_up: np.ndarray  # (d_model, d_head) = (d_out, d_in)


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
        relation = None
        if "relation" in raw:
            rel = raw["relation"]
            relation = RelationRule(
                str(rel["kind"]), float(rel["score"]), float(rel.get("self", 0.0))
            )
        spec = HeadSpec(
            id=str(raw["id"]),
            name=str(raw["name"]),
            question=str(raw.get("question", "")),
            answer=str(raw.get("answer", "")),
            matches=matches,
            position=position,
            values=values,
            relation=relation,
            sink=None if raw.get("sink") is None else float(raw["sink"]),
            carry=float(raw.get("carry", 0.0)),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{where}: malformed head ({type(exc).__name__}: {exc})") from None
    if spec.relation is not None and any(spec.position):
        # both write the key space's position block (see _position_rows, _relation_rows)
        raise InputError(f"{where}: a head has a relation or a position bonus, not both")
    return spec


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
    d_model: int,
    d_head: int,
    settings: EmbeddingSettings,
    seed: int,
) -> HeadWeights:
    """Full-size weight matrices for one designed head, each ``(d_out, d_in)`` (see
    :mod:`attention_math.dims`): noise, plus the match block and the position block of
    W_Q and W_K, plus the value maps.

    ``features`` is every feature the model knows (``role:...`` for each role plus
    the meaning features of the lexicon and the example), so that wildcard rules
    such as ``concept:*`` can be expanded. The random numbers come from one generator
    per head, drawn in a fixed order: W_Q's and W_K's noise, the match codes, the
    value codes, value-down's and value-up's noise.
    """
    feats = sorted(features)
    n_pos = d_head // 2  # key dims 0 .. n_pos - 1: the position block; the rest: matches
    sqrt_d = np.sqrt(d_model)
    reader = _Reader(d_model, settings, seed)
    rng = rng_for(seed, "head", spec.id)
    W_Q = rng.standard_normal((d_head, d_model)) * settings.noise / sqrt_d  # (d_head, d_model)
    W_K = rng.standard_normal((d_head, d_model)) * settings.noise / sqrt_d  # (d_head, d_model)
    match_Q, match_K = _match_rows(spec.matches, feats, reader, d_head, rng)
    W_Q[n_pos:] += match_Q
    W_K[n_pos:] += match_K
    position = _position_rows(spec.position, reader, d_head)
    if position is not None:
        W_Q[:n_pos] += position[0]
        W_K[:n_pos] += position[1]
    if spec.relation is not None:
        relation_Q, relation_K = _relation_rows(spec.relation, reader, d_head)
        W_Q[:n_pos] += relation_Q
        W_K[:n_pos] += relation_K
    W_V_down, W_V_up = _value_maps(spec.values, feats, reader, d_head, rng)
    if spec.carry:  # the attended word itself, down to d_head and back up, at random
        carry = rng_for(seed, "head", spec.id, "carry")
        W_V_down += carry.standard_normal((d_head, d_model)) * spec.carry / sqrt_d
        W_V_up += carry.standard_normal((d_model, d_head)) / np.sqrt(d_head)
    for W in (W_Q, W_K, W_V_down, W_V_up):
        W.setflags(write=False)
    return HeadWeights(W_Q, W_K, W_V_down, W_V_up)


@dataclass(frozen=True)
class _Reader:
    """``reader(feature)``: the row vector that reads how much of ``feature`` an embedding
    holds (about 1 if present, about 0 if not)."""

    d_model: int
    settings: EmbeddingSettings
    seed: int

    def __call__(self, feature: str) -> np.ndarray:
        scale = np.sqrt(self.d_model) * self.settings.weight_of(feature)
        return direction(feature, self.d_model, self.seed) / scale  # (d_model,)

    def numbered(self, kind: str, count: int) -> np.ndarray:
        """The readers of ``kind:0`` .. ``kind:count-1``, one per row: (count, d_model)."""
        return np.stack([self(f"{kind}:{p}") for p in range(count)])


def _match_rows(
    matches: tuple[Match, ...],
    feats: list[str],
    reader: _Reader,
    d_head: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The match block of W_Q and W_K, key dims ``d_head // 2`` onwards: one orthonormal
    code per (query feature, key feature) pairing, which W_Q writes for the query's
    feature and W_K for the key's (with the sign of the score), so that a matching pair
    scores ``score`` after scaling by sqrt(d_head).

    Returns the rows to add to W_Q and to W_K, each (d_head - d_head // 2, d_model).
    """
    n_match = d_head - d_head // 2
    pairs: list[tuple[list[str], list[str], float]] = []
    for m in matches:
        q_feats = _matching(m.query, feats)
        if m.key == "same":
            pairs += [([f], [f], m.score) for f in q_feats]
        else:
            pairs.append((q_feats, _matching(m.key, feats), m.score))
    codes = _orthonormal_codes(len(pairs), n_match, rng)  # (n_pairs, n_match)
    q_terms: list[tuple[np.ndarray, np.ndarray]] = []  # (code column, reader row) pairs
    k_terms: list[tuple[np.ndarray, np.ndarray]] = []
    for (q_feats, k_feats, score), code in zip(pairs, codes):
        strength = np.sqrt(abs(score) * np.sqrt(d_head))
        q_terms += [(strength * code, reader(f)) for f in q_feats]
        k_terms += [(np.sign(score) * strength * code, reader(f)) for f in k_feats]
    return (
        _sum_of_outers(q_terms, n_match, reader.d_model),  # (n_match, d_model)
        _sum_of_outers(k_terms, n_match, reader.d_model),  # (n_match, d_model)
    )


def _position_rows(
    bonus_by_distance: tuple[float, ...], reader: _Reader, d_head: int
) -> tuple[np.ndarray, np.ndarray] | None:
    """The position block of W_Q and W_K, key dims ``0 .. d_head // 2 - 1``: the key at
    position j gets code e_j, the query at position i gets sum_k alpha_k e_(i-k), so that
    the pair k tokens apart scores ``bonus_by_distance[k]`` after scaling by sqrt(d_head).

    Returns the rows to add to W_Q and to W_K, each (d_head // 2, d_model); None for a
    head without a position bonus.
    """
    bonus = np.asarray(bonus_by_distance)  # (n_offsets,)
    if not (bonus.size and np.abs(bonus).max() > 0):
        return None
    n_pos = d_head // 2
    beta = d_head**0.25 * np.sqrt(np.abs(bonus).max())
    alpha = bonus * np.sqrt(d_head) / beta  # (n_offsets,)
    readers = reader.numbered("position", n_pos)  # (n_pos, d_model)
    offsets = np.arange(n_pos)[None, :] - np.arange(n_pos)[:, None]  # [code r, position i]
    in_range = (offsets >= 0) & (offsets < alpha.size)
    A = np.where(in_range, alpha[np.clip(offsets, 0, alpha.size - 1)], 0.0)  # (n_pos, n_pos)
    return A @ readers, beta * readers  # (n_pos, n_pos) @ (n_pos, d_model); (n_pos, d_model)


def _relation_rows(
    relation: RelationRule, reader: _Reader, d_head: int
) -> tuple[np.ndarray, np.ndarray]:
    """The position block of W_Q and W_K for a relation: the query at position p writes
    code e_p, a key whose ``kind:p`` direction is set ("I modify the word at p") writes
    e_p too, so exactly those pairs score ``relation.score`` after scaling by sqrt(d_head);
    the key at p itself writes a little e_p as well, so that the query's own key scores
    ``relation.self_score`` (a word that finds nothing keeps to itself).

    Returns the rows to add to W_Q and to W_K, each (d_head // 2, d_model).
    """
    n_pos = d_head // 2
    strength = np.sqrt(abs(relation.score) * np.sqrt(d_head))
    positions = reader.numbered("position", n_pos)  # (n_pos, d_model)
    pointers = reader.numbered(relation.kind, n_pos)  # (n_pos, d_model)
    own = relation.self_score * np.sqrt(d_head) / strength  # so that own key scores self_score
    return strength * positions, np.sign(relation.score) * strength * pointers + own * positions


def _value_maps(
    values: tuple[ValueRule, ...],
    feats: list[str],
    reader: _Reader,
    d_head: int,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """Value-down and value-up: value-down reads each source feature of the rules into a
    code of its own, value-up writes the rule's target feature from that code, times the
    rule's gain; both on top of noise.

    Returns ``(W_V_down (d_head, d_model), W_V_up (d_model, d_head))``.
    """
    d_model, settings, seed = reader.d_model, reader.settings, reader.seed
    sqrt_d = np.sqrt(d_model)
    rules = [
        (f, _substitute(rule.target, rule.source, f), rule.gain)
        for rule in values
        for f in _matching(rule.source, feats)
    ]
    v_codes = _orthonormal_codes(len(rules), d_head, rng)  # (n_rules, d_head)
    alpha_v = np.sqrt(d_head)  # value entries come out O(1)
    W_V_down = rng.standard_normal((d_head, d_model)) * settings.noise / sqrt_d  # (d_head, d_model)
    W_V_up = rng.standard_normal((d_model, d_head)) * settings.noise / np.sqrt(d_head)
    down_terms = [(alpha_v * code, reader(src)) for (src, _, _), code in zip(rules, v_codes)]
    up_terms = [
        (gain * sqrt_d * settings.weight_of(tgt) * direction(tgt, d_model, seed), code / alpha_v)
        for (_, tgt, gain), code in zip(rules, v_codes)
    ]
    W_V_down += _sum_of_outers(down_terms, d_head, d_model)  # (d_head, d_model)
    W_V_up += _sum_of_outers(up_terms, d_model, d_head)  # (d_model, d_head)
    return W_V_down, W_V_up


def _sum_of_outers(terms: list[tuple[np.ndarray, np.ndarray]], rows: int, cols: int) -> np.ndarray:
    """sum of outer(column, row) over the terms, as one matrix product."""
    if not terms:
        return np.zeros((rows, cols))
    columns = np.stack([c for c, _ in terms], axis=1)  # (rows, m)
    row_vectors = np.stack([r for _, r in terms])  # (m, cols)
    return columns @ row_vectors  # (rows, cols)
