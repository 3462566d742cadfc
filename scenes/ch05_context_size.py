"""Chapter 5: context size. The grid grows with the square of the number of tokens.

The example's own pattern, then a real 50-token pattern (the mystery passage followed
by the two running examples, run through the same designed head) zooming out from its
top-left corner, the count of cells (context²), and a list of methods that make long
contexts cheaper.

    manim -pql scenes/ch05_context_size.py ContextSize
"""

from __future__ import annotations

from functools import lru_cache

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    Indicate,
    VGroup,
    Write,
)

from attention_math import PRESETS, Trace, build_trace, example_from_sentence, load_example
from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid, PatternHeatmap, subscript
from scenes.components.labels import literal
from scenes.focus import main_link
from scenes.lesson import Lesson
from scenes.settings import chapter_cache

HEAD = "adjective-noun"
LARGE = 50  # tokens of the large pattern
ZOOM_TOKENS = 8  # the large pattern first fills the screen with this many rows
GPT3_CONTEXT = PRESETS["gpt3"].context_length  # tokens
PASSAGES = ("mystery", "fluffy-creature", "tiny-robot")  # 33 + 8 + 9 = 50 tokens
METHODS = (
    "Sparse attention",
    "Blockwise attention",
    "Linformer",
    "Reformer",
    "Ring attention",
    "Longformer",
    "Adaptive attention span",
)


@chapter_cache
@lru_cache(maxsize=2)
def large_trace(seed: int) -> Trace:
    """A long text for the big picture: the supporting passages one after another."""
    text = " ".join(load_example(name).sentence for name in PASSAGES)
    return build_trace(example_from_sentence(text), seed=seed)


