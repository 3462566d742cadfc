"""A held frame converted once gives the very same video as ManimCE's per-frame
conversion (scenes/encoding.py)."""

from __future__ import annotations

import av
import numpy as np
from manim import Circle, FadeIn, Scene, Square, tempconfig

from scenes import encoding


class Holds(Scene):
    def construct(self):
        self.add(Square(color="#58c4dd").set_fill("#58c4dd", 0.5))
        self.wait(0.6)  # one held picture, repeated
        self.play(FadeIn(Circle(color="#fc6255")), run_time=0.4)
        self.wait(0.5)


def _render(folder, quality: str) -> bytes:
    with tempconfig({"media_dir": str(folder), "quality": quality, "disable_caching": True,
                     "progress_bar": "none", "verbosity": "WARNING"}):  # fmt: skip
        scene = Holds()
        scene.render()
        return scene.renderer.file_writer.movie_file_path.read_bytes()


def _frames(data: bytes) -> list[np.ndarray]:
    import io

    with av.open(io.BytesIO(data)) as container:
        return [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]


def test_held_frames_are_encoded_as_manim_encodes_them(tmp_path):
    try:
        encoding.uninstall()
        theirs = _render(tmp_path / "manim", "low_quality")
    finally:
        encoding.install()
    ours = _render(tmp_path / "ours", "low_quality")
    assert len(_frames(ours)) == 15 * 15 // 10  # 1.5 s at 15 fps
    assert ours == theirs
