"""Chapter 3: the attention pattern, from one question to the whole grid.

The noun asks "any adjectives in front of me?"; its query is W_Q times its embedding
(a real matrix-vector product, running sums of the drawn entries); every token's key
is W_K times its embedding; query and key meet in a query/key space (projections of
the real Q and K); the grid of dot products K_i·Q_j, divided by √d_k, softmaxed
down each column, becomes the attention pattern (dot area = weight); and the formula.

What it says, and which tokens and cells it shows, is computed in
``scenes/facts/ch03_attention_pattern.py`` (no drawing there).

    manim -pql scenes/ch03_attention_pattern.py AttentionPattern
"""

from __future__ import annotations

import textwrap

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arc,
    Arrow,
    Create,
    CurvedArrow,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    VGroup,
    Write,
)

from scenes.components import palette
from scenes.components.animations import together
from scenes.components.attention_grid import AttentionGrid, subscript, token_window
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.embedding_space import EmbeddingSpace
from scenes.components.entries import fixed
from scenes.components.formula import attention_formula, colored
from scenes.components.labels import literal, with_notation
from scenes.components.product import MatrixVectorProduct
from scenes.components.speech_bubble import SpeechBubble, spread
from scenes.components.token_row import TokenParagraph, TokenRow
from scenes.components.weight_matrix import WeightMatrix, factor_text
from scenes.facts.ch03_attention_pattern import (
    FORMULA_SAID,
    dot_products_said,
    grammar_caption,
    grammar_said,
    link_said,
    pattern_said,
    query_key_picture,
    query_said,
    question_said,
    scaling_said,
    softmax_said,
)
from scenes.focus import main_link, modifiers, own_adjectives, quoted, roles
from scenes.lesson import Lesson

HEAD = "adjective-noun"
ROWS = (0, 1, 2, -1)  # rows of W_Q drawn in the product
COLS = (0, 1, 2, 3, -1)  # columns of W_Q (= entries of E) drawn in the product
TERM_HOLD = 1.1  # seconds each multiply-add of the first row stays to be read
SLOW_COLUMNS = 2  # softmax columns shown one at a time before the rest go together
FORMULA_RIGHT = 6.3  # the formula ends this far right: clear of the frame edge (7.1)
MAX_KEYS_LISTED = 8  # as many as the grids show (AttentionGrid's max_tokens)
# The grid takes the stage's height and its width up to the side notes (widest: 3.4).
GRID_WIDTH, GRID_HEIGHT = 9.7, 5.7


def link_arc(row: TokenRow | TokenParagraph, i: int, j: int) -> CurvedArrow:
    """The arc over ``row`` from token ``i`` (an adjective) to token ``j`` (its noun)."""
    start, end = row.get_box(i).get_top(), row.get_box(j).get_top()
    angle = -1.2 if start[0] < end[0] else 1.2
    return CurvedArrow(start + UP * 0.08, end + UP * 0.08, angle=angle, color=palette.KEY)


def made_by(bubble: SpeechBubble, vector: str, matrix: str, i: int) -> VGroup:
    """ "key = W_K E₃" under ``bubble``: which vector says it, made from token ``i``'s
    embedding by which matrix, in the bubble's colour."""
    color = bubble.box.get_stroke_color()
    note = with_notation(
        f"{vector} = {matrix} E{subscript(i + 1)}", font_size=palette.SMALL, color=color
    )
    return note.next_to(bubble.box, DOWN, buff=0.12)


