"""A render process that renders chapter after chapter.

Starting ``manim`` once per chapter costs every chapter the same start-up: importing
manim (about 1.5 s), building the example's trace with its full-size head weights
(about 1.3 s) and compiling its formulas. A worker pays that once and then renders
the chapters the pipeline (:mod:`video.processes`) sends it, one at a time, each into
its own media folder, with manim's own ``tempconfig`` so no setting leaks from one
chapter into the next. Each job names the example to show
(:class:`scenes.settings.Source` as JSON), which the worker hands to the chapter; the
``ATTENTION_*`` variables of plain manim calls play no part.

The pipeline forks its workers (:func:`run_forked`): a fork starts with manim
imported and the example's head weights built, and is handed the pipeline's checked
:class:`~scenes.settings.Source`, traces and all, so it pays no start-up at all.
Where forking is not safe (see ``video.processes.can_fork``) it starts them as
``python -m video.worker SCRATCH PARENT_PID`` (:func:`main`). Either way a worker asks
Linux to kill it when the pipeline dies (:func:`die_with_parent`): a pipeline killed
with SIGKILL leaves no render running.

A worker switches the ManimCE speed-ups of :mod:`render_speed` on before its first
chapter (unless ``ATTENTION_NO_SPEEDUPS`` is set or the versions are not the tested
ones).

A worker has one speech service (:mod:`voice.service`, the engine the jobs name,
``piper`` unless a test says otherwise), made for its first narrated chapter and
handed to each chapter it renders (``ChapterScene(speaker=...)``): one Piper program
per render process, shared by its chapters, working in the process's scratch folder
and stopped when the process ends.

Protocol: one JSON job per line on one pipe (stdin when started), one JSON result
per line on another (the original stdout when started); everything else the process
prints, manim's logging included, goes to its log (stderr when started). A job::

    {"chapter": {the fields of scenes.order.Chapter},
     "source": {"sentence": ... or null, "example": a path or null, "seed": ...},
     "quality": "low_quality", "media_dir": ...,
     "encoder_options": {x264 options added to manim.cfg's},
     "captions": true, "voice": false, "speech": "piper"}

and its result ``{"ok": true, "seconds": ..., "peak_mb": ...}`` or
``{"ok": false, "error": "<the last lines of the traceback>"}``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import json
import os
import resource
import signal
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from video.files import os_error_in
from voice.service import SpeechService, VoiceError, speech_service

PR_SET_PDEATHSIG = 1  # prctl option: the signal this process gets when its parent dies

SPEECH_FILE = "speech.json"  # beside a chapter's render: each beat's speech file
BEATS_FILE = "beats.json"  # beside a chapter's render: each section's heading and narration


def die_with_parent(parent: int) -> None:
    """Have the kernel send SIGKILL to this process when ``parent`` (the pipeline, which
    started it) dies, however it dies; exit at once if it is gone already. Linux only
    (``prctl(PR_SET_PDEATHSIG)``); elsewhere, or if the call is refused, a worker ends
    when its job pipe closes (after the chapter it is rendering)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            err = os.strerror(ctypes.get_errno())
            print(f"render process: prctl(PR_SET_PDEATHSIG) failed: {err}", file=sys.stderr)
    # the parent may have died before the request was made: the kernel then never
    # sends the signal, and this process has been handed to another parent
    if os.getppid() != parent:
        os._exit(1)


def render_job(job: dict, tex_dir: Path, sources: dict, speakers: dict) -> None:
    """Render one chapter as ``manim render --save_sections`` would, in this process.
    ``sources`` holds the examples this process has (by :meth:`Source.key_of`): handed
    to it when forked, or checked from an earlier job; a new one is checked and added.
    ``speakers``: this process's speech service (:func:`speaker_for`)."""
    from scenes.order import Chapter
    from scenes.settings import Source

    chapter = Chapter(**{**job["chapter"], "directory": Path(job["chapter"]["directory"])})
    key = Source.key_of(job["source"])
    if key not in sources:
        sources[key] = Source.from_json(job["source"])
    source = sources[key]
    speaker = speaker_for(job, speakers, tex_dir)
    with plain_path(Path(job["media_dir"])) as media, plain_path(tex_dir) as tex:
        scene = _render_scene(job, chapter, source, media, tex, speaker)
    if scene.voice:  # what was said, for the sound track (voice/track.py)
        keep_speech(scene.speech, Path(job["media_dir"]))
    # each section's heading and narration, for the lecture's slides (video/slides.py)
    beats = json.dumps(scene.beats, ensure_ascii=False, indent=1)
    (Path(job["media_dir"]) / BEATS_FILE).write_text(beats, encoding="utf-8")


