"""One immutable trace per sentence: every number the scenes draw.

trace = build_trace(load_example("fluffy-creature"))
head = trace.head("adjective-noun")
head.pattern[j, i]   # how much query token j attends to key token i

Weight matrices are ``(d_out, d_in)``, applied to embeddings in rows as ``E @ W.T``
(the orientation rule is in :mod:`attention_math.dims`). The heads' weights are built
once per process and shared by the traces; :func:`warm_head_weights` builds an example's
on every core at once, ahead of :func:`build_traces`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

import numpy as np

from .attention import (
    attention_scores,
    causal_mask,
    full_mask,
    masked_softmax,
    scale_scores,
    softmax_with_sink,
    weighted_values,
)
from .dims import PRESETS, ModelDims, parameter_counts
from .embeddings import embed, embed_parts
from .errors import InputError
from .examples import Example
from .grammar import Relation, analyse
from .heads import HeadSpec, HeadWeights, build_head_weights, load_design
from .lexicon import Lexicon
from .text import Token, tokenize, tokenize_spaced, unknown_words

DEFAULT_SEED = 2024


def _frozen(array: np.ndarray) -> np.ndarray:
    array = np.ascontiguousarray(array)
    array.setflags(write=False)
    return array


@dataclass(frozen=True)
class HeadTrace:
    """One head applied to one sentence. Arrays are ``[query, key]``."""

    spec: HeadSpec
    weights: HeadWeights  # each (d_out, d_in): Q = E_query @ W_Q.T
    Q: np.ndarray  # (n_q, d_head)
    K: np.ndarray  # (n_k, d_head)
    scores_raw: np.ndarray  # (n_q, n_k)  K_i . Q_j
    scores: np.ndarray  # (n_q, n_k)  scaled by 1/sqrt(d_head)
    mask: np.ndarray  # (n_q, n_k)  True where the key is visible
    pattern: np.ndarray  # (n_q, n_k)  softmax over keys (and the sink); row + sink = 1
    V: np.ndarray  # (n_k, d_head)  value-down outputs
    output: np.ndarray  # (n_q, d_head)  sum_i pattern[j, i] V_i (the sink adds nothing)
    delta_E: np.ndarray  # (n_q, d_model)  value-up of the output
    sink: np.ndarray  # (n_q,)  weight each query parks on the head's sink (0: no sink)

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def has_sink(self) -> bool:
        return self.spec.sink is not None

    def with_sink(self) -> dict[str, np.ndarray]:
        """The head's ``[query, key]`` arrays with its sink as one more key, the last:
        raw scores (the sink's score times sqrt(d_head), so that scaling gives it),
        scaled scores, the pattern (each row then sums to 1) and the mask (every query
        sees the sink). Without a sink, the arrays as they are."""
        arrays = {"raw": self.scores_raw, "scaled": self.scores, "pattern": self.pattern}
        if not self.has_sink:
            return {**arrays, "mask": self.mask}
        n_q, d_head = self.Q.shape
        extra = {
            "raw": np.full(n_q, self.spec.sink * np.sqrt(d_head)),
            "scaled": np.full(n_q, self.spec.sink),
            "pattern": self.sink,
            "mask": np.ones(n_q, dtype=bool),
        }
        arrays["mask"] = self.mask
        return {k: np.concatenate([a, extra[k][:, None]], axis=1) for k, a in arrays.items()}


def run_head(
    spec: HeadSpec, weights: HeadWeights, E_query: np.ndarray, E_key: np.ndarray, causal: bool
) -> HeadTrace:
    """Apply one head: queries read from ``E_query`` rows, keys and values from ``E_key``;
    the weights are ``(d_out, d_in)``, so each product is ``rows @ W.T``."""
    d_head = weights.W_Q.shape[0]
    Q = E_query @ weights.W_Q.T  # (n_q, d_model) @ (d_model, d_head) -> (n_q, d_head)
    K = E_key @ weights.W_K.T  # (n_k, d_head)
    V = E_key @ weights.W_V_down.T  # (n_k, d_head)
    raw = attention_scores(Q, K)  # (n_q, n_k)
    scaled = scale_scores(raw, d_head)  # (n_q, n_k)
    n_q, n_k = raw.shape
    mask = causal_mask(n_q, n_k) if causal else full_mask(n_q, n_k)
    if spec.sink is None:
        pattern, sink = masked_softmax(scaled, mask), np.zeros(n_q)  # (n_q, n_k), (n_q,)
    else:
        pattern, sink = softmax_with_sink(scaled, mask, spec.sink)  # (n_q, n_k), (n_q,)
    output = weighted_values(pattern, V)  # (n_q, d_head)
    delta_E = output @ weights.W_V_up.T  # (n_q, d_head) @ (d_head, d_model) -> (n_q, d_model)
    arrays = (Q, K, raw, scaled, mask, pattern, V, output, delta_E, sink)
    return HeadTrace(spec, weights, *[_frozen(a) for a in arrays])


@dataclass(frozen=True)
class CrossTrace:
    """Cross-attention: the target sentence's tokens query the source sentence's."""

    query_tokens: tuple[Token, ...]
    E_query: np.ndarray  # (n_q, d_model)
    head: HeadTrace


@dataclass(frozen=True)
class Trace:
    """Everything computed for one sentence."""

    title: str
    sentence: str
    seed: int
    dims: ModelDims
    tokens: tuple[Token, ...]
    E: np.ndarray  # (n, d_model)  initial embeddings = E_token + E_position
    E_token: np.ndarray  # (n, d_model)  the word's part: same word, same vector
    E_position: np.ndarray  # (n, d_model)  the position's part
    heads: tuple[HeadTrace, ...]
    W_O: np.ndarray  # (d_model, n_heads * d_head) = (d_out, d_in)  value-up blocks side by side
    delta_E: np.ndarray  # (n, d_model)  sum of every head's delta_E
    E_prime: np.ndarray  # (n, d_model)  E + delta_E
    params: Mapping[str, int]
    unknown: tuple[str, ...]  # words neither the lexicon nor the tagger could place
    cross: CrossTrace | None = None
    relations: tuple[Relation, ...] = ()  # from the parser (attention_math.grammar)

    @property
    def n(self) -> int:
        return len(self.tokens)

    @property
    def words(self) -> list[str]:
        return [t.text for t in self.tokens]

    def head(self, head_id: str) -> HeadTrace:
        for head in self.heads:
            if head.id == head_id:
                return head
        raise KeyError(f"no head {head_id!r}; heads: {', '.join(h.id for h in self.heads)}")

    def head_outputs(self) -> np.ndarray:
        """Every head's d_head output side by side: the input of W_O."""
        return np.concatenate([h.output for h in self.heads], axis=1)  # (n, n_heads * d_head)


def known_features(lexicon: Lexicon) -> frozenset[str]:
    return lexicon.all_features() | {f"role:{r}" for r in lexicon.roles}


@lru_cache(maxsize=8)
def _shared_weights(*args) -> HeadWeights:
    """The phrases of one example share the model's vocabulary, so its heads' weights
    (read-only arrays, about 50 MB per head at GPT-3 size) are built once for all."""
    return build_head_weights(*args)


def _weights_for(lexicon: Lexicon, dims: ModelDims, seed: int) -> Callable[[HeadSpec], HeadWeights]:
    """Each head's weights in the model that knows ``lexicon``'s features (shared)."""
    features = known_features(lexicon)
    settings = load_design().embedding

    def weights(spec: HeadSpec) -> HeadWeights:
        return _shared_weights(spec, features, dims.d_model, dims.d_head, settings, seed)

    return weights


def warm_head_weights(
    example: Example,
    dims: ModelDims | str = "gpt3",
    seed: int = DEFAULT_SEED,
    workers: int | None = None,
) -> None:
    """Build the weights of every head that ``example``'s traces run, on ``workers``
    threads (default: one per core), so that :func:`build_trace` finds them built.

    numpy draws its random numbers without holding the GIL: the five heads at GPT-3 size
    take 0.45 s on two cores instead of 0.9 s. Each head has a random generator of its
    own, so the weights are the same, bit for bit, as the ones :func:`build_trace` builds
    one by one when nothing was warmed. The threads end before this returns.
    """
    dims = PRESETS[dims] if isinstance(dims, str) else dims
    design = load_design()
    specs = [*design.heads, *([design.cross] if example.target is not None else [])]
    weights = _weights_for(example.lexicon(), dims, seed)
    workers = min(len(specs), os.cpu_count() or 1) if workers is None else workers
    if workers < 2:
        for spec in specs:
            weights(spec)
        return
    with ThreadPoolExecutor(workers) as pool:  # its threads end with it
        list(pool.map(weights, specs))


def build_trace(
    example: Example,
    phrase: int = 0,
    dims: ModelDims | str = "gpt3",
    seed: int = DEFAULT_SEED,
) -> Trace:
    """Tokenise, embed and run every designed head on one phrase of ``example``."""
    dims = PRESETS[dims] if isinstance(dims, str) else dims
    design = load_design()
    lexicon = example.lexicon()
    analysis = analyse(*tokenize_spaced(example.phrases[phrase], lexicon))
    tokens = analysis.embedded_tokens()  # roles placed, relations carried as directions
    if len(tokens) > dims.max_context:
        raise InputError(
            f"the sentence has {len(tokens)} tokens; the designed heads handle at most "
            f"{dims.max_context} (d_head / 2 position codes)"
        )
    E_token, E_position = embed_parts(tokens, dims.d_model, design.embedding, seed)
    E = E_token + E_position  # (n, d_model)

    weights = _weights_for(lexicon, dims, seed)  # built here unless warmed before
    heads = tuple(run_head(spec, weights(spec), E, E, causal=True) for spec in design.heads)
    W_O = np.concatenate([h.weights.W_V_up for h in heads], axis=1)  # (d_model, H * d_head)
    delta_E = np.sum([h.delta_E for h in heads], axis=0)  # (n, d_model)

    cross = None
    if example.target is not None:
        q_tokens = tokenize(example.target, lexicon)
        if len(q_tokens) > dims.max_context:
            raise InputError(f"the target sentence has more than {dims.max_context} tokens")
        E_q = embed(q_tokens, dims.d_model, design.embedding, seed)  # (n_q, d_model)
        head = run_head(design.cross, weights(design.cross), E_q, E, causal=False)
        cross = CrossTrace(q_tokens, _frozen(E_q), head)
        unknown = (*analysis.unplaced, *unknown_words(q_tokens))
    else:
        unknown = analysis.unplaced

    return Trace(
        title=example.title,
        sentence=example.phrases[phrase],
        seed=seed,
        dims=dims,
        tokens=tokens,
        E=_frozen(E),
        E_token=_frozen(E_token),
        E_position=_frozen(E_position),
        heads=heads,
        W_O=_frozen(W_O),
        delta_E=_frozen(delta_E),
        E_prime=_frozen(E + delta_E),
        params=MappingProxyType(parameter_counts(dims)),
        unknown=tuple(dict.fromkeys(unknown)),
        cross=cross,
        relations=analysis.relations,
    )


def build_traces(example: Example, dims: ModelDims | str = "gpt3", seed: int = DEFAULT_SEED):
    """One trace per phrase of the example."""
    return [build_trace(example, i, dims, seed) for i in range(len(example.phrases))]
