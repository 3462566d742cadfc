"""Which mobjects to redraw in every frame of an animation.

ManimCE draws the mobjects that stay still once into a background image and
redraws the rest each frame. It counts as "moving" every mobject drawn after the
first animated one, overlapping it or not: fading a heading that was added at the
start of a chapter redraws the whole screen for every frame of the fade.

:func:`moving_members` redraws only what can change the picture: the animated
mobjects, and those drawn above them whose bounding boxes meet the region the
animated ones sweep (from where they start to where they end). Animations whose
path is not known in advance (updaters, ``UpdateFromAlphaFunc``, arcs) fall back
to ManimCE's rule. An animation class that changes only colours and opacities, never
points, says so with a class attribute ``stays_in_place = True`` (the fades of
``scenes.components.fade_in_place`` do): it sweeps only where its mobject is. The
frames are the same as ManimCE's (tests/render_speed/test_redraw.py compares them
pixel for pixel).

:class:`ChapterScene <scenes.chapter.ChapterScene>` asks :func:`moving_members` when
the speed-ups are on (see :mod:`render_speed`); it replaces nothing of ManimCE's.
"""

from __future__ import annotations

import numpy as np
from manim import (
    Animation,
    AnimationGroup,
    DrawBorderThenFill,
    Mobject,
    ShowPartial,
    Succession,
    Transform,
    Wait,
)
from manim.utils.family import extract_mobject_family_members

MARGIN = 0.15  # frame units around every box: strokes are drawn half outside the points


class _Unknown(Exception):
    """An animation whose swept region is not known in advance."""


def _box(mob: Mobject) -> np.ndarray | None:
    points = [m.points for m in mob.family_members_with_points()]
    if not points:
        return None
    allpoints = np.vstack(points)
    return np.array([allpoints.min(axis=0)[:2], allpoints.max(axis=0)[:2]])


def _swept(anim: Animation) -> list[np.ndarray]:
    """Boxes covering everywhere ``anim`` draws during its run."""
    if isinstance(anim, Wait):
        return []
    if isinstance(anim, Succession):  # begins its parts later, from states not known yet
        raise _Unknown
    if isinstance(anim, AnimationGroup):  # also LaggedStart
        return [box for sub in anim.animations for box in _swept(sub)]
    if getattr(anim, "stays_in_place", False):  # only colours and opacities change
        return _hull(anim.mobject)
    if isinstance(anim, Transform):
        if anim.path_arc or not hasattr(anim, "target_copy"):  # arcs; not begun
            raise _Unknown
        # points move on straight lines from start to end: one box holds the way
        return _hull(anim.mobject, anim.starting_mobject, anim.target_copy)
    if isinstance(anim, (ShowPartial, DrawBorderThenFill)):  # Create, Write, ...
        # drawn part by part: within the whole (at the start the drawn part is empty,
        # its points all in one place; the starting copy has them all)
        if not hasattr(anim, "starting_mobject"):
            raise _Unknown
        return _hull(anim.mobject, anim.starting_mobject, getattr(anim, "outline", None))
    raise _Unknown


def _hull(*mobjects: Mobject | None) -> list[np.ndarray]:
    boxes = [b for b in (_box(m) for m in mobjects if m is not None) if b is not None]
    if not boxes:
        return []
    both = np.vstack(boxes)
    return [np.array([both.min(axis=0), both.max(axis=0)])]


def moving_members(scene, animations: tuple[Animation, ...]) -> list[Mobject] | None:
    """The members (with points) to redraw each frame, or None for ManimCE's rule."""
    if scene.foreground_mobjects or any(m.updaters for m in scene.get_mobject_family_members()):
        return None
    try:
        region = [box for anim in animations for box in _swept(anim)]
    except _Unknown:
        return None
    animated = {id(member) for anim in animations for member in _animated_family(anim)}
    # in the order the camera draws them
    members = extract_mobject_family_members(
        scene.mobjects, use_z_index=scene.renderer.camera.use_z_index, only_those_with_points=True
    )
    moving: list[Mobject] = []
    boxes = [b + [[-MARGIN, -MARGIN], [MARGIN, MARGIN]] for b in region]
    started = False
    for member in members:
        if id(member) in animated:
            started = True
            moving.append(member)
            continue
        if not started:
            continue  # drawn before anything that moves: part of the background
        box = _box(member)
        if box is not None and any(_meet(box, other) for other in boxes):
            # drawn above a moving mobject that it may cover: redraw it on top,
            # and redraw whatever is drawn above it and overlaps it too
            moving.append(member)
            boxes.append(box + [[-MARGIN, -MARGIN], [MARGIN, MARGIN]])
    # Nothing drawn moves (a wait): the animations' own empty mobjects, as ManimCE
    # returns; an empty list would make the renderer draw everything again.
    return moving or [anim.mobject for anim in animations]


def _animated_family(anim: Animation) -> list[Mobject]:
    members = list(anim.mobject.get_family())
    if isinstance(anim, AnimationGroup):
        for sub in anim.animations:
            members.extend(_animated_family(sub))
    return members


def _meet(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(a[0] <= b[1]) and np.all(b[0] <= a[1]))
