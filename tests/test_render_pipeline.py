"""The render pipeline end to end on a tiny chapter: outputs, reuse, determinism,
atomic replacement when a render fails or is interrupted."""

from __future__ import annotations

import configparser
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np
import pytest

from attention_math import example_from_sentence
from scenes.order import Chapter
from scenes.settings import Source, resolve_source
from video.build import render
from video.encoder import encoder_config
from video.plan import Plan
from voice.media import video_duration

SCENE = """
from manim import Square, Create, FadeIn, Rotate
from scenes.chapter import ChapterScene
from scenes.components.labels import literal, number


class TinyChapter(ChapterScene):
    number = 1
    title = "Tiny"

    def construct(self):
        head = self.trace.head("adjective-noun")
        self.beat("first", f"First token: {self.trace.words[0]}")
        self.play(FadeIn(literal(self.trace.words[0])), run_time=0.5)
        self.beat("second", "A real number")
        self.play(Create(Square()), FadeIn(number(head.pattern[-1, 0], 3)), run_time=0.5)
        self.wait(WAIT)


class Titled(TinyChapter):
    def construct(self):
        self.title_card()
        super().construct()


class Headed(TinyChapter):
    def construct(self):
        self.title_card()
        self.beat("first", f"First token: {self.trace.words[0]}")
        self.heading_shown(f"The first word, {self.trace.words[0]}")
        self.play(FadeIn(literal(self.trace.words[0])), run_time=0.5)
        self.beat("second", "A real number")
        self.play(Create(Square()), run_time=0.5)


class Broken(ChapterScene):
    def construct(self):
        raise ValueError("this chapter is broken")


class Endless(TinyChapter):
    def construct(self):
        # an hour of motion, a second at a time (a wait would be one long frame,
        # encoded at once)
        square = Square()
        for _ in range(3600):
            self.play(Rotate(square, 0.1), run_time=1)
"""


def _chapter_dir(tmp_path: Path, wait: float) -> Path:
    folder = tmp_path / "fake_scenes"
    folder.mkdir(exist_ok=True)
    (folder / "tiny_scene.py").write_text(SCENE.replace("WAIT", str(wait)))
    return folder


def _plan(
    tmp_path: Path,
    out: str,
    scene: str = "TinyChapter",
    force=False,
    wait=0.3,
    sentence: str = "a fluffy blue creature",
) -> Plan:
    source = resolve_source(sentence)
    chapter = Chapter(1, "tiny_scene", scene, "Tiny", directory=_chapter_dir(tmp_path, wait))
    return Plan(source, "low", (chapter,), tmp_path / out, jobs=1, force=force)


def _manim_cfg_encoder_options() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(Path(__file__).parent.parent / "manim.cfg")
    options = dict(parser["video_encoder.options"])
    assert options["preset"] and options["tune"]  # what the project sets
    return options


# what a 480p15 chapter is encoded with (video/encoder.py: QUALITY_OPTIONS)
LOW = {**_manim_cfg_encoder_options(), "preset": "ultrafast", "crf": "-1", "qp": "17"}


def _frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgb24") for f in c.decode(video=0)]


@pytest.fixture(params=["fork", "spawn"])
def start(request) -> str:
    """Render processes forked from the pipeline (what render.sh does) or started as
    ``python -m video.worker`` (where forking is not safe): both must behave alike."""
    return request.param


def _use(start: str) -> None:
    """Make this process's pipeline start its render processes the ``start`` way."""
    import video.processes as processes

    if start == "spawn":
        processes.can_fork = lambda: False
    else:
        assert processes.can_fork(), "this process runs threads: nothing would be forked"


def _in_fresh_process(check: Callable[..., None], *args: str, **env: str) -> None:
    """Run ``check(*args)``, a function of a test module of this folder, in a new Python
    process, with the variables ``env`` added to its environment.

    The test process itself cannot fork render processes once manim has rendered in
    it (tqdm's monitor and libswscale's slice threads run by then; see can_fork)."""
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import {check.__module__} as t; t.{check.__name__}(*{args!r})"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **env},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pipeline")
    plan = _plan(tmp, "a")
    return tmp, plan, render(plan)


