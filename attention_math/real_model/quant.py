"""Dequantisation of the ggml tensor types the real model uses: Q4_1, Q8_0, F16, F32.

A quantised tensor is a run of blocks, each holding 32 consecutive weights of one row:

- **Q4_1** (20 bytes): scale ``d`` (f16), minimum ``m`` (f16), then 16 bytes of 4-bit codes.
  Byte ``j`` holds weight ``j`` in its low nibble and weight ``j + 16`` in its high nibble;
  ``w = d * code + m``.
- **Q8_0** (34 bytes): scale ``d`` (f16), then 32 signed bytes; ``w = d * code``.

Everything here is vectorised over blocks and returns float32.
"""

from __future__ import annotations

import numpy as np

F32, F16, Q4_1, Q8_0 = 0, 1, 3, 8  # ggml type codes
BLOCK = 32  # weights per quantisation block

_Q4_1_BLOCK = np.dtype([("d", "<f2"), ("m", "<f2"), ("qs", "u1", (BLOCK // 2,))])
_Q8_0_BLOCK = np.dtype([("d", "<f2"), ("qs", "i1", (BLOCK,))])

# ggml type -> (weights per block, bytes per block)
_LAYOUT = {F32: (1, 4), F16: (1, 2), Q4_1: (BLOCK, _Q4_1_BLOCK.itemsize), Q8_0: (BLOCK, 34)}
SUPPORTED_TYPES = frozenset(_LAYOUT)
TYPE_NAMES = {F32: "F32", F16: "F16", Q4_1: "Q4_1", Q8_0: "Q8_0"}


def block_size(ggml_type: int) -> int:
    """How many weights one block of this type holds."""
    return _LAYOUT[ggml_type][0]


def n_bytes(ggml_type: int, n_elements: int) -> int:
    """Bytes taken by ``n_elements`` weights (a whole number of blocks) of this type."""
    per_block, block_bytes = _LAYOUT[ggml_type]
    return n_elements // per_block * block_bytes


def dequantize_q4_1(raw: np.ndarray) -> np.ndarray:
    """Q4_1 bytes -> float32 weights, flat ``(n_blocks * 32,)``."""
    blocks = np.frombuffer(raw, dtype=_Q4_1_BLOCK)  # (n_blocks,)
    d = blocks["d"].astype(np.float32)[:, None]  # (n_blocks, 1)
    m = blocks["m"].astype(np.float32)[:, None]  # (n_blocks, 1)
    codes = blocks["qs"]  # (n_blocks, 16) uint8
    out = np.empty((len(blocks), BLOCK), dtype=np.float32)  # (n_blocks, 32)
    np.multiply(codes & 0x0F, d, out=out[:, : BLOCK // 2])  # weights 0..15
    np.multiply(codes >> 4, d, out=out[:, BLOCK // 2 :])  # weights 16..31
    out += m
    return out.reshape(-1)  # (n_blocks * 32,)


def dequantize_q8_0(raw: np.ndarray) -> np.ndarray:
    """Q8_0 bytes -> float32 weights, flat ``(n_blocks * 32,)``."""
    blocks = np.frombuffer(raw, dtype=_Q8_0_BLOCK)  # (n_blocks,)
    d = blocks["d"].astype(np.float32)[:, None]  # (n_blocks, 1)
    return (blocks["qs"] * d).reshape(-1)  # (n_blocks, 32) -> (n_blocks * 32,)


def dequantize(raw: np.ndarray, ggml_type: int, shape: tuple[int, ...]) -> np.ndarray:
    """Stored bytes of a tensor -> a float32 array of ``shape`` (numpy order)."""
    if ggml_type == Q4_1:
        flat = dequantize_q4_1(raw)
    elif ggml_type == Q8_0:
        flat = dequantize_q8_0(raw)
    elif ggml_type == F16:
        flat = np.frombuffer(raw, dtype="<f2").astype(np.float32)
    elif ggml_type == F32:
        flat = np.frombuffer(raw, dtype="<f4").astype(np.float32)  # an owned copy, not a map view
    else:
        raise ValueError(f"cannot dequantise ggml type {ggml_type}")
    return flat.reshape(shape)


def dequantize_rows(raw: np.ndarray, ggml_type: int, n_cols: int, rows: np.ndarray) -> np.ndarray:
    """Dequantise only some rows of a 2-D tensor (e.g. the embeddings of a few tokens).

    Returns float32 ``(len(rows), n_cols)``.
    """
    row_bytes = n_bytes(ggml_type, n_cols)
    picked = np.ascontiguousarray(raw.reshape(-1, row_bytes)[rows])  # (n_rows, row_bytes)
    return dequantize(picked.reshape(-1), ggml_type, (len(rows), n_cols))
