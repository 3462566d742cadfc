"""Chapter 6: values. What an adjective passes on, and how a column of the pattern turns
into the change ΔE of its token.

The value of a token is W_V times its embedding, computed in two steps as the core does
it: value-down (d_key x d_embed) then value-up (d_embed x d_key). The noun is the one
taking the most attention from adjectives (:func:`scenes.focus.main_link`); the 3D
picture is a projection of its real E and of the real terms A[noun, adj]·value(adj);
every column of the pattern becomes a weighted sum of values, ΔE, and E + ΔE = E′ for
every token.

    manim -pql scenes/ch06_values.py Values
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    DashedLine,
    Dot,
    FadeIn,
    GrowArrow,
    Line,
    ManimColor,
    VGroup,
    Wait,
    Write,
)

from attention_math.projection import coords3, orthonormal_basis
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
from scenes.components.token_row import TokenRow
from scenes.components.weight_matrix import WeightMatrix
from scenes.focus import main_link, own_adjectives, quoted, roles
from scenes.lesson import Lesson

HEAD = "adjective-noun"
DOWN_ROWS = (0, 1, 2, -1)  # rows of value-down drawn (entries of the 128-dim V)
EMBED_COLS = (0, 1, 2, 3, -1)  # columns of value-down drawn (entries of E)
UP_ROWS = (0, 1, 2, 3, -1)  # rows of value-up drawn (entries of the value vector)
UP_COLS = (0, 1, 2, -1)  # columns of value-up drawn (entries of V)
STRIP_CELLS = 8  # entries per strip in the every-token picture
MAX_TERMS = 8  # weighted terms listed for one column
AXES = [0, 2, 1]  # projection coordinate drawn on each picture axis (the 3rd is vertical)


def value_vectors(head) -> np.ndarray:
    """Every token's full value vector, value-up · value-down · E: (n, d_embed)."""
    return head.V @ head.weights.W_V_up.T  # (n, d_key) @ (d_key, d_embed)


@dataclass(frozen=True)
class Terms:
    """The earlier tokens whose values the chapter adds to ``noun``: its own adjectives
    (``own``) or, for a word without any, its strongest earlier token."""

    keys: tuple[int, ...]
    own: bool


def adjective_terms(trace, head, noun: int) -> Terms:
    """The adjectives that modify ``noun`` (as the parser found), in order; else the
    strongest earlier token; none for the first token."""
    found = own_adjectives(trace, noun)
    if found or noun == 0:
        return Terms(tuple(found), bool(found))
    return Terms((int(np.argmax(head.pattern[noun, :noun])),), False)


def span_basis(vectors: list[np.ndarray]) -> np.ndarray:
    """Orthonormal basis (at most 3 rows) of the first vectors that are independent."""
    kept: list[np.ndarray] = []
    for v in vectors:
        candidate = np.vstack([*kept, v])
        if np.linalg.matrix_rank(candidate, tol=1e-8 * np.abs(candidate).max()) > len(kept):
            kept.append(v)
        if len(kept) == 3:
            break
    return orthonormal_basis(np.vstack(kept))  # (k, d_embed)


@dataclass(frozen=True)
class ValueSteps:
    """What the embedding-space beat shows and says (:func:`value_steps`)."""

    basis: np.ndarray  # (k, d_embed) the projection, its first direction along E
    coords: np.ndarray  # (m, 3) E, then E plus one more term at each step, projected
    names: tuple[str, ...]  # the meaning at each point: "creature", "blue creature", ...
    legend: tuple[tuple[ManimColor, str], ...]  # colour and text of each line of the key
    narration: str
    caption: str


