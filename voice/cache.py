"""The speech cache: each utterance, and each sentence the engine said, in a WAV file
named by a digest of its text, the voice and the settings.

The engine (:class:`SentenceSource`, Piper's :class:`voice.piper.Speaker`) is asked for
one sentence at a time, and each sentence's samples are kept (``sentences/`` in the
cache): an utterance is its sentences with :data:`SENTENCE_SILENCE` between them, which
is what Piper makes of the whole line, so a sentence said before, in this video or in
another example's ("Softmax turns each column into weights that add up to one."), is
not synthesised again. About half of the narration is the same from one example
sentence to another. The utterance is then trimmed and normalised
(:mod:`voice.loudness`) and stored in the cache's folder: the same text is synthesised
once, and gives the same bytes every time.

The cache (``ATTENTION_SPEECH_CACHE``, else ``.cache/speech``) may be deleted at any
time, in part or whole, also while a render runs, and a file in it may be damaged (a
full disk, a crash): nothing in it is trusted.

* Every file is written atomically and checked when it is read (:mod:`voice.wav`): a
  file that is missing or fails a check is made again, said again if need be.
* What the engine has said is kept in memory until its utterance is written, so that a
  cache deleted meanwhile costs nothing; an utterance's file is there and checked when
  :meth:`Pending.result` returns.
* The folder is checked before a render starts (:func:`check_cache`).

Example::

    pending = Pending.ask(speaker, cache_folder()[0], voice, "Keys answer queries.")
    pending.result().path
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from attention_math.environment import SPEECH_CACHE

from .loudness import PROCESSING, normalise, trimmed
from .service import RATE, PendingSpeech, Speech, VoiceError
from .wav import TRIES, DamagedWav, atomic_write, file_bytes, samples_of, wav_pcm, write_wav

ROOT = Path(__file__).resolve().parent.parent  # the project folder
CACHE = ROOT / ".cache" / "speech"  # unless ATTENTION_SPEECH_CACHE names another folder
CACHE_VARIABLE = SPEECH_CACHE.name
SENTENCE_SILENCE = 0.2  # seconds between two sentences of an utterance
# a sentence ends at ".", "!" or "?" before a space (not inside "0.54")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class SentenceSource(Protocol):
    """What says the sentences of an utterance that the cache lacks (an engine)."""

    rate: int  # samples per second of the sentences' files

    def saying(self, part: Path) -> bool:
        """Whether the sentence of ``part`` is asked for and not yet said."""

    def sentence(self, part: Path) -> bytes | None:
        """A sentence's samples: just said, or intact in the cache; else None."""

    def send(self, sentence: str, part: Path) -> None:
        """Ask for ``sentence``, whose samples go to ``part``."""

    def collect(self, parts: list[Path]) -> None:
        """Wait until none of ``parts`` is still being said."""


def digest(settings: str, text: str) -> str:
    """A file name for ``text`` said with ``settings``."""
    return hashlib.sha256(f"{settings}\n{text}".encode()).hexdigest()[:32]


def utterance_key(voice: str, text: str) -> str:
    """The name of an utterance's file: a digest of its text, the voice (its engine's
    model and options) and the settings that join and normalise its sentences."""
    return digest(f"{voice}|{SENTENCE_SILENCE}|{PROCESSING}", text)


def sentence_key(voice: str, sentence: str) -> str:
    """The name of a sentence's file (the engine's samples, before normalising)."""
    return digest(voice, sentence)


def sentences(line: str) -> list[str]:
    """The sentences of ``line``, in order; a piece without a letter or digit ("…")
    stays with a sentence beside it (alone, Piper would have nothing to say and stop)."""
    found: list[str] = []
    before = ""  # letterless pieces before the first sentence
    for part in SENTENCE_END.split(line.strip()):
        if any(c.isalnum() for c in part):
            found.append(f"{before} {part}".strip())
            before = ""
        elif found:
            found[-1] = f"{found[-1]} {part}"
        else:
            before = f"{before} {part}".strip()
    return found


def joined(parts: list[np.ndarray], rate: int) -> np.ndarray:
    """The sentences' samples one after another, :data:`SENTENCE_SILENCE` between."""
    gap = np.zeros(int(rate * SENTENCE_SILENCE))
    out = [gap if i % 2 else parts[i // 2] for i in range(2 * len(parts) - 1)]
    return np.concatenate(out) if out else np.zeros(0)


def read_entry(path: Path, rate: int) -> tuple[bytes, os.stat_result] | None:
    """A cache entry's samples' bytes (checked, checksum required) and its file's status;
    None if it is missing or fails a check, which is the same to the cache: made again."""
    try:
        data, status = file_bytes(path)
        return wav_pcm(data, rate, summed=True)[0], status
    except (OSError, DamagedWav):
        return None


def identity(status: os.stat_result) -> tuple[int, int, int, int]:
    """What tells a file from its replacement: device, inode, size, modification time."""
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


def cache_folder() -> tuple[Path, str]:
    """The speech cache's folder, and how it was named, for messages: ``ATTENTION_SPEECH_CACHE``
    (when set and not empty), else ``.cache/speech`` in the project."""
    named = SPEECH_CACHE.get()
    return (Path(named), f" ({CACHE_VARIABLE})") if named else (CACHE, "")


def check_cache(folder: Path | None = None) -> Path:
    """The speech cache's folder (:func:`cache_folder` when ``folder`` is None), checked
    before a render starts: it, or the nearest of its parents that exists, must be a
    folder this process can write in, and so must the folders inside it that exist.
    Folders made to find out are removed again. Raises :class:`VoiceError` with one
    line, such as "the speech cache /x (ATTENTION_SPEECH_CACHE) cannot be used: Not a
    directory"."""
    how = ""
    if folder is None:
        folder, how = cache_folder()
    folder = Path(folder)
    try:
        try_writing(folder)
        for inside in (folder / "sentences", folder / "voice"):
            if os.path.lexists(inside):
                try_writing(inside)
    except OSError as exc:
        where = "" if exc.filename in (None, str(folder)) else f"{os.fsdecode(exc.filename)}: "
        why = exc.strerror or str(exc)
        raise VoiceError(f"the speech cache {folder}{how} cannot be used: {where}{why}") from None
    return folder


def try_writing(folder: Path) -> None:
    """Write and remove a file in ``folder``, making the missing folders on the way (and
    removing them again): raises the OSError a write there would, naming the folder."""
    missing = []
    for place in (folder, *folder.parents):
        if place.is_dir():
            break
        if os.path.lexists(place):  # a file, or a link to nothing, where a folder goes
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(place))
        missing.append(place)
    made: list[Path] = []
    try:
        for place in reversed(missing):
            place.mkdir()
            made.append(place)
        try:
            fd, name = tempfile.mkstemp(dir=folder, prefix=".check-")
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, str(folder)) from None
        os.close(fd)
        os.unlink(name)
    finally:
        for place in reversed(made):
            with suppress(OSError):
                place.rmdir()


