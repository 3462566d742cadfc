"""Components with your own numbers: an attention grid, a weight matrix and an
embedding space, fed with arrays you choose (here: a small hand-made example).

    .venv/bin/manim -pql docs/examples/own_numbers.py OwnNumbers

Run it from the project folder (so that ``scenes`` and ``attention_math`` import).
"""

from __future__ import annotations

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Scene

from attention_math.attention import attention_scores, causal_mask, masked_softmax, scale_scores
from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid
from scenes.components.embedding_space import EmbeddingSpace
from scenes.components.labels import literal
from scenes.components.weight_matrix import WeightMatrix
from scenes.lesson import HEADING_BAND, STAGE

WORDS = ["the", "old", "lighthouse", "blinked"]

# Your own queries and keys: one row per token, 3 numbers each.
QUERIES = np.array([[0.1, 0.0, 0.2], [0.0, 0.3, 0.1], [1.2, 0.9, 0.0], [0.2, 1.1, 0.8]])
KEYS = np.array([[0.2, 0.1, 0.0], [1.0, 0.8, 0.1], [0.3, 0.2, 0.9], [0.1, 0.0, 0.4]])


def own_pattern() -> tuple[np.ndarray, np.ndarray]:
    """The causal attention pattern of QUERIES and KEYS, laid out [query, key]."""
    mask = causal_mask(len(WORDS))
    scores = scale_scores(attention_scores(QUERIES, KEYS), QUERIES.shape[1])
    return masked_softmax(scores, mask), mask


class OwnNumbers(Scene):
    def construct(self) -> None:
        # Text sizes from the type scale, places from the regions of the screen.
        title = literal("Your own numbers", font_size=palette.HEADING, color=palette.DIM_TEXT)
        self.add(HEADING_BAND.place(title, UP + LEFT, buff=0.3))
        pattern, mask = own_pattern()
        # Arrays are [query, key]; the grid draws keys as rows, queries as columns.
        self.grid = AttentionGrid(
            WORDS, WORDS, {"pattern": pattern}, mask, max_width=6.5, max_height=5.0
        )
        STAGE.place(self.grid, LEFT, buff=0.5)
        self.play(self.grid.create())
        self.play(self.grid.numbers("pattern"))
        self.wait()
        self.play(self.grid.dots())
        self.play(self.grid.highlight_column(2))  # what "lighthouse" attends to
        self.wait()

        self.matrix = WeightMatrix(
            KEYS.T, rows=(0, 1, 2), cols=(0, 1, 2, 3), kind="key", label="K^T", exponent=0
        )
        self.matrix.to_corner(UP + RIGHT, buff=0.6)
        self.play(self.matrix.create())

        self.space = EmbeddingSpace(1.5, size=1.4).move_to(RIGHT * 3.2 + DOWN * 1.6)
        self.play(self.space.create())
        self.play(self.space.vector("q", QUERIES[2], label="q: lighthouse", color=palette.QUERY))
        self.play(self.space.vector("k", KEYS[1], label="k: old", color=palette.KEY))
        self.wait(2)
