"""Chapter 2: the adjective -> noun arrows and the mystery lines come from the pattern."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import last_frame, render_default, scene_duration

from scenes.ch02_motivating_examples import MYSTERY_HEAD, MotivatingExamples
from scenes.components.context_arcs import arc_style


@pytest.fixture(scope="module")
def chapter():
    return render_default(MotivatingExamples)


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "sentence",
        "adjectives update nouns",
        "mystery novel",
        "preview",
    ]


def test_arrows_are_the_adjective_noun_links_of_the_pattern(chapter):
    t = chapter.trace
    pattern = t.head("adjective-noun").pattern
    assert t.words == ["a", "fluffy", "blue", "creature", "roamed", "the", "verdant", "forest"]
    assert set(chapter.arcs.pairs()) == {(1, 3), (2, 3), (6, 7)}  # fluffy, blue -> creature ...
    for i, j in chapter.arcs.pairs():
        assert pattern[j, i] >= 0.2
        assert chapter.arcs.get_arc(i, j).get_stroke_width() == pytest.approx(
            arc_style(pattern[j, i])[0]
        )


@pytest.mark.parametrize(
    "sentence",
    [None, "the old fisherman mended his torn brown nets while the grey gulls circled"],
)
def test_the_narration_names_every_arc_drawn(chapter, sentence):
    from render_helpers import render_sentence

    shown = chapter if sentence is None else render_sentence(MotivatingExamples, sentence)
    said = dict(shown.narration)["adjectives update nouns"]
    pattern = shown.trace.head("adjective-noun").pattern
    words = shown.trace.words
    assert shown.arcs.pairs()
    for i, j in shown.arcs.pairs():  # e.g. "“nets” gives 41% ... to “torn” and 56% to"
        part = said[said.index(f"“{words[j]}” gives") :].split(";")[0]
        assert f"{100 * pattern[j, i]:.0f}%" in part and f"“{words[i]}”" in part


def test_mystery_lines_follow_the_last_tokens_weights(chapter):
    mystery = chapter.supporting("mystery")[0]
    weights = mystery.head(MYSTERY_HEAD).pattern[-1, :-1]
    lines = chapter.mystery_lines
    assert len(lines) == mystery.n - 1
    for line, w in zip(lines, weights):
        assert line.get_stroke_opacity() == pytest.approx(arc_style(w / weights.max())[1])
    brightest = int(np.argmax([line.get_stroke_opacity() for line in lines]))
    assert mystery.words[brightest] == "murderer"
    # the words named are the brightest lines, each 0.05 or more (never "window 0.00")
    named = chapter.mystery_named
    assert named[0] == brightest and all(weights[i] >= 0.05 for i in named)
    others = [w for i, w in enumerate(weights) if i not in named]
    assert len(named) == 3 or max(others) < 0.05
    said = dict(chapter.narration)["mystery novel"]
    assert "0.00" not in said


class _Arcs:
    """What arrows_caption reads of a ContextArcs: the drawn pairs, their weights and the
    heaviest of them (ContextArcs.strongest is checked in tests/components)."""

    def __init__(self, weights: dict[tuple[int, int], float]):
        self._weights = weights

    def pairs(self):
        return list(self._weights)

    def weight(self, i, j):
        return self._weights[(i, j)]

    def strongest(self):
        return max(self._weights, key=self._weights.get, default=None)


def test_the_arrows_caption_names_the_strongest_drawn_arrow(fluffy_trace):
    from scenes.ch02_motivating_examples import arrows_caption
    from scenes.focus import Link

    focus = Link(2, 3, 0.54, "adjective-noun")  # the lesson's focus is not the strongest
    arcs = _Arcs({(1, 3): 0.42, (2, 3): 0.54, (6, 7): 0.94})
    text = arrows_caption(fluffy_trace, arcs, [3, 7], focus)
    assert "Strongest arrow: \u201cverdant\u201d \u2192 \u201cforest\u201d, 0.94." in text
    assert "\u201ccreature\u201d, \u201cforest\u201d" in text  # the columns arrows are drawn in
    assert "Strongest link to an earlier token" in arrows_caption(
        fluffy_trace, _Arcs({}), [], Link(0, 1, 0.3, "earlier")
    )
    assert "No arrow reaches 0.20" in arrows_caption(fluffy_trace, _Arcs({}), [], focus)


def test_the_mystery_says_where_the_answer_sits_and_draws_the_head_reaching_back(chapter):
    mystery = chapter.supporting("mystery")[0]
    head = mystery.head(MYSTERY_HEAD)
    said = dict(chapter.narration)["mystery novel"]
    last, top = mystery.n - 1, chapter.mystery_named[0]
    assert ("right before it" in said) == (last - top == 1)  # never "from far away" unsaid
    subjects = [r for r in mystery.relations if r.kind == "subject-of" and r.target != last]
    assert len(chapter.mystery_links) >= 2  # "found" <- "gardener", "saw" <- "maid", ...
    for (subject, verb, weight), pair in zip(chapter.mystery_links, chapter.mystery_reach):
        assert any(r.source == subject and r.target == verb for r in subjects)
        assert weight == head.pattern[verb, subject] >= 0.2
        assert f"“{mystery.words[verb]}” ← “{mystery.words[subject]}” {weight:.2f}" in said
        subject_frame, verb_frame, label = pair  # the pair framed, the weight under the verb
        assert label.text.replace(" ", "") == f"←{mystery.words[subject]}{weight:.2f}"
        assert label.get_top()[1] < verb_frame.get_bottom()[1] + 0.05
        assert abs(label.get_x() - verb_frame.get_x()) < 0.01


def test_the_preview_says_some_entries_hide_a_change_only_when_one_does(chapter):
    """'some entries too little to show at one decimal' only when a drawn entry prints
    the same in E and E′."""
    from scenes.components.entries import fixed

    t = chapter.trace
    caption = next(c for c in chapter.captions_said if c.startswith("Every column changes"))
    rows = [0, 1, 2, -1]
    shown = range(min(t.n, 8))  # the default sentence fits: every token has its columns
    same = any(fixed(t.E[i][k], 1) == fixed(t.E_prime[i][k], 1) for i in shown for k in rows)
    assert ("too little to show" in caption) == same
