"""The render processes of one render (:class:`RenderProcesses`): started together,
each rendering the jobs handed to it (:mod:`video.worker`), stopped together.

A render process renders chapter after chapter, so manim's imports, the example's
trace and compiled formulas are paid once per process, not once per chapter. Where it
is safe (:func:`can_fork`) the processes are forked from the pipeline once it has
checked the example: they start with manim imported and the example's head weights
and trace built, which saves each about 2.5 s of start-up; otherwise they are started
as ``python -m video.worker``. Either way the system kills them when the pipeline dies
(:func:`video.worker.die_with_parent`).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TypeVar

from attention_math.environment import CHOOSING_THE_EXAMPLE
from scenes.settings import Source

from .folders import held_locks, temp_folder
from .plan import ROOT

Job = TypeVar("Job")
Result = TypeVar("Result")


def render_environment() -> dict[str, str]:
    """The environment of a render process: this one's, without the variables that
    choose the example of a plain manim call (each job names its example), and with
    one BLAS thread (the processes run side by side)."""
    chosen_by = {variable.name for variable in CHOOSING_THE_EXAMPLE}
    env = {k: v for k, v in os.environ.items() if k not in chosen_by}
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


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
    the parts of :class:`subprocess.Popen` that :class:`RenderProcess` uses.
    ``inherited``: descriptors of this process that the fork must close; ``source``:
    the example it is handed, traces and all (its jobs name it)."""

    def __init__(
        self,
        env: dict[str, str],
        scratch: Path,
        log,
        inherited: Collection[int],
        source: Source | None = None,
    ):
        from .worker import run_forked

        jobs_read, jobs_write = os.pipe()
        results_read, results_write = os.pipe()
        self.pipe_ends = {jobs_write, results_read}  # this process's ends
        self.process = multiprocessing.get_context("fork").Process(
            target=run_forked,
            args=(env, ROOT, scratch, jobs_read, results_write, log.fileno()),
            kwargs={
                "inherited": sorted({*inherited, *self.pipe_ends}),
                "parent": os.getpid(),
                "source": source,
            },
            name="render process",
        )
        try:
            self.process.start()
        finally:
            os.close(jobs_read)
            os.close(results_write)
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


class RenderProcess:
    """One render process (:mod:`video.worker`) that renders the jobs it is sent.

    Forked (``fork``, see :func:`can_fork`) or started as ``python -m video.worker``;
    ``inherited`` are descriptors a forked process must close (the pipes of the other
    render processes, the pipeline's folder locks); ``cancelled`` is set when the
    render is stopping, and a job that ends then raises KeyboardInterrupt. A forked
    process is handed ``source`` whole (the example its jobs name, with its traces); a
    started one checks each job's example itself."""

    def __init__(
        self,
        env: dict[str, str],
        scratch: Path,
        fork: bool,
        inherited: Collection[int] = (),
        cancelled: threading.Event | None = None,
        source: Source | None = None,
    ):
        self.log = tempfile.TemporaryFile()  # what the process prints: kept for errors
        self.cancelled = cancelled or threading.Event()
        if fork:
            self.proc = _ForkedProcess(env, scratch, self.log, inherited, source)
            self.pipe_ends = set(self.proc.pipe_ends)
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
            self.pipe_ends = set()  # not inherited: Popen's pipes close on exec
        self.closed = False

    def render(self, job: dict) -> dict:
        """Send one job and wait for its result (see video/worker.py)."""
        try:
            self.proc.stdin.write(json.dumps(job) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        except (BrokenPipeError, ValueError):  # the process is gone
            line = ""
        if self.cancelled.is_set():
            raise KeyboardInterrupt
        if line:
            return json.loads(line)
        code = self.proc.wait()
        self.log.seek(0)
        tail = self.log.read().decode(errors="replace").strip().splitlines()[-15:]
        error = "\n".join([f"the render process stopped (exit code {code})", *tail])
        return {"ok": False, "error": error}

    def terminate(self) -> None:
        self.proc.terminate()

    def close(self) -> None:
        """Let the process end (it ends when its jobs end) and wait for it."""
        if self.closed:
            return
        self.closed = True
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (BrokenPipeError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        finally:
            self.proc.stdout.close()
            self.log.close()


class RenderProcesses:
    """``count`` render processes with the environment ``env``, each with a scratch
    folder of its own in ``folder`` (formulas compiled by one chapter serve the next),
    and the state that starting and stopping them needs. Used as a context manager:
    they start on entry (forked if :func:`can_fork` says so then, before any thread of
    this object starts) and end on exit.

    :meth:`render_all` hands them jobs; the first failure, or Ctrl-C, stops them all
    (:meth:`stop`)."""

    def __init__(self, env: dict[str, str], folder: Path, count: int, source: Source | None = None):
        self.env, self.folder, self.count = env, folder, count
        self.source = source  # handed to forked processes
        self.cancelled = threading.Event()  # the render is stopping
        self.processes: list[RenderProcess] = []
        # this process's ends of the processes' pipes: a process forked later closes
        # them (a pipe stays open while any process holds its writing end)
        self.pipe_ends: set[int] = set()
        self._lock = threading.Lock()
        self._stack = contextlib.ExitStack()

    def __enter__(self) -> RenderProcesses:
        fork = can_fork()
        try:
            for _ in range(self.count):
                scratch = self._stack.enter_context(temp_folder(self.folder, ".worker-"))
                inherited = self.pipe_ends | held_locks()
                process = RenderProcess(
                    self.env, scratch, fork, inherited, self.cancelled, self.source
                )
                self.processes.append(process)
                self.pipe_ends |= process.pipe_ends
                self._stack.callback(self.close, process)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._stack.close()  # each process ended, then its scratch folder removed

    def close(self, process: RenderProcess) -> None:
        """Let ``process`` end: it has nothing left to do."""
        process.close()
        with self._lock:
            self.pipe_ends -= process.pipe_ends

    def stop(self) -> None:
        """Stop every process still running (Ctrl-C, a failure): the jobs they are
        rendering end with KeyboardInterrupt."""
        self.cancelled.set()
        with self._lock:
            for process in self.processes:
                if not process.closed:
                    process.terminate()

    def render_all(
        self,
        jobs: list[Job],
        render: Callable[[RenderProcess, Job], Result],
        done: Callable[[Job, Result], None],
    ) -> None:
        """``render(process, job)`` for every job (none of them None), in the order
        given, each process taking the next job when it is free (one thread per
        process); ``done(job, result)`` after each, one at a time. A process with
        nothing left to do ends at once. The first failure, or Ctrl-C, stops every
        process and is raised."""
        queue = deque(jobs)
        lock = threading.Lock()

        def next_job() -> Job | None:
            with lock:
                return queue.popleft() if queue and not self.cancelled.is_set() else None

        def drain(process: RenderProcess) -> None:
            try:
                while (job := next_job()) is not None:
                    result = render(process, job)
                    with lock:
                        done(job, result)
            finally:
                self.close(process)

        with ThreadPoolExecutor(max_workers=len(self.processes)) as threads:
            futures = [threads.submit(drain, process) for process in self.processes]
            try:
                for future in as_completed(futures):
                    future.result()
            except BaseException:
                self.stop()
                raise
