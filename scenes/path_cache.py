"""A camera that keeps the cairo paths it has built, for mobjects drawn again with
the very same points.

ManimCE builds every drawn mobject's path afresh in each frame, one Python call per
Bézier curve, and that was a quarter of a chapter's render time. About half of the
points drawn in a chapter are drawn again unchanged (a label that fades, a grid
redrawn above a moving arrow): their path is looked up by its points instead. The
frames are the same (tests/test_redraw.py compares them pixel for pixel).
"""

from __future__ import annotations

from collections import OrderedDict

from manim import Camera

# Paths kept, counted in points (cairo keeps about 24 bytes a point): ~25 MB at most;
# the least recently used path goes first.
POINTS_KEPT = 1_000_000


class PathCachingCamera(Camera):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._paths: OrderedDict[tuple[int, int], object] = OrderedDict()
        self._points_kept = 0

    def set_cairo_context_path(self, ctx, vmobject):
        points = self.transform_points_pre_display(vmobject, vmobject.points)
        if len(points) == 0:
            return self
        key = (len(points), hash(points.tobytes()))
        path = self._paths.get(key)
        if path is not None:
            self._paths.move_to_end(key)
            ctx.new_path()
            ctx.append_path(path)
            return self
        super().set_cairo_context_path(ctx, vmobject)
        self._paths[key] = ctx.copy_path()
        self._points_kept += key[0]
        while self._points_kept > POINTS_KEPT:
            (count, _), _ = self._paths.popitem(last=False)
            self._points_kept -= count
        return self
