"""Which example the scenes show: handed to them, or chosen by environment variables.

The render pipeline (``render.sh``) hands every chapter its example explicitly, as an
:class:`ExampleSource` (a sentence or an example file, and a seed): see
:class:`scenes.chapter.ChapterScene`. Only when nothing is handed, as in a plain
``manim`` call, do environment variables choose the example (manim has no
command-line flag for scene parameters):

``ATTENTION_EXAMPLE``
    an example name from ``assets/examples`` or a path to a ``.toml`` file
    (default: ``fluffy-creature``);
``ATTENTION_SENTENCE``
    a sentence instead of an example file (inline roles allowed: ``tiny:adj``);
``ATTENTION_SEED``
    the seed of the designed model, a whole number from 0 to 4294967295 (default 2024);
``ATTENTION_CAPTIONS``
    ``off`` leaves the caption band empty (``on``, the default, draws the captions), for
    viewers who turn on the ``.srt`` subtitles, which players draw in the same place;
``ATTENTION_VOICE``
    ``on`` reads every beat's narration aloud (voice/), into the video's sound track
    (default ``off``: plain manim renders stay silent).

Example::

    ATTENTION_SENTENCE="a tiny red robot explored the dusty attic" \\
        manim -pql scenes/ch03_attention_pattern.py AttentionPattern

With plain ``manim``, a bad value stops the render with one line on stderr, such as
``attention: error: ATTENTION_SENTENCE: the sentence is empty``, and exit status 2
(instead of manim's traceback of a failed scene).

Caches that chapters fill for themselves (supporting examples, chapter 5's long
passage, the real model) are registered with :func:`chapter_cache`, and
:func:`clear_caches` empties them all; the render processes call it after each
chapter. The example's own trace (:func:`trace_of`) is kept: every chapter shows it.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

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
from attention_math.real_model import default_model

ENV_EXAMPLE = "ATTENTION_EXAMPLE"
ENV_SENTENCE = "ATTENTION_SENTENCE"
ENV_SEED = "ATTENTION_SEED"
ENV_CAPTIONS = "ATTENTION_CAPTIONS"
ENV_VOICE = "ATTENTION_VOICE"
SWITCH = {"on": True, "1": True, "yes": True, "off": False, "0": False, "no": False}
ENVIRONMENT = (ENV_EXAMPLE, ENV_SENTENCE, ENV_SEED)  # what chooses a plain manim example
PROGRAM = "attention"  # the name plain-manim errors begin with: "attention: error: ..."
MAIN_TRACES = 8  # the main traces a process keeps (one per example and seed)


@dataclass(frozen=True)
class ExampleSource:
    """Where a scene's example comes from: a sentence (inline roles allowed) or an
    example (a name in ``assets/examples`` or a path to a ``.toml`` file), never both;
    neither is the default example. ``seed`` is the designed model's.

    Made of strings and a number, so that a render process started apart from the
    pipeline receives it as JSON (:meth:`to_json`, :meth:`from_json`)."""

    sentence: str | None = None
    example: str | None = None
    seed: int = DEFAULT_SEED
    # the environment variable that chose the example, which errors about it name
    # (not part of what the source is: equal sources share their cached trace)
    named_by: str = dataclasses.field(default="", compare=False)

    def __post_init__(self) -> None:
        if self.sentence is not None and self.example is not None:
            raise ValueError("an example source is a sentence or an example, not both")

    def to_json(self) -> dict:
        return {"sentence": self.sentence, "example": self.example, "seed": self.seed}

    @classmethod
    def from_json(cls, data: dict) -> ExampleSource:
        return cls(data["sentence"], data["example"], int(data["seed"]))


def current_seed() -> int:
    """The seed chosen by ``ATTENTION_SEED`` (0 to 4294967295), else the default."""
    raw = os.environ.get(ENV_SEED, "").strip()
    if not raw:
        return DEFAULT_SEED
    return parse_seed(raw, ENV_SEED)


def switch_from_environment(name: str, default: bool) -> bool:
    """Whether the environment variable ``name`` (on or off) is on; ``default`` if unset."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in SWITCH:
        raise InputError(f"{name}: expected on or off, not {raw!r}")
    return SWITCH[raw]


def current_switch(name: str, default: bool) -> bool:
    """:func:`switch_from_environment`; with plain manim, a bad value ends the render
    with one line."""
    try:
        return switch_from_environment(name, default)
    except InputError as exc:
        plain_manim_exit(exc)
        raise


def current_captions() -> bool:
    return current_switch(ENV_CAPTIONS, True)


def current_voice() -> bool:
    return current_switch(ENV_VOICE, False)