def test_outputs_are_written_beside_the_video(rendered):
    _, plan, video = rendered
    assert video == plan.video_path and video.exists()
    assert video.with_suffix(".srt").read_text().count("-->") == 2
    assert "First token: a" in video.with_suffix(".srt").read_text()
    from PIL import Image

    with Image.open(plan.sheet_path) as sheet:  # one chapter: one tile
        assert sheet.width == 854 and sheet.height > 480  # the frame, then its caption
    assert (
        '"tokens": ["a", "fluffy", "blue", "creature"]' in (plan.out_dir / "trace.json").read_text()
    )
    # each beat lasts while it is drawn, and at least until its subtitle is read (3 words:
    # 1 s at 3 words a second) and a pause is over: both beats here are held that long
    from scenes.chapter import PAUSE, reading_seconds

    held = reading_seconds("First token: a") + PAUSE + reading_seconds("A real number") + PAUSE
    assert held > 0.5 + 0.5 + 0.3  # longer than the animations themselves (wait=0.3)
    assert video_duration(video) == pytest.approx(held, abs=0.15)  # frames may last (waits)


def test_unchanged_chapter_is_reused(rendered):
    _, plan, video = rendered
    chapter_file = plan.chapter_dir / "tiny_scene.mp4"
    before = chapter_file.stat().st_mtime_ns
    render(plan)
    assert chapter_file.stat().st_mtime_ns == before


def test_a_chapter_rendered_again_is_stitched_again(rendered):
    _, plan, video = rendered
    (plan.chapter_dir / "tiny_scene.mp4").unlink()  # lost, its key kept
    before = video.stat().st_mtime_ns
    render(plan)
    assert (plan.chapter_dir / "tiny_scene.mp4").exists()
    assert video.stat().st_mtime_ns != before


def test_same_input_gives_identical_frames(rendered):
    tmp, _, video = rendered
    again = render(_plan(tmp, "b"))
    first, second = _frames(video), _frames(again)
    assert len(first) == len(second)
    assert all(np.array_equal(x, y) for x, y in zip(first, second, strict=True))


def test_failed_render_keeps_the_previous_video(rendered):
    tmp, plan, video = rendered
    before = video.read_bytes()
    with pytest.raises(RuntimeError, match="this chapter is broken"):
        render(_plan(tmp, "a", scene="Broken", force=True))
    assert video.read_bytes() == before
    assert not [p for p in plan.out_dir.iterdir() if p.name.startswith(".tiny_scene-")]


