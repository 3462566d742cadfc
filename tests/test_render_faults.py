"""What an unlucky machine does to a render: killed at any step, files damaged or
removed, two renders of one folder at once, odd paths, a full disk. The output folder
is always whole (every file the user sees complete, the narrated video with its
sound), a re-run repairs what is missing or damaged, and nothing is left behind."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import av
import pytest
from PIL import Image
from test_render_pipeline import _in_fresh_process, _plan, _two_chapter_plan

from video.build import render
from video.files import record_holds
from video.folders import LOCK_NAME
from video.lecture import build_lecture
from video.plan import Plan
from video.reuse import chapter_keys, video_key

ROOT = Path(__file__).resolve().parent.parent


def _streams(video: Path) -> tuple[float, float | None]:
    """Seconds of picture and of sound (None: no sound) in ``video``, each decoded to
    its end: a file cut short fails here."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        assert [f.time for f in container.decode(stream)]  # every picture decodes
    with av.open(str(video)) as container:  # a held picture lasts: packets' ends
        stream = container.streams.video[0]
        ends = [(p.pts + p.duration) * stream.time_base for p in container.demux(stream) if p.size]
        picture = float(max(ends))
    sound = None
    with av.open(str(video)) as container:
        if container.streams.audio:
            frames = list(container.decode(audio=0))
            sound = frames[-1].time + frames[-1].samples / frames[-1].sample_rate
    return picture, sound


def _assert_whole(plan: Plan) -> None:
    """Every file a user sees in the output folder is complete: the video and each
    chapter with picture (and, narrated, sound to the end), subtitles that parse, a
    contact sheet that decodes, trace.json that parses, each beat's clip."""
    videos = [plan.video_path, *(plan.chapter_file(ch) for ch in plan.chapters)]
    for chapter in plan.chapters:
        index = json.loads(plan.section_index(chapter).read_text())
        videos += [plan.sections_dir(chapter) / s["video"] for s in index]
    for video in videos:
        picture, sound = _streams(video)
        if plan.voice:
            assert sound is not None and abs(sound - picture) < 0.2, f"{video.name}: no sound"
    assert plan.subtitles_path.read_text().count("-->") >= 2 * len(plan.chapters)
    with Image.open(plan.sheet_path) as sheet:
        sheet.load()
    json.loads(plan.trace_path.read_text())


def _leftovers(plan: Plan) -> list[Path]:
    """Temporary files and folders in the output folder."""
    found = []
    for folder in (plan.out_dir, plan.chapter_dir):
        for path in folder.iterdir():
            if ".partial" in path.name or (path.is_dir() and path.name.startswith(".")):
                found.append(path)
    return found


def _is_recorded(plan: Plan) -> bool:
    keys = chapter_keys(plan)
    chapters = all(
        record_holds(plan.key_file(ch), key, plan.chapter_dir)
        for ch, key in zip(plan.chapters, keys)
    )
    return chapters and record_holds(plan.video_key_file, video_key(keys), plan.out_dir)


# -- killed at every step --------------------------------------------------------------


def _in_temporary_folder(target: Path) -> bool:
    """``target`` lies in one of a render's temporary folders (they hold a lock file)."""
    return any((folder / LOCK_NAME).exists() for folder in Path(target).parents)


def _stop_at_commit(n: int, how: str) -> None:
    """Stop this process just before its ``n``-th rename into the output folder (not
    into one of the render's temporary folders), the steps at which a render changes
    what a user sees: with SIGKILL (nothing cleans up) or as Ctrl-C does (a
    KeyboardInterrupt: the render cleans up as it goes)."""
    pipeline, real_replace, seen = os.getpid(), os.replace, [0]

    def replace(source, target, *args, **kwargs):
        if os.getpid() == pipeline and not _in_temporary_folder(Path(target)):
            seen[0] += 1
            if seen[0] == n and how == "kill":
                os.kill(pipeline, signal.SIGKILL)
            if seen[0] == n:
                raise KeyboardInterrupt
        return real_replace(source, target, *args, **kwargs)

    os.replace = replace