def source_from_environment() -> ExampleSource:
    """The source chosen by ``ATTENTION_SENTENCE`` or ``ATTENTION_EXAMPLE`` (only one
    of them) and ``ATTENTION_SEED``; the default example and seed where unset."""
    sentence = os.environ.get(ENV_SENTENCE)
    example = os.environ.get(ENV_EXAMPLE) or None
    if sentence is not None and example is not None:
        raise InputError(f"set only one of {ENV_SENTENCE} and {ENV_EXAMPLE}")
    named_by = ENV_SENTENCE if sentence is not None else ENV_EXAMPLE if example else ""
    return ExampleSource(sentence, example, current_seed(), named_by=named_by)


def example_of(source: ExampleSource) -> Example:
    """The example ``source`` names (a sentence wins over the default example)."""
    with _naming(source.named_by):
        if source.sentence is not None:
            return example_from_sentence(source.sentence)
        return load_example(source.example or DEFAULT_EXAMPLE)


@contextmanager
def _naming(variable: str):
    """Errors about an example that ``variable`` chose begin with its name:
    ``ATTENTION_SENTENCE: the sentence is empty``."""
    try:
        yield
    except InputError as exc:
        if variable:
            raise InputError(f"{variable}: {exc}") from None
        raise


_main_traces: dict[ExampleSource, Trace] = {}  # oldest first


def trace_of(source: ExampleSource) -> Trace:
    """The trace of ``source``'s first phrase, kept for the process's later chapters
    (the last :data:`MAIN_TRACES` sources)."""
    trace = _main_traces.get(source)
    if trace is None:
        trace = _build_main_trace(source)
        keep_trace(source, trace)
    return trace


def keep_trace(source: ExampleSource, trace: Trace) -> None:
    """Remember ``trace`` as :func:`trace_of` ``(source)``: the pipeline has built it
    while checking the example, and the render processes it forks start with it."""
    _main_traces.pop(source, None)
    _main_traces[source] = trace
    while len(_main_traces) > MAIN_TRACES:
        del _main_traces[next(iter(_main_traces))]


def _build_main_trace(source: ExampleSource) -> Trace:
    chosen = example_of(source)
    with _naming(source.named_by):
        trace = build_trace(chosen, 0, seed=source.seed)  # unknown roles, too many tokens...
        if running_plain_manim():  # render.sh has checked this before rendering
            from .components.labels import check_drawable

            words = [t.text for t in trace.tokens]
            if trace.cross is not None:
                words += [t.text for t in trace.cross.query_tokens]
            check_drawable([chosen.title, *chosen.phrases, chosen.target or ""], words)
    return trace


def current_source() -> ExampleSource:
    """The source the environment chooses; with plain manim, bad values end the render
    with one line (see :func:`plain_manim_exit`)."""
    try:
        return source_from_environment()
    except InputError as exc:
        plain_manim_exit(exc)
        raise


def scene_trace(source: ExampleSource) -> Trace:
    """:func:`trace_of` ``(source)``; with plain manim, a bad example ends the render
    with one line."""
    try:
        return trace_of(source)
    except InputError as exc:
        plain_manim_exit(exc)
        raise


def current_example() -> Example:
    """The example chosen by the environment; with plain manim, bad values end the
    render with one line."""
    try:
        return example_of(current_source())
    except InputError as exc:
        plain_manim_exit(exc)
        raise


def current_trace() -> Trace:
    """The trace of the environment's example's first phrase (kept per process)."""
    return scene_trace(current_source())


# -- caches that chapters keep -------------------------------------------------------

Cache = TypeVar("Cache", bound=Callable)
caches: list[Callable] = []  # every cache registered with chapter_cache


def chapter_cache(function: Cache) -> Cache:
    """Register ``function``, cached with :func:`functools.lru_cache` or
    :func:`functools.cache`, as a cache that :func:`clear_caches` empties; returns it,
    so it can be written as a decorator above the cache's own."""
    if not callable(getattr(function, "cache_clear", None)):
        raise TypeError(f"{function!r} has no cache_clear: not a cached function")
    caches.append(function)
    return function


def clear_caches() -> None:
    """Empty every registered cache: what one chapter cached for itself. Kept, such
    caches would add up chapter after chapter (a render process that rendered every
    chapter reached 1.6 GB).

    Not registered, so kept: the example's own trace (:func:`trace_of`), and the heads'
    full-size weights and the feature directions: every example with the same
    vocabulary (all of assets/examples, and any sentence) shares them, the main trace
    holds them anyway, and rebuilding them cost about 0.9 s for each chapter with a
    supporting example (drawing 31 M normal numbers)."""
    for cache in caches:
        cache.cache_clear()


@chapter_cache
@lru_cache(maxsize=16)
def supporting_traces(name: str, seed: int) -> tuple[Trace, ...]:
    """Traces of a fixed supporting example (mole, tower, translation, harry, ...),
    one per phrase, with the designed model of ``seed``; these illustrate chapters
    whatever the main example is."""
    return tuple(build_traces(load_example(name), seed=seed))


chapter_cache(default_model)  # the real model (chapter 13): its weights, once loaded


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
