"""Test helpers: a tiny GGUF writer, reference (per-block) quantisers and dequantisers, a tiny
random Llama written as GGUF, and a naive loop-by-loop forward pass to check ours against.

The naive forward pass works in the layout of the original (Hugging Face) checkpoint: the
rotary encoding pairs coordinate ``i`` with ``i + d_head / 2`` (``rotate_half``), and the
file gets the converter's row permutation of W_Q and W_K. Agreement with our forward pass,
which rotates adjacent pairs in the file's layout, therefore also checks that permutation.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from attention_math.real_model.tokenizer import byte_to_unicode

F32, F16, Q4_1, Q8_0 = 0, 1, 3, 8

# Metadata value type codes of the GGUF format.
U8, I8, U16, I16, U32, I32, F32_VALUE, BOOL, STRING, ARRAY, U64, I64, F64 = range(13)
_FORMATS = {
    U8: "<B", I8: "<b", U16: "<H", I16: "<h", U32: "<I", I32: "<i",
    F32_VALUE: "<f", BOOL: "<?", U64: "<Q", I64: "<q", F64: "<d",
}  # fmt: skip
_NUMPY_CODES = {np.dtype(fmt): code for code, fmt in _FORMATS.items() if code != BOOL}


@dataclass(frozen=True)
class Typed:
    """A metadata value with an explicit GGUF type (for element types inference can't pick)."""

    code: int
    value: Any


# ----------------------------------------------------------------------------- writer


def _string(text: str) -> bytes:
    raw = text.encode("utf-8")
    return struct.pack("<Q", len(raw)) + raw


def _infer(value: Any) -> Typed:
    if isinstance(value, Typed):
        return value
    if isinstance(value, bool):
        return Typed(BOOL, value)
    if isinstance(value, int):
        return Typed(U32, value)
    if isinstance(value, float):
        return Typed(F32_VALUE, value)
    if isinstance(value, str):
        return Typed(STRING, value)
    if isinstance(value, np.ndarray):
        return Typed(ARRAY, [Typed(_NUMPY_CODES[value.dtype], v.item()) for v in value])
    if isinstance(value, list):
        return Typed(ARRAY, [_infer(v) for v in value])
    raise TypeError(f"cannot infer a GGUF type for {value!r}")


def _payload(typed: Typed) -> bytes:
    if typed.code == STRING:
        return _string(typed.value)
    if typed.code == ARRAY:
        items = [_infer(v) for v in typed.value]
        element = items[0].code if items else U32
        return struct.pack("<IQ", element, len(items)) + b"".join(_payload(i) for i in items)
    return struct.pack(_FORMATS[typed.code], typed.value)


def quantize(array: np.ndarray, ggml_type: int) -> bytes:
    """Reference quantisation of a float array (rows along its last axis)."""
    flat = np.asarray(array, dtype=np.float32).reshape(-1)
    if ggml_type == F32:
        return flat.astype("<f4").tobytes()
    if ggml_type == F16:
        return flat.astype("<f2").tobytes()
    blocks = flat.reshape(-1, 32)
    if ggml_type == Q4_1:
        return b"".join(_quantize_q4_1_block(b) for b in blocks)
    if ggml_type == Q8_0:
        return b"".join(_quantize_q8_0_block(b) for b in blocks)
    raise ValueError(ggml_type)


def _quantize_q4_1_block(x: np.ndarray) -> bytes:
    low, high = float(x.min()), float(x.max())
    d = (high - low) / 15
    inv = 1 / d if d else 0.0
    codes = [min(15, int((float(v) - low) * inv + 0.5)) for v in x]
    packed = bytes(codes[j] | (codes[j + 16] << 4) for j in range(16))
    return struct.pack("<ee", d, low) + packed


def _quantize_q8_0_block(x: np.ndarray) -> bytes:
    d = float(np.abs(x).max()) / 127
    inv = 1 / d if d else 0.0
    codes = [int(round(float(v) * inv)) for v in x]
    return struct.pack("<e", d) + struct.pack("<32b", *codes)


def write_gguf(
    path: Path,
    metadata: dict[str, Any],
    tensors: dict[str, tuple[np.ndarray, int]],
    alignment: int = 32,
    version: int = 3,
) -> dict[str, bytes]:
    """Write a GGUF file; ``tensors`` maps name -> (float array in numpy order, ggml type).

    Returns the stored bytes of each tensor.
    """
    raw = {name: quantize(array, kind) for name, (array, kind) in tensors.items()}
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    for key, value in metadata.items():
        typed = _infer(value)
        head += _string(key) + struct.pack("<I", typed.code) + _payload(typed)
    offset, body = 0, b""
    for name, (array, kind) in tensors.items():
        dims = tuple(reversed(array.shape))  # GGUF lists the fastest-varying dim first
        head += _string(name) + struct.pack(f"<I{len(dims)}QIQ", len(dims), *dims, kind, offset)
        padding = -len(raw[name]) % alignment
        body += raw[name] + b"\0" * padding
        offset += len(raw[name]) + padding
    head += b"\0" * (-len(head) % alignment)
    path.write_bytes(head + body)
    return raw


# ----------------------------------------------------------------------------- dequantisers


def naive_dequantize(raw: bytes, ggml_type: int) -> np.ndarray:
    """Block by block, weight by weight, straight from the format's definition."""
    if ggml_type == F32:
        return np.array(struct.unpack(f"<{len(raw) // 4}f", raw), dtype=np.float32)
    if ggml_type == F16:
        return np.array(struct.unpack(f"<{len(raw) // 2}e", raw), dtype=np.float32)
    out = []
    if ggml_type == Q4_1:
        for start in range(0, len(raw), 20):
            d, m = struct.unpack_from("<ee", raw, start)
            packed = raw[start + 4 : start + 20]
            out += [d * (byte & 0x0F) + m for byte in packed]  # weights 0..15
            out += [d * (byte >> 4) + m for byte in packed]  # weights 16..31
    elif ggml_type == Q8_0:
        for start in range(0, len(raw), 34):
            (d,) = struct.unpack_from("<e", raw, start)
            out += [d * code for code in struct.unpack_from("<32b", raw, start + 2)]
    else:
        raise ValueError(ggml_type)
    return np.array(out, dtype=np.float32)


# ----------------------------------------------------------------------------- tiny Llama

TINY = {
    "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "d_model": 64, "d_head": 16, "d_mlp": 96,
    "rope_base": 10_000.0, "rms_eps": 1e-5,
}  # fmt: skip
CONTROL_TOKENS = ["<|endoftext|>", "<|im_start|>"]
MERGES = ["Ġ f", "l u", "f f", "Ġf lu", "Ġflu ff", "Ġfluff y", "Ġ Ġ"]


def tiny_vocab() -> tuple[list[str], list[str], list[int]]:
    """(tokens, merges, token types): 2 control tokens, the 256 bytes, then one per merge."""
    alphabet = byte_to_unicode()
    bytes_ = [alphabet[b] for b in range(256)]
    merged = [m.replace(" ", "") for m in MERGES]
    tokens = CONTROL_TOKENS + bytes_ + merged
    types = [3] * len(CONTROL_TOKENS) + [1] * (len(tokens) - len(CONTROL_TOKENS))
    return tokens, MERGES, types


def permute_rows(weight: np.ndarray, n_heads: int) -> np.ndarray:
    """The converter's Q/K row permutation: in each head, row i and row i + d/2 become
    rows 2i and 2i + 1."""
    d_out = weight.shape[0]
    halves = weight.reshape(n_heads, 2, d_out // n_heads // 2, -1)  # (h, half, d/2, d_in)
    return halves.swapaxes(1, 2).reshape(weight.shape)


def unpermute_rows(weight: np.ndarray, n_heads: int) -> np.ndarray:
    d_out = weight.shape[0]
    pairs = weight.reshape(n_heads, d_out // n_heads // 2, 2, -1)  # (h, d/2, pair, d_in)
    return pairs.swapaxes(1, 2).reshape(weight.shape)


@dataclass(frozen=True)
class TinyLlama:
    path: Path
    weights: dict[str, np.ndarray]  # float64, original layout, exactly what the file holds
    tokens: list[str]


def _tiny_metadata(tokens, merges, types) -> dict:
    """The GGUF metadata of the tiny Llama: its sizes and its byte-level vocabulary."""
    c = TINY
    return {
        "general.architecture": "llama",
        "llama.block_count": c["n_layers"],
        "llama.embedding_length": c["d_model"],
        "llama.feed_forward_length": c["d_mlp"],
        "llama.attention.head_count": c["n_heads"],
        "llama.attention.head_count_kv": c["n_kv_heads"],
        "llama.rope.freq_base": c["rope_base"],
        "llama.attention.layer_norm_rms_epsilon": c["rms_eps"],
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.pre": "smollm",
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.merges": merges,
        "tokenizer.ggml.token_type": np.array(types, dtype=np.int32),
    }


def write_tiny_llama(path: Path, seed: int = 0, ffn_norm_f16: bool = True) -> TinyLlama:
    """A random 2-layer Llama (GQA 4:2) with the tiny byte-level vocabulary."""
    c = TINY
    rng = np.random.default_rng(seed)
    tokens, merges, types = tiny_vocab()

    def linear(d_out: int, d_in: int) -> np.ndarray:
        return rng.standard_normal((d_out, d_in)) / np.sqrt(d_in)  # stored (d_out, d_in)

    def gain() -> np.ndarray:
        return 1 + 0.1 * rng.standard_normal(c["d_model"])

    d_q, d_kv = c["n_heads"] * c["d_head"], c["n_kv_heads"] * c["d_head"]
    original = {"token_embd.weight": (rng.standard_normal((len(tokens), c["d_model"])), Q8_0)}
    file_tensors = dict(original)
    for i in range(c["n_layers"]):
        q, k = linear(d_q, c["d_model"]), linear(d_kv, c["d_model"])
        layer = {
            "attn_norm": (gain(), F32),
            "attn_q": (q, Q4_1),
            "attn_k": (k, Q4_1),
            "attn_v": (linear(d_kv, c["d_model"]), Q4_1),
            "attn_output": (linear(c["d_model"], d_q), Q4_1),
            "ffn_norm": (gain(), F16 if ffn_norm_f16 and i == 1 else F32),
            "ffn_gate": (linear(c["d_mlp"], c["d_model"]), Q4_1),
            "ffn_up": (linear(c["d_mlp"], c["d_model"]), Q4_1),
            "ffn_down": (linear(c["d_model"], c["d_mlp"]), Q4_1),
        }
        for name, (array, kind) in layer.items():
            stored = array
            if name == "attn_q":
                stored = permute_rows(array, c["n_heads"])
            elif name == "attn_k":
                stored = permute_rows(array, c["n_kv_heads"])
            file_tensors[f"blk.{i}.{name}.weight"] = (stored, kind)
    file_tensors["output_norm.weight"] = (np.ones(c["d_model"]), F32)
    metadata = _tiny_metadata(tokens, merges, types)
    raw = write_gguf(path, metadata, file_tensors)
    weights = {}
    for name, (array, kind) in file_tensors.items():
        seen = naive_dequantize(raw[name], kind).astype(np.float64).reshape(array.shape)
        if name.endswith("attn_q.weight"):
            seen = unpermute_rows(seen, c["n_heads"])
        elif name.endswith("attn_k.weight"):
            seen = unpermute_rows(seen, c["n_kv_heads"])
        weights[name] = seen
    return TinyLlama(path, weights, tokens)


# ----------------------------------------------------------------------------- naive forward


def _rms_norm(v: np.ndarray, gain: np.ndarray) -> np.ndarray:
    return v / np.sqrt(np.mean(v * v) + TINY["rms_eps"]) * gain


def _rotate_half(v: np.ndarray, position: int) -> np.ndarray:
    """Original-layout rotary encoding: coordinate i turns with coordinate i + d/2."""
    d = len(v)
    out = v.copy()
    for i in range(d // 2):
        angle = position * TINY["rope_base"] ** (-2 * i / d)
        a, b = v[i], v[i + d // 2]
        out[i] = a * np.cos(angle) - b * np.sin(angle)
        out[i + d // 2] = a * np.sin(angle) + b * np.cos(angle)
    return out


def naive_forward(model: TinyLlama, ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Scaled scores and pattern ``[layer, head, query, key]`` with explicit loops, float64.

    Scores above the diagonal are left as NaN (this reference never computes them).
    """
    c, w = TINY, model.weights
    n, d_head, group = len(ids), c["d_head"], c["n_heads"] // c["n_kv_heads"]
    shape = (c["n_layers"], c["n_heads"], n, n)
    scores, pattern = np.full(shape, np.nan), np.zeros(shape)
    stream = [w["token_embd.weight"][i].copy() for i in ids]
    for layer in range(c["n_layers"]):
        p = f"blk.{layer}."
        normed = [_rms_norm(v, w[p + "attn_norm.weight"]) for v in stream]
        heads_out = [np.zeros(c["n_heads"] * d_head) for _ in range(n)]
        for head in range(c["n_heads"]):
            kv = head // group  # consecutive query heads share one key/value head
            rows_q = slice(head * d_head, (head + 1) * d_head)
            rows_kv = slice(kv * d_head, (kv + 1) * d_head)
            q = [_rotate_half(w[p + "attn_q.weight"][rows_q] @ h, t) for t, h in enumerate(normed)]
            k = [_rotate_half(w[p + "attn_k.weight"][rows_kv] @ h, t) for t, h in enumerate(normed)]
            v = [w[p + "attn_v.weight"][rows_kv] @ h for h in normed]
            for t in range(n):
                for s in range(t + 1):
                    scores[layer, head, t, s] = q[t] @ k[s] / np.sqrt(d_head)
                exps = [np.exp(scores[layer, head, t, s]) for s in range(t + 1)]
                for s in range(t + 1):
                    pattern[layer, head, t, s] = exps[s] / sum(exps)
                    heads_out[t][rows_q] += pattern[layer, head, t, s] * v[s]
        for t in range(n):
            stream[t] = stream[t] + w[p + "attn_output.weight"] @ heads_out[t]
            h = _rms_norm(stream[t], w[p + "ffn_norm.weight"])
            gate, up = w[p + "ffn_gate.weight"] @ h, w[p + "ffn_up.weight"] @ h
            hidden = np.array([g / (1 + np.exp(-g)) * u for g, u in zip(gate, up, strict=True)])
            stream[t] = stream[t] + w[p + "ffn_down.weight"] @ hidden
    return scores, pattern
