"""Chapter 12: the ending. What this example's head did, in the trace's own numbers, then
the references and the example that was rendered.

    manim -pql scenes/ch12_ending.py Ending
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    GrowFromEdge,
    LaggedStart,
    Line,
    Rectangle,
    VGroup,
    VMobject,
)

from scenes.components import palette
from scenes.components.attention_grid import AttentionGrid, focus_showing
from scenes.components.entries import fixed
from scenes.components.fade_in_place import FadeOutInPlace
from scenes.components.labels import literal
from scenes.components.parameter_counter import grouped
from scenes.focus import modifiers, own_adjectives, quote, quoted
from scenes.lesson import Lesson
from scenes.order import CHAPTERS

HEAD = "adjective-noun"
QUERY_ROLES = ("noun", "propn")  # the lesson's head asks its question from nouns
MIN_WEIGHT = 0.2  # a key counts as "attended to" from this weight on
MAX_ROWS = 5  # most relations listed beside the grid
GRID_TOKENS = 10  # most tokens of the head's grid: a window of a longer sentence, whose
# rows stay tall enough to read (14 made cells twice as wide as tall)
REFERENCES = (
    (
        "Attention Is All You Need",
        "Vaswani, Shazeer, Parmar, Uszkoreit, Jones, Gomez, Kaiser, Polosukhin (2017)",
    ),
    (
        "Language Models are Few-Shot Learners",
        "Brown et al. (2020): GPT-3, whose sizes every count here uses",
    ),
    (
        "A Mathematical Framework for Transformer Circuits",
        "Elhage et al. (2021): value and output maps as low-rank products",
    ),
    (
        "Attention in transformers, visually explained",
        "Grant Sanderson, 3Blue1Brown (2024): the lesson this video re-creates",
    ),
)


@dataclass(frozen=True)
class Relation:
    """Query token ``query`` took ``weights`` of its attention from tokens ``keys``;
    ``kind`` is "adjectives" (the keys are the adjectives the parser found modifying the
    query) or "earlier" (no noun of the sentence has one: its strongest earlier tokens)."""

    query: int
    keys: tuple[int, ...]
    weights: tuple[float, ...]
    kind: str

    @property
    def total(self) -> float:
        return float(sum(self.weights))

    @property
    def written(self) -> tuple[str, ...]:
        """The weights as written, each rounded plainly to two decimals: no sum of them
        is drawn or said, so none has to add up."""
        return tuple(fixed(w, 2) for w in self.weights)


def head_summary(trace, head) -> list[Relation]:
    """What the adjective head did, one relation per query, strongest first.

    Each noun with adjectives of its own (as the parser found them) and the weight it
    gave each of them. A sentence without such a noun has nothing the head was built to
    find: then each noun (or, without nouns, each token after the first) with the earlier
    tokens it gave at least ``MIN_WEIGHT`` (its strongest earlier token if none does); a
    single token, itself."""
    pattern = head.pattern  # (query, key)

    def relation(j: int, keys: list[int], kind: str) -> Relation:
        keys = sorted(keys, key=lambda i: (-pattern[j, i], i))
        return Relation(j, tuple(keys), tuple(float(pattern[j, i]) for i in keys), kind)

    described = sorted({noun for _, noun in modifiers(trace)})
    relations = [
        relation(j, own_adjectives(trace, j), "adjectives")
        for j in described
        if own_adjectives(trace, j)
    ]
    if not relations:
        nouns = [j for j, tok in enumerate(trace.tokens) if tok.role in QUERY_ROLES and j > 0]
        for j in nouns or list(range(1, trace.n)):
            earlier = [i for i in range(j) if pattern[j, i] >= MIN_WEIGHT]
            relations.append(relation(j, earlier or [int(np.argmax(pattern[j, :j]))], "earlier"))
    if not relations:
        relations = [relation(0, [0], "earlier")]
    relations.sort(key=lambda r: (-r.total, r.query))
    return relations


def listed(relations: list[Relation], shown, most: int = MAX_ROWS) -> tuple[list[Relation], int]:
    """The relations to list beside a grid that shows the (key, query) cells ``shown``:
    those whose cells it shows first, then the others, each group in the order given; at
    most ``most``. Also how many are left out."""
    inside = [r for r in relations if all((i, r.query) in shown for i in r.keys)]
    chosen = (inside + [r for r in relations if r not in inside])[:most]
    return chosen, len(relations) - len(chosen)


def summary_narration(trace, head, relations: list[Relation], shown=None) -> str:
    """What the head did, said from ``relations`` (:func:`head_summary`): "did what it was
    built for" only when every noun shown gave its own adjectives half its attention or
    more. The relation quoted is the first whose cells are all among the (key, query)
    cells ``shown`` by the grid (default: the first)."""
    first = next(
        (r for r in relations if shown is None or all((i, r.query) in shown for i in r.keys)),
        relations[0],
    )
    said = " and ".join(
        f"{w} to {quoted(trace, i)}" for i, w in zip(first.keys, first.written, strict=True)
    )
    opening = f"On {quote(trace.sentence)}, the {head.name} head"
    if first.keys == (first.query,):
        return f"{opening} had a single token: {quoted(trace, 0)} gives {said}, itself."
    if first.kind == "earlier":
        return (
            f"{opening} found no adjective to look for: the parser found none modifying a "
            f"noun. Instead {quoted(trace, first.query)} gave {said}"
            + (
                ", its strongest earlier token."
                if len(first.keys) == 1
                else f", each {MIN_WEIGHT:.2f} or more."
            )
        )
    held = sum(r.total >= 0.5 for r in relations)
    if held == len(relations):
        verdict = "did what it was built for: every noun listed gives its own adjectives "
        verdict += "half its attention or more"
    else:
        verdict = (
            f"found its adjectives in part: {held} of the {len(relations)} nouns listed give "
            "their own adjectives half their attention or more"
        )
    return f"{opening} {verdict}. {quoted(trace, first.query)} gave {said}."


MODEL_NAMES = {"gpt3": "GPT-3", "gpt2-small": "GPT-2 small"}  # dims presets, as people say them
CARD_WIDTH = 12.5  # widest line of the closing card
GRID_WIDTH = 5.6  # most width of the head's grid; the list of relations takes the rest


def centred_lines(lines: list[str], font_size: float, color=palette.TEXT) -> VGroup:
    """Lines of text one under another, each centred."""
    return VGroup(*(literal(x, font_size=font_size, color=color) for x in lines)).arrange(
        DOWN, buff=0.12
    )


class Ending(Lesson):
    number = 12
    title = "Ending"

    def construct(self) -> None:
        self.title_card("What the head did, and where to read more")
        self.what_we_covered()
        self.what_the_head_did()
        self.how_far_it_moved()
        self.references()
        self.this_example()

    def what_we_covered(self) -> None:
        chapters = [c for c in CHAPTERS if c.number <= self.number]
        self.beat(
            "what-we-covered",
            f"{len(chapters)} chapters: from embeddings and the attention pattern through "
            "values, parameter counts and many heads, to the layers stacked above. A bonus "
            "chapter follows: what a real model's heads do with the same sentence.",
        )
        self.heading("What we covered")
        items = []
        for c in chapters:  # numbers right-aligned, titles on one left edge
            num = literal(f"{c.number}", font_size=palette.HEADLINE, color=palette.QUERY)
            title = literal(c.title, font_size=palette.HEADLINE).next_to(num, RIGHT, buff=0.25)
            num.shift(RIGHT * (0.4 - num.get_right()[0]))
            title.shift(RIGHT * (0.65 - title.get_left()[0]))
            items.append(VGroup(num, title))
        half = (len(items) + 1) // 2
        step = max(item.get_right()[0] for item in items[:half]) + 1.2  # column 2's offset
        for k, item in enumerate(items):  # two columns, rows 0.6 apart
            item.shift(RIGHT * (k // half) * step + DOWN * (k % half) * 0.6)
        columns = VGroup(*items)
        columns.move_to(self.stage.center + UP * 0.3)
        self.play(LaggedStart(*(FadeIn(i, shift=RIGHT * 0.2) for i in items), lag_ratio=0.25))
        self.caption(
            f"The {len(chapters)} chapters of the lesson; a bonus chapter shows what a real "
            "model's heads do with the same sentence.",
            wait=2,
        )
        self.shown = columns

    def what_the_head_did(self) -> None:
        t = self.trace
        head = t.head(HEAD)
        self.head = head
        relations = head_summary(t, head)
        # the window of the grid that shows most of the links
        cells = [(i, r.query) for r in relations for i in r.keys]
        focus = focus_showing(t.n, GRID_TOKENS, cells)
        grid = AttentionGrid.from_head(
            head,
            t.words,
            max_width=GRID_WIDTH,
            max_height=self.stage.height,
            max_tokens=GRID_TOKENS,
            focus=focus,
            legend=True,
        )
        shown = set(grid.shown_cells())
        self.relations, self.left_out = listed(relations, shown)
        said = summary_narration(t, head, self.relations, shown)
        self.beat("what-the-head-did", said)
        self._put_away()
        self.heading(f"{head.name} head, on this sentence")
        self.stage.place(grid, LEFT, buff=0.4).set_y(self.stage.center[1])
        rows, legend = self._relation_rows()
        side = VGroup(rows, legend).arrange(DOWN, aligned_edge=LEFT, buff=0.4)
        room = self.stage.height - 0.3
        if side.height > room:  # many nouns with several adjectives each
            side.scale_to_fit_height(room)
        left = grid.get_right()[0] + 0.8
        side.move_to([(left + self.stage.right - 0.3) / 2, self.stage.center[1], 0])
        self.play(grid.create())
        self.play(grid.dots())
        # the list with what the narration says of it, after the sentence is named
        opening = f", the {head.name} head "
        self.until_said(said[said.index(opening) + len(opening) :][:24])
        for rel, row in zip(self.relations, rows, strict=True):
            marks = [
                grid.highlight_cell(i, rel.query)
                for i in rel.keys
                if (i, rel.query) in grid.shown_cells()
            ]
            self.play(FadeIn(row, shift=RIGHT * 0.2), *marks, run_time=1.0)
        self.play(FadeIn(legend))
        self.caption(self._listed_caption(shown), wait=2)
        self.grid = grid
        self.rows = rows
        self.shown = VGroup(grid, side)

    def _listed_caption(self, shown) -> str:
        """What the list beside the grid (whose cells are ``shown``) holds, which of its
        nouns the grid's window leaves out, and how many nouns the list leaves out."""
        t = self.trace
        adjectives = self.relations[0].kind == "adjectives"
        outside = [  # the listed links whose cell the window leaves out, named as pairs
            f"{quoted(t, i)} \u2192 {quoted(t, rel.query)}"
            for rel in self.relations
            for i in rel.keys
            if (i, rel.query) not in shown
        ]
        where = f" ({', '.join(outside)}: outside this window of the grid)" if outside else ""
        cut = ""
        if self.left_out:
            kind = "noun with adjectives" if adjectives else "word"
            cut = f"; {self.left_out} more {kind}{'s' if self.left_out > 1 else ''} not listed"
        return (
            "Marked cells, listed on the right: "
            + (
                "each noun and its own adjectives"
                if adjectives
                else "each word and its strongest earlier tokens"
            )
            + f"{where}{cut}."
        )

    def _put_away(self) -> None:
        """Fade out the previous beat's picture and caption as the next beat starts: a
        beat's subtitle cues share its whole time, so the picture stays until they end."""
        self.play(FadeOutInPlace(self.shown), *self.caption_leaving(), run_time=0.6)
        self.shown = None

    def _relation_rows(self) -> tuple[VGroup, VMobject]:
        """One row per listed relation, "word ← key 0.97", their arrows in one column, and
        a line saying what the rows are."""
        words, roles = self.trace.words, [tok.role for tok in self.trace.tokens]
        rows = VGroup()
        for rel in self.relations:
            query = literal(
                words[rel.query], font_size=palette.LARGE, color=palette.role_tint(roles[rel.query])
            )
            arrow = literal("←", font_size=palette.LARGE, color=palette.DIM_TEXT)
            parts = VGroup(
                *(
                    VGroup(
                        literal(
                            words[i], font_size=palette.LARGE, color=palette.role_tint(roles[i])
                        ),
                        literal(w, font_size=palette.BODY, color=palette.QUERY, mono=True),
                    ).arrange(RIGHT, buff=0.15)
                    for i, w in zip(rel.keys, rel.written, strict=True)
                )
            ).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            rows.add(VGroup(query, arrow, parts).arrange(RIGHT, buff=0.3, aligned_edge=UP))
        rows.arrange(DOWN, aligned_edge=LEFT, buff=0.5)
        for row in rows:  # one arrow column
            row.shift(RIGHT * (rows[0][1].get_x() - row[1].get_x()))
        legend = literal(
            "noun ← its own adjectives"
            if self.relations[0].kind == "adjectives"
            else "word ← its strongest earlier tokens",
            font_size=palette.SMALL,
            color=palette.DIM_TEXT,
        )
        return rows, legend

    def how_far_it_moved(self) -> None:
        t = self.trace
        j = self.relations[0].query
        word = t.words[j]
        norms = {
            "E": float(np.linalg.norm(t.E[j])),
            "head": float(np.linalg.norm(self.head.delta_E[j])),
            "all": float(np.linalg.norm(t.delta_E[j])),
            "E_prime": float(np.linalg.norm(t.E_prime[j])),
        }
        self.norms = norms
        self.beat(
            "how-far",
            f"That head alone moved “{word}” by a ΔE of length {norms['head']:.1f}; all "
            f"{len(t.heads)} designed heads together by {norms['all']:.1f}, against an "
            f"embedding of length {norms['E']:.1f}. "
            + (f"Every one of the {t.n} tokens" if t.n > 1 else "The one token")
            + " became E′ = E + ΔE.",
        )
        self._put_away()
        self.heading(f"How far “{word}” moved")
        rows = [
            ("|E|", norms["E"], palette.EMBEDDING, "the embedding it started with"),
            ("|ΔE|", norms["head"], palette.DELTA, f"added by the {self.head.name} head"),
            ("|ΔE|", norms["all"], palette.DELTA, f"added by all {len(t.heads)} heads"),
            ("|E′|", norms["E_prime"], palette.UPDATED, "the updated embedding E′ = E + ΔE"),
        ]
        unit = 6.0 / max(v for _, v, _, _ in rows)
        bars = VGroup()
        for name, value, color, caption in rows:
            bar = Rectangle(width=max(value * unit, 0.02), height=0.5, stroke_width=0)
            bar.set_fill(color, 0.8)
            label = literal(name, font_size=palette.LARGE, color=color)
            amount = literal(f"{value:.1f}", font_size=palette.HEADING, mono=True)
            note = literal(caption, font_size=palette.LABEL, color=palette.DIM_TEXT)
            label.next_to(bar, LEFT, buff=0.3)
            amount.next_to(bar, RIGHT, buff=0.2)
            note.next_to(bar, DOWN, buff=0.1, aligned_edge=LEFT)
            bars.add(VGroup(bar, label, amount, note))
        bars.arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        for group in bars:  # bars start at one x
            group.shift(RIGHT * (bars[0][0].get_left()[0] - group[0].get_left()[0]))
        bars.move_to(self.stage.center)
        for group in bars:
            self.play(
                GrowFromEdge(group[0], LEFT),
                FadeIn(VGroup(*group[1:])),
                run_time=1.0,
            )
        self.caption(
            f"Bars to scale: one head moved “{word}” by {norms['head']:.1f}, all "
            f"{len(t.heads)} heads by {norms['all']:.1f}; its embedding is {norms['E']:.1f} long.",
            wait=2,
        )
        self.bars = bars
        self.shown = bars

    def references(self) -> None:
        self.beat(
            "references",
            "To read further: the paper that introduced the transformer, the GPT-3 paper "
            "whose sizes we counted, a framework for reading heads as circuits, and Grant "
            "Sanderson's 3Blue1Brown lesson that this video re-creates.",
        )
        self._put_away()
        self.heading("References")
        entries = VGroup(
            *(
                VGroup(
                    literal(title, font_size=palette.HEADLINE),
                    literal(detail, font_size=palette.BODY, color=palette.DIM_TEXT),
                ).arrange(DOWN, aligned_edge=LEFT, buff=0.12)
                for title, detail in REFERENCES
            )
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        if entries.width > self.stage.width - 0.6:
            entries.scale_to_fit_width(self.stage.width - 0.6)
        entries.move_to(self.stage.center)
        for entry in entries:
            self.play(FadeIn(entry, shift=UP * 0.15), run_time=0.8)
            self.wait(1.2)
        self.caption(f"{len(REFERENCES)} places to read further.", wait=1.5)
        self.shown = entries

    def this_example(self) -> None:
        t = self.trace
        d = t.dims
        self.beat(
            "this-example",
            f"This video was rendered for “{t.sentence}”, with seed {t.seed}: "
            f"{d.d_model:,}-dimensional embeddings, {d.d_head}-dimensional queries and keys, "
            "and every number on screen computed, from this sentence and the lesson's own "
            "supporting examples; only the layers above the first were drawn as a sketch.",
        )
        self._put_away()
        self.heading("This video")
        title = literal(t.title, font_size=palette.DISPLAY)
        if title.width > CARD_WIDTH:  # a long sentence typed in (its own title): in lines
            title = centred_lines(textwrap.wrap(t.title, 48), palette.LARGE)
        parts = [
            literal("This video's example", font_size=palette.HEADING, color=palette.DIM_TEXT),
            title,
        ]
        if t.sentence != t.title:  # a sentence typed in is its own title
            parts.append(centred_lines(textwrap.wrap(t.sentence, 56), palette.LARGE))
        parts += [
            Line(LEFT * 3, RIGHT * 3, stroke_width=1.5, color=palette.DIM_TEXT),
            literal(
                f"sizes of {MODEL_NAMES.get(d.name, d.name)}: embeddings of {grouped(d.d_model)} "
                f"numbers, queries and keys of {d.d_head}; seed {t.seed}",
                font_size=palette.BODY,
                color=palette.DIM_TEXT,
            ),
            literal(
                "every number, dot and arrow computed",
                font_size=palette.HEADING,
                color=palette.UPDATED,
            ),
            centred_lines(
                [
                    "from this sentence and the lesson's supporting examples;",
                    "the layers above the first are schematic",
                ],
                palette.BODY,
                palette.DIM_TEXT,
            ),
        ]
        card = VGroup(*parts).arrange(DOWN, buff=0.35)
        for line in card:
            if line.width > CARD_WIDTH:
                line.scale_to_fit_width(CARD_WIDTH)
        if card.height > self.stage.height:
            card.scale_to_fit_height(self.stage.height)
        card.move_to(self.stage.center)
        self.play(FadeIn(card, shift=UP * 0.2), run_time=1.5)
        self.card = card
        self.caption(
            'Your own sentence: ./render.sh --sentence "…" renders the whole lesson for it.',
            wait=3,
        )
