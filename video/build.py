"""Render chapters in parallel processes, reuse unchanged ones, stitch the video.

``--jobs`` render processes (:mod:`video.worker`, one per core by default), forked
from this one once it has checked the example, each render chapter after chapter,
taking the next one when free, so manim's start-up, the trace and compiled formulas
are paid once in all (formulas once per process), not once per chapter.
Every chapter is rendered (with manim's ``save_sections``, so the lecture deck can
reuse the same render) into its own temporary media folder, then moved into place
with an atomic rename: a failed or interrupted render never touches the previous
video.

Stopping a render: Ctrl-C and SIGTERM (``timeout``, CI, process managers) stop every
render process, remove the temporary folders and any folder the render created that
is still empty. The render processes die with the pipeline even when it is killed
(SIGKILL), and each temporary folder holds a lock (:func:`temp_folder`) for as long as
its render lives, so the next render of the same output folder removes the folders
of renders that were killed, never those of a render still running beside it.
"""

from __future__ import annotations

import configparser
import contextlib
import dataclasses
import fcntl
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import manim

from attention_math import Example, InputError, build_traces
from attention_math.export import trace_to_dict
from scenes.order import CHAPTERS, Chapter
from scenes.settings import ENV_EXAMPLE, ENV_SEED, ENV_SENTENCE

from .contact_sheet import contact_sheet, grab_frame, poster_span
from .stitch import concat_subtitles, concat_videos, video_duration, write_atomically

ROOT = Path(__file__).resolve().parent.parent
QUALITIES = {  # name: (manim flag, folder name)
    "low": ("l", "480p15"),
    "medium": ("m", "720p30"),
    "high": ("h", "1080p60"),
    "4k": ("k", "2160p60"),
}
SOURCE_DIRS = ("attention_math", "scenes", "assets")


def manim_quality(name: str) -> str:
    """manim's name of the quality with ``name``'s flag (``low`` -> ``low_quality``)."""
    flag = QUALITIES[name][0]
    return next(q for q, spec in manim.constants.QUALITIES.items() if spec["flag"] == flag)


@dataclass(frozen=True)
class Source:
    """Where the example comes from, as the scenes' environment variables say it."""

    example: Example
    sentence: str | None  # --sentence text, or None
    example_path: Path | None  # --example file, or None
    seed: int
    # the example's traces if already built (checking the example builds them), so
    # that trace.json does not build them again
    traces: tuple = dataclasses.field(default=(), compare=False, repr=False)

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in (ENV_EXAMPLE, ENV_SENTENCE)}
        if self.sentence is not None:
            env[ENV_SENTENCE] = self.sentence
        else:
            env[ENV_EXAMPLE] = str(self.example_path)
        env[ENV_SEED] = str(self.seed)
        env.setdefault("OPENBLAS_NUM_THREADS", "1")
        env.setdefault("OMP_NUM_THREADS", "1")
        return env

    def identity(self) -> bytes:
        if self.sentence is not None:
            return b"sentence\0" + self.sentence.encode("utf-8")
        return b"file\0" + self.example_path.read_bytes()


@dataclass(frozen=True)
class Plan:
    source: Source
    quality: str
    chapters: tuple[Chapter, ...]
    out_dir: Path  # output/<example>/<quality>
    jobs: int
    force: bool = False

    @property
    def chapter_dir(self) -> Path:
        return self.out_dir / "chapters"

    def chapter_file(self, chapter: Chapter, suffix: str = ".mp4") -> Path:
        """A rendered chapter's video (or ``.srt`` subtitles) in :attr:`chapter_dir`."""
        return self.chapter_dir / f"{chapter.module}{suffix}"

    def key_file(self, chapter: Chapter) -> Path:
        """Records what the chapter's current render was made from (:func:`chapter_key`)."""
        return self.chapter_dir / f".{chapter.module}.key"

    @property
    def video_path(self) -> Path:
        """``<example>.mp4`` for the whole video, ``<example>-ch3-4-5.mp4`` for a part."""
        name = self.source.example.name
        if self.chapters != CHAPTERS:
            name += "-ch" + "-".join(str(c.number) for c in self.chapters)
        return self.out_dir / f"{name}.mp4"


