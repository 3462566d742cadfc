"""FadeInPlace: fades opacities in place, following its rate function, and puts a faded-out
mobject's opacities back when it leaves."""

from __future__ import annotations

import numpy as np
from manim import Square, linear
from manim.utils.rate_functions import smooth, squish_rate_func

from scenes.components.fade_in_place import FadeInPlace, FadeOutInPlace


def _square() -> Square:
    return Square().set_fill(opacity=0.6).set_stroke(opacity=0.8)


def _opacities(mob) -> tuple[float, float]:
    return float(mob.fill_rgbas[0, 3]), float(mob.stroke_rgbas[0, 3])


def test_a_fade_in_scales_each_opacity_by_its_rate_function():
    square = _square()
    fade = FadeInPlace(square, rate_func=linear)
    fade.begin()
    fade.interpolate(0.25)
    np.testing.assert_allclose(_opacities(square), (0.15, 0.2))
    fade.interpolate(1.0)
    np.testing.assert_allclose(_opacities(square), (0.6, 0.8))


def test_a_squished_fade_in_waits_and_a_squished_fade_out_is_over_by_half_time():
    """The caption's hand-over: the old one gone before the new one starts."""
    old, new = _square(), _square()
    out = FadeOutInPlace(old, rate_func=squish_rate_func(smooth, 0.0, 0.5))
    into = FadeInPlace(new, rate_func=squish_rate_func(smooth, 0.5, 1.0))
    for fade in (out, into):
        fade.begin()
    for alpha in np.linspace(0, 1, 21):
        out.interpolate(alpha)
        into.interpolate(alpha)
        assert min(_opacities(old)[0], _opacities(new)[0]) < 1e-9, alpha
    assert _opacities(old)[0] == 0 and _opacities(new)[0] == 0.6


def test_a_faded_out_mobject_gets_its_opacities_back_when_it_leaves():
    class Stage:
        def remove(self, *mobs):
            pass

    square = _square()
    out = FadeOutInPlace(square, rate_func=squish_rate_func(smooth, 0.0, 0.5))
    out.begin()
    out.interpolate(1.0)
    assert _opacities(square) == (0.0, 0.0)
    out.clean_up_from_scene(Stage())
    np.testing.assert_allclose(_opacities(square), (0.6, 0.8))
