"""Which example a chapter shows: the one handed to it, else the one the environment
variables of plain manim calls choose; and the caches chapters keep, cleared together."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest
from manim import tempconfig
from render_helpers import TINY

from attention_math import DEFAULT_SEED, InputError, build_trace, example_from_sentence
from scenes import settings
from scenes.chapter import ChapterScene
from scenes.settings import ExampleSource

SENTENCE = "a fluffy blue creature"
OTHER = {"ATTENTION_SENTENCE": "the tiny robot slept", "ATTENTION_SEED": "7"}


class Shows(ChapterScene):
    """Shows nothing: only its set-up (the trace) matters here."""

    def construct(self) -> None:
        self.wait(0.1)


def _set_up(source: ExampleSource | None = None) -> Shows:
    with tempconfig(TINY):
        scene = Shows(example_source=source)
        scene.render()
    return scene


@pytest.fixture
def environment(monkeypatch):
    """Set the example's environment variables (the others unset)."""

    def set_to(**values: str) -> None:
        for name in (settings.ENV_EXAMPLE, settings.ENV_SENTENCE, settings.ENV_SEED):
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_to


def test_a_handed_source_wins_over_the_environment(environment):
    environment(**OTHER)
    scene = _set_up(ExampleSource(sentence=SENTENCE, seed=11))
    assert scene.trace.words == SENTENCE.split() and scene.trace.seed == 11
    assert scene.supporting("tower")[0].seed == 11  # supporting examples: the same seed


def test_a_handed_example_file(environment, tmp_path):
    environment(ATTENTION_EXAMPLE="tiny-robot")
    path = tmp_path / "mine.toml"
    path.write_text('title = "Mine"\nsentence = "a small grey cat"\n')
    scene = _set_up(ExampleSource(example=str(path)))
    assert scene.trace.words == ["a", "small", "grey", "cat"]
    assert scene.trace.seed == DEFAULT_SEED


def test_without_a_source_the_environment_chooses(environment):
    environment(**OTHER)
    scene = _set_up()
    assert scene.example_source == ExampleSource(sentence="the tiny robot slept", seed=7)
    assert scene.example_source.named_by == "ATTENTION_SENTENCE"
    assert scene.trace.words == ["the", "tiny", "robot", "slept"] and scene.trace.seed == 7
    environment()
    assert _set_up().example_source == ExampleSource()  # the default example and seed
    assert settings.current_trace() is settings.trace_of(ExampleSource())


def test_errors_name_the_variable_that_chose_the_example(environment):
    environment(ATTENTION_SENTENCE="")
    with pytest.raises(InputError, match="^ATTENTION_SENTENCE: the sentence is empty"):
        settings.current_trace()
    environment(ATTENTION_EXAMPLE="no-such-example")
    with pytest.raises(InputError, match="^ATTENTION_EXAMPLE: no example named"):
        settings.current_example()
    environment(ATTENTION_SEED="seven")
    with pytest.raises(InputError, match="ATTENTION_SEED"):
        settings.current_source()
    environment(ATTENTION_SENTENCE="a cat", ATTENTION_EXAMPLE="tiny-robot")
    with pytest.raises(InputError, match="set only one"):
        settings.current_source()
    with pytest.raises(InputError, match="^the sentence is empty"):  # handed: no name
        settings.trace_of(ExampleSource(sentence=""))


@pytest.mark.parametrize(
    "source",
    [
        ExampleSource(),
        ExampleSource(sentence="a tiny:adj robot 🤖", seed=0),
        ExampleSource(example="/some/where/my story.toml", seed=4294967295),
    ],
)
def test_a_source_travels_as_json(source):
    assert ExampleSource.from_json(json.loads(json.dumps(source.to_json()))) == source


def test_a_source_is_a_sentence_or_an_example_not_both():
    with pytest.raises(ValueError, match="not both"):
        ExampleSource(sentence="a cat", example="tiny-robot")


def test_a_kept_trace_is_the_one_the_scenes_get(environment):
    environment(**OTHER)  # never read: the source is handed
    source = ExampleSource(sentence="a red cat", seed=5)
    trace = build_trace(example_from_sentence("a red cat"), seed=5)
    settings.keep_trace(source, trace)
    assert _set_up(source).trace is trace


def test_main_traces_are_kept_for_the_latest_sources():
    kept = dict(settings._main_traces)
    try:
        sources = [ExampleSource(sentence=f"cat {i}") for i in range(settings.MAIN_TRACES + 2)]
        for source in sources:
            settings.keep_trace(source, object())
        assert list(settings._main_traces) == sources[2:]
    finally:
        settings._main_traces.clear()
        settings._main_traces.update(kept)


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
    main = settings.trace_of(ExampleSource())
    assert square.cache_info().currsize and settings.supporting_traces.cache_info().currsize
    settings.clear_caches()
    assert all(cache.cache_info().currsize == 0 for cache in settings.caches)
    assert settings.trace_of(ExampleSource()) is main  # the example's own trace is kept


def test_only_cached_functions_are_registered():
    with pytest.raises(TypeError, match="cache_clear"):
        settings.chapter_cache(lambda: None)
