"""The speed-ups are switched on by a render, never by an import; install() and
uninstall() change exactly the methods listed in tested_against.py; the opt-out
variable and an untested ManimCE or PyAV leave ManimCE's own code in place (with one
warning for the versions); every part of ManimCE's inside they rely on exists."""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import av
import manim
import pytest
from manim import Camera, FadeIn, Square
from render_helpers import render_default

import render_speed
from render_speed import tested_against
from render_speed.tested_against import ADDED, INTERNAL, PRIVATE, REPLACED, resolve
from scenes.chapter import ChapterScene

ROOT = Path(__file__).resolve().parents[2]


def _methods() -> dict[tuple[str, str], object]:
    """The replaceable methods as they are now."""
    return {(t.owner, t.name): getattr(resolve(t.owner), t.name) for t in REPLACED}


ORIGINALS = _methods()  # importing everything the tests import changed nothing


class Probe(ChapterScene):
    """Notes, while it renders, whether the speed-ups are on."""

    def construct(self):
        self.seen = {
            "installed": render_speed.installed(),
            "methods": _methods(),
            "camera": type(self.renderer.camera),
        }
        self.play(FadeIn(Square()), run_time=0.5)


def test_importing_the_scenes_and_components_changes_nothing_of_manim():
    # In a fresh process: ManimCE's methods noted before anything of the project is
    # imported, then after importing this package, the chapter bases, every component
    # and every chapter.
    script = f"""
import importlib, pkgutil

def resolve(owner):
    module, _, name = owner.partition(":")
    target = importlib.import_module(module)
    return getattr(target, name) if name else target

REPLACED = {[(t.owner, t.name) for t in REPLACED]!r}
before = {{key: getattr(resolve(key[0]), key[1]) for key in REPLACED}}
import render_speed, scenes.chapter, scenes.lesson, scenes.components
for module in pkgutil.iter_modules(scenes.components.__path__):
    importlib.import_module("scenes.components." + module.name)
from scenes.order import CHAPTERS
for chapter in CHAPTERS:
    chapter.load()
changed = [key for key in REPLACED if getattr(resolve(key[0]), key[1]) is not before[key]]
print("changed", changed, render_speed.installed())
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.splitlines()[-1] == "changed [] False"


def test_install_changes_exactly_the_listed_methods_and_uninstall_puts_them_back():
    owners = {t.owner: resolve(t.owner) for t in REPLACED}
    render_speed.uninstall()
    before = {owner: dict(vars(cls)) for owner, cls in owners.items()}
    assert render_speed.install() and render_speed.installed()
    changed = {
        (owner, name)
        for owner, cls in owners.items()
        for name, value in vars(cls).items()
        if before[owner].get(name) is not value
    }
    assert changed == {(t.owner, t.name) for t in REPLACED}
    render_speed.uninstall()
    assert not render_speed.installed()
    assert {owner: dict(vars(cls)) for owner, cls in owners.items()} == before
    assert _methods() == ORIGINALS


def test_a_chapter_switches_them_on_while_it_renders():
    render_speed.uninstall()
    scene = render_default(Probe)
    assert scene.seen["installed"] and scene.speed_ups
    assert issubclass(scene.seen["camera"], render_speed.PathCachingCamera)
    assert all(scene.seen["methods"][key] is not ORIGINALS[key] for key in ORIGINALS)
    # and off again after: they were off before
    assert not render_speed.installed() and _methods() == ORIGINALS


def test_a_chapter_leaves_them_on_when_they_were_on():
    render_speed.install()
    render_default(Probe)
    assert render_speed.installed()


@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_opt_out_leaves_manims_own_code(monkeypatch, value):
    render_speed.uninstall()
    monkeypatch.setenv(render_speed.OPT_OUT, value)
    assert not render_speed.install() and not render_speed.installed()
    scene = render_default(Probe)
    assert not scene.seen["installed"] and not scene.speed_ups
    assert scene.seen["camera"] is Camera  # ManimCE's own camera and redraw rule
    assert scene.seen["methods"] == ORIGINALS and _methods() == ORIGINALS


def test_an_empty_or_zero_opt_out_is_no_opt_out(monkeypatch):
    for value in ("", "0"):
        monkeypatch.setenv(render_speed.OPT_OUT, value)
        assert render_speed.usable()


@pytest.mark.parametrize("package, version", [(manim, "0.23.0"), (av, "17.0.0")])
def test_untested_versions_warn_once_and_leave_manims_own_code(
    monkeypatch, capsys, package, version
):
    render_speed.uninstall()
    monkeypatch.setattr(render_speed, "_warned", False)
    monkeypatch.setattr(package, "__version__", version)
    assert not render_speed.install() and not render_speed.installed()
    scene = render_default(Probe)
    assert not scene.seen["installed"] and scene.seen["camera"] is Camera
    assert _methods() == ORIGINALS
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "speed-ups" in line]
    assert len(warnings) == 1, err  # once, on one line
    name = package.__name__
    assert warnings[0].startswith("attention: warning:")
    assert f"{name} {version}" in warnings[0]
    assert f"{name} {tested_against.TESTED[name]}" in warnings[0]


def test_the_tested_versions_are_the_installed_ones():
    # the project pins them (requirements.lock); a new pin means testing them anew
    assert tested_against.untested() == {}
    assert render_speed.usable()


def _in_manim(owner: str, name: str) -> bool:
    """``name`` is an attribute of ``owner`` or one its code sets on an instance."""
    target = resolve(owner)
    if hasattr(target, name):
        return True
    classes = inspect.getmro(target) if inspect.isclass(target) else ()
    pattern = re.compile(rf"self\.{re.escape(name)}\b")
    return any(pattern.search(inspect.getsource(cls)) for cls in classes if cls is not object)


@pytest.mark.parametrize(
    "touched", [*REPLACED, *PRIVATE, *INTERNAL], ids=lambda t: f"{t.owner}.{t.name}"
)
def test_every_part_of_manim_relied_on_exists(touched):
    assert _in_manim(touched.owner, touched.name)
    assert touched.why


@pytest.mark.parametrize("touched", ADDED, ids=lambda t: t.name)
def test_the_names_added_are_not_manims(touched):
    assert touched.name.startswith("_") and not _in_manim(touched.owner, touched.name)


def test_each_part_is_listed_once():
    keys = [(t.owner, t.name) for t in (*REPLACED, *PRIVATE, *ADDED, *INTERNAL)]
    assert len(keys) == len(set(keys))
