"""Designed head weights against a naive construction written from the design alone:
Gram-Schmidt instead of QR, one outer product per term instead of one matrix product,
the position and relation blocks entry by entry."""

from __future__ import annotations

import fnmatch

import numpy as np
import pytest
from conftest import SMALL

from attention_math import load_example
from attention_math.embeddings import direction, rng_for
from attention_math.heads import build_head_weights, load_design
from attention_math.trace import known_features


def _codes(count: int, dim: int, rng: np.random.Generator) -> np.ndarray:
    """``count`` orthonormal codes (Gram-Schmidt on random columns), or, when more codes
    than dims are asked for, random unit vectors; (count, dim)."""
    raw = rng.standard_normal((dim, max(count, 1)))  # columns are the raw codes
    if count > dim:
        return np.array([raw[:, c] / np.linalg.norm(raw[:, c]) for c in range(count)])
    codes: list[np.ndarray] = []
    for c in range(count):
        v = raw[:, c].copy()
        for u in codes:
            v -= (u @ v) * u
        codes.append(v / np.linalg.norm(v))
    return np.array(codes).reshape(count, dim)


def _naive_values(spec, matching, read, unit, dims, settings, seed, rng):
    """The value maps of the naive construction: its rules' codes (after the match codes
    in ``rng``'s stream), then the carried word."""
    d_model, d_head = dims
    rules = []
    for rule in spec.values:
        prefix = rule.source.split("*", 1)[0]
        for f in matching(rule.source):
            target = rule.target.replace("*", f[len(prefix) :], 1)
            rules.append((f, target, rule.gain))
    codes = _codes(len(rules), d_head, rng)
    W_V_down = rng.standard_normal((d_head, d_model)) * settings.noise / np.sqrt(d_model)
    W_V_up = rng.standard_normal((d_model, d_head)) * settings.noise / np.sqrt(d_head)
    for (source, target, gain), code in zip(rules, codes):
        W_V_down += np.outer(np.sqrt(d_head) * code, read(source))
        written = gain * np.sqrt(d_model) * settings.weight_of(target) * unit(target)
        W_V_up += np.outer(written, code / np.sqrt(d_head))
    if spec.carry:  # the attended word itself: a random map down and another back up
        carry = rng_for(seed, "head", spec.id, "carry")
        W_V_down += carry.standard_normal((d_head, d_model)) * spec.carry / np.sqrt(d_model)
        W_V_up += carry.standard_normal((d_model, d_head)) / np.sqrt(d_head)
    return W_V_down, W_V_up


def _naive_head_weights(spec, features, d_model, d_head, settings, seed):
    feats = sorted(features)
    n_pos = d_head // 2

    def matching(pattern):
        return [f for f in feats if fnmatch.fnmatchcase(f, pattern)]

    def unit(name):
        return direction(name, d_model, seed)

    def read(feature):  # reads ~1 off an embedding holding the feature
        return unit(feature) / (np.sqrt(d_model) * settings.weight_of(feature))

    rng = rng_for(seed, "head", spec.id)
    W_Q = rng.standard_normal((d_head, d_model)) * settings.noise / np.sqrt(d_model)
    W_K = rng.standard_normal((d_head, d_model)) * settings.noise / np.sqrt(d_model)

    pairs = []
    for m in spec.matches:
        if m.key == "same":
            pairs += [([f], [f], m.score) for f in matching(m.query)]
        else:
            pairs.append((matching(m.query), matching(m.key), m.score))
    for (q_feats, k_feats, score), code in zip(pairs, _codes(len(pairs), d_head - n_pos, rng)):
        strength = np.sqrt(abs(score) * np.sqrt(d_head))
        for f in q_feats:
            W_Q[n_pos:] += np.outer(strength * code, read(f))
        for f in k_feats:
            W_K[n_pos:] += np.outer(np.sign(score) * strength * code, read(f))

    bonus = list(spec.position)
    if bonus and max(abs(b) for b in bonus) > 0:
        beta = d_head**0.25 * np.sqrt(max(abs(b) for b in bonus))
        for r in range(n_pos):  # code r: the key at r, the queries k tokens after it
            W_K[r] += beta * read(f"position:{r}")
            for k, b in enumerate(bonus):
                if r + k < n_pos:
                    W_Q[r] += b * np.sqrt(d_head) / beta * read(f"position:{r + k}")

    if spec.relation is not None:  # code p: the query at p, a key pointing at p
        strength = np.sqrt(abs(spec.relation.score) * np.sqrt(d_head))
        for p in range(n_pos):
            W_Q[p] += strength * read(f"position:{p}")
            W_K[p] += np.sign(spec.relation.score) * strength * read(f"{spec.relation.kind}:{p}")
            W_K[p] += spec.relation.self_score * np.sqrt(d_head) / strength * read(f"position:{p}")

    W_V_down, W_V_up = _naive_values(
        spec, matching, read, unit, (d_model, d_head), settings, seed, rng
    )
    return W_Q, W_K, W_V_down, W_V_up


# SMALL: more value rules than key dims for the adjective head; TINY: more match pairs than
# match dims, and position bonuses longer than the position block
TINY = (256, 8)


@pytest.mark.parametrize(("dims", "seed"), [((SMALL.d_model, SMALL.d_head), 2024), (TINY, 7)])
def test_weights_equal_a_naive_construction(dims, seed):
    design = load_design()
    features = known_features(load_example("translation").lexicon())
    for spec in (*design.heads, design.cross):
        built = build_head_weights(spec, features, *dims, design.embedding, seed)
        naive = _naive_head_weights(spec, features, *dims, design.embedding, seed)
        for name, expected in zip(("W_Q", "W_K", "W_V_down", "W_V_up"), naive):
            actual = getattr(built, name)
            assert actual.shape == expected.shape, (spec.id, name)
            np.testing.assert_allclose(actual, expected, rtol=0, atol=1e-12, err_msg=spec.id)


def test_weights_are_read_only():
    design = load_design()
    features = known_features(load_example("fluffy-creature").lexicon())
    weights = build_head_weights(
        design.heads[0], features, SMALL.d_model, SMALL.d_head, design.embedding, 2024
    )
    for W in (weights.W_Q, weights.W_K, weights.W_V_down, weights.W_V_up):
        with pytest.raises(ValueError):
            W[0, 0] = 1.0
