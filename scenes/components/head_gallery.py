"""Every head of a real model at once: a layer x head grid of small attention patterns.

Each thumbnail shows one head's pattern with keys as rows and queries as columns (the
screen's convention, through :func:`attention_math.layout.key_by_query`): one square per
(key, query) cell, from dark (weight 0) to white (weight 1) in ``LEVELS`` steps. Brightness
follows the square root of the weight, as a dot's radius does when its area is the weight,
so that weights of a few percent still show. Masked cells are left out, so each thumbnail
is a triangle. Layers run across, heads down.

A long sentence would give each thumbnail more cells than it has pixels, so beyond
``MAX_CELLS`` tokens every square pools ``b x b`` tokens (:func:`pool_size`): its value is
the weight a query of the block sends to the block's keys (summed over those keys, as
softmax shares add up), averaged over the block's queries. Each square therefore still
reads as "how much attention goes there", and a sink row stays as bright as it is.

It stays cheap with thousands of cells: cells are merged into horizontal runs of equal
brightness, and all runs of one brightness form a single path (one mobject per level, plus
one for the dark visible area), so the gallery is about ``LEVELS`` mobjects whatever the
sentence length. (ManimCE 0.22 cannot draw an ``ImageMobject`` with Pillow 13, which is
why this is not one picture.)

Example::

    class Gallery(Scene):
        def construct(self):
            run = run_sentence("a fluffy blue creature roamed the verdant forest")
            gallery = HeadGallery(run.pattern, run.mask)
            self.add(gallery, gallery.highlight(16, 0))
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    ManimColor,
    Rectangle,
    Square,
    VGroup,
    VMobject,
    config,
    interpolate_color,
)

from attention_math.layout import key_by_query

from . import palette
from .labels import literal, number

LEVELS = 32  # brightness steps between weight 0 and weight 1
MAX_CELLS = 12  # most squares along a thumbnail side; longer sentences are pooled
LEGEND_WEIGHTS = (0.0, 0.05, 0.25, 0.5, 1.0)  # swatches of the brightness scale
WEIGHT_ZERO = ManimColor("#2A2E36")  # a visible cell with weight 0 (dark, not background)
WEIGHT_ONE = palette.TEXT  # a cell with weight 1
RUN_FIELDS = ("layer", "head", "row", "start", "stop", "level")  # columns of a run array


def weight_level(weights: np.ndarray) -> np.ndarray:
    """Brightness step of each weight: ``round(sqrt(weight) * LEVELS)``, in ``0 .. LEVELS``."""
    root = np.sqrt(np.clip(np.asarray(weights, dtype=float), 0.0, 1.0))
    return np.rint(root * LEVELS).astype(int)


def level_color(level: int) -> ManimColor:
    """The colour of a brightness step: linear from WEIGHT_ZERO to WEIGHT_ONE."""
    return interpolate_color(WEIGHT_ZERO, WEIGHT_ONE, level / LEVELS)


def weight_color(weight: float) -> ManimColor:
    """The colour a weight gets in the gallery (also used behind numbers in grids)."""
    return level_color(int(weight_level(weight)))


def _row_runs(values: np.ndarray, keep: np.ndarray) -> list[tuple[int, int, int]]:
    """Maximal runs ``(start, stop, value)`` of equal values among kept cells of one row."""
    runs: list[tuple[int, int, int]] = []
    for col in np.flatnonzero(keep):
        value = int(values[col])
        if runs and runs[-1][1] == col and runs[-1][2] == value:
            runs[-1] = (runs[-1][0], col + 1, value)
        else:
            runs.append((int(col), int(col) + 1, value))
    return runs


def pool_size(n_tokens: int) -> int:
    """Tokens per square along each side of a thumbnail (1 up to ``MAX_CELLS`` tokens)."""
    return -(-n_tokens // MAX_CELLS)


def pooled(weights: np.ndarray, visible: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Pool a ``(keys, queries)`` pattern into ``size x size`` blocks.

    Returns ``(values, shown)``: per block, the weight summed over the block's keys and
    averaged over its queries, and whether any of its cells is visible.
    """
    n = weights.shape[0]
    blocks = -(-n // size)
    padded = np.zeros((blocks * size, blocks * size))
    padded[:n, :n] = weights
    seen = np.zeros(padded.shape, dtype=bool)
    seen[:n, :n] = visible
    per_query = padded.reshape(blocks, size, blocks * size).sum(axis=1)  # (key blocks, queries)
    counts = np.minimum(size, n - np.arange(blocks) * size)  # real queries in each block
    values = per_query.reshape(blocks, blocks, size).sum(axis=2) / counts  # (blocks, blocks)
    shown = seen.reshape(blocks, size, blocks, size).any(axis=(1, 3))  # (blocks, blocks)
    return values, shown


def gallery_runs(pattern: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """What the gallery draws, as runs of squares (cells, or pooled blocks of cells).

    Parameters
    ----------
    pattern
        ``[layer, head, query_pos, key_pos]`` weights.
    mask
        ``[query_pos, key_pos]``, True where the key is visible.

    Returns
    -------
    (visible, lit)
        Two int arrays with the columns of ``RUN_FIELDS``: ``visible`` the runs of visible
        squares (level 0), ``lit`` the runs of squares of one brightness level >= 1, in
        thumbnail coordinates (``row`` a key block, ``start``/``stop`` query blocks, stop
        exclusive).
    """
    n_layers, n_heads, n_tokens, _ = pattern.shape
    size = pool_size(n_tokens)
    visible, lit = [], []
    for layer in range(n_layers):
        for head in range(n_heads):
            values, shown = pooled(key_by_query(pattern[layer, head]), key_by_query(mask), size)
            levels = weight_level(values)  # (key blocks, query blocks)
            for row, (row_levels, row_shown) in enumerate(zip(levels, shown)):
                for start, stop, _ in _row_runs(np.zeros(len(row_levels)), row_shown):
                    visible.append((layer, head, row, start, stop, 0))
                for start, stop, level in _row_runs(row_levels, row_shown & (row_levels > 0)):
                    lit.append((layer, head, row, start, stop, level))
    width = len(RUN_FIELDS)
    return np.array(visible, dtype=int).reshape(-1, width), np.array(lit, dtype=int).reshape(
        -1, width
    )


def _rectangles_path(corners: np.ndarray) -> np.ndarray:
    """Bezier points of closed rectangles ``(n, 4 corners, 2)`` -> ``(16 n, 3)``."""
    closed = np.concatenate([corners, corners[:, :1]], axis=1)  # (n, 5, 2)
    start, end = closed[:, :-1], closed[:, 1:]  # (n, 4, 2) each: the four sides
    sides = np.stack([start, start + (end - start) / 3, start + 2 * (end - start) / 3, end], 2)
    flat = sides.reshape(-1, 2)  # (16 n, 2): four straight cubic curves per rectangle
    return np.column_stack([flat, np.zeros(len(flat))])  # (16 n, 3)


class HeadGallery(VGroup):
    """The layer x head grid of pattern thumbnails, with layer and head labels.

    Parameters
    ----------
    pattern
        ``[layer, head, query_pos, key_pos]`` weights of one sentence.
    mask
        ``[query_pos, key_pos]`` visibility (the causal mask).
    width
        Width of the thumbnail area on screen; the labels sit outside it.
    font_size
        Font size of the axis numbers.
    """

    def __init__(
        self,
        pattern: np.ndarray,
        mask: np.ndarray,
        width: float = 12.0,
        font_size: float = palette.NOTE,
    ) -> None:
        super().__init__()
        self.n_layers, self.n_heads, n_tokens, _ = pattern.shape
        self.pool = pool_size(n_tokens)  # tokens per square
        self.n_cells = -(-n_tokens // self.pool)  # squares along a thumbnail side
        self.gap = max(0.2 * self.n_cells, 0.5)  # in squares, between two thumbnails
        self.step = self.n_cells + self.gap  # squares from one thumbnail to the next
        cell = width / (self.n_layers * self.step - self.gap)
        height = cell * (self.n_heads * self.step - self.gap)
        self.visible_runs, self.lit_runs = gallery_runs(pattern, mask)
        # The thumbnail area, top-left corner at the origin while building; it tracks moves.
        self.area = Rectangle(width=width, height=height, stroke_width=0)
        self.area.move_to([width / 2, -height / 2, 0])
        self.dark = self._runs_mobject(self.visible_runs, cell, WEIGHT_ZERO)
        self.levels: dict[int, VMobject] = {}
        for level in np.unique(self.lit_runs[:, 5]):
            runs = self.lit_runs[self.lit_runs[:, 5] == level]
            self.levels[int(level)] = self._runs_mobject(runs, cell, level_color(int(level)))
        self.add(self.area, self.dark, *self.levels.values())
        self.layer_labels = self._layer_labels(font_size)
        self.head_labels = self._head_labels(font_size)
        self.add(self.layer_labels, self.head_labels)
        self.center()

    def _runs_mobject(self, runs: np.ndarray, cell: float, color) -> VMobject:
        layer, head, row, start, stop = (runs[:, i] for i in range(5))  # (n,) each
        left = (layer * self.step + start) * cell
        right = (layer * self.step + stop) * cell
        top = -(head * self.step + row) * cell
        bottom = top - cell
        corners = np.stack(
            [(left, top), (right, top), (right, bottom), (left, bottom)], axis=1
        ).transpose(2, 1, 0)  # (n, 4 corners, 2)
        path = VMobject(fill_color=color, fill_opacity=1, stroke_width=0)
        if len(runs):
            path.set_points(_rectangles_path(corners))
        return path

    # ------------------------------------------------------------------ geometry

    @property
    def cell_size(self) -> float:
        """Current side of one (key, query) cell in scene units."""
        return self.area.width / (self.n_layers * self.step - self.gap)

    @property
    def thumbnail_size(self) -> float:
        return self.n_cells * self.cell_size

    def thumbnail_center(self, layer: int, head: int) -> np.ndarray:
        offset = (np.array([layer, head]) * self.step + self.n_cells / 2) * self.cell_size
        return self.area.get_corner(UP + LEFT) + RIGHT * offset[0] + DOWN * offset[1]

    def cell_center(self, layer: int, head: int, row: int, column: int) -> np.ndarray:
        """Centre of the square of (key row, query column) in one thumbnail."""
        corner = self.thumbnail_center(layer, head) + (LEFT + UP) * self.thumbnail_size / 2
        return corner + (RIGHT * (column + 0.5) + DOWN * (row + 0.5)) * self.cell_size

    def thumbnail_levels(self, layer: int, head: int) -> np.ndarray:
        """The drawn brightness step of every square of one thumbnail, ``(key rows, query
        columns)``; -1 where nothing is drawn (masked)."""
        levels = np.full((self.n_cells, self.n_cells), -1)
        for runs in (self.visible_runs, self.lit_runs):
            for _, _, row, start, stop, level in runs[(runs[:, 0] == layer) & (runs[:, 1] == head)]:
                levels[row, start:stop] = level
        return levels

    # ------------------------------------------------------------------ labels

    def _layer_labels(self, font_size: float) -> VGroup:
        every = 1 if self.thumbnail_size > 0.55 else 5
        shown = sorted({*range(0, self.n_layers, every), self.n_layers - 1})
        top = self.area.get_top()
        numbers = [
            literal(str(layer), font_size=font_size, color=palette.DIM_TEXT).next_to(
                self.thumbnail_center(layer, 0) * RIGHT + top * UP, UP, 0.12
            )
            for layer in shown
        ]
        title = literal("layer", font_size=font_size, color=palette.DIM_TEXT)
        title.next_to(numbers[0], LEFT, buff=0.25)
        return VGroup(title, *numbers)

    def _head_labels(self, font_size: float) -> VGroup:
        left = self.area.get_left()
        numbers = [
            literal(str(head), font_size=font_size, color=palette.DIM_TEXT).next_to(
                self.thumbnail_center(0, head) * UP + left * RIGHT, LEFT, 0.15
            )
            for head in range(self.n_heads)
        ]
        title = literal("head", font_size=font_size, color=palette.DIM_TEXT)
        title.next_to(VGroup(*numbers), LEFT, buff=0.2)
        return VGroup(title, *numbers)

    # ------------------------------------------------------------------ marks

    def legend(self, shape: str) -> VGroup:
        """How to read one head's ``shape`` ("triangle", or "square" for one token), a
        brightness scale from weight 0 to 1, and what a pooled square stands for."""
        swatches = VGroup()
        for weight in LEGEND_WEIGHTS:
            square = Square(0.32, stroke_width=0).set_fill(weight_color(weight), opacity=1)
            value = number(weight, decimals=2, font_size=palette.SMALL, color=palette.DIM_TEXT)
            swatches.add(VGroup(square, value.next_to(square, RIGHT, buff=0.1)))
        swatches.arrange(RIGHT, buff=0.3)
        lines = VGroup(
            literal(
                f"Each {shape} is one head: keys are rows, queries are columns.",
                font_size=palette.LABEL,
                color=palette.DIM_TEXT,
            ),
            VGroup(
                literal("Weight:", font_size=palette.LABEL, color=palette.DIM_TEXT), swatches
            ).arrange(RIGHT, buff=0.25),
        )
        if self.pool > 1:
            b = self.pool
            lines.add(
                literal(
                    f"More than {MAX_CELLS} tokens: each square pools {b} × {b} tokens (the "
                    "weight its queries send to its keys, on average).",
                    font_size=palette.SMALL,
                    color=palette.DIM_TEXT,
                )
            )
        return lines

    def highlight(self, layer: int, head: int, color=palette.QUERY) -> Rectangle:
        """A frame around one thumbnail, in the gap around it; yellow, so that it stands
        apart from a bright top row (the greys of the weights)."""
        side = self.thumbnail_size + self.gap * self.cell_size
        frame = Rectangle(width=side, height=side, color=color, stroke_width=3)
        return frame.move_to(self.thumbnail_center(layer, head))

    def dimming(self, heads: np.ndarray, opacity: float = 0.75) -> VMobject:
        """Squares of background colour over the thumbnails where ``heads[layer, head]``
        is True, to lay over the gallery and darken them."""
        side = self.thumbnail_size
        chosen = zip(*np.nonzero(heads))
        centers = [self.thumbnail_center(layer, head)[:2] for layer, head in chosen]
        half = np.array([[-1, 1], [1, 1], [1, -1], [-1, -1]]) * side / 2  # (4, 2)
        cover = VMobject(fill_color=config.background_color, fill_opacity=opacity, stroke_width=0)
        if centers:
            cover.set_points(_rectangles_path(np.array(centers)[:, None, :] + half))
        return cover

    def layer_counts(
        self, counts: np.ndarray, font_size: float = palette.NOTE, color=palette.DIM_TEXT
    ) -> VGroup:
        """One number under each layer's column (e.g. how many of its heads do something)."""
        bottom = self.area.get_bottom()
        return VGroup(
            *(
                number(int(count), decimals=0, font_size=font_size, color=color).next_to(
                    self.thumbnail_center(layer, 0) * RIGHT + bottom * UP, DOWN, 0.12
                )
                for layer, count in enumerate(counts)
            )
        )