def value_steps(trace, head, values: np.ndarray, noun: int, found: Terms) -> ValueSteps:
    """The noun's embedding plus, one at a time, each term's share of its value
    (``A[noun, i] · value(i)``), projected to 3D; with no earlier token, plus the head's
    whole ΔE of the noun."""
    j, keys = noun, found.keys
    terms = [head.pattern[j, i] * values[i] for i in keys]  # each (d_embed,)
    names = [trace.words[j]]
    for k, i in enumerate(keys):  # "fluffy creature", "fluffy blue creature"; "on + cat"
        if found.own:  # the adjectives added so far, in the sentence's order
            names.append(" ".join([*(trace.words[a] for a in keys[: k + 1]), trace.words[j]]))
        else:
            names.append(f"{names[-1]} + {trace.words[i]}")
    weights = ", ".join(f"{head.pattern[j, i]:.2f}" for i in keys)
    steps = " → ".join(f"“{n}”" for n in names)
    if found.own:
        narration = (
            f"In embedding space, {quoted(trace, j)} plus its share of each value (weights "
            f"{weights}) moves step by step: {steps}. The arrows are projections of the "
            "computed vectors."
        )
    elif keys:
        narration = (
            f"{quoted(trace, j)} has no adjective of its own (the parser found none), so we "
            f"follow its strongest earlier word, {quoted(trace, keys[0])}: in embedding "
            f"space {quoted(trace, j)} plus {weights} × the value of {quoted(trace, keys[0])} "
            "moves to "
            f"“{names[-1]}”. "
            "The arrows are projections of the computed vectors."
        )
    else:  # nothing to add step by step: this head's whole ΔE instead
        narration = (
            f"{quoted(trace, j)} has no earlier word to take a value from: the arrow is "
            "this head's whole change to it, ΔE."
        )
        terms = [head.delta_E[j]]
        names.append(f"{trace.words[j]} in context")
    points = np.cumsum([trace.E[j], *terms], axis=0)  # E, E + term 1, E + terms 1-2, ...
    basis = span_basis([trace.E[j], *terms])  # first direction: along E
    coords = coords3(points, basis)[:, AXES]  # (m, 3)
    legend = [(palette.EMBEDDING, f"{names[0]}: its embedding E")]
    for k, i in enumerate(keys):
        legend.append((palette.VALUE, f"+ {head.pattern[j, i]:.2f} × value of {trace.words[i]}"))
        legend.append((palette.UPDATED, f"= {names[k + 1]}"))
    if not keys:
        legend.append((palette.DELTA, f"+ ΔE: {names[1]}"))
    caption = (
        "Each step: an attention weight times a value vector, seen in 3 of "
        f"{trace.dims.d_embed:,} dimensions."
    )
    return ValueSteps(basis, coords, tuple(names), tuple(legend), narration, caption)


@dataclass(frozen=True)
class WeightedSum:
    """What the weighted-sum beat shows and says (:func:`weighted_sum_of`)."""

    terms: tuple[tuple[int, float], ...]  # (key, weight) of each term listed, in order
    narration: str
    caption: str


def weighted_sum_of(trace, head, noun: int) -> WeightedSum:
    """The terms of the noun's column of the pattern (its last ``MAX_TERMS`` keys, each
    with its weight), and what the narration and caption say about them."""
    j = noun
    pattern = head.pattern  # [query, key]
    top = int(np.argmax(pattern[j, : j + 1]))
    terms = tuple((i, float(pattern[j, i])) for i in list(range(j + 1))[-MAX_TERMS:])
    narration = (
        f"In the grid the values take the place of the keys. Column {quoted(trace, j)} "
        f"becomes a weighted sum: each value times its weight, {quoted(trace, top)} "
        f"the most with {pattern[j, top]:.2f}. The sum is ΔE of {quoted(trace, j)}."
    )
    caption = (
        f"Faint terms weigh little. Σ weight × value = ΔE, the change this head makes to "
        f"{quoted(trace, j)}."
    )
    return WeightedSum(terms, narration, caption)


