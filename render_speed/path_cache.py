"""A camera that keeps the cairo paths it has built, for mobjects drawn again with
the very same points, and builds the others with less Python per curve.

ManimCE builds every drawn mobject's path afresh in each frame, one Python call per
Bézier curve, and that was a quarter of a chapter's render time. About half of the
points drawn in a chapter are drawn again unchanged (a label that fades, a grid
redrawn above a moving arrow): their path is looked up by its points instead.

A path that must be built is built as ManimCE builds it: the same subpaths (split
where one curve's end is not close to the next one's start), the same coordinates,
closed where a subpath ends where it starts. ManimCE's loop takes about a
microsecond of Python per curve (a label's glyphs are one path of hundreds of
curves); here ``map`` makes the same cairo calls from columns of Python floats, in
less than half the time.

Around the path, each shape is drawn with ManimCE's cairo calls (background stroke,
fill, stroke) with its colours and widths read once instead of twice, shapes that
are fully transparent are skipped, and the kind of each mobject (ManimCE rebuilds
its table of drawable types for every mobject of every frame) is kept per class:
about 4 of a shape's 40 microseconds. The frames are the same
(tests/render_speed/test_redraw.py compares them pixel for pixel with ManimCE's camera;
tests/render_speed/test_path_cache.py the paths).

:class:`ChapterScene <scenes.chapter.ChapterScene>` draws with this camera when the
speed-ups are on (see :mod:`render_speed`); it replaces nothing of ManimCE's.
"""

from __future__ import annotations

from collections import OrderedDict, deque

import numpy as np
from manim import Camera, VMobject
from manim.camera.camera import CAP_STYLE_MAP, LINE_JOIN_MAP

# Paths kept, counted in points (cairo keeps about 24 bytes a point): ~25 MB at most;
# the least recently used path goes first.
POINTS_KEPT = 1_000_000


class PathCachingCamera(Camera):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._paths: OrderedDict[tuple[int, int], object] = OrderedDict()
        self._points_kept = 0
        self._kinds: dict[type, type] = {}

    def type_or_raise(self, mobject):
        """ManimCE's answer, kept per class: ManimCE builds its table of drawable
        types anew for every mobject of every frame."""
        kind = self._kinds.get(type(mobject))
        if kind is None:
            kind = self._kinds[type(mobject)] = super().type_or_raise(mobject)
        return kind

    def display_vectorized(self, vmobject, ctx):
        """ManimCE's drawing (background stroke, fill, stroke: the same cairo calls),
        with each colour and width read once instead of twice."""
        fill = vmobject.get_fill_rgbas()
        width = vmobject.get_stroke_width()
        stroke = vmobject.get_stroke_rgbas() if width else None
        back_width = vmobject.get_stroke_width(True)
        back = vmobject.get_stroke_rgbas(True) if back_width else None
        # Fully transparent (a fade's first frame, the parts of a lagged start not begun
        # yet, digits a count-up replaced): drawing it changes no pixel; a tenth of all
        # the shapes drawn in the video.
        if not (
            fill[:, 3].any()
            or (stroke is not None and stroke[:, 3].any())
            or (back is not None and back[:, 3].any())
        ):
            return self
        self.set_cairo_context_path(ctx, vmobject)
        if back is not None:
            self._stroke(ctx, vmobject, back_width, back)
        self._color(ctx, fill, vmobject)
        ctx.fill_preserve()
        if stroke is not None:
            self._stroke(ctx, vmobject, width, stroke)
        return self

    def _stroke(self, ctx, vmobject, width: float, rgbas: np.ndarray) -> None:
        """ManimCE's ``apply_stroke`` for a stroke that is drawn."""
        self._color(ctx, rgbas, vmobject)
        # ManimCE multiplies by frame_width / frame_width, which is exactly 1.0
        ctx.set_line_width(width * self.cairo_line_width_multiple)
        ctx.set_line_join(LINE_JOIN_MAP[vmobject.joint_type])
        ctx.set_line_cap(CAP_STYLE_MAP[vmobject.cap_style])
        ctx.stroke_preserve()

    def _color(self, ctx, rgbas: np.ndarray, vmobject) -> None:
        """ManimCE's ``set_cairo_context_color`` (cairo takes blue, green, red: the
        pixel array is RGBA where cairo writes BGRA), one colour read as floats."""
        if len(rgbas) == 1:
            red, green, blue, alpha = rgbas[0].tolist()
            ctx.set_source_rgba(blue, green, red, alpha)
        else:
            self.set_cairo_context_color(ctx, rgbas, vmobject)

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
        ctx.new_path()
        build_path(ctx, points, vmobject)
        self._paths[key] = ctx.copy_path()
        self._points_kept += key[0]
        while self._points_kept > POINTS_KEPT:
            (count, _), _ = self._paths.popitem(last=False)
            self._points_kept -= count
        return self


RTOL = 1.0e-5  # numpy.isclose's, which ManimCE's comparisons of points follow


def build_path(ctx, points: np.ndarray, vmobject: VMobject) -> None:
    """Add ``points`` (finite cubic Bézier points) to the path of ``ctx`` exactly as
    ``Camera.set_cairo_context_path`` of ManimCE 0.22 does: the same cairo calls with
    the same coordinates, made by ``map`` from columns of Python floats."""
    count = len(points)
    whole = count // 4  # whole curves; points after them only decide where paths end
    if whole == 0:
        return
    atol = vmobject.tolerance_for_point_equality

    def close(px: float, py: float, qx: float, qy: float) -> bool:  # q sets the tolerance
        return abs(px - qx) <= atol + RTOL * abs(qx) and abs(py - qy) <= atol + RTOL * abs(qy)

    curves = points[: 4 * whole, :2].reshape(whole, 8)  # x0 y0 x1 y1 x2 y2 x3 y3 per curve
    x0, y0, x1, y1, x2, y2, x3, y3 = curves.T.tolist()
    # a subpath ends before a curve that does not start where the previous one ends
    moved = np.flatnonzero((curves[:-1, 6] != curves[1:, 0]) | (curves[:-1, 7] != curves[1:, 1]))
    ends = [j + 1 for j in moved.tolist() if not close(x3[j], y3[j], x0[j + 1], y0[j + 1])]
    # the last subpath runs on to the last point, unless the points after the whole
    # curves do not go on from them (then they are a subpath too short to draw)
    last_x, last_y = points[count - 1, :2].tolist()
    if count > 4 * whole:
        next_x, next_y = points[4 * whole, :2].tolist()
        if not close(x3[-1], y3[-1], next_x, next_y):
            last_x, last_y = x3[-1], y3[-1]
    new_sub_path, move_to, curve_to = ctx.new_sub_path, ctx.move_to, ctx.curve_to
    draw = deque(maxlen=0).extend  # runs a map to its end, keeping nothing
    start = 0
    for end in (*ends, whole):
        new_sub_path()
        move_to(x0[start], y0[start])
        part = slice(start, end)
        draw(map(curve_to, x1[part], y1[part], x2[part], y2[part], x3[part], y3[part]))
        end_x, end_y = (x3[end - 1], y3[end - 1]) if end < whole else (last_x, last_y)
        if close(x0[start], y0[start], end_x, end_y):
            ctx.close_path()
        start = end
