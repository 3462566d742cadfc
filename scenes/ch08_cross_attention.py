"""Chapter 8: cross-attention. A translation model's French words (queries) look at the
English sentence (keys and values); nothing is masked, since the whole English sentence is
known before the translation starts.

Whatever the main example, this chapter shows the fixed translation pair
(``self.supporting("translation")``): its cross-attention head's pattern sets each
line's opacity and each dot's area.

    manim -pql scenes/ch08_cross_attention.py CrossAttention
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, LEFT, RIGHT, UP, Create, FadeIn, Line, VGroup

from attention_math.trace import CrossTrace
from scenes.components import palette
from scenes.components.attention_grid import LABEL_GAP, AttentionGrid
from scenes.components.entries import fixed
from scenes.components.fade_in_place import FadeOutInPlace
from scenes.components.labels import literal
from scenes.components.token_row import TokenRow
from scenes.lesson import Lesson

LINE_WIDTH = 4
FAINT = 0.1  # a line of less weight (opacity) is too faint to see on the dark background
# The grid takes the stage's height and its width up to the side notes (4.0 wide).
GRID_WIDTH, GRID_HEIGHT = 9.0, 5.7


def pair_said(french: str, english: str) -> str:
    """How the narration names a French query and the English key it reads."""
    return f"“{french}” to “{english}”"


def strongest(cross: CrossTrace, queries: list[int]) -> list[tuple[int, int, float]]:
    """(query, key, weight) of each query's strongest key."""
    pattern = cross.head.pattern  # (query, key)
    return [(j, int(np.argmax(pattern[j])), float(pattern[j].max())) for j in queries]


def _distance(label, other) -> float:
    """How far ``other`` (a line, or a label's box) keeps from ``label``'s box: the
    smallest distance from the box to points along it (0 when they meet)."""
    if isinstance(other, Line):
        points = [other.point_from_proportion(t) for t in np.linspace(0, 1, 41)]
    else:
        points = [other.get_corner(c) for c in (UP + LEFT, UP + RIGHT, DOWN + LEFT, DOWN + RIGHT)]
        points.append(other.get_center())
    low, high = label.get_corner(DOWN + LEFT)[:2], label.get_corner(UP + RIGHT)[:2]
    return min(
        float(np.linalg.norm(np.maximum(0, np.maximum(low - p[:2], p[:2] - high)))) for p in points
    )


@dataclass(frozen=True)
class Unmasked:
    """What the no-mask beat says: the first French word and the last English word
    (a cell a causal mask over one sequence would never allow), and where that French
    word's weight really goes."""

    query: int  # the first French word
    last_key: int  # the last English word
    weight: float  # pattern[query, last_key]
    top_key: int  # the English word the query gives the most
    top_weight: float


def unmasked(cross: CrossTrace) -> Unmasked:
    pattern = cross.head.pattern  # (query, key)
    last = pattern.shape[1] - 1
    top = int(np.argmax(pattern[0]))
    return Unmasked(0, last, float(pattern[0, last]), top, float(pattern[0, top]))


