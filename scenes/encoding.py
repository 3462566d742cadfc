"""Convert a held frame to the video's colours once, not once per video frame.

While a scene waits, manim hands its encoder one picture to repeat ``n`` times
(``write_frame(pixels, repeat=n)``), and ManimCE 0.22 wraps and converts that
picture from RGBA to YUV ``n`` times over: at 1080p60 about 6 ms per video frame,
a third of a second for every second of waiting. :func:`install` makes the encoder
convert the picture once and encode the converted picture ``n`` times. The
conversion is the one PyAV's encoder makes itself (same size, format and scaler
settings), so the encoder receives the same YUV pictures and writes the same
file (tests/test_encoding.py compares the bytes).
"""

from __future__ import annotations

from fractions import Fraction

import av
from manim.scene.video_segment_encoder import VideoSegmentEncoder

_ORIGINAL = VideoSegmentEncoder.write_frame


def _write_frame(self: VideoSegmentEncoder, pixels, *, repeat: int = 1) -> None:
    if repeat == 1:
        return _ORIGINAL(self, pixels, repeat=1)
    self._validate_frame(pixels, repeat)
    context = self._stream.codec_context
    time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
    try:
        # what the encoder would do to each copy (av/video/codeccontext.py)
        frame = av.VideoFrame.from_ndarray(pixels, format="rgba").reformat(
            context.width, context.height, context.pix_fmt, threads=context.thread_count
        )
        frame.time_base = time_base
        for _ in range(repeat):
            frame.pts = self._next_pts  # the encoder keeps its own reference per call
            self._next_pts += 1
            for packet in self._stream.encode(frame):
                self._container.mux(packet)
    except BaseException as error:
        raise self._operation_error("encode", error) from error


def install() -> None:
    """Make every manim video encoder in this process convert held frames once."""
    VideoSegmentEncoder.write_frame = _write_frame


def uninstall() -> None:
    """ManimCE's own behaviour again (for comparisons)."""
    VideoSegmentEncoder.write_frame = _ORIGINAL
