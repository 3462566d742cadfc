"""What the explorer page shows, computed by the code the video draws with.

Every number the page writes is written here, in Python, with the video's own functions,
so that page and video never disagree:

* a designed head's grid is the video's grid shown whole: keys as rows (the head's sink
  the last), queries as columns, raw scores K·Q with 1 decimal, scaled scores with 2, and
  the weights with 2, each column rounded so that it adds up to 1.00 as the grid writes
  it (:func:`column_weights`, as ``AttentionGrid.drawn``; ``entries.adding_up``);
* a query's update is chapter 6's weighted sum (``ch06_values.column_sum``): the same
  terms, the same entries, rounded so that the terms add up to ΔE and E + ΔE = E′;
* the real model's part is :mod:`video.explorer_real`.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np

from attention_math.grammar import MODEL_LABEL
from attention_math.layout import key_by_query
from attention_math.trace import HeadTrace, Trace
from scenes.components.attention_grid import DECIMALS, SINK
from scenes.components.entries import columns_adding_up, fixed, shown_array, signed
from scenes.components.sum_tables import SUM_DECIMALS
from scenes.facts.ch06_values import column_sum, value_vectors
from scenes.focus import percent
from scenes.settings import Source, supporting_traces

WEIGHT_DIGITS = 6  # a weight's full precision, as in trace.json


def column_weights(pattern: np.ndarray, mask: np.ndarray, decimals: int) -> np.ndarray:
    """The weights of a ``[key, query]`` pattern as a grid showing every column whole
    writes them (each column adding up to 1.00 with the sink row; masked entries 0.00):
    the rule of ``AttentionGrid.drawn("pattern")``, :func:`entries.columns_adding_up`."""
    return columns_adding_up(pattern, mask, decimals)


def _texts(matrix: np.ndarray, decimals: int) -> list[list[str]]:
    return [[fixed(v, decimals) for v in row] for row in matrix]


def head_grid(head: HeadTrace, keys: list[str], queries: list[str]) -> dict[str, Any]:
    """One designed head's grid as the page draws it, ``[key][query]`` with the sink's
    row last: full-precision weights (``data-weight``), which cells are masked, and the
    raw score, scaled score and weight as the video writes them."""
    arrays = head.with_sink()
    screen = {name: key_by_query(a) for name, a in arrays.items()}  # [key, query]
    mask = screen["mask"]
    weights = column_weights(screen["pattern"], mask, DECIMALS["pattern"])
    return {
        "id": head.id,
        "name": head.name,
        "question": head.spec.question,
        "keys": [*keys, SINK] if head.has_sink else list(keys),
        "queries": list(queries),
        "sink": head.has_sink,
        "d_head": int(head.Q.shape[1]),
        "weight": np.round(screen["pattern"], WEIGHT_DIGITS).tolist(),
        "masked": (~mask).astype(int).tolist(),
        "raw": _texts(screen["raw"], DECIMALS["raw"]),
        "scaled": _texts(screen["scaled"], DECIMALS["scaled"]),
        "shown": _texts(weights, DECIMALS["pattern"]),
    }


def _signed(values: np.ndarray) -> list[str]:
    return [signed(v, SUM_DECIMALS) for v in values]


def column_update(trace, head: HeadTrace, query: int, values: np.ndarray) -> dict[str, Any]:
    """Chapter 6's weighted sum for one query column: each drawn term (weight × value, a
    few entries), the others summed, ΔE, E, E′ and |ΔE| against |E|, as the video writes
    them. ``trace`` needs only ``E`` (the queries' embeddings) and ``words``; ``values``
    are the head's value vectors (``ch06_values.value_vectors``)."""
    shown = column_sum(trace, head, query, values)
    rows = list(shown.entries)
    drawn = shown.drawn_terms
    terms = [
        {"key": i, "weight": f"{w:.2f}", "entries": _signed(drawn[k])}
        for k, (i, w) in enumerate(shown.terms)
    ]
    others = None
    if shown.others:
        weight = float(head.pattern[query, list(shown.others)].sum())
        others = {
            "keys": list(shown.others),
            "weight": f"{weight:.2f}",
            "entries": _signed(drawn[-1]),
        }
    E, delta = trace.E[query], head.delta_E[query]
    return {
        "entries": rows,
        "largest": list(shown.largest),
        "terms": terms,
        "others": others,
        "sink": f"{head.sink[query]:.2f}" if head.has_sink else None,
        "delta": _signed(shown_array(delta[rows], SUM_DECIMALS)),
        "E": _signed(shown.drawn_E),
        "E_prime": _signed(shown_array(E[rows] + delta[rows], SUM_DECIMALS)),
        "norm_E": f"{np.linalg.norm(E):.2f}",
        "norm_delta": f"{np.linalg.norm(delta):.2f}",
        "ratio": percent(shown.ratio),
    }


def designed_head(trace: Trace, head: HeadTrace) -> dict[str, Any]:
    """A self-attention head of the sentence: its grid and every query's update."""
    out = head_grid(head, trace.words, trace.words)
    values = value_vectors(head)  # (n, d_model)
    out["updates"] = [column_update(trace, head, j, values) for j in range(trace.n)]
    out["beat"], out["update_beat"] = HEAD_BEATS.get(head.id, ("9/patterns", None))
    return out


# The video's beat that shows a view of the page ("<chapter>/<section>"; video.explorer
# turns them into times in the joined video): a head's grid, a query's update
HEAD_BEATS = {"adjective-noun": ("3/pattern", "6/weighted-sum")}
CROSS_BEAT = "8/grid"


def cross_head(trace: Trace) -> dict[str, Any]:
    """The cross-attention example: the sentence's own translation pair if it has one,
    else the translation pair chapter 8 shows; French queries, English keys."""
    pair = trace if trace.cross is not None else supporting_traces("translation", trace.seed)[0]
    cross = pair.cross
    queries = [t.text for t in cross.query_tokens]
    out = head_grid(cross.head, pair.words, queries)
    # column_sum reads E (here the queries' own embeddings) and, for its narration
    # only (unused here), words
    names = [f"token {k + 1}" for k in range(max(len(queries), pair.n))]
    view = SimpleNamespace(E=cross.E_query, words=names)
    values = value_vectors(cross.head)  # (n_keys, d_model)
    out["updates"] = [column_update(view, cross.head, j, values) for j in range(len(queries))]
    out["sentence"] = pair.sentence
    out["target"] = " ".join(queries)
    out["beat"], out["update_beat"] = CROSS_BEAT, None
    return out


def sentence_panel(trace: Trace) -> dict[str, Any]:
    """The sentence as chapter 3's grammar beat shows it: each word's role and where
    the role came from, and the relations the parser found."""
    return {
        "text": trace.sentence,
        "tokens": [{"text": t.text, "role": t.role, "source": t.source} for t in trace.tokens],
        "relations": [
            {"kind": r.kind, "from": r.source, "to": r.target, "how": r.how}
            for r in trace.relations
        ],
        "unknown": list(trace.unknown),
        "parser": MODEL_LABEL,
    }


def designed_payload(source: Source) -> dict[str, Any]:
    """The designed model's part of the page: sentence, heads, cross-attention."""
    trace = source.trace
    return {
        "title": source.example.title,
        "seed": trace.seed,
        "d_model": trace.dims.d_model,
        "d_head": trace.dims.d_head,
        "sentence": sentence_panel(trace),
        "heads": [designed_head(trace, h) for h in trace.heads],
        "cross": cross_head(trace),
    }