class CrossAttention(Lesson):
    number = 8
    title = "Cross-attention"

    def construct(self) -> None:
        self.pair = self.supporting("translation")[0]
        self.cross = self.pair.cross
        self.title_card("Attention between two sentences")
        self.two_sentences()
        self.lines()
        self.as_a_grid()
        self.no_mask()
        self.values_from_the_source()

    @property
    def english(self) -> list[str]:
        return self.pair.words

    @property
    def french(self) -> list[str]:
        return [t.text for t in self.cross.query_tokens]

    # -- beats -----------------------------------------------------------------------
    def two_sentences(self) -> None:
        self.beat(
            "two-sentences",
            f"A translation model reads “{self.pair.sentence}” and writes "
            f"“{' '.join(self.french)}”. Here the French words ask the questions: they are "
            "the queries. The English words give the keys and the values.",
        )
        self.heading("Two sentences")
        self.source = TokenRow(
            self.english, [t.role for t in self.pair.tokens], font_size=palette.PROMINENT
        )
        self.target = TokenRow(
            self.french, [t.role for t in self.cross.query_tokens], font_size=palette.PROMINENT
        )
        self.source.move_to(self.stage.center + RIGHT * 0.9 + UP * 1.7)
        self.target.move_to(self.stage.center + RIGHT * 0.9 + DOWN * 2.0)
        self.source_label = literal("keys, values", font_size=palette.HEADING, color=palette.KEY)
        self.target_label = literal("queries", font_size=palette.HEADING, color=palette.QUERY)
        self.source_label.next_to(self.source, LEFT, buff=0.4)
        self.target_label.next_to(self.target, LEFT, buff=0.4)
        languages = VGroup(
            literal("English", font_size=palette.LABEL, color=palette.DIM_TEXT).next_to(
                self.source, UP, 0.25
            ),
            literal("French", font_size=palette.LABEL, color=palette.DIM_TEXT).next_to(
                self.target, DOWN, 0.25
            ),
        )
        self.play(self.source.create(), FadeIn(self.source_label), FadeIn(languages[0]))
        self.play(self.target.create(), FadeIn(self.target_label), FadeIn(languages[1]))
        self.caption(
            "Cross-attention: the queries come from one sentence (French), the keys and "
            "values from another (English).",
            wait=2,
        )
        self.languages = languages

    def lines(self) -> None:
        picks = strongest(self.cross, list(range(len(self.french))))
        picks.sort(key=lambda p: -p[2])
        # the weights as the next beat's grid writes them (each column adds up to 1.00)
        self.grid = self._grid()
        drawn = self.grid.drawn("pattern")  # [key, query]
        said = "; ".join(
            f"{pair_said(self.french[j], self.english[i])} with {fixed(drawn[i, j], 2)}"
            for j, i, _ in picks[:3]
        )
        # "The strongest" only when no fourth line is as strong as the third, as written
        tie = len(picks) > 3 and drawn[picks[3][1], picks[3][0]] >= drawn[picks[2][1], picks[2][0]]
        count = len(self.target.shown) * len(self.source.shown)
        pattern = self.cross.head.pattern  # (query, key)
        # most weights are about 0: say so, or "each of the 42 lines" names lines not seen
        faint = int((pattern < FAINT).sum())
        seen = ", so most are too faint to see" if faint > count / 2 else ""
        self.beat(
            "lines",
            f"Each of the {count} lines joins a French query to an English key; its opacity "
            f"is the attention weight{seen}. {'Among the' if tie else 'The'} strongest: {said}.",
        )
        self.heading("Each line's opacity is its weight")
        self.line_weights: dict[tuple[int, int], float] = {}
        line_of: dict[tuple[int, int], Line] = {}  # (query, key)
        lines = VGroup()
        for j in self.target.shown:
            for i in self.source.shown:
                line = Line(
                    self.source.get_box(i).get_bottom(),
                    self.target.get_box(j).get_top(),
                    stroke_width=LINE_WIDTH,
                    color=palette.TEXT,
                )
                line.set_stroke(opacity=float(pattern[j, i]))
                self.line_weights[(j, i)] = float(pattern[j, i])
                line_of[j, i] = line
                lines.add(line)
        self.link_lines = lines
        self.play(Create(lines, lag_ratio=0.02), run_time=3)
        # each pair lights up, its weight beside its line, as the subtitles name it
        self.pair_weights = VGroup()
        seen_lines = [line for (j, i), line in line_of.items() if pattern[j, i] >= FAINT]
        for j, i, _ in picks[:3]:
            others = [m for m in (*seen_lines, *self.pair_weights) if m is not line_of[j, i]]
            weight = self._weight_beside(line_of[j, i], drawn[i, j], others)
            self.pair_weights.add(weight)
            self.until_said(pair_said(self.french[j], self.english[i]))
            self.play(
                self.target.highlight([j], palette.QUERY),
                self.source.highlight([i], palette.KEY),
                FadeIn(weight),
                run_time=0.8,
            )
            self.wait(0.8)
            self.play(self.target.unhighlight(), self.source.unhighlight(), run_time=0.5)
        self.caption(
            f"{count} lines, one for each French–English pair, each as opaque as its weight.",
            wait=1,
        )

    def _weight_beside(self, line: Line, weight: float, others: list) -> VGroup:
        """``weight`` written as the grid writes it, beside ``line``: at the place along
        it, left or right, farthest from ``others`` (the lines one can see and the weights
        already written), so that no other line runs through it."""
        label = literal(fixed(weight, 2), font_size=palette.LABEL, mono=True)
        best, clearance = label, -np.inf
        for t, side in ((a, s) for a in (0.3, 0.5, 0.7) for s in (LEFT, RIGHT)):
            place = label.copy().next_to(line.point_from_proportion(t), side, buff=0.12)
            room = min(_distance(place, other) for other in others)
            if room > clearance:
                best, clearance = place, room
        return best

    def as_a_grid(self) -> None:
        self.beat(
            "grid",
            "The same weights as a grid: English keys down the left, French queries across "
            "the top. Softmax runs down each column, so every column sums to 1.",
        )
        self.heading("The same weights as a grid")
        self.play(
            FadeOutInPlace(
                VGroup(
                    self.link_lines,
                    self.pair_weights,
                    self.source,
                    self.target,
                    self.source_label,
                    self.target_label,
                    self.languages,
                )
            )
        )
        grid = self.grid
        self.stage.place(grid, LEFT, buff=0.3).set_y(self.stage.center[1])
        side = VGroup(
            literal("keys: English", font_size=palette.BODY, color=palette.KEY),
            literal("queries: French", font_size=palette.BODY, color=palette.QUERY),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        side.next_to(grid, RIGHT, buff=0.6).align_to(grid, UP)
        self.play(grid.create(), FadeIn(side))
        self.play(grid.numbers("pattern"), run_time=1.5)
        sums, show_sums = grid.column_sums()
        self.until_said("Softmax runs down")
        self.play(show_sums)
        self.caption("Each column, one French word's weights, sums to 1.", wait=3)
        self.play(grid.dots(), FadeOutInPlace(sums))
        self.wait(2)
        self.side = side

    def _grid(self) -> AttentionGrid:
        """The cross-attention grid: English keys down, French queries across."""
        head = self.cross.head
        return AttentionGrid(
            self.english,
            self.french,
            {"raw": head.scores_raw, "scaled": head.scores, "pattern": head.pattern},
            mask=None,
            max_width=GRID_WIDTH,
            max_height=GRID_HEIGHT,
            font_size=palette.BODY,
        )

    def no_mask(self) -> None:
        shown = unmasked(self.cross)
        n_q, n_k = self.cross.head.pattern.shape
        first, last = self.french[shown.query], self.english[shown.last_key]
        said = (
            "Nothing is masked: the whole English sentence is known before the first French "
            f"word is written, so every French word may read every English word, all {n_k} "
            f"× {n_q} = {n_k * n_q} cells. Even “{first}”, the first word written, may read "
            f"“{last}”, the last English word: this head gives it {shown.weight:.2f}"
        )
        if shown.top_key != shown.last_key:
            said += (
                f", since “{first}” finds what it needs in "
                f"“{self.english[shown.top_key]}” ({shown.top_weight:.2f})"
            )
        self.beat("no-mask", said + ".")
        self.heading("No mask")
        note = VGroup(
            literal("no mask:", font_size=palette.LARGE, color=palette.TEXT),
            literal("the whole English", font_size=palette.LABEL, color=palette.DIM_TEXT),
            literal("sentence is known", font_size=palette.LABEL, color=palette.DIM_TEXT),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.1)
        note.next_to(self.side, DOWN, buff=0.5).align_to(self.side, LEFT)
        self.play(FadeIn(note))
        # the count the narration gives, under the note, as it is said
        cells = literal(
            f"all {n_k} × {n_q} = {n_k * n_q} cells", font_size=palette.BODY, color=palette.TEXT
        )
        cells.next_to(note, DOWN, buff=0.3).align_to(note, LEFT)
        self.until_said(f"all {n_k} × {n_q}")
        self.play(FadeIn(cells))
        self.cells_note = cells
        self.no_mask_note = VGroup(note, cells)
        self.unmasked = shown
        self.until_said(f"Even “{first}”")
        # the lesson's highlight colour: red means masked, and nothing is masked here
        self.play(self.grid.highlight_cell(shown.last_key, shown.query))
        self.caption(
            f"Framed: “{first}”, the first French word, reading “{last}”, the last English "
            f"word ({shown.weight:.2f}). No cell is masked.",
            wait=2.5,
        )

    def values_from_the_source(self) -> None:
        sizes = np.linalg.norm(self.cross.head.delta_E, axis=1)  # (n_q,)
        j = int(np.argmax(sizes))
        named = f"“{self.french[j]}” gets the largest"
        self.beat(
            "values",
            "The values come from the English words as well: each French word's embedding "
            "is updated by a ΔE, the English words' values weighted by its column. "
            f"Under each column, the length of that ΔE: {named} change, "
            f"{fixed(sizes[j], 1)}.",
        )
        note = VGroup(
            literal("ΔE = Σ w · V", font_size=palette.BODY, color=palette.DELTA),
            literal("w: a column's weights", font_size=palette.SMALL, color=palette.DIM_TEXT),
            literal(
                "V: the English words' values", font_size=palette.SMALL, color=palette.DIM_TEXT
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        note.next_to(self.side, DOWN, buff=0.5).align_to(self.side, LEFT)
        self.heading("Values from the other sentence")
        # the last beat's framed cell and its note are not this one's
        self.play(self.grid.clear_highlights(), FadeOutInPlace(self.no_mask_note))
        self.play(FadeIn(note))
        self.change_row = self._change_row(sizes)
        self.until_said("Under each column")
        self.play(FadeIn(self.change_row))
        self.until_said(named)
        self.play(
            self.grid.highlight_column(j, palette.DELTA),
            self.change_row[1][j].animate.set_color(palette.DELTA),
        )
        self.caption(
            f"Column “{self.french[j]}”: its weights × the English words' values give its "
            f"ΔE, the longest: |ΔE| = {fixed(sizes[j], 1)}.",
            wait=2,
        )

    def _change_row(self, sizes: np.ndarray) -> VGroup:
        """Under each French word's column, where the grid writes its sums, the length of
        its ΔE (``sizes``), named "|ΔE|" on the left: (name, numbers)."""
        grid = self.grid
        last = grid.key_range[-1]
        numbers = VGroup()
        for j in grid.query_range:
            label = literal(fixed(sizes[j], 1), font_size=grid.font_size, mono=True)
            if label.width > 0.9 * grid.cell_width:
                label.scale_to_fit_width(0.9 * grid.cell_width)
            numbers.add(label.next_to(grid.get_cell(last, j), DOWN, buff=LABEL_GAP))
        name = literal("|ΔE|", font_size=grid.font_size, color=palette.DELTA)
        name.set_y(numbers[0].get_y()).align_to(grid.cells.get_left() + LEFT * LABEL_GAP, RIGHT)
        return VGroup(name, numbers)
