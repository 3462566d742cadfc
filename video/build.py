"""Render a plan: reuse unchanged chapters, render the others in parallel processes,
put the video together.

:func:`render` in steps: lock the output folder for the run (a second run of the same
folder waits); remove what renders that were killed left behind; find the chapters
whose record still holds (video/reuse.py: same inputs, every file there and intact);
render the others with ``--jobs`` render processes (video/processes.py), costliest
first, each into its own temporary folder, where its sound is added, and then moved
into place, its record written last; meanwhile compute trace.json and grab the contact
sheet's frames; then stitch the video and make what lies beside it in the run's own
temporary folder, rename each into place, and record them (video/assemble.py).

Stopping a render: Ctrl-C and SIGTERM (video/interrupt.py) stop every render process,
remove the temporary folders and any folder the render created that is still empty.
The render processes die with the pipeline even when it is killed (SIGKILL), and each
temporary folder holds a lock (video/folders.py) for as long as its render lives, so
the next render of the same output folder removes the folders of renders that were
killed, never those of a render still running beside it. Whenever a render stops,
every file in the output folder is whole, the old one or the new (video/files.py).
"""

from __future__ import annotations

import dataclasses
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from scenes.order import Chapter
from voice.media import video_duration
from voice.service import VoiceError
from voice.track import narrate_chapter

from . import files, folders, reuse
from .assemble import PosterFrames, assemble, trace_json
from .encoder import encoder_options
from .interrupt import sigterm_as_interrupt
from .plan import QUALITIES, Plan, manim_quality
from .processes import RenderProcess, RenderProcesses, render_environment
from .worker import BEATS_FILE, SPEECH_FILE

OnChapter = Callable[[Chapter, dict], None]


def render(plan: Plan, on_chapter: OnChapter | None = None) -> Path:
    """Render the plan's chapters, stitch them, write subtitles, trace and contact sheet;
    ``on_chapter(chapter, result)`` after each chapter rendered (the benchmark's table).
    Returns the video's path.

    SIGTERM stops it as Ctrl-C does (a KeyboardInterrupt). A render that fails or is
    stopped removes the folders it made that are still empty; folders that existed stay."""
    with (
        sigterm_as_interrupt(),
        folders.made(plan.chapter_dir),
        folders.locked(plan.out_dir),  # a second run of this folder waits for this one
    ):
        _remove_leftovers(plan)
        keys = reuse.chapter_keys(plan)
        _log(
            f"rendering {len(plan.chapters)} chapter(s) of '{plan.source.example.title}' at "
            f"{plan.quality} quality with {plan.jobs} process(es) into {plan.out_dir}"
        )
        started = time.monotonic()
        posters = PosterFrames(plan)
        progress = _Progress(plan, on_chapter, posters)
        todo = _chapters_to_render(plan, keys, progress)
        if not todo and reuse.video_is_current(plan, keys):
            return _unchanged(plan)
        numbers = _InBackground(trace_json, plan)  # while the chapters render
        with posters, folders.temp_folder(plan.out_dir, ".run-") as work:
            render_chapters(plan, todo, progress.rendered, on_started=numbers.start)
            durations = assemble(plan, numbers.result(), work, posters.grabbed())
        reuse.record_video(plan, keys)
        _log(
            f"done in {time.monotonic() - started:.0f} s: {sum(durations):.0f} s of video "
            f"({len(durations)} chapters); subtitles, contact sheet and trace.json beside it"
        )
        return plan.video_path


def render_chapters(
    plan: Plan,
    todo: list[tuple[Chapter, str]],
    on_done: OnChapter,
    on_started: Callable[[], None] | None = None,
) -> None:
    """Render ``todo`` ((chapter, key) pairs) with ``plan.jobs`` render processes, each
    taking the next chapter when it is free, costliest first (``Chapter.cost``) so the
    processes finish together; ``on_done(chapter, result)`` after each chapter,
    ``on_started()`` once the processes exist (threads started before could not be
    forked). The first failure (or Ctrl-C) stops every process and is raised."""
    if not todo:
        if on_started:
            on_started()
        return
    queue = sorted(todo, key=lambda item: -item[0].cost)  # stable: ties keep their order
    count = min(plan.jobs, len(todo))
    # forked processes are handed the plan's source, traces and all; started ones check
    # it again from the job
    with RenderProcesses(render_environment(), plan.out_dir, count, plan.source) as processes:
        if on_started:
            on_started()
        processes.render_all(
            queue,
            lambda process, item: render_chapter(plan, *item, process, count),
            lambda item, result: on_done(item[0], result),
        )


def render_chapter(
    plan: Plan, chapter: Chapter, key: str, process: RenderProcess, parallel: int = 1
) -> dict:
    """Render one chapter with ``process`` (one of ``parallel`` at work) into a temporary
    folder, then move it into place; returns the process's result (seconds, peak memory)."""
    with folders.temp_folder(plan.out_dir, f".{chapter.module}-") as media:
        result = process.render(chapter_job(plan, chapter, media, parallel))
        if not result["ok"]:
            if result.get("errno") is not None:  # the disk, not the chapter: one line
                raise OSError(result["errno"], result["strerror"], result.get("filename"))
            if result.get("type") == "VoiceError":
                raise VoiceError(result["message"])
            raise RuntimeError(
                f"chapter {chapter.number} ({chapter.scene}) failed:\n{result['error']}"
            )
        move_into_place(plan, chapter, media, key)
    return result


