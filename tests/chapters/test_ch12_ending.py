"""Chapter 12 sums up what the example's head did with the trace's own numbers, and
degrades gracefully on sentences without nouns or with a single token."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import render_scene, render_sentence, scene_duration

from attention_math import build_trace, example_from_sentence
from scenes.ch12_ending import (
    MIN_WEIGHT,
    Ending,
    Relation,
    head_summary,
    listed,
    summary_narration,
)
from scenes.components.labels import TEXT_TYPES
from scenes.focus import own_adjectives

BEARS = (
    "After the long quiet winter, the hungry brown bears left their warm caves and searched "
    "the green valley for sweet berries."
)


class Recorded(Ending):
    """The chapter, keeping the captions it shows and, as each beat starts, the
    mobjects then on screen."""

    def setup(self) -> None:
        super().setup()
        self.captions: list[str] = []
        self.on_screen: dict[str, set[int]] = {}

    def beat(self, name: str, narration: str) -> None:
        super().beat(name, narration)
        self.on_screen[name] = {id(part) for m in self.mobjects for part in m.get_family()}

    def caption(self, text: str, wait: float = 0.0) -> None:
        self.captions.append(text)
        super().caption(text, wait)


@pytest.fixture(scope="module")
def chapter():
    return render_scene(Recorded)


@pytest.fixture(scope="module")
def bears():
    return render_sentence(Recorded, BEARS)


def texts(mob) -> list[str]:
    return [m.text for m in mob.get_family() if isinstance(m, TEXT_TYPES)]


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "what-we-covered",
        "what-the-head-did",
        "how-far",
        "references",
        "this-example",
    ]


def test_relations_are_the_heads_pattern(chapter):
    t = chapter.trace
    pattern = t.head("adjective-noun").pattern  # [query, key]
    words = t.words
    assert {words[r.query] for r in chapter.relations} == {"creature", "forest"}
    for rel, row in zip(chapter.relations, chapter.rows, strict=True):
        assert rel.kind == "adjectives"
        assert all(k < rel.query for k in rel.keys)  # causal: keys come before
        drawn = texts(row)
        for k, w in zip(rel.keys, rel.weights, strict=True):
            assert w == pattern[rel.query, k]
            assert words[k] in drawn and f"{w:.2f}" in drawn
    by_word = {words[r.query]: {words[k] for k in r.keys} for r in chapter.relations}
    assert by_word == {"creature": {"fluffy", "blue"}, "forest": {"verdant"}}
    narration = dict(chapter.narration)["what-the-head-did"]
    assert "did what it was built for" in narration
    assert all(r.total >= 0.5 for r in chapter.relations)


def test_bars_are_the_real_lengths(chapter):
    t = chapter.trace
    j = chapter.relations[0].query
    assert chapter.norms["E"] == pytest.approx(np.linalg.norm(t.E[j]))
    assert chapter.norms["head"] == pytest.approx(np.linalg.norm(t.heads[0].delta_E[j]))
    assert chapter.norms["E_prime"] == pytest.approx(np.linalg.norm(t.E[j] + t.delta_E[j]))
    drawn = [texts(group)[1] for group in chapter.bars]
    assert drawn == [f"{chapter.norms[k]:.1f}" for k in ("E", "head", "all", "E_prime")]


def test_example_card_names_the_sentence(chapter):
    words_on_card = "".join(texts(chapter.card))
    assert chapter.trace.sentence.replace(" ", "") in words_on_card


@pytest.mark.parametrize("sentence", ["hello", "they sang loudly"])
def test_summary_without_nouns_or_with_one_token(sentence):
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    relations = head_summary(trace, head)
    assert relations
    for rel in relations:
        assert rel.kind == "earlier"
        assert rel.weights[0] == head.pattern[rel.query, rel.keys[0]]
    narration = summary_narration(trace, head, relations)
    assert "built for" not in narration


def test_summary_without_adjectives_names_the_strongest_earlier_token():
    trace = build_trace(example_from_sentence("the cat sat on the mat"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    relations = head_summary(trace, head)
    assert {trace.words[r.query] for r in relations} == {"cat", "mat"}  # the nouns
    for rel in relations:
        earlier = head.pattern[rel.query, : rel.query]
        strong = {i for i in range(rel.query) if earlier[i] >= MIN_WEIGHT}
        assert set(rel.keys) == (strong or {int(np.argmax(earlier))})
    narration = summary_narration(trace, head, relations)
    assert "found no adjective" in narration and "built for" not in narration
    first = relations[0]
    # the sentence has two "the": the narration says which (the first)
    assert f"{first.weights[0]:.2f} to the first “the”" in narration
    assert trace.words[first.keys[0]] == "the" and first.keys[0] == 0


def test_verdict_is_partial_when_a_noun_gives_its_adjectives_less_than_half():
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    strong = Relation(3, (1, 2), (0.5, 0.3), "adjectives")
    weak = Relation(3, (1,), (0.3,), "adjectives")
    assert "did what it was built for" in summary_narration(trace, head, [strong])
    partial = summary_narration(trace, head, [strong, weak])
    assert "built for" not in partial and "1 of the 2 nouns" in partial
    assert "0.50 to “fluffy” and 0.30 to “blue”." in partial


def test_the_narration_quotes_a_link_the_grid_shows():
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    hidden = Relation(3, (1,), (0.5,), "adjectives")
    seen = Relation(3, (2,), (0.3,), "adjectives")
    shown = {(2, 3), (3, 3)}  # (key, query) cells of the grid's window
    said = summary_narration(trace, head, [hidden, seen], shown)
    assert "0.30 to “blue”" in said and "“fluffy”" not in said
    assert "0.50 to “fluffy”" in summary_narration(trace, head, [hidden, seen])


def test_the_grid_window_shows_as_many_listed_links_as_any_window_could():
    from render_helpers import render_sentence

    from scenes.ch12_ending import GRID_TOKENS

    sentence = "The quiet old farmer sold his red tractor to a young neighbour after the summer."
    scene = render_sentence(Ending, sentence)
    cells = [(i, r.query) for r in scene.relations for i in r.keys]
    n = scene.trace.n
    assert n > GRID_TOKENS  # a window, not the whole sentence
    best = max(  # any run of GRID_TOKENS consecutive tokens, by hand
        sum(start <= i < start + GRID_TOKENS and start <= j < start + GRID_TOKENS for i, j in cells)
        for start in range(n - GRID_TOKENS + 1)
    )
    shown = set(scene.grid.shown_cells())
    assert sum(cell in shown for cell in cells) == best
    assert best > 0


def test_weights_are_rounded_plainly_and_no_sum_of_them_is_said():
    """No sum of the listed weights is drawn, so each is rounded plainly (0.5347 is 0.53,
    as other chapters write it) and the narration says no total."""
    trace = build_trace(example_from_sentence("a quiet student read the thick green book"))
    head = trace.head("adjective-noun")
    pair = Relation(7, (5, 6), (0.384737, 0.534737), "adjectives")  # 0.38 + 0.53 = 0.92
    assert pair.written == ("0.38", "0.53")
    said = summary_narration(trace, head, [pair])
    assert "0.38 to “thick” and 0.53 to “green”." in said and "together" not in said


def test_every_noun_with_adjectives_is_listed_or_counted_as_left_out(bears):
    """Review: "berries ← sweet" was missing while "valley", outside the grid, was
    listed; those the grid shows come first, and a cut list says how many it leaves out."""
    t = bears.trace
    nouns = {j for j in range(t.n) if own_adjectives(t, j)}
    listed_nouns = [r.query for r in bears.relations]
    assert set(listed_nouns) <= nouns
    caption = next(c for c in bears.captions if c.startswith("Marked cells"))
    missing = len(nouns) - len(listed_nouns)
    assert bears.left_out == missing
    if missing:
        assert f"{missing} more noun" in caption
    shown = set(bears.grid.shown_cells())
    inside = [all((i, r.query) in shown for i in r.keys) for r in bears.relations]
    assert inside == sorted(inside, reverse=True)  # those the grid shows first
    assert "berries" in {t.words[j] for j in listed_nouns}


def test_the_list_keeps_what_the_grid_shows_when_it_must_be_cut():
    rels = [Relation(q, (q - 1,), (0.9 - 0.1 * q,), "adjectives") for q in range(1, 5)]
    shown = {(2, 3), (3, 4)}  # only the last two links are in the grid's window
    chosen, left_out = listed(rels, shown, most=3)
    assert [r.query for r in chosen] == [3, 4, 1] and left_out == 1


def test_the_heads_grid_is_tall_enough_to_read(bears):
    """Review: the grid's cells were twice as wide as tall, its row labels ~6 px."""
    grid = bears.grid
    assert grid.cell_height >= 0.65 * grid.cell_width
    assert max(label.height for label in grid.key_labels) >= 0.2  # of 8 units of height
    assert grid.get_top()[1] <= bears.stage.top and grid.get_bottom()[1] >= bears.stage.bottom


def test_each_picture_stays_until_its_beat_is_over(chapter):
    """Review: the bars of "how-far" were gone while its words were still up; each
    picture now leaves as the next beat starts."""
    for beat, picture in (("references", chapter.bars), ("how-far", chapter.grid)):
        parts = picture.family_members_with_points()
        assert parts and all(id(part) in chapter.on_screen[beat] for part in parts)


def test_the_caption_names_exactly_the_listed_links_the_window_hides(bears):
    """Review H6: "'cat': outside this window" while the "cat" column was shown and
    "small", the key, was not: the caption names each hidden link as "key → noun",
    and only those."""
    t = bears.trace
    caption = next(c for c in bears.captions if c.startswith("Marked cells"))
    shown = set(bears.grid.shown_cells())
    hidden = [(i, r.query) for r in bears.relations for i in r.keys if (i, r.query) not in shown]
    assert hidden  # the bears sentence is longer than the grid's window
    named = [f"“{t.words[i]}” → “{t.words[j]}”" for i, j in hidden]
    assert f"({', '.join(named)}: outside this window of the grid)" in caption
