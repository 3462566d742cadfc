"""Files a render hands to the user: each one written whole under a temporary name,
then renamed into place in one step; and the record of what a render finished.

Two rules keep an output folder whole whatever stops a render (Ctrl-C, SIGTERM,
SIGKILL, a full disk):

1. A file the user sees is replaced only by a complete file (picture *and* sound),
   in one rename (:func:`voice.media.replacing`, :func:`write_atomically`,
   :func:`replace_folder`).
   The temporary names are unique per process and run, so two renders never share one.
2. What a render records as done (:func:`write_record`: its reuse key and, for every
   file it made, the size and a SHA-256 of the content) is written last, after the
   files it describes are in place; a re-run reuses them only if the record holds
   (:func:`record_holds`): every file there, of its size and content. "Opens" is not
   "intact": a truncated or damaged file, or one that is missing, is made again.

Example::

    with replacing(out / "video.mp4") as partial:
        write_video(partial)           # a failure here leaves video.mp4 as it was
    write_record(out / ".video.key", key, out, [out / "video.mp4"])
    record_holds(out / ".video.key", key, out)   # True until a file changes
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

# the first rule's primitive is in voice/media.py, below this package: the sound track
# (voice/track.py) writes the videos it gives their sound with it too
from voice.media import partial_name, replacing

CHUNK = 1 << 20  # bytes read at a time when hashing


def write_atomically(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` through a temporary file and one rename."""
    with replacing(path) as partial:
        if isinstance(text, bytes):
            partial.write_bytes(text)
        else:
            partial.write_text(text, encoding="utf-8")


def replace_folder(new: Path, target: Path, trash: Path) -> None:
    """Put the folder ``new`` where ``target`` is, in one step: the two are exchanged
    (Linux's ``renameat2`` with ``RENAME_EXCHANGE``), so ``target`` is at every moment
    the old folder or the new one, never missing or merged; the old one ends up at
    ``new``, in a temporary folder that goes with it. Where the file system cannot
    exchange, the old folder is renamed to ``trash`` first (a moment with no folder;
    the record, written after, notices). ``new`` on another file system than
    ``target`` is copied beside ``target`` first."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if not _same_file_system(new, target.parent):
        copy = partial_name(target)
        try:
            shutil.copytree(new, copy, symlinks=True)
            replace_folder(copy, target, trash)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        return
    if not (target.exists() or target.is_symlink()):
        os.replace(new, target)
        return
    try:
        exchange(new, target)
    except OSError:
        os.replace(target, trash)
        os.replace(new, target)


def move_file(source: Path, target: Path) -> None:
    """Move the file ``source`` to ``target`` whole, in one rename: on another file
    system it is copied beside ``target`` under a temporary name first (a copy that
    fails leaves nothing behind)."""
    if _same_file_system(source, target.parent):
        os.replace(source, target)
        return
    with replacing(target) as partial:
        shutil.copyfile(source, partial)
    source.unlink()


def _same_file_system(path: Path, folder: Path) -> bool:
    return os.stat(path).st_dev == os.stat(folder).st_dev


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def exchange(first: Path, second: Path) -> None:
    """Swap two paths atomically (both must exist, on one file system)."""
    libc = ctypes.CDLL(None, use_errno=True)
    status = libc.renameat2(
        _AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE
    )
    if status != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(first))


def file_digest(path: Path) -> str:
    """SHA-256 of the file's content."""
    h = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


def write_record(record: Path, key: str, base: Path, files: Iterable[Path]) -> None:
    """Note that ``files`` (in ``base``) were made from what ``key`` stands for: their
    names relative to ``base``, sizes and digests, with the key, written atomically.
    Call it after the files are in place."""
    entries = {}
    for path in files:
        entries[path.relative_to(base).as_posix()] = [path.stat().st_size, file_digest(path)]
    write_atomically(record, json.dumps({"key": key, "files": entries}, indent=1))


def forget(record: Path) -> None:
    """Remove a record before the files it describes are replaced: a render stopped
    half-way through replacing them leaves no record, so the next run makes them again."""
    record.unlink(missing_ok=True)


def record_holds(record: Path, key: str, base: Path) -> bool:
    """The record says ``key`` and every file it lists is in ``base`` with the size and
    content it had when the record was written."""
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("key") != key:
            return False
        files = data["files"]
        if not isinstance(files, dict) or not files:
            return False
        checks = [(base / name, int(size), str(digest)) for name, (size, digest) in files.items()]
    except (OSError, ValueError, KeyError, TypeError):
        return False
    try:  # sizes first, all of them: cheap, and what most damage changes
        if any(path.stat().st_size != size for path, size, _ in checks):
            return False
        return all(file_digest(path) == digest for path, _, digest in checks)
    except OSError:
        return False


def os_error_in(exc: BaseException) -> OSError | None:
    """The file system's error behind ``exc`` (itself, or what it was raised from or
    while handling), if any: a full disk reported by libav through manim's own error
    is still a full disk."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, OSError) and exc.errno is not None:
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
