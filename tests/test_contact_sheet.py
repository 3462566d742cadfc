"""The contact sheet picks frames by time: a held picture is one long frame
(render_speed/encoding.py), so counting frames would land in the wrong place."""

from __future__ import annotations

from fractions import Fraction

import av
import numpy as np

from video.contact_sheet import grab_frame, shown_at

FPS = 15


def _video(path, pictures: list[tuple[int, int]]) -> None:
    """A grey picture per (level, frames it lasts): levels in order, each one frame."""
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=FPS, options={"preset": "ultrafast"})
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        pts, durations = 0, {}
        for level, frames in pictures:
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), level, np.uint8), "rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, FPS)
            durations[pts] = frames
            pts += frames
            for packet in stream.encode(frame):
                packet.duration = durations[packet.pts]
                out.mux(packet)
        for packet in stream.encode():
            packet.duration = durations[packet.pts]
            out.mux(packet)


def test_frames_are_picked_by_time(tmp_path):
    path = tmp_path / "held.mp4"
    # a fade in over 5 frames, a 3-second hold, a fade out, a dim 4-second hold
    ramp = [(level, 1) for level in (40, 80, 120, 160, 200)]
    _video(path, ramp + [(220, 45)] + ramp[::-1] + [(30, 60)])
    shown = {round(t, 2): float(f.to_ndarray(format="gray").mean()) for t, f in
             shown_at(path, [0.0, 0.2, 1.0, 3.3, 3.5, 4.0, 5.5])}  # fmt: skip
    levels = {t: round(v / 10) * 10 for t, v in shown.items()}
    # frame k starts at k / 15 s: 0.2 s is the fourth of the fade in, 3.5 s the third out
    assert levels == {0.0: 40, 0.2: 160, 1.0: 220, 3.3: 220, 3.5: 120, 4.0: 30, 5.5: 30}
    # the fullest still picture: the hold, not a fade frame
    assert abs(np.asarray(grab_frame(path).convert("L")).mean() - 30) < 5  # 60 % in
    assert abs(np.asarray(grab_frame(path, (0.0, 5.0)).convert("L")).mean() - 220) < 5


def test_sheet_uses_frames_already_grabbed(tmp_path):
    from PIL import Image

    from video.contact_sheet import contact_sheet

    dark, light = tmp_path / "dark.mp4", tmp_path / "light.mp4"
    _video(dark, [(30, 30)])
    _video(light, [(220, 30)])
    white = Image.new("RGB", (64, 48), "white")  # grabbed earlier (build.render does so)
    out = tmp_path / "sheet.png"
    contact_sheet([("a", dark, None), ("b", light, None)], out, grabbed={dark: white})
    sheet = np.asarray(Image.open(out).convert("L")).astype(float)
    half = sheet.shape[1] // 2
    tiles = sheet[40:], sheet[40:, :half], sheet[40:, half:]  # below the captions
    assert tiles[1].mean() > 250  # the grabbed picture, not the dark video's
    assert abs(tiles[2].mean() - 220) < 8  # the other one grabbed from its video
