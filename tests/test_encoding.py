"""A held picture encoded once, as one long frame (scenes/encoding.py): the video
lasts as long as ManimCE's, shows at every instant the picture manim drew for that
instant, as faithfully as x264 encodes any frame, and holds fewer frames."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
from manim import Circle, FadeIn, Scene, Square, tempconfig
from manim.scene.video_segment_encoder import VideoSegmentEncoder

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


def shown_pictures(data: bytes, fps: int) -> tuple[list[np.ndarray], int, float]:
    """The picture on screen at each instant k / fps, the number of encoded frames,
    and the duration (seconds) of the video in ``data``."""
    with av.open(io.BytesIO(data)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base)
        decoded = [(f.time, f.to_ndarray(format="rgb24")) for f in container.decode(video=0)]
    shown = []
    for k in range(round(duration * fps)):
        now = k / fps + 1e-6
        shown.append([picture for time, picture in decoded if time <= now][-1])
    return shown, len(decoded), duration


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(float) - b) ** 2))
    return np.inf if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.mark.parametrize("quality, fps", [("low_quality", 15), ("medium_quality", 30)])
def test_held_pictures_are_shown_as_long_as_manim_holds_them(
    tmp_path, quality, fps, monkeypatch
):
    try:
        encoding.uninstall()
        theirs, their_frames, their_duration = shown_pictures(_render(tmp_path / "m", quality), fps)
    finally:
        encoding.install()
    drawn = []  # the pictures manim gave the encoder, one per video frame
    calls = []
    write = VideoSegmentEncoder.write_frame

    def recording(self, pixels, *, repeat=1):
        drawn.extend([pixels[..., :3]] * repeat)
        calls.append(repeat)
        return write(self, pixels, repeat=repeat)

    monkeypatch.setattr(VideoSegmentEncoder, "write_frame", recording)
    ours, our_frames, our_duration = shown_pictures(_render(tmp_path / "ours", quality), fps)

    assert our_duration == their_duration
    assert len(ours) == len(theirs) == their_frames == len(drawn)
    # each wait is one encoded frame
    assert calls.count(1) < len(calls) and our_frames == len(calls) < their_frames
    first = [s for s, repeat in zip(np.cumsum([0, *calls]), calls) for _ in range(repeat)]
    for k, picture in enumerate(ours):
        # the first picture of its write, decoded exactly as from ManimCE's video
        # (the held picture is that segment's first frame in both)
        assert np.array_equal(picture, theirs[first[k]]), f"instant {k}"
        # which is the picture drawn for the instant, faithfully encoded
        assert np.array_equal(drawn[first[k]], drawn[k]) and _psnr(picture, drawn[k]) > 40
