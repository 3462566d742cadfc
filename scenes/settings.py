"""Which example the scenes show, chosen by environment variables.

Manim has no command-line flag for scene parameters, so the example is chosen
with environment variables (``render.sh`` sets them from its options):

``ATTENTION_EXAMPLE``
    an example name from ``assets/examples`` or a path to a ``.toml`` file
    (default: ``fluffy-creature``);
``ATTENTION_SENTENCE``
    a sentence instead of an example file (inline roles allowed: ``tiny:adj``);
``ATTENTION_SEED``
    the seed of the designed model, a whole number from 0 to 4294967295 (default 2024).

Example::

    ATTENTION_SENTENCE="a tiny red robot explored the dusty attic" \\
        manim -pql scenes/ch03_attention_pattern.py AttentionPattern

With plain ``manim``, a bad value stops the render with one line on stderr, such as
``attention: error: ATTENTION_SENTENCE: the sentence is empty``, and exit status 2
(instead of manim's traceback of a failed scene).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
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
from attention_math.errors import error_line, parse_seed

ENV_EXAMPLE = "ATTENTION_EXAMPLE"
ENV_SENTENCE = "ATTENTION_SENTENCE"
ENV_SEED = "ATTENTION_SEED"
PROGRAM = "attention"  # the name plain-manim errors begin with: "attention: error: ..."


def current_seed() -> int:
    """The seed chosen by ``ATTENTION_SEED`` (0 to 4294967295), else the default."""
    raw = os.environ.get(ENV_SEED, "").strip()
    if not raw:
        return DEFAULT_SEED
    return parse_seed(raw, ENV_SEED)


def example_from_environment() -> Example:
    """The example chosen by the environment (sentence wins over example file)."""
    sentence = os.environ.get(ENV_SENTENCE)
    if sentence is not None and os.environ.get(ENV_EXAMPLE):
        raise InputError(f"set only one of {ENV_SENTENCE} and {ENV_EXAMPLE}")
    with _naming_the_variable():
        if sentence is not None:
            return example_from_sentence(sentence)
        return load_example(os.environ.get(ENV_EXAMPLE) or DEFAULT_EXAMPLE)


@contextmanager
def _naming_the_variable():
    """Errors about the example begin with the variable that chose it:
    ``ATTENTION_SENTENCE: the sentence is empty``."""
    try:
        yield
    except InputError as exc:
        if os.environ.get(ENV_SENTENCE) is not None:
            raise InputError(f"{ENV_SENTENCE}: {exc}") from None
        if os.environ.get(ENV_EXAMPLE):
            raise InputError(f"{ENV_EXAMPLE}: {exc}") from None
        raise


def current_example() -> Example:
    """The example chosen by the environment; with plain manim, bad values end the
    render with one line (see :func:`plain_manim_exit`)."""
    try:
        return example_from_environment()
    except InputError as exc:
        plain_manim_exit(exc)
        raise


@lru_cache(maxsize=8)
def _trace_for(sentence: str | None, example: str | None, seed: int) -> Trace:
    chosen = example_from_environment()
    with _naming_the_variable():
        trace = build_trace(chosen, 0, seed=seed)  # unknown roles, too many tokens...
        if running_plain_manim():  # render.sh has checked this before rendering
            from .components.labels import check_drawable

            words = [t.text for t in trace.tokens]
            if trace.cross is not None:
                words += [t.text for t in trace.cross.query_tokens]
            check_drawable([chosen.title, *chosen.phrases, chosen.target or ""], words)
    return trace


def current_trace() -> Trace:
    """The trace of the chosen example's first phrase (cached per process)."""
    env = os.environ
    try:
        return _trace_for(env.get(ENV_SENTENCE), env.get(ENV_EXAMPLE), current_seed())
    except InputError as exc:
        plain_manim_exit(exc)
        raise


@lru_cache(maxsize=16)
def supporting_traces(name: str) -> tuple[Trace, ...]:
    """Traces of a fixed supporting example (mole, tower, translation, harry, ...),
    one per phrase; these illustrate chapters whatever the main example is."""
    try:
        seed = current_seed()
    except InputError as exc:
        plain_manim_exit(exc)
        raise
    return tuple(build_traces(load_example(name), seed=seed))


def running_plain_manim() -> bool:
    """Whether this process is the ``manim`` command (``manim`` or ``python -m
    manim``), not ``render.sh``'s render processes or the tests."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    return "manim.__main__" in sys.modules or getattr(spec, "name", "") == "manim.__main__"


def plain_manim_exit(exc: InputError) -> None:
    """Under plain manim, print ``exc`` as the one line ``attention: error: ...`` and
    exit with status 2; manim would print a traceback of some hundred lines. Anywhere
    else, return (the caller re-raises: ``render.sh`` reports errors itself)."""
    if running_plain_manim():
        print(error_line(PROGRAM, exc), file=sys.stderr, flush=True)
        raise SystemExit(2)
    return None
