"""Every environment variable the project reads, declared once: its name, the
command-line flag it stands for (where there is one) and what it does.

Only entry points read them: ``render.sh``'s command line (``video/cli.py``,
``attention_math/cli.py``), a scene set up by plain ``manim`` (``scenes/settings.py``),
the speech cache (``voice/``) and the speed-ups switch (``render_speed/``). The numeric
core itself reads none; this table only names them. README's "Environment variables"
lists the same table (a test compares them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Variable:
    name: str
    flag: str | None  # the render.sh option it stands for, if any
    doc: str

    def get(self, environ: Mapping[str, str] | None = None) -> str | None:
        """Its value in ``environ`` (default: this process's environment), or None."""
        return (os.environ if environ is None else environ).get(self.name)


SENTENCE = Variable(
    "ATTENTION_SENTENCE",
    "--sentence",
    "a sentence to explain (inline roles allowed: tiny:adj), for plain manim calls",
)
EXAMPLE = Variable(
    "ATTENTION_EXAMPLE",
    "--example",
    "an example name from assets/examples or a .toml path (default fluffy-creature)",
)
SEED = Variable(
    "ATTENTION_SEED", "--seed", "the designed model's seed, 0 to 4294967295 (default 2024)"
)
CAPTIONS = Variable(
    "ATTENTION_CAPTIONS",
    "--captions / --no-captions",
    "off leaves the caption band to the .srt subtitles (default on)",
)
VOICE = Variable(
    "ATTENTION_VOICE",
    "--voice / --no-voice",
    "on reads every beat aloud (plain manim: default off; render.sh: on except at low)",
)
SPEECH_CACHE = Variable(
    "ATTENTION_SPEECH_CACHE", None, "the speech cache's folder (default .cache/speech)"
)
NO_SPEEDUPS = Variable(
    "ATTENTION_NO_SPEEDUPS",
    None,
    "set (not empty, not 0): renders use ManimCE's own code, without render_speed/",
)
CALLER_DIR = Variable(
    "ATTENTION_CALLER_DIR",
    None,
    "set by render.sh: the folder it was run from, which relative paths are read from",
)

VARIABLES = (SENTENCE, EXAMPLE, SEED, CAPTIONS, VOICE, SPEECH_CACHE, NO_SPEEDUPS, CALLER_DIR)
CHOOSING_THE_EXAMPLE = (SENTENCE, EXAMPLE, SEED)  # a render process's jobs name it instead