class AttentionPattern(Lesson):
    number = 3
    title = "The attention pattern"

    def construct(self) -> None:
        self.title_card()
        self.question()
        self.grammar()
        self.grammar_link()
        self.query()
        self.keys()
        self.query_key_space()
        self.dot_products()
        self.scaling()
        self.softmax()
        self.pattern()
        self.formula()

    # -- choices from the trace ------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        t = self.trace
        self.head = t.head(HEAD)
        self.link = main_link(t, self.head)
        self.q, self.k = self.link.query, self.link.key
        column = self.head.pattern[self.q]  # (n,) weights of the focus query
        # the adjectives that answer the focus noun (the parser's, carrying 0.2 or more);
        # without any, the beats follow the focus query's strongest earlier key
        self.adjective_answers = [i for i in own_adjectives(t, self.q) if column[i] >= 0.2]
        self.answers = self.adjective_answers or [self.k]
        visible = [i for i in range(self.q + 1) if i not in self.answers]
        # the visible key the focus query cares least about: the contrast
        self.other = min(visible, key=lambda i: column[i]) if visible else None

    # -- beats -----------------------------------------------------------------------
    def question(self) -> None:
        t, q = self.trace, self.q
        spec = self.head.spec
        self.beat("question", question_said(t, spec.question, q, self.k, self.adjective_answers))
        self.heading("A question and its answers")
        row = TokenRow(t.words, roles(t), font_size=palette.HEADLINE, focus=q)
        row.move_to(self.stage.center + DOWN * 0.4)
        # the question and its answers are the first cue's words: all up within ~2.5 s
        self.play(row.create(), run_time=0.8)
        ask = SpeechBubble(spec.question, font_size=palette.BODY).attach_to(
            row.get_box(q), buff=0.15
        )
        spread([ask])
        self.play(row.highlight([q]), ask.pop_in(), run_time=0.8)
        answers = [
            SpeechBubble(
                spec.answer or "me!", font_size=palette.LABEL, color=palette.KEY
            ).attach_to(row.get_box(i), DOWN, buff=0.15)
            for i in self.adjective_answers
            if i in row.shown
        ]
        spread(answers)
        if answers:
            self.play(
                *[b.pop_in() for b in answers],
                row.highlight(self.adjective_answers, palette.KEY),
                run_time=0.8,
            )
        self.caption(
            "Each token can ask a question (its query) and offer an answer (its key). "
            "Attention measures how well they match.",
            wait=2.5,
        )
        self.clear_content()

    def grammar(self) -> None:
        t = self.trace
        pairs = modifiers(t)
        said = grammar_said(t, pairs)
        self.beat("grammar", said.narration)
        self.heading("Where the grammar comes from")
        row = TokenRow(t.words, roles(t), font_size=palette.HEADLINE, focus=self.q, pairs=pairs)
        row.move_to(self.stage.center + DOWN * 0.7)
        if row.windowed:  # too long for one row: the whole sentence, in lines
            row = TokenParagraph(
                t.words, roles(t), width=13, font_size=palette.LARGE, line_buff=1.1, pairs=pairs
            )
            row.move_to(self.stage.center + UP * 0.45)
        self.play(row.create())
        self.links = {}  # (adjective, noun) -> its arc, where the row draws one
        for i, j in pairs:
            if i in row.shown and j in row.shown and row.same_line(i, j):
                self.links[i, j] = link_arc(row, i, j)
        source = literal(said.source, font_size=palette.LABEL, color=palette.DIM_TEXT)
        source.next_to(row, DOWN, buff=0.6 if isinstance(row, TokenRow) else 0.35)
        if source.width > 13:
            source.scale_to_fit_width(13)
        self.play(FadeIn(source))
        for (i, j), arc in self.links.items():  # each arc as the narration names its link
            self.until_said(f"{quoted(t, i)} modifies {quoted(t, j)}")
            self.play(Create(arc), run_time=0.8)
        self.grammar_row, self.grammar_source = row, source
        paragraph = isinstance(row, TokenParagraph)
        self.caption(grammar_caption(said.links, pairs, row.shown, len(self.links), paragraph), 2.5)

    def grammar_link(self) -> None:
        """One link as the head sees it: the adjective's key offers "I modify the word at
        position p", the query of the word at p asks for it."""
        t, row = self.trace, self.grammar_row
        said = link_said(t, modifiers(t), self.q, self.k)
        self.beat("grammar in vectors", said.narration)
        self.heading_shown("Where the grammar comes from")  # still there: the slide's title
        adjective, noun = said.adjective, said.noun
        arc = self.links.get((adjective, noun))
        others = [a.animate.set_opacity(0.25) for a in self.links.values() if a is not arc]
        leaving = [FadeOut(self.grammar_source), *self.caption_leaving()]
        if isinstance(row, TokenParagraph):  # bubbles under it would cover its next line
            pair = [(adjective, noun)] if adjective is not None else []
            line = TokenRow(t.words, roles(t), font_size=palette.HEADLINE, focus=noun, pairs=pair)
            line.move_to(self.stage.center + UP * 0.2)
            shown = adjective in line.shown
            arc = link_arc(line, adjective, noun) if adjective is not None and shown else None
            self.play(*leaving, FadeOut(row, *self.links.values()), FadeIn(line))
            row, leaving, others = line, [], [Create(arc)] if arc is not None else []
            adjective = adjective if shown else None
        self.play(*leaving, *others, row.highlight([noun]))
        bubbles = []
        if adjective is not None:
            offer = SpeechBubble(said.offer, font_size=palette.LABEL, color=palette.KEY, wrap=18)
            bubbles.append(offer.attach_to(row.get_box(adjective), DOWN, buff=0.15))
        ask = SpeechBubble(said.ask, font_size=palette.LABEL, color=palette.QUERY, wrap=20)
        bubbles.append(ask.attach_to(row.get_box(noun), DOWN, buff=0.15))
        bubbles.sort(key=lambda b: b.get_x())
        spread(bubbles)
        offered = None if adjective is None else made_by(offer, "key", "W_K", adjective)
        if adjective is not None:
            self.play(
                row.highlight([adjective], palette.KEY),
                offer.pop_in(),
                FadeIn(offered),
                *([Indicate(arc, color=palette.KEY)] if arc is not None else []),
            )
            self.until_said("The query")
        self.play(ask.pop_in(), FadeIn(made_by(ask, "query", "W_Q", noun)))
        self.caption(said.caption, wait=2.5)
        self.clear_content()

    def query(self) -> None:
        t, q = self.trace, self.q
        d, dk = t.dims.d_model, t.dims.d_head
        W = self.head.weights.W_Q
        intro, first_row = query_said(t, q)
        self.beat("query", intro)
        self.heading(f"The query of {quoted(t, q)}")
        matrix = WeightMatrix(W, ROWS, COLS, kind="query", label="W_Q", font_size=palette.LABEL)
        vector = EmbeddingColumn(t.E[q], COLS, font_size=palette.LABEL)
        self.product = product = MatrixVectorProduct(
            matrix, vector, result_label=f"{len(COLS)} of {d:,} terms", font_size=palette.LABEL
        )
        title_E = literal(f"E of {quoted(t, q)}", font_size=palette.LABEL, color=palette.EMBEDDING)
        title_E.next_to(vector, UP, buff=0.25)
        query = EmbeddingColumn(
            self.head.Q[q], ROWS, decimals=2, font_size=palette.LABEL, bracket_color=palette.QUERY
        )
        query.next_to(product, RIGHT, buff=1.9).match_y(product.result_brackets)
        start = [product.get_right()[0], query.get_y(), 0]
        arrow = Arrow(start, query.get_left(), buff=0.15, color=palette.QUERY)
        name = literal(f"Query Q{subscript(q + 1)}", font_size=palette.BODY, color=palette.QUERY)
        size = literal(f"{dk}-dimensional", font_size=palette.SMALL, color=palette.DIM_TEXT)
        VGroup(name, size).arrange(DOWN, buff=0.1).next_to(query, DOWN, buff=0.2)
        note = literal(f"all {d:,}\nterms", font_size=palette.SMALL, color=palette.DIM_TEXT)
        note.next_to(arrow, UP, buff=0.1)
        layout = VGroup(product, title_E, query, arrow, name, size, note)
        if layout.width > 13.2:
            layout.scale_to_fit_width(13.2)
        layout.move_to(self.stage.center + DOWN * 0.2)
        self.play(product.create(), FadeIn(title_E), run_time=2)
        # where it goes: the query's name and size now, its numbers once worked out
        self.play(GrowArrow(arrow), FadeIn(note), FadeIn(name), FadeIn(size))
        self.caption(f"W_Q times the embedding E of {quoted(t, q)}: its query.")
        # the working starts with the words that say it: a section of its own
        self.beat("first row", first_row)
        self.heading_shown(f"The query of {quoted(t, q)}")  # still there: the slide's title
        self.play(product.compute_row(matrix.rows[0], hold=TERM_HOLD))  # each term to be read
        self.until_said("Then every other row")
        self.play(product.compute_rest())
        self.play(query.create())
        self.caption(
            f"First row: {len(COLS)} products add to {fixed(product.final_values[0], 2)}"
            f"{factor_text(matrix.exponent)}; all {d:,} of them give "
            f"{fixed(self.head.Q[q, matrix.rows[0]], 2)}, entry 1 of the {dk}-dimensional query.",
            wait=3.0,
        )
        self.clear_content()

    def keys(self) -> None:
        t = self.trace
        dk = t.dims.d_head
        self.beat(
            "keys",
            f"Every token also gets a key, W_K times its embedding, {dk} numbers long: "
            "the answer it offers.",
        )
        self.heading("Keys")
        listed = token_window(t.n, self.q, MAX_KEYS_LISTED)  # the rows the grids will show
        words, arrows, keys = VGroup(), VGroup(), VGroup()
        pitch = 0.62 if len(listed) <= 8 else 5.6 / len(listed)
        for n, i in enumerate(listed):
            y = self.stage.center[1] + pitch * ((len(listed) - 1) / 2 - n)  # centred on it
            words.add(TokenRow([t.words[i]], [t.tokens[i].role], font_size=palette.BODY))
            words[-1].move_to([-4.2, y, 0], aligned_edge=RIGHT)
            arrow = Arrow([-4.0, y, 0], [-2.7, y, 0], buff=0, color=palette.KEY, stroke_width=3)
            arrows.add(arrow)
            keys.add(literal(f"K{subscript(i + 1)}", font_size=palette.HEADING, color=palette.KEY))
            keys[-1].move_to([-2.5, y, 0], aligned_edge=LEFT)
        label = colored("{{ W_K : k }}", font_size=palette.HEADLINE).next_to(arrows, UP, buff=0.1)
        self.play(FadeIn(words, lag_ratio=0.1))
        self.play(*[GrowArrow(a) for a in arrows], Write(label))
        self.play(FadeIn(keys, shift=0.2 * RIGHT, lag_ratio=0.1))
        key = EmbeddingColumn(
            self.head.K[self.k], ROWS, decimals=2, font_size=palette.BODY, bracket_color=palette.KEY
        )
        name = literal(
            f"K{subscript(self.k + 1)}, the key of {quoted(t, self.k)}",
            font_size=palette.BODY,
            color=palette.KEY,
        )
        shown_key = VGroup(key, name).arrange(DOWN, buff=0.25)
        shown_key.move_to(self.stage.center + RIGHT * 3.2 + UP * 0.1)
        pointer = (
            [  # from its name in the list to its numbers
                Arrow(
                    keys[listed.index(self.k)].get_right(),
                    key.get_left(),
                    buff=0.25,
                    tip_length=0.18,
                )
                .set_color(palette.KEY)
                .set_stroke(width=2, opacity=0.6)
            ]
            if self.k in listed
            else []
        )
        self.play(key.create(), FadeIn(name), *(GrowArrow(a) for a in pointer))
        cut = len(listed) < t.n
        window = f"Tokens {listed[0] + 1}\u2013{listed[-1] + 1} of {t.n} shown. " if cut else ""
        self.caption(
            f"{window}Each key has {dk} entries; a few of the real ones on the right.", 2.5
        )
        self.clear_content()

    def query_key_space(self) -> None:
        t, q, k, other = self.trace, self.q, self.k, self.other
        shown = query_key_picture(t, self.head, q, k, other)
        self.beat("query key space", shown.narration)
        self.heading("Embedding space \u2192 query/key space")
        left = EmbeddingSpace(
            float(np.abs(shown.E_coords).max()) * 1.15,
            size=2.2,
            title=f"embedding space ({t.dims.d_model:,} dims)",
        )
        left.move_to(self.stage.center + LEFT * 3.9 + DOWN * 0.3)
        right = EmbeddingSpace(
            float(np.abs(shown.qk_coords).max()) * 1.15,
            dims=2,
            size=2.2,
            title=f"query/key space ({t.dims.d_head} dims)",
        )
        right.move_to(self.stage.center + RIGHT * 2.9 + DOWN * 0.3)
        self.play(left.create(), right.create())
        self.play(
            *[
                left.vector(
                    f"E{i}",
                    shown.E_coords[n],
                    label=t.words[i],
                    color=palette.EMBEDDING if i != q else palette.TEXT,
                )
                for n, i in enumerate(shown.tokens)
            ]
        )
        bridge = Arrow(LEFT * 0.8, RIGHT * 0.8, color=palette.DIM_TEXT)
        bridge.move_to(self.stage.center + DOWN * 0.3)
        bridge.set_x((left.get_right()[0] + right.get_left()[0]) / 2)
        names = colored("{{ W_Q : q }} , {{ W_K : k }}", font_size=palette.HEADING)
        self.play(GrowArrow(bridge), FadeIn(names.next_to(bridge, UP)))
        self.play(
            right.vector("Q", shown.qk_coords[0], color=palette.QUERY, label=f"Q {t.words[q]}")
        )
        self.arcs = []  # (arc, its label): the angle from Q to each key, as said
        keys = [("K", k)] + ([("K other", other)] if other is not None else [])
        for n, (name, i) in enumerate(keys):
            coords = shown.qk_coords[n + 1]
            self.until_said(f"the key of {quoted(t, i)}")
            self.arcs.append(self.angle_arc(right, coords, shown.angles[n]))
            self.play(
                right.vector(name, coords, color=palette.KEY, label=f"K {t.words[i]}"),
                Create(self.arcs[-1][0]),
                FadeIn(self.arcs[-1][1]),
            )
        self.caption(shown.caption, wait=2.5)
        self.clear_content()

    @staticmethod
    def angle_arc(space: EmbeddingSpace, coords: np.ndarray, degrees: float) -> tuple:
        """An arc in ``space`` from the first axis (the query's direction) to the key at
        ``coords``, and its label: ``degrees``, the angle computed from Q and K."""
        turn = float(np.arctan2(coords[1], coords[0]))  # the drawn angle, above or below
        radius = 0.45
        arc = Arc(radius, 0.0, turn, arc_center=space.origin, color=palette.DIM_TEXT)
        label = literal(f"{degrees:.0f}\u00b0", font_size=palette.LABEL, color=palette.DIM_TEXT)
        middle = np.array([np.cos(turn / 2), np.sin(turn / 2), 0.0])
        label.move_to(space.origin + middle * (radius + 0.3))
        return arc, label

    def dot_products(self) -> None:
        t, q, k = self.trace, self.q, self.k
        raw = self.head.scores_raw
        self.grid = AttentionGrid.from_head(
            self.head, t.words, focus=q, max_width=GRID_WIDTH, max_height=GRID_HEIGHT
        )
        self.stage.place(self.grid, LEFT, buff=0.3).set_y(self.stage.center[1])
        said = dot_products_said(t, self.head, q, k, self.grid)
        self.low, rank, lowest, among = said.low, said.rank, said.lowest, said.among
        self.beat("dot products", said.narration)
        self.heading("How well does each key match each query?")
        self.play(self.grid.create(), run_time=1.5)
        side = self.side_note(
            "later keys are left out for now (chapter 4: masking)", palette.DIM_TEXT
        )
        self.play(self.grid.shade_masked(palette.NEUTRAL, 0.5), FadeIn(side), run_time=0.8)
        self.play(self.grid.symbols(), run_time=1.2)
        # the numbers come with the words that quote them, the symbols read until then
        self.until_said(f"K\u00b7Q for {quoted(t, k)}")
        self.play(self.grid.numbers("raw"), run_time=0.8)
        cells = [(i, j) for i, j in [(k, q), self.low] if i in self.grid.key_range]
        cells = [(i, j) for i, j in cells if j in self.grid.query_range]
        self.play(together([self.grid.highlight_cell(i, j) for i, j in cells]), run_time=0.6)
        if self.grid.sink is not None:  # framed as it is named
            self.until_said("The last row, the sink")
            self.play(self.grid.highlight_row(self.grid.sink, palette.SINK), run_time=0.6)
        self.caption(
            f"Highlighted: {fixed(raw[q, k], 1)} ({quoted(t, k)} \u00b7 {quoted(t, q)}), {rank}, "
            f"and the lowest score{among}, {lowest}.",
            wait=3.0,
        )
        self.finish_speech()  # the picture stays while its beat is said or read
        self.play(FadeOut(side), self.grid.clear_highlights())

    def side_note(self, text: str, color) -> VGroup:
        """A short wrapped note in the free column right of the grid."""
        lines = textwrap.fill(text, 22, break_long_words=False)
        note = literal(lines, font_size=palette.LABEL, color=color, line_spacing=0.8)
        return note.next_to(self.grid, RIGHT, buff=0.5).align_to(self.grid.cells, UP)

    def scaling(self) -> None:
        dk = self.trace.dims.d_head
        self.beat("scaling", scaling_said(dk))
        self.heading(f"Divide by \u221ad\u2096 = \u221a{dk}")
        formula = colored("{{ K : k }}^T {{ Q : q }} \\/ sqrt(d_k)", font_size=palette.PROMINENT)
        value = literal(
            f"\u221a{dk} = {np.sqrt(dk):.2f}", font_size=palette.BODY, color=palette.DIM_TEXT
        )
        group = VGroup(formula, value).arrange(DOWN, buff=0.3)
        group.next_to(self.grid, RIGHT, buff=0.5).align_to(self.grid.cells, UP)
        self.play(Write(formula), FadeIn(value))
        self.play(self.grid.numbers("scaled"), run_time=1.5)
        self.scale_note = group
        q, k = self.q, self.k
        self.caption(
            f"{self.head.scores_raw[q, k]:.1f} / {np.sqrt(dk):.2f} = "
            f"{self.head.scores[q, k]:.2f}: same order, smaller numbers.",
            wait=2.5,
        )

    def softmax(self) -> None:
        q = self.q
        self.beat("softmax", softmax_said(self.trace, self.head, q, self.answers, self.grid))
        self.heading("Softmax, one column at a time")
        self.play(FadeOut(self.scale_note))
        note = literal("softmax\ndown each column", font_size=palette.HEADING, color=palette.QUERY)
        note.next_to(self.grid, RIGHT, buff=0.5).align_to(self.grid.cells, UP)
        self.play(Write(note))
        shown = list(self.grid.query_range)
        slow = [j for j in dict.fromkeys([q, *shown]) if j in shown][:SLOW_COLUMNS]
        for j in slow:
            self.play(self.grid.highlight_column(j))
            self.play(self.grid.numbers("pattern", columns=[j]), run_time=1.2)
            self.wait(0.6)
            self.play(self.grid.clear_highlights())
        rest = [j for j in shown if j not in slow]
        if rest:
            self.play(self.grid.numbers("pattern", columns=rest), run_time=1.5)
        sums, show = self.grid.column_sums("pattern")
        self.play(show)
        sink_note = ", the sink's share included" if self.head.has_sink else ""
        if self.grid.hidden_rests():  # the window cuts some columns: their rest is written
            sink_note += "; plus “above”, a cut column's share on rows above the window"
        self.caption(
            f"Every column now sums to 1 (the \u03a3 row{sink_note}): how much each query "
            "takes from each key.",
            wait=2.5,
        )
        self.finish_speech()  # the picture stays while its beat is said or read
        self.play(FadeOut(sums), FadeOut(note))

    def pattern(self) -> None:
        t, q = self.trace, self.q
        k = int(np.argmax(self.head.pattern[q]))  # the biggest dot of the focus column
        # the weight as the grid wrote it a beat ago (rounded so that its column adds up)
        drawn = self.grid.drawn("pattern")
        seen = (k, q) in self.grid.shown_cells()
        weight = fixed(drawn[k, q], 2) if seen else fixed(self.head.pattern[q, k], 2)
        self.beat("pattern", pattern_said(t, q, k, weight))
        self.heading("The attention pattern")
        self.play(self.grid.dots(), run_time=1.5)
        if k in self.grid.key_range and q in self.grid.query_range:
            self.play(self.grid.highlight_cell(k, q))
        self.caption(
            f"Dot area = weight. {quoted(t, q)} attends to {quoted(t, k)} with {weight}.",
            wait=3.0,
        )

    def formula(self) -> None:
        self.beat("formula", FORMULA_SAID)
        self.heading("In one formula")
        formula = attention_formula(font_size=palette.DISPLAY)
        formula.next_to(self.grid, RIGHT, buff=0.4)
        if formula.get_right()[0] > FORMULA_RIGHT:
            formula.scale_to_fit_width(FORMULA_RIGHT - formula.get_left()[0])
        legend = (
            VGroup(
                literal("Q: queries", font_size=palette.LABEL, color=palette.QUERY),
                literal("K: keys", font_size=palette.LABEL, color=palette.KEY),
                literal("V: values", font_size=palette.LABEL, color=palette.VALUE),
                literal("A: the pattern", font_size=palette.LABEL),
                # the grid's convention, keys as rows: one column per query
                colored("Delta E_q = sum_k A_(k q) {{ V_k : v }}", font_size=palette.HEADLINE),
            )
            .arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            .next_to(formula, DOWN, buff=0.4)
        )
        if legend.get_right()[0] > FORMULA_RIGHT:  # inside the frame, left edge kept
            legend.scale_to_fit_width(FORMULA_RIGHT - legend.get_left()[0])
            legend.next_to(formula, DOWN, buff=0.4).align_to(formula, LEFT)
        low = self.stage.bottom + 0.1 - legend.get_bottom()[1]
        if low > 0:  # clear of the caption band: formula and legend go up together
            formula.shift(UP * low)
            legend.shift(UP * low)
        self.play(Write(formula), run_time=2)
        self.play(FadeIn(legend))
        self.caption(
            "V \u00b7 softmax(K\u1d40Q / \u221ad\u2096): the pattern you just saw, applied to "
            "values, one column per query.",
            wait=3.0,
        )
