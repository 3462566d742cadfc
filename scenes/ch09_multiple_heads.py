"""Chapter 9: multiple heads. One pattern cannot ask every question, so a layer runs many
heads side by side, each with its own W_Q, W_K, value-down and value-up.

The fixed supporting examples show why ("they crashed the car", the two Harrys); the main
example's five designed heads show patterns that differ because their matrices differ,
and their ΔE add up: E + Σ_h ΔE⁽ʰ⁾ = E′ (``trace.E_prime``).

What it says, and which tokens and cells it shows, is computed in
``scenes/facts/ch09_multiple_heads.py`` (no drawing there).

    manim -pql scenes/ch09_multiple_heads.py MultipleHeads
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from manim import (
    DOWN,
    LEFT,
    PI,
    RIGHT,
    UP,
    AnimationGroup,
    Circle,
    Create,
    FadeIn,
    LaggedStart,
    RoundedRectangle,
    VGroup,
    Write,
)

from scenes.components import palette
from scenes.components.context_arcs import ContextArcs
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.entries import adding_up, color_scale, dots, equation_entries
from scenes.components.formula import colored
from scenes.components.labels import literal
from scenes.components.mini_pattern import MiniPattern
from scenes.components.parameter_counter import CountBrace
from scenes.components.token_row import TokenRow
from scenes.facts.ch09_multiple_heads import (
    ADJECTIVE_HEAD,
    CONTEXT_HEAD,
    alike_said,
    answers_said,
    changes_of_every_head,
    cue_words,
    cues_of,
    guessed_said,
    last_noun,
    most_alike,
    patterns_key,
    senses,
    strongest_answer,
    strongest_drawn,
    thumbnail_positions,
    unanswered,
    verb_before,
)
from scenes.focus import quoted, roles
from scenes.lesson import Lesson, wrap

COLUMN_ROWS = (0, 1, 2, -1)
THUMBNAIL_MAX = 3.0  # largest side of a head's small pattern
THUMBNAIL_GAP = 0.12  # between two small patterns
THUMBNAIL_MARGIN = 0.2  # from the frame's sides to the row of small patterns
KEYS_BUFF = 0.08  # between "keys →" and the first small pattern


def ring_round(mini: MiniPattern, key: int, query: int, weight: float) -> Circle:
    """A ring round the dot of ``key`` and ``query`` in ``mini``, where it is now."""
    ring = Circle(radius=1.8 * mini.dot_radius(weight), color=palette.QUERY)
    return ring.set_stroke(width=2).move_to(mini.get_dot(key, query))


def keys_name() -> VGroup:
    """ "keys →", turned to run down the left side of a small pattern."""
    return literal("keys →", font_size=palette.NOTE, color=palette.DIM_TEXT).rotate(-PI / 2)


def axis_names(mini: MiniPattern) -> VGroup:
    """ "keys →" down the left side of ``mini``'s cells and "queries →" under them."""
    keys = keys_name().next_to(mini.cells, LEFT, buff=KEYS_BUFF).align_to(mini.cells, UP)
    queries = literal("queries →", font_size=palette.NOTE, color=palette.DIM_TEXT)
    queries.next_to(mini, DOWN, buff=0.08).align_to(mini.cells, LEFT)
    return VGroup(keys, queries)


def cue_sum(trace, head, j: int, sense: str, weight: float) -> list[str]:
    """["= 0.32 “Hogwarts”", "+ 0.53 “wizard”"]: what token ``j`` gives each cue of
    ``sense``, a line each, rounded so that the parts add up to ``weight`` as written."""
    cues = cues_of(trace, sense)
    parts = [np.array([head.pattern[j, i]]) for i in cues]
    drawn = adding_up(parts, np.array([weight]), 2)
    signs = ["="] + ["+"] * (len(cues) - 1)
    return [f"{s} {d[0]:.2f} {quoted(trace, i)}" for s, d, i in zip(signs, drawn, cues)]


