"""Shared fixtures. Heavy objects (traces at GPT-3 size) are built once per session."""

from __future__ import annotations

import pytest

from attention_math import build_trace, build_traces, load_example
from attention_math.dims import ModelDims

SMALL = ModelDims(
    name="small", d_embed=1024, d_key=32, n_heads=4, n_layers=2, vocab_size=100, d_mlp=64
)


@pytest.fixture(scope="session")
def fluffy_trace():
    return build_trace(load_example("fluffy-creature"))


@pytest.fixture(scope="session")
def translation_trace():
    return build_trace(load_example("translation"))


@pytest.fixture(scope="session")
def mole_traces():
    return build_traces(load_example("mole"))
