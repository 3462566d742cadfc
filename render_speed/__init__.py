"""Faster drawing, encoding and joining for ManimCE, giving ManimCE's own pictures.

=================  ===============================================================
``redraw.py``      each frame redraws only the mobjects an animation can change
``path_cache.py``  a camera that reuses the cairo paths of points drawn before
``bounds.py``      the anchors that bound a VMobject gathered with numpy
``corners.py``     a polygon's rounded corners kept by its points
``encoding.py``    a held picture encoded once; only the changed rows converted
``movie_file.py``  a movie joined from its section videos
=================  ===============================================================

Each is tested to give what ManimCE gives (tests/render_speed/). Importing this
package changes nothing: the speed-ups are switched on for a render, by the render
pipeline in each of its render processes (video/worker.py) and by a
:class:`~scenes.chapter.ChapterScene` while it renders (:func:`switched_on`).

Four of them replace methods of ManimCE's classes for the whole process
(:func:`install`, :func:`uninstall`; the list is in tested_against.py). The camera and
the choice of what to redraw replace nothing: a ChapterScene uses them when
:func:`usable` says so, and ManimCE's own camera and rule otherwise.

They stay off, and ManimCE renders the video as it would alone, only more slowly, when

* the environment sets :data:`OPT_OUT` (``ATTENTION_NO_SPEEDUPS=1``), or
* ManimCE or PyAV is not at the version they were tested with
  (:data:`tested_against.TESTED`); a one-line warning on stderr says so, once.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

from attention_math.environment import NO_SPEEDUPS

from . import bounds, corners, encoding, movie_file, tested_against
from .path_cache import PathCachingCamera
from .redraw import moving_members

__all__ = [
    "OPT_OUT",
    "PathCachingCamera",
    "install",
    "installed",
    "moving_members",
    "switched_on",
    "uninstall",
    "usable",
]

OPT_OUT = NO_SPEEDUPS.name  # set (to anything but "" or "0"): the speed-ups stay off
_REPLACING = (encoding, movie_file, bounds, corners)  # the modules that replace methods
_warned = False


def opted_out() -> bool:
    """The environment asks for ManimCE's own code (:data:`OPT_OUT`)."""
    return (NO_SPEEDUPS.get() or "").strip() not in ("", "0")


def usable() -> bool:
    """Whether the speed-ups may be switched on in this process: not opted out, and
    ManimCE and PyAV at the versions tested. On other versions warns once (one line
    on stderr) and answers False."""
    if opted_out():
        return False
    untested = tested_against.untested()
    if untested:
        _warn_once(untested)
        return False
    return True


def _warn_once(untested: dict[str, str]) -> None:
    global _warned
    if _warned:
        return
    _warned = True
    tested = " and ".join(f"{name} {version}" for name, version in tested_against.TESTED.items())
    here = " and ".join(f"{name} {version}" for name, version in untested.items())
    print(
        f"attention: warning: the ManimCE speed-ups (render_speed) are off: they were "
        f"tested with {tested}, this is {here}; the video renders as ManimCE draws it, "
        "only more slowly",
        file=sys.stderr,
        flush=True,
    )


def install() -> bool:
    """Switch on, for every scene of this process, the speed-ups that replace methods
    of ManimCE; False (and nothing changed) where :func:`usable` says no."""
    if not usable():
        return False
    for module in _REPLACING:
        module.install()
    return True


def uninstall() -> None:
    """ManimCE's own methods again, all of them."""
    for module in _REPLACING:
        module.uninstall()


def installed() -> bool:
    """Whether every replacing speed-up is on."""
    return all(module.installed() for module in _REPLACING)


@contextlib.contextmanager
def switched_on() -> Iterator[bool]:
    """Within the block the speed-ups are on if :func:`usable` (yields whether they
    are); after it, each as it was before."""
    before = [module.installed() for module in _REPLACING]
    if all(before):
        yield True
        return
    on = install()
    try:
        yield on
    finally:
        if on:
            for module, was_on in zip(_REPLACING, before):
                if not was_on:
                    module.uninstall()