class MultipleHeads(Lesson):
    number = 9
    title = "Multiple heads"

    def construct(self) -> None:
        self.title_card("Many questions at once")
        self.crashed_car()
        self.two_harrys()
        self.relation_types()
        self.many_heads()
        self.different_patterns()
        self.sum_of_changes()

    # -- beats -----------------------------------------------------------------------
    def crashed_car(self) -> None:
        tr = self.supporting("crashed-car")[0]
        j = last_noun(tr)
        i = verb_before(tr, j)
        adjective = tr.head(ADJECTIVE_HEAD)
        others = [h for h in tr.heads if h.id != ADJECTIVE_HEAD]
        other = max(others, key=lambda h: h.pattern[j, i])
        self.car = (tr, i, j, adjective, other)
        self.beat(
            "crashed-car",
            f"In “{tr.sentence}”, {quoted(tr, j)} takes its state from {quoted(tr, i)}, a "
            f"verb. Of the attention {quoted(tr, j)} pays, the adjective head puts only "
            f"{adjective.pattern[j, i]:.2f} on {quoted(tr, i)}; the {other.name} head puts "
            f"{other.pattern[j, i]:.2f} there.",
        )
        self.heading(f"{quoted(tr, j)} needs another question")
        row = TokenRow(tr.words, roles(tr), font_size=palette.PROMINENT)
        row.move_to(self.stage.center + DOWN * 0.2)
        above = ContextArcs.over_row(row, adjective.pattern, [j], min_weight=0.02)
        below = ContextArcs.over_row(
            row, other.pattern, [j], min_weight=0.02, side=DOWN, color=palette.UPDATED
        )
        name_above = literal(f"{adjective.name} head", font_size=palette.BODY, color=palette.QUERY)
        name_below = literal(f"{other.name} head", font_size=palette.BODY, color=palette.UPDATED)
        name_above.next_to(row, UP, buff=1.5).align_to(row, LEFT)
        name_below.next_to(row, DOWN, buff=1.5).align_to(row, LEFT)
        weight_above = literal(
            f"{tr.words[i]}: {adjective.pattern[j, i]:.2f}",
            font_size=palette.BODY,
            color=palette.QUERY,
        ).next_to(name_above, RIGHT, buff=0.6)
        weight_below = literal(
            f"{tr.words[i]}: {other.pattern[j, i]:.2f}",
            font_size=palette.BODY,
            color=palette.UPDATED,
        ).next_to(name_below, RIGHT, buff=0.6)
        self.play(row.create())
        self.play(above.create(), FadeIn(name_above))
        self.play(FadeIn(weight_above))
        self.wait(1)
        self.play(below.create(), FadeIn(name_below))
        self.play(FadeIn(weight_below))
        self.car_arcs = (above, below)
        self.caption(
            "Arcs into the last noun: thickness and opacity follow each head's weights.",
            wait=2.5,
        )
        self.clear_content()

    def two_harrys(self) -> None:
        traces = self.supporting("harry")
        self.harrys = []
        for tr in traces:
            head = tr.head(CONTEXT_HEAD)
            j = tr.n - 1
            found = senses(tr, j, head)
            sense = max(found, key=found.get) if found else "no cue"
            self.harrys.append((tr, head, j, sense, found.get(sense, 0.0)))
        said = "; ".join(
            f"in “{tr.sentence}” it gives {w:.2f} in all to the {sense} cues {cue_words(tr, sense)}"
            if sense in senses(tr, j, head)
            else f"in “{tr.sentence}” it finds no cue"
            for tr, head, j, sense, w in self.harrys
        )
        self.beat(
            "two-harrys",
            f"The same name can mean two people. The context head of {quoted(traces[0], -1)} "
            f"looks for cues: {said}.",
        )
        self.heading("Two Harrys")
        self.harry_sums = [cue_sum(tr, head, j, sense, w) for tr, head, j, sense, w in self.harrys]
        rows = VGroup()
        marks = VGroup()
        arcs = VGroup()
        for k, (tr, head, j, sense, weight) in enumerate(self.harrys):
            row = TokenRow(tr.words, roles(tr), font_size=palette.HEADLINE)
            row.move_to(self.stage.center + LEFT * 1.2 + UP * (0.9 - 2.5 * k))
            arcs.add(ContextArcs.over_row(row, head.pattern, [j], min_weight=0.05))
            mark = literal(
                f"→ {sense} ({weight:.2f})", font_size=palette.HEADING, color=palette.UPDATED
            )
            if len(cues_of(tr, sense)) > 1:  # a sum: its parts, rounded to add up as drawn
                mark = VGroup(
                    mark,
                    *(literal(line, font_size=palette.LABEL) for line in self.harry_sums[k]),
                ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
            mark.next_to(row, RIGHT, buff=0.4).align_to(row, UP)
            if mark.get_right()[0] > self.stage.right - 0.2:  # else under the row, at its end
                mark.next_to(row, DOWN, buff=0.25, aligned_edge=RIGHT)
            rows.add(row)
            marks.add(mark)
        # the two phrases and their Harrys with "The same name can mean two people"
        self.play(*(row.create() for row in rows), run_time=1.0)
        self.play(*(row.highlight([tr.n - 1]) for (tr, *_), row in zip(self.harrys, rows)))
        for (tr, *_), arc, mark in zip(self.harrys, arcs, marks):
            self.until_said(f"in \u201c{tr.sentence}\u201d")  # each one's cues with its words
            self.play(arc.create(), FadeIn(mark), run_time=1.0)
        self.harry_arcs = arcs
        self.caption(
            "Context head: the weight each Harry gives to the words that are cues for a sense, "
            "added up.",
            wait=2.5,
        )
        self.clear_content()

    def relation_types(self) -> None:
        t = self.trace
        self.relations = []
        for head in t.heads:
            self.relations.append((head, strongest_answer(t, head)))
        self.beat(
            "relation-types",
            f"The designed model has {len(t.heads)} heads, each asking its own question: "
            + ", ".join(h.name for h in t.heads)
            + ". "
            + answers_said(self.relations, t)
            + guessed_said(t),
        )
        self.heading("One question per head")
        lines = VGroup()
        for head, link in self.relations:
            askers = [] if link else unanswered(t, head)
            found = (
                f"{t.words[link.key]} → {t.words[link.query]}  {link.weight:.2f}"
                if link
                else f"({t.words[askers[0]]} asks; no answer here)"
                if askers
                else "(no word here asks this)"
            )
            line = VGroup(
                literal(head.name, font_size=palette.HEADING, color=palette.QUERY),
                literal(head.spec.question, font_size=palette.LABEL, color=palette.DIM_TEXT),
                literal(found, font_size=palette.BODY, color=palette.UPDATED),
            )
            lines.add(line)
        widths = [max(line[k].width for line in lines) for k in range(3)]
        x0 = -6.6
        for n, line in enumerate(lines):
            y = self.stage.top - (n + 1) * 0.95
            line[0].move_to([x0, y, 0], aligned_edge=LEFT)
            line[1].move_to([x0 + widths[0] + 0.5, y, 0], aligned_edge=LEFT)
            line[2].move_to([x0 + widths[0] + widths[1] + 1.0, y, 0], aligned_edge=LEFT)
        if lines.width > 13.4:
            lines.scale_to_fit_width(13.4)
        lines.set_x(0)
        for line in lines:
            self.play(FadeIn(line, shift=RIGHT * 0.2), run_time=0.8)
        self.relation_lines = lines
        self.caption(
            "Each head's strongest link into a word that asks its question (earlier → later).",
            wait=2.5,
        )
        self.clear_content()

    def many_heads(self) -> None:
        t = self.trace
        d = t.dims
        self.beat(
            "many-heads",
            f"Each head has its own four matrices. GPT-3 runs {d.n_heads} heads in every "
            f"layer; the designed model here has {len(t.heads)} of them.",
        )
        self.heading(f"{d.n_heads} heads in a layer")
        cards = VGroup()
        for h, head in enumerate(t.heads):
            mats = colored(
                f"{{{{ W_Q^(({h + 1})) : q }}}} {{{{ W_K^(({h + 1})) : k }}}} "
                f"{{{{ W_(V arrow.b)^(({h + 1})) : v }}}} {{{{ W_(V arrow.t)^(({h + 1})) : v }}}}",
                font_size=palette.PROMINENT,
            )
            name = literal(f"head {h + 1}: {head.name}", font_size=palette.HEADING)
            body = VGroup(name, mats).arrange(RIGHT, buff=0.5)
            frame = RoundedRectangle(
                corner_radius=0.1, width=body.width + 0.5, height=body.height + 0.3
            ).set_stroke(palette.DIM_TEXT, 1.5)
            cards.add(VGroup(frame.move_to(body), body))
        width = max(c.width for c in cards)
        for card in cards:
            card[0].stretch_to_fit_width(width)
            card[1].align_to(card[0], LEFT).shift(RIGHT * 0.25)
        cards.arrange(DOWN, buff=0.12)
        more = dots(DOWN, size=0.05, gap=0.14).next_to(cards, DOWN, buff=0.15)
        stack = VGroup(cards, more).move_to(self.stage.center + LEFT * 0.8)
        if stack.height > 5.6:
            stack.scale_to_fit_height(5.6)
        brace = CountBrace(stack, d.n_heads, RIGHT, "heads", font_size=palette.HEADLINE)
        self.play(FadeIn(cards, lag_ratio=0.2), run_time=2)
        self.play(FadeIn(more), brace.count_up())
        self.heads_figure = brace.figure
        self.caption(
            f"{len(t.heads)} designed heads shown; a GPT-3 layer has {d.n_heads}.", wait=2.5
        )
        self.clear_content()

    def different_patterns(self) -> None:
        t = self.trace
        self.alike = alike = most_alike(t.heads)
        said, caption = alike_said(alike, t.n, len(t.heads))
        self.beat(
            "patterns",
            f"Here are the patterns of all {len(t.heads)} heads on “{t.sentence}”, keys down, "
            f"queries across. {said}",
        )
        self.heading("Each head's own pattern")
        shown = thumbnail_positions(t.n)
        # one row as wide as the frame: two rows would leave each pattern smaller still
        room = self.stage.width - 2 * THUMBNAIL_MARGIN - keys_name().width - KEYS_BUFF
        side = min(THUMBNAIL_MAX, (room - THUMBNAIL_GAP * (len(t.heads) - 1)) / len(t.heads))
        self.minis = VGroup(
            *(
                MiniPattern(
                    h.pattern,
                    h.mask,
                    side=side,
                    title=h.name,
                    font_size=palette.NOTE,
                    positions=shown,
                    sink=h.sink if h.has_sink else None,
                )
                for h in t.heads
            )
        ).arrange(RIGHT, buff=THUMBNAIL_GAP, aligned_edge=DOWN)
        named = self._strongest_dots(shown)
        legend = literal(
            wrap(patterns_key(t, shown), palette.LABEL, room),
            font_size=palette.LABEL,
            color=palette.DIM_TEXT,
            line_spacing=0.8,
        )
        if legend.width > room:
            legend.scale_to_fit_width(room)
        axes = axis_names(self.minis[0])
        for mini, (label, _) in zip(self.minis, named):  # under each, below "queries →"
            label.next_to(mini, DOWN, buff=0.2 + axes[1].height)
        labels = VGroup(*(label for label, _ in named))
        VGroup(VGroup(self.minis, axes, labels), legend).arrange(DOWN, buff=0.4)
        whole = VGroup(self.minis, axes, labels, legend)
        whole.scale_to_fit_height(min(whole.height, self.stage.height - 0.2))
        whole.move_to(self.stage.center)
        VGroup(self.minis, legend, axes, labels).set_x(self.stage.center[0])  # "keys" inside
        rings = VGroup(*(ring() for _, ring in named if ring is not None))  # as laid out
        self.minis_legend = legend
        self.play(FadeIn(self.minis, lag_ratio=0.3), FadeIn(legend), FadeIn(axes), run_time=2.5)
        self.play(FadeIn(labels), *(Create(ring) for ring in rings), run_time=1.0)
        self.caption(caption, wait=3)
        self.clear_content()

    def _strongest_dots(self, shown) -> list[tuple[VGroup, Callable[[], Circle] | None]]:
        """Under each small pattern, the words of its strongest drawn link to an earlier
        token (:func:`strongest_drawn`), and what draws a ring round that dot once the
        patterns are in place (or a note that it has none of 0.20 or more)."""
        t, named = self.trace, []
        for head, mini in zip(t.heads, self.minis):
            link = strongest_drawn(head, shown)
            if link is None:
                text, ring = "none ≥ 0.20", None
            else:
                text = f"{t.words[link.key]} → {t.words[link.query]} {link.weight:.2f}"
                ring = partial(ring_round, mini, link.key, link.query, link.weight)
            label = literal(text, font_size=palette.NOTE, color=palette.QUERY)
            label.scale_to_fit_width(min(label.width, mini.cells.width))  # apart from the next
            named.append((VGroup(label), ring))
        return named

    def sum_of_changes(self) -> None:
        t = self.trace
        shown = changes_of_every_head(t)
        j = self.focus = shown.token
        self.beat("sum", shown.narration)
        start = self.time
        self.heading(f"All heads update {quoted(t, j)}")
        row, parts = self._sum_row(shown)
        # each column's length under its label, one row
        lengths = VGroup(
            literal(text, font_size=palette.LABEL, color=palette.DIM_TEXT).next_to(
                column, DOWN, buff=0.12
            )
            for text, column in zip(shown.lengths, parts, strict=True)
        )
        low = min(mark.get_y() for mark in lengths)
        for mark in lengths:
            mark.set_y(low)
        formula = colored(
            "{{ E : e }} + sum_h {{ Delta E^((h)) : delta }} = {{ E' : eprime }}",
            font_size=palette.PROMINENT,
        ).next_to(lengths, DOWN, buff=0.4)
        # E and the heads' changes while their proposing is said, quickly: the lengths
        # under them come with the words that say what they are
        self.play(parts[0].create(), run_time=0.5)
        self.play(
            LaggedStart(
                *(
                    AnimationGroup(FadeIn(row[2 * k - 1]), parts[k].create())
                    for k in range(1, len(parts) - 1)
                ),
                lag_ratio=0.4,
            ),
            run_time=1.6,
        )
        self.until_said("lengths")
        self.play(FadeIn(lengths[:-1]), run_time=0.6)
        self.lengths_shown = (start, self.time)  # the beat's start, the lengths' arrival
        self.caption(shown.caption)
        self.until_said("added")
        self.play(FadeIn(row[-2]), parts[-1].create(), FadeIn(lengths[-1]), run_time=0.8)
        self.play(Write(formula))
        self.sum_columns = parts
        self.sum_lengths = lengths

    def _sum_row(self, shown) -> tuple[VGroup, list[EmbeddingColumn]]:
        """E + ΔE⁽¹⁾ + ... = E′ of the noun, laid out in a row (columns and signs) in the
        stage, and its columns: the terms rounded so that each row adds up as drawn."""
        drawn = equation_entries([v for v, _, _ in shown.columns[:-1]], COLUMN_ROWS, 1)
        scale = color_scale(self.trace.E[shown.token])
        parts = [
            EmbeddingColumn(
                vector,
                COLUMN_ROWS,
                font_size=palette.HEADING,
                scale=scale,
                bracket_color=bracket,
                label=label,
                drawn=entries,
            )
            for (vector, bracket, label), entries in zip(shown.columns, drawn, strict=True)
        ]
        signs = ["+"] * (len(parts) - 2) + ["="]
        row = VGroup()
        for k, column in enumerate(parts):
            row.add(column)
            if k < len(signs):
                row.add(literal(signs[k], font_size=palette.HEADLINE, color=palette.DIM_TEXT))
        row.arrange(RIGHT, buff=0.25)
        for sign in row[1::2]:
            sign.set_y(parts[0].get_brackets().get_y())
        if row.width > 13.2:
            row.scale_to_fit_width(13.2)
        row.move_to(self.stage.center + UP * 0.2)
        return row, parts
