"""Chapter 2: why attention? Words update each other's meaning.

Adjectives and nouns of the example sentence, arrows from each adjective to the noun
it describes (drawn only where the computed pattern says so), the mystery novel
whose last word gathers context from the whole passage, and a preview of every
embedding E_i becoming E'_i.

    manim -pql scenes/ch02_motivating_examples.py MotivatingExamples
"""

from __future__ import annotations

import numpy as np
from manim import (
    DOWN,
    RIGHT,
    UP,
    Arrow,
    Create,
    FadeIn,
    GrowArrow,
    ReplacementTransform,
    SurroundingRectangle,
    VGroup,
    Write,
)

from scenes.components import palette
from scenes.components.context_arcs import ContextArcs
from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.entries import fixed
from scenes.components.labels import literal
from scenes.components.speech_bubble import SpeechBubble
from scenes.components.token_row import TokenParagraph, TokenRow
from scenes.focus import (
    ADJECTIVES,
    NOUNS,
    links,
    main_link,
    modifiers,
    percent,
    plural,
    quoted,
    roles,
)
from scenes.lesson import Lesson

MYSTERY_HEAD = "subject-verb"  # the last word of the passage, "was", asks who did it
MAX_COLUMNS = 8
LINK_WEIGHT = 0.2  # a verb's link to its subject drawn across the mystery passage
NAMED_WEIGHT = 0.05  # the mystery beat names the (up to 3) earlier tokens with this much
NBSP = "\u00a0"  # a caption keeps a word and its weight ("butler 0.94") on one line


def weighed(trace, i: int, weight: float) -> str:
    """A token and a weight as a caption writes them, never broken between the two:
    “butler” 0.94."""
    return f"{quoted(trace, i)}{NBSP}{weight:.2f}"


def hides_a_change(trace, shown, rows=(0, 1, 2, -1)) -> bool:
    """Whether a drawn entry (``rows`` of the ``shown`` tokens' columns) prints the same,
    at one decimal, in E and in E′: a change too small to show."""
    return any(
        fixed(trace.E[i][k], 1) == fixed(trace.E_prime[i][k], 1) for i in shown for k in rows
    )


def updates_said(trace, arcs) -> str:
    """The arcs drawn, in words: each query and the earlier tokens its arcs come from."""
    queries = sorted({j for _, j in arcs.pairs()})
    if queries:  # every arc drawn is named: each earlier token with 0.20 or more
        return "; ".join(
            f"{quoted(trace, j)} gives "
            + " and ".join(
                f"{percent(arcs.weight(i, j))}"
                + (" of its attention" if k == 0 else "")
                + f" to {quoted(trace, i)}"
                for k, i in enumerate(sorted(i for i, q in arcs.pairs() if q == j))
            )
            for j in queries
        )
    if trace.n == 1:
        return "with a single token there is nothing earlier to take meaning from"
    return "no token gives as much as 20% of its attention to an earlier one"


def arrows_into(trace, arcs, j: int) -> str:
    """The caption of query ``j``'s arrows: each earlier token drawn into it with its
    weight, in the sentence's order, as the narration names them:
    “creature” ← “fluffy” 0.39, “blue” 0.52."""
    keys = sorted(i for i, q in arcs.pairs() if q == j)
    return f"{quoted(trace, j)} \u2190 " + ", ".join(
        weighed(trace, i, arcs.weight(i, j)) for i in keys
    )


def no_arrows_caption(trace, focus) -> str:
    """What a view without arrows says instead: the lesson's strongest link (``focus``)."""
    if focus.kind == "self":
        return f"A single token attends only to itself ({focus.weight:.2f})."
    if focus.kind == "adjective-noun":
        return (
            f"No arrow reaches 0.20: {quoted(trace, focus.key)} \u2192 "
            f"{quoted(trace, focus.query)}, an adjective and its noun, carries "
            f"{focus.weight:.2f}."
        )
    return (
        f"Strongest link to an earlier token: {quoted(trace, focus.key)} \u2192 "
        f"{quoted(trace, focus.query)}, {focus.weight:.2f}."
    )


