"""Which example the scenes show, decided in one place: :func:`resolve_source`.

``render.sh`` resolves its ``--sentence``/``--example``/``--seed`` with it and hands the
checked :class:`Source` to every chapter (in the render processes too: see
video/worker.py). A scene set up without one, as in a plain ``manim`` call or a scene of
your own, resolves it from the environment variables of
:mod:`attention_math.environment` (manim has no command-line flag for scene
parameters):

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
chapter. The example's own traces travel in its :class:`Source`.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from attention_math import (
    DEFAULT_EXAMPLE,
    DEFAULT_SEED,
    Example,
    InputError,
    Trace,
    build_traces,
    example_from_sentence,
    load_example,
    warm_head_weights,
)
from attention_math.environment import CAPTIONS, EXAMPLE, SEED, SENTENCE, VOICE, Variable
from attention_math.errors import error_line, parse_seed
from attention_math.examples import resolve_example_path
from attention_math.real_model import default_model
from attention_math.text import tokenize

SWITCH = {"on": True, "1": True, "yes": True, "off": False, "0": False, "no": False}
PROGRAM = "attention"  # the name plain-manim errors begin with: "attention: error: ..."


@dataclass(frozen=True)
class Source:
    """The example a render shows, checked (:func:`resolve_source` makes them): where it
    comes from (a sentence, or an example file) and the designed model's seed, with the
    example and its traces (one per phrase; chapters show the first, :attr:`trace`).

    It travels to a render process as JSON (:meth:`to_json`; :meth:`from_json` checks it
    again), or whole, traces and all, to a process forked with it."""

    example: Example
    sentence: str | None  # the sentence as rendered (on one line), or None
    example_path: Path | None  # the example's file, or None
    seed: int
    traces: tuple[Trace, ...] = dataclasses.field(compare=False, repr=False)

    @property
    def trace(self) -> Trace:
        """The trace of the example's first phrase: the one every chapter shows."""
        return self.traces[0]

    def to_json(self) -> dict:
        path = None if self.example_path is None else str(self.example_path)
        return {"sentence": self.sentence, "example": path, "seed": self.seed}

    @property
    def key(self) -> str:
        """:meth:`key_of` its :meth:`to_json`."""
        return self.key_of(self.to_json())

    @staticmethod
    def key_of(data: Mapping) -> str:
        """A source's JSON (:meth:`to_json`) as one string: equal for the same example
        and seed, so a render process can tell the sources of its jobs apart."""
        return json.dumps(dict(data), sort_keys=True)

    @classmethod
    def from_json(cls, data: Mapping) -> Source:
        return resolve_source(data["sentence"], data["example"], int(data["seed"]))

    def identity(self) -> bytes:
        """The example's own text: its sentence, or its file's bytes."""
        if self.sentence is not None:
            return b"sentence\0" + self.sentence.encode("utf-8")
        return b"file\0" + self.example_path.read_bytes()


def resolve_source(
    sentence: str | None = None,
    example: str | None = None,
    seed: int | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    base: Path | None = None,
) -> Source:
    """The one place the example is decided and checked, before anything is drawn.

    ``sentence`` or ``example`` (a name in ``assets/examples`` or a ``.toml`` path,
    relative ones read from ``base``) and ``seed``, as ``render.sh`` takes them; where
    neither is given and ``environ`` is, its ``ATTENTION_SENTENCE``/``ATTENTION_EXAMPLE``
    choose (errors then begin with the variable's name), and its ``ATTENTION_SEED``
    where ``seed`` is None; else the default example and seed. Checked: the example,
    that every character can be drawn, and its traces (too many tokens, unknown roles).
    A seed other than the default goes into the example's name (its output folder), so
    that no seed overwrites the video of another."""
    named_by = None  # the variable that chose the example, for errors
    if sentence is None and example is None and environ is not None:
        sentence, example = SENTENCE.get(environ), EXAMPLE.get(environ) or None
        if sentence is not None and example is not None:
            raise InputError(f"set only one of {SENTENCE.name} and {EXAMPLE.name}")
        named_by = SENTENCE if sentence is not None else EXAMPLE if example else None
    if seed is None:
        raw = (SEED.get(environ or {}) or "").strip()
        seed = parse_seed(raw, SEED.name) if raw else DEFAULT_SEED
    try:
        if sentence is not None:
            chosen = example_from_sentence(sentence)
            path = None
            sentence = chosen.phrases[0]  # on one line, as it is rendered
        else:
            path = resolve_example_path(example or DEFAULT_EXAMPLE, base).resolve()
            chosen = load_example(str(path))
        _check_drawable(chosen)
        warm_head_weights(chosen, seed=seed)  # the heads' weights, on every core
        traces = tuple(build_traces(chosen, seed=seed))  # too many tokens, ...
    except InputError as exc:
        if named_by is None:
            raise
        raise InputError(f"{named_by.name}: {exc}") from None
    if seed != DEFAULT_SEED:
        chosen = dataclasses.replace(chosen, name=f"{chosen.name}-seed{seed}")
    return Source(chosen, sentence, path, seed, traces)


def _check_drawable(example: Example) -> None:
    """Every character of the example, its words as tokens too, has a glyph."""
    from .components.labels import check_drawable

    lexicon = example.lexicon()
    words = [t.text for text in example.phrases for t in tokenize(text, lexicon)]
    if example.target is not None:
        words += [t.text for t in tokenize(example.target, lexicon)]
    check_drawable([example.title, *example.phrases, example.target or ""], words)


def switch(variable: Variable, default: bool) -> bool:
    """Whether the environment's ``variable`` (on or off) is on; ``default`` if unset."""
    raw = (variable.get() or "").strip().lower()
    if not raw:
        return default
    if raw not in SWITCH:
        raise InputError(f"{variable.name}: expected on or off, not {raw!r}")
    return SWITCH[raw]


def voice_default(quality: str | None) -> bool:
    """Whether the beats are spoken when nobody said: through ``render.sh``, at every
    quality but ``low`` (previews stay quick); in a plain manim call (``quality``
    None), never (plain renders stay silent and need no voice)."""
    return quality is not None and quality != "low"


def environment_source() -> Source:
    """The source the environment chooses (:func:`resolve_source` with ``os.environ``)."""
    return resolve_source(environ=os.environ)


def environment_captions() -> bool:
    return switch(CAPTIONS, True)


def environment_voice() -> bool:
    return switch(VOICE, voice_default(None))


Chosen = TypeVar("Chosen")


def from_environment(read: Callable[[], Chosen]) -> Chosen:
    """``read()``, one of the ``environment_*`` functions; with plain manim, a bad value
    ends the render with one line (:func:`plain_manim_exit`)."""
    try:
        return read()
    except InputError as exc:
        plain_manim_exit(exc)
        raise


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

    Not registered, so kept: the example's own traces (in its :class:`Source`), and the heads'
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
