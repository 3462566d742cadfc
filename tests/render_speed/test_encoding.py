"""A held picture encoded once, as one long frame (render_speed/encoding.py): the
video lasts as long as ManimCE's, shows at every instant the picture manim drew for
that instant, as faithfully as x264 encodes any frame, and holds fewer frames."""

from __future__ import annotations

import io

import av
import numpy as np
import pytest
from manim import DOWN, UP, Circle, FadeIn, Scene, Square, Wait, tempconfig
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from render_speed import encoding


class Holds(Scene):
    def construct(self):
        self.add(Square(color="#58c4dd").set_fill("#58c4dd", 0.5))
        self.wait(0.6)  # one held picture, repeated
        self.play(FadeIn(Circle(color="#fc6255")), run_time=0.4)
        self.wait(0.5)


class Moves(Scene):
    def construct(self):
        square = Square(color="#58c4dd").set_fill("#58c4dd", 0.5)
        self.add(square)
        self.play(FadeIn(Circle(color="#fc6255")), run_time=0.4)  # a band changes
        self.play(Wait(0.2, frozen_frame=False))  # pictures drawn, nothing changed
        # changes that reach the top and the bottom row of the picture
        self.play(square.animate.scale(3).shift(2 * UP), run_time=0.4)
        self.play(square.animate.shift(5 * DOWN), run_time=0.4)


def _render(folder, quality: str, scene_class: type[Scene] = Holds) -> bytes:
    with tempconfig({"media_dir": str(folder), "quality": quality, "disable_caching": True,
                     "progress_bar": "none", "verbosity": "WARNING"}):  # fmt: skip
        scene = scene_class()
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
def test_held_pictures_are_shown_as_long_as_manim_holds_them(tmp_path, quality, fps, monkeypatch):
    encoding.uninstall()
    theirs, their_frames, their_duration = shown_pictures(_render(tmp_path / "m", quality), fps)
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


@pytest.mark.parametrize("quality", ["low_quality", "medium_quality"])
def test_converting_what_changed_gives_manims_video(tmp_path, quality, monkeypatch):
    """Frame for frame (no waits), the file is byte for byte ManimCE's own, and
    the shortcut was taken: bands converted, unchanged pictures not converted."""
    bands = []
    changed_rows = encoding.YUVPicture.changed_rows
    monkeypatch.setattr(
        encoding.YUVPicture,
        "changed_rows",
        lambda self, rgba: bands.append(changed_rows(self, rgba)) or bands[-1],
    )
    encoding.uninstall()
    theirs = _render(tmp_path / "manim", quality, Moves)
    encoding.install()
    ours = _render(tmp_path / "ours", quality, Moves)
    height = bands[0][1]  # a segment's first picture is converted whole
    assert any(b is not None and 0 < b[1] - b[0] < height for b in bands)
    assert None in bands
    assert ours == theirs


def _planes(frame: av.VideoFrame) -> list[np.ndarray]:
    """A YUV frame's planes, without their row padding."""
    return [
        np.frombuffer(p, np.uint8).reshape(p.height, p.line_size)[:, : p.width]
        for p in frame.planes
    ]


def _whole(rgba: np.ndarray) -> list[np.ndarray]:
    """The YUV planes of the whole picture, as PyAV's encoder converts it."""
    height, width = rgba.shape[:2]
    return _planes(
        av.VideoFrame.from_ndarray(rgba, format="rgba").reformat(width, height, "yuv420p")
    )


def test_converting_the_changed_band_gives_the_whole_conversion():
    """Noise pictures (every chroma row differs from its neighbours), bands of every
    size, at the edges too: each result equals converting the whole picture."""
    rng = np.random.default_rng(7)
    height, width = 96, 128
    picture = encoding.YUVPicture(width, height)
    rgba = rng.integers(0, 256, (height, width, 4), dtype=np.uint8)
    for step in range(150):
        rgba = rgba.copy()
        if step % 10 != 9:  # every tenth picture is unchanged
            top = int(rng.integers(0, height))
            bottom = int(rng.integers(top + 1, min(height, top + [1, 3, 40][step % 3]) + 1))
            rgba[top:bottom] = rng.integers(0, 256, (bottom - top, width, 4), dtype=np.uint8)
        for plane, expected in zip(_planes(picture.update(rgba)), _whole(rgba), strict=True):
            np.testing.assert_array_equal(plane, expected)
