"""Chapter 1: a recap on embeddings, every number read from the trace.

Tokens, their embedding columns, the size of an embedding, the same word with the
same starting vector ("mole" three times), position folded in, meanings as
directions in a projected 3D embedding space (mole; tower -> Eiffel tower ->
miniature Eiffel tower), and the attention block between two rows of embeddings.

    manim -pql scenes/ch01_recap.py RecapOnEmbeddings
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Brace,
    Create,
    FadeIn,
    FadeOut,
    GrowArrow,
    Indicate,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    UpdateFromAlphaFunc,
    VectorizedPoint,
    VGroup,
    Write,
    config,
)

from attention_math.projection import orthonormal_basis, project
from scenes.components import palette
from scenes.components.context_arcs import ContextArcs
from scenes.components.embedding_column import FIRST_AND_LAST, EmbeddingColumn
from scenes.components.embedding_space import EmbeddingSpace
from scenes.components.entries import adding_up
from scenes.components.labels import literal, number
from scenes.components.legend import Legend
from scenes.components.token_row import TokenParagraph, TokenRow, role_key
from scenes.facts.ch01_recap import (
    arc_words,
    block_words,
    column_tokens,
    evenly_foreshortened,
    facing,
    fit,
    last_index_of,
    meaning_words,
    mole_points,
    position_part,
    position_words,
    sense_of,
    space_extent,
    spread,
    token_words,
    tower_words,
    under,
    word_part,
)
from scenes.focus import main_link, modifiers, quoted, roles
from scenes.lesson import Lesson

MAX_COLUMNS = 8  # embedding columns drawn side by side
# the 'mole' picture turns this far: the three senses stay apart (their changes lie across
# the last two directions: seen edge-on they would crowd) and 'mole' alone keeps a length
MOLE_TURN = -0.4


def row_names(below: dict, above: dict) -> VGroup:
    """ "E" beside the row of embeddings going in and "E′" beside the row coming out:
    right of the rows, or left of them where the frame has no room on the right."""
    names = VGroup()
    for columns, text, color in ((below, "E", palette.EMBEDDING), (above, "E′", palette.UPDATED)):
        name = literal(text, font_size=palette.HEADING, color=color)
        ends = list(columns.values())
        name.next_to(ends[-1], RIGHT, buff=0.3)
        if name.get_right()[0] > config.frame_width / 2 - 0.2:
            name.next_to(ends[0], LEFT, buff=0.3)
        names.add(name)
    return names


class RecapOnEmbeddings(Lesson):
    number = 1
    title = "Recap on embeddings"

    def construct(self) -> None:
        self.title_card()
        self.tokens()
        self.embeddings()
        self.embedding_size()
        self.same_word()
        self.position()
        self.meanings()
        self.tower()
        self.attention_block()
        self.context_arcs()

    def setup(self) -> None:
        super().setup()
        self.focus = main_link(self.trace, self.trace.head("adjective-noun")).query
        self.sentence_lines = None  # the whole sentence, when the row shows a window

    # -- beats -----------------------------------------------------------------------
    def tokens(self) -> None:
        t = self.trace
        # the whole sentence in one row when it fits the width; else first in lines, then
        # the window round the focus that the next beats build on (pairs kept whole)
        row = TokenRow(t.words, roles(t), focus=self.focus, pairs=modifiers(t), focus_first=True)
        self.row = row.move_to(self.stage.point(UP) + DOWN * 0.75)
        self.row_home = row.get_center(), row.width  # where the embeddings need it
        window = len(self.row.shown)
        first, last = (quoted(t, self.row.shown[k]) for k in (0, -1))
        self.beat("tokens", token_words(t, list(self.row.shown), self.row.windowed))
        self.heading("Tokens")
        key = role_key(roles(t))
        if self.row.windowed:
            lines = TokenParagraph(t.words, roles(t), width=13, font_size=palette.LARGE)
            lines.move_to(self.stage.center + UP * 0.4)
            key.next_to(lines, DOWN, buff=0.5)
            self.play(lines.create(), run_time=2.0)
            self.until_said("Colours mark")
            self.play(FadeIn(key))
            # the key says what the colours mean; the caption goes with the window, as said
            self.until_said("The pictures after this")
            # the sentence stays, the tokens left out dimmed, while the window's row comes
            left_out = [lines.get_token(i) for i in range(t.n) if i not in self.row.shown]
            self.play(
                FadeOut(key),
                *(token.animate.set_opacity(0.25) for token in left_out),
                self.row.create(),
                run_time=1.5,
            )
            self.caption(
                f"Next, {window} of the {t.n} tokens (bright in the sentence): {first} to {last}.",
                wait=1.0,
            )
            self.sentence_lines = lines  # leaves when the embeddings come
            return
        # the row larger in the middle of the stage, until the embeddings need the room
        self.row.scale(min(1.4, 13.0 / self.row.width)).move_to(self.stage.center + UP * 0.4)
        sentence = literal(t.sentence, font_size=palette.HEADLINE)
        key.next_to(self.row, DOWN, buff=0.6)
        if sentence.width <= 13:
            self.play(FadeIn(sentence, shift=0.2 * UP))
            self.wait(1)
            self.play(sentence.animate.move_to(self.row).set_opacity(0), self.row.create())
            self.remove(sentence)
        else:
            self.play(self.row.create())
        self.until_said("Colours mark")
        self.play(FadeIn(key))
        self.caption(
            f"The text is cut into tokens: {t.n} of them. Colours mark the role of each word."
        )
        self.play(FadeOut(key))

    def embeddings(self) -> None:
        t = self.trace
        d = t.dims.d_model
        self.beat(
            "embeddings",
            f"Each token becomes a list of {d:,} numbers, its embedding; we show a few of "
            "them: entries 1 to 4 and the last.",
        )
        self.heading("Embeddings")
        home, width = self.row_home
        leaving = [] if self.sentence_lines is None else [FadeOut(self.sentence_lines)]
        self.play(*leaving, self.row.animate.scale_to_fit_width(width).move_to(home), run_time=0.8)
        self.columns = self._columns_under_tokens()
        arrows = VGroup(
            *[
                Arrow(
                    self.row.get_box(i).get_bottom(),
                    self.columns[i].get_top(),
                    buff=0.1,
                    stroke_width=3,
                    color=palette.DIM_TEXT,
                    max_tip_length_to_length_ratio=0.25,
                )
                for i in self.columns
            ]
        )
        self.arrows = arrows
        self.play(*[GrowArrow(a) for a in arrows], run_time=0.8)
        self.play(*[c.create() for c in self.columns.values()], run_time=1.5)
        shown = list(self.columns)
        first = self.columns[shown[0]]
        some = "" if len(shown) == len(self.row.shown) else f" (drawn for {len(shown)} of them)"
        self.caption(
            f"Each token becomes a column of {d:,} numbers{some}. Shown: entries 1 to 4 and "
            f"the last ({first.get_entries()[0].text} ... {first.get_entries()[-1].text} for "
            f"{quoted(t, shown[0])}).",
            wait=2.5,
        )

    def _columns_under_tokens(self) -> dict:
        """An embedding column for each token the row shows (or for a run of them round
        the focus when they cannot all fit), each under its own token: moved apart only
        as far as their widths need, smaller where that keeps them under their tokens."""
        t, shown = self.trace, list(self.row.shown)
        for count in (len(shown), MAX_COLUMNS):
            tokens = column_tokens(shown, self.focus, count)
            columns = {
                i: EmbeddingColumn(t.E[i], font_size=palette.BODY, scale=self._scale)
                for i in tokens
            }
            xs = [self.row.get_box(i).get_x() for i in tokens]
            width = max(c.width for c in columns.values())
            size, centres, fits = under(xs, width, config.frame_width - 0.4)
            if fits:
                break
        top = self.row.get_bottom()[1] - 0.9
        for x, column in zip(centres, columns.values(), strict=True):
            column.scale(size).move_to([x, 0, 0]).align_to([0, top, 0], UP)
        return columns

    @property
    def _scale(self) -> float:
        """One brightness scale for every embedding column of the chapter."""
        return 2.0 * float(np.sqrt(np.mean(self.trace.E**2)))

    def embedding_size(self) -> None:
        t = self.trace
        d = t.dims.d_model
        j = self.focus
        self.beat(
            "embedding size",
            f"One column, {quoted(t, j)}: GPT-3 embeddings have {d:,} entries; "
            f"{d - len(self.columns[j].indices):,} of them hide behind the dots.",
        )
        self.heading("How long is an embedding?")
        column = self.columns[j]
        others = [m for i, m in self.columns.items() if i != j]
        self.play(
            *[FadeOut(m) for m in [*others, *self.arrows]],
            self.row.dim_except([j]),
            column.animate.scale(1.25).move_to(self.stage.center + DOWN * 0.4),
        )
        brace = Brace(column, RIGHT, color=palette.DIM_TEXT)
        counter = number(0, decimals=0, font_size=palette.PROMINENT, color=palette.QUERY)
        counter.next_to(brace, RIGHT)
        unit = literal("numbers", font_size=palette.LARGE, color=palette.DIM_TEXT)
        unit.add_updater(lambda m: m.next_to(counter, RIGHT, buff=0.2))
        self.play(FadeIn(brace), FadeIn(counter), FadeIn(unit))
        self.play(
            UpdateFromAlphaFunc(counter, lambda m, a: m.set_value(round(d * a))), run_time=2.5
        )
        unit.clear_updaters()
        self.caption(f"{d:,} numbers per token; the dots: {d - len(column.indices):,} more.")
        self.clear_content()

    def same_word(self) -> None:
        moles = self.supporting("mole")
        self.beat(
            "same word",
            "The same word starts with the same vector: 'mole' in three phrases, three "
            "identical columns (position aside). Only context can tell the meanings apart.",
        )
        self.heading("Same word, same starting vector")
        cards = VGroup()
        self.mole_columns = columns = []
        rows = []
        made = [
            TokenRow(trace.words, roles(trace), font_size=palette.BODY, max_width=4.3 / 0.7)
            for trace in moles
        ]
        widest = max(row.width for row in made)
        for row in made:  # one type size for the three phrases: the widest fits 4.3
            row.scale(min(1.0, 4.3 / widest))
        for trace, row in zip(moles, made, strict=True):
            k = last_index_of(trace, "mole")
            column = EmbeddingColumn(
                word_part(trace, k), font_size=palette.HEADING, scale=self._scale
            )
            column.next_to(row, DOWN, buff=1.0).set_x(row.get_box(k).get_x())
            rows.append((row, k))
            columns.append(column)
            cards.add(VGroup(row, column))
        cards.arrange(RIGHT, buff=0.5, aligned_edge=UP).move_to(self.stage.center)
        if cards.width > 13.4:
            cards.scale_to_fit_width(13.4)
        self.play(*[row.create() for row, _ in rows])
        self.play(*[row.highlight([k]) for row, k in rows])
        arrows = [
            Arrow(row.get_box(k).get_bottom(), col.get_top(), buff=0.08, color=palette.QUERY)
            for (row, k), col in zip(rows, columns)
        ]
        self.until_said("three identical columns")
        self.play(*[GrowArrow(a) for a in arrows], *[c.create() for c in columns])
        boxes = [SurroundingRectangle(c.body, color=palette.QUERY, buff=0.08) for c in columns]
        self.play(*[Write(b) for b in boxes])
        self.caption(
            "Three meanings, one starting point: the columns are identical. "
            "Only context can tell the meanings apart.",
            wait=2.5,
        )
        self.clear_content()

    def position(self) -> None:
        t = self.trace
        j = self.focus
        self.beat("position", position_words(t, j))
        self.heading("Position")
        # the window the tokens beat named ("tired" to "sea"): the whole sentence when it fits
        row = TokenRow(t.words, roles(t), focus=j, pairs=modifiers(t), focus_first=True)
        row.move_to(self.stage.point(UP) + DOWN * 0.75)
        self.position_row = row
        place_label = literal(f"token {j + 1}", font_size=palette.BODY, color=palette.QUERY)
        place_label.next_to(row.get_box(j), DOWN, buff=0.15)
        self.play(FadeIn(row), row.highlight([j]), FadeIn(place_label))
        word, place = word_part(t, j), position_part(t, j)
        rows = list(FIRST_AND_LAST)
        # the two parts drawn so that each sum adds up (entries.adding_up)
        drawn_word, drawn_place = adding_up([word[rows], place[rows]], t.E[j, rows], 1)
        style = {"font_size": palette.LARGE, "scale": self._scale}
        parts = [
            EmbeddingColumn(word, rows, drawn=drawn_word, **style),
            literal("+", font_size=palette.DISPLAY),
            EmbeddingColumn(place, rows, drawn=drawn_place, **style),
            literal("=", font_size=palette.DISPLAY),
            EmbeddingColumn(t.E[j], rows, **style),
        ]
        self.sum_columns = parts[::2]
        VGroup(*parts).arrange(RIGHT, buff=0.6).move_to(self.stage.center + DOWN * 0.2)
        names = [f"word {quoted(t, j)}", f"position {j + 1}", "embedding E"]
        labels = VGroup(
            *[
                literal(name, font_size=palette.BODY, color=palette.DIM_TEXT).next_to(
                    col, DOWN, buff=0.2
                )
                for name, col in zip(names, parts[::2])
            ]
        )
        # each part with the words that name it
        self.until_said("so the vector of position")
        self.play(
            parts[0].create(),
            FadeIn(labels[0]),
            FadeIn(parts[1]),
            parts[2].create(),
            FadeIn(labels[1]),
        )
        self.until_said("The sum is the embedding")
        self.play(FadeIn(parts[3]), parts[4].create(), FadeIn(labels[2]))
        self.caption(
            "Word vector + position vector = the embedding the model starts from (entries to "
            "one decimal, the parts rounded so that every sum adds up).",
            wait=2.5,
        )
        self.clear_content()

    def meanings(self) -> None:
        moles = self.supporting("mole")
        self.beat("meanings", meaning_words(moles, self.trace.dims.d_model))
        self.heading("Meaning as direction")
        alone, before, after = mole_points(moles)  # (3,), (phrases, 3), (phrases, 3)
        space = EmbeddingSpace(space_extent(np.vstack([alone, before, after])), size=3.2)
        self.mole_space = space
        key = self.space_key(["the word alone", "in its phrase", "the change ΔE"])
        self.fit_space(space, np.vstack([alone, after]), key, turn=MOLE_TURN)
        self.play(space.create(), FadeIn(key))
        self.play(space.vector("mole", alone, label="mole", color=palette.EMBEDDING))
        self.wait(0.5)
        for k, tr in enumerate(moles):
            self.play(
                space.vector(
                    f"mole {k}", after[k], color=palette.UPDATED, label=f"mole ({sense_of(tr)})"
                ),
                space.vector(f"change {k}", after[k], start=before[k], color=palette.DELTA),
                run_time=1.2,
            )
        self.play(space.turn(MOLE_TURN, run_time=3))
        self.caption(
            "Each phrase pulls 'mole' its own way: real vectors after attention, projected "
            "onto 3 chosen directions (along 'mole', and where the changes differ most).",
            wait=2.0,
        )
        self.clear_content()

    def tower(self) -> None:
        towers = self.supporting("tower")
        names = [tr.sentence for tr in towers]
        vectors = np.stack([tr.E_prime[last_index_of(tr, "tower")] for tr in towers])  # (3, d)
        coords = project(vectors, orthonormal_basis(vectors))  # (3, 3): lengths kept exactly
        steps = [float(np.linalg.norm(vectors[k] - vectors[k - 1])) for k in (1, 2)]
        length = float(np.linalg.norm(vectors[0]))
        self.beat("tower", tower_words(names, steps, length, d := self.trace.dims.d_model))
        self.heading("Context refines meaning")
        space = EmbeddingSpace(space_extent(coords), size=3.2, azimuth=-0.9)
        # turned (lengths, angles kept) to shorten the arrow and both steps alike on screen
        screen = np.array([space.to_screen(e) - space.origin for e in np.eye(3)]) / space.unit
        path = np.diff(np.vstack([np.zeros(3), coords]), axis=0)  # tower, then the 2 steps
        right, up = screen[:, 0], screen[:, 1]  # the screen's directions in data space
        turn = facing(np.vstack([coords, np.zeros(3)]), evenly_foreshortened(path), right, up)
        coords = np.einsum("ij,nj->ni", turn, coords)  # each point turned
        self.tower_space = space
        key = self.space_key(["tower alone", "with modifiers", "what a modifier adds"])
        self.fit_space(space, coords, key)
        intro = [space.create(), FadeIn(key)]  # with the first arrow: the cue names it
        shades = [palette.EMBEDDING, palette.KEY, palette.UPDATED]
        for k, name in enumerate(names):
            self.until_said(("First", "Then", "Then")[k] + f" '{name}'")
            label = name.replace(" ", "\n", 1) if len(name) > 14 else name  # narrower
            anims = [space.vector(f"tower {k}", coords[k], color=shades[k], label=label)]
            if k:
                anims.append(
                    space.vector(f"step {k}", coords[k], start=coords[k - 1], color=palette.DELTA)
                )
            self.play(*intro, *anims, run_time=1.0)
            intro = []
        self.until_said("Real vectors after attention")
        self.caption(
            f"In proportion on screen: the yellow steps, {steps[0]:.0f} and {steps[1]:.0f} "
            f"units long, and '{names[0]}' alone, {length:.0f} (lengths in all {d:,} "
            "dimensions).",
            wait=1.0,
        )
        self.clear_content()

    def fit_space(self, space: EmbeddingSpace, coords: np.ndarray, key, turn: float = 0.0):
        """Scale and move ``space`` so that its arrows (from the origin to ``coords``, as
        first seen and after turning the view by ``turn``) fill the stage left of ``key``,
        with room for their labels: the picture, not its empty axes, sets the size."""
        start = space.azimuth
        screen = []
        for azimuth in (start, start + turn):
            space.azimuth = azimuth
            screen += [space.to_screen(c) - space.origin for c in [np.zeros(3), *coords]]
        space.azimuth = start
        left, right = self.stage.left + 0.3, key.get_left()[0] - 0.2
        labels = 1.8  # a label beside a tip, either side
        scale, shift = fit(np.array(screen), right - left - 2 * labels, self.stage.height - 1.2)
        if scale < 1.0:  # never smaller than drawn (then only moved to the middle)
            scale, shift = 1.0, shift / scale
        space.scale(scale, about_point=space.origin)
        space.shift(np.array([(left + right) / 2, self.stage.center[1], 0]) + shift - space.origin)

    def space_key(self, names: list[str]) -> Legend:
        """Colour key and caption for the embedding-space pictures, right of the picture."""
        d = self.trace.dims.d_model
        key = Legend(
            list(zip((palette.EMBEDDING, palette.UPDATED, palette.DELTA), names)),
            title=f"3D projection of {d:,} dimensions",
        )
        return self.stage.place(key, UP + RIGHT, buff=0.3)  # clear of the picture

    def attention_block(self) -> None:
        t = self.trace
        head = t.head("adjective-noun")
        self.beat("attention block", block_words(t))
        self.heading("The attention block")
        pairs = modifiers(t)
        row = TokenRow(
            t.words,
            roles(t),
            font_size=palette.BODY,
            focus=self.focus,
            max_tokens=MAX_COLUMNS,
            pairs=pairs,
            focus_first=True,
        )
        row.move_to(self.stage.point(DOWN) + UP * 0.4)
        below, above = self._block_columns(row)
        slab = Rectangle(width=row.width + 0.6, height=1.6, stroke_color=palette.DIM_TEXT)
        slab.set_fill(palette.NEUTRAL, opacity=0.35).move_to(UP * 0.45)
        name = literal("Attention", font_size=palette.BODY, color=palette.DIM_TEXT)
        name.next_to(slab, LEFT, buff=0.2)
        if name.get_left()[0] < -6.9:
            name.next_to(slab.get_corner(UP + LEFT), DOWN + RIGHT, buff=0.1)
        names = row_names(below, above)
        self.play(FadeIn(row), FadeIn(slab), Write(name))
        # each row with the words that name it: "Below, E", then "Above, E′"
        self.until_said("Below, E")
        self.play(*[c.create() for c in below.values()], FadeIn(names[0]))
        self._sweep(below, palette.EMBEDDING)
        self.until_said("Above, E′")
        self.play(*[c.create() for c in above.values()], FadeIn(names[1]), run_time=1.5)
        self._sweep(above, palette.UPDATED)
        self.caption(
            f"Top row: E′, every token updated, with all {len(t.heads)} heads' changes added.",
            wait=1.0,
        )
        feet = {  # arcs start and end on the slab's floor, above each column
            i: VectorizedPoint([c.get_x(), slab.get_bottom()[1] + 0.1, 0]) for i, c in below.items()
        }
        self.block_arcs = ContextArcs(feet, head.pattern, min_weight=0.05, max_height=1.25)
        self.block_rows = below, above

    def context_arcs(self) -> None:
        """The head's arcs inside the block, then the strongest drawn arc, its key's E and
        its query's E′ boxed and named."""
        t, arcs = self.trace, self.block_arcs
        below, above = self.block_rows
        head = t.head("adjective-noun").name
        strongest = arcs.strongest()  # of the arcs drawn, not the lesson's focus link
        weight = arcs.weight(*strongest) if strongest is not None else 0.0
        self.beat("context arcs", arc_words(t, head, strongest, weight))
        self.heading_shown("The attention block")  # still there
        self.play(arcs.create(), *self.caption_leaving(), run_time=2.5)
        self.caption(
            f"Arcs, forward only: one head's weights of 0.05 or more ({head}"
            + ("" if strongest is not None else "; none reaches 0.05 here")
            + ")."
        )
        if strongest is None:
            return
        key, query = strongest
        marks = [
            SurroundingRectangle(below[key], color=palette.QUERY, buff=0.08),
            SurroundingRectangle(above[query], color=palette.QUERY, buff=0.08),
        ]
        self.until_said("The strongest drawn")
        self.play(Create(marks[0]), Indicate(arcs.get_arc(key, query), color=palette.QUERY))
        self.play(Create(marks[1]), Indicate(above[query], color=palette.QUERY))
        self.caption(
            f"The strongest drawn: {quoted(t, key)} into {quoted(t, query)}, {weight:.2f}. "
            f"Boxed: E of {quoted(t, key)}, E\u2032 of {quoted(t, query)}.",
            wait=1.0,
        )

    def _block_columns(self, row: TokenRow) -> tuple[dict, dict]:
        """E (below the block) and E′ (above it) of each token of ``row``, over its token."""
        t = self.trace
        below = {i: EmbeddingColumn(t.E[i], (0, 1, -1), font_size=palette.NOTE) for i in row.shown}
        above = {
            i: EmbeddingColumn(
                t.E_prime[i], (0, 1, -1), font_size=palette.NOTE, bracket_color=palette.UPDATED
            )
            for i in row.shown
        }
        xs = spread([row.get_box(i).get_x() for i in row.shown], below[row.shown[0]].width + 0.3)
        for columns, y in ((below, -1.3), (above, 2.15)):
            for x, column in zip(xs, columns.values()):
                column.move_to([x, y, 0])
        return below, above

    def _sweep(self, columns: dict, color) -> None:
        """A box that runs along a row of columns, left to right: "this row"."""
        ends = list(columns.values())
        box = SurroundingRectangle(ends[0], color=color, buff=0.08)
        whole = SurroundingRectangle(VGroup(*ends), color=color, buff=0.08)
        self.play(Create(box), run_time=0.3)
        self.play(ReplacementTransform(box, whole), run_time=0.8)
        self.play(FadeOut(whole), run_time=0.3)
