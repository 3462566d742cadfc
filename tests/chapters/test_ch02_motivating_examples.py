"""Chapter 2: the adjective -> noun arrows and the mystery frames come from the pattern,
each picture with the words that say it."""

from __future__ import annotations

import numpy as np
import pytest
from manim import Arc
from render_helpers import Timed as Recording
from render_helpers import cue_saying, last_frame, play_bringing, render_default, scene_duration

from scenes.ch02_motivating_examples import MYSTERY_HEAD, MotivatingExamples
from scenes.components.context_arcs import arc_style

RATE = 15  # frames a second: a wait ends on a frame, so times are good to one frame
FRAME = 1 / RATE


class Timed(Recording, MotivatingExamples):
    """The chapter, keeping when each beat starts and when each animation is played."""


@pytest.fixture(scope="module")
def chapter():
    return render_default(Timed, frame_rate=RATE)


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "sentence",
        "adjectives update nouns",
        "mystery novel",
        "verb and subject",
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


def test_the_mystery_frames_the_brightest_keys_and_draws_no_arc(chapter):
    """Review: the arc from "murderer" to "was" ran behind "detective near the"; now the
    brightest keys are framed with their weights and no arc crosses the passage."""
    from scenes.components.entries import fixed

    mystery = chapter.supporting("mystery")[0]
    weights = mystery.head(MYSTERY_HEAD).pattern[-1, :-1]
    named = chapter.mystery_named
    assert mystery.words[named[0]] == "murderer" and named[0] == int(np.argmax(weights))
    # the words named are the brightest, each 0.05 or more (never "window 0.00")
    assert list(named) == sorted(named, key=lambda i: -weights[i])
    assert all(weights[i] >= 0.05 for i in named)
    others = [w for i, w in enumerate(weights) if i not in named]
    assert len(named) == 3 or max(others) < 0.05
    for i, (frame, label) in zip(named, chapter.mystery_marks, strict=True):
        box = chapter.passage.get_box(i)
        assert np.allclose(frame.get_center(), box.get_center(), atol=0.01)
        assert label.text == fixed(weights[i], 2)
    said = dict(chapter.narration)["mystery novel"]
    assert "0.00" not in said
    start, end = chapter.beat_starts["mystery novel"], chapter.beat_starts["preview"]
    drawn = [
        part
        for at, animations in chapter.plays
        if start <= at < end
        for animation in animations
        for part in animation.mobject.get_family()
    ]
    assert drawn and not any(isinstance(part, Arc) for part in drawn)


def test_the_mystery_pictures_come_with_their_words(chapter):
    """Review: the verb-subject frames came 5 s after "Across the passage…" was said, and
    "42 earlier tokens" was said but never shown."""
    mystery = chapter.supporting("mystery")[0]
    last = mystery.n - 1
    said = dict(chapter.narration)
    assert said["verb and subject"].startswith("Across the passage")
    assert "Across" not in said["mystery novel"]
    pairs, _ = play_bringing(chapter, chapter.mystery_reach)
    assert pairs == pytest.approx(chapter.beat_starts["verb and subject"], abs=1e-6)
    brightest, _ = play_bringing(chapter, chapter.mystery_marks)
    begins, ends, _ = cue_saying(chapter, f"\u201c{mystery.words[chapter.mystery_named[0]]}")
    assert begins - FRAME <= brightest < ends  # framed while its cue shows
    count = f"{last} earlier tokens"
    assert count in said["mystery novel"]
    assert any(count in c for c in chapter.captions_said)  # the count, written


class _Arcs:
    """What arrows_into reads of a ContextArcs: the drawn pairs and their weights."""

    def __init__(self, weights: dict[tuple[int, int], float]):
        self._weights = weights

    def pairs(self):
        return list(self._weights)

    def weight(self, i, j):
        return self._weights[(i, j)]


def test_each_nouns_caption_names_its_arrows_and_the_no_arrow_caption_the_focus(fluffy_trace):
    from scenes.ch02_motivating_examples import arrows_into, no_arrows_caption
    from scenes.focus import Link

    arcs = _Arcs({(1, 3): 0.42, (2, 3): 0.54, (6, 7): 0.94})
    assert arrows_into(fluffy_trace, arcs, 3) == (
        "\u201ccreature\u201d \u2190 \u201cfluffy\u201d\u00a00.42, \u201cblue\u201d\u00a00.54"
    )
    assert arrows_into(fluffy_trace, arcs, 7) == (
        "\u201cforest\u201d \u2190 \u201cverdant\u201d\u00a00.94"
    )
    focus = Link(2, 3, 0.54, "adjective-noun")
    assert "Strongest link to an earlier token" in no_arrows_caption(
        fluffy_trace, Link(0, 1, 0.3, "earlier")
    )
    assert "No arrow reaches 0.20" in no_arrows_caption(fluffy_trace, focus)


