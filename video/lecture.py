"""An offline lecture deck: one clip per beat, arrow keys to step, narration as notes.

``./render.sh lecture`` renders every chapter with ``--save_sections`` (reusing
unchanged chapters), copies the clips into ``lecture/clips/`` and writes
``lecture/index.html``: one self-contained page (no CDN, no network) that plays
one section at a time.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import srt

from .build import render
from .files import replace_folder, write_atomically
from .folders import locked, made, temp_folder
from .interrupt import sigterm_as_interrupt
from .plan import Plan

TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck.html"


@dataclass(frozen=True)
class Slide:
    chapter: str  # "3. The attention pattern"
    section: str  # beat name
    clip: str  # path relative to index.html
    notes: str  # the beat's narration


def _narration_at(subtitles: list[srt.Subtitle], start: float, end: float) -> str:
    """The subtitles that start inside [start, end), as one text: a beat's narration (its
    cues' line breaks read as spaces)."""
    texts = [s.content for s in subtitles if start - 1e-3 <= s.start.total_seconds() < end - 1e-3]
    return " ".join(texts).replace("\n", " ")


def collect_slides(plan: Plan, deck_dir: Path) -> list[Slide]:
    """Copy section clips into the deck and pair each with its narration."""
    clips_dir = deck_dir / "clips"
    shutil.rmtree(clips_dir, ignore_errors=True)
    clips_dir.mkdir(parents=True)
    slides: list[Slide] = []
    for ch in plan.chapters:
        sections_dir = plan.sections_dir(ch)
        index = json.loads(plan.section_index(ch).read_text())
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


# Characters escaped in the JSON embedded in the page's <script> element. Inside a
# script element the HTML parser looks for more than "</script>": "<!--" followed by
# "<script" hides the next "</script>" from it, so the page's code would end up inside
# the data. No "<" at all reaches the page; ">" and "&" go too (harmless in JSON, and
# then no markup-like text at all), and U+2028/U+2029, which old JavaScript parsers
# took for line ends.
_SCRIPT_ESCAPES = {
    "<": "\\u003c",
    ">": "\\u003e",
    "&": "\\u0026",
    "\u2028": "\\u2028",
    "\u2029": "\\u2029",
}


def script_json(value: object) -> str:
    """``value`` as JSON that can sit inside a ``<script>`` element whatever its text says;
    ``JSON.parse`` of it gives the same value."""
    text = json.dumps(value, ensure_ascii=False)
    return text.translate(str.maketrans(_SCRIPT_ESCAPES))


def deck_html(title: str, slides: list[Slide]) -> str:
    """The page, with the slides as JSON data. The page's code puts every text (title,
    chapter, beat name, notes) on the page with ``textContent`` only, never as HTML."""
    data = script_json({"title": title, "slides": [s.__dict__ for s in slides]})
    return TEMPLATE.read_text(encoding="utf-8").replace("/*DECK_DATA*/{}", data)


def build_lecture(plan: Plan) -> Path:
    """Render (with sections) and write the deck; returns the path of index.html.

    The deck is put together in a temporary folder and moved into place, so a failed or
    stopped build (Ctrl-C, SIGTERM) leaves the previous deck as it was."""
    with sigterm_as_interrupt(), made(plan.chapter_dir), locked(plan.out_dir):
        render(plan)  # takes the same lock again: it does not wait for this run
        deck_dir = plan.out_dir / "lecture"
        with temp_folder(plan.out_dir, ".lecture-") as work:
            new = work / "lecture"
            slides = collect_slides(plan, new)
            write_atomically(new / "index.html", deck_html(plan.source.example.title, slides))
            replace_folder(new, deck_dir, work / "old")  # the old one goes with work
    return deck_dir / "index.html"
