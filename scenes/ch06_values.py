"""Chapter 6: values. What an adjective passes on, and how a column of the pattern turns
into the change ΔE of its token.

The value of a token is W_V times its embedding, computed in two steps as the core does
it: value-down (d_head x d_model) then value-up (d_model x d_head). The noun is the one
taking the most attention from adjectives (:func:`scenes.focus.main_link`); the 3D
picture is a projection of its real E and of the real terms A[noun, adj]·value(adj).
In the grid the values replace the keys; the noun's column becomes its heaviest terms
weight × value (a few real entries each, the rest summed), their sum ΔE, and
E + ΔE = E′ with the entries that change most boxed (:func:`column_sum`). Last, E, ΔE
and E′ of every token, with how long each ΔE is against its E (:func:`changes`).

What it says, and which tokens and cells it shows, is computed in
``scenes/facts/ch06_values.py`` (no drawing there).

    manim -pql scenes/ch06_values.py Values
"""

from __future__ import annotations

import numpy as np
from manim import (
    BLACK,
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    FadeTransform,
    GrowArrow,
    ManimColor,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
    VGroup,
    Wait,
    Write,
    interpolate_color,
)

from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid, subscript
from scenes.components.block_stack import embedding_strip
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.embedding_space import EmbeddingSpace
from scenes.components.entries import color_scale, fixed
from scenes.components.formula import colored
from scenes.components.labels import literal
from scenes.components.legend import Legend
from scenes.components.product import MatrixVectorProduct
from scenes.components.sum_tables import SumTables
from scenes.components.token_row import TokenRow
from scenes.components.weight_matrix import WeightMatrix
from scenes.facts.ch06_values import (
    CLEAR,
    STRIP_CELLS,
    Changes,
    adjective_terms,
    changes,
    clearance,
    column_sum,
    value_down_words,
    value_steps,
    value_up_words,
    value_vectors,
)
from scenes.focus import main_link, modifiers, percent, quoted, roles
from scenes.lesson import FRAME_X, Lesson

HEAD = "adjective-noun"
DOWN_ROWS = (0, 1, 2, -1)  # rows of value-down drawn (entries of the 128-dim V)
EMBED_COLS = (0, 1, 2, 3, -1)  # columns of value-down drawn (entries of E)
UP_ROWS = (0, 1, 2, 3, -1)  # rows of value-up drawn (entries of the value vector)
UP_COLS = (0, 1, 2, -1)  # columns of value-up drawn (entries of V)
ZOOM_VIEWS = (-1.2, -0.9, -1.5, -1.8, -2.1, -0.6)  # the zoom's first azimuths, as tried
ZOOM_TURN = -0.5  # how far the zoom turns once every step is drawn
EDGE = 0.4  # the sums stand this far in from the frame's right edge


def change_color(value: float, scale: float) -> ManimColor:
    """A change's colour: hue from the sign, black at 0, full at ``scale`` and beyond."""
    strength = min(abs(float(value)) / scale, 1.0) if scale > 0 else 0.0
    return interpolate_color(BLACK, palette.POSITIVE if value >= 0 else palette.NEGATIVE, strength)