def term_row(key: int, weight: float, word: str) -> VGroup:
    """One term of a weighted sum, ``0.54 × V₂ (fluffy)``, as opaque as its weight."""
    row = VGroup(
        literal(f"{weight:.2f}", font_size=palette.HEADLINE, mono=True, color=palette.QUERY),
        literal("×", font_size=palette.HEADLINE, color=palette.DIM_TEXT),
        literal(f"V{subscript(key + 1)}", font_size=palette.HEADLINE, color=palette.VALUE),
        literal(f"({word})", font_size=palette.BODY, color=palette.DIM_TEXT),
    ).arrange(RIGHT, buff=0.15)
    return row.set_opacity(weight)  # opacity follows the weight


class Values(Lesson):
    number = 6
    title = "Values"

    def construct(self) -> None:
        self.head = self.trace.head(HEAD)
        link = main_link(self.trace, self.head)
        self.noun = link.query
        self.terms = adjective_terms(self.trace, self.head, self.noun)
        self.source = self.terms.keys[-1] if self.terms.keys else link.key
        self.values = value_vectors(self.head)  # (n, d_embed)
        self.title_card("What each word passes on")
        self.value_down()
        self.value_up()
        self.embedding_space()
        self.weighted_sum()
        self.every_token()

    # -- beats -----------------------------------------------------------------------
    def value_down(self) -> None:
        t, s = self.trace, self.source
        d, dk = t.dims.d_embed, t.dims.d_key
        self.beat(
            "value-down",
            f"The value of {quoted(t, s)} is W_V times its embedding, in two steps. First "
            f"value-down squeezes its {d:,} numbers into {dk}.",
        )
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
        full = EmbeddingColumn(
            self.head.V[s],
            DOWN_ROWS,
            decimals=2,
            font_size=palette.LABEL,
            bracket_color=palette.VALUE_DOWN,
        )
        self.down_product = self._show_product(
            matrix,
            vector,
            title_E,
            full,
            f"{len(EMBED_COLS)} of {d:,} terms",
            f"{dk} numbers",
            palette.VALUE_DOWN,
        )
        self.caption(
            f"Value-down: {d:,} numbers in, {dk} out. The first output, all {d:,} products "
            f"added: {fixed(self.head.V[s, 0], 2)}.",
            wait=2.5,
        )
        self.clear_content()

    def value_up(self) -> None:
        t, s = self.trace, self.source
        d, dk = t.dims.d_embed, t.dims.d_key
        self.beat(
            "value-up",
            f"Then value-up turns those {dk} numbers back into a {d:,}-dimensional vector: "
            f"the value of {quoted(t, s)}, what it can add to another word's embedding.",
        )
        self.heading(f"The value of {quoted(t, s)}: value-up")
        matrix = WeightMatrix(
            self.head.weights.W_V_up,
            UP_ROWS,
            UP_COLS,
            kind="value_up",
            label="W_V^(arrow.t)",
            font_size=palette.LABEL,
        )
        vector = EmbeddingColumn(
            self.head.V[s],
            UP_COLS,
            decimals=2,
            font_size=palette.LABEL,
            bracket_color=palette.VALUE_DOWN,
        )
        title_V = literal(f"{dk} numbers", font_size=palette.LABEL, color=palette.VALUE_DOWN)
        full = EmbeddingColumn(
            self.values[s],
            UP_ROWS,
            decimals=2,
            font_size=palette.LABEL,
            bracket_color=palette.VALUE,
        )
        self.up_product = self._show_product(
            matrix,
            vector,
            title_V,
            full,
            f"{len(UP_COLS)} of {dk} terms",
            f"Value of {t.words[s]}",
            palette.VALUE,
        )
        self.value_column = full
        self.caption(
            f"The value of {quoted(t, s)} = W_V↑ · W_V↓ · E: {d:,} numbers it can pass on.",
            wait=2.5,
        )
        self.clear_content()

    def _show_product(
        self, matrix, vector, title, full, terms: str, name: str, color
    ) -> MatrixVectorProduct:
        """Matrix times vector (the first terms, then all of them) and the real result,
        ``full``, named ``name`` in ``color``; ``title`` names the vector."""
        product = MatrixVectorProduct(
            matrix, vector, result_color=color, result_label=terms, font_size=palette.LABEL
        )
        title.next_to(vector, UP, buff=0.25)
        self._finish_product(product, title, full, name, color)
        return product

    def _finish_product(self, product, title, full, name: str, color) -> None:
        """Lay out product + arrow + the real full result; play them."""
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
        self.play(product.compute_all(detailed_rows=1))
        self.play(GrowArrow(arrow), FadeIn(note))
        self.play(full.create(), FadeIn(caption))

    def embedding_space(self) -> None:
        t, j, adjs = self.trace, self.noun, self.terms.keys
        shown = value_steps(t, self.head, self.values, j, self.terms)
        self.beat("embedding-space", shown.narration)
        self.heading("Adding values in embedding space")
        self.basis = shown.basis
        coords, names = shown.coords, shown.names
        near = coords - coords[0]  # the same points, measured from the tip of E
        whole = EmbeddingSpace(
            float(np.abs(coords).max()) * 1.05, size=1.4, title="from the origin"
        )
        whole.move_to(self.stage.center + LEFT * 5.3 + UP * 0.3)
        zoom = EmbeddingSpace(
            float(np.abs(near).max()) * 1.35,
            size=2.2,
            azimuth=-1.2,  # the third direction drawn mostly across, the second up
            elevation=0.5,
            title=f"around the tip of E({t.words[j]})",
        )
        zoom.move_to(self.stage.center + LEFT * 0.9)
        legend = Legend(shown.legend, font_size=palette.LABEL)
        legend.move_to(self.side_notes.center + RIGHT * 0.8 + DOWN * 1.3)
        formula = colored(
            "{{ E : e }} + sum_i A_(i j) thin {{ V_i : v }} = {{ E' : eprime }}",
            font_size=palette.HEADLINE,
        ).move_to(self.side_notes.center + RIGHT * 0.8 + UP * 2.0)
        self.play(whole.create(), zoom.create())
        self.play(
            whole.vector("E", coords[0], label=names[0], color=palette.EMBEDDING),
            FadeIn(legend[0]),
        )
        tip = Dot(zoom.to_screen(near[0]), radius=0.06, color=palette.EMBEDDING)
        tip_label = literal(names[0], font_size=palette.LABEL, color=palette.EMBEDDING)
        tip_label.next_to(tip, DOWN + LEFT, buff=0.1)
        link = DashedLine(whole.to_screen(coords[0]), tip.get_center(), dash_length=0.08)
        link.set_stroke(palette.DIM_TEXT, 1.5)
        self.play(Create(link), FadeIn(tip), FadeIn(tip_label))
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
                ),
                FadeIn(legend[2 * k + 1]),
                FadeIn(legend[2 * k + 2]) if adjs else Wait(0.1),
                run_time=1.3,
            )
        self.play(whole.vector("E final", coords[-1], color=palette.UPDATED))
        self.play(Write(formula))
        self.play(zoom.turn(-0.5, run_time=3))
        self.whole, self.zoom = whole, zoom
        self.space_coords = coords
        self.caption(shown.caption, wait=2.5)
        self.clear_content()

    def weighted_sum(self) -> None:
        t, j = self.trace, self.noun
        shown = weighted_sum_of(t, self.head, j)
        self.beat("weighted-sum", shown.narration)
        self.heading(f"Column {quoted(t, j)}: a weighted sum of values")
        grid = AttentionGrid.from_head(
            self.head,
            t.words,
            focus=j,
            max_tokens=8,
            max_width=6.2,
            max_height=5.6,
            font_size=palette.SMALL,
            legend=False,
        )
        self.stage.place(grid, LEFT, buff=0.35).set_y(self.stage.center[1])
        v_labels = VGroup(
            *(
                literal(
                    f"V{subscript(i + 1)}", font_size=palette.SMALL, color=palette.VALUE
                ).next_to(grid.get_cell(i, grid.query_range[-1]), RIGHT, buff=0.15)
                for i in grid.key_range
            )
        )
        self.play(grid.create())
        self.play(grid.dots(), FadeIn(v_labels, shift=LEFT * 0.2))
        if j in grid.query_range:
            self.play(grid.highlight_column(j, palette.DELTA))
        self.term_weights = list(shown.terms)
        rows = VGroup(*(term_row(i, w, t.words[i]) for i, w in shown.terms))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.16)
        rule = Line(LEFT * rows.width / 2, RIGHT * rows.width / 2, stroke_width=1.5)
        rule.set_color(palette.DIM_TEXT)
        delta = EmbeddingColumn(
            self.head.delta_E[j],
            (0, 1, 2, -1),
            font_size=palette.BODY,
            bracket_color=palette.DELTA,
            label=f"ΔE of {t.words[j]}",
        )
        side = VGroup(rows, rule, delta).arrange(DOWN, buff=0.25)
        side.next_to(grid, RIGHT, buff=1.0)
        if side.height > 5.8:
            side.scale_to_fit_height(5.8)
        side.set_y(self.stage.center[1])
        self.play(FadeIn(rows, lag_ratio=0.2), run_time=2)
        self.play(Write(rule))
        self.play(delta.create())
        self.delta_column = delta
        self.term_rows = rows
        self.caption(shown.caption, wait=3)
        self.clear_content()

    def every_token(self) -> None:
        t = self.trace
        delta = self.head.delta_E  # (n, d_embed)
        updated = t.E + delta
        self.beat(
            "every-token",
            f"Every column does the same: each of the {t.n} tokens gets its own ΔE from "
            "this head, and E + ΔE = E′.",
        )
        self.heading("E + ΔE = E′ for every token")
        row = TokenRow(t.words, roles(t), font_size=palette.BODY, max_width=10.5)
        row.move_to(self.stage.point(UP) + DOWN * 0.65).shift(RIGHT * 0.8)
        shown = list(row.shown)
        scale = color_scale(t.E)
        levels = {"E": t.E, "ΔE": delta, "E′": updated}
        colors = {"E": palette.EMBEDDING, "ΔE": palette.DELTA, "E′": palette.UPDATED}
        self.strips: dict[str, VGroup] = {}
        names = VGroup()
        for k, (name, vectors) in enumerate(levels.items()):
            strips = VGroup(
                *(
                    embedding_strip(
                        vectors[i, :STRIP_CELLS], STRIP_CELLS, scale, 0.32, 1.1
                    ).move_to([row.get_token(i).get_x(), 1.0 - 1.6 * k, 0])
                    for i in shown
                )
            )
            self.strips[name] = strips
            sign = ("", "+ ", "= ")[k]
            names.add(literal(f"{sign}{name}", font_size=palette.HEADLINE, color=colors[name]))
            names[-1].next_to(strips, LEFT, buff=0.5)
            names[-1].set_x(row.get_left()[0] - 0.9)
        self.strip_rows = levels
        self.shown = shown
        self.play(row.create())
        self.play(FadeIn(self.strips["E"], lag_ratio=0.1), FadeIn(names[0]))
        self.play(FadeIn(self.strips["ΔE"], shift=DOWN * 0.2, lag_ratio=0.1), FadeIn(names[1]))
        self.play(FadeIn(self.strips["E′"], shift=DOWN * 0.2, lag_ratio=0.1), FadeIn(names[2]))
        self.caption(
            f"First {STRIP_CELLS} of {t.dims.d_embed:,} entries per token. Chapter 9 adds the "
            "other heads.",
            wait=3,
        )
