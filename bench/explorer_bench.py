"""The explorer page's figures: its size, how long Python takes to write it, how long a
headless Chromium takes to load it and to draw the real model's 270-head gallery, for
the default example and for a sentence of 64 tokens (the designed heads' most).

    .venv/bin/python bench/explorer_bench.py [--runs 5]

Loads are timed by the page itself (``performance.now()`` when its script has built
every grid and the gallery: ``data-ready-ms``, ``data-gallery-ms``), the median of
``--runs`` fresh tabs, from file:// with the network cut off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as render.sh runs it
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402
from test_lecture_deck import CHROMIUM, FLAGS  # noqa: E402

from scenes.settings import resolve_source  # noqa: E402
from video.explorer import write_explorer  # noqa: E402

LONG = (  # 64 tokens for the designed heads and for the real model, both their most
    "the old man fixed his torn net while a small grey cat watched him from the warm grey "
    "stone wall and the quiet harbour slept under a pale moon as two tired sailors walked "
    "home along the narrow street past the bakery where a kind woman sold fresh bread and "
    "sweet cakes to the hungry children of the sleepy village by the old sea"
)


def page_for(label: str, sentence: str | None, out: Path) -> tuple[Path, int, float]:
    source = resolve_source(sentence, None if sentence else "fluffy-creature", None, environ={})
    started = time.perf_counter()
    page = write_explorer(source, out / label)
    return page, source.trace.n, time.perf_counter() - started


def load_times(page: Path, runs: int) -> tuple[float, float]:
    """Median (load, gallery) milliseconds over ``runs`` fresh tabs."""
    loads, galleries = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for _ in range(runs):
            context = browser.new_context()
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
            )
            tab = context.new_page()
            tab.goto(page.as_uri())
            tab.wait_for_function("() => document.body.dataset.ready === '1'", timeout=60_000)
            loads.append(float(tab.evaluate("document.body.dataset.readyMs")))
            galleries.append(float(tab.evaluate("document.body.dataset.galleryMs")))
            context.close()
        browser.close()
    return statistics.median(loads), statistics.median(galleries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("| page | tokens | size | written in | load (median) | gallery drawn in |")
        print("|---|---|---|---|---|---|")
        for label, sentence in (("default", None), ("64 tokens", LONG)):
            page, n, write = page_for(label, sentence, Path(tmp))
            load, gallery = load_times(page, args.runs)
            size = page.stat().st_size / 1e6
            figures = f"{size:.2f} MB | {write:.1f} s | {load:.0f} ms | {gallery:.0f} ms"
            print(f"| {label} | {n} | {figures} |")


if __name__ == "__main__":
    main()
