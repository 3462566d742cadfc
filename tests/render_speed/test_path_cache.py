"""The camera's own path builder (render_speed/path_cache.py) gives the very cairo path
that ManimCE's ``Camera.set_cairo_context_path`` builds: checked element by element on
labels, shapes and random point sets with every kind of joint (exact, within and
beyond the tolerance, closed or not) and point counts that are not whole curves."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Camera, Circle, RoundedRectangle, VMobject

from render_speed.path_cache import build_path
from scenes.components.labels import literal


@pytest.fixture(scope="module")
def camera_and_context():
    camera = Camera(pixel_width=160, pixel_height=90)
    return camera, camera.get_cairo_context(camera.pixel_array)


def _paths(camera_and_context, mob: VMobject) -> tuple[list, list]:
    camera, ctx = camera_and_context
    ctx.new_path()
    Camera.set_cairo_context_path(camera, ctx, mob)  # ManimCE's own
    manims = list(ctx.copy_path())
    ctx.new_path()
    build_path(ctx, camera.transform_points_pre_display(mob, mob.points), mob)
    return list(ctx.copy_path()), manims


@pytest.mark.parametrize(
    "mob",
    [
        literal("Attention: 12,288 × 128", font_size=30),
        Circle(),
        RoundedRectangle(corner_radius=0.3),
        VMobject(),
    ],
    ids=["label", "circle", "rounded-rectangle", "empty"],
)
def test_shapes_get_manims_path(camera_and_context, mob):
    for member in mob.family_members_with_points() or [mob]:
        ours, manims = _paths(camera_and_context, member)
        assert ours == manims


def _random_points(rng) -> np.ndarray:
    """Subpaths of random curves whose joints and ends meet exactly, nearly (within
    or beyond the tolerance) or not at all, and sometimes a few points past the last
    whole curve."""
    shifts = [0.0, 0.0, 1e-7, 5e-7, 1e-6, 2e-6, 1e-5, -1e-6, 1e-3]
    scale = rng.choice([0.01, 1.0, 100.0])
    parts = []
    for _ in range(int(rng.integers(0, 5))):
        curves = rng.normal(size=(int(rng.integers(1, 6)), 4, 3)) * scale
        curves[1:, 0] = curves[:-1, 3] + rng.choice(shifts)  # joints inside the subpath
        if rng.random() < 0.5:  # back to where it started
            curves[-1, 3] = curves[0, 0] + rng.choice(shifts)
        if parts and rng.random() < 0.3:  # starts near where the previous one ended
            curves[0, 0] = parts[-1][-1] + rng.choice(shifts)
        parts.append(curves.reshape(-1, 3))
    points = np.vstack(parts) if parts else np.zeros((0, 3))
    extra = int(rng.integers(0, 4)) if rng.random() < 0.4 else 0
    if extra:
        tail = rng.normal(size=(extra, 3)) * scale
        if len(points) and rng.random() < 0.5:
            tail[0] = points[-1] + rng.choice(shifts)
        points = np.vstack([points, tail])
    return points


def test_random_joints_get_manims_path(camera_and_context):
    rng = np.random.default_rng(7)
    compared = closed = subpaths = 0
    for _ in range(400):
        mob = VMobject()
        mob.points = _random_points(rng)
        ours, manims = _paths(camera_and_context, mob)
        assert ours == manims, f"{len(mob.points)} points"
        compared += bool(manims)
        closed += sum(kind == 3 for kind, _ in manims)  # CLOSE_PATH elements
        subpaths += sum(kind == 0 for kind, _ in manims)  # MOVE_TO elements
    assert compared > 250 and closed > 150 and subpaths > 500  # the cases above were met
