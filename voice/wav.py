"""WAV files of speech: 16-bit mono PCM, written atomically with a checksum of their
samples, read whole and checked.

* Every file is written to a temporary name of its own (process id and a random part) in
  its folder, made again if it is gone, and renamed into place (:func:`atomic_write`): a
  reader sees the whole file or none; a failed write (a full disk) leaves nothing behind
  and is raised.
* Every file is checked when it is read (:func:`wav_pcm`): 16-bit mono at the expected
  rate, as long as its header says, its samples matching the SHA-256 written with them
  (a RIFF chunk of its own, :data:`SUM_CHUNK`, which other readers skip).

Example::

    write_wav(path, samples)  # floats, -1..1, at voice.service.RATE
    samples, rate = read_wav(path)
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import struct
from contextlib import suppress
from pathlib import Path

import numpy as np

from .service import RATE, VoiceError

SUM_CHUNK = b"sha2"  # RIFF chunk of a cached WAV: the SHA-256 of its samples' bytes
MAX_WAV_BYTES = 1 << 28  # far more than any speech: a larger "WAV" is not read
TRIES = 3  # a file that vanishes as often as it is written is an error


class DamagedWav(VoiceError):
    """A WAV file that cannot be used: why, in a few words."""


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
