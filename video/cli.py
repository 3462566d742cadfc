"""``./render.sh [COMMAND] [OPTIONS]``: render the video, list chapters, print numbers.

Commands:
  render (default)   render chapters and stitch them into one video
  lecture            render one clip per beat and an offline HTML deck to step through
  explore            write the explorer page: every number of the lesson, offline
  list               print the chapters in order
  bench              rendering benchmark (prints figures; --quick skips 1080p60)
  trace | params     the numeric core's commands (see python -m attention_math -h)
"""

from __future__ import annotations

import argparse
import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

from attention_math import DEFAULT_EXAMPLE, DEFAULT_SEED, InputError
from attention_math.cli import caller_dir, seed_argument
from attention_math.errors import MAX_SEED, MIN_SEED, error_line
from attention_math.examples import user_path
from scenes.order import CHAPTERS, select_chapters
from scenes.settings import Source, resolve_source, voice_default
from voice.cache import check_cache
from voice.service import VoiceError

from .build import render
from .files import os_error_in
from .folders import check_output_dir
from .plan import QUALITIES, ROOT, Plan

PROGRAM = "render.sh"  # every error: "render.sh: error: ..."
DEFAULT_OUTPUT = ROOT / "output"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:
        print(error_line(PROGRAM, message), file=sys.stderr)
        raise SystemExit(2)


