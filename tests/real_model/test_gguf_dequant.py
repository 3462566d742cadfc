"""Vectorised dequantisers against the per-block reference, and one block checked by hand."""

from __future__ import annotations

import struct

import numpy as np
import pytest
from tiny_gguf import F16, F32, Q4_1, Q8_0, naive_dequantize, quantize

from attention_math.real_model import quant


@pytest.fixture
def weights() -> np.ndarray:
    rng = np.random.default_rng(7)
    w = rng.standard_normal((6, 96)) * rng.uniform(0.01, 3, size=(6, 1))
    w[2, :32] = 0.5  # a constant block: scale 0
    return w


@pytest.mark.parametrize("kind", [Q4_1, Q8_0, F16, F32])
def test_matches_naive_per_block_reference(weights, kind):
    raw = np.frombuffer(quantize(weights, kind), dtype=np.uint8)
    fast = quant.dequantize(raw, kind, weights.shape)
    slow = naive_dequantize(raw.tobytes(), kind).reshape(weights.shape)
    assert fast.dtype == np.float32 and fast.shape == weights.shape
    np.testing.assert_array_equal(fast, slow)


@pytest.mark.parametrize("kind", [Q4_1, Q8_0])
def test_quantisation_error_is_within_half_a_step(weights, kind):
    raw = np.frombuffer(quantize(weights, kind), dtype=np.uint8)
    blocks = weights.reshape(-1, 32)
    error = np.abs(quant.dequantize(raw, kind, weights.shape).reshape(-1, 32) - blocks)
    size = np.abs(blocks).max(axis=1)
    step = np.ptp(blocks, axis=1) / 15 if kind == Q4_1 else size / 127
    f16_rounding = 2.0**-10 * size  # the block's scale and minimum are stored as float16
    assert (error.max(axis=1) <= step / 2 + f16_rounding).all()


def test_q4_1_nibble_order_by_hand():
    codes = list(range(16)) + list(range(15, -1, -1))  # weight j and weight j + 16
    packed = bytes(codes[j] | (codes[j + 16] << 4) for j in range(16))
    raw = np.frombuffer(struct.pack("<ee", 0.5, -1.0) + packed, dtype=np.uint8)
    np.testing.assert_array_equal(quant.dequantize_q4_1(raw), 0.5 * np.array(codes) - 1.0)


def test_q8_0_by_hand():
    codes = list(range(-16, 16))
    raw = np.frombuffer(struct.pack("<e32b", 0.25, *codes), dtype=np.uint8)
    np.testing.assert_array_equal(quant.dequantize_q8_0(raw), 0.25 * np.array(codes))


@pytest.mark.parametrize("kind", [Q4_1, Q8_0, F32])
def test_dequantize_rows_picks_rows(weights, kind):
    raw = np.frombuffer(quantize(weights, kind), dtype=np.uint8)
    rows = np.array([4, 0, 4, 5])
    full = quant.dequantize(raw, kind, weights.shape)
    np.testing.assert_array_equal(quant.dequantize_rows(raw, kind, 96, rows), full[rows])


def test_sizes():
    assert quant.n_bytes(Q4_1, 64) == 40
    assert quant.n_bytes(Q8_0, 64) == 68
    assert quant.n_bytes(F16, 3) == 6
    assert quant.block_size(F32) == 1
