"""Rendering benchmark: prints the figures of the performance targets (not a test).

    ./render.sh bench                 # everything (takes a while: the 1080p60 video)
    ./render.sh bench --quick         # floor, 480p15 chapters, token scaling only

Figures: the renderer floor (a nearly empty scene), each chapter's frames, wall
time, per-frame cost and its ratio to the floor, the whole video's wall time
(checking the example, rendering, stitching: the command minus Python's start-up)
over its duration with the number of parallel processes, the whole video at 480p15
with the voice (from an empty speech cache, with it filled, another sentence), the floor again (the
machine's speed may drift), the attention-pattern chapter at 8/16/32/64 tokens,
peak memory per render process, and the time of a re-run of an unchanged example.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from attention_math import DEFAULT_EXAMPLE, DEFAULT_SEED  # noqa: E402
from attention_math.environment import CHOOSING_THE_EXAMPLE, SPEECH_CACHE  # noqa: E402
from scenes.order import Chapter, chapter  # noqa: E402
from video.build import render  # noqa: E402
from video.cli import plan_from_args, render_parser  # noqa: E402
from video.encoder import encoder_config  # noqa: E402
from video.plan import QUALITIES  # noqa: E402
from voice.media import video_duration  # noqa: E402
from voice.service import RATE  # noqa: E402

EMPTY_SCENE = """
from manim import RIGHT, Dot, Scene
class Empty(Scene):
    def construct(self):
        dot = Dot()
        self.add(dot)
        # a dot that moves: every frame is drawn and encoded (a held frame would cost
        # next to nothing)
        self.play(dot.animate.shift(0.5 * RIGHT), run_time=SECONDS)
"""
FLOOR_SECONDS = {"low": 40.0, "high": 10.0}  # 600 frames each
WORDS = "the fluffy blue creature roamed the verdant forest and a tiny red robot explored".split()


def run_manim(
    file: Path, scene: str, quality: str, env: dict[str, str], parallel: int = 1
) -> dict[str, float]:
    """Render one scene in a fresh process, with the encoder settings the pipeline uses
    for ``parallel`` renders at once; wall seconds, frames, duration, peak RSS (MB)."""
    flag, folder = QUALITIES[quality]
    with tempfile.TemporaryDirectory() as media:
        cmd = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{flag}",
            "--media_dir",
            media,
            "--disable_caching",
            "--progress_bar",
            "none",
            "-v",
            "WARNING",
            *encoder_config(Path(media), quality, parallel),
            str(file),
            scene,
        ]
        start = time.monotonic()
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(f"{scene} failed: {proc.stderr.read().decode()[-2000:]}")
        movie = Path(media) / "videos" / file.stem / folder / f"{scene}.mp4"
        duration = video_duration(movie)
    fps = int(folder.split("p")[1])
    return {
        "wall": wall,
        "duration": duration,
        "frames": round(duration * fps),
        "rss_mb": usage.ru_maxrss / 1024,
    }


def bench_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    for variable in CHOOSING_THE_EXAMPLE[:2]:  # the sentence and the example; seeds kept
        env.pop(variable.name, None)
    env.update(extra)
    return env


def floor(quality: str) -> float:
    """Per-frame cost of a nearly empty scene: the difference of a long and a short
    render (start-up cancels out), each the faster of two runs."""
    seconds = FLOOR_SECONDS[quality]
    with tempfile.TemporaryDirectory() as tmp:
        costs = []
        for s in (seconds / 10, seconds):
            file = Path(tmp) / "empty_scene.py"
            file.write_text(EMPTY_SCENE.replace("SECONDS", str(s)))
            runs = [run_manim(file, "Empty", quality, bench_env()) for _ in range(2)]
            costs.append(min(runs, key=lambda r: r["wall"]))
    frames = costs[1]["frames"] - costs[0]["frames"]
    return (costs[1]["wall"] - costs[0]["wall"]) / frames


def chapters_table(quality: str, floor_cost: float, jobs: int) -> float:
    """The whole video of the default example rendered as ``./render.sh`` renders it,
    cold (a fresh output folder): the example checked (its traces built), ``jobs``
    render processes taking chapter after chapter (video/processes.py), the chapters
    stitched, subtitles, contact sheet and trace.json written."""
    print(
        f"\nchapters at {quality} ({QUALITIES[quality][1]}), {jobs} render process(es); "
        "a chapter's wall time includes its process's start-up when it is the first"
    )
    print(
        f"{'chapter':<28}{'frames':>7}{'video s':>9}{'wall s':>8}{'ms/frame':>10}"
        f"{'x floor':>9}{'peak MB':>9}"
    )
    fps = int(QUALITIES[quality][1].split("p")[1])
    rows = []

    def done(ch: Chapter, result: dict) -> None:
        duration = video_duration(plan.chapter_file(ch))
        frames = round(duration * fps)
        per_frame = result["seconds"] / max(frames, 1)
        print(
            f"{ch.number:>2}. {ch.title:<24}{frames:>7}{duration:>9.1f}{result['seconds']:>8.1f}"
            f"{1000 * per_frame:>10.1f}{per_frame / floor_cost:>9.1f}{result['peak_mb']:>9.0f}",
            flush=True,
        )
        rows.append({"duration": duration, "rss_mb": result["peak_mb"]})

    with tempfile.TemporaryDirectory() as out:
        argv = ["--example", DEFAULT_EXAMPLE, "--seed", str(DEFAULT_SEED), "--quality", quality]
        argv.append("--no-voice")
        args = render_parser().parse_args([*argv, "--jobs", str(jobs), "--output", out])
        with contextlib.redirect_stderr(io.StringIO()):  # the command's progress lines
            start = time.monotonic()
            plan = plan_from_args(args)  # checks the example, as the command does
            checked = time.monotonic() - start
            render(plan, on_chapter=done)
            wall = time.monotonic() - start
    duration = sum(r["duration"] for r in rows)
    print(
        f"whole video at {quality}: {wall:.0f} s wall (example checked in {checked:.1f} s, "
        f"chapters rendered and stitched) for {duration:.0f} s of video = "
        f"{wall / duration:.2f} x real time with {jobs} processes; "
        f"peak memory per process {max(r['rss_mb'] for r in rows):.0f} MB"
    )
    return wall


ANOTHER_SENTENCE = "my little brother found a shiny green stone near the quiet lake"


def spoken_seconds(folder: Path) -> float:
    """Seconds of speech in the WAV files of ``folder`` (16-bit mono at RATE)."""
    return sum(p.stat().st_size - 44 for p in folder.glob("*.wav")) / 2 / RATE


def narrated_video(quality: str, jobs: int, silent_wall: float) -> None:
    """The whole video with the voice: cold (an empty speech cache: what the narration
    costs), again into a new folder with the speech cached, and another example
    sentence with the default's speech cached (the sentences they share are reused)."""
    with tempfile.TemporaryDirectory() as out, tempfile.TemporaryDirectory() as cache:
        os.environ[SPEECH_CACHE.name] = cache
        try:
            runs = []
            for label, example in (
                ("cold (empty speech cache)", ["--example", DEFAULT_EXAMPLE]),
                ("speech cached", ["--example", DEFAULT_EXAMPLE]),
                (f"another sentence ({ANOTHER_SENTENCE!r})", ["--sentence", ANOTHER_SENTENCE]),
            ):
                before = spoken_seconds(Path(cache) / "sentences")
                argv = [*example, "--quality", quality, "--voice", "--jobs", str(jobs)]
                folder = Path(out) / str(len(runs))
                args = render_parser().parse_args([*argv, "--output", str(folder)])
                with contextlib.redirect_stderr(io.StringIO()):
                    start = time.monotonic()
                    plan = plan_from_args(args)
                    render(plan)
                    wall = time.monotonic() - start
                duration = sum(video_duration(plan.chapter_file(ch)) for ch in plan.chapters)
                new = spoken_seconds(Path(cache) / "sentences") - before
                runs.append((label, wall, duration, new))
        finally:
            del os.environ[SPEECH_CACHE.name]
    print(f"\nwhole video at {quality} with the voice ({silent_wall:.0f} s silent):")
    for label, wall, duration, new in runs:
        print(
            f"  {label}: {wall:.0f} s wall for {duration:.0f} s of video, {new:.0f} s of "
            f"speech synthesised = {wall / silent_wall:.2f} x the silent render"
        )