def parse_chapters(spec: str | None) -> tuple[Chapter, ...]:
    """``None`` (no ``--chapters``) = all; otherwise a comma list of numbers, ranges
    (``3-5``) or scene names. A blank selection (``""``, ``" "``, ``","``) is an error,
    not "all": a user who typed it meant some chapters."""
    if spec is None:
        return CHAPTERS
    parts = [p.strip() for p in spec.split(",") if p.strip()]
    if not parts:
        raise InputError(
            f"--chapters {spec!r} names no chapter; give numbers, ranges or names, "
            "e.g. '3' or '1,3-5' or 'Masking'"
        )
    chosen: list[Chapter] = []
    for part in parts:
        lo, sep, hi = (p.strip() for p in part.partition("-"))
        if sep and lo.isdecimal() and hi.isdecimal() and len(lo) <= 6 and len(hi) <= 6:
            numbers = range(int(lo), int(hi) + 1)
            if not numbers:
                raise InputError(f"the range {part!r} is empty; write it low-high, e.g. 3-5")
        else:
            numbers = [_chapter_number(part)]
        for n in numbers:
            ch = next((c for c in CHAPTERS if c.number == n), None)
            if ch is None:
                raise InputError(f"no chapter {n}; chapters are 1-{len(CHAPTERS)}")
            if ch not in chosen:
                chosen.append(ch)
    return tuple(sorted(chosen, key=lambda c: c.number))


def _chapter_number(key: str) -> int:
    for ch in CHAPTERS:
        if key.lower() in (str(ch.number), f"{ch.number:02d}", ch.module, ch.scene.lower()):
            return ch.number
    names = ", ".join(f"{c.number}={c.scene}" for c in CHAPTERS)
    shown = key if len(key) <= 40 else key[:40] + "..."
    raise InputError(f"unknown chapter {shown!r}; use numbers or names ({names})")


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


