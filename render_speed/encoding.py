"""Encode a held picture once, as one long frame, and convert only what changed.

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
tests/render_speed/test_encoding.py compares the decoded pictures, instant by instant,
with ManimCE's own encoding.

Before x264 sees a picture, the encoder converts all of it from RGBA to YUV 4:2:0
(libswscale, about 2 ms at 480p). Most pictures change a band of rows about a quarter
of the picture high (a label fades in, an arrow grows): each encoder compares a
picture with its previous one row by row and converts only the band that changed,
with a margin for the chroma filter's reach, into the previous YUV picture. A band
converted with its margin gives exactly the rows the whole picture gives (tested),
so x264 receives the very YUV pictures it would have made itself. Anything other
than 4:2:0 YUV of even size (a transparent webm) is converted whole.
"""

from __future__ import annotations

import threading
from fractions import Fraction

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from manim.scene.video_segment_encoder import VideoSegmentEncoder

_ORIGINAL_WRITE = VideoSegmentEncoder.write_frame
_ORIGINAL_FINISH = VideoSegmentEncoder.finish

# Rows added around a changed band: the vertical chroma filter of the conversion reads
# one chroma row (two picture rows) beyond the rows it writes; two chroma rows of margin
# on each side, both when choosing the rows to write and the rows to convert.
MARGIN = 4
# Bands are converted strip by strip, each strip with its margin in a window of one
# size: libswscale sets itself up anew (about a millisecond, and a few megabytes) for
# every picture size, so one converter per size is kept, shared by the encoders.
STRIP = 64
_CONVERTERS: dict[tuple[int, int, int], list[VideoReformatter]] = {}  # free, by size
_CONVERTERS_LOCK = threading.Lock()  # segments are encoded in threads of their own


def _convert(rgba: np.ndarray, threads: int) -> av.VideoFrame:
    """``rgba`` in YUV 4:2:0, with a converter kept for pictures of its size."""
    height, width = rgba.shape[:2]
    key = (width, height, threads)
    with _CONVERTERS_LOCK:
        free = _CONVERTERS.setdefault(key, [])
        converter = free.pop() if free else VideoReformatter()
    try:
        # wrapping the rows where they are costs half of the conversion less than
        # from_ndarray's copy of them
        if rgba.flags.c_contiguous:
            frame = av.VideoFrame.from_numpy_buffer(rgba, format="rgba")
        else:
            frame = av.VideoFrame.from_ndarray(rgba, format="rgba")
        return converter.reformat(frame, width, height, "yuv420p", threads=threads)
    finally:
        with _CONVERTERS_LOCK:
            _CONVERTERS[key].append(converter)


class YUVPicture:
    """The previous RGBA picture of one segment and its YUV 4:2:0 frame, updated in
    place (x264 copies a picture when it is given one, so the frame can be reused)."""

    def __init__(self, width: int, height: int, threads: int = 0) -> None:
        self.width, self.height, self.threads = width, height, threads
        self.rgba: np.ndarray | None = None
        self.frame = av.VideoFrame(width, height, "yuv420p")
        self.planes = tuple(
            np.frombuffer(plane, np.uint8).reshape(plane.height, plane.line_size)[:, : plane.width]
            for plane in self.frame.planes
        )

    def changed_rows(self, rgba: np.ndarray) -> tuple[int, int] | None:
        """First and past-the-last row that differ from the previous picture."""
        if self.rgba is None:
            return 0, self.height
        rows = rgba.reshape(self.height, -1).view(np.uint32)
        before = self.rgba.reshape(self.height, -1).view(np.uint32)
        changed = np.flatnonzero((rows != before).any(axis=1))
        return (int(changed[0]), int(changed[-1]) + 1) if changed.size else None

    def update(self, rgba: np.ndarray) -> av.VideoFrame:
        """The YUV frame of ``rgba``, converting only the rows that changed."""
        rows = self.changed_rows(rgba)
        if rows is not None:
            # rows to write: the changed ones and those the chroma filter spreads them
            # to, by whole strips; each strip converted with the rows the filter reads
            size = min(self.height, STRIP + 2 * MARGIN)
            first = max(0, rows[0] - MARGIN) // STRIP * STRIP
            for top in range(first, min(self.height, rows[1] + MARGIN), STRIP):
                bottom = min(top + STRIP, self.height)
                start = min(max(0, top - MARGIN), self.height - size)
                band = _convert(rgba[start : start + size], self.threads)
                for shift, plane, target in zip((0, 1, 1), band.planes, self.planes, strict=True):
                    converted = np.frombuffer(plane, np.uint8).reshape(
                        plane.height, plane.line_size
                    )
                    target[top >> shift : bottom >> shift] = converted[
                        (top - start) >> shift : (bottom - start) >> shift, : plane.width
                    ]
        # the writer owns the pictures it is given (SceneFileWriter.write_frame): nobody
        # changes one afterwards, so keeping a reference is enough
        self.rgba = rgba
        return self.frame


def _picture(self: VideoSegmentEncoder, pixels: np.ndarray) -> YUVPicture | None:
    """This encoder's previous picture; None where the shortcut does not apply."""
    picture = getattr(self, "_previous_picture", None)
    if picture is None:
        context = self._stream.codec_context
        height, width = pixels.shape[:2]
        if (
            context.pix_fmt != "yuv420p"
            or (context.width, context.height) != (width, height)
            or width % 2
            or height % 2
        ):
            return None
        picture = self._previous_picture = YUVPicture(width, height, context.thread_count)
    return picture


def _mux(self: VideoSegmentEncoder, packets) -> None:
    """Mux ``packets``, giving a held picture's packet the duration of its frames
    (x264 may hand a packet out later than its frame, so durations wait by pts)."""
    held = getattr(self, "_held_durations", {})
    for packet in packets:
        if packet.pts in held:
            packet.duration = held.pop(packet.pts)
        self._container.mux(packet)


def _write_frame(self: VideoSegmentEncoder, pixels, *, repeat: int = 1) -> None:
    self._validate_frame(pixels, repeat)
    picture = _picture(self, pixels)
    if picture is None and repeat == 1:
        return _ORIGINAL_WRITE(self, pixels, repeat=1)
    time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
    try:
        if picture is None:
            frame = av.VideoFrame.from_ndarray(pixels, format="rgba")
        else:
            frame = picture.update(pixels)
        frame.time_base = time_base
        frame.pts = self._next_pts
        if repeat > 1:  # in frames: the packets' time base
            self.__dict__.setdefault("_held_durations", {})[self._next_pts] = repeat
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
    """Make every manim video encoder in this process encode held pictures once and
    convert only what changed."""
    VideoSegmentEncoder.write_frame = _write_frame
    VideoSegmentEncoder.finish = _finish


def uninstall() -> None:
    """ManimCE's own behaviour again."""
    VideoSegmentEncoder.write_frame = _ORIGINAL_WRITE
    VideoSegmentEncoder.finish = _ORIGINAL_FINISH


def installed() -> bool:
    methods = VideoSegmentEncoder.__dict__
    return methods["write_frame"] is _write_frame and methods["finish"] is _finish
