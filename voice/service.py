"""What a chapter asks of a voice: a speech service takes a line of text and gives back,
at once, speech *pending* (:meth:`SpeechService.ask`); the pending speech gives its WAV
file (mono, 16-bit, :data:`RATE`) and its length when it is ready
(:meth:`PendingSpeech.result`).

A chapter is handed its service (``ChapterScene(speaker=...)``): a render process makes
one when it starts (:func:`speech_service`), hands it to each chapter it renders and
closes it when it ends. A scene rendered by plain ``manim`` is handed none and uses
:func:`default_service`, made once in that process.

Engines, by name (:data:`ENGINES`): ``piper``, the narration's voice
(:mod:`voice.piper`), and ``tone``, a tone as long as the words would take to say
(:mod:`voice.tone`), for tests where the speech itself is not under test. Another
engine is a class with :meth:`SpeechService.ask` and :meth:`SpeechService.close`, named
here; scenes do not change.

Example::

    with speech_service("piper") as speaker:
        pending = speaker.ask("Each token becomes a list of numbers.")
        ...  # the beat renders while the voice speaks
        speech = pending.result()
    speech.path, speech.seconds
"""

from __future__ import annotations

import atexit
import functools
import importlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

RATE = 22_050  # samples per second: the voice's own rate, for the speech and the videos
# engine name -> (module, class): the class takes the folder its process may work in
ENGINES = {"piper": ("voice.piper", "Speaker"), "tone": ("voice.tone", "ToneSpeaker")}


class VoiceError(RuntimeError):
    """The voice could not be found or could not speak."""


@dataclass(frozen=True)
class Speech:
    """One utterance: its WAV file (mono, 16-bit, :data:`RATE`) and its length."""

    text: str
    path: Path
    seconds: float


class PendingSpeech(ABC):
    """Speech asked for (:meth:`SpeechService.ask`), ready when :meth:`result` returns."""

    text: str  # what is said, as the service was given it (markup neutralised)

    @abstractmethod
    def result(self) -> Speech:
        """The speech, waiting for it if need be; its file is there as this returns."""

    @abstractmethod
    def copy_to(self, target: Path) -> Speech:
        """The speech written (atomically) to ``target`` too, whole."""


class SpeechService(ABC):
    """Speech for lines of text. Used as a context manager, it is closed on exit."""

    @abstractmethod
    def ask(self, text: str) -> PendingSpeech:
        """Start the speech of ``text`` (one line: line breaks are read as spaces) and
        return at once: the caller goes on (a chapter renders its beat) meanwhile.
        Raises :class:`VoiceError` if there is nothing to say."""

    def say(self, text: str) -> Speech:
        """The speech of ``text``, waiting for it."""
        return self.ask(text).result()

    def check(self) -> None:
        """Raise :class:`VoiceError` with one line if this service cannot speak (checked
        before a render's first frame, not at its first beat). A service that needs
        nothing to speak has nothing to check."""
        return None

    @abstractmethod
    def close(self) -> None:
        """Stop whatever the service runs, at once; asked again later, it starts again."""

    def __enter__(self) -> SpeechService:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def speech_service(engine: str = "piper", work: Path | None = None) -> SpeechService:
    """A new speech service of ``engine`` (:data:`ENGINES`), whose processes and files
    in progress go in a folder made inside ``work`` (None: the temporary folder)."""
    if engine not in ENGINES:
        raise VoiceError(f"no speech engine named {engine!r} (known: {', '.join(ENGINES)})")
    module, name = ENGINES[engine]
    return getattr(importlib.import_module(module), name)(work=work)


@functools.cache
def default_service() -> SpeechService:
    """The speech service of a scene handed none (plain ``manim``): Piper, made once in
    this process and closed when it exits. A render process makes its own instead."""
    service = speech_service()
    atexit.register(service.close)
    return service
