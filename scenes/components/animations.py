"""Small animation helpers shared by the components.

Example::

    label = literal("Query")
    self.play(Succession(Wait(1), reveal(label)))
"""

from __future__ import annotations

from manim import Animation, AnimationGroup, Mobject, Transform, Wait


def reveal(mob: Mobject, **kwargs) -> Animation:
    """Fade ``mob`` in; safe as a later step of a ``Succession``.

    Manim adds every mobject of a ``Succession`` to the scene when it starts, so a
    plain ``FadeIn`` in a later step would show its mobject too early. Here ``mob``
    is made invisible at once and turns back into its current look when the step
    runs.
    """
    target = mob.copy()
    mob.set_opacity(0)
    return Transform(mob, target, **kwargs)


def together(animations: list[Animation], lag_ratio: float = 0.0, **kwargs) -> Animation:
    """Play ``animations`` as one (staggered by ``lag_ratio``); a short pause if there are
    none, so that a method can always return something playable (a one-token sentence
    has no arcs, no masked cells, no earlier tokens...)."""
    if not animations:
        return Wait(kwargs.get("run_time", 0.3))
    return AnimationGroup(*animations, lag_ratio=lag_ratio, **kwargs)