class Values(Lesson):
    number = 6
    title = "Values"

    def construct(self) -> None:
        self.head = self.trace.head(HEAD)
        link = main_link(self.trace, self.head)
        self.noun = link.query
        self.terms = adjective_terms(self.trace, self.head, self.noun)
        self.source = self.terms.keys[-1] if self.terms.keys else link.key
        self.values = value_vectors(self.head)  # (n, d_model)
        self.title_card("What each word passes on")
        self.value_down()
        self.value_up()
        self.embedding_space()
        self.steps()
        self.weighted_sum()
        self.update()
        self.every_token()

    # -- beats -----------------------------------------------------------------------
    def value_down(self) -> None:
        t, s = self.trace, self.source
        d, dk = t.dims.d_model, t.dims.d_head
        self.beat("value-down", value_down_words(t, s, fixed(self.head.V[s, 0], 2)))
        self.heading(f"The value of {quoted(t, s)}: value-down")
        matrix = WeightMatrix(
            self.head.weights.W_V_down,
            DOWN_ROWS,
            EMBED_COLS,
            kind="value_down",
            label="W_V^(arrow.b)",
            font_size=palette.LABEL,
        )
        vector = EmbeddingColumn(t.E[s], EMBED_COLS, font_size=palette.LABEL)
        title_E = literal(f"E of {quoted(t, s)}", font_size=palette.LABEL, color=palette.EMBEDDING)
        style = {"decimals": 2, "font_size": palette.LABEL}  # of the value's numbers
        full = EmbeddingColumn(self.head.V[s], DOWN_ROWS, bracket_color=palette.VALUE_DOWN, **style)
        self.down_product = self._show_product(
            matrix,
            vector,
            title_E,
            full,
            f"{len(EMBED_COLS)} of {d:,} terms",
            f"{dk} numbers",
            palette.VALUE_DOWN,
            working="here are the first few terms",
            result=f"All {d:,} products",
        )
        self.caption(
            f"Value-down: {d:,} numbers in, {dk} out. The first output, all {d:,} products "
            f"added: {fixed(self.head.V[s, 0], 2)}.",
            wait=1.5,
        )
        self.clear_content()

    def value_up(self) -> None:
        t, s = self.trace, self.source
        d, dk = t.dims.d_model, t.dims.d_head
        self.beat("value-up", value_up_words(t, s, fixed(self.values[s, 0], 2)))
        self.heading(f"The value of {quoted(t, s)}: value-up")
        matrix = WeightMatrix(
            self.head.weights.W_V_up,
            UP_ROWS,
            UP_COLS,
            kind="value_up",
            label="W_V^(arrow.t)",
            font_size=palette.LABEL,
        )
        style = {"decimals": 2, "font_size": palette.LABEL}  # of the value's numbers
        vector = EmbeddingColumn(self.head.V[s], UP_COLS, bracket_color=palette.VALUE_DOWN, **style)
        title_V = literal(f"{dk} numbers", font_size=palette.LABEL, color=palette.VALUE_DOWN)
        full = EmbeddingColumn(self.values[s], UP_ROWS, bracket_color=palette.VALUE, **style)
        self.up_product = self._show_product(
            matrix,
            vector,
            title_V,
            full,
            f"{len(UP_COLS)} of {dk} terms",
            f"Value of {t.words[s]}",
            palette.VALUE,
            working=f"Each of its {d:,} entries",
            result="The first row's",
        )
        self.value_column = full
        self.caption(
            f"The value of {quoted(t, s)} = W_V↑ · W_V↓ · E: {d:,} numbers it can pass on.",
            wait=1.5,
        )
        self.clear_content()

    def _show_product(
        self, matrix, vector, title, full, terms: str, name: str, color, working: str, result: str
    ) -> MatrixVectorProduct:
        """Matrix times vector (the first terms, then all, as ``working`` is said), an arrow
        and the full result ``full`` as ``result`` is said, named ``name`` in ``color``."""
        product = MatrixVectorProduct(
            matrix, vector, result_color=color, result_label=terms, font_size=palette.LABEL
        )
        title.next_to(vector, UP, buff=0.25)
        arrow = Arrow(LEFT * 0.5, RIGHT * 0.5, buff=0.15, color=color)
        note = literal("all terms", font_size=palette.SMALL, color=palette.DIM_TEXT)
        caption = literal(name, font_size=palette.BODY, color=color)
        floor = product.matrix.get_brackets().get_top()[1] + 0.12  # clear of the matrix
        title.shift(UP * max(0.0, floor - title.get_bottom()[1]))
        full.next_to(product, RIGHT, buff=1.6).match_y(product.result_brackets)
        arrow.put_start_and_end_on(
            [product.get_right()[0] + 0.15, full.get_y(), 0], full.get_left() + LEFT * 0.15
        )
        note.next_to(arrow, UP, buff=0.1)
        caption.next_to(full, DOWN, buff=0.2)
        layout = VGroup(product, title, full, arrow, note, caption)
        if layout.width > 13.2:
            layout.scale_to_fit_width(13.2)
        layout.move_to(self.stage.center + DOWN * 0.2)
        self.play(product.create(), FadeIn(title), run_time=2)
        self.until_said(working)  # the terms come with the words that name them
        self.play(product.compute_row(product.matrix.rows[0]))  # term by term
        self.play(product.compute_rest())
        self.until_said(result)
        self.play(GrowArrow(arrow), FadeIn(note), full.create(), FadeIn(caption))
        return product

    def embedding_space(self) -> None:
        t, j = self.trace, self.noun
        shown = value_steps(t, self.head, self.values, j, self.terms)
        self.steps_shown = shown
        self.beat("embedding-space", shown.opening)
        self.heading("Adding values in embedding space")
        self.basis = shown.basis
        coords, names = shown.coords, shown.names
        near = coords - coords[0]  # the same points, measured from the tip of E
        whole, zoom = self._spaces(coords, near, t.words[j])
        self.whole, self.zoom = whole, zoom
        self.space_coords = coords
        legend = Legend(shown.legend, font_size=palette.LABEL)
        self.side_notes.place(legend, RIGHT, buff=0.1).set_y(self.side_notes.center[1] - 1.3)
        self.space_legend = legend
        self.play(whole.create(), zoom.create())
        self.play(
            # named "E" (the key names the word): a word here would sit on the link
            whole.vector("E", coords[0], label="E", color=palette.EMBEDDING),
            FadeIn(legend[0]),
        )
        self.zoom_tip = tip = Dot(zoom.to_screen(near[0]), radius=0.06, color=palette.EMBEDDING)
        tip_label = literal(names[0], font_size=palette.LABEL, color=palette.EMBEDDING)
        tip_label.next_to(tip, DOWN + RIGHT, buff=0.1)  # the steps leave up and to the side
        link = DashedLine(whole.to_screen(coords[0]), tip.get_center(), dash_length=0.08)
        link.set_stroke(palette.DIM_TEXT, 1.5)
        self.until_said("around its tip")
        self.play(Create(link), FadeIn(tip), FadeIn(tip_label))
        self.caption(shown.opening_caption, wait=1.0)

    def steps(self) -> None:
        """The terms added to E one by one, each with the words that name it."""
        shown, adjs = self.steps_shown, self.terms.keys
        self.beat("steps", shown.narration)
        self.heading_shown("Adding values in embedding space")  # still there
        whole, zoom, legend = self.whole, self.zoom, self.space_legend
        coords, names = self.space_coords, shown.names
        near = coords - coords[0]
        # keys are rows, queries columns (as on every grid and in trace.json): A_(k q) is
        # the weight of key k in query q's column
        formula = colored(
            "{{ E_q : e }} + sum_k A_(k q) thin {{ V_k : v }} = {{ E'_q : eprime }}",
            font_size=palette.HEADLINE,
        ).move_to(self.side_notes.center + RIGHT * 0.8 + UP * 2.0)
        color = palette.VALUE if adjs else palette.DELTA
        for k in range(len(coords) - 1):
            self.play(
                zoom.vector(
                    f"term {k}",
                    near[k + 1],
                    start=near[k],
                    color=color,
                    label=names[k + 1],
                    label_color=palette.UPDATED,
                    tip_dot=bool(adjs),  # the point the legend's "● = …" names
                ),
                FadeIn(legend[2 * k + 1]),
                FadeIn(legend[2 * k + 2]) if adjs else Wait(0.1),
                *(self.caption_leaving() if k == 0 else ()),
                run_time=2.0,  # about as long as its name takes to say
            )
        self.play(whole.vector("E final", coords[-1], label="E′", color=palette.UPDATED))
        self.play(Write(formula))
        self.play(zoom.turn(ZOOM_TURN, run_time=3))
        self.caption(shown.caption, wait=2.5)
        self.clear_content()

    def _spaces(
        self, coords: np.ndarray, near: np.ndarray, word: str
    ) -> tuple[EmbeddingSpace, EmbeddingSpace]:
        """A small picture of the points from the origin and a larger one around the tip
        of E (``near``: the points measured from there)."""
        reach = float(np.abs(coords).max())
        whole = EmbeddingSpace(1.05 * reach, size=1.4, title="from the origin")
        whole.move_to(self.stage.center + LEFT * 5.3 + UP * 0.3)
        extent = float(np.abs(near).max()) * 1.35
        zoom = EmbeddingSpace(
            extent,
            size=2.2,
            azimuth=self._zoom_view(near, extent),
            elevation=0.5,
            title=f"around the tip of E({word})",
        )
        zoom.move_to(self.stage.center + LEFT * 0.9)
        return whole, zoom

    def _zoom_view(self, near: np.ndarray, extent: float) -> float:
        """The first of ``ZOOM_VIEWS`` from which every name of the zoom stays ``CLEAR``
        of the others and clear of every arrow (:func:`clearance`), as the steps come one
        by one and while the view turns; else the clearest. (Each name takes the first
        free spot by its tip, in turn: from some sides a short step leaves two names
        stacked.)"""

        def now(trial: EmbeddingSpace) -> float:
            boxes = [(m.get_corner(DOWN + LEFT), m.get_corner(UP + RIGHT)) for m in trial.labels]
            return clearance(boxes, [(a.get_start(), a.get_end()) for a in trial.arrows])

        def room(azimuth: float) -> float:  # the least, as the steps come and it turns
            trial = EmbeddingSpace(extent, size=2.2, azimuth=azimuth, elevation=0.5)
            least = np.inf
            for k, name in enumerate(self.steps_shown.names[1:]):
                trial.add_vector(str(k), near[k + 1], start=near[k], label=name)
                least = min(least, now(trial))
            turning = trial.turn(ZOOM_TURN)
            for alpha in (0.25, 0.5, 0.75, 1.0):
                turning.interpolate_mobject(alpha)
                least = min(least, now(trial))
            return least

        chosen = next((azimuth for azimuth in ZOOM_VIEWS if room(azimuth) >= CLEAR), None)
        return max(ZOOM_VIEWS, key=room) if chosen is None else chosen

    def weighted_sum(self) -> None:
        t, j = self.trace, self.noun
        shown = column_sum(t, self.head, j)
        self.column = shown
        self.beat("weighted-sum", shown.narration)
        self.heading(f"Column {quoted(t, j)}: a weighted sum of values")
        grid = AttentionGrid.from_head(
            self.head,
            t.words,
            focus=j,
            max_tokens=8,
            max_width=4.6,
            max_height=5.4,
            font_size=palette.SMALL,
            legend=False,
        )
        self.stage.place(grid, LEFT, buff=0.3).set_y(self.stage.center[1])
        keys = self._row_labels(grid, "K", palette.KEY)
        values = self._row_labels(grid, "V", palette.VALUE)
        self.key_labels, self.value_labels = keys, values
        self.play(grid.create())
        self.play(grid.dots(), FadeIn(VGroup(*keys.values()), shift=LEFT * 0.2))
        self.play(*(ReplacementTransform(keys[i], values[i]) for i in keys))  # V replaces K
        tables = SumTables(t, self.head, self.values, shown)
        left = max(m.get_right()[0] for m in values.values()) + 0.6
        width, height = FRAME_X - EDGE - left, self.stage.height - 0.3
        tables.scale(min(1.0, width / tables.width, height / tables.height))
        tables.move_to([left + tables.width / 2, self.stage.center[1], 0])
        self.tables = tables
        self.until_said("becomes a weighted sum")  # the column and its terms, as named
        self.play(grid.highlight_column(j, palette.DELTA), run_time=0.6)
        self._play_terms(grid, values, tables)
        self.caption(shown.sum_caption, wait=1.5)

    def update(self) -> None:
        """E + ΔE = E′ under the sum, said and shown together."""
        t, shown = self.trace, self.column
        self.beat("update", shown.update_narration)
        self.heading_shown(f"Column {quoted(t, self.noun)}: a weighted sum of values")
        self._play_update(self.tables)
        self.caption(shown.caption, wait=3.5)
        self.clear_content()

    def _row_labels(self, grid: AttentionGrid, kind: str, color: ManimColor) -> dict[int, Text]:
        """``K₁``, ``K₂``, ... (or ``V``) right of the grid, one per key row; the sink's
        row has neither a key vector nor a value: "none"."""
        last = grid.query_range[-1]
        x = grid.get_cell(grid.key_range[0], last).get_right()[0] + 0.15
        return {
            i: (
                literal("none", font_size=palette.SMALL, color=palette.DIM_TEXT)
                if i == grid.sink
                else literal(f"{kind}{subscript(i + 1)}", font_size=palette.SMALL, color=color)
            )
            .set_y(grid.get_cell(i, last).get_y())
            .align_to([x, 0, 0], LEFT)
            for i in grid.key_range
        }

    def _play_terms(self, grid: AttentionGrid, values: dict[int, Text], tables: SumTables):
        """The drawn values come out of their rows, take their weights, and add up to ΔE."""
        shown, j = self.column, self.noun
        cells = [
            SurroundingRectangle(grid.get_cell(i, j), color=palette.VALUE, buff=0, stroke_width=4)
            for i, _ in shown.terms
            if i in grid.key_range
        ]
        arrivals = [
            AnimationGroup(
                TransformFromCopy(values[i], plain.header[0]),
                FadeIn(VGroup(plain.brackets, plain.body, *plain.header[1:])),
            )
            if i in values
            else FadeIn(plain)
            for (i, _), plain in zip(shown.terms, tables.plain, strict=True)
        ]
        self.play(FadeIn(tables.index_top), *(Create(c) for c in cells), *arrivals, run_time=1.5)
        self.play(
            *(
                AnimationGroup(
                    ReplacementTransform(plain.brackets, term.brackets),
                    ReplacementTransform(plain.body, term.body),
                    FadeTransform(plain.header, term.header),
                )
                for plain, term in zip(tables.plain, tables.terms, strict=True)
            ),
            *(FadeIn(s) for s in tables.term_signs[: len(tables.terms) - 1]),
            run_time=1.5,
        )
        if tables.others is not None:
            self.until_said("more term")
            self.play(FadeIn(tables.term_signs[-1]), FadeIn(tables.others, shift=LEFT * 0.2))
        self.until_said("The sum is ΔE")
        self.play(FadeIn(tables.equals_top), FadeIn(tables.delta, shift=LEFT * 0.2))

    def _play_update(self, tables: SumTables) -> None:
        """E + ΔE = E′ with the same entries; the largest changes boxed."""
        e, d, updated = tables.update_columns.values()
        plus, equals = tables.bottom_signs
        self.play(FadeIn(tables.index_bottom), FadeIn(e), *self.caption_leaving())
        # at the pace of the words that say it: the sum, then its size and the boxes
        self.play(FadeIn(plus), TransformFromCopy(tables.delta, d), run_time=1.5)
        self.play(FadeIn(equals), FadeIn(updated, shift=LEFT * 0.2), run_time=1.5)
        self.play(*(Create(box) for box in tables.boxes), run_time=1.5)

    def every_token(self) -> None:
        t = self.trace
        pairs = modifiers(t)
        row = TokenRow(  # the noun the chapter worked through stays in view
            t.words,
            roles(t),
            font_size=palette.BODY,
            max_width=10.5,
            focus=self.noun,
            pairs=pairs,
            focus_first=True,
        )
        shown = changes(t, self.head, row.shown)
        self.beat("every-token", shown.narration)
        self.heading("E + ΔE = E′ for every token (this head alone)")
        row.move_to(self.stage.point(UP) + DOWN * 0.45).shift(RIGHT * 0.8)
        self.shown = list(row.shown)
        xs = [row.get_token(i).get_x() for i in self.shown]
        pitch = min((b - a for a, b in zip(xs, xs[1:])), default=1.0)  # between strips
        left = row.get_left()[0] - 0.9
        names = self._strips(shown, row, xs, min(0.45, 0.7 * pitch), left)
        boost = literal(
            f"colours ×{shown.boost:.1f}", font_size=palette.NOTE, color=palette.DIM_TEXT
        ).next_to(names[1], DOWN, buff=0.12)
        sizes, sizes_name = self._sizes(shown, pitch, left)
        self.play(row.create())
        self.play(FadeIn(self.strips["E"], lag_ratio=0.1), FadeIn(names[0]))
        self.play(
            FadeIn(self.strips["ΔE"], shift=DOWN * 0.2, lag_ratio=0.1),
            FadeIn(names[1]),
            FadeIn(boost),
        )
        self.play(FadeIn(self.strips["E′"], shift=DOWN * 0.2, lag_ratio=0.1), FadeIn(names[2]))
        self.play(*(Create(m) for m in self.marks.values()))
        self.caption(shown.caption, wait=1.5)
        self.beat("sizes", shown.sizes_narration)  # the sizes with the words that say them
        self.heading_shown("E + ΔE = E′ for every token (this head alone)")  # still there
        self.play(FadeIn(sizes, lag_ratio=0.1), FadeIn(sizes_name), *self.caption_leaving())
        self.caption(shown.sizes_caption, wait=2.5)

    def _strips(self, shown: Changes, row, xs: list[float], width: float, left: float) -> VGroup:
        """E, ΔE and E′ of each shown token as strips of their first entries under the
        row (``self.strips``), each token's largest change boxed (``self.marks``); the
        names of the three rows, returned."""
        t, delta = self.trace, self.head.delta_E  # (n, d_model)
        cells = min(STRIP_CELLS, t.dims.d_model)
        scale = color_scale(t.E)
        levels = {
            "E": (t.E, scale, palette.EMBEDDING),
            "ΔE": (delta, scale / shown.boost, palette.DELTA),  # its own, finer scale
            "E′": (t.E + delta, scale, palette.UPDATED),
        }
        # E's colours never go dark (palette.value_color), so that a small entry still
        # shows its sign; a change of nearly nothing must look like nothing: black
        colors = {"ΔE": change_color}
        self.strips: dict[str, VGroup] = {}
        self.marks: dict[str, VGroup] = {}
        names = VGroup()
        for k, (name, (vectors, level_scale, color)) in enumerate(levels.items()):
            y = row.get_bottom()[1] - 0.85 - 1.4 * k
            strips = VGroup(
                *(
                    embedding_strip(vectors[i, :cells], cells, level_scale, width, 1.05).move_to(
                        [x, y, 0]
                    )
                    for i, x in zip(self.shown, xs, strict=True)
                )
            )
            if name in colors:
                for strip, i in zip(strips, self.shown, strict=True):
                    for cell, value in zip(strip, vectors[i, :cells], strict=True):
                        cell.set_fill(colors[name](value, level_scale), 1.0)
            self.strips[name] = strips
            self.marks[name] = VGroup(
                *(
                    SurroundingRectangle(
                        strip[shown.marked[i]], color=palette.DELTA, buff=0.02, stroke_width=3
                    )
                    for strip, i in zip(strips, self.shown, strict=True)
                )
            )
            sign_text = ("", "+ ", "= ")[k]
            names.add(literal(f"{sign_text}{name}", font_size=palette.HEADLINE, color=color))
            names[-1].set_y(y).set_x(left)
        return names

    def _sizes(self, shown: Changes, pitch: float, left: float) -> tuple[VGroup, Text]:
        """|ΔE| / |E| of each shown token under its E′ strip (``self.sizes``), and the
        name of that row."""
        sizes = VGroup(
            *(
                literal(
                    percent(shown.ratios[i]), font_size=palette.NOTE, color=palette.DELTA
                ).next_to(self.strips["E′"][k], DOWN, buff=0.15)
                for k, i in enumerate(self.shown)
            )
        )
        widest = max(s.width for s in sizes)
        if widest > 0.7 * pitch:  # too wide side by side: every other one a row lower, so
            # that each has two strips' room, and one scale for all (comparable numbers)
            scale = min(1.0, 1.7 * pitch / widest)
            drop = sizes[0].height * scale + 0.06
            for k, size in enumerate(sizes):
                size.scale(scale).shift(DOWN * drop * (k % 2))
        sizes_name = literal("|ΔE| / |E|", font_size=palette.NOTE, color=palette.DELTA)
        sizes_name.set_y(sizes[0].get_y()).set_x(left)
        self.sizes = sizes
        return sizes, sizes_name
