"""The scenes of the video, in order: the one list every tool reads."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from pathlib import Path

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
    """Find a chapter by number, module name or scene class name."""
    for ch in CHAPTERS:
        if str(key) in (str(ch.number), f"{ch.number:02d}", ch.module, ch.scene):
            return ch
    raise KeyError(key)
