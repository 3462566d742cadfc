"""``./render.sh [COMMAND] [OPTIONS]``: render the video, list chapters, print numbers.

Commands:
  render (default)   render chapters and stitch them into one video
  lecture            render one clip per beat and an offline HTML deck to step through
  list               print the chapters in order
  bench              rendering benchmark (prints figures; --quick skips 1080p60)
  trace | params     the numeric core's commands (see python -m attention_math -h)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from attention_math import DEFAULT_EXAMPLE, DEFAULT_SEED, InputError, build_traces
from attention_math.examples import example_from_sentence, load_example, resolve_example_path
from scenes.components.labels import missing_glyphs
from scenes.order import CHAPTERS
from scenes.settings import ENV_EXAMPLE, ENV_SENTENCE, current_seed

from .build import QUALITIES, ROOT, Plan, Source, check_output_dir, parse_chapters, render

DEFAULT_OUTPUT = Path("output")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        print(f"render.sh: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def add_source_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--example",
        help=f"example name in assets/examples or a .toml path (default {DEFAULT_EXAMPLE})",
    )
    source.add_argument(
        "--sentence", help='your own sentence; mark unknown words inline, e.g. "a tiny:adj robot"'
    )
    parser.add_argument("--seed", type=int, help=f"designed model seed (default {DEFAULT_SEED})")


def render_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="./render.sh",
        description="Render 'Attention in transformers, visually explained' for an example.",
        epilog="Other commands: ./render.sh list | test | trace | params  (each with --help)",
    )
    add_source_options(parser)
    parser.add_argument(
        "--quality",
        default="medium",
        choices=list(QUALITIES),
        help="low=480p15, medium=720p30 (default), high=1080p60, 4k=2160p60",
    )
    parser.add_argument("--chapters", help="e.g. '3' or '1,3-5' or 'Masking' (default: all)")
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="chapters rendered at once (default: one per core)",
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="output folder (default ./output)"
    )
    parser.add_argument("--force", action="store_true", help="re-render unchanged chapters too")
    return parser


def resolve_source(args: argparse.Namespace) -> Source:
    """Validate the example before anything is rendered (one-line errors).

    Without --sentence or --example, the environment variables of plain manim calls
    (ATTENTION_SENTENCE, ATTENTION_EXAMPLE, ATTENTION_SEED) choose, then the default.
    """
    sentence, name = args.sentence, args.example
    if sentence is None and name is None:
        sentence, name = os.environ.get(ENV_SENTENCE), os.environ.get(ENV_EXAMPLE) or None
        if sentence is not None and name is not None:
            raise InputError(f"set only one of {ENV_SENTENCE} and {ENV_EXAMPLE}")
    if args.seed is None:
        args.seed = current_seed()
    args.sentence = sentence
    if sentence is not None:
        example = example_from_sentence(sentence)
        path = None
    else:
        path = resolve_example_path(name or DEFAULT_EXAMPLE).resolve()
        example = load_example(str(path))
    for text in (*example.phrases, example.target or ""):
        missing = missing_glyphs(text)
        if missing:
            shown = ", ".join(f"{c!r} (U+{ord(c):04X})" for c in missing[:5])
            raise InputError(f"no installed font can draw {shown}; remove these characters")
    traces = build_traces(example, seed=args.seed)  # catches too many tokens etc.
    unknown = sorted({w for t in traces for w in t.unknown})
    if unknown:
        print(
            f"note: the lexicon does not know {', '.join(repr(w) for w in unknown)}; they are "
            f"drawn as plain words. Give them a role inline, e.g. {unknown[0]}:adj or "
            f"{unknown[0]}:noun",
            file=sys.stderr,
        )
    return Source(example, args.sentence, path, args.seed, traces=tuple(traces))


def plan_from_args(args: argparse.Namespace) -> Plan:
    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    source = resolve_source(args)
    chapters = parse_chapters(args.chapters)
    out_dir = args.output / source.example.name / args.quality
    check_output_dir(out_dir)
    jobs = min(args.jobs, len(chapters))
    return Plan(source, args.quality, chapters, out_dir, jobs, force=args.force)


def cmd_render(argv: list[str]) -> int:
    args = render_parser().parse_args(argv)
    plan = plan_from_args(args)
    video = render(plan)
    print(video.resolve())
    return 0


def cmd_lecture(argv: list[str]) -> int:
    from .lecture import build_lecture

    parser = render_parser()
    parser.prog = "./render.sh lecture"
    parser.description = "Render section clips and write an offline HTML lecture deck."
    args = parser.parse_args(argv)
    index = build_lecture(plan_from_args(args))
    print(index.resolve())
    return 0


def cmd_list(argv: list[str]) -> int:
    _Parser(prog="./render.sh list", description="Print the chapters in order.").parse_args(argv)
    for ch in CHAPTERS:
        print(f"{ch.number:2d}  {ch.title:<24} scenes/{ch.module}.py  {ch.scene}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and not argv[0].startswith("-") else "render"
    rest = argv[1:] if argv and argv[0] == command else argv
    try:
        if command == "bench":
            return subprocess.call([sys.executable, str(ROOT / "bench" / "render_bench.py"), *rest])
        if command in ("trace", "params"):
            from attention_math.cli import main as core_main

            return core_main([command, *rest])
        if command == "list":
            return cmd_list(rest)
        if command == "render":
            return cmd_render(rest)
        if command == "lecture":
            return cmd_lecture(rest)
        print(
            f"render.sh: error: unknown command {command!r} (render, lecture, list, test, "
            "trace, params)",
            file=sys.stderr,
        )
        return 2
    except InputError as exc:
        print(f"render.sh: error: {exc}", file=sys.stderr)
        return 2
    except RuntimeError as exc:
        print(f"render.sh: render failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("render.sh: interrupted; earlier videos were left as they were", file=sys.stderr)
        return 130
