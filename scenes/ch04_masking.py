"""Chapter 4: masking. Later tokens must not talk to earlier ones.

Every prefix of the sentence predicts its next token; scores where the key comes
after the query are set to −∞ (red) before the softmax and come out exactly 0 after
it, and every column still sums to 1. The unnormalized and normalized grids side by
side. All values are the trace's: its scores, its mask, its pattern.

    manim -pql scenes/ch04_masking.py Masking
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    FadeIn,
    GrowArrow,
    SurroundingRectangle,
    VGroup,
    Write,
)

from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid, token_window
from scenes.components.entries import dots, fixed
from scenes.components.labels import literal
from scenes.components.token_row import TokenRow
from scenes.focus import main_link, plural, quoted, roles
from scenes.lesson import Lesson

HEAD = "adjective-noun"
MAX_PREFIXES = 8  # prefixes listed in full; longer sentences show the first and last ones
SIDE_BY_SIDE_TOKENS = 6
UNKNOWN = "???"
# The grid takes the stage's height and its width up to the side note (2.7 wide).
GRID_WIDTH, GRID_HEIGHT = 10.4, 5.7


def masked_example(trace, head, q: int, shown_keys=None) -> str:
    """What the mask does to a column, said for token ``q``, or for the first token when
    nothing comes after ``q``: "“creature” gives 0 to the 4 tokens after it"; with
    ``shown_keys`` (the rows a grid shows), how many of them lie below the window."""
    later = int(np.sum(~head.mask[q]))
    if later:
        hidden = [
            i
            for i in np.flatnonzero(~head.mask[q])
            if shown_keys is not None and i not in shown_keys
        ]
        if len(hidden) == later:
            below = " (all of them below this window)" if later > 1 else " (below this window)"
        else:
            below = f" ({len(hidden)} of them below this window)" if hidden else ""
        return f"{quoted(trace, q)} gives 0 to the {plural(later, 'token')} after it{below}"
    if trace.n == 1:
        return "with a single token nothing is masked"
    first = int(np.sum(~head.mask[0]))
    return (
        f"{quoted(trace, q)} is the last token, with nothing after it, while "
        f"{quoted(trace, 0)} gives 0 to all {plural(first, 'token')} after it"
    )


def least_cut_focus(head, link, size: int) -> int:
    """The focus of a window of ``size`` tokens that shows the lesson's link if any does
    and, of those, hides the least weight of its columns (on keys above the window):
    each column drawn then adds up to 1 as nearly as a window allows."""
    n = len(head.pattern)

    def score(focus: int) -> tuple:
        window = token_window(n, focus, size)
        hidden = sum(float(head.pattern[q, : window.start].sum()) for q in window)
        has_link = link.key in window and link.query in window
        return (has_link, -round(hidden, 9), -window.start)

    return max(range(n), key=score)


class Masking(Lesson):
    number = 4
    title = "Masking"

    def construct(self) -> None:
        self.title_card()
        self.predict_every_token()
        self.cheating()
        self.minus_infinity()
        self.softmax_of_masked()
        self.side_by_side()

    def setup(self) -> None:
        super().setup()
        self.head = self.trace.head(HEAD)
        self.link = main_link(self.trace, self.head)

    # -- beats -----------------------------------------------------------------------
    def predict_every_token(self) -> None:
        t = self.trace
        self.beat(
            "predict every token",
            f"While training, the model predicts every next token at once: this sentence "
            f"gives {t.n} predictions, one per prefix.",
        )
        self.heading("Predict every next token")
        n = t.n
        if n <= MAX_PREFIXES:
            lengths: list[int | None] = list(range(1, n + 1))
        else:
            lengths = [1, 2, 3, None, n - 3, n - 2, n - 1, n]
        rows = VGroup()
        for k in lengths:
            if k is None:
                rows.add(dots(DOWN, 0.04, 0.08))
                continue
            words = [*t.words[:k], UNKNOWN]
            row_roles = [*roles(t)[:k], None]
            rows.add(TokenRow(words, row_roles, font_size=palette.HEADING, max_width=12.6))
        rows.arrange(DOWN, buff=0.14, aligned_edge=LEFT)
        if rows.height > 5.6:
            rows.scale_to_fit_height(5.6)
        rows.move_to(self.stage.center)
        for row in rows:
            if isinstance(row, TokenRow):
                last = row.shown[-1]
                row.get_box(last).set_stroke(palette.QUERY, 3)
                row.get_label(last).set_color(palette.QUERY)
        self.play(FadeIn(rows, lag_ratio=0.15), run_time=2.5)
        self.caption(
            f"{t.n} prefixes, {t.n} guesses of the next token (???), all from one pass"
            + (" (the first 3 and the last 4 shown)." if None in lengths else "."),
            wait=2.5,
        )
        self.clear_content()

    def cheating(self) -> None:
        t = self.trace
        self.beat(
            "cheating",
            "For that to work, no token may look at tokens after it: they hold the answer.",
        )
        self.heading("Later tokens would give the answer away")
        self.grid = AttentionGrid.from_head(
            self.head,
            t.words,
            focus=self.link.query,
            max_width=GRID_WIDTH,
            max_height=GRID_HEIGHT,
        )
        self.stage.place(self.grid, LEFT, buff=0.3).set_y(self.stage.center[1])
        self.play(self.grid.create(), run_time=1.5)
        self.play(self.grid.numbers("scaled", masked="value"), run_time=1.5)
        future = [
            self.grid.get_cell(i, j) for i, j in self.grid.shown_cells() if not self.grid.mask[i, j]
        ]
        if future:
            region = VGroup(*future)
            self.play(*[c.animate.set_stroke(palette.MASK, 3) for c in future])
            note = literal(
                "key after query:\nthe future", font_size=palette.BODY, color=palette.MASK
            )
            note.next_to(self.grid, RIGHT, buff=0.4).align_to(region, DOWN)
            self.play(FadeIn(note))
            self.note = note
        else:
            self.note = literal(
                "one token:\nno future", font_size=palette.BODY, color=palette.DIM_TEXT
            )
            self.note.next_to(self.grid, RIGHT, buff=0.4)
            self.play(FadeIn(self.note))
        count = int((~self.head.mask).sum())
        self.caption(
            f"{count} of {t.n * t.n} scores pair a query with a LATER key (lower left). "
            "They must not count.",
            wait=2.5,
        )

    def minus_infinity(self) -> None:
        self.beat(
            "minus infinity",
            "Before the softmax those scores are set to minus infinity.",
        )
        self.heading("Set them to \u2212\u221e")
        self.play(
            self.grid.numbers("scaled", masked="infinity"),
            self.grid.shade_masked(palette.MASK),
            run_time=1.5,
        )
        self.caption(
            "e\u207b\u221e = 0: after the softmax these keys get no weight at all.", wait=2.5
        )

    def softmax_of_masked(self) -> None:
        t, q = self.trace, self.link.query
        self.beat(
            "softmax",
            "After the softmax, masked cells are exactly 0 and each column still sums to 1; "
            + masked_example(t, self.head, q, self.grid.key_range)
            + ".",
        )
        self.heading("Softmax: zeros, and columns still sum to 1")
        self.play(self.grid.numbers("pattern", masked="value"), run_time=1.5)
        sums, show = self.grid.column_sums("pattern")
        # the column the narration names: its zeros, its total
        named = q if (~self.head.mask[q]).any() or t.n == 1 else 0
        frame = [self.grid.highlight_column(named)] if named in self.grid.query_range else []
        self.play(show, *frame)
        exact = all(
            self.head.pattern[j, i] == 0.0
            for i, j in self.grid.shown_cells()
            if not self.grid.mask[i, j]
        )
        drawn = self.grid.drawn("pattern")[self.link.key, q]  # as the grid writes it
        self.caption(
            ("Every red cell is exactly 0.00" if exact else "Red cells are 0")
            + f"; the column of {quoted(t, q)}: {fixed(drawn, 2)} to "
            f"{quoted(t, self.link.key)}, total 1." + self.grid.cut_note(),
            wait=3.0,
        )
        self.clear_content()

    def side_by_side(self) -> None:
        t = self.trace
        focus = least_cut_focus(self.head, self.link, SIDE_BY_SIDE_TOKENS)
        left, right = (
            AttentionGrid.from_head(
                self.head,
                t.words,
                focus=focus,
                max_tokens=SIDE_BY_SIDE_TOKENS,
                max_width=6.0,
                max_height=5.3,
                font_size=palette.SMALL,
                legend=False,
            )
            for _ in range(2)
        )
        self.sides = (left, right)
        cut = (  # a window that cuts a column shows its share above apart: said with it
            ", counting a cut column's share on the rows above the window, written under it"
            if right.hidden_rests()
            else ""
        )
        self.beat(
            "side by side",
            "Unnormalized scores with minus infinity on the left; softmax; the normalized "
            "pattern on the right. Every minus infinity becomes exactly zero, and each "
            f"column of the normalized grid adds up to 1{cut}.",
        )
        self.heading("Unnormalized \u2192 softmax \u2192 normalized")
        VGroup(left, right).arrange(RIGHT, buff=1.45).move_to(self.stage.center + DOWN * 0.25)
        arrow = Arrow(left.get_right(), right.get_left(), buff=0.15, color=palette.QUERY)
        arrow.set_y(left.cells.get_y())
        name = literal("softmax", font_size=palette.SMALL, color=palette.QUERY).next_to(
            arrow, UP, buff=0.1
        )
        titles = VGroup(
            literal("unnormalized", font_size=palette.BODY).next_to(left, UP, buff=0.2),
            literal("normalized", font_size=palette.BODY).next_to(right, UP, buff=0.2),
        )
        self.play(left.create(), right.create(), FadeIn(titles))
        self.play(left.shade_masked(palette.MASK), right.shade_masked(palette.MASK))
        self.play(left.numbers("scaled", masked="infinity"), run_time=1.2)
        self.play(GrowArrow(arrow), Write(name))
        self.play(right.numbers("pattern", masked="value"), run_time=1.2)
        sums, show = right.column_sums("pattern")
        self.play(show)
        frame = SurroundingRectangle(sums, color=palette.QUERY, buff=0.1)
        self.play(Write(frame))
        self.caption(
            "Same grid, before and after: \u2212\u221e becomes exactly 0, and every column of "
            "the normalized grid adds to 1." + right.cut_note(),
            wait=3.0,
        )
