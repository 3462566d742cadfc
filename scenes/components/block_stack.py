"""A transformer as it is stacked: attention and MLP blocks alternating, bottom to top, with
a row of embedding strips (one per token) between consecutive blocks.

A strip is a short column of cells, one per shown entry of a vector, coloured like every
matrix entry in the video (:func:`palette.value_color`: hue from the sign, brightness from
the magnitude), so a row of strips visibly changes when the vectors change. A level given
real vectors draws them; a level given ``None`` has nothing computed behind it and is drawn
*schematic*: outlined cells with no colour.

Example::

    class Stack(Scene):
        def construct(self):
            xs = [-2, -1, 0, 1, 2]
            stack = BlockStack(xs, [E[:, :8], E_prime[:, :8], None], ["attention", "mlp"])
            self.add(stack.get_level(0))
            self.play(stack.pass_through(0))
            self.play(stack.pass_through(1))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    UP,
    Animation,
    FadeIn,
    LaggedStart,
    ManimColor,
    Rectangle,
    ReplacementTransform,
    RoundedRectangle,
    VGroup,
)

from . import palette
from .labels import literal

BLOCK_COLORS = {"attention": palette.QUERY, "mlp": palette.EMBEDDING}
BLOCK_NAMES = {"attention": "Attention", "mlp": "MLP"}


def embedding_strip(
    values: np.ndarray | None, cells: int, scale: float, width: float, height: float
) -> VGroup:
    """One vector as a column of ``cells`` coloured cells (``values=None``: schematic)."""
    h = height / cells
    strip = VGroup()
    for c in range(cells):
        cell = Rectangle(width=width, height=h).shift(DOWN * c * h)
        if values is None:
            cell.set_stroke(palette.DIM_TEXT, 1, opacity=0.6).set_fill(opacity=0)
        else:
            color = palette.value_color(values[c], scale)
            cell.set_stroke(palette.NEUTRAL, 0.5).set_fill(color, 1.0)
        strip.add(cell)
    return strip


class Block(VGroup):
    """One block of a layer: a rounded slab with its name ("Attention" or "MLP")."""

    def __init__(
        self, kind: str, width: float, height: float, font_size: float = palette.BODY
    ) -> None:
        color = BLOCK_COLORS[kind]
        self.kind = kind
        self.slab = RoundedRectangle(corner_radius=0.12, width=width, height=height)
        self.slab.set_stroke(color, 2.5).set_fill(color, 0.15)
        self.name = literal(BLOCK_NAMES[kind], font_size=font_size, color=color).move_to(self.slab)
        super().__init__(self.slab, self.name)


class BlockStack(VGroup):
    """Levels of embedding strips and the blocks between them, bottom to top.

    Parameters
    ----------
    xs
        x position of each token's strip (for example above each token's box).
    levels
        One entry per level, bottom first: an ``(n_tokens, cells)`` array of the entries
        to draw, or ``None`` for a schematic level. ``len(levels) == len(blocks) + 1``.
    blocks
        ``"attention"`` or ``"mlp"`` for each block, bottom first.
    scale
        Magnitude drawn at full brightness (the same for every level, so changes show).
    """

    def __init__(
        self,
        xs: Sequence[float],
        levels: Sequence[np.ndarray | None],
        blocks: Sequence[str],
        *,
        scale: float,
        strip_width: float = 0.3,
        strip_height: float = 0.6,
        block_height: float = 0.5,
        gap: float = 0.15,
        cells: int | None = None,
    ) -> None:
        super().__init__()
        if len(levels) != len(blocks) + 1:
            raise ValueError("a stack needs one more level than blocks")
        real = [np.asarray(level) for level in levels if level is not None]
        if any(level.shape[0] != len(xs) for level in real):
            raise ValueError("every level needs one row of entries per token")
        self.cells = cells or (real[0].shape[1] if real else 8)
        self.levels_data = list(levels)
        left, right = min(xs) - strip_width, max(xs) + strip_width
        width = right - left
        self.levels = VGroup()
        self.blocks = VGroup()
        y = 0.0
        for index, values in enumerate(levels):
            level = VGroup(
                *(
                    embedding_strip(
                        None if values is None else values[t],
                        self.cells,
                        scale,
                        strip_width,
                        strip_height,
                    ).move_to([x, y, 0], aligned_edge=DOWN)
                    for t, x in enumerate(xs)
                )
            )
            self.levels.add(level)
            y += strip_height + gap
            if index < len(blocks):
                block = Block(blocks[index], width, block_height)
                block.move_to([(left + right) / 2, y + block_height / 2, 0])
                self.blocks.add(block)
                y += block_height + gap
        self.add(self.levels, self.blocks)

    def get_level(self, i: int) -> VGroup:
        """The strips of level ``i`` (0: the input embeddings), left to right."""
        return self.levels[i]

    def get_block(self, i: int) -> Block:
        return self.blocks[i]

    def is_schematic(self, i: int) -> bool:
        return self.levels_data[i] is None

    def pass_through(self, i: int, run_time: float = 2.0) -> Animation:
        """Block ``i`` appears, level ``i``'s strips move up through it and become level
        ``i + 1``'s."""
        moving = self.levels[i].copy()
        return LaggedStart(
            FadeIn(self.blocks[i], shift=UP * 0.1),
            ReplacementTransform(moving, self.levels[i + 1]),
            lag_ratio=0.6,
            run_time=run_time,
        )

    def highlight_token(self, t: int, levels: Sequence[int], color: ManimColor) -> VGroup:
        """Outlines around token ``t``'s strip at the given levels (to add or animate)."""
        return VGroup(
            *(
                Rectangle(
                    width=self.levels[i][t].width + 0.12, height=self.levels[i][t].height + 0.12
                )
                .move_to(self.levels[i][t])
                .set_stroke(color, 3)
                for i in levels
            )
        )
