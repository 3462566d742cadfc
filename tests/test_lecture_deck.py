"""The lecture deck in a real headless browser (Debian's chromium): it loads offline,
the first clip plays, keys advance, notes carry the narration, and no text of the
sentence can break the page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from test_render_pipeline import _plan

from video.lecture import EXPLORER, TEMPLATE, Slide, build_lecture, deck_html, explore_link

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
]


# In a <script> element, "<!--" then "<script" hides the element's end from the HTML
# parser: data holding them swallowed the page's code, and the deck showed nothing.
HOSTILE = "<!--<script> a fluffy blue creature"
DATA_START = '<script id="deck-data" type="application/json">'


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    # the sentence is the deck's title, and its first token the first beat's narration
    tmp = tmp_path_factory.mktemp("lecture")
    return build_lecture(_plan(tmp, "deck", scene="Titled", sentence=HOSTILE))


def _deck_data(html: str) -> str:
    """The JSON text embedded in the page."""
    start = html.index(DATA_START) + len(DATA_START)
    return html[start : html.index("</script>", start)]


def test_deck_has_a_clip_and_notes_per_beat(deck):
    html = deck.read_text()
    data = json.loads(_deck_data(html))
    assert data["title"] == HOSTILE
    slides = data["slides"]
    assert [s["section"] for s in slides] == ["title card", "first", "second"]
    # the title card's notes are its spoken words
    assert [s["notes"] for s in slides] == ["Chapter 1: Tiny.", "First token: <", "A real number"]
    assert [s["clip"] for s in slides] == ["clips/01_00.mp4", "clips/01_01.mp4", "clips/01_02.mp4"]
    assert sorted(p.name for p in (deck.parent / "clips").iterdir()) == [
        "01_00.mp4", "01_01.mp4", "01_02.mp4",
    ]  # fmt: skip
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert "autocreated" not in html


def test_the_title_card_is_a_named_section(deck):
    # manim names a scene's first section "autocreated"; the chapter's is its title card
    chapters = deck.parent.parent / "chapters"
    index = json.loads((chapters / "sections" / "tiny_scene" / "Titled.json").read_text())
    assert [s["name"] for s in index] == ["title card", "first", "second"]


TEXTS = [
    "</script><script>alert(1)</script>",
    "<!--<script>",
    r"<!-- x --> & <b>bold</b> <\/ \u003c \"",
    "line\u2028separator\u2029paragraph",
    "<SCRIPT>",
]


@pytest.mark.parametrize("text", TEXTS)
def test_text_cannot_break_out_of_the_page(text):
    slides = [Slide(f"1. {text}", text, "clips/x.mp4", text, "../explorer/index.html")]
    html = deck_html(text, slides)
    data = _deck_data(html)
    assert "<" not in data and ">" not in data and "&" not in data
    assert json.loads(data) == {"title": text, "slides": [s.__dict__ for s in slides]}
    # the rest of the page is the template, unchanged
    assert html.replace(data, "/*DECK_DATA*/{}") == TEMPLATE.read_text(encoding="utf-8")


def test_deck_plays_offline_and_steps_with_keys(deck):
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.goto(deck.as_uri())
        page.wait_for_function(
            "() => { const v = document.getElementById('clip');"
            " return v.readyState >= 2 && v.currentTime > 0; }",
            timeout=15_000,
        )
        assert page.text_content("#counter") == "1 / 3"
        assert page.text_content("#chapter") == "1. Tiny — title card"
        assert page.title() == f"{HOSTILE} — lecture deck"
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.body.dataset.index === '1'", timeout=5_000)
        assert page.text_content("#notes") == "First token: <"
        assert page.eval_on_selector("#clip", "v => v.src").endswith("clips/01_01.mp4")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.body.dataset.index === '2'", timeout=5_000)
        assert page.text_content("#notes") == "A real number"
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => document.body.dataset.index === '1'", timeout=5_000)
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests


def test_each_beat_links_to_the_explorer_at_its_head_and_token(deck):
    data = json.loads(_deck_data(deck.read_text()))
    assert [s["explore"] for s in data["slides"]] == [EXPLORER] * 3  # chapter 1: the top
    page = (deck.parent / EXPLORER).resolve()
    assert page.is_file() and page == deck.parent.parent / "explorer" / "index.html"


def test_a_beat_on_a_head_opens_the_explorer_there(fluffy_trace):
    from scenes.focus import main_link

    link = main_link(fluffy_trace, fluffy_trace.head("adjective-noun"))
    expected = f"{EXPLORER}#head=adjective-noun&query={link.query}&key={link.key}"
    assert explore_link(3, "softmax", fluffy_trace) == expected
    assert explore_link(13, "L16H0", fluffy_trace) == f"{EXPLORER}#head=L16H0"
    assert explore_link(13, "contrast", fluffy_trace) == EXPLORER
