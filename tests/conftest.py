"""Shared fixtures. Heavy objects (traces at GPT-3 size) are built once per session."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The project folder on the path, whichever folder pytest runs from: otherwise the
# folder of the speed-ups' tests, tests/render_speed/, would be taken for the package
# render_speed/ itself (a folder without __init__.py found first on the path).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Before numpy loads: OpenBLAS starts one spinning thread per core, and on a machine shared
# with other renders those threads contend (a GPT-3-size trace took ~5x longer). One thread
# is as fast on an idle machine.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import pytest  # noqa: E402

from attention_math import build_trace, build_traces, load_example  # noqa: E402
from attention_math.dims import ModelDims  # noqa: E402

SMALL = ModelDims(
    name="small", d_model=1024, d_head=32, n_heads=4, n_layers=2, vocab_size=100, d_mlp=64
)


@pytest.fixture(scope="session", autouse=True)
def _private_media_dir(tmp_path_factory):
    """Tests draw text at 192 x 108 pixels, and manim caches drawn text under a name that
    ignores the video size: keep that cache out of the project's media/ folder, where a
    user's later renders would pick it up."""
    from manim import config

    before = config.media_dir
    config.media_dir = str(tmp_path_factory.mktemp("media"))
    yield
    config.media_dir = before


@pytest.fixture(scope="session", autouse=True)
def _private_cache_dir(tmp_path_factory):
    """Glyph sheets cached by the tests (and the renders they start) stay out of the
    user's ~/.cache: the suite checks drawing them, not an old copy."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("cache")))
        yield


@pytest.fixture(autouse=True)
def _speed_ups_as_found():
    """Every test leaves the ManimCE speed-ups (render_speed) on or off as it found
    them: some switch them on or off to compare with ManimCE's own code."""
    from render_speed import bounds, corners, encoding, movie_file

    modules = (bounds, corners, encoding, movie_file)
    before = [module.installed() for module in modules]
    yield
    for module, was_on in zip(modules, before):
        (module.install if was_on else module.uninstall)()


@pytest.fixture(scope="session")
def fluffy_trace():
    return build_trace(load_example("fluffy-creature"))


@pytest.fixture(scope="session")
def translation_trace():
    return build_trace(load_example("translation"))


@pytest.fixture(scope="session")
def mole_traces():
    return build_traces(load_example("mole"))