def output_argument(text: str) -> Path:
    """``--output``: a folder, relative ones read from where the user ran the command."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the output folder is empty; give a folder")
    return user_path(text, caller_dir())


def example_argument(text: str) -> str:
    """``--example``: a name or a path; an empty one is refused (it is not the default)."""
    if not text.strip():
        raise argparse.ArgumentTypeError(
            f"the example is empty; give a name ({DEFAULT_EXAMPLE}) or a .toml path"
        )
    return text


def add_source_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--example",
        type=example_argument,
        help=f"example name in assets/examples or a .toml path (default {DEFAULT_EXAMPLE})",
    )
    source.add_argument(
        "--sentence", help='your own sentence; mark unknown words inline, e.g. "a tiny:adj robot"'
    )
    parser.add_argument(
        "--seed",
        type=seed_argument,
        help=f"designed model seed, {MIN_SEED} to {MAX_SEED} (default {DEFAULT_SEED})",
    )


def render_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="./render.sh",
        description="Render 'Attention in transformers, visually explained' for an example.",
        epilog="Other commands: ./render.sh lecture | explore | list | trace | params | bench "
        "(each with --help); test (takes pytest's options); lock (developers: refreshes "
        "requirements.lock)",
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
        "--output",
        type=output_argument,
        default=DEFAULT_OUTPUT,
        help="output folder (default: output/ in the project folder)",
    )
    parser.add_argument("--force", action="store_true", help="re-render unchanged chapters too")
    parser.add_argument(
        "--captions",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="burn the short captions into the picture (default); --no-captions leaves "
        "the bottom band to the .srt subtitles, which players draw there",
    )
    parser.add_argument(
        "--voice",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="read every beat's narration aloud (default: on, except at --quality low, "
        "where previews stay quick)",
    )
    return parser


def unknown_words_note(source: Source) -> str | None:
    """The note on words neither the lexicon nor the tagger could place (taken as nouns)."""
    unknown = sorted({w for t in source.traces for w in t.unknown})
    if not unknown:
        return None
    return (
        f"render.sh: note: neither the lexicon nor the tagger could place "
        f"{', '.join(repr(w) for w in unknown)}; they are taken as nouns. Give them a role "
        f"inline if they are not, e.g. {unknown[0]}:adj"
    )


def source_and_folder(args: argparse.Namespace) -> tuple[Source, Path]:
    """The checked example of ``--sentence/--example/--seed`` (without them, the
    variables of plain manim calls choose) and its output folder for ``--quality``,
    checked too."""
    source = resolve_source(
        args.sentence, args.example, args.seed, environ=os.environ, base=caller_dir()
    )
    out_dir = args.output / source.example.name / args.quality
    check_output_dir(out_dir)
    return source, out_dir


def say_unknown_words(source: Source) -> None:
    """The note on words nothing could place, on stderr, if there are any."""
    note = unknown_words_note(source)
    if note:
        print(note, file=sys.stderr)


def plan_from_args(args: argparse.Namespace) -> Plan:
    """Check every option, then the example, then the output folder, before anything
    is rendered; a note on unknown words comes only when all is well."""
    if args.jobs < 1:
        raise InputError("--jobs must be at least 1")
    chapters = select_chapters(args.chapters)
    source, out_dir = source_and_folder(args)
    voice = voice_default(args.quality) if args.voice is None else args.voice
    if voice:
        try:
            check_cache()
        except VoiceError as exc:
            raise InputError(str(exc)) from None
    say_unknown_words(source)
    jobs = min(args.jobs, len(chapters))
    return Plan(
        source,
        args.quality,
        chapters,
        out_dir,
        jobs,
        force=args.force,
        captions=args.captions,
        voice=voice,
    )


def cmd_render(argv: list[str]) -> int:
    args = render_parser().parse_args(argv)
    plan = plan_from_args(args)
    video = render(plan)
    if plan.chapters == CHAPTERS:  # the whole video: its explorer page beside it
        from .explorer import write_explorer

        page = write_explorer(plan.source, plan.out_dir)
        print(f"render.sh: explorer page: {page}", file=sys.stderr)
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


def explore_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="./render.sh explore",
        description="Write the explorer page (output/<example>/<quality>/explorer/index.html): "
        "every head's numbers for the sentence, hover by hover, offline.",
    )
    add_source_options(parser)
    parser.add_argument(
        "--quality",
        default="medium",
        choices=list(QUALITIES),
        help="the output folder it goes in, beside that quality's video (default medium)",
    )
    parser.add_argument(
        "--output",
        type=output_argument,
        default=DEFAULT_OUTPUT,
        help="output folder (default: output/ in the project folder)",
    )
    return parser


def cmd_explore(argv: list[str]) -> int:
    from .explorer import write_explorer

    args = explore_parser().parse_args(argv)
    source, out_dir = source_and_folder(args)
    say_unknown_words(source)
    page = write_explorer(source, out_dir)
    print(f"render.sh: explorer page: {page.stat().st_size / 1e6:.2f} MB", file=sys.stderr)
    print(page.resolve())
    return 0


def cmd_list(argv: list[str]) -> int:
    _Parser(prog="./render.sh list", description="Print the chapters in order.").parse_args(argv)
    for ch in CHAPTERS:
        print(f"{ch.number:2d}  {ch.title:<24} scenes/{ch.module}.py  {ch.scene}")
    return 0


def os_error_text(exc: OSError) -> str:
    """What went wrong with the file system, in one line, for a user: what ran out or
    failed, and where."""
    where = f" ({os.fsdecode(exc.filename)})" if exc.filename else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        what = "no space left on the disk" if exc.errno == errno.ENOSPC else "disk quota exceeded"
        return f"{what}{where}; earlier videos were left as they were"
    return f"{exc.strerror or exc}{where}"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = argv[0] if argv and not argv[0].startswith("-") else "render"
    rest = argv[1:] if argv and argv[0] == command else argv
    try:
        if command == "bench":
            return subprocess.call([sys.executable, str(ROOT / "bench" / "render_bench.py"), *rest])
        if command in ("trace", "params"):
            from attention_math.cli import main as core_main

            return core_main([command, *rest], program=PROGRAM)
        if command == "list":
            return cmd_list(rest)
        if command == "render":
            return cmd_render(rest)
        if command == "lecture":
            return cmd_lecture(rest)
        if command == "explore":
            return cmd_explore(rest)
        print(
            error_line(
                PROGRAM,
                f"unknown command {command!r} "
                "(render, lecture, explore, list, test, trace, params)",
            ),
            file=sys.stderr,
        )
        return 2
    except InputError as exc:
        print(error_line(PROGRAM, exc), file=sys.stderr)
        return 2
    except VoiceError as exc:  # the voice could not speak: its message says why
        print(error_line(PROGRAM, exc), file=sys.stderr)
        return 1
    except (OSError, RuntimeError) as exc:
        failed = os_error_in(exc)
        if failed is not None:  # a full disk, a folder that cannot be written, ...
            print(error_line(PROGRAM, os_error_text(failed)), file=sys.stderr)
        else:  # a chapter's own failure: its traceback helps whoever fixes it
            print(f"render.sh: render failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (video.interrupt.Terminated)
        print("render.sh: interrupted; earlier videos were left as they were", file=sys.stderr)
        return 128 + int(getattr(exc, "signum", signal.SIGINT))