STOPPED = 130  # the exit status of a forked render stopped by a KeyboardInterrupt


def _forked(body) -> int:
    """Run ``body()`` in a forked child; its exit status (-9: killed by SIGKILL)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            body()
        except KeyboardInterrupt:
            code = STOPPED
        except BaseException as exc:  # noqa: BLE001 (reported by the exit code)
            print(f"child failed: {exc!r}", file=sys.stderr)
            code = 1
        os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def _stopped_render(plan: Plan, step: int, how: str) -> None:
    _stop_at_commit(step, how)
    render(dataclasses.replace(plan, force=True))


def _stopped_at_every_commit(tmp: str, how: str) -> None:
    # the sound is what a stopped render must keep whole, not the speech: tones will do
    plan = dataclasses.replace(_plan(Path(tmp), "out"), voice=True, speech="tone")
    render(plan)  # the previous video, narrated
    _assert_whole(plan)
    step = 1
    while True:
        status = _forked(functools.partial(_stopped_render, plan, step, how))
        assert status in (0, -signal.SIGKILL if how == "kill" else STOPPED), status
        _assert_whole(plan)  # at every step: the old files or the new ones, whole
        if how == "interrupt":  # cleaned up at once
            assert _leftovers(plan) == [], (step, _leftovers(plan))
        assert _forked(lambda: render(plan)) == 0  # a plain re-run ...
        _assert_whole(plan)
        assert _is_recorded(plan)  # ... repairs whatever was left
        assert _leftovers(plan) == [], (step, _leftovers(plan))
        if status == 0:  # no step left to stop at
            break
        step += 1
    assert step > 8, f"only {step} steps: the test no longer sees the commits"


@pytest.mark.parametrize("how", ["kill", "interrupt"])
def test_a_narrated_render_stopped_at_any_step_leaves_whole_files_and_a_rerun_repairs(
    tmp_path, how
):
    _in_fresh_process(_stopped_at_every_commit, str(tmp_path), how)


# -- what a re-run reuses ----------------------------------------------------------------


def _rendered_chapters(log: list[str]) -> list[str]:
    return [line for line in log if "rendered in" in line]


def _render_logged(plan: Plan, capfd) -> list[str]:
    capfd.readouterr()
    render(plan)
    return capfd.readouterr().err.splitlines()


@pytest.fixture(scope="module")
def two_chapters(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("reuse")
    plan = _two_chapter_plan(tmp, "Spoken", jobs=1)
    render(plan)
    return plan


@pytest.mark.parametrize(
    "damage",
    ["truncated chapter", "same-size damage", "clip removed", "subtitles removed", "key garbled"],
)
def test_a_rerun_renders_again_a_chapter_whose_files_are_damaged_or_missing(
    two_chapters, damage, capfd
):
    plan = two_chapters
    chapter = plan.chapters[1]
    video = plan.chapter_file(chapter)
    if damage == "truncated chapter":
        os.truncate(video, video.stat().st_size // 2)
    elif damage == "same-size damage":
        data = bytearray(video.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 64] = bytes(64)
        video.write_bytes(bytes(data))
    elif damage == "clip removed":
        next(plan.sections_dir(chapter).glob("*.mp4")).unlink()
    elif damage == "subtitles removed":
        plan.chapter_file(chapter, ".srt").unlink()
    else:
        plan.key_file(chapter).write_text("{not json")
    log = _render_logged(plan, capfd)
    assert [line for line in log if "chapter  2" in line and "rendered in" in line], log
    assert not [line for line in log if "chapter  1" in line and "rendered in" in line], log
    _assert_whole(plan)
    assert _is_recorded(plan)


@pytest.mark.parametrize("lost", ["video", "subtitles", "sheet", "trace"])
def test_a_rerun_makes_again_what_lies_beside_the_video(two_chapters, lost, capfd):
    plan = two_chapters
    path = {
        "video": plan.video_path,
        "subtitles": plan.subtitles_path,
        "sheet": plan.sheet_path,
        "trace": plan.trace_path,
    }[lost]
    path.unlink()
    log = _render_logged(plan, capfd)
    assert not _rendered_chapters(log), log  # the chapters are whole: reused
    assert path.exists() and "nothing changed" not in "\n".join(log)
    _assert_whole(plan)
    assert _is_recorded(plan)
    assert "nothing changed" in "\n".join(_render_logged(plan, capfd))


def test_each_video_of_a_folder_has_its_own_contact_sheet(two_chapters):
    plan = two_chapters
    first = dataclasses.replace(plan, chapters=plan.chapters[:1])
    render(first)
    for video, tiles in ((first, 1), (plan, 2)):
        with Image.open(video.sheet_path) as sheet:  # tiles of 854 pixels, side by side
            assert sheet.width == 854 * tiles, video.video_path.name
        assert video.subtitles_path.read_text().count("-->") == 2 * tiles
    assert first.sheet_path != plan.sheet_path


def test_the_lecture_renders_again_a_chapter_whose_clips_were_removed(two_chapters):
    plan = two_chapters
    shutil.rmtree(plan.sections_dir(plan.chapters[0]))
    index = build_lecture(plan)
    clips = sorted((index.parent / "clips").glob("*.mp4"))
    assert len(clips) == sum(
        len(json.loads(plan.section_index(ch).read_text())) for ch in plan.chapters
    )
    _assert_whole(plan)


# -- two renders of one folder --------------------------------------------------------------


def _two_at_once(tmp: str) -> None:
    plan = dataclasses.replace(_two_chapter_plan(Path(tmp), "Spoken", jobs=1), force=True)
    script = textwrap.dedent(f"""
        import dataclasses, os, sys, time; sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        from test_render_pipeline import _two_chapter_plan
        from video.build import render
        plan = _two_chapter_plan(Path({tmp!r}), "Spoken", jobs=1)
        # both start rendering together, once both have checked their example
        Path({tmp!r}, f"ready-{{os.getpid()}}").touch()
        while len(list(Path({tmp!r}).glob("ready-*"))) < 2:
            time.sleep(0.02)
        render(dataclasses.replace(plan, force=True))
    """)
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", script], cwd=ROOT, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    errors = [run.communicate(timeout=600)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert sum("waiting for another render" in e for e in errors) == 1, errors
    for chapter in plan.chapters:  # no run's clips inside the other's
        assert not (plan.sections_dir(chapter) / "sections").exists()
        assert {p.name for p in plan.sections_dir(chapter).iterdir() if p.is_dir()} == set()
    _assert_whole(plan)
    assert _is_recorded(plan) and _leftovers(plan) == []


def test_two_renders_of_one_folder_take_turns(tmp_path):
    _two_at_once(str(tmp_path))


# -- paths --------------------------------------------------------------------------------


def test_an_output_folder_with_quotes_and_other_odd_characters_works(tmp_path):
    odd = tmp_path / 'it\'s a "test" \\ 50% [x] é 👋'
    plan = _two_chapter_plan(tmp_path, "Spoken", jobs=1)
    plan = dataclasses.replace(plan, out_dir=odd / "low")
    render(plan)
    _assert_whole(plan)
    first, _ = _streams(plan.chapter_file(plan.chapters[0]))
    picture, _ = _streams(plan.video_path)
    assert picture > first + 1.0  # both chapters joined


def _cli(*args: str | bytes, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "video", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=600,
        env={**os.environ, **env},
    )


def _one_line(result: subprocess.CompletedProcess, status: int = 2) -> str:
    """The one line of the error (what a render printed of its progress before it aside)."""
    err = result.stderr.decode("utf-8", "replace").strip()
    assert result.returncode == status, err
    lines = [line for line in err.splitlines() if not line.startswith(("rendering ", "["))]
    assert "Traceback" not in err and len(lines) == 1, err
    assert lines[0].startswith("render.sh: error: ")
    return lines[0]


def test_an_output_path_that_is_not_utf8_or_has_a_line_break_is_refused(tmp_path):
    for folder, message in (
        (os.fsencode(tmp_path) + b"/caf\xe9", "not valid UTF-8"),
        (os.fsencode(tmp_path) + b"/two\nlines", "line break"),
    ):
        err = _one_line(_cli("--quality", "low", "--chapters", "12", "--output", folder))
        assert message in err
    assert list(tmp_path.iterdir()) == []


# -- a full disk --------------------------------------------------------------------------------


@contextlib.contextmanager
def _mounted(folder: Path, size: str) -> Iterator[Path]:
    """A file system of its own (tmpfs of ``size``) at ``folder``, for the block; the
    suite runs as root, as CI does."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root (CI runs as root)")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], check=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=True)


