"""The folders a render writes in: output folders made (and removed again if the render
fails while they are empty), one lock on the output folder for a whole run, temporary
folders that hold a lock while their render lives, and the removal of those that
renders which were killed left behind."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from pathlib import Path

from attention_math import InputError
from scenes.order import CHAPTERS

# A temporary folder of a render holds this file, locked (flock) for as long as the
# render uses the folder: a render that was killed leaves it unlocked.
LOCK_NAME = ".render.lock"
# An output folder holds this file, locked (flock) by the run that renders into it:
# a second run of the same folder waits for the first (see locked)
FOLDER_LOCK_NAME = ".folder.lock"
# temporary folders a render without locks (an older version) may have left; removed
# once they are older than STALE_AFTER seconds
UNLOCKED_PREFIXES = (".worker-", ".lecture-", *(f".{c.module}-" for c in CHAPTERS))
STALE_AFTER = 600.0

# The locks this process holds: processes forked later close them (a lock lasts as
# long as any process holds its file open).
_HELD_LOCKS: set[int] = set()
# The output folders this process has locked: path -> [descriptor, depth] (a run that
# renders as part of a larger one, the lecture, does not wait for itself)
_FOLDER_LOCKS: dict[Path, list[int]] = {}


def held_locks() -> set[int]:
    """The descriptors of the locks this process holds (for a forked process to close)."""
    return set(_HELD_LOCKS)


def make_folders(path: Path) -> list[Path]:
    """``mkdir -p path``; returns the folders it created, outermost first."""
    missing: list[Path] = []
    folder = path
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    created = []
    for folder in reversed(missing):
        try:
            folder.mkdir()
        except FileExistsError:  # made meanwhile by someone else: theirs
            continue
        created.append(folder)
    return created


def remove_empty(folders: list[Path]) -> None:
    """Remove those of ``folders`` (outermost first) that are empty, innermost first."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


@contextlib.contextmanager
def made(path: Path) -> Iterator[None]:
    """``path`` made for the block; if the block fails, the folders it made that are
    still empty are removed (a first render that failed leaves no empty ``chapters``
    folder); folders that existed stay."""
    created = make_folders(path)
    try:
        yield
    except BaseException:
        remove_empty(created)
        raise


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """The output ``folder`` locked for the block: another run of the same folder (in
    this or another process) waits until it is free, saying so once on stderr. Taken
    again by the process that holds it, it does not wait. The lock is the kernel's
    (flock), so it ends with the process however it ends; its file is removed when
    the block ends, so a render leaves no trace of it."""
    key = Path(os.path.abspath(folder))
    held = _FOLDER_LOCKS.get(key)
    if held is not None:
        held[1] += 1
        try:
            yield
        finally:
            held[1] -= 1
        return
    fd = _lock_file(folder / FOLDER_LOCK_NAME)
    try:
        _FOLDER_LOCKS[key] = [fd, 1]
        _HELD_LOCKS.add(fd)
        yield
    finally:
        _FOLDER_LOCKS.pop(key, None)
        _HELD_LOCKS.discard(fd)
        with contextlib.suppress(OSError):  # still ours: removed while locked
            (folder / FOLDER_LOCK_NAME).unlink()
        os.close(fd)


def _lock_file(path: Path) -> int:
    """Open and lock ``path`` (made if missing), waiting for its holder. The holder
    removes the file as it lets go, so a lock taken on a file that is no longer at
    ``path`` is let go and taken again on the new one."""
    said = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if not said:
                    print(
                        f"render.sh: waiting for another render of {path.parent} to finish",
                        file=sys.stderr,
                        flush=True,
                    )
                    said = True
                fcntl.flock(fd, fcntl.LOCK_EX)  # Ctrl-C or SIGTERM end the wait
            try:
                same = os.stat(path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
        except BaseException:
            os.close(fd)
            raise
        if same:
            return fd
        os.close(fd)


def check_output_dir(path: Path) -> None:
    """Fail before rendering if the output folder cannot be written or named. Folders
    made to find out are removed again: the render makes them (and removes them if it
    fails). Its path must be UTF-8 without control characters: manim, libav's lists
    of files to join and the subtitles all name files as such text."""
    try:
        text = str(path).encode("utf-8").decode("utf-8")
    except UnicodeEncodeError:
        raise InputError(
            f"the output folder's path is not valid UTF-8: {os.fsencode(path)!r}; "
            "choose a folder whose name is"
        ) from None
    if any(unicodedata.category(ch) == "Cc" for ch in text):
        raise InputError(
            f"the output folder's path has a line break, tab or other control character: "
            f"{text!r}; choose another folder"
        )
    created: list[Path] = []
    try:
        created = make_folders(path)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write to the output folder {path} ({exc.strerror})") from None
    finally:
        remove_empty(created)


@contextlib.contextmanager
def temp_folder(parent: Path, prefix: str) -> Iterator[Path]:
    """A new folder in ``parent`` whose name starts with ``prefix``, removed on exit.
    While it exists this process holds the lock of its :data:`LOCK_NAME` file, so
    :func:`remove_stale_folders` can tell it from the folder of a render that died."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    fd = -1
    try:
        fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else has it
        _HELD_LOCKS.add(fd)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)
        if fd >= 0:
            _HELD_LOCKS.discard(fd)
            os.close(fd)


def remove_stale_folders(folder: Path) -> list[Path]:
    """Remove the temporary folders in ``folder`` that renders which were killed left
    behind: those whose lock nobody holds. Folders of renders still running (in this
    process or another) keep their lock and stay. Returns the folders removed."""
    removed = []
    for path in _entries(folder):
        if not path.name.startswith(".") or path.is_symlink() or not path.is_dir():
            continue
        try:
            fd = os.open(path / LOCK_NAME, os.O_RDWR | os.O_CLOEXEC)
        except FileNotFoundError:
            if _unlocked_and_old(path):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held: its render is running
            os.close(fd)
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        finally:
            os.close(fd)
    return removed


def remove_partial_files(folder: Path) -> list[Path]:
    """Remove the files (and folders being copied) that a render killed while writing
    them left in ``folder`` (video/files.py names them
    ``.<name>.<pid>-<random>.partial<suffix>``). Only a
    run that holds the folder's lock (:func:`locked`) may call it: no other render
    of the folder is writing one then. Returns the files removed."""
    removed = []
    for path in _entries(folder):
        if not (path.name.startswith(".") and ".partial" in path.name):
            continue
        if path.is_dir() and not path.is_symlink():  # a folder copied half-way
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
            continue
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def _entries(folder: Path) -> list[Path]:
    """What ``folder`` holds, in order (nothing if it cannot be read)."""
    try:
        return sorted(folder.iterdir())
    except OSError:
        return []


def _unlocked_and_old(path: Path) -> bool:
    """A temporary folder that has no lock file (one an older version left, or one
    killed just as it was made): stale once it is old."""
    if not path.name.startswith(UNLOCKED_PREFIXES):
        return False
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER
    except OSError:
        return False
