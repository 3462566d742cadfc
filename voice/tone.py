"""A stand-in voice: a quiet tone as long as a line's words would take to say
(:data:`SECONDS_PER_WORD` each), made at once, with no program to run and no cache.

For tests where the speech itself is not under test (a narrated render's files, its
timing, what a stopped render leaves), and a demonstration that an engine is a
:class:`voice.service.SpeechService` named in :data:`voice.service.ENGINES`, nothing
more: the scenes do not change.

Example::

    with ToneSpeaker() as speaker:
        speaker.say("Keys answer queries.").seconds  # 3 words: 0.9 s
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .service import RATE, PendingSpeech, Speech, SpeechService, VoiceError
from .wav import atomic_write, write_wav

SECONDS_PER_WORD = 0.3  # 200 words a minute, about the narration's pace
PITCH = 220.0  # Hz
LEVEL = 0.1  # the tone's amplitude (-20 dBFS)


def tone(seconds: float) -> np.ndarray:
    """A sine of :data:`PITCH` Hz, ``seconds`` long at :data:`RATE`, at :data:`LEVEL`."""
    t = np.arange(int(round(seconds * RATE))) / RATE
    return LEVEL * np.sin(2 * np.pi * PITCH * t)


@dataclass(frozen=True)
class Done(PendingSpeech):
    """A tone, made when it was asked for."""

    speech: Speech

    @property
    def text(self) -> str:
        return self.speech.text

    def result(self) -> Speech:
        return self.speech

    def copy_to(self, target: Path) -> Speech:
        atomic_write(target, self.speech.path.read_bytes())
        return Speech(self.speech.text, target, self.speech.seconds)


class ToneSpeaker(SpeechService):
    """Tones for lines of text, written in a folder of its own made inside ``work`` (the
    temporary folder when None) and removed by :meth:`close`."""

    def __init__(self, work: Path | None = None) -> None:
        self.work = work
        self._folder: Path | None = None

    def ask(self, text: str) -> Done:
        line = " ".join(text.split())
        if not any(c.isalnum() for c in line):
            raise VoiceError(f"there is nothing to say in {line!r}: no letter, no digit")
        if self._folder is None:
            if self.work is not None:
                Path(self.work).mkdir(parents=True, exist_ok=True)
            self._folder = Path(tempfile.mkdtemp(prefix="attention-tone-", dir=self.work))
        name = hashlib.sha256(line.encode()).hexdigest()[:32]
        path = self._folder / f"{name}.wav"
        samples = tone(len(line.split()) * SECONDS_PER_WORD)
        write_wav(path, samples)
        return Done(Speech(line, path, len(samples) / RATE))

    def close(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None
