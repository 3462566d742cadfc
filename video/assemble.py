"""The whole video and what lies beside it, from the rendered chapters: the video
stitched, its subtitles, its contact sheet (one frame per chapter) and trace.json."""

from __future__ import annotations

import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from attention_math.export import trace_to_dict
from scenes.order import Chapter
from voice.media import video_duration
from voice.track import add_sound, joined_sound

from .contact_sheet import contact_sheet, grab_frame, poster_span
from .files import forget, write_atomically
from .plan import Plan
from .stitch import concat_subtitles, concat_videos


def poster_of(plan: Plan, chapter: Chapter) -> tuple[float, float] | None:
    """The span of the chapter's poster beat in its video (for the contact sheet)."""
    return poster_span(plan.section_index(chapter), chapter.poster)


class PosterFrames:
    """The contact sheet's frames, each grabbed on a thread of its own as soon as its
    chapter is rendered (about 0.15 s a chapter), while the other processes still
    render, instead of all at the end. A context manager: a render that fails does not
    wait for the frames."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        # a thread is started at the first grab, not before (render processes are
        # forked only from a process that runs one thread)
        self._threads = ThreadPoolExecutor(max_workers=1)
        self._frames: dict[Path, Future] = {}

    def grab(self, chapter: Chapter) -> None:
        video = self.plan.chapter_file(chapter)
        self._frames[video] = self._threads.submit(grab_frame, video, poster_of(self.plan, chapter))

    def grabbed(self) -> dict[Path, Image.Image]:
        """The frames grabbed, by chapter video (waits for those still being grabbed)."""
        return {video: frame.result() for video, frame in self._frames.items()}

    def __enter__(self) -> PosterFrames:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        failed = exc_type is not None
        self._threads.shutdown(wait=not failed, cancel_futures=failed)


def trace_json(plan: Plan) -> str:
    """The example's numbers as JSON (trace.json): one trace, or one per phrase."""
    traces = plan.source.traces
    exported = [trace_to_dict(t) for t in traces]
    return json.dumps(
        exported[0] if len(exported) == 1 else {"phrases": exported}, ensure_ascii=False
    )


def assemble(
    plan: Plan, trace_text: str, work: Path, posters: dict[Path, Image.Image] | None = None
) -> list[float]:
    """The whole video, its subtitles, its contact sheet and the numbers, from the
    chapters; ``posters``: frames for the contact sheet already grabbed, by chapter
    video. Each is made complete in ``work`` (a temporary folder of the run, in the
    output folder) and only then renamed into place, so a run stopped at any point
    leaves every file whole: the old one or the new one (the record written after
    them, by video/reuse.py, tells a re-run whether they belong together). Returns the
    chapters' durations (seconds)."""
    parts = [plan.chapter_file(ch) for ch in plan.chapters]
    durations = [video_duration(p) for p in parts]
    made = {final: work / final.name for final in plan.video_files}
    video = made[plan.video_path]
    concat_videos(parts, video)
    if plan.voice:  # the chapters' sound, one after another, as one track
        add_sound(video, joined_sound(parts, durations))
    concat_subtitles(
        [(plan.chapter_file(ch, ".srt"), d) for ch, d in zip(plan.chapters, durations)],
        made[plan.subtitles_path],
    )
    contact_sheet(
        [
            (f"{ch.number}. {ch.title}", p, poster_of(plan, ch))
            for ch, p in zip(plan.chapters, parts)
        ],
        made[plan.sheet_path],
        grabbed=posters,
    )
    write_atomically(made[plan.trace_path], trace_text)
    forget(plan.video_key_file)  # no record while the files are being replaced
    for final, staged in made.items():
        os.replace(staged, final)
    return durations
