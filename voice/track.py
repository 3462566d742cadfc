"""A chapter's sound track: each beat's speech laid at its section's start, encoded as
AAC and muxed into the chapter's video and into each beat's clip (video copied as is).

The render process lists what was said (``speech.json``: beat name, speech file); the
sections' index that manim writes gives each section's duration, so a section starts
where the durations before it add up to: the speech starts on the section's first frame.

Example::

    samples = chapter_track(index, said, total_seconds)
    add_sound(video_path, samples)
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from .media import replacing, video_duration
from .service import RATE
from .wav import read_wav

FADE = 0.005  # seconds of fade at each end of an utterance: no click where it starts
AAC_BITRATE = 96_000
# ffmpeg's "fast" AAC coder: faster than its default ("twoloop") on this speech and, at
# 96 kbit/s, as close to the samples as twoloop at 128 kbit/s (docs/performance.md)
AAC_OPTIONS = {"aac_coder": "fast"}


def section_starts(index: list[dict]) -> list[tuple[str, float, float]]:
    """(name, start, duration) of every section of manim's index, in order."""
    found, start = [], 0.0
    for section in index:
        duration = float(section["duration"])
        found.append((section["name"], start, duration))
        start += duration
    return found


def chapter_track(index: list[dict], said: list[dict], seconds: float) -> np.ndarray:
    """The chapter's samples (mono, :data:`RATE`, ``seconds`` long): each entry of
    ``said`` (``{"beat": name, "path": wav}``, in order) at the start of the next section
    of that name."""
    track = np.zeros(int(round(seconds * RATE)))
    sections = section_starts(index)
    at = 0
    for entry in said:
        while at < len(sections) and sections[at][0] != entry["beat"]:
            at += 1
        if at == len(sections):
            raise ValueError(f"no section named {entry['beat']!r} for its speech")
        samples, _ = read_wav(Path(entry["path"]))
        start = int(round(sections[at][1] * RATE))
        room = min(len(samples), len(track) - start)
        track[start : start + room] += faded(samples[:room])
        at += 1
    return track


def faded(samples: np.ndarray) -> np.ndarray:
    """``samples`` with :data:`FADE` seconds of linear fade in and out."""
    n = min(int(FADE * RATE), len(samples) // 2)
    if n == 0:
        return samples
    ramp = np.linspace(0.0, 1.0, n, endpoint=False)
    out = samples.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def fitted(samples: np.ndarray, seconds: float) -> np.ndarray:
    """``samples`` cut or padded with silence to ``seconds``."""
    wanted = int(round(seconds * RATE))
    return np.pad(samples[:wanted], (0, max(0, wanted - len(samples))))


def add_sound(video: Path, samples: np.ndarray) -> None:
    """Rewrite ``video`` with ``samples`` (mono, :data:`RATE`) as its AAC sound track, cut
    or padded with silence to the video's length; the video stream is copied. Through a
    temporary file and one rename: ``video`` is whole, picture and sound, or as it was."""
    samples = fitted(samples, video_duration(video))
    with replacing(video) as partial:
        with av.open(str(video)) as source, av.open(str(partial), mode="w") as sink:
            picture = source.streams.video[0]
            out_picture = sink.add_stream_from_template(template=picture)
            sound = sink.add_stream("aac", rate=RATE, layout="mono", options=AAC_OPTIONS)
            sound.bit_rate = AAC_BITRATE
            for packet in source.demux(picture):
                if packet.dts is None:
                    continue
                packet.stream = out_picture
                sink.mux(packet)
            _encode(sink, sound, samples)


def _encode(sink, sound, samples: np.ndarray) -> None:
    block = 1024  # AAC frame size
    pcm = samples.astype(np.float32)
    for begin in range(0, len(pcm), block):
        chunk = pcm[begin : begin + block]
        frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
        frame.sample_rate = RATE
        frame.pts = begin
        frame.time_base = Fraction(1, RATE)
        for packet in sound.encode(frame):
            sink.mux(packet)
    for packet in sound.encode(None):
        sink.mux(packet)


def sound_of(video: Path) -> np.ndarray:
    """The sound track of ``video`` (mono samples at :data:`RATE`; none: empty)."""
    with av.open(str(video)) as container:
        if not container.streams.audio:
            return np.zeros(0)
        stream = container.streams.audio[0]
        frames = [f.to_ndarray().reshape(-1) for f in container.decode(stream)]
    return np.concatenate(frames) if frames else np.zeros(0)


def joined_sound(videos: list[Path], seconds: list[float]) -> np.ndarray:
    """The sound of ``videos`` one after another, each cut or padded to its video's
    length ``seconds`` (silence for a video without sound)."""
    parts = [fitted(sound_of(v), length) for v, length in zip(videos, seconds, strict=True)]
    return np.concatenate(parts) if parts else np.zeros(0)


def narrate_chapter(movie: Path, sections: Path, index_file: Path, speech_file: Path) -> None:
    """Give the chapter's video ``movie`` and the clips in ``sections`` (listed in
    ``index_file``, manim's index) the sound of the beats listed in ``speech_file``."""
    index = json.loads(index_file.read_text())
    said = json.loads(speech_file.read_text())
    starts = section_starts(index)
    _, last_start, last_duration = starts[-1]
    track = chapter_track(index, said, last_start + last_duration)
    add_sound(movie, track)
    for (_, start, duration), section in zip(starts, index, strict=True):
        begin = int(round(start * RATE))
        add_sound(sections / section["video"], track[begin : begin + int(round(duration * RATE))])
