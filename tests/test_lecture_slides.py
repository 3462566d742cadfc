"""The lecture in the lecturer's own tools: the manim-slides presentation is valid for
manim-slides itself and plays the deck's clips; the PowerPoint file holds one slide per
beat with exactly that beat's clip, heading and narration; the sentence stays text; an
unchanged lecture is not written again; manim-slides converts the file offline."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import av
import pytest
from manim_slides.config import PresentationConfig
from pptx import Presentation
from test_render_pipeline import _plan

from video.lecture import build_lecture

# markup and script in the sentence: it must reach both files as text
HOSTILE = "<b>a</b> fluffy & blue <!--<script> creature"
NOTES = ["Chapter 1: Tiny.", "First token: <", "A real number"]
HEADINGS = ["Chapter 1: Tiny", "The first word, <", "second"]


@pytest.fixture(scope="module")
def lecture(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("slides")
    plan = dataclasses.replace(
        _plan(tmp, "out", scene="Headed", sentence=HOSTILE), voice=True, speech="tone"
    )
    index = build_lecture(plan)
    return index.parent, plan


def _pptx(folder: Path) -> Path:
    (path,) = folder.glob("*.pptx")
    return path


def test_the_manim_slides_file_is_valid_and_plays_the_decks_clips(lecture):
    folder, plan = lecture
    (path,) = (folder / "slides").glob("*.json")
    assert path.name == f"{plan.video_path.stem}.json"
    config = PresentationConfig.from_file(path)  # manim-slides' own model and path rules
    assert [s.notes for s in config.slides] == NOTES
    assert [s.direction for s in config.slides] == ["horizontal", "vertical", "vertical"]
    clips = sorted((folder / "clips").glob("*.mp4"))
    assert [s.file.resolve() for s in config.slides] == [c.resolve() for c in clips]
    assert all(s.rev_file == s.file for s in config.slides)  # no reversed copies
    for slide in config.slides:
        with av.open(str(slide.file)) as container:  # each with its narration's sound
            assert container.streams.audio and container.streams.video
    assert tuple(config.resolution) == (854, 480)


def test_the_powerpoint_file_has_one_slide_per_beat_with_its_clip_and_notes(lecture):
    folder, plan = lecture
    deck = Presentation(str(_pptx(folder)))
    cover, *beats = deck.slides
    assert cover.shapes.title.text == plan.source.example.title
    assert HOSTILE in "".join(shape.text_frame.text for shape in cover.placeholders)
    clips = sorted((folder / "clips").glob("*.mp4"))
    assert len(beats) == len(clips) == 3
    for slide, clip, notes, heading in zip(beats, clips, NOTES, HEADINGS, strict=True):
        assert slide.shapes.title.text == heading
        assert slide.notes_slide.notes_text_frame.text == notes
        media = [r.target_part for r in slide.part.rels.values() if "media" in r.reltype]
        assert {part.blob for part in media} == {clip.read_bytes()}  # exactly its clip
        movies = [
            s for s in slide.shapes if s.shape_type is not None and "MEDIA" in str(s.shape_type)
        ]
        assert len(movies) == 1


def test_an_unchanged_lecture_is_not_written_again(lecture):
    folder, plan = lecture
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    build_lecture(plan)
    after = {p: p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}
    assert after == before


def test_manim_slides_converts_the_presentation_to_powerpoint_offline(lecture, tmp_path):
    folder, plan = lecture
    out = tmp_path / "converted.pptx"
    result = subprocess.run(
        [sys.executable, "-m", "manim_slides", "convert", plan.video_path.stem, str(out),
         "--folder", str(folder / "slides"), "--to", "pptx"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(Presentation(str(out)).slides) == 3