def test_interrupted_render_keeps_the_previous_video(rendered, start):
    tmp, plan, video = rendered
    before = video.read_bytes()
    script = textwrap.dedent(f"""
        import signal, sys; sys.path.insert(0, {str(Path(__file__).parent)!r})
        # Ctrl-C as in a terminal, even when the suite runs in a background job
        # (which starts its children with SIGINT ignored)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from pathlib import Path
        from test_render_pipeline import _plan
        from test_render_pipeline import _use
        from video.build import render
        _use({start!r})
        render(_plan(Path({str(tmp)!r}), "a", scene="Endless", force=True))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], cwd=Path(__file__).parent.parent)
    # An hour of video cannot finish here: wait until the chapter's render has started
    # (its temporary folder exists), then interrupt it in the middle.
    deadline = time.monotonic() + 60
    while not [p for p in plan.out_dir.iterdir() if p.name.startswith(".tiny_scene-")]:
        assert proc.poll() is None and time.monotonic() < deadline, "the render did not start"
        time.sleep(0.2)
    time.sleep(3)
    assert proc.poll() is None, "the render should still be running"
    started = time.monotonic()
    proc.send_signal(signal.SIGINT)
    proc.wait(timeout=60)
    assert time.monotonic() - started < 15, "the render processes should stop at once"
    assert video.read_bytes() == before  # the hour-long render would have differed
    assert not [p for p in plan.out_dir.iterdir() if p.name.startswith(".tiny_scene-")]


def test_parallel_renders_get_one_encoder_thread_and_keep_manim_cfg(tmp_path):
    assert encoder_config(tmp_path, "high", 1) == []  # alone: x264 may use every core
    args = encoder_config(tmp_path, "high", 2)
    scene = tmp_path / "show.py"
    scene.write_text(
        "from manim import Scene, config\n"
        "class Show(Scene):\n"
        "    def construct(self):\n"
        "        print('OPTIONS', dict(sorted(config.video_encoder_options.items())))\n"
    )
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "render",
            "-ql",
            "--media_dir",
            str(tmp_path),
            "--dry_run",
            *args,
            str(scene),
            "Show",
        ],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    expected = dict(sorted({**_manim_cfg_encoder_options(), "threads": "1"}.items()))
    assert f"OPTIONS {expected}" in out
    # the 480p15 preview is encoded with x264's fastest preset, everything else kept
    low = Path(encoder_config(tmp_path, "low", 1)[1]).read_text()
    assert "preset = ultrafast" in low and "qp = 17" in low and "threads" not in low
    assert f"tune = {_manim_cfg_encoder_options()['tune']}" in low


OTHER_SCENES = """
import json, os
from pathlib import Path
from manim import BLUE, Circle, FadeIn, config
from scenes.chapter import ChapterScene


class Leaky(ChapterScene):
    '''Changes manim's settings as a careless scene might; must not reach the next chapter.'''

    def construct(self):
        options = dict(sorted(config.video_encoder_options.items()))
        (Path(config.media_dir).resolve().parent / "options.json").write_text(json.dumps(options))
        config.background_color = BLUE
        config.frame_rate = 5
        self.play(FadeIn(Circle()), run_time=0.5)


class Dies(ChapterScene):
    def construct(self):
        os._exit(3)


class Spoken(ChapterScene):
    '''Two beats, each with its caption, as the tiny chapter has.'''

    def construct(self):
        self.beat("one", "One circle.")
        self.play(FadeIn(Circle()), run_time=0.5)
        self.beat("two", "It stays.")
        self.wait(0.3)


class Reports(ChapterScene):
    '''Notes whether the speed-ups are on while it renders.'''

    def construct(self):
        import render_speed

        camera = type(self.renderer.camera).__name__
        seen = {"installed": render_speed.installed(), "camera": camera}
        (Path(config.media_dir).resolve().parent / "speed-ups.json").write_text(json.dumps(seen))
        self.play(FadeIn(Circle()), run_time=0.5)


class Records(ChapterScene):
    '''Notes the example it was handed, and how much the chapter caches held when it
    started (what an earlier chapter of the same process left in them).'''

    def construct(self):
        from attention_math.environment import CHOOSING_THE_EXAMPLE
        from scenes import settings

        held = sum(cache.cache_info().currsize for cache in settings.caches)
        seen = {
            "words": list(self.trace.words),
            "seed": self.trace.seed,
            "supporting_seed": self.supporting("tower")[0].seed,
            "cached_at_start": held,
            "environment": [v.name for v in CHOOSING_THE_EXAMPLE if v.name in os.environ],
        }
        (Path(config.media_dir).resolve().parent / "example.json").write_text(json.dumps(seen))
        self.play(FadeIn(Circle()), run_time=0.5)
"""


def _two_chapter_plan(tmp_path: Path, first: str, jobs: int, seed: int = 2024) -> Plan:
    """Chapter 1 = ``first`` (from OTHER_SCENES), chapter 2 = the tiny chapter."""
    folder = _chapter_dir(tmp_path, 0.3)
    (folder / "other_scenes.py").write_text(OTHER_SCENES)
    sentence = "a fluffy blue creature"
    source = resolve_source(sentence, seed=seed)
    chapters = (
        Chapter(1, "other_scenes", first, "Other", directory=folder),
        Chapter(2, "tiny_scene", "TinyChapter", "Tiny", directory=folder),
    )
    return Plan(source, "low", chapters, tmp_path / f"out-{first}-{jobs}", jobs=jobs)


def _plain_manim_env(source: Source) -> dict[str, str]:
    """The environment in which a plain manim call shows ``source``'s example."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ATTENTION_")}
    if source.sentence is not None:
        env["ATTENTION_SENTENCE"] = source.sentence
    else:
        env["ATTENTION_EXAMPLE"] = str(source.example_path)
    return {**env, "ATTENTION_SEED": str(source.seed), "OPENBLAS_NUM_THREADS": "1"}


# What the environment says in the tests below: never what the plan renders.
OTHER_EXAMPLE = {"ATTENTION_SENTENCE": "the tiny robot slept", "ATTENTION_SEED": "7"}
HANDED = {
    "words": ["a", "fluffy", "blue", "creature"],
    "seed": 11,
    "supporting_seed": 11,
    "cached_at_start": 0,
}


def test_a_render_process_shows_the_example_of_its_job_not_of_its_environment(tmp_path, start):
    _in_fresh_process(_shows_the_example_of_its_job, str(tmp_path), start)


def _shows_the_example_of_its_job(tmp: str, start: str) -> None:
    # A render process whose environment names another example and seed renders two
    # chapters: each is handed the plan's example (in its job) and starts with the
    # chapter caches empty (the first chapter filled them: the process cleared them).
    from video.build import chapter_job
    from video.processes import RenderProcesses, render_environment

    _use(start)
    tmp_path = Path(tmp)
    plan = _two_chapter_plan(tmp_path, "Records", jobs=1, seed=11)
    env = {**render_environment(), **OTHER_EXAMPLE}
    (tmp_path / "processes").mkdir()
    with RenderProcesses(env, tmp_path / "processes", 1) as processes:
        for name in ("one", "two"):
            media = tmp_path / name / "media"
            media.mkdir(parents=True)
            result = processes.processes[0].render(chapter_job(plan, plan.chapters[0], media, 1))
            assert result["ok"], result
            seen = json.loads((media.parent / "example.json").read_text())
            assert {k: seen[k] for k in HANDED} == HANDED, seen


def test_the_pipeline_hands_its_example_over_whatever_the_environment_says(tmp_path, monkeypatch):
    for name, value in OTHER_EXAMPLE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ATTENTION_EXAMPLE", "tiny-robot")  # both set: an error if read
    plan = _two_chapter_plan(tmp_path, "Records", jobs=1, seed=11)
    render(plan)
    seen = json.loads((plan.out_dir / "example.json").read_text())
    assert {k: seen[k] for k in HANDED} == HANDED
    assert seen["environment"] == []  # the render processes never see those variables


def test_a_worker_renders_chapter_after_chapter_as_manim_does(tmp_path, start):
    _in_fresh_process(_renders_as_manim_does, str(tmp_path), start)


def _renders_as_manim_does(tmp: str, start: str) -> None:
    # One worker renders the careless chapter, then the tiny one: the tiny chapter must
    # come out exactly as a fresh `manim render` process draws it.
    tmp_path = Path(tmp)
    _use(start)
    plan = _two_chapter_plan(tmp_path, "Leaky", jobs=1)
    # a forked process starts from manim's settings as manim.cfg has them, whatever the
    # pipeline's own process did with its settings
    from manim import config

    config.background_color = "#FF0000"
    config.video_encoder_options = {"preset": "veryslow"}
    render(plan)
    # manim.cfg's options with the preview's preset, and x264's own thread count when
    # the render runs alone
    assert json.loads((plan.out_dir / "options.json").read_text()) == LOW
    media = tmp_path / "cli"
    subprocess.run(
        [sys.executable, "-m", "manim", "render", "-ql", "--media_dir", str(media),
         "--disable_caching", "--progress_bar", "none", "-v", "WARNING",
         *encoder_config(tmp_path, "low", 1), str(plan.chapters[1].file), "TinyChapter"],
        cwd=Path(__file__).parent.parent, env=_plain_manim_env(plan.source), check=True,
        timeout=300,
        capture_output=True,
    )  # fmt: skip
    expected = _frames(media / "videos" / "tiny_scene" / "480p15" / "TinyChapter.mp4")
    got = _frames(plan.chapter_dir / "tiny_scene.mp4")
    assert len(got) == len(expected) > 15
    assert all(np.array_equal(x, y) for x, y in zip(got, expected, strict=True))


def test_parallel_workers_render_every_chapter_with_one_encoder_thread(tmp_path):
    plan = _two_chapter_plan(tmp_path, "Leaky", jobs=2)
    render(plan)
    options = json.loads((plan.out_dir / "options.json").read_text())
    assert options == {**LOW, "threads": "1"}
    for module in ("other_scenes", "tiny_scene"):
        assert len(_frames(plan.chapter_dir / f"{module}.mp4")) >= 3
    # Only one chapter changed: it renders alone, and x264 may use every core again.
    (plan.chapter_dir / ".other_scenes.key").unlink()
    render(plan)
    assert json.loads((plan.out_dir / "options.json").read_text()) == LOW


def test_render_processes_switch_the_speed_ups_on_unless_told_not_to(tmp_path, monkeypatch):
    plan = _two_chapter_plan(tmp_path, "Reports", jobs=1)
    seen = plan.out_dir / "speed-ups.json"
    render(plan)
    assert json.loads(seen.read_text()) == {"installed": True, "camera": "PathCachingCamera"}
    tiny, fast = plan.chapter_dir / "tiny_scene.mp4", tmp_path / "fast.mp4"
    fast.write_bytes(tiny.read_bytes())
    monkeypatch.setenv("ATTENTION_NO_SPEEDUPS", "1")
    render(plan)  # not reused: rendered by other code
    assert json.loads(seen.read_text()) == {"installed": False, "camera": "Camera"}
    # ManimCE's own encoding: a held picture is repeated, frame after frame
    assert len(_frames(tiny)) > len(_frames(fast))
    assert video_duration(tiny) == video_duration(fast)


def test_a_render_process_that_dies_is_a_clear_error(tmp_path, start):
    _in_fresh_process(_dies_is_a_clear_error, str(tmp_path), start)


def _dies_is_a_clear_error(tmp: str, start: str) -> None:
    _use(start)
    plan = _two_chapter_plan(Path(tmp), "Dies", jobs=1)
    with pytest.raises(RuntimeError, match=r"chapter 1 \(Dies\) failed:\n.*exit code 3"):
        render(plan)
    assert not list(plan.out_dir.glob(".*-*"))  # no temporary folders left behind


def test_costliest_chapters_start_first(tmp_path, monkeypatch):
    # With chapter order, the longest chapter could start last and leave one process
    # working alone at the end; costliest first, the processes finish together.
    import video.build as build
    import video.processes as processes

    started = []

    class NoProcess:
        pipe_ends: set[int] = set()
        closed = False

        def __init__(self, *args):
            pass

        def close(self):
            pass

    def fake_render(plan, chapter, key, process, parallel=1):
        started.append(chapter.number)
        return {"ok": True, "seconds": 0.0}

    monkeypatch.setattr(processes, "RenderProcess", NoProcess)
    monkeypatch.setattr(build, "render_chapter", fake_render)
    plan = _plan(tmp_path, "order")
    plan.out_dir.mkdir()
    chapters = [Chapter(n, f"m{n}", "S", "T", cost=c) for n, c in ((1, 3), (2, 9), (3, 1), (4, 9))]
    build.render_chapters(plan, [(ch, "key") for ch in chapters], lambda ch, result: None)
    assert started == [2, 4, 1, 3]


def test_a_forked_process_ends_when_its_jobs_end(tmp_path, start):
    _in_fresh_process(_ends_when_its_jobs_end, str(tmp_path), start)


def _ends_when_its_jobs_end(tmp: str, start: str) -> None:
    # Two render processes: the second is forked while the pipeline holds the first's
    # pipes; it must not keep them open, or the first would never see its jobs end.
    from video.processes import RenderProcesses, render_environment

    _use(start)
    with RenderProcesses(render_environment(), Path(tmp), 2) as processes:
        first, second = processes.processes
        assert bool(processes.pipe_ends) == (start == "fork")
        first.proc.stdin.close()
        assert first.proc.wait(timeout=60) == 0
    assert second.proc.wait(timeout=1) == 0
    assert not processes.pipe_ends  # nothing left for later processes to close
    assert not list(Path(tmp).iterdir())  # their scratch folders removed


def test_forking_needs_a_process_with_a_single_thread():
    script = textwrap.dedent("""
        import threading
        from video.processes import can_fork
        print(can_fork())
        threading.Thread(target=threading.Event().wait, daemon=True).start()
        print(can_fork())
    """)
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout.split()
    assert out == ["True", "False"]


# --- stopping a render: SIGTERM, SIGKILL, what a failed render leaves ----------------

SENTENCE = "a fluffy blue creature"

# The command line (video/cli.py) rendering the endless chapter into OUT.
CLI_SCRIPT = """
import sys; sys.path.insert(0, {tests!r})
from pathlib import Path
import video.cli as cli
from test_render_pipeline import _plan, _use
_use({start!r})
chapter = _plan(Path({tmp!r}), "unused", scene="Endless").chapters[0]
cli.select_chapters = lambda spec: (chapter,)
sys.exit(cli.main(["--sentence", {sentence!r}, "--seed", "2024", "--quality", "low",
                   "--jobs", "1", "--output", {out!r}]))
"""


def _start_cli_render(tmp_path: Path, out: Path, start: str, **popen) -> subprocess.Popen:
    script = CLI_SCRIPT.format(
        tests=str(Path(__file__).parent), start=start, tmp=str(tmp_path), out=str(out),
        sentence=SENTENCE,
    )  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        **popen,
    )