def test_each_nouns_arrows_come_as_its_clause_is_read(chapter):
    """Review: every arc was drawn in the beat's first 3 seconds while the narration read
    them one noun at a time; now each noun's arcs start as its clause's cue shows, and
    that noun is framed in the query's colour."""
    from scenes.components import palette

    words, arcs = chapter.trace.words, chapter.arcs
    times = []
    for j in sorted({j for _, j in arcs.pairs()}):
        at, animations = play_bringing(
            chapter, arcs.get_arc(*next(p for p in arcs.pairs() if p[1] == j))
        )
        drawn = {id(a.mobject) for a in animations}
        assert all(  # the play draws this noun's arcs and no other noun's
            (id(arcs.get_arc(i, q)) in drawn) == (q == j) for i, q in arcs.pairs()
        )
        begins, ends, text = cue_saying(chapter, f"\u201c{words[j]}\u201d gives")
        into = begins + (ends - begins) * text.index(f"\u201c{words[j]}\u201d gives") / len(text)
        assert begins - FRAME <= at <= into + FRAME
        assert any(  # the noun read is framed in the arcs' colour
            a.mobject is chapter.row.get_box(j)
            and a.target_mobject.get_stroke_color() == palette.QUERY
            for a in animations
            if getattr(a, "target_mobject", None) is not None
        )
        times.append(at)
    assert len(times) == 2 and times[1] - times[0] > 3  # "creature", then "forest"


def test_the_verb_labels_are_readable_and_clear_of_the_words(chapter):
    """Review: the "← butler 0.94" labels were 8 px high at 480p; now LABEL size, and
    no label (nor the brightest key's weight) touches a word's box."""
    from scenes.components import palette
    from scenes.components.labels import literal

    passage = chapter.passage
    labels = [pair[2] for pair in chapter.mystery_reach] + [m[1] for m in chapter.mystery_marks]
    sample = literal("\u2190 butler 0.94", font_size=palette.LABEL)
    for label in labels:
        assert label.height >= 0.9 * sample.height or label.text[0].isdigit()
        for i in passage.shown:
            box = passage.get_box(i)
            apart = (
                label.get_left()[0] >= box.get_right()[0]
                or label.get_right()[0] <= box.get_left()[0]
                or label.get_bottom()[1] >= box.get_top()[1]
                or label.get_top()[1] <= box.get_bottom()[1]
            )
            assert apart, (label.text, chapter.supporting("mystery")[0].words[i])


def test_a_caption_never_breaks_a_word_from_its_weight(chapter):
    """Review: the caption's line break fell between "butler" and "0.94"."""
    from scenes.components import palette
    from scenes.lesson import Lesson, wrap

    caption = next(c for c in chapter.captions_said if c.startswith("Across the passage"))
    mystery = chapter.supporting("mystery")[0]
    for subject, _, weight in chapter.mystery_links:
        pair = f"\u201c{mystery.words[subject]}\u201d\u00a0{weight:.2f}"
        assert pair in caption
        for size in (palette.BODY, 0.9 * palette.BODY, 0.8 * palette.BODY):
            lines = wrap(caption, size, Lesson.caption_band.width - 1.0).split("\n")
            assert any(pair in line for line in lines)


def test_the_sizes_come_with_the_updated_columns(chapter):
    """Review: the |ΔE| row came 3 s after "written under its column" was said."""
    at, animations = play_bringing(chapter, chapter.preview_sizes)
    assert any(type(a).__name__ != "FadeIn" for a in animations)  # with E′'s columns
    begins, _, _ = cue_saying(chapter, "written under its column")
    assert at <= begins + FRAME


def test_the_mystery_says_where_the_answer_sits_and_draws_the_head_reaching_back(chapter):
    mystery = chapter.supporting("mystery")[0]
    head = mystery.head(MYSTERY_HEAD)
    said = dict(chapter.narration)["mystery novel"]
    last, top = mystery.n - 1, chapter.mystery_named[0]
    assert ("right before it" in said) == (last - top == 1)  # never "from far away" unsaid
    said = dict(chapter.narration)["verb and subject"]
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


@pytest.mark.parametrize("window", [(0, 8), (4, 12), (8, 23)])
def test_who_changes_more_is_said_of_the_columns_on_screen_only(window):
    """Review H3: "every verb with a subject changes more ..." was said over columns that
    held no verb. Each kind named has one of its words among the shown columns, and each
    such word changes more than every shown adjective, by a naive loop over the trace."""
    from render_helpers import source_of

    from scenes.ch02_motivating_examples import updated_most

    t = source_of(
        "After the long quiet winter, the hungry brown bears left their warm caves and "
        "searched the green valley for sweet berries."
    ).trace
    shown = range(*window)
    change = [float(np.sqrt(sum(x * x for x in row))) for row in t.delta_E]
    said = updated_most(t, np.array(change), shown)
    assert said.startswith(" Among these columns, every ")
    kinds = {"modifies": "noun with an adjective", "subject-of": "verb with a subject"}
    for kind, words in kinds.items():
        targets = {r.target for r in t.relations if r.kind == kind and r.target in shown}
        assert (words in said) == bool(targets)
        adjectives = [i for i in shown if t.tokens[i].role == "adj"]
        for target in targets:
            assert all(change[target] > change[i] for i in adjectives if i not in targets)


def test_each_verb_subject_weight_comes_with_its_words(chapter):
    """Review H9: "had ← butler 0.94, found ← gardener 0.93, …" stood 4 s before the
    cue naming them; each label now comes while the cue that names its pair shows."""
    mystery = chapter.supporting("mystery")[0]
    for (subject, verb, _), pair in zip(chapter.mystery_links, chapter.mystery_reach):
        shown, _ = play_bringing(chapter, pair[2])
        cue = cue_saying(chapter, f"“{mystery.words[verb]}” ← “{mystery.words[subject]}”")
        assert cue.start - FRAME <= shown < cue.end
