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
from video.build import Plan, Source, encoder_config, render
from video.stitch import video_duration

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


def _plan(tmp_path: Path, out: str, scene: str = "TinyChapter", force=False, wait=0.3) -> Plan:
    sentence = "a fluffy blue creature"
    source = Source(example_from_sentence(sentence), sentence, None, 2024)
    chapter = Chapter(1, "tiny_scene", scene, "Tiny", directory=_chapter_dir(tmp_path, wait))
    return Plan(source, "low", (chapter,), tmp_path / out, jobs=1, force=force)


def _manim_cfg_encoder_options() -> dict[str, str]:
    parser = configparser.ConfigParser()
    parser.read(Path(__file__).parent.parent / "manim.cfg")
    options = dict(parser["video_encoder.options"])
    assert options["preset"] and options["tune"]  # what the project sets
    return options


# what a 480p15 chapter is encoded with (video/build.py: QUALITY_OPTIONS)
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
    import video.build as build

    if start == "spawn":
        build.can_fork = lambda: False
    else:
        assert build.can_fork(), "this process runs threads: nothing would be forked"


def _in_fresh_process(check: Callable[..., None], *args: str) -> None:
    """Run ``check(*args)``, a function of this module, in a new Python process.

    The test process itself cannot fork render processes once manim has rendered in
    it (tqdm's monitor and libswscale's slice threads run by then; see can_fork)."""
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); "
        f"import test_render_pipeline as t; t.{check.__name__}(*{args!r})"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).parent.parent,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=600,
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

    with Image.open(plan.out_dir / "contact-sheet.png") as sheet:  # one chapter: one tile
        assert sheet.width == 854 and sheet.height > 480  # the frame, then its caption
    assert (
        '"tokens": ["a", "fluffy", "blue", "creature"]' in (plan.out_dir / "trace.json").read_text()
    )
    assert video_duration(video) == pytest.approx(1.3, abs=0.15)  # frames may last (waits)


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
        (Path(config.media_dir).parent / "options.json").write_text(json.dumps(options))
        config.background_color = BLUE
        config.frame_rate = 5
        self.play(FadeIn(Circle()), run_time=0.5)


class Dies(ChapterScene):
    def construct(self):
        os._exit(3)
"""


def _two_chapter_plan(tmp_path: Path, first: str, jobs: int) -> Plan:
    """Chapter 1 = ``first`` (from OTHER_SCENES), chapter 2 = the tiny chapter."""
    folder = _chapter_dir(tmp_path, 0.3)
    (folder / "other_scenes.py").write_text(OTHER_SCENES)
    sentence = "a fluffy blue creature"
    source = Source(example_from_sentence(sentence), sentence, None, 2024)
    chapters = (
        Chapter(1, "other_scenes", first, "Other", directory=folder),
        Chapter(2, "tiny_scene", "TinyChapter", "Tiny", directory=folder),
    )
    return Plan(source, "low", chapters, tmp_path / f"out-{first}-{jobs}", jobs=jobs)


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
        cwd=Path(__file__).parent.parent, env=plan.source.env(), check=True, timeout=300,
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

    started = []

    class NoProcess:
        def __init__(self, *args):
            pass

        def close(self):
            pass

    def fake_render(plan, chapter, key, worker, parallel=1):
        started.append(chapter.number)
        return {"ok": True, "seconds": 0.0}

    monkeypatch.setattr(build, "Worker", NoProcess)
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
    import video.build as build

    _use(start)
    source = Source(example_from_sentence("a fluffy blue creature"), "a", None, 2024)
    fork = build.can_fork()
    first = build.Worker(source.env(), Path(tmp), fork)
    second = build.Worker(source.env(), Path(tmp), fork)
    try:
        first.proc.stdin.close()
        assert first.proc.wait(timeout=60) == 0
    finally:
        first.close()
        second.close()
    assert second.proc.wait(timeout=1) == 0
    assert not build._PIPE_ENDS  # nothing left for later processes to close


def test_forking_needs_a_process_with_a_single_thread():
    script = textwrap.dedent("""
        import threading
        from video.build import can_fork
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
