"""Join chapter videos (and their subtitles) into one file, without re-encoding.

All chapters are rendered with the same settings, so their streams can be copied
packet by packet through libav's concat demuxer (PyAV bundles libav; no system
ffmpeg is needed).
"""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path

import av
import srt


def video_duration(path: Path) -> float:
    """Duration in seconds of the first video stream."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        return float(container.duration or 0) / av.time_base


def concat_videos(parts: list[Path], out: Path) -> None:
    """Write ``parts`` one after another into ``out`` (atomically: temp file, then rename)."""
    manifest = "".join(f"file 'file:{p.resolve().as_posix()}'\n" for p in parts)
    tmp = out.with_name(f".{out.name}.partial{out.suffix}")
    try:
        with av.open(
            io.BytesIO(manifest.encode("utf-8")), format="concat", options={"safe": "0"}
        ) as source:
            in_stream = source.streams.video[0]
            with av.open(str(tmp), mode="w") as sink:
                out_stream = sink.add_stream_from_template(template=in_stream)
                for packet in source.demux(in_stream):
                    if packet.dts is None:  # flushing packets
                        continue
                    packet.dts = None  # let libav recompute across file boundaries
                    packet.stream = out_stream
                    sink.mux(packet)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def concat_subtitles(parts: list[tuple[Path | None, float]], out: Path) -> None:
    """Merge .srt files, shifting each by the duration of the videos before it."""
    merged: list[srt.Subtitle] = []
    offset = 0.0
    for path, duration in parts:
        if path is not None and path.exists():
            for sub in srt.parse(path.read_text(encoding="utf-8")):
                shift = datetime.timedelta(seconds=offset)
                merged.append(
                    srt.Subtitle(len(merged) + 1, sub.start + shift, sub.end + shift, sub.content)
                )
        offset += duration
    write_atomically(out, srt.compose(merged))


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to a temporary file beside ``path``, then rename it into place."""
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:  # stopped half-way: no partial file left behind
        tmp.unlink(missing_ok=True)