def check_output_dir(path: Path) -> None:
    """Fail before rendering if the output folder cannot be written. Folders made to
    find out are removed again: the render makes them (and removes them if it fails)."""
    created: list[Path] = []
    try:
        created = make_folders(path)
        with tempfile.NamedTemporaryFile(dir=path, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write to the output folder {path} ({exc.strerror})") from None
    finally:
        remove_empty(created)


# A temporary folder of a render holds this file, locked (flock) for as long as the
# render uses the folder: a render that was killed leaves it unlocked.
LOCK_NAME = ".render.lock"
# temporary folders a render without locks (an older version) may have left; removed
# once they are older than STALE_AFTER seconds
UNLOCKED_PREFIXES = (".worker-", ".lecture-", *(f".{c.module}-" for c in CHAPTERS))
STALE_AFTER = 600.0

# the locks this process holds: processes forked later close them (a lock lasts as
# long as any process holds its file open)
_HELD_LOCKS: set[int] = set()


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
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    removed = []
    for path in entries:
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


def _unlocked_and_old(path: Path) -> bool:
    """A temporary folder that has no lock file (one an older version left, or one
    killed just as it was made): stale once it is old."""
    if not path.name.startswith(UNLOCKED_PREFIXES):
        return False
    try:
        return time.time() - path.stat().st_mtime > STALE_AFTER
    except OSError:
        return False


class Terminated(KeyboardInterrupt):
    """SIGTERM (what ``timeout``, CI and process managers send), handled as Ctrl-C is:
    the render stops, cleans up, and the previous video stays."""

    signum = signal.SIGTERM  # the exit status of a process it ends is 128 + signum


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` (a KeyboardInterrupt) in
    the main thread, once: a second one while cleaning up does not cut it short.
    Outside the main thread (where Python cannot handle signals) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    raised = False

    def handler(signum, frame) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise Terminated(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def source_digest() -> str:
    """A digest of every file that can change what a chapter shows."""
    h = hashlib.sha256(manim.__version__.encode())
    for top in SOURCE_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                h.update(str(path.relative_to(ROOT)).encode())
                h.update(path.read_bytes())
    return h.hexdigest()


def chapter_key(plan: Plan, chapter: Chapter, digest: str) -> str:
    h = hashlib.sha256(digest.encode())
    h.update(plan.source.identity())
    h.update(f"{plan.source.seed}|{plan.quality}|{chapter.module}".encode())
    return h.hexdigest()


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


_CHILDREN: set[subprocess.Popen] = set()
_CHILDREN_LOCK = threading.Lock()
_CANCELLED = threading.Event()


# the pipeline's ends of the pipes to forked render processes: each process forked
# later closes them (a pipe stays open while any process holds its writing end)
_PIPE_ENDS: set[int] = set()


def can_fork() -> bool:
    """Whether render processes can be forked from this one: on Linux, while it runs
    a single thread (a fork copies only the calling thread, and a lock that another
    thread held, say in malloc or OpenBLAS's pool, would stay locked in the copy).
    render.sh sets OPENBLAS_NUM_THREADS=1, so numpy starts no threads of its own."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


class _ForkedProcess:
    """A render process forked from this one (:func:`video.worker.run_forked`), with
    the parts of :class:`subprocess.Popen` that :class:`Worker` uses."""

    def __init__(self, env: dict[str, str], scratch: Path, log) -> None:
        from .worker import run_forked

        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        inherited = sorted(_PIPE_ENDS | _HELD_LOCKS | {jobs_write, results_read})
        self.process = multiprocessing.get_context("fork").Process(
            target=run_forked,
            args=(env, ROOT, scratch, jobs_read, results_write, log.fileno(), inherited),
            kwargs={"parent": os.getpid()},
            name="render process",
        )
        try:
            self.process.start()
        finally:
            os.close(jobs_read)
            os.close(results_write)
        self._ends = {jobs_write, results_read}
        _PIPE_ENDS.update(self._ends)
        self.stdin = os.fdopen(jobs_write, "w")
        self.stdout = os.fdopen(results_read)

    def wait(self, timeout: float | None = None) -> int:
        self.process.join(timeout)
        if self.process.exitcode is None:
            raise subprocess.TimeoutExpired("render process", timeout)
        return self.process.exitcode

    def terminate(self) -> None:
        self.process.terminate()

    def kill(self) -> None:
        self.process.kill()

    def closed(self) -> None:
        """The pipes are closed: later processes have nothing to close of this one."""
        _PIPE_ENDS.difference_update(self._ends)


class Worker:
    """One render process (:mod:`video.worker`) that renders the chapters it is sent,
    so manim's imports, the trace and compiled formulas are paid once per process.

    With ``fork``, the process is a copy of this one (:func:`can_fork` says when that
    is safe): manim is imported and the example's head weights are built already (the
    example was checked by building its traces), which saves each process about 2.5 s
    of start-up; otherwise it is started as ``python -m video.worker``. Either way it
    is killed by the system when this process dies (:func:`video.worker.die_with_parent`).
    """

    def __init__(self, env: dict[str, str], scratch: Path, fork: bool = False):
        self.log = tempfile.TemporaryFile()  # what the process prints: kept for errors
        if fork:
            self.proc = _ForkedProcess(env, scratch, self.log)
        else:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "video.worker", str(scratch), str(os.getpid())],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
                text=True,
            )
        self._closed = False
        with _CHILDREN_LOCK:
            _CHILDREN.add(self.proc)

    def render(self, job: dict) -> dict:
        """Send one job and wait for its result (see video/worker.py)."""
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, ValueError):  # the process is gone
            line = ""
        if line:
            return json.loads(line)
        code = self.proc.wait()
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace").strip().splitlines()[-15:]
        error = "\n".join([f"the render process stopped (exit code {code})", *tail])
        return {"ok": False, "error": error}

    def close(self) -> None:
        """Let the process end (it ends when its jobs end) and wait for it."""
        if self._closed:
            return
        self._closed = True
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            with _CHILDREN_LOCK:
                _CHILDREN.discard(self.proc)
            self.proc.stdout.close()
            if isinstance(self.proc, _ForkedProcess):
                self.proc.closed()
            self.log.close()


def _stop_children() -> None:
    _CANCELLED.set()
    with _CHILDREN_LOCK:
        for proc in _CHILDREN:
            proc.terminate()


# x264 options per quality where they differ from manim.cfg's. The 480p15 preview is
# about speed: the ultrafast preset (a frame in 2.2 ms instead of 3.1 of x264's CPU time
# inside a chapter render, for files about twice as large at a higher PSNR), and a
# constant quantiser instead of manim's crf 23: for crf, x264 analyses a half-size copy
# of every picture to rate it, which a constant quantiser skips (x264's CPU time per
# frame inside chapters 3 and 7: 1.7 ms instead of 2.0, two interleaved runs each;
# bench/encoder_bench.py: PSNR 49-50 dB instead of 50-52, files 20-25 % smaller).
QUALITY_OPTIONS = {"low": {"preset": "ultrafast", "crf": "-1", "qp": "17"}}


def encoder_options(quality: str, parallel: int) -> dict[str, str]:
    """x264 options added to manim.cfg's for a render at ``quality`` running beside
    ``parallel - 1`` others.

    x264 starts threads of its own for every render; when the chapters already keep
    every core busy, those threads only contend (two 1080p60 renders side by side were
    11 % faster with one encoder thread each; a render alone was 20 % slower), so
    parallel renders get one thread each and a render alone x264's own choice.
    """
    options = dict(QUALITY_OPTIONS.get(quality, {}))
    if parallel >= 2:
        options["threads"] = "1"
    return options


def encoder_config(folder: Path, quality: str, parallel: int) -> list[str]:
    """The same encoder settings as options of a ``manim render`` command (the
    benchmark's single renders). A ``--config_file`` replaces manim.cfg's encoder
    options, so they are copied."""
    extra = encoder_options(quality, parallel)
    if not extra:
        return []
    parser = configparser.ConfigParser()
    parser.read(ROOT / "manim.cfg")
    section = "video_encoder.options"
    options = {**(dict(parser[section]) if parser.has_section(section) else {}), **extra}
    path = folder / "encoder.cfg"
    path.write_text(f"[{section}]\n" + "".join(f"{k} = {v}\n" for k, v in options.items()))
    return ["--config_file", str(path)]


def is_current(plan: Plan, chapter: Chapter, key: str) -> bool:
    """An identical render of ``chapter`` exists (and ``--force`` was not given)."""
    final, key_file = plan.chapter_file(chapter), plan.key_file(chapter)
    return not plan.force and final.exists() and key_file.exists() and key_file.read_text() == key


def render_chapter(
    plan: Plan, chapter: Chapter, key: str, worker: Worker, parallel: int = 1
) -> dict:
    """Render one chapter with ``worker`` (one of ``parallel`` at work) into a temporary
    folder, then move it into place; returns the worker's result (seconds, peak memory)."""
    folder = QUALITIES[plan.quality][1]
    with temp_folder(plan.out_dir, f".{chapter.module}-") as tmp:
        job = {
            "chapter": {**dataclasses.asdict(chapter), "directory": str(chapter.directory)},
            "quality": manim_quality(plan.quality),
            "media_dir": str(tmp),
            "encoder_options": encoder_options(plan.quality, parallel),
        }
        result = worker.render(job)
        if _CANCELLED.is_set():
            raise KeyboardInterrupt
        if not result["ok"]:
            raise RuntimeError(
                f"chapter {chapter.number} ({chapter.scene}) failed:\n{result['error']}"
            )
        produced = Path(tmp) / "videos" / chapter.module / folder
        movie = produced / f"{chapter.scene}.mp4"
        if not movie.exists():
            raise RuntimeError(f"chapter {chapter.number}: manim wrote no video in {produced}")
        target = plan.chapter_dir / "sections" / chapter.module  # one clip per beat
        target.parent.mkdir(parents=True, exist_ok=True)
        subs = produced / f"{chapter.scene}.srt"
        if subs.exists():
            os.replace(subs, plan.chapter_file(chapter, ".srt"))
        shutil.rmtree(target, ignore_errors=True)
        shutil.move(str(produced / "sections"), target)
        os.replace(movie, plan.chapter_file(chapter))
        plan.key_file(chapter).write_text(key)
    return result


def render_chapters(
    plan: Plan,
    todo: list[tuple[Chapter, str]],
    on_done: Callable[[Chapter, dict], None],
    on_started: Callable[[], None] | None = None,
) -> None:
    """Render ``todo`` ((chapter, key) pairs) with ``plan.jobs`` worker processes, each
    taking the next chapter when it is free, costliest first (``Chapter.cost``) so the
    processes finish together; ``on_done`` is called after each chapter, ``on_started``
    once the processes exist (threads started before could not be forked).
    The first failure (or Ctrl-C) stops every process and is raised."""
    if not todo:
        if on_started:
            on_started()
        return
    queue = sorted(todo, key=lambda item: -item[0].cost)  # stable: ties keep their order
    lock = threading.Lock()

    def next_chapter() -> tuple[Chapter, str] | None:
        with lock:
            return queue.pop(0) if queue and not _CANCELLED.is_set() else None

    def drain(worker: Worker) -> None:
        try:
            while (item := next_chapter()) is not None:
                chapter, key = item
                result = render_chapter(plan, chapter, key, worker, workers)
                with lock:
                    on_done(chapter, result)
        finally:
            worker.close()  # a process with nothing left to do ends at once

    workers = min(plan.jobs, len(todo))
    _CANCELLED.clear()
    with contextlib.ExitStack() as stack:
        fork = can_fork()  # before any thread is started here
        processes = []
        for _ in range(workers):
            scratch = stack.enter_context(temp_folder(plan.out_dir, ".worker-"))
            processes.append(Worker(plan.source.env(), scratch, fork))
            stack.callback(processes[-1].close)
        if on_started:
            on_started()
        with ThreadPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(drain, worker) for worker in processes]
            try:
                for future in as_completed(futures):
                    future.result()
            except BaseException:
                _stop_children()
                raise


def poster_of(plan: Plan, chapter: Chapter) -> tuple[float, float] | None:
    """The span of the chapter's poster beat in its video (for the contact sheet)."""
    index = plan.chapter_dir / "sections" / chapter.module / f"{chapter.scene}.json"
    return poster_span(index, chapter.poster)


def assemble(
    plan: Plan,
    parts: list[Path],
    durations: list[float],
    trace_text: str,
    posters: dict[Path, object] | None = None,
) -> None:
    """The whole video, its subtitles, the contact sheet and the numbers, from the
    chapters; ``posters``: frames for the contact sheet already grabbed, by chapter video."""
    concat_videos(parts, plan.video_path)
    concat_subtitles(
        [(plan.chapter_file(ch, ".srt"), d) for ch, d in zip(plan.chapters, durations)],
        plan.video_path.with_suffix(".srt"),
    )
    contact_sheet(
        [
            (f"{ch.number}. {ch.title}", p, poster_of(plan, ch))
            for ch, p in zip(plan.chapters, parts)
        ],
        plan.out_dir / "contact-sheet.png",
        grabbed=posters,
    )
    write_atomically(plan.out_dir / "trace.json", trace_text)


def trace_json(plan: Plan) -> str:
    """The example's numbers as JSON (trace.json): one trace, or one per phrase."""
    traces = plan.source.traces or build_traces(plan.source.example, seed=plan.source.seed)
    exported = [trace_to_dict(t) for t in traces]
    return json.dumps(
        exported[0] if len(exported) == 1 else {"phrases": exported}, ensure_ascii=False
    )


def render(plan: Plan, on_chapter: Callable[[Chapter, dict], None] | None = None) -> Path:
    """Render the plan's chapters, stitch them, write subtitles, trace and contact sheet;
    ``on_chapter(chapter, result)`` after each chapter rendered (the benchmark's table).

    SIGTERM stops it as Ctrl-C does (:class:`Terminated`, a KeyboardInterrupt). A render
    that fails or is stopped removes the folders it made that are still empty (a first
    render that failed leaves no empty ``chapters`` folder); folders that existed stay."""
    with sigterm_as_interrupt():
        created = make_folders(plan.chapter_dir)
        try:
            return _render(plan, on_chapter)
        except BaseException:
            remove_empty(created)
            raise


def _render(plan: Plan, on_chapter: Callable[[Chapter, dict], None] | None) -> Path:
    stale = remove_stale_folders(plan.out_dir)
    if stale:
        _log(f"removed {len(stale)} temporary folder(s) left by renders that were killed")
    digest = source_digest()
    keys = [chapter_key(plan, ch, digest) for ch in plan.chapters]
    total = len(plan.chapters)
    _log(
        f"rendering {total} chapter(s) of '{plan.source.example.title}' at {plan.quality} "
        f"quality with {plan.jobs} process(es) into {plan.out_dir}"
    )
    started = time.monotonic()
    todo = []
    done = 0  # chapters ready, reused or rendered
    for ch, key in zip(plan.chapters, keys):
        if is_current(plan, ch, key):
            done += 1
            _log(f"[{done}/{total}] chapter {ch.number:2d} {ch.title}: unchanged, reused")
        else:
            todo.append((ch, key))

    posters: dict[Path, Future] = {}
    grabber = ThreadPoolExecutor(max_workers=1)

    def report(chapter: Chapter, result: dict) -> None:
        nonlocal done
        done += 1
        what = f"rendered in {result['seconds']:.0f} s"
        _log(f"[{done}/{total}] chapter {chapter.number:2d} {chapter.title}: {what}")
        if on_chapter:
            on_chapter(chapter, result)
        # the contact sheet's frame now, while the other processes still render, not
        # at the end (about 0.15 s a chapter)
        video = plan.chapter_file(chapter)
        posters[video] = grabber.submit(grab_frame, video, poster_of(plan, chapter))

    video_key = hashlib.sha256("|".join(keys).encode()).hexdigest()
    key_file = plan.out_dir / f".{plan.video_path.stem}.key"
    current = (
        not plan.force
        and not todo
        and plan.video_path.exists()
        and key_file.exists()
        and key_file.read_text() == video_key
    )
    # the numbers are computed while the chapters render, not after them; in a daemon
    # thread, so that an interrupted render never waits for it
    numbers: dict[str, object] = {}

    def compute_numbers() -> None:
        try:
            numbers["text"] = trace_json(plan)
        except BaseException as exc:  # re-raised by the main thread below
            numbers["error"] = exc

    background = threading.Thread(target=compute_numbers, daemon=True)

    def start_numbers() -> None:  # once the render processes exist (see can_fork)
        if not current:
            background.start()

    try:
        render_chapters(plan, todo, report, start_numbers)
    except BaseException:
        grabber.shutdown(wait=False, cancel_futures=True)
        raise
    parts = [plan.chapter_file(ch) for ch in plan.chapters]
    durations = [video_duration(p) for p in parts]
    if current:
        grabber.shutdown()
        _log(f"nothing changed: {sum(durations):.0f} s of video, {len(parts)} chapter(s)")
        return plan.video_path
    background.join()
    if "error" in numbers:
        raise numbers["error"]
    grabbed = {path: poster.result() for path, poster in posters.items()}
    grabber.shutdown()
    assemble(plan, parts, durations, numbers["text"], grabbed)
    key_file.write_text(video_key)
    _log(
        f"done in {time.monotonic() - started:.0f} s: {sum(durations):.0f} s of video "
        f"({len(parts)} chapters); subtitles, contact sheet and trace.json beside it"
    )
    return plan.video_path
