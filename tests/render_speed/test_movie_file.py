"""A chapter's movie joined from its section videos (render_speed/movie_file.py) holds
the very packets, at the very times, that ManimCE's join of every animation's file
gives; the section videos and their index are ManimCE's own."""

from __future__ import annotations

import json

import av
import pytest
from manim import RIGHT, Circle, FadeIn, FadeOut, Scene, Square, tempconfig

from render_speed import encoding, movie_file


class Beats(Scene):
    def construct(self):
        square = Square()
        self.play(FadeIn(square), run_time=0.4)  # before any section: "autocreated"
        self.next_section("first")
        self.wait(0.5)  # a held picture (render_speed/encoding.py: one long frame)
        self.play(square.animate.shift(2 * RIGHT), run_time=0.4)
        self.next_section("empty")  # nothing in it: ManimCE drops it
        self.next_section("second")
        self.play(FadeIn(Circle()), run_time=0.3)
        self.wait(0.3)
        self.play(FadeOut(square), run_time=0.3)


def _render(folder, joined: bool):
    """(packets of the movie, section index) rendered with or without the module."""
    before = movie_file.installed(), encoding.installed()
    (movie_file.install if joined else movie_file.uninstall)()
    encoding.install()
    try:
        with tempconfig({"media_dir": str(folder), "quality": "low_quality",
                         "save_sections": True, "disable_caching": True,
                         "progress_bar": "none", "verbosity": "WARNING"}):  # fmt: skip
            scene = Beats()
            scene.render()
            writer = scene.renderer.file_writer
            with av.open(str(writer.movie_file_path)) as container:
                packets = [
                    (p.pts, p.dts, p.duration, p.is_keyframe, bytes(p))
                    for p in container.demux(video=0)
                    if p.size
                ]
            index = json.loads(writer.output_plan.section_index.read_text())
            assert getattr(writer, "_sections_joined", False) == joined
    finally:  # a module-scoped fixture: the autouse one does not run around it
        for module, was_on in zip((movie_file, encoding), before):
            (module.install if was_on else module.uninstall)()
    return packets, index


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    return (
        _render(tmp_path_factory.mktemp("joined"), joined=True),
        _render(tmp_path_factory.mktemp("manim"), joined=False),
    )


def test_movie_has_manims_packets(both):
    (ours, _), (manims, _) = both
    assert len(manims) > 10
    assert ours == manims


def test_sections_are_manims(both):
    (_, ours), (_, manims) = both
    assert [s["name"] for s in manims] == ["autocreated", "first", "second"]
    assert ours == manims
