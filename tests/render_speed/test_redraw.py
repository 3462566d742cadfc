"""Redrawing only what animations change (render_speed/redraw.py), with paths kept for
unchanged points (render_speed/path_cache.py) and the other speed-ups on, gives the
very frames that ManimCE alone gives (its rule: redraw everything drawn after the
first animated mobject, build every path afresh)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest
from manim import (
    BLUE,
    DOWN,
    LEFT,
    RED,
    RIGHT,
    UP,
    Camera,
    Circle,
    Create,
    FadeIn,
    FadeOut,
    Rotate,
    Square,
    Transform,
    UpdateFromAlphaFunc,
)
from manim.renderer.cairo_renderer import CairoRenderer
from render_helpers import render_default

import render_speed
from scenes.chapter import ChapterScene
from scenes.order import CHAPTERS


def _frames(scene_cls, monkeypatch, manims_rule: bool) -> list[np.ndarray]:
    frames: list[np.ndarray] = []
    original = CairoRenderer.add_frame

    def keep(self, frame, num_frames=1):
        frames.append(np.array(frame))
        return original(self, frame, num_frames)

    with monkeypatch.context() as mp:
        mp.setattr(CairoRenderer, "add_frame", keep)
        if manims_rule:  # the speed-ups off: ManimCE's camera, rule and code
            mp.setenv(render_speed.OPT_OUT, "1")
            render_speed.uninstall()
        scene = render_default(scene_cls, pixel_width=256, pixel_height=144, frame_rate=4)
    camera = type(scene.renderer.camera)
    assert (camera is Camera) if manims_rule else issubclass(camera, render_speed.PathCachingCamera)
    return frames


def _same(ours: list[np.ndarray], manims: list[np.ndarray]) -> None:
    assert len(ours) == len(manims) > 10
    for n, (a, b) in enumerate(zip(ours, manims, strict=True)):
        assert np.array_equal(a, b), f"frame {n} differs in {int((a != b).any(-1).sum())} pixels"


class Overlaps(ChapterScene):
    """Static shapes below, above and beside animated ones; each kind of animation."""

    def construct(self):
        below, above = Square(2).set_fill(BLUE, 0.5), Square(1).set_fill(RED, 0.5)
        beside = Circle(0.5).shift(4 * LEFT)
        moving = Circle(0.8, color=RED).shift(0.5 * UP)
        cover = Square(1.2).set_fill(BLUE, 0.7).shift(2 * DOWN).set_z_index(5)  # above all
        self.add(below, moving, above, beside, cover)
        self.play(Transform(moving, Square(0.5).shift(3 * RIGHT)), run_time=1)
        self.play(FadeOut(below), Create(Circle(1.5)), run_time=1)
        self.play(Rotate(above, 1.0), run_time=1)  # an arc: ManimCE's rule
        self.play(UpdateFromAlphaFunc(beside, lambda m, a: m.set_fill(BLUE, a)), run_time=1)
        self.play(FadeIn(Square(0.3).shift(2 * DOWN), shift=UP), run_time=1)


def test_overlapping_shapes_are_drawn_as_manim_draws_them(monkeypatch):
    _same(_frames(Overlaps, monkeypatch, False), _frames(Overlaps, monkeypatch, True))


@pytest.mark.parametrize("ch", CHAPTERS, ids=lambda ch: ch.scene)
def test_chapter_frames_are_unchanged(ch, monkeypatch):
    scene_cls = getattr(importlib.import_module(f"scenes.{ch.module}"), ch.scene)
    _same(_frames(scene_cls, monkeypatch, False), _frames(scene_cls, monkeypatch, True))


def test_chapters_draw_with_the_path_caching_camera(monkeypatch):
    from render_speed.path_cache import PathCachingCamera

    scene = render_default(Overlaps, pixel_width=320, pixel_height=180, frame_rate=5)
    assert isinstance(scene.renderer.camera, PathCachingCamera) and scene.renderer.camera._paths


def test_path_cache_stays_within_its_budget(monkeypatch):
    from render_speed import path_cache

    monkeypatch.setattr(path_cache, "POINTS_KEPT", 200)
    scene = render_default(Overlaps, pixel_width=320, pixel_height=180, frame_rate=5)
    camera = scene.renderer.camera
    assert 0 < camera._points_kept <= 200
    assert camera._points_kept == sum(count for count, _ in camera._paths)
