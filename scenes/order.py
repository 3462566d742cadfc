"""The scenes of the video, in order: the one list every tool reads, and the one set
of rules for naming chapters (:func:`chapter`, :func:`select_chapters`)."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from attention_math.errors import InputError

SCENES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Chapter:
    number: int
    module: str  # file in scenes/, without .py
    scene: str  # class name
    title: str
    poster: str = ""  # the beat whose last frame stands for the chapter (contact sheet)
    directory: Path = SCENES_DIR  # where ``module``.py lives
    # Rough render time (seconds at 480p15, bench/render_bench.py): the pipeline starts
    # the costliest chapters first, so that its parallel processes finish together.
    cost: float = 0.0

    @property
    def file(self) -> Path:
        return self.directory / f"{self.module}.py"

    def load(self) -> type:
        """Import the scene class."""
        if self.directory == SCENES_DIR:
            module = importlib.import_module(f"scenes.{self.module}")
        else:
            spec = importlib.util.spec_from_file_location(self.module, self.file)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        return getattr(module, self.scene)


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(
        1, "ch01_recap", "RecapOnEmbeddings", "Recap on embeddings", poster="meanings", cost=13
    ),
    Chapter(
        2,
        "ch02_motivating_examples",
        "MotivatingExamples",
        "Motivating examples",
        poster="adjectives update nouns",
        cost=5,
    ),
    Chapter(
        3,
        "ch03_attention_pattern",
        "AttentionPattern",
        "The attention pattern",
        poster="softmax",
        cost=13,
    ),
    Chapter(4, "ch04_masking", "Masking", "Masking", poster="side by side", cost=7),
    Chapter(5, "ch05_context_size", "ContextSize", "Context size", poster="large grid", cost=4),
    Chapter(6, "ch06_values", "Values", "Values", poster="embedding-space", cost=9),
    Chapter(
        7,
        "ch07_counting_parameters",
        "CountingParameters",
        "Counting parameters",
        poster="low-rank",
        cost=14,
    ),
    Chapter(8, "ch08_cross_attention", "CrossAttention", "Cross-attention", poster="grid", cost=5),
    Chapter(9, "ch09_multiple_heads", "MultipleHeads", "Multiple heads", poster="patterns", cost=9),
    Chapter(
        10,
        "ch10_output_matrix",
        "OutputMatrix",
        "The output matrix",
        poster="block-by-block",
        cost=8,
    ),
    Chapter(11, "ch11_going_deeper", "GoingDeeper", "Going deeper", poster="many-layers", cost=8),
    Chapter(12, "ch12_ending", "Ending", "Ending", poster="how-far", cost=3),
    # Beyond the original lesson: a real pretrained model's heads on the same sentence.
    Chapter(13, "ch13_real_heads", "RealHeads", "Bonus: real heads", poster="gallery", cost=10),
)


def chapter(key: str | int) -> Chapter:
    """The chapter ``key`` names: its number (``3``, ``"3"``, ``"03"``), its module
    (``"ch03_attention_pattern"``) or its scene class (``"AttentionPattern"``), in any
    case, spaces around ignored. Otherwise an InputError whose one line says what
    there is."""
    text = str(key).strip()
    if text.isdecimal():
        return _numbered(text)
    for ch in CHAPTERS:
        if text.lower() in (ch.module.lower(), ch.scene.lower()):
            return ch
    names = ", ".join(f"{c.number}={c.scene}" for c in CHAPTERS)
    raise InputError(f"unknown chapter {_shown(text)!r}; use numbers or names ({names})")


def select_chapters(spec: str | None) -> tuple[Chapter, ...]:
    """The chapters ``--chapters`` names, in the video's order, each once: ``None`` (not
    given) for all, otherwise a comma list of chapters (see :func:`chapter`) and
    ranges (``3-5``). A blank selection (``""``, ``" "``, ``","``) is an error, not
    "all": a user who typed it meant some chapters."""
    if spec is None:
        return CHAPTERS
    parts = [part.strip() for part in spec.split(",") if part.strip()]
    if not parts:
        raise InputError(
            f"--chapters {spec!r} names no chapter; give numbers, ranges or names, "
            "e.g. '3' or '1,3-5' or 'Masking'"
        )
    chosen = {ch.number for part in parts for ch in _chapters_in(part)}
    return tuple(ch for ch in CHAPTERS if ch.number in chosen)


def _chapters_in(part: str) -> list[Chapter]:
    """One item of a selection: a range of numbers, ``low-high``, or one chapter."""
    low, dash, high = (side.strip() for side in part.partition("-"))
    if not (dash and low.isdecimal() and high.isdecimal()):
        return [chapter(part)]
    first, last = _numbered(low), _numbered(high)
    if first.number > last.number:
        raise InputError(f"the range {_shown(part)!r} is empty; write it low-high, e.g. 3-5")
    return [ch for ch in CHAPTERS if first.number <= ch.number <= last.number]


def _numbered(digits: str) -> Chapter:
    """The chapter numbered ``digits`` (decimal digits, of any script)."""
    # int() refuses thousands of digits: no chapter has more than a few anyway
    number = int(digits) if len(digits) <= 6 else None
    for ch in CHAPTERS:
        if ch.number == number:
            return ch
    raise InputError(f"no chapter {_shown(digits)}; chapters are 1-{len(CHAPTERS)}")


def _shown(text: str, limit: int = 40) -> str:
    """``text`` as a message shows it: cut short if long."""
    return text if len(text) <= limit else text[:limit] + "..."
