"""Encode a held picture once, as one long frame, not once per video frame.

While a scene waits, manim hands its encoder one picture to repeat ``n`` times
(``write_frame(pixels, repeat=n)``), and ManimCE 0.22 converts that picture from
RGBA to YUV and has x264 encode it ``n`` times over: about 2.5 ms per video frame at
480p15 even though nothing changes, and a third of this video's frames are held
ones. :func:`install` makes every manim video encoder in this process convert and
encode a held picture once and give its packet the duration of the ``n`` frames.
The video keeps its frame rate and timing (each frame is shown as long as before,
players and libav's concat demuxer read packet durations), the same pictures are
shown at every instant (the held picture is decoded from the same YUV picture, the
first of a wait's segment either way), and the files are smaller.
tests/test_encoding.py compares the decoded pictures, instant by instant, with
ManimCE's own encoding.
"""

from __future__ import annotations

from fractions import Fraction

import av
from manim.scene.video_segment_encoder import VideoSegmentEncoder

_ORIGINAL_WRITE = VideoSegmentEncoder.write_frame
_ORIGINAL_FINISH = VideoSegmentEncoder.finish


def _mux(self: VideoSegmentEncoder, packets) -> None:
    """Mux ``packets``, giving a held picture's packet the duration of its frames
    (x264 may hand a packet out later than its frame, so durations wait by pts)."""
    held = getattr(self, "_held_durations", {})
    for packet in packets:
        if packet.pts in held:
            packet.duration = held.pop(packet.pts)
        self._container.mux(packet)


def _write_frame(self: VideoSegmentEncoder, pixels, *, repeat: int = 1) -> None:
    if repeat == 1:
        return _ORIGINAL_WRITE(self, pixels, repeat=1)
    self._validate_frame(pixels, repeat)
    time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
    try:
        frame = av.VideoFrame.from_ndarray(pixels, format="rgba")
        frame.time_base = time_base
        frame.pts = self._next_pts
        if not hasattr(self, "_held_durations"):
            self._held_durations = {}
        self._held_durations[self._next_pts] = repeat  # in frames, the packets' time base
        self._next_pts += repeat
        _mux(self, self._stream.encode(frame))
    except BaseException as error:
        raise self._operation_error("encode", error) from error


def _finish(self: VideoSegmentEncoder) -> None:
    """ManimCE's finish, with the packets x264 still holds muxed through :func:`_mux`."""
    if self._closed:
        return
    self._closed = True
    error: Exception | None = None
    try:
        _mux(self, self._stream.encode())
    except Exception as exc:
        error = exc
    try:
        self._container.close()
    except Exception as exc:
        error = error or exc
    if error is not None:
        raise self._operation_error("finish", error) from error


def install() -> None:
    """Make every manim video encoder in this process encode held pictures once."""
    VideoSegmentEncoder.write_frame = _write_frame
    VideoSegmentEncoder.finish = _finish


def uninstall() -> None:
    """ManimCE's own behaviour again (for comparisons)."""
    VideoSegmentEncoder.write_frame = _ORIGINAL_WRITE
    VideoSegmentEncoder.finish = _ORIGINAL_FINISH
