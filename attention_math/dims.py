"""Model sizes, defined once, and the parameter counts that follow from them.

Orientation of weight matrices (the one rule, referred to from everywhere else)
-------------------------------------------------------------------------------
``W_<name>`` (``W_Q``, ``W_K``, ``W_V_down``, ``W_V_up``, ``W_O``) is a matrix laid out as
in the lesson, ``(d_out, d_in)``: it multiplies a column vector, ``q = W_Q e``, so on the
rows of ``E`` (one token per row) the code computes ``Q = E @ W_Q.T``. The designed heads
(:class:`attention_math.heads.HeadWeights`) and ``Trace.W_O`` are stored this way.

``W_<name>_T`` is the transpose, ``(d_in, d_out)``, applied as ``x @ W_<name>_T``. The real
model's layers (:class:`attention_math.real_model.smollm2.LayerWeights`) are stored this
way, so its ``x @ W_Q_T`` computes what ``E @ W_Q.T`` computes for a designed head. For
example ``Trace.W_O`` is (d_model, n_heads * d_head) and the real model's ``W_O_T`` is
(n_heads * d_head, d_model). A parameter count, ``d_out * d_in``, is the same either way.

Names of sizes (the one vocabulary of the code, TransformerLens's): ``d_model`` is the
length of an embedding, ``d_head`` the length of a query, key or value-down vector (the
lesson's √d_k divides by √d_head), ``d_mlp`` the MLP's hidden size. trace.json uses the
same names from its format 2 on (:mod:`attention_math.export`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InputError


@dataclass(frozen=True)
class ModelDims:
    """The sizes of a GPT-style transformer.

    ``tied_unembedding``, ``biases``, ``layer_norms`` and ``n_positions`` describe the
    small extras that published totals include or leave out, so that each preset
    reproduces its model's published total exactly.
    """

    name: str
    d_model: int  # length of every embedding vector (12,288 in GPT-3)
    d_head: int  # length of each query, key and value-down vector (the lesson's d_k)
    n_heads: int  # heads per layer
    n_layers: int
    vocab_size: int
    d_mlp: int  # hidden size of each MLP block
    tied_unembedding: bool = False
    biases: bool = False
    layer_norms: bool = False
    n_positions: int = 0  # learned position embeddings (0: none counted)
    context_length: int = 0  # longest input the model was trained on (tokens)
    published_total: int | None = None

    @property
    def max_context(self) -> int:
        """Longest sentence the designed heads handle: one position code per key dim pair."""
        return self.d_head // 2


PRESETS: dict[str, ModelDims] = {
    # The count used in the lesson: no biases or norms, separate unembedding.
    "gpt3": ModelDims(
        name="gpt3",
        d_model=12_288,
        d_head=128,
        n_heads=96,
        n_layers=96,
        vocab_size=50_257,
        d_mlp=4 * 12_288,
        context_length=2_048,
        published_total=175_181_291_520,
    ),
    # GPT-2 small as released: biases, layer norms, learned positions, tied unembedding.
    "gpt2-small": ModelDims(
        name="gpt2-small",
        d_model=768,
        d_head=64,
        n_heads=12,
        n_layers=12,
        vocab_size=50_257,
        d_mlp=4 * 768,
        tied_unembedding=True,
        biases=True,
        layer_norms=True,
        n_positions=1_024,
        context_length=1_024,
        published_total=124_439_808,
    ),
}


def get_dims(name: str) -> ModelDims:
    """Look a preset up by name, with a one-line error listing the choices."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(
            f"unknown model dims {name!r}; choose one of: {', '.join(PRESETS)}"
        ) from None


def parameter_counts(dims: ModelDims) -> dict[str, int]:
    """Ordered breakdown of parameter counts, keys namespaced with ``/``.

    The ``head/...`` and ``attention/...`` entries are the ones the video counts:
    one head owns W_Q, W_K, value-down and value-up (value-up blocks of all heads
    together form the output matrix W_O).
    """
    d, k, h, L = dims.d_model, dims.d_head, dims.n_heads, dims.n_layers
    b = int(dims.biases)
    per_matrix = d * k  # one d_head x d_model (or d_model x d_head) block
    head = 4 * per_matrix  # W_Q, W_K, W_V_down, W_V_up
    layer_attention = h * head + b * (3 * h * k + d)  # + q/k/v biases and output bias
    layer_mlp = 2 * d * dims.d_mlp + b * (dims.d_mlp + d)
    layer_norms = (2 * 2 * d) if dims.layer_norms else 0  # two norms, scale and shift

    counts: dict[str, int] = {}
    counts["head/W_Q"] = per_matrix
    counts["head/W_K"] = per_matrix
    counts["head/W_V_down"] = per_matrix
    counts["head/W_V_up"] = per_matrix
    counts["head/total"] = head
    counts["head/full_W_V"] = d * d  # what an unfactored value map would cost
    counts["layer/attention"] = layer_attention
    counts["layer/mlp"] = layer_mlp
    counts["layer/norms"] = layer_norms
    counts["model/embedding"] = dims.vocab_size * d
    counts["model/positions"] = dims.n_positions * d
    counts["model/attention"] = L * layer_attention
    counts["model/mlp"] = L * layer_mlp
    counts["model/norms"] = L * layer_norms + (2 * d if dims.layer_norms else 0)
    counts["model/unembedding"] = 0 if dims.tied_unembedding else dims.vocab_size * d
    counts["model/total"] = sum(
        counts[key]
        for key in (
            "model/embedding",
            "model/positions",
            "model/attention",
            "model/mlp",
            "model/norms",
            "model/unembedding",
        )
    )
    return counts
