"""The real model's part of the explorer page: chapter 13's SmolLM2 on the sentence.

All 30 × 9 heads' weights are ``./render.sh trace --model smollm2``'s (6 decimals); the
heads chapter 13 frames in its gallery, zooms into and sets beside the lesson's designed
head are picked by chapter 13's own functions, and said why in its own words.

These numbers are the bulk of a page, so they travel compactly: as integers (millionths
of a weight, ten-thousandths of a scaled score) over the causal triangle only (query by
query, keys 0 to the query; the keys after a query are masked, weight 0). The page turns
them back into numbers (``units / 10**digits`` is the very double JSON would give for the
6-decimal text) and writes them rounded half away from zero (:func:`page_text`, as the
page's ``unitsText``); where that would write another digit than Python's rounding of
the exact value, as the video writes it, the video's text travels too (``fix``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from attention_math.errors import InputError
from attention_math.lexicon import load_lexicon
from attention_math.real_model import (
    CAPTION,
    RealAttention,
    best_head,
    default_model,
    run_sentence,
)
from attention_math.real_model.head_finder import behaviour_scores, distinct_best
from attention_math.text import without_inline_roles
from attention_math.trace import Trace
from scenes.components.entries import MINUS, fixed
from scenes.components.piece_row import piece_text
from scenes.facts.ch13_real_heads import (
    BEHAVIOUR_NAMES,
    MIN_TOKENS,
    SINK_SHARE,
    ZOOMS,
    behaviour_fact,
    sink_contrast,
)
from scenes.focus import quote

WEIGHT_DIGITS = 6  # a weight travels in millionths: trace.json's precision
SCORE_DIGITS = 4  # a scaled score in ten-thousandths
DESIGNED_HEAD = "adjective-noun"  # the lesson's head chapter 13 sets beside a real one


def page_text(units: int, digits: int, decimals: int) -> str:
    """What the page writes for the number ``units × 10**-digits`` with ``decimals``
    decimals: rounded half away from zero, a true minus sign, no "−0.00"."""
    step = 10 ** (digits - decimals)
    rounded = (2 * abs(units) + step) // (2 * step)
    whole, part = divmod(rounded, 10**decimals)
    text = f"{whole}.{part:0{decimals}d}" if decimals else str(whole)
    return MINUS + text if units < 0 and rounded else text


def fixes(exact: np.ndarray, units: np.ndarray, digits: int, decimals: int) -> dict[str, str]:
    """The video's text of each entry of ``exact`` (the heads' triangles, flat per head)
    where the page's :func:`page_text` of ``units`` would write another; keyed
    ``"<head>:<index>"``. Only entries near a rounding boundary can differ."""
    step = 10 ** (digits - decimals)
    slack = np.max(np.abs(units - exact * 10.0**digits)) + 1  # how far units stray
    near = np.abs(np.abs(units) % step - step / 2) <= slack
    out = {}
    for head, index in zip(*np.nonzero(near), strict=True):
        video = fixed(exact[head, index], decimals)
        if page_text(int(units[head, index]), digits, decimals) != video:
            out[f"{head}:{index}"] = video
    return out


def _triangle(run: RealAttention) -> tuple[np.ndarray, np.ndarray]:
    """Every head's visible weights and scaled scores, (layers × heads, cells), query by
    query with keys 0..query."""
    n_layers, n_heads, n, _ = run.pattern.shape
    queries, keys = np.tril_indices(n)  # (0,0), (1,0), (1,1), (2,0), ...
    weights = run.pattern[:, :, queries, keys].reshape(n_layers * n_heads, -1)
    scores = run.scores[:, :, queries, keys].reshape(n_layers * n_heads, -1)
    return weights, scores


def numbers(run: RealAttention, d_head: int) -> dict[str, Any]:
    """The heads' numbers as the page receives them, and the texts to correct."""
    weights, scores = _triangle(run)
    w_units = np.rint(weights * 10.0**WEIGHT_DIGITS).astype(np.int64)
    s_units = np.rint(scores * 10.0**SCORE_DIGITS).astype(np.int64)
    root = math.isqrt(d_head)
    if root * root != d_head:
        raise ValueError(f"d_head {d_head} is not a square: raw scores would not be whole units")
    return {
        "weights": w_units.tolist(),
        "scores": s_units.tolist(),
        "fix": {
            "weight": fixes(weights, w_units, WEIGHT_DIGITS, 2),
            "scaled": fixes(scores, s_units, SCORE_DIGITS, 2),
            "raw": fixes(scores * root, s_units * root, SCORE_DIGITS, 1),
        },
    }


def picks(run: RealAttention, trace: Trace) -> list[dict[str, str]]:
    """The heads chapter 13 shows apart from the gallery, and why it picked them."""
    n = len(run.tokens)
    first = quote(piece_text(run.tokens[0]))
    out = []
    if n >= 2:
        best = best_head(run.pattern, "first_token")
        out.append(
            {
                "id": f"L{best.layer}H{best.head}",
                "beat": "gallery",
                "why": f"framed in the gallery: its top row is bright, on average "
                f"{best.first_token:.2f} of each later token's weight goes to the first "
                f"token, {first}",
            }
        )
    if n >= MIN_TOKENS:
        for behaviour, score in distinct_best(run.pattern, ZOOMS):
            out.append(
                {
                    "id": f"L{score.layer}H{score.head}",
                    "beat": f"L{score.layer}H{score.head}",
                    "why": f"zoomed in: {BEHAVIOUR_NAMES[behaviour]}; "
                    f"{behaviour_fact(behaviour, score)}",
                }
            )
        sinks = sink_contrast(trace.head(DESIGNED_HEAD).sink, run.pattern)
        out.append(
            {
                "id": f"L{sinks.layer}H{sinks.head}",
                "beat": "contrast",
                "why": f"set beside the designed head: a typical real head, the middle of "
                f"all {sinks.real.size} sorted by the weight later tokens park on {first} "
                f"({sinks.shown:.2f})",
            }
        )
    return out


def real_payload(trace: Trace) -> dict[str, Any]:
    """The real model on the sentence of ``trace`` (inline roles dropped, as chapter 13
    reads it); ``{"missing": why}`` when the model is not installed."""
    try:
        run = run_sentence(without_inline_roles(trace.sentence, load_lexicon()))
    except InputError as exc:
        return {"missing": str(exc)}
    n_layers, n_heads, n, _ = run.pattern.shape
    d_head = default_model().config.d_head
    out: dict[str, Any] = {
        "model": CAPTION,
        "tokens": [piece_text(t) for t in run.tokens],
        "n_layers": n_layers,
        "n_heads": n_heads,
        "d_head": d_head,
        "weight_digits": WEIGHT_DIGITS,
        "score_digits": SCORE_DIGITS,
        **numbers(run, d_head),
        "picks": picks(run, trace),
    }
    if n >= 2:
        share = behaviour_scores(run.pattern)["first_token"]  # (layers, heads)
        out["first_share"] = [f"{v:.2f}" for v in share.ravel()]
        out["sink_heads"] = int((share > SINK_SHARE).sum())
    return out
