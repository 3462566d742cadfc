"""The one exception type the core raises for bad input, the one form errors are
printed in, and the checks of the few inputs that are numbers (the seed).

Every command prints an error as one line, ``PROGRAM: error: MESSAGE``, and exits
with status 2: ``render.sh: error: ...`` for ``./render.sh`` and all its commands,
``attention_math: error: ...`` for ``python -m attention_math``, and
``attention: error: ...`` for a scene rendered with plain ``manim``.
"""

from __future__ import annotations

import re

MIN_SEED = 0
MAX_SEED = 2**32 - 1
_WHOLE = re.compile(r"[+-]?[0-9]+")  # ASCII digits only


class InputError(ValueError):
    """Bad user input: an empty sentence, an unknown role, a broken example file...

    The message is one line meant for the user; command-line entry points print it
    and exit with status 2 instead of showing a traceback.
    """


def error_line(program: str, message: object) -> str:
    """The one form of every error the commands print: ``PROGRAM: error: MESSAGE``."""
    text = " ".join(str(message).split())  # one line, whatever the message holds
    return f"{program}: error: {text}"


def parse_seed(raw: object, what: str = "the seed") -> int:
    """A seed of the designed model, from text or a number: a whole number from
    ``MIN_SEED`` to ``MAX_SEED`` (numpy takes no negative seeds)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        text = str(raw)
    elif isinstance(raw, str):
        text = raw.strip()
    else:
        raise InputError(f"{what} must be a whole number, not {type(raw).__name__}")
    shown = text if len(text) <= 24 else text[:24] + "..."
    if not _WHOLE.fullmatch(text):
        raise InputError(f"{what} must be a whole number, not {shown!r}")
    digits = text.lstrip("+-").lstrip("0") or "0"
    if text.startswith("-") and digits != "0" or len(digits) > len(str(MAX_SEED)):
        raise InputError(f"{what} must be from {MIN_SEED} to {MAX_SEED}, not {shown}")
    seed = int(digits)
    if not MIN_SEED <= seed <= MAX_SEED:
        raise InputError(f"{what} must be from {MIN_SEED} to {MAX_SEED}, not {shown}")
    return seed
