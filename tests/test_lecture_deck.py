"""The lecture deck in a real headless browser (Debian's chromium): it loads offline,
the first clip plays, keys advance, notes carry the narration."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from test_render_pipeline import _plan

from video.lecture import Slide, build_lecture, deck_html

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


@pytest.fixture(scope="module")
def deck(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("lecture")
    return build_lecture(_plan(tmp, "deck"))


def test_deck_has_a_clip_and_notes_per_beat(deck):
    html = deck.read_text()
    assert "First token: a" in html and "A real number" in html
    assert sorted(p.name for p in (deck.parent / "clips").iterdir()) == ["01_00.mp4", "01_01.mp4"]
    assert "http://" not in html and "https://" not in html  # nothing to fetch


def test_text_cannot_break_out_of_the_page():
    html = deck_html("t", [Slide("c", "s", "clips/x.mp4", "</script><script>alert(1)</script>")])
    assert "</script><script>alert(1)" not in html


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
        assert page.text_content("#counter") == "1 / 2"
        assert "First token: a" in page.text_content("#notes")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("() => document.body.dataset.index === '1'", timeout=5_000)
        assert page.text_content("#notes") == "A real number"
        assert page.eval_on_selector("#clip", "v => v.src").endswith("clips/01_01.mp4")
        page.keyboard.press("ArrowLeft")
        page.wait_for_function("() => document.body.dataset.index === '0'", timeout=5_000)
        browser.close()
    assert all(url.startswith("file://") for url in requests), requests
