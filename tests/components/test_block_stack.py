"""Block stack: strips are coloured from the real entries (schematic where nothing was
computed), sit over their tokens, and a pass through a block leaves the next level on screen."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Scene
from render_helpers import render_scene

from scenes.components import palette
from scenes.components.block_stack import BlockStack

XS = [-2.0, -0.5, 1.0]
E = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0], [2.0, 2.0, -2.0]])  # (tokens, cells)


def make_stack() -> BlockStack:
    return BlockStack(XS, [E, E + 1.0, None], ["attention", "mlp"], scale=3.0)


def test_strips_follow_values_and_tokens():
    stack = make_stack()
    for level, values in ((0, E), (1, E + 1.0)):
        for t, strip in enumerate(stack.get_level(level)):
            assert strip.get_x() == pytest.approx(XS[t])
            fills = [cell.get_fill_color().to_hex() for cell in strip]
            assert fills == [palette.value_color(v, 3.0).to_hex() for v in values[t]]
    assert stack.is_schematic(2) and not stack.is_schematic(1)
    assert all(cell.get_fill_opacity() == 0 for strip in stack.get_level(2) for cell in strip)


def test_levels_and_blocks_alternate_bottom_to_top():
    stack = make_stack()
    ys = [
        stack.get_level(0).get_y(),
        stack.get_block(0).get_y(),
        stack.get_level(1).get_y(),
        stack.get_block(1).get_y(),
        stack.get_level(2).get_y(),
    ]
    assert ys == sorted(ys)
    assert [b.kind for b in stack.blocks] == ["attention", "mlp"]
    for k, block in enumerate(stack.blocks):  # strips stay clear of the blocks around them
        assert stack.get_level(k).get_top()[1] < block.get_bottom()[1]
        assert block.get_top()[1] < stack.get_level(k + 1).get_bottom()[1]


def test_shapes_are_checked():
    with pytest.raises(ValueError):
        BlockStack(XS, [E], ["attention"], scale=1.0)
    with pytest.raises(ValueError):
        BlockStack(XS, [E[:2], None], ["attention"], scale=1.0)


class _Pass(Scene):
    def construct(self):
        self.stack = make_stack()
        self.add(self.stack.get_level(0))
        self.play(self.stack.pass_through(0))


def test_pass_through_leaves_block_and_next_level_on_screen():
    scene = render_scene(_Pass)
    on_screen = scene.get_mobject_family_members()
    assert scene.stack.get_block(0) in on_screen
    assert all(strip in on_screen for strip in scene.stack.get_level(1))
    assert not any(strip in on_screen for strip in scene.stack.get_level(2))
