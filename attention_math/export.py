"""JSON export of a trace: every number a scene draws, laid out as on screen.

``format`` says how to read the file; what changed from one to the next:

* 2 (2026-12-07): the sizes are ``d_model`` (an embedding's length) and ``d_head`` (a
  query's, key's or value-down vector's), TransformerLens's names, the code's own; format
  1 called them ``d_embed`` and ``d_key``. Files without ``format`` are format 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .grammar import MODEL_LABEL
from .layout import key_by_query
from .trace import HeadTrace, Trace

FORMAT = 2  # of trace.json (the module's docstring lists the changes)


def _rounded(matrix: np.ndarray, digits: int) -> list:
    return np.round(np.asarray(matrix, dtype=float), digits).tolist()


def _screen_scores(head: HeadTrace, digits: int) -> list[list[float | None]]:
    """Scaled scores [key][query]; null where the key is masked for that query."""
    scores = key_by_query(head.scores)
    visible = key_by_query(head.mask)
    return [
        [round(float(s), digits) if v else None for s, v in zip(row, vis, strict=True)]
        for row, vis in zip(scores, visible, strict=True)
    ]


def head_to_dict(head: HeadTrace, digits: int, full: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": head.id,
        "name": head.name,
        "question": head.spec.question,
        "layout": "[key][query]",
        "scores": _screen_scores(head, digits),
        "pattern": _rounded(key_by_query(head.pattern), digits),
        "delta_E_norm": _rounded(np.linalg.norm(head.delta_E, axis=1), digits),
    }
    if head.has_sink:  # the sink: one more key of no value; [query] weights
        out["sink_score"] = head.spec.sink
        out["sink"] = _rounded(head.sink, digits)
    if full:
        out["Q"] = _rounded(head.Q, digits)
        out["K"] = _rounded(head.K, digits)
        out["V"] = _rounded(head.V, digits)
        out["delta_E"] = _rounded(head.delta_E, digits)
    return out


def trace_to_dict(trace: Trace, digits: int = 6, full: bool = False) -> dict[str, Any]:
    """A JSON-ready dict. ``full`` adds Q, K, V, E and the embedding updates."""
    out: dict[str, Any] = {
        "format": FORMAT,
        "title": trace.title,
        "sentence": trace.sentence,
        "model": "designed heads (hand-built weights at real sizes)",
        "dims": trace.dims.name,
        "d_model": trace.dims.d_model,
        "d_head": trace.dims.d_head,
        "seed": trace.seed,
        "tokens": trace.words,
        "roles": [t.role for t in trace.tokens],
        # who gave each role: inline (word:role), lexicon, form (punctuation, digits),
        # tagger (spaCy), guess (nothing could place the word: taken as a noun)
        "role_sources": [t.source for t in trace.tokens],
        "parser": MODEL_LABEL,
        # relations found by the parser, carried into the embeddings as directions:
        # {"kind": "modifies", "from": 1, "to": 3, "how": "parser"} ("fluffy" modifies
        # "creature"); kinds: modifies, subject-of, possessor-of
        "relations": [
            {"kind": r.kind, "from": r.source, "to": r.target, "how": r.how}
            for r in trace.relations
        ],
        "unknown_words": list(trace.unknown),
        "heads": [head_to_dict(h, digits, full) for h in trace.heads],
    }
    if trace.cross is not None:
        cross = head_to_dict(trace.cross.head, digits, full)
        cross["query_tokens"] = [t.text for t in trace.cross.query_tokens]
        cross["key_tokens"] = trace.words
        out["cross"] = cross
    if full:
        out["E"] = _rounded(trace.E, digits)
        out["E_prime"] = _rounded(trace.E_prime, digits)
    return out


def real_to_dict(run, digits: int = 6, top: int = 5) -> dict[str, Any]:
    """A real model's run in the same layout: every layer and head, [key][query].

    ``tokens`` are the tokens as shown on screen, bytes that are only part of a character
    written ``<0xF0>``; ``token_bytes`` are each token's utf-8 bytes (numbers 0-255), which
    joined give the sentence's."""
    from .real_model import CAPTION, default_model, rank_heads
    from .real_model.head_finder import BEHAVIOURS

    cfg = default_model().config
    n_layers, n_heads, n, _ = run.pattern.shape
    visible = key_by_query(run.mask)
    heads = []
    for layer in range(n_layers):
        for head in range(n_heads):
            scores = key_by_query(run.scores[layer, head])
            heads.append(
                {
                    "id": f"L{layer}H{head}",
                    "name": f"layer {layer}, head {head}",
                    "layer": layer,
                    "head": head,
                    "layout": "[key][query]",
                    "scores": [
                        [round(float(x), digits) if v else None for x, v in zip(row, vis)]
                        for row, vis in zip(scores, visible)
                    ],
                    "pattern": _rounded(key_by_query(run.pattern[layer, head]), digits),
                }
            )
    out: dict[str, Any] = {
        "format": FORMAT,
        "model": CAPTION,
        "tokens": list(run.tokens),
        "token_ids": [int(i) for i in run.ids],
        "token_bytes": [list(raw) for raw in run.token_bytes],
        "d_model": cfg.d_model,
        "d_head": cfg.d_head,
        "n_layers": n_layers,
        "n_heads": n_heads,
        "heads": heads,
    }
    if n >= 2:
        out["head_finder"] = {
            b: [
                {"id": f"L{h.layer}H{h.head}", "score": round(h.score(b), digits)}
                for h in rank_heads(run.pattern, b)[:top]
            ]
            for b in BEHAVIOURS
        }
    return out


def check_finite(obj: Any) -> None:
    """JSON has no NaN/Infinity; fail loudly rather than print invalid JSON."""
    if isinstance(obj, float) and not math.isfinite(obj):
        raise ValueError("non-finite number in trace export")
    if isinstance(obj, list):
        for item in obj:
            check_finite(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            check_finite(item)