@pytest.fixture
def small_disk(tmp_path):
    """A file system of 600 KiB."""
    with _mounted(tmp_path / "disk", "600k") as disk:
        yield disk


def test_chapters_on_another_file_system_are_moved_whole(tmp_path):
    plan = _two_chapter_plan(tmp_path, "Spoken", jobs=1)
    with _mounted(plan.chapter_dir, "64m"):
        render(plan)
        _assert_whole(plan)
        render(dataclasses.replace(plan, force=True))  # replaces chapters, clips and all
        _assert_whole(plan)
        assert _is_recorded(plan) and _leftovers(plan) == []


def test_a_full_disk_is_one_line_and_leaves_nothing_half_written(small_disk):
    result = _cli("--quality", "low", "--chapters", "12", "--no-voice", "--output", str(small_disk))
    err = _one_line(result, status=1)
    assert "no space left" in err
    leftovers = [p for p in small_disk.rglob("*") if p.is_file()]
    assert leftovers == [], leftovers


# -- input that is refused in one line ------------------------------------------------------------


@pytest.mark.parametrize(
    "args, message",
    [
        (["--example", ""], "the example is empty"),
        (["--example", "", "--chapters", "3"], "the example is empty"),
    ],
)
def test_render_refuses_in_one_line(args, message, tmp_path):
    err = _one_line(_cli(*args, "--output", str(tmp_path)))
    assert message in err