class ContextSize(Lesson):
    number = 5
    title = "Context size"

    def construct(self) -> None:
        self.title_card()
        self.small_grid()
        self.large_grid()
        self.quadratic()
        self.methods()

    def setup(self) -> None:
        super().setup()
        self.head = self.trace.head(HEAD)
        self.big = self.trace if self.trace.n >= LARGE else large_trace(self.example_source.seed)

    # -- beats -----------------------------------------------------------------------
    def small_grid(self) -> None:
        t = self.trace
        n = t.n
        self.beat(
            "small grid",
            f"Our sentence has {n} tokens, so its attention pattern has {n} \u00d7 {n} = "
            f"{n * n:,} cells.",
        )
        self.heading("One cell per pair of tokens")
        grid = AttentionGrid.from_head(
            self.head,
            t.words,
            focus=main_link(t, self.head).query,
            max_width=8.0,
            max_height=5.9,
        )
        grid.move_to(self.stage.center + LEFT * 2.4 + DOWN * 0.15)
        self.play(grid.create(), run_time=1.5)
        self.play(grid.shade_masked(palette.MASK), grid.dots(), run_time=1.5)
        count = literal(
            f"{n} \u00d7 {n} = {n * n:,}", font_size=palette.DISPLAY, color=palette.QUERY
        )
        unit = literal("cells", font_size=palette.LARGE, color=palette.DIM_TEXT)
        total = VGroup(count, unit).arrange(DOWN, buff=0.2)
        total.move_to(self.side_notes.center + RIGHT * 0.5 + UP * 0.3)
        self.play(Write(count), FadeIn(unit))
        shown = "" if not grid.windowed else f" (a window of {len(grid.query_range)} shown)"
        self.caption(
            f"{n} tokens: {n * n:,} cells{shown}. Each new token adds a whole row "
            "and a whole column.",
            wait=2.5,
        )
        self.clear_content()

    def large_grid(self) -> None:
        big = self.big
        n = big.n
        head = big.head(HEAD)
        self.beat(
            "large grid",
            f"A {n}-token text gives {n} \u00d7 {n} = {n * n:,} cells: the same head, computed "
            "on a longer passage.",
        )
        self.heading(f"{n} tokens")
        self.heatmap = heatmap = PatternHeatmap(head.pattern, head.mask, side=4.9, every=10)
        heatmap.move_to(self.stage.center + LEFT * 1.8 + DOWN * 0.25)
        labels = VGroup(heatmap.key_labels, heatmap.query_labels)
        picture = VGroup(heatmap.shades, heatmap.frame)
        corner = heatmap.frame.get_corner(UP + LEFT)
        zoom = n / ZOOM_TOKENS  # first: ZOOM_TOKENS rows fill the square, the rest off screen
        picture.scale(zoom, about_point=corner)
        self.play(FadeIn(picture), run_time=1.5)
        self.caption(f"The top-left corner: the first {ZOOM_TOKENS} tokens. Zooming out...")
        self.play(picture.animate.scale(1 / zoom, about_point=corner), run_time=3)
        self.play(FadeIn(labels))
        count = literal(
            f"{n} \u00d7 {n} = {n * n:,}", font_size=palette.DISPLAY, color=palette.QUERY
        )
        unit = literal("cells", font_size=palette.LARGE, color=palette.DIM_TEXT)
        total = VGroup(count, unit).arrange(DOWN, buff=0.2)
        total.move_to(self.side_notes.center + RIGHT * 0.7 + UP * 0.3)
        self.play(Write(count), FadeIn(unit))
        self.caption(
            f"Q\u2081\u2026Q{subscript(n)} across, K\u2081\u2026K{subscript(n)} down; "
            "brightness = \u221aweight, red = masked.",
            wait=3.0,
        )
        self.clear_content()

    def quadratic(self) -> None:
        n_small, n_big = self.trace.n, self.big.n
        rows = [(n_small, "this sentence"), (n_big, "the passage"), (GPT3_CONTEXT, "GPT-3")]
        rows = list(dict.fromkeys(rows))
        self.beat(
            "quadratic",
            f"Cells grow with the square of the context: GPT-3's {GPT3_CONTEXT:,} tokens make "
            f"{GPT3_CONTEXT**2:,} cells per head.",
        )
        self.heading("Context size squared")
        lines, cells = [], []
        for k, (n, name) in enumerate(rows):
            y = 1.2 - 1.0 * k
            count = literal(f"{n * n:,} cells", font_size=palette.HEADLINE, color=palette.QUERY)
            cells.append(count.move_to([5.6, y, 0], aligned_edge=RIGHT))
            lines.append(
                VGroup(
                    literal(name, font_size=palette.HEADLINE, color=palette.DIM_TEXT).move_to(
                        [-5.2, y, 0], aligned_edge=LEFT
                    ),
                    literal(f"{n:,} tokens", font_size=palette.HEADLINE).move_to(
                        [0.6, y, 0], aligned_edge=RIGHT
                    ),
                    count,
                )
            )
        for line in lines:
            self.play(FadeIn(line, shift=0.2 * UP), run_time=0.8)
            self.wait(0.6)
        self.play(Indicate(cells[-1], color=palette.MASK))
        self.caption(
            f"Double the context, four times the cells: {GPT3_CONTEXT:,}\u00b2 = "
            f"{GPT3_CONTEXT**2:,}, in every head of every layer.",
            wait=3.0,
        )
        self.clear_content()

    def methods(self) -> None:
        self.beat(
            "methods",
            "Many methods make long contexts cheaper: " + ", ".join(METHODS) + ".",
        )
        self.heading("Making long contexts affordable")
        per_column = (len(METHODS) + 1) // 2
        items = VGroup()
        for k, name in enumerate(METHODS):
            item = literal(f"\u2022 {name}", font_size=palette.HEADLINE)
            x, y = -5.5 + 6.2 * (k // per_column), 1.6 - 0.75 * (k % per_column)
            bullet = item[0]  # line up the bullets: descenders must not move a line
            items.add(item.shift([x - item.get_left()[0], y - bullet.get_y(), 0]))
        items.move_to(self.stage.center + UP * 0.1)
        self.play(FadeIn(items, lag_ratio=0.2), run_time=3)
        self.caption(
            "Each one avoids computing or storing the full context \u00d7 context grid.",
            wait=4.0,
        )
