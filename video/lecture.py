"""The lecture: one clip per beat, with its narration as notes, for three players.

``./render.sh lecture`` renders every chapter with ``--save_sections`` (reusing
unchanged chapters), copies the clips into ``lecture/clips/`` and writes, in ``lecture/``:

* ``index.html``: our offline deck, one self-contained page (no CDN, no network) that
  plays one beat at a time, arrow keys to step;
* ``slides/<example>.json``: the same beats as a manim-slides presentation, and
  ``<example>.pptx``: as a PowerPoint file (video/slides.py).

An unchanged lecture is not written again (:func:`lecture_key`, kept in ``.lecture.key``).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import av

from scenes.focus import main_link
from scenes.order import Chapter

from .build import render
from .explorer import write_explorer
from .files import file_digest, replace_folder, write_atomically
from .folders import locked, made, temp_folder
from .interrupt import sigterm_as_interrupt
from .page_data import script_json
from .plan import Plan
from .slides import Beat, manim_slides_json, pptx_parts, write_pptx

TEMPLATE = Path(__file__).resolve().parent / "templates" / "deck.html"
KEY_FILE = ".lecture.key"  # in the lecture folder: what it was written from, and its files
LESSON = "Attention in transformers, visually explained"
FOCUS_HEAD = "adjective-noun"


def video_size(path: Path) -> tuple[int, int]:
    """(width, height) of a video's pictures."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.codec_context.width, stream.codec_context.height


@dataclass(frozen=True)
class Slide:
    chapter: str  # "3. The attention pattern"
    section: str  # beat name
    clip: str  # path relative to index.html
    notes: str  # the beat's narration
    explore: str  # the explorer page at this beat's head and token (relative link)


def _beats_of(plan: Plan, chapter: Chapter) -> dict[str, dict]:
    """Each section's heading and narration as the chapter's render noted them, by name
    (``<module>.beats.json``)."""
    path = plan.chapter_file(chapter, ".beats.json")
    if not path.exists():
        return {}
    return {beat["section"]: beat for beat in json.loads(path.read_text(encoding="utf-8"))}


EXPLORER = "../explorer/index.html"  # from the lecture folder
FOCUS_CHAPTERS = frozenset({2, 3, 4, 5, 6, 10, 12})  # about the adjective head's main link
REAL_HEAD = re.compile(r"L\d+H\d+")  # chapter 13's beats on one real head


def explore_link(chapter: int, beat: str, trace) -> str:
    """Where the explorer opens for a beat: a real head for chapter 13's beats on one
    (``#head=L16H0``), the adjective head's main cell for the chapters about it
    (``#head=adjective-noun&query=3&key=1``), else the page's top."""
    if REAL_HEAD.fullmatch(beat):
        return f"{EXPLORER}#head={beat}"
    if chapter in FOCUS_CHAPTERS:
        link = main_link(trace, trace.head(FOCUS_HEAD))
        return f"{EXPLORER}#head={FOCUS_HEAD}&query={link.query}&key={link.key}"
    return EXPLORER


def lecture_sections(plan: Plan) -> list[Beat]:
    """Every beat of the plan's chapters, in order, with its clip, heading and notes."""
    sections: list[Beat] = []
    for ch in plan.chapters:
        index = json.loads(plan.section_index(ch).read_text())
        beats = _beats_of(plan, ch)
        for k, section in enumerate(index):
            beat = beats.get(section["name"], {})
            name = section["name"].replace("_", " ")
            sections.append(
                Beat(
                    number=ch.number,
                    chapter=f"{ch.number}. {ch.title}",
                    name=name,
                    heading=beat.get("heading") or name,
                    source=plan.sections_dir(ch) / section["video"],
                    clip=f"clips/{ch.number:02d}_{k:02d}.mp4",
                    notes=beat.get("narration", ""),
                    explore=explore_link(ch.number, section["name"], plan.source.trace),
                )
            )
    return sections