@contextlib.contextmanager
def plain_path(folder: Path) -> Iterator[Path]:
    """A path to ``folder`` made of plain characters, for the block: manim and the
    programs it runs name files in text that breaks on some characters a folder may
    have (libav's lists of files to join take a quote for the end of a name; TeX takes
    % and backslashes for commands). ``/proc/<this process>/fd/<n>`` of a descriptor
    open on the folder is the folder itself, for this process and its children, and
    leaves nothing behind."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    plain = f"/proc/{os.getpid()}/fd/{fd}"
    _PLAIN_PATHS[plain] = str(folder)  # kept after the block, for the error it raised
    try:  # without /proc (a bare container), the folder's own path
        yield Path(plain) if os.path.isdir(plain) else folder
    finally:
        os.close(fd)


_PLAIN_PATHS: dict[str, str] = {}  # plain path -> the folder it was last made for


def real_name(name: str) -> str:
    """``name`` with a plain path (:func:`plain_path`) put back as the folder's own."""
    for plain, folder in _PLAIN_PATHS.items():
        if name.startswith(plain + "/") or name == plain:
            return folder + name[len(plain) :]
    return name


def speaker_for(job: dict, speakers: dict, work: Path) -> SpeechService | None:
    """The speech service that says the job's chapter (None: a silent one): this
    process's service of the job's engine, made the first time it is needed, its
    program working in ``work`` (the process's scratch folder, which the pipeline
    removes, also after a SIGKILL). ``speakers`` keeps it for the next chapters."""
    if not job.get("voice", False):
        return None
    engine = job.get("speech", "piper")
    if engine not in speakers:
        speakers[engine] = speech_service(engine, work=work)
    return speakers[engine]


def _render_scene(job: dict, chapter, source, media: Path, tex_dir: Path, speaker):
    """The chapter's scene, rendered into ``media`` with formulas compiled in ``tex_dir``,
    its beats said by ``speaker``."""
    from manim import config, tempconfig
    from manim.manager import Manager

    options = {
        "media_dir": str(media),
        "input_file": str(chapter.file),
        "quality": job["quality"],
        "save_sections": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "WARNING",
        # formulas compiled by one chapter are reused by the next (same process only)
        "tex_dir": str(tex_dir),
    }
    if job.get("encoder_options"):
        options["video_encoder_options"] = {
            **config.video_encoder_options,
            **job["encoder_options"],
        }
    with tempconfig(options):
        scene = chapter.load()(
            source=source,
            captions=job.get("captions", True),
            voice=job.get("voice", False),
            speaker=speaker,
        )
        Manager(scene)
        scene.render()
    return scene


