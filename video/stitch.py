"""Join chapter videos (and their subtitles) into one file, without re-encoding.

All chapters are rendered with the same settings, so their streams can be copied
packet by packet through libav's concat demuxer (PyAV bundles libav; no system
ffmpeg is needed).
"""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import av
import srt

from voice.media import replacing

from .files import write_atomically


def concat_entry(path: Path) -> str:
    """One line of a concat demuxer list for ``path``, quoted: inside single quotes
    libav takes every character as it is but the quote itself, which is closed,
    escaped and reopened (``it's`` -> ``'it'\\''s'``). The list is read line by line,
    so a path with a line break cannot be listed (render.sh refuses such folders)."""
    text = f"file:{path.resolve().as_posix()}"
    if "\n" in text or "\r" in text:
        raise ValueError(f"a path with a line break cannot be joined: {text!r}")
    return "file '" + text.replace("'", "'\\''") + "'\n"


def concat_videos(parts: list[Path], out: Path) -> None:
    """Write ``parts`` one after another into ``out`` (through a temporary file and a
    rename: ``out`` is whole or as it was)."""
    manifest = "".join(concat_entry(p) for p in parts)
    with (
        replacing(out) as partial,
        av.open(
            io.BytesIO(manifest.encode("utf-8")), format="concat", options={"safe": "0"}
        ) as source,
    ):
        in_stream = source.streams.video[0]
        with av.open(str(partial), mode="w") as sink:
            out_stream = sink.add_stream_from_template(template=in_stream)
            for packet in source.demux(in_stream):
                if packet.dts is None:  # flushing packets
                    continue
                packet.dts = None  # let libav recompute across file boundaries
                packet.stream = out_stream
                sink.mux(packet)


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
