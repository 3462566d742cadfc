"""Fades that change opacities in place instead of copying the mobject.

manim's ``FadeIn`` / ``FadeOut`` deep-copy their mobject twice when they start. For a grid
of a few hundred text glyphs that costs about a second per copy, more than drawing all its
frames. :class:`FadeInPlace` scales every part's own fill and stroke opacity from 0 up to
what it was (or, with ``out=True``, down to 0 and then removes it and puts the opacities
back), so parts that were already dim stay dim relative to the rest.

Example::

    class Fades(Scene):
        def construct(self):
            grid = VGroup(*(Text(str(i)) for i in range(100))).arrange_in_grid(10, 10)
            self.play(FadeInPlace(grid))
            self.play(FadeInPlace(grid, out=True))
"""

from __future__ import annotations

import numpy as np
from manim import Animation, Mobject, VMobject

_CHANNELS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class FadeInPlace(Animation):
    """Fade ``mobject`` in (or out, with ``out=True``) without copying it."""

    # No point moves: a frame redraws only what lies where the mobject is
    # (render_speed.redraw).
    stays_in_place = True

    def __init__(self, mobject: Mobject, out: bool = False, **kwargs) -> None:
        self.out = out
        self._alphas: list[tuple[VMobject, str, np.ndarray]] = []
        super().__init__(mobject, introducer=not out, remover=out, **kwargs)

    def begin(self) -> None:
        self._alphas = [
            (part, channel, getattr(part, channel)[:, 3].copy())
            for part in self.mobject.get_family()
            if isinstance(part, VMobject)
            for channel in _CHANNELS
        ]
        super().begin()

    def create_starting_mobject(self) -> Mobject:
        return self.mobject  # nothing reads the starting state: no copy needed

    def interpolate_mobject(self, alpha: float) -> None:
        faded = self.rate_func(alpha)  # how far the fade has gone, by the rate function
        self._show(1.0 - faded if self.out else faded)

    def _show(self, visible: float) -> None:
        """Every part at ``visible`` times its own opacity."""
        for part, channel, original in self._alphas:
            getattr(part, channel)[:, 3] = original * visible

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        if self.out:
            self._show(1.0)  # removed from the scene: opacities as they were


class FadeOutInPlace(FadeInPlace):
    """Fade ``mobject`` out and remove it, without copying it."""

    def __init__(self, mobject: Mobject, **kwargs) -> None:
        super().__init__(mobject, out=True, **kwargs)