def keep_speech(said: list[tuple], media: Path) -> None:
    """Copy each beat's speech (``(beat, start, voice.service.PendingSpeech)``) into
    ``media`` and list it there (:data:`SPEECH_FILE`): the sound track is made from
    these copies, whatever happens to the cache meanwhile (it may be deleted)."""
    folder = media / "speech"
    folder.mkdir(exist_ok=True)
    listed = []
    for k, (beat, _, pending) in enumerate(said):
        speech = pending.copy_to(folder / f"{k:03d}.wav")  # checked, whole
        listed.append(
            {"beat": beat, "text": speech.text, "seconds": speech.seconds, "path": str(speech.path)}
        )
    (media / SPEECH_FILE).write_text(json.dumps(listed))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(jobs: TextIO, results: TextIO, tex_dir: Path, source=None) -> None:
    """Render the jobs read from ``jobs`` one by one, writing each result to ``results``;
    ``source``: the example handed to this process, if any (:class:`scenes.settings.Source`)."""
    import render_speed
    from scenes.settings import clear_caches

    render_speed.install()
    known = {} if source is None else {source.key: source}
    speakers: dict[str, SpeechService] = {}  # the voice of this process's chapters
    try:
        for line in jobs:
            if not line.strip():
                continue
            result = render_reported(json.loads(line), tex_dir, known, speakers)
            clear_caches()  # what the chapter cached for itself (scenes/settings.py)
            gc.collect()
            results.write(json.dumps(result) + "\n")
            results.flush()
    finally:  # a forked process ends with os._exit: no atexit handler would run
        for speaker in speakers.values():
            speaker.close()


def render_reported(job: dict, tex_dir: Path, sources: dict, speakers: dict) -> dict:
    """Render ``job``; the result the pipeline is sent. A failure is reported, not
    raised: the pipeline decides what to do. A file system's error (a full disk, a
    folder that cannot be written) is reported with its errno, for a one-line message."""
    start = time.monotonic()
    try:
        render_job(job, tex_dir, sources, speakers)
        return {"ok": True, "seconds": time.monotonic() - start, "peak_mb": peak_mb()}
    except Exception as exc:
        lines = traceback.format_exc().strip().splitlines()
        result = {"ok": False, "error": "\n".join(lines[-15:]), "type": type(exc).__name__}
        if isinstance(exc, VoiceError):  # the voice's own message says it all
            result["message"] = " ".join(str(exc).split())
        failed = os_error_in(exc)
        if failed is not None:
            filename = None if failed.filename is None else real_name(os.fsdecode(failed.filename))
            result.update(errno=failed.errno, strerror=failed.strerror, filename=filename)
        return result


def run_forked(
    env: dict[str, str],
    cwd: Path,
    tex_dir: Path,
    jobs: int,
    results: int,
    log: int,
    inherited: list[int],
    parent: int,
    source=None,
) -> None:
    """The render process forked from the pipeline
    (:class:`video.processes.RenderProcess`): it starts with manim imported and the
    example's head weights and trace built, and runs with ``env`` in ``cwd`` as a
    started one would. ``jobs`` and ``results`` are its ends of the two pipes, ``log``
    takes what it prints, and ``inherited`` are the pipe ends of the pipeline and of
    the other processes and the pipeline's folder locks, which it closes (a pipe stays
    open while any process holds its writing end, a lock while any process holds its
    file). ``parent`` is the pipeline's process id; ``source`` the example it is
    handed, traces and all (:class:`scenes.settings.Source`)."""
    die_with_parent(parent)
    # SIGTERM ends it as it ends a started process, whatever handler the pipeline had
    # installed (video.interrupt.sigterm_as_interrupt)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    for fd in inherited:
        os.close(fd)
    os.dup2(log, 1)
    os.dup2(log, 2)
    # what Python prints to go there too, even if the pipeline had replaced sys.stderr
    sys.stdout, sys.stderr = sys.__stdout__, sys.__stderr__
    os.environ.clear()
    os.environ.update(env)
    os.chdir(cwd)
    from manim import config
    from manim._config.utils import make_config_parser

    # manim's settings as a process started in the project reads them (manim.cfg),
    # whatever the pipeline's process did with its own
    config.digest_parser(make_config_parser())
    # what the process inherited is not garbage: collections skip it from now on
    gc.freeze()
    with os.fdopen(jobs) as job_lines, os.fdopen(results, "w") as result_lines:
        serve(job_lines, result_lines, tex_dir, source)


def main() -> int:
    # argv: a scratch folder of its own, and the pipeline's process id
    die_with_parent(int(sys.argv[2]) if len(sys.argv) > 2 else os.getppid())
    # Results travel on the original stdout; anything printed goes to stderr instead.
    results = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    import manim  # noqa: F401  (the start-up this process exists to pay once)

    serve(sys.stdin, results, Path(sys.argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
