"""An offline lecture deck: one clip per beat, arrow keys to step, narration as notes.

``./render.sh lecture`` renders every chapter with ``--save_sections`` (reusing
unchanged chapters), copies the clips into ``lecture/clips/`` and writes
``lecture/index.html``: one self-contained page (no CDN, no network) that plays
one section at a time.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import srt

from .build import Plan, render
from .stitch import write_atomically

TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck.html"


@dataclass(frozen=True)
class Slide:
    chapter: str  # "3. The attention pattern"
    section: str  # beat name
    clip: str  # path relative to index.html
    notes: str  # the beat's narration


def _narration_at(subtitles: list[srt.Subtitle], start: float, end: float) -> str:
    """The subtitle that starts inside [start, end): a beat's narration."""
    texts = [s.content for s in subtitles if start - 1e-3 <= s.start.total_seconds() < end - 1e-3]
    return " ".join(texts)


def collect_slides(plan: Plan, deck_dir: Path) -> list[Slide]:
    """Copy section clips into the deck and pair each with its narration."""
    clips_dir = deck_dir / "clips"
    shutil.rmtree(clips_dir, ignore_errors=True)
    clips_dir.mkdir(parents=True)
    slides: list[Slide] = []
    for ch in plan.chapters:
        sections_dir = plan.chapter_dir / "sections" / ch.module
        index = json.loads((sections_dir / f"{ch.scene}.json").read_text())
        srt_path = plan.chapter_file(ch, ".srt")
        subs = list(srt.parse(srt_path.read_text(encoding="utf-8"))) if srt_path.exists() else []
        t = 0.0
        for k, section in enumerate(index):
            duration = float(section["duration"])
            name = f"{ch.number:02d}_{k:02d}.mp4"
            shutil.copyfile(sections_dir / section["video"], clips_dir / name)
            slides.append(
                Slide(
                    chapter=f"{ch.number}. {ch.title}",
                    section=section["name"].replace("_", " "),
                    clip=f"clips/{name}",
                    notes=_narration_at(subs, t, t + duration),
                )
            )
            t += duration
    return slides


def deck_html(title: str, slides: list[Slide]) -> str:
    """The page, with the slides as JSON data (text is inserted with textContent only)."""
    data = json.dumps(
        {"title": title, "slides": [s.__dict__ for s in slides]}, ensure_ascii=False
    ).replace("</", "<\\/")  # cannot close the script element, whatever the text says
    return TEMPLATE.read_text(encoding="utf-8").replace("/*DECK_DATA*/{}", data)


def build_lecture(plan: Plan) -> Path:
    """Render (with sections) and write the deck; returns the path of index.html."""
    render(plan)
    deck_dir = plan.out_dir / "lecture"
    tmp_dir = plan.out_dir / ".lecture-partial"
    shutil.rmtree(tmp_dir, ignore_errors=True)
    slides = collect_slides(plan, tmp_dir)
    write_atomically(tmp_dir / "index.html", deck_html(plan.source.example.title, slides))
    old = plan.out_dir / ".lecture-old"
    shutil.rmtree(old, ignore_errors=True)
    if deck_dir.exists():
        os.replace(deck_dir, old)
    os.replace(tmp_dir, deck_dir)
    shutil.rmtree(old, ignore_errors=True)
    return deck_dir / "index.html"