def deck_slides(sections: list[Beat]) -> list[Slide]:
    return [Slide(s.chapter, s.name, s.clip, s.notes, s.explore) for s in sections]


def deck_html(title: str, slides: list[Slide]) -> str:
    """The page, with the slides as JSON data. The page's code puts every text (title,
    chapter, beat name, notes) on the page with ``textContent`` only, never as HTML."""
    data = script_json({"title": title, "slides": [s.__dict__ for s in slides]})
    return TEMPLATE.read_text(encoding="utf-8").replace("/*DECK_DATA*/{}", data)


def lecture_key(plan: Plan, sections: list[Beat]) -> str:
    """What the lecture's files are made from: every clip's bytes, every text, the title,
    and the code and template that write them. Equal keys, equal files."""
    h = hashlib.sha256()
    for path in (Path(__file__), Path(__file__).with_name("slides.py"), TEMPLATE):
        h.update(path.read_bytes())
    h.update(plan.source.example.title.encode() + b"\0" + plan.video_path.stem.encode())
    for s in sections:
        h.update(json.dumps([s.chapter, s.name, s.heading, s.clip, s.notes, s.explore]).encode())
        h.update(file_digest(s.source).encode())
    return h.hexdigest()


def _is_current(deck_dir: Path, key: str) -> bool:
    """The lecture in ``deck_dir`` was written from ``key`` and all of it is there."""
    try:
        record = json.loads((deck_dir / KEY_FILE).read_text())
    except (OSError, ValueError):
        return False
    return record.get("key") == key and all((deck_dir / f).is_file() for f in record["files"])


def write_lecture(plan: Plan, sections: list[Beat], new: Path, key: str) -> None:
    """The deck, its clips, the manim-slides file and the PowerPoint file(s) in ``new``."""
    (new / "clips").mkdir(parents=True)
    for s in sections:
        shutil.copyfile(s.source, new / s.clip)
    title = plan.source.example.title
    write_atomically(new / "index.html", deck_html(title, deck_slides(sections)))
    name = plan.video_path.stem
    (new / "slides").mkdir()
    resolution = video_size(new / sections[0].clip)
    write_atomically(new / "slides" / f"{name}.json", manim_slides_json(sections, resolution))
    parts = pptx_parts(sections, new)
    posters = new / ".posters"
    posters.mkdir()
    subtitle = f"{LESSON}\n“{plan.source.sentence}”"
    for part in parts:
        suffix = f"-ch{part[0].number:02d}" if len(parts) > 1 else ""
        write_pptx(new / f"{name}{suffix}.pptx", title, subtitle, part, new, posters)
    shutil.rmtree(posters)
    written = sorted(p.relative_to(new).as_posix() for p in new.rglob("*") if p.is_file())
    record = {"key": key, "files": written}
    write_atomically(new / KEY_FILE, json.dumps(record, indent=1))


def build_lecture(plan: Plan) -> Path:
    """Render (with sections) and write the lecture; returns the path of index.html. An
    unchanged lecture (same clips, texts and code: :func:`lecture_key`) is left as it is.

    The lecture is put together in a temporary folder and moved into place, so a failed or
    stopped build (Ctrl-C, SIGTERM) leaves the previous one as it was."""
    with sigterm_as_interrupt(), made(plan.chapter_dir), locked(plan.out_dir):
        render(plan)  # takes the same lock again: it does not wait for this run
        write_explorer(plan.source, plan.out_dir)  # what the slides' links open
        deck_dir = plan.out_dir / "lecture"
        sections = lecture_sections(plan)
        key = lecture_key(plan, sections)
        if _is_current(deck_dir, key):
            return deck_dir / "index.html"
        with temp_folder(plan.out_dir, ".lecture-") as work:
            new = work / "lecture"
            write_lecture(plan, sections, new, key)
            replace_folder(new, deck_dir, work / "old")  # the old one goes with work
    return deck_dir / "index.html"