@pytest.mark.parametrize(
    "content, message",
    [
        ("q = " + "[" * 50_000 + "]" * 50_000, "nested too deeply"),
        ("q = " + "9" * 5_000, "cannot be read"),
    ],
)
@pytest.mark.parametrize("command", ["render", "lecture", "trace"])
def test_an_unreadable_example_file_is_one_line_naming_it(tmp_path, content, message, command):
    example = tmp_path / "odd.toml"
    example.write_text(f'title = "x"\nsentence = "a cat"\n{content}\n')
    output = [] if command == "trace" else ["--output", str(tmp_path)]
    err = _one_line(_cli(command, "--example", str(example), *output))
    assert str(example) in err and message in err


def test_a_sentence_with_tabs_and_line_breaks_is_the_sentence_on_one_line():
    from video.cli import plan_from_args, render_parser

    spread = plan_from_args(render_parser().parse_args(["--sentence", "a\tcat\n sat  "]))
    plain = plan_from_args(render_parser().parse_args(["--sentence", "a cat sat"]))
    assert spread.out_dir == plain.out_dir
    assert spread.source.example.title == "a cat sat"
    assert spread.source.identity() == plain.source.identity()


@pytest.mark.parametrize("kind", ["file", "read-only folder"])
def test_a_speech_cache_that_cannot_be_used_is_one_line_before_rendering(tmp_path, kind):
    cache = tmp_path / "cache"
    if kind == "file":
        cache.write_text("not a folder")
    else:
        cache.mkdir(mode=0o555)
        if os.geteuid() == 0:  # root writes anywhere: a read-only mount would do
            cache = Path("/proc/speech-cache")
    err = _one_line(
        _cli(
            "--quality",
            "low",
            "--chapters",
            "12",
            "--voice",
            "--output",
            str(tmp_path / "out"),
            ATTENTION_SPEECH_CACHE=str(cache),
        )
    )
    assert "speech cache" in err
    assert not (tmp_path / "out").exists()
