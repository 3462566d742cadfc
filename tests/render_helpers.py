"""Render a scene for real, at a tiny size, inside the test process.

``manim.utils.testing.frames_comparison`` skips silently on this machine (it needs
cairo >= 1.18), so tests render scenes themselves under ``tempconfig`` and assert
on the final frame and on the scene's own objects.
"""

from __future__ import annotations

import numpy as np
from manim import tempconfig

TINY = {
    "pixel_width": 192,
    "pixel_height": 108,
    "frame_rate": 3,
    "disable_caching": True,
    "write_to_movie": False,
    "save_last_frame": False,
    "verbosity": "ERROR",
    "progress_bar": "none",
}


def render_scene(scene_cls, **overrides):
    """Construct and render ``scene_cls``; return the scene after rendering."""
    with tempconfig({**TINY, **overrides}):
        scene = scene_cls()
        scene.render()
    return scene


def last_frame(scene) -> np.ndarray:
    """The final frame as an (h, w, 4) uint8 array."""
    return np.asarray(scene.renderer.get_frame())


def scene_duration(scene) -> float:
    return float(scene.time)


EXAMPLE_ENV = ("ATTENTION_EXAMPLE", "ATTENTION_SENTENCE", "ATTENTION_SEED")


def render_default(scene_cls, **overrides):
    """Render ``scene_cls`` for the default example, whatever the caller's environment says."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        for name in EXAMPLE_ENV:
            mp.delenv(name, raising=False)
        return render_scene(scene_cls, **overrides)


def render_sentence(scene_cls, sentence: str, **overrides):
    """Render ``scene_cls`` for ``sentence`` (default seed), whatever the caller's
    environment says."""
    import pytest

    with pytest.MonkeyPatch.context() as mp:
        for name in EXAMPLE_ENV:
            mp.delenv(name, raising=False)
        mp.setenv("ATTENTION_SENTENCE", sentence)
        return render_scene(scene_cls, **overrides)


def assert_grid_fills_the_stage(grid, stage, width_share: float, note) -> None:
    """``grid`` lies in ``stage``, against its left side, as tall as the stage and at
    least ``width_share`` of its width; ``note`` sits right of it, inside the frame."""
    from manim import config

    assert stage.bottom <= grid.get_bottom()[1] and grid.get_top()[1] <= stage.top
    assert stage.left <= grid.get_left()[0]
    assert grid.height >= 0.95 * stage.height and grid.width >= width_share * stage.width
    assert note.get_left()[0] > grid.get_right()[0]
    assert note.get_right()[0] < config.frame_width / 2 - 0.2