def updated_most(trace, change: np.ndarray, shown=None) -> str:
    """A sentence on who changes more, said only when the numbers on screen say it:
    among the ``shown`` tokens (default all), every noun with an adjective and every verb
    with a subject (the words the heads are built to update) changes more than any
    adjective, which has nothing to look for; the largest such adjective's change quoted."""
    seen = range(trace.n) if shown is None else sorted(shown)
    kinds = ("modifies", "subject-of")
    links = [r for r in trace.relations if r.kind in kinds and r.target in seen]
    updated = sorted({r.target for r in links})
    adjectives = [i for i in seen if trace.tokens[i].role == "adj" and i not in updated]
    if not updated or not adjectives or change[updated].min() <= change[adjectives].max():
        return ""
    named = {"modifies": "every noun with an adjective", "subject-of": "every verb with a subject"}
    said = [named[kind] for kind in kinds if any(r.kind == kind for r in links)]
    largest = max(adjectives, key=lambda i: change[i])
    among = "Among these columns, e" if len(seen) < trace.n else "E"
    return (
        f" {among}{' and '.join(said)[1:]} changes more than any adjective (at most "
        f"|\u0394E| = {change[largest]:.0f}): the heads update the words that have something "
        "to find."
    )


def change_sizes(change: np.ndarray, columns: dict, name) -> VGroup:
    """|ΔE| of each token under its column (``columns``: token -> its E′ column), and
    "|ΔE|" on their line, under the columns' ``name``."""
    sizes = VGroup(
        *(
            literal(f"{change[i]:.0f}", font_size=palette.SMALL, color=palette.DELTA).next_to(
                column, DOWN, buff=0.12
            )
            for i, column in columns.items()
        )
    )
    label = literal("|\u0394E|", font_size=palette.SMALL, color=palette.DELTA)
    return sizes.add(label.next_to(name, DOWN, buff=0.2).set_y(sizes[0].get_y()))


def brightest_before(trace, weights: np.ndarray) -> tuple[list[int], str, str]:
    """The last token's brightest earlier tokens (up to 3 of at least ``NAMED_WEIGHT``,
    else the brightest one) by ``weights`` (its row of the pattern), named with their
    weights, and how far back the brightest sits."""
    last = trace.n - 1
    top = [int(i) for i in np.argsort(weights[:last], kind="stable")[::-1][:3]]
    top = [i for i in top if weights[i] >= NAMED_WEIGHT] or top[:1]
    named = ", ".join(f"{quoted(trace, i)} {weights[i]:.2f}" for i in top)
    back = last - top[0]
    return top, named, "right before it" if back == 1 else f"{back} tokens back"


def subject_links(trace, head) -> list[tuple[int, int, float]]:
    """(subject, verb, weight) of every verb before the last token that ``head`` links to
    its subject with at least ``LINK_WEIGHT``: the same head across the passage."""
    last = trace.n - 1
    return [
        (r.source, r.target, float(head.pattern[r.target, r.source]))
        for r in trace.relations
        if r.kind == "subject-of"
        and r.target != last
        and head.pattern[r.target, r.source] >= LINK_WEIGHT
    ]


def passage_of(trace) -> TokenParagraph:
    """The trace's words as a paragraph, with room between its lines for a weight under
    a word."""
    return TokenParagraph(
        trace.words, roles(trace), width=12.6, font_size=palette.LARGE, line_buff=0.6
    )


def weighed_box(passage: TokenParagraph, i: int, weight: float, color) -> VGroup:
    """A frame round token ``i`` of ``passage`` and ``weight`` written under it."""
    box = passage.get_box(i)
    frame = SurroundingRectangle(box, color=color, buff=0.04, stroke_width=3)
    label = literal(fixed(weight, 2), font_size=palette.LABEL, color=color)
    return VGroup(frame, label.next_to(box, DOWN, buff=0.05))


def linked_pair(passage: TokenParagraph, trace, subject: int, verb: int, weight: float):
    """A verb and its subject framed in the passage, "← butler 0.94" under the verb:
    (subject frame, verb frame, label)."""
    frames = [
        SurroundingRectangle(passage.get_box(i), color=palette.VERB, buff=0.04, stroke_width=3)
        for i in (subject, verb)
    ]
    label = literal(
        f"\u2190 {trace.words[subject]} {fixed(weight, 2)}",
        font_size=palette.LABEL,
        color=palette.VERB,
    ).next_to(passage.get_box(verb), DOWN, buff=0.05)
    return VGroup(*frames, label)


