"""What chapter 7 says about the whole model's parameters, without drawing: each part's
share as the bar writes it (:func:`bar_percent`) and what the part left after attention
and the MLP blocks is made of (:func:`rest_terms`, :func:`rest_said`), so that a student
can check its figure."""

from __future__ import annotations

# the parts of the model outside attention and the MLP blocks, with what to call them
REST_PARTS = {
    "model/embedding": "input table",
    "model/unembedding": "output table",
    "model/positions": "positions",
    "model/norms": "norms",
}


def bar_percent(params, key: str) -> str:
    """A part's share of the whole model as the share bar writes it ("33.1 %"); ``"rest"``
    is what neither attention nor the MLP blocks hold."""
    total = params["model/total"]
    if key == "rest":
        value = total - params["model/attention"] - params["model/mlp"]
    else:
        value = params[key]
    return f"{100 * value / total:.1f} %"


def _twin_tables(params) -> bool:
    """Whether the rest is exactly an input and an output table of the same size."""
    others = [
        params[key] for key in REST_PARTS if key not in ("model/embedding", "model/unembedding")
    ]
    return params["model/unembedding"] == params["model/embedding"] and not any(others)


def rest_terms(params) -> str:
    """How the rest's figure adds up, written under it: ``"input + output tables: 2 ×
    617,558,016"`` for GPT-3 (each table one row of ``d_model`` numbers per token of the
    vocabulary), else each non-zero part by name."""
    if _twin_tables(params):
        return f"input + output tables: 2 × {params['model/embedding']:,}"
    return " + ".join(f"{name} {params[key]:,}" for key, name in REST_PARTS.items() if params[key])


def rest_said(params) -> str:
    """The sentence that says the rest's share and what it is made of, as drawn."""
    share = bar_percent(params, "rest")
    if _twin_tables(params):
        return (
            f"The embeddings hold the remaining {share}: an input table and an output table "
            f"of {params['model/embedding']:,} numbers each."
        )
    return f"The embeddings and the rest hold the remaining {share}: {rest_terms(params)}."