def _cli_out_dir(out: Path) -> Path:
    return out / example_from_sentence(SENTENCE).name / "low"


def _wait_until_rendering(proc: subprocess.Popen, out_dir: Path) -> None:
    """Until manim renders the chapter: its media folders exist in the chapter's
    temporary folder."""
    deadline = time.monotonic() + 120
    while not (out_dir.is_dir() and list(out_dir.glob(".tiny_scene-*/videos"))):
        assert proc.poll() is None, "the render stopped before it started"
        assert time.monotonic() < deadline, "the render did not start"
        time.sleep(0.1)


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name; None if there is no such
    process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # the name, in parentheses, may hold spaces


def _children(pid: int) -> set[int]:
    return {
        int(entry)
        for entry in os.listdir("/proc")
        if entry.isdigit() and (fields := _stat(int(entry))) and int(fields[1]) == pid
    }


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # a zombie has ended


def test_sigterm_stops_the_render_like_ctrl_c(tmp_path, start):
    # What timeout, CI and process managers send. The output folder holds a previous
    # video and nothing else: afterwards it must hold exactly that again.
    out = tmp_path / "out"
    out_dir = _cli_out_dir(out)
    out_dir.mkdir(parents=True)
    previous = out_dir / f"{example_from_sentence(SENTENCE).name}-ch1.mp4"
    previous.write_bytes(b"the previous video")
    proc = _start_cli_render(tmp_path, out, start, stderr=subprocess.PIPE, text=True)
    try:
        _wait_until_rendering(proc, out_dir)
        workers = _children(proc.pid)
        assert workers, "no render process found"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode in (130, 143), err
    lines = err.strip().splitlines()
    assert lines[0].startswith("rendering 1 chapter(s)")
    assert len(lines) == 2 and lines[1].startswith("render.sh: interrupted"), err
    assert not [pid for pid in workers if _running(pid)]
    # no temporary folders, no empty "chapters" folder; the previous video as it was
    assert [p.name for p in out_dir.iterdir()] == [previous.name]
    assert previous.read_bytes() == b"the previous video"


