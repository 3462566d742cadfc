"""``python -m attention_math``: print traces and parameter counts.

python -m attention_math trace --example fluffy-creature
python -m attention_math trace --sentence "a tiny:adj robot:noun slept"
python -m attention_math params --dims gpt3
"""

from __future__ import annotations

import argparse
import json
import sys

from .dims import PRESETS, get_dims, parameter_counts
from .errors import InputError
from .examples import DEFAULT_EXAMPLE, example_from_sentence, load_example
from .export import check_finite, trace_to_dict
from .trace import DEFAULT_SEED, build_traces


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, like every other error
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m attention_math", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    trace = sub.add_parser("trace", help="print the trace of an example as JSON")
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
    trace.add_argument("--seed", type=int, default=DEFAULT_SEED)
    trace.add_argument("--digits", type=int, default=6, help="decimal places (default 6)")
    trace.add_argument("--full", action="store_true", help="also print E, Q, K, V and updates")
    params = sub.add_parser("params", help="print the parameter breakdown of a model")
    params.add_argument("--dims", default="gpt3", help=f"one of {', '.join(PRESETS)}")
    params.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def _trace(args: argparse.Namespace) -> None:
    if args.sentence is not None:
        example = example_from_sentence(args.sentence)
    else:
        example = load_example(args.example or DEFAULT_EXAMPLE)
    if args.model == "smollm2":
        from .export import real_to_dict
        from .real_model import run_sentence

        dicts = [real_to_dict(run_sentence(p), digits=args.digits) for p in example.phrases]
        _print_json(dicts[0] if len(dicts) == 1 else {"title": example.title, "phrases": dicts})
        return
    traces = build_traces(example, dims=args.dims, seed=args.seed)
    unknown = sorted({w for t in traces for w in t.unknown})
    if unknown:
        print(
            f"unknown words (no role; mark them inline like word:adj): {', '.join(unknown)}",
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
        f"{dims.name}: d_embed={dims.d_embed:,} d_key={dims.d_key:,} "
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


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "trace":
            _trace(args)
        else:
            _params(args)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