class MotivatingExamples(Lesson):
    number = 2
    title = "Motivating examples"

    def construct(self) -> None:
        self.title_card()
        self.sentence()
        self.adjectives_update_nouns()
        self.mystery_novel()
        self.preview_updates()

    # -- beats -----------------------------------------------------------------------
    def sentence(self) -> None:
        t = self.trace
        r = roles(t)
        n_adj = sum(role in ADJECTIVES for role in r)
        n_noun = sum(role in NOUNS for role in r)
        self.beat(
            "sentence",
            f"Our sentence has {plural(n_adj, 'adjective')} and {plural(n_noun, 'noun')}; "
            "an adjective should change what its noun means. The adjectives are marked in "
            "green, the nouns in blue.",
        )
        self.heading("Words that describe other words")
        self.head = t.head("adjective-noun")
        self.focus = main_link(t, self.head)
        # a long sentence may shrink to LABEL size before it shows a window
        # a window shows as many whole adjective -> noun pairs as it can
        pairs = modifiers(t)
        fit = {
            "font_size": palette.PROMINENT,
            "focus": self.focus.query,
            "min_scale": 0.65,
            "pairs": pairs,
        }
        plain = TokenRow(t.words, **fit)
        plain.move_to(self.stage.center + DOWN * 0.7)
        self.row = TokenRow(t.words, r, **fit)
        shown = set(self.row.shown)
        if not {self.focus.key, self.focus.query} <= shown:  # the window chose other pairs
            inside = [link for link in links(t, self.head) if {link.key, link.query} <= shown]
            if inside:
                self.focus = max(inside, key=lambda link: link.weight)
        self.row.move_to(plain)
        shown_adj = [i for i in self.row.shown if r[i] in ADJECTIVES]
        shown_noun = [i for i in self.row.shown if r[i] in NOUNS]
        said = f"Green: {plural(n_adj, 'adjective')}. Blue: {plural(n_noun, 'noun')}."
        if not self.row.windowed:
            self.play(plain.create())
            self.wait(0.8)
            self.play(ReplacementTransform(plain, self.row), run_time=1.2)
            self.play(self.row.highlight(shown_adj, palette.ADJECTIVE))
            self.play(self.row.highlight(shown_noun, palette.NOUN))
            self.caption(said, wait=2.0)
            return
        # too long for one row: the whole sentence in lines, the view the arcs are drawn on
        self.lines = lines = self._sentence_in_lines()
        self.play(lines.create(), run_time=2.0)
        for kinds, color in ((ADJECTIVES, palette.ADJECTIVE), (NOUNS, palette.NOUN)):
            self.play(lines.highlight([i for i in lines.shown if r[i] in kinds], color))
        self.caption(said, wait=2.0)

    def adjectives_update_nouns(self) -> None:
        t = self.trace
        view = self.row if not self.row.windowed else self.lines
        found = [link for link in links(t, self.head) if {link.key, link.query} <= set(view.shown)]
        queries = sorted({link.query for link in found})
        # each weight stands over its arc's apex; an arc over another is raised to
        # leave room for the inner arc's weight; arcs stay within a line
        sample = literal("0.00", font_size=palette.LABEL)
        pattern = np.array(  # arcs stay within a line (a row is one line)
            [
                [w if view.same_line(i, j) else 0.0 for i, w in enumerate(row)]
                for j, row in enumerate(self.head.pattern)
            ]
        )
        self.arcs = arcs = ContextArcs.over_row(
            view,
            pattern,
            queries,
            min_weight=0.2,
            label_room=sample.height + 0.2,
            label_width=sample.width + 0.1,
            max_height=None if view is self.row else 0.5,  # in lines: under the line above
        )
        said = f"In the computed pattern, {updates_said(t, arcs)}."
        self.beat("adjectives update nouns", said)
        self.heading("Who updates whom")
        if not arcs.pairs():
            if view is self.row:
                self.play(self.row.dim_except([], opacity=0.5), run_time=1.5)
                self.play(self.row.restore(), run_time=1.5)
            self.caption(no_arrows_caption(t, self.focus), wait=3.0)
        else:
            self._arrows_noun_by_noun(view)
        self.clear_content()

    def _arrows_noun_by_noun(self, view) -> None:
        """Each noun's arrows, with their weights and a caption naming them, drawn as the
        narration's cue of that noun's clause shows (:meth:`until_said`), the noun framed
        in the arrows' colour."""
        t, arcs = self.trace, self.arcs
        legend = literal(
            "arrow: 0.20 or more of a noun's attention; thicker = more",
            font_size=palette.SMALL,
            color=palette.DIM_TEXT,
        ).next_to(view, DOWN, buff=0.4)
        weights = {  # each weight over its arc's apex
            (i, j): literal(
                fixed(arcs.weight(i, j), 2), font_size=palette.LABEL, color=palette.QUERY
            )
            .next_to(arcs.apex(i, j), UP, buff=0.08)
            .add_background_rectangle(opacity=0.85, buff=0.04)
            for i, j in arcs.pairs()
        }
        before = None
        for j in sorted({j for _, j in arcs.pairs()}):
            self.until_said(f"{quoted(t, j)} gives")
            keys = sorted((i for i, q in arcs.pairs() if q == j), key=lambda i: arcs.weight(i, j))
            anims = [Write(arcs.get_arc(i, j)) for i in keys] + [
                FadeIn(VGroup(*(weights[i, j] for i in keys))),
                view.get_box(j).animate.set_stroke(palette.QUERY, 5),
            ]
            if before is None:
                anims.append(FadeIn(legend))
                if view is self.row:  # one row: room above the arcs for the question
                    question = SpeechBubble(self.head.spec.question, font_size=palette.LABEL)
                    question.attach_to(VGroup(arcs, *weights.values()))
                    anims.append(question.set_x(view.get_box(j).get_x()).pop_in())
            else:  # the noun read before goes back to its colour
                anims.append(view.get_box(before).animate.set_stroke(palette.NOUN, 5))
            self.play(*anims, run_time=1.0)
            self.caption(arrows_into(t, arcs, j))
            before = j

    def _sentence_in_lines(self) -> TokenParagraph:
        """A sentence too long for one row, whole, in two lines if a readable size allows,
        with room above each line for its arcs and their weights, under the heading."""
        t = self.trace
        pairs = modifiers(t)
        for size in (palette.LARGE, palette.BODY, palette.SMALL):
            view = TokenParagraph(
                t.words, roles(t), width=13, font_size=size, line_buff=1.9, pairs=pairs
            )
            if len(view.submobjects) <= 2:
                break
        view.scale_to_fit_height(min(view.height, self.stage.height - 1.1))
        return view.move_to(self.stage.center + DOWN * 0.4)

    def mystery_novel(self) -> None:
        mystery = self.supporting("mystery")[0]
        head = mystery.head(MYSTERY_HEAD)
        last = mystery.n - 1
        weights = head.pattern[last]  # (n,) how much the last token takes from each token
        top, named, where = brightest_before(mystery, weights)
        self.mystery_named = top
        self.mystery_links = subject_links(mystery, head)
        closing = (
            "Naming the murderer would take clues from all over the passage, gathered by "
            "many heads in many layers."
        )
        said = (
            f"In a mystery novel the last word, {quoted(mystery, last)}, has the whole "
            f"passage before it: {plural(last, 'earlier token')} it may read. This head "
            f"finds {named}, {where}." + ("" if self.mystery_links else " " + closing)
        )
        self.beat("mystery novel", said)
        self.heading("The whole passage is there to read")
        self.passage = passage = passage_of(mystery)
        passage.move_to(self.stage.center + UP * 0.25)
        self.play(passage.create(), run_time=1.3)
        self.play(passage.get_box(last).animate.set_stroke(palette.QUERY, 5), run_time=0.4)
        self.caption(
            f"{head.spec.name} head: {quoted(mystery, last)} asks \u201c{head.spec.question}"
            f"\u201d of its {plural(last, 'earlier token')}."
        )
        # the brightest keys framed, each weight under its key (no arc: an arc to the
        # last word would run behind the words of the lines between)
        self.mystery_marks = marks = VGroup(
            *(weighed_box(passage, i, weights[i], palette.QUERY) for i in top)
        )
        self.until_said(f"finds {quoted(mystery, top[0])}")
        self.play(*[Create(m[0]) for m in marks], *[FadeIn(m[1]) for m in marks], run_time=0.8)
        if self.mystery_links:
            self.verbs_and_subjects(mystery, closing)
        self.clear_content()

    def verbs_and_subjects(self, mystery, closing: str) -> None:
        """The same head reaching back across the passage, verb by verb: each verb and
        its subject framed, "← butler 0.94" under the verb (arcs across the lines would
        run through the words between): the frames as the beat starts, each label as the
    narration names its pair."""
        links = self.mystery_links
        across = ", ".join(
            f"{quoted(mystery, v)} \u2190 {quoted(mystery, s)} {w:.2f}" for s, v, w in links
        )
        self.beat(
            "verb and subject",
            "Across the passage the same head links each verb to its subject, wherever it "
            f"stands: {across}. {closing}",
        )
        self.heading_shown("The whole passage is there to read")  # the slide's title
        reach = VGroup(*(linked_pair(self.passage, mystery, *link) for link in links))
        self.mystery_reach = reach
        # the pairs framed with "links each verb to its subject", each weight with its words
        self.play(*[Create(VGroup(*pair[:2])) for pair in reach], run_time=1.2)
        for (subject, verb, _), pair in zip(links, reach):
            self.until_said(f"{quoted(mystery, verb)} \u2190 {quoted(mystery, subject)}")
            self.play(FadeIn(pair[2]), run_time=0.6)
        pairs = ", ".join(
            f"{quoted(mystery, v)}{NBSP}\u2190{NBSP}{weighed(mystery, s, w)}" for s, v, w in links
        )
        self.caption(f"Across the passage, verb \u2190 subject: {pairs}.", wait=3.0)

    def preview_updates(self) -> None:
        t = self.trace
        change = np.linalg.norm(t.delta_E, axis=1)  # (n,) size of each token's update
        most = int(np.argmax(change))
        row = TokenRow(
            t.words,
            roles(t),
            font_size=palette.HEADING,
            focus=most,  # the token that changes most is among the columns
            max_tokens=MAX_COLUMNS,
        ).move_to(self.stage.point(UP) + DOWN * 0.65)
        self.beat(
            "preview",
            "Attention will update every embedding: E becomes E\u2032 = E + \u0394E. "
            f"{quoted(t, most)} changes the most (|\u0394E| = {change[most]:.0f}, written "
            "under its column)." + updated_most(t, change, row.shown),
        )
        self.heading("Every embedding gets updated")
        before = {
            i: EmbeddingColumn(t.E[i], (0, 1, 2, -1), font_size=palette.SMALL) for i in row.shown
        }
        after = {
            i: EmbeddingColumn(
                t.E_prime[i], (0, 1, 2, -1), font_size=palette.SMALL, bracket_color=palette.UPDATED
            )
            for i in row.shown
        }
        for columns, y in ((before, 0.95), (after, -1.45)):  # room under E′ for |ΔE|
            group = VGroup(*columns.values()).arrange(RIGHT, buff=0.3).set_y(y)
            if group.width > 12.2:
                group.scale_to_fit_width(12.2).set_y(y)
        names = VGroup(
            literal("E", font_size=palette.LARGE, color=palette.EMBEDDING).next_to(
                VGroup(*before.values()), RIGHT, buff=0.3
            ),
            literal("E\u2032", font_size=palette.LARGE, color=palette.UPDATED).next_to(
                VGroup(*after.values()), RIGHT, buff=0.3
            ),
        )
        self.play(row.create(), *[c.create() for c in before.values()], FadeIn(names[0]))
        arrows = [
            Arrow(before[i].get_bottom(), after[i].get_top(), buff=0.1, color=palette.DELTA)
            for i in row.shown
        ]
        self.play(*[GrowArrow(a) for a in arrows], run_time=1.0)
        # each column's |ΔE| comes with it: the narration names the largest as it comes
        self.preview_sizes = sizes = change_sizes(change, after, names[1])
        self.play(
            *[c.create() for c in after.values()], FadeIn(names[1]), FadeIn(sizes), run_time=1.5
        )
        hidden = (
            ", some entries too little to show at one decimal"
            if hides_a_change(t, row.shown)
            else ""
        )
        self.caption(
            f"Every column changes{hidden}; the rest of the lesson is how the change "
            f"\u0394E is computed (largest: {quoted(t, most)}).",
            wait=3.0,
        )
