"""The numeric core: real attention arithmetic at real model sizes.

What it depends on: numpy (and scipy's softmax) for the arithmetic; spaCy with its
small English model to parse a sentence (``grammar.py``, loaded on first use); the
real model (``real_model/``) is read from its GGUF file by the core's own reader and
tokenizer. It never imports manim and reads no environment variable. Scenes read
every number they draw from a :class:`Trace`.
"""

from .dims import PRESETS, ModelDims, get_dims, parameter_counts
from .errors import InputError
from .examples import DEFAULT_EXAMPLE, Example, example_from_sentence, load_example
from .layout import key_by_query
from .trace import (
    DEFAULT_SEED,
    HeadTrace,
    Trace,
    build_trace,
    build_traces,
    warm_head_weights,
)

__all__ = [
    "DEFAULT_EXAMPLE",
    "DEFAULT_SEED",
    "PRESETS",
    "Example",
    "HeadTrace",
    "InputError",
    "ModelDims",
    "Trace",
    "build_trace",
    "build_traces",
    "example_from_sentence",
    "get_dims",
    "key_by_query",
    "load_example",
    "parameter_counts",
    "warm_head_weights",
]