def test_sigkill_takes_the_render_processes_along_and_the_next_run_cleans_up(tmp_path, start):
    out = tmp_path / "out"
    out_dir = _cli_out_dir(out)
    proc = _start_cli_render(tmp_path, out, start, stderr=subprocess.DEVNULL)
    try:
        _wait_until_rendering(proc, out_dir)
        workers = _children(proc.pid)
        assert workers, "no render process found"
    finally:
        proc.kill()
        proc.wait()
    deadline = time.monotonic() + 10  # the kernel kills them at once; allow a slow machine
    while [pid for pid in workers if _running(pid)]:
        assert time.monotonic() < deadline, "render processes outlived the pipeline"
        time.sleep(0.05)
    stale = _hidden_folders(out_dir)
    assert [name.split("-")[0] for name in stale] == [".run", ".tiny_scene", ".worker"]
    # The next render of the folder removes them, but not the folder of a render that
    # runs beside it (here one of this process, holding its lock as a render does).
    from video.folders import temp_folder

    with temp_folder(out_dir, ".worker-") as beside:
        render(_plan(tmp_path, str(out_dir.relative_to(tmp_path))))
        assert _hidden_folders(out_dir) == [beside.name]
    assert _hidden_folders(out_dir) == []
    assert (out_dir / f"{example_from_sentence(SENTENCE).name}-ch1.mp4").exists()


