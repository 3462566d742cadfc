"""Which example a chapter shows: decided in one place (resolve_source), handed to the
scene, else chosen by the environment variables of plain manim calls; and the caches
chapters keep, cleared together."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from manim import tempconfig
from render_helpers import TINY, source_of

from attention_math import DEFAULT_SEED, InputError, build_trace, example_from_sentence
from attention_math.environment import CHOOSING_THE_EXAMPLE
from scenes import settings
from scenes.chapter import ChapterScene
from scenes.settings import Source, resolve_source

SENTENCE = "a fluffy blue creature"
OTHER = {"ATTENTION_SENTENCE": "the tiny robot slept", "ATTENTION_SEED": "7"}


class Shows(ChapterScene):
    """Shows nothing: only its set-up (the trace) matters here."""

    def construct(self) -> None:
        self.wait(0.1)


def _set_up(source: Source | None = None) -> Shows:
    with tempconfig(TINY):
        scene = Shows(source=source)
        scene.render()
    return scene


@pytest.fixture
def environment(monkeypatch):
    """Set the example's environment variables (the others unset)."""

    def set_to(**values: str) -> None:
        for variable in CHOOSING_THE_EXAMPLE:
            monkeypatch.delenv(variable.name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_to


def test_a_handed_source_wins_over_the_environment(environment):
    environment(**OTHER)
    source = resolve_source(SENTENCE, seed=11)
    scene = _set_up(source)
    assert scene.source is source and scene.trace is source.trace
    assert scene.trace.words == SENTENCE.split() and scene.trace.seed == 11
    assert scene.supporting("tower")[0].seed == 11  # supporting examples: the same seed


def test_a_handed_example_file(environment, tmp_path):
    environment(ATTENTION_EXAMPLE="tiny-robot")
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\nsentence = "a small grey cat"\n')
    scene = _set_up(resolve_source(example="mine.toml", base=tmp_path))
    assert scene.trace.words == ["a", "small", "grey", "cat"]
    assert scene.trace.seed == DEFAULT_SEED
    assert scene.source.example_path == path


def test_without_a_source_the_environment_chooses(environment):
    environment(**OTHER)
    scene = _set_up()
    assert scene.source == resolve_source("the tiny robot slept", seed=7)
    assert scene.trace.words == ["the", "tiny", "robot", "slept"] and scene.trace.seed == 7
    assert scene.source.example.name.endswith("-seed7")  # its own output folder
    environment()
    assert _set_up().source == resolve_source()  # the default example and seed


def test_the_trace_is_the_sources_first_phrase_built_by_the_core():
    source = resolve_source("a red cat", seed=5)
    direct = build_trace(example_from_sentence("a red cat"), seed=5)
    assert source.trace.words == direct.words
    for mine, theirs in zip(source.trace.heads, direct.heads, strict=True):
        assert (mine.pattern == theirs.pattern).all()


def test_errors_name_the_variable_that_chose_the_example(environment):
    import os

    environment(ATTENTION_SENTENCE="")
    with pytest.raises(InputError, match="^ATTENTION_SENTENCE: the sentence is empty"):
        settings.environment_source()
    environment(ATTENTION_EXAMPLE="no-such-example")
    with pytest.raises(InputError, match="^ATTENTION_EXAMPLE: no example named"):
        settings.environment_source()
    environment(ATTENTION_SEED="seven")
    with pytest.raises(InputError, match="ATTENTION_SEED"):
        settings.environment_source()
    environment(ATTENTION_SENTENCE="a cat", ATTENTION_EXAMPLE="tiny-robot")
    with pytest.raises(InputError, match="set only one"):
        resolve_source(environ=os.environ)
    # arguments win over the variables, and their errors name no variable
    assert resolve_source("a cat", environ=os.environ).sentence == "a cat"
    with pytest.raises(InputError, match="^the sentence is empty"):
        resolve_source("")


@pytest.mark.parametrize(
    "args",
    [
        {},
        {"sentence": "a tiny:adj robot 🤖", "seed": 0},
        {"example": "tiny-robot", "seed": 4294967295},
    ],
)
def test_a_source_travels_as_json(args):
    source = resolve_source(**args)
    again = Source.from_json(json.loads(json.dumps(source.to_json())))
    assert again == source and again.key == source.key
    assert again.trace.words == source.trace.words


def test_the_voice_is_on_by_default_only_through_render_sh_above_low_quality():
    assert settings.voice_default("medium") and settings.voice_default("high")
    assert not settings.voice_default("low")
    assert not settings.voice_default(None)  # plain manim


def test_clear_caches_empties_every_registered_cache(monkeypatch):
    import scenes.ch05_context_size as ch05
    from attention_math.real_model import default_model

    registered = list(settings.caches)
    assert settings.supporting_traces in registered
    assert ch05.large_trace in registered  # a chapter registers its own cache
    assert default_model in registered  # the real model of chapter 13

    @lru_cache(maxsize=4)
    def square(x: int) -> int:
        return x * x

    monkeypatch.setattr(settings, "caches", list(registered))
    assert settings.chapter_cache(square) is square and square in settings.caches
    square(3)
    settings.supporting_traces("tower", DEFAULT_SEED)
    main = source_of().trace
    assert square.cache_info().currsize and settings.supporting_traces.cache_info().currsize
    settings.clear_caches()
    assert all(cache.cache_info().currsize == 0 for cache in settings.caches)
    assert source_of().trace is main  # the example's own trace travels in its source


def test_only_cached_functions_are_registered():
    with pytest.raises(TypeError, match="cache_clear"):
        settings.chapter_cache(lambda: None)
