"""The lecture in the lecturer's own tools: a manim-slides presentation and a PowerPoint
file, one slide per beat, each with the beat's clip (and its sound) and its narration as
speaker notes.

Both are written beside the offline deck (video/lecture.py), from the same slides:

* ``slides/<example>.json``: manim-slides' presentation file (its ``PresentationConfig``:
  ``slides`` with ``file``, ``rev_file``, ``notes``, ``direction``, ..., ``resolution``,
  ``background_color``). manim-slides reads clip paths relative to the folder above
  ``slides/``, the deck's folder, so the slides play the deck's own clips; ``rev_file`` is
  the clip itself (no reversed copies). Chapters go across, a chapter's beats down
  (``direction``), as its reveal.js conversion shows them. manim-slides is never imported
  here: the file is plain JSON.
* ``<example>.pptx`` (python-pptx): a title slide, then one slide per beat with the beat's
  heading as its title, the clip embedded as a movie over a poster frame (the beat's
  fullest still picture), and the narration as notes. A lesson whose clips pass
  ``SPLIT_BYTES`` is written as one file per chapter instead, ``<example>-ch03.pptx``.

Every text is set as text (python-pptx escapes it); nothing of the sentence is read as
markup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pptx import Presentation
from pptx.util import Emu, Pt

from .contact_sheet import grab_frame

SPLIT_BYTES = 100 * 1024 * 1024  # a PowerPoint file larger than this is split by chapter
SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12_192_000), Emu(6_858_000)  # 13.333 x 7.5 in, 16:9
TITLE_LAYOUT, TITLE_ONLY_LAYOUT = 0, 5  # of python-pptx's default template
TITLE_HEIGHT = Emu(914_400)  # 1 in: the band of a beat slide's title
MARGIN = Emu(228_600)  # 0.25 in


@dataclass(frozen=True)
class Beat:
    """A beat of a rendered chapter (its title card included), as the lecture shows it:
    one slide."""

    number: int  # the chapter's
    chapter: str  # "3. The attention pattern"
    name: str  # the beat's name
    heading: str  # its picture's heading (else its name)
    source: Path  # its clip, in the chapter's sections folder
    clip: str  # the clip's path in the lecture folder: clips/03_02.mp4
    notes: str  # its narration
    explore: str  # the explorer at its head and token: ../explorer/index.html#head=...


def manim_slides_json(beats: list[Beat], resolution: tuple[int, int]) -> str:
    """manim-slides' presentation file for ``beats`` (their clips' paths are relative to
    the lecture folder, the folder above ``slides/``, as manim-slides reads them): one
    slide per beat, a new chapter to the right of the last (``horizontal``), its beats
    below each other (``vertical``)."""
    slides = []
    for k, beat in enumerate(beats):
        clip = beat.clip
        first = k == 0 or beats[k - 1].number != beat.number
        slides.append(
            {
                "file": clip,
                "rev_file": clip,
                "loop": False,
                "auto_next": False,
                "playback_rate": 1.0,
                "reversed_playback_rate": 1.0,
                "notes": beat.notes,
                "dedent_notes": False,
                "skip_animations": False,
                "src": None,
                "type": "video",
                "direction": "horizontal" if first else "vertical",
            }
        )
    presentation = {
        "slides": slides,
        "resolution": list(resolution),
        "background_color": "#000000",
    }
    return json.dumps(presentation, ensure_ascii=False, indent=1)


def pptx_parts(beats: list[Beat], deck: Path) -> list[list[Beat]]:
    """The beats of each PowerPoint file: all in one, or one file per chapter when their
    clips (in the lecture folder ``deck``) together pass ``SPLIT_BYTES``."""
    if sum((deck / b.clip).stat().st_size for b in beats) <= SPLIT_BYTES:
        return [beats]
    chapters: dict[int, list[Beat]] = {}
    for beat in beats:
        chapters.setdefault(beat.number, []).append(beat)
    return list(chapters.values())


def write_pptx(
    path: Path, title: str, subtitle: str, beats: list[Beat], deck: Path, posters: Path
) -> None:
    """A PowerPoint file at ``path``: a title slide, then one slide per beat (its
    heading, its clip in the lecture folder ``deck`` as a movie over a poster frame
    written into ``posters``, its narration as notes)."""
    show = Presentation()
    show.slide_width, show.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    cover = show.slides.add_slide(show.slide_layouts[TITLE_LAYOUT])
    cover.shapes.title.text = title
    cover.placeholders[1].text = subtitle
    for k, beat in enumerate(beats):
        slide = show.slides.add_slide(show.slide_layouts[TITLE_ONLY_LAYOUT])
        _title(slide, beat.heading)
        poster = posters / f"{k:03d}.png"
        clip = deck / beat.clip
        grab_frame(clip).save(poster)
        left, top, width, height = _movie_box()
        slide.shapes.add_movie(
            str(clip),
            left,
            top,
            width,
            height,
            poster_frame_image=str(poster),
            mime_type="video/mp4",
        )
        slide.notes_slide.notes_text_frame.text = beat.notes
    show.save(str(path))


def _title(slide, text: str) -> None:
    """The slide's title placeholder, moved into the top band and set to ``text``."""
    title = slide.shapes.title
    title.left, title.top = MARGIN, Emu(0)
    title.width, title.height = SLIDE_WIDTH - 2 * MARGIN, TITLE_HEIGHT
    title.text = text
    for paragraph in title.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size = Pt(28)


def _movie_box() -> tuple[Emu, Emu, Emu, Emu]:
    """The largest 16:9 box under the title band, centred: (left, top, width, height)."""
    room_w = SLIDE_WIDTH - 2 * MARGIN
    room_h = SLIDE_HEIGHT - TITLE_HEIGHT - MARGIN
    width = min(room_w, room_h * 16 // 9)
    height = width * 9 // 16
    return Emu((SLIDE_WIDTH - width) // 2), Emu(TITLE_HEIGHT), Emu(width), Emu(height)


__all__ = ["SPLIT_BYTES", "Beat", "manim_slides_json", "pptx_parts", "write_pptx"]
