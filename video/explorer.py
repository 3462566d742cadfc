"""The explorer page: every number of the lesson for one sentence, hover by hover, offline.

``./render.sh explore`` (and every whole-video render) writes
``output/<example>/<quality>/explorer/index.html``: one self-contained page, its data
embedded as JSON (:func:`video.page_data.script_json`: a sentence is data, never markup),
no script, font or data fetched, so it works from ``file://`` with no network. It shows

* the sentence: each word's role, where the role came from, the parser's relations;
* every designed head's grid and the cross-attention example's, as the video draws them
  (keys as rows, queries as columns, the sink last, masked cells hatched); hovering or
  focusing a cell shows its raw score K·Q, the scaled score, whether it is masked and its
  weight, rounded as the video rounds them; choosing a query shows chapter 6's weighted
  sum of values, ΔE, |ΔE| against |E| and E′;
* the real model's 270 heads as a gallery (chapter 13's picks marked and said why), each
  enlargeable to the same grid.

Scripts read what is drawn from data attributes: every cell of a grid has ``data-head``
(a designed head's ``id`` as in trace.json, ``L<layer>H<head>`` for the real model),
``data-key`` (``sink`` for a sink), ``data-query`` and ``data-weight`` (full precision, as
trace.json); each thumbnail has ``data-head`` and ``data-weights`` (its whole pattern as
JSON, ``[key][query]``). ``index.html#head=<id>&query=<q>&key=<k>`` opens at a cell.

The numbers come from :mod:`video.explorer_data` and :mod:`video.explorer_real`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scenes.order import CHAPTERS
from scenes.settings import Source

from .explorer_data import designed_payload
from .explorer_real import real_payload
from .files import write_atomically
from .folders import locked, made
from .page_data import script_json
from .plan import Plan

TEMPLATE = Path(__file__).resolve().parent / "templates" / "explorer.html"
PLACEHOLDER = "/*EXPLORER_DATA*/{}"


def explorer_payload(source: Source, real: bool = True) -> dict[str, Any]:
    """Everything the page shows for ``source``'s sentence; ``real=False`` leaves the
    real model out (its gallery then says so)."""
    payload = designed_payload(source)
    payload["real"] = real_payload(source.trace) if real else {"missing": "left out"}
    return payload


def video_links(source: Source, out_dir: Path) -> dict[str, Any] | None:
    """Where each beat starts in the whole video of ``out_dir``, for the page's "watch"
    links: ``{"file": "../<example>.mp4", "beats": {"3/pattern": 123.45, ...}}``; None
    when the folder has no whole video (or a chapter's beat index is missing). The
    joined video is the chapters one after the other, each its beats in order."""
    plan = Plan(source, out_dir.name, CHAPTERS, out_dir, jobs=1)
    if not plan.video_path.is_file():
        return None
    beats: dict[str, float] = {}
    start = 0.0
    for chapter in CHAPTERS:
        try:
            index = json.loads(plan.section_index(chapter).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        for section in index:
            beats[f"{chapter.number}/{section['name']}"] = round(start, 2)
            start += float(section["duration"])
    return {"file": f"../{plan.video_path.name}", "beats": beats}


def explorer_html(payload: dict[str, Any]) -> str:
    """The page with ``payload`` embedded; its code puts every text on the page with
    ``textContent`` or as an attribute's value, never as HTML."""
    return TEMPLATE.read_text(encoding="utf-8").replace(PLACEHOLDER, script_json(payload))


def explorer_path(out_dir: Path) -> Path:
    return out_dir / "explorer" / "index.html"


def write_explorer(source: Source, out_dir: Path, real: bool = True) -> Path:
    """Write the page for ``source`` into ``out_dir`` (an output folder), under the
    folder's lock, in one rename (not at all when the page there is the same); returns
    its path."""
    payload = explorer_payload(source, real)
    payload["video"] = video_links(source, out_dir)
    html = explorer_html(payload)
    path = explorer_path(out_dir)
    with made(path.parent), locked(out_dir):
        if not (path.is_file() and path.read_text(encoding="utf-8") == html):
            write_atomically(path, html)
    return path