@dataclass(eq=False)
class Pending(PendingSpeech):
    """An utterance asked for (:meth:`Pending.ask`): ready once its file is in the cache.
    ``speaker`` says the sentences the cache lacks."""

    speaker: SentenceSource
    text: str
    path: Path
    said: list[str]  # its sentences, as the engine is asked for them
    parts: list[Path]  # their files (the engine's samples), in order
    # sentences' samples in hand (read or just said), until the utterance is written
    _in_hand: dict[Path, bytes] = field(default_factory=dict, repr=False)
    # the identity of the utterance's file when last checked, and its length in seconds
    _checked: tuple[tuple, float] | None = field(default=None, repr=False)

    @classmethod
    def ask(cls, speaker: SentenceSource, cache: Path, voice: str, line: str) -> Pending:
        """The utterance of ``line`` (one line of plain text) in ``cache``, said by
        ``speaker`` with ``voice`` (what names its model and options in the keys): its
        sentences that are not in the cache are asked for at once."""
        said = sentences(line)
        if not said:
            raise VoiceError(f"there is nothing to say in {line!r}: no letter, no digit")
        folder = cache / "sentences"
        parts = [folder / f"{sentence_key(voice, sentence)}.wav" for sentence in said]
        pending = cls(speaker, line, cache / f"{utterance_key(voice, line)}.wav", said, parts)
        if pending.ready() is None:
            pending.request()
        return pending

    def result(self) -> Speech:
        """The speech, waiting for the engine if it is still speaking; its file is in the cache
        and intact as this returns (made again, said again if need be, if it vanished
        or was damaged since)."""
        made = None
        for _ in range(TRIES):
            speech = self.ready()
            if speech is not None:
                return speech
            if made is None:
                rate = self.speaker.rate
                said = [samples_of(pcm) for pcm in self._sentences()]
                made = normalise(trimmed(joined(said, rate), rate), rate)
                self._in_hand.clear()
            write_wav(self.path, made)
        raise VoiceError(f"the speech cache {self.path.parent} loses what is written to it")

    def ready(self) -> Speech | None:
        """The speech if its file is in the cache and intact, else None. The file is read
        whole and checked the first time, later only if it changed (or was replaced)."""
        try:
            seen = identity(os.stat(self.path))
        except OSError:
            return None
        if self._checked is None or self._checked[0] != seen:
            found = read_entry(self.path, RATE)
            if found is None:
                self._checked = None
                return None
            pcm, status = found
            self._checked = (identity(status), len(pcm) // 2 / RATE)
        return Speech(self.text, self.path, self._checked[1])

    def copy_to(self, target: Path) -> Speech:
        """The speech written (atomically) to ``target`` too, from bytes read and checked
        in one go: whole, whatever happens to the cache meanwhile."""
        for _ in range(TRIES):
            speech = self.result()
            try:
                data = file_bytes(speech.path)[0]
                wav_pcm(data, RATE, summed=True)
            except (OSError, DamagedWav):  # gone or replaced just now: made again
                self._checked = None
                continue
            atomic_write(target, data)
            return Speech(self.text, target, speech.seconds)
        raise VoiceError(f"the speech cache {self.path.parent} loses what is written to it")

    def request(self) -> None:
        """Take the sentences at hand (just said, or intact in the cache) and ask the engine for
        each other one it is not saying already."""
        for sentence, part in zip(self.said, self.parts):
            if part in self._in_hand or self.speaker.saying(part):
                continue
            pcm = self.speaker.sentence(part)
            if pcm is not None:
                self._in_hand[part] = pcm
            else:
                self.speaker.send(sentence, part)

    def _sentences(self) -> list[bytes]:
        """Every sentence's samples, in order, waiting for the engine where it is speaking."""
        for _ in range(TRIES):
            self.request()
            missing = [part for part in self.parts if part not in self._in_hand]
            if not missing:
                return [self._in_hand[part] for part in self.parts]
            self.speaker.collect(missing)
        raise VoiceError(f"the speech cache {self.path.parent} loses what is written to it")