def _hidden_folders(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.is_dir())


def test_folders_without_a_lock_are_removed_only_when_old(tmp_path):
    # Left by a render of an older version (no lock file in them): removed once old;
    # other hidden folders are never touched.
    from video.folders import STALE_AFTER, remove_stale_folders

    old, new, other = (
        tmp_path / ".ch03_attention_pattern-x1",
        tmp_path / ".worker-x2",
        tmp_path / ".git",
    )
    for folder in (old, new, other):
        folder.mkdir()
        (folder / "file").write_text("x")
    long_ago = time.time() - 2 * STALE_AFTER
    for folder in (old, other):
        os.utime(folder, (long_ago, long_ago))
    assert remove_stale_folders(tmp_path) == [old]
    assert not old.exists() and new.is_dir() and other.is_dir()


def test_a_failed_first_render_leaves_no_empty_folders(tmp_path):
    existing = tmp_path / "existing"
    existing.mkdir()
    for out in ("new/a/low", "existing/a/low"):
        with pytest.raises(RuntimeError, match="this chapter is broken"):
            render(_plan(tmp_path, out, scene="Broken"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing", "fake_scenes"]
    assert list(existing.iterdir()) == []  # existed before: stays, empty as it was


def test_checking_the_output_folder_leaves_nothing_behind(tmp_path):
    from attention_math import InputError
    from video.folders import check_output_dir

    check_output_dir(tmp_path / "a" / "b" / "c")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="cannot write to the output folder"):
        check_output_dir(tmp_path / "file" / "b")