def chapter_job(plan: Plan, chapter: Chapter, media: Path, parallel: int) -> dict:
    """The job a render process renders ``chapter`` from (see video/worker.py): the
    chapter is handed the plan's example, whatever the environment says."""
    return {
        "chapter": {**dataclasses.asdict(chapter), "directory": str(chapter.directory)},
        "source": plan.source.to_json(),
        "quality": manim_quality(plan.quality),
        "media_dir": str(media),
        "encoder_options": encoder_options(plan.quality, parallel),
        "captions": plan.captions,
        "voice": plan.voice,
        "speech": plan.speech,
    }


def move_into_place(plan: Plan, chapter: Chapter, media: Path, key: str) -> None:
    """Move what manim rendered in ``media`` (the video, its subtitles, one clip per
    beat), complete with its sound, into the chapter folder, then record it. The old
    record goes first: a run stopped half-way leaves files that are each whole but no
    record, so the next run renders the chapter again."""
    produced = media / "videos" / chapter.module / QUALITIES[plan.quality][1]
    movie = produced / f"{chapter.scene}.mp4"
    if not movie.exists():
        raise RuntimeError(f"chapter {chapter.number}: manim wrote no video in {produced}")
    said = media / SPEECH_FILE
    if plan.voice and said.exists():  # the sound track, into the video and its clips
        index = produced / "sections" / f"{chapter.scene}.json"
        narrate_chapter(movie, produced / "sections", index, said)
    files.forget(plan.key_file(chapter))
    _keep_what_was_said(said, plan.chapter_file(chapter, ".speech.json"))
    beats = media / BEATS_FILE  # each section's heading and narration
    if beats.exists():
        files.move_file(beats, plan.chapter_file(chapter, ".beats.json"))
    else:
        plan.chapter_file(chapter, ".beats.json").unlink(missing_ok=True)
    subtitles, kept = produced / f"{chapter.scene}.srt", plan.chapter_file(chapter, ".srt")
    if subtitles.exists():
        files.move_file(subtitles, kept)
    else:  # none this time: an old one would describe another render
        kept.unlink(missing_ok=True)
    files.replace_folder(produced / "sections", plan.sections_dir(chapter), media / "old")
    files.move_file(movie, plan.chapter_file(chapter))
    reuse.record_chapter(plan, chapter, key)


def _keep_what_was_said(said: Path, kept: Path) -> None:
    """What each beat said, as the voice was given it, beside the chapter
    (``<module>.speech.json``: beat, spoken text, seconds), or no such file for a
    silent render."""
    if not said.exists():
        kept.unlink(missing_ok=True)
        return
    listed = [{k: e[k] for k in ("beat", "text", "seconds")} for e in json.loads(said.read_text())]
    files.write_atomically(kept, json.dumps(listed, ensure_ascii=False, indent=1))


def _remove_leftovers(plan: Plan) -> None:
    """What renders of this folder that were killed left: their temporary folders and
    the files they were writing (this run holds the folder's lock)."""
    stale = folders.remove_stale_folders(plan.out_dir)
    for folder in (plan.out_dir, plan.chapter_dir, plan.chapter_dir / "sections"):
        stale += folders.remove_partial_files(folder)
    if stale:
        _log(f"removed {len(stale)} temporary file(s) and folder(s) that killed renders left")


def _chapters_to_render(
    plan: Plan, keys: list[str], progress: _Progress
) -> list[tuple[Chapter, str]]:
    """The chapters (with their keys) that have no identical render to reuse."""
    todo = []
    for chapter, key in zip(plan.chapters, keys):
        if reuse.is_current(plan, chapter, key):
            progress.reused(chapter)
        else:
            todo.append((chapter, key))
    return todo


def _unchanged(plan: Plan) -> Path:
    seconds = sum(video_duration(plan.chapter_file(ch)) for ch in plan.chapters)
    _log(f"nothing changed: {seconds:.0f} s of video, {len(plan.chapters)} chapter(s)")
    return plan.video_path


class _Progress:
    """One line on stderr per chapter ready, ``[3/13] chapter  5 Context size: ...``;
    a chapter rendered also goes to the caller's ``on_chapter`` and has its contact
    sheet frame grabbed."""

    def __init__(self, plan: Plan, on_chapter: OnChapter | None, posters: PosterFrames):
        self.plan, self.on_chapter, self.posters = plan, on_chapter, posters
        self.done = 0

    def reused(self, chapter: Chapter) -> None:
        self._line(chapter, "unchanged, reused")

    def rendered(self, chapter: Chapter, result: dict) -> None:
        self._line(chapter, f"rendered in {result['seconds']:.0f} s")
        if self.on_chapter:
            self.on_chapter(chapter, result)
        self.posters.grab(chapter)

    def _line(self, chapter: Chapter, what: str) -> None:
        self.done += 1
        total = len(self.plan.chapters)
        _log(f"[{self.done}/{total}] chapter {chapter.number:2d} {chapter.title}: {what}")


class _InBackground:
    """``function(*args)`` on a daemon thread of its own, started by :meth:`start`, so
    that an interrupted render never waits for it; :meth:`result` waits for it and
    raises what it raised."""

    def __init__(self, function: Callable, *args) -> None:
        self._outcome: dict[str, object] = {}
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)

    def _run(self, function: Callable, args: tuple) -> None:
        try:
            self._outcome["value"] = function(*args)
        except BaseException as exc:  # raised again by result(), in the caller's thread
            self._outcome["error"] = exc

    def start(self) -> None:
        self._thread.start()

    def result(self):
        self._thread.join()
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)