def token_scaling(quality: str) -> None:
    ch = chapter("AttentionPattern")
    print(f"\nattention-pattern chapter vs sentence length ({quality})")
    base = None
    for n in (8, 16, 32, 64):
        sentence = " ".join(WORDS[i % len(WORDS)] for i in range(n))
        r = run_manim(ch.file, ch.scene, quality, bench_env(ATTENTION_SENTENCE=sentence))
        per_second = r["wall"] / r["duration"]
        base = base or per_second
        print(
            f"  {n:>3} tokens: {r['duration']:.0f} s of video in {r['wall']:.0f} s = "
            f"{per_second:.2f} s per video second ({per_second / base:.2f} x 8 tokens), "
            f"peak {r['rss_mb']:.0f} MB"
        )


def rerun_unchanged(quality: str) -> None:
    out = ROOT / "output"
    cmd = [sys.executable, "-m", "video", "--quality", quality, "--output", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)  # make sure it exists
    start = time.monotonic()
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    print(f"\nre-run of an unchanged example ({quality}): {time.monotonic() - start:.1f} s")


def main() -> int:
    parser = argparse.ArgumentParser(prog="./render.sh bench", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 1080p60 figures")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; python {sys.version.split()[0]}")
    floors = {q: floor(q) for q in (["low"] if args.quick else ["low", "high"])}
    for q, cost in floors.items():
        print(f"renderer floor at {QUALITIES[q][1]}: {1000 * cost:.1f} ms per frame")
    walls = {q: chapters_table(q, floors[q], args.jobs) for q in floors}
    narrated_video("low", args.jobs, walls["low"])
    # This machine's speed may drift during the run (a shared virtual machine): the
    # floor again after the chapters tells whether their figures ran at the same speed.
    again = floor("low")
    print(f"\nrenderer floor at {QUALITIES['low'][1]} again: {1000 * again:.1f} ms per frame")
    token_scaling("low")
    rerun_unchanged("low")
    return 0


if __name__ == "__main__":
    sys.exit(main())
