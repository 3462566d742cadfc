"""``python -m attention_math``: print traces and parameter counts.

python -m attention_math trace --example fluffy-creature
python -m attention_math trace --sentence "a tiny:adj robot:noun slept"
python -m attention_math params --dims gpt3

(``./render.sh trace`` and ``./render.sh params`` run these.) Errors are one line,
``attention_math: error: ...`` (``render.sh: error: ...`` through render.sh), with
exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from . import environment
from .dims import PRESETS, get_dims, parameter_counts
from .errors import MAX_SEED, MIN_SEED, InputError, error_line, parse_seed
from .examples import DEFAULT_EXAMPLE, example_from_sentence, load_example
from .export import check_finite, trace_to_dict
from .trace import DEFAULT_SEED, build_traces, warm_head_weights

PROGRAM = "attention_math"  # errors: "attention_math: error: ..."
MAX_DIGITS = 17  # a float64 has about 17 significant digits


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, program: str = PROGRAM, **kwargs):
        super().__init__(*args, **kwargs)
        self.program = program  # the name errors begin with (``render.sh`` through render.sh)

    def error(self, message: str) -> None:  # one line, exit 2, like every other error
        print(error_line(self.program, message), file=sys.stderr)
        raise SystemExit(2)


def caller_dir() -> Path:
    """The folder the user ran the command in, which relative paths are read from:
    ``render.sh`` runs from the project folder and says where it was started
    (``ATTENTION_CALLER_DIR``); else the current folder."""
    return Path(environment.CALLER_DIR.get() or os.getcwd())


def seed_argument(text: str) -> int:
    """``--seed``: a whole number from 0 to 4294967295 (argparse reports the error)."""
    try:
        return parse_seed(text)
    except InputError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("the seed ")) from None


def _digits(text: str) -> int:
    try:
        digits = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, not {text[:24]!r}") from None
    if not 0 <= digits <= MAX_DIGITS:
        raise argparse.ArgumentTypeError(f"must be from 0 to {MAX_DIGITS}, not {digits}")
    return digits


def _parser(program: str = PROGRAM) -> argparse.ArgumentParser:
    prog = "./render.sh" if program == "render.sh" else "python -m attention_math"
    parser = _Parser(prog=prog, description=__doc__.splitlines()[0], program=program)
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    trace = sub.add_parser("trace", help="print the trace of an example as JSON", program=program)
    source = trace.add_mutually_exclusive_group()
    source.add_argument(
        "--example", help=f"name in assets/examples or a path (default {DEFAULT_EXAMPLE})"
    )
    source.add_argument("--sentence", help="a sentence; mark unknown words inline, e.g. tiny:adj")
    trace.add_argument(
        "--model",
        default="designed",
        choices=["designed", "smollm2"],
        help="designed heads (default) or the real SmolLM2-135M-Instruct (4-bit)",
    )
    trace.add_argument("--dims", default="gpt3", choices=list(PRESETS))
    trace.add_argument(
        "--seed",
        type=seed_argument,
        default=DEFAULT_SEED,
        help=f"designed model seed, {MIN_SEED} to {MAX_SEED} (default {DEFAULT_SEED})",
    )
    trace.add_argument(
        "--digits", type=_digits, default=6, help=f"decimal places, 0 to {MAX_DIGITS} (default 6)"
    )
    trace.add_argument("--full", action="store_true", help="also print E, Q, K, V and updates")
    params = sub.add_parser(
        "params", help="print the parameter breakdown of a model", program=program
    )
    params.add_argument("--dims", default="gpt3", help=f"one of {', '.join(PRESETS)}")
    params.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _trace(args: argparse.Namespace) -> None:
    if args.sentence is not None:
        example = example_from_sentence(args.sentence)
    else:
        example = load_example(args.example or DEFAULT_EXAMPLE, caller_dir())
    if args.model == "smollm2":
        from .export import real_to_dict
        from .real_model import run_sentence

        dicts = [real_to_dict(run_sentence(p), digits=args.digits) for p in example.phrases]
        _print_json(dicts[0] if len(dicts) == 1 else {"title": example.title, "phrases": dicts})
        return
    warm_head_weights(example, dims=args.dims, seed=args.seed)  # on every core
    traces = build_traces(example, dims=args.dims, seed=args.seed)
    unknown = sorted({w for t in traces for w in t.unknown})
    if unknown:
        print(
            f"{args.program}: note: neither the lexicon nor the tagger could place "
            f"{', '.join(unknown)} (taken as nouns; give a role inline like word:adj)",
            file=sys.stderr,
        )
    dicts = [trace_to_dict(t, digits=args.digits, full=args.full) for t in traces]
    _print_json(dicts[0] if len(dicts) == 1 else {"title": example.title, "phrases": dicts})


def _print_json(out: dict) -> None:
    check_finite(out)
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


def _params(args: argparse.Namespace) -> None:
    dims = get_dims(args.dims)
    counts = parameter_counts(dims)
    if args.json:
        json.dump({"dims": dims.name, **counts}, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return
    total = counts["model/total"]
    print(
        f"{dims.name}: d_model={dims.d_model:,} d_head={dims.d_head:,} "
        f"heads={dims.n_heads} layers={dims.n_layers} vocab={dims.vocab_size:,}"
    )
    for key, value in counts.items():
        share = f"{100 * value / total:6.2f}% of the model" if key.startswith("model/") else ""
        print(f"  {key:<20} {value:>18,}  {share}")
    print(
        f"  attention over all {dims.n_layers} layers: {counts['model/attention']:,} "
        f"({counts['model/attention'] / total:.1%} of {total:,})"
    )
    if dims.published_total is not None:
        status = "matches" if total == dims.published_total else "DIFFERS FROM"
        print(f"  total {status} the published figure {dims.published_total:,}")


def main(argv: list[str] | None = None, program: str = PROGRAM) -> int:
    """Run a command; ``program`` is the name errors begin with (``render.sh`` when
    ``./render.sh trace`` runs this)."""
    args = _parser(program).parse_args(argv)
    args.program = program
    try:
        if args.command == "trace":
            _trace(args)
        else:
            _params(args)
    except InputError as exc:
        print(error_line(program, exc), file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
