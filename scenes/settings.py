"""Which example the scenes show, chosen by environment variables.

Manim has no command-line flag for scene parameters, so the example is chosen
with environment variables (``render.sh`` sets them from its options):

``ATTENTION_EXAMPLE``
    an example name from ``assets/examples`` or a path to a ``.toml`` file
    (default: ``fluffy-creature``);
``ATTENTION_SENTENCE``
    a sentence instead of an example file (inline roles allowed: ``tiny:adj``);
``ATTENTION_SEED``
    the seed of the designed model (default 2024).

Example::

    ATTENTION_SENTENCE="a tiny red robot explored the dusty attic" \\
        manim -pql scenes/ch03_attention_pattern.py AttentionPattern
"""

from __future__ import annotations

import os
from functools import lru_cache

from attention_math import (
    DEFAULT_EXAMPLE,
    DEFAULT_SEED,
    Example,
    InputError,
    Trace,
    build_trace,
    build_traces,
    example_from_sentence,
    load_example,
)

ENV_EXAMPLE = "ATTENTION_EXAMPLE"
ENV_SENTENCE = "ATTENTION_SENTENCE"
ENV_SEED = "ATTENTION_SEED"


def current_seed() -> int:
    raw = os.environ.get(ENV_SEED, "").strip()
    if not raw:
        return DEFAULT_SEED
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"{ENV_SEED} must be a whole number, not {raw!r}") from None


def current_example() -> Example:
    """The example chosen by the environment (sentence wins over example file)."""
    sentence = os.environ.get(ENV_SENTENCE)
    if sentence is not None and os.environ.get(ENV_EXAMPLE):
        raise InputError(f"set only one of {ENV_SENTENCE} and {ENV_EXAMPLE}")
    if sentence is not None:
        return example_from_sentence(sentence)
    return load_example(os.environ.get(ENV_EXAMPLE) or DEFAULT_EXAMPLE)


@lru_cache(maxsize=8)
def _trace_for(sentence: str | None, example: str | None, seed: int) -> Trace:
    return build_trace(current_example(), 0, seed=seed)


def current_trace() -> Trace:
    """The trace of the chosen example's first phrase (cached per process)."""
    env = os.environ
    return _trace_for(env.get(ENV_SENTENCE), env.get(ENV_EXAMPLE), current_seed())


@lru_cache(maxsize=16)
def supporting_traces(name: str) -> tuple[Trace, ...]:
    """Traces of a fixed supporting example (mole, tower, translation, harry, ...),
    one per phrase; these illustrate chapters whatever the main example is."""
    return tuple(build_traces(load_example(name), seed=current_seed()))
