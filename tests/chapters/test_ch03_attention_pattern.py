"""Chapter 3: the query product, the grid and its dots are the trace's numbers."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import Timed as Recording
from render_helpers import assert_grid_fills_the_stage, last_frame, render_default, scene_duration

from scenes.ch03_attention_pattern import AttentionPattern
from scenes.components.entries import MINUS, signed


class Timed(Recording, AttentionPattern):
    """The chapter, keeping when each beat starts and what each play plays."""


@pytest.fixture(scope="module")
def chapter():
    return render_default(Timed)


def read(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "question",
        "grammar",
        "grammar in vectors",
        "query",
        "first row",
        "keys",
        "query key space",
        "dot products",
        "scaling",
        "softmax",
        "pattern",
        "formula",
    ]


def test_the_designed_example_asks_about_creature(chapter):
    t = chapter.trace
    assert t.words[chapter.q] == "creature"
    assert {t.words[i] for i in chapter.answers} == {"fluffy", "blue"}


def test_query_product_multiplies_the_drawn_entries(chapter):
    product = chapter.product
    m, v = product.matrix, product.vector
    head = chapter.trace.head("adjective-noun")
    assert np.array_equal(m.matrix, head.weights.W_Q)
    assert np.array_equal(v.values, chapter.trace.E[chapter.q])
    drawn_v = np.array([read(e.text) for e in v.get_entries()])
    for row in m.rows:
        drawn_row = np.array([read(m.get_entry(row, c).text) for c in m.cols])
        assert drawn_row.tolist() == [
            float(f"{head.weights.W_Q[row, c] * 1e3:.1f}") for c in m.cols
        ]
        expected = float(drawn_row @ drawn_v)
        assert product.get_result_entry(row).text == signed(expected, 2)
        assert product.get_result_entry(row).get_fill_opacity() == 1  # it was filled in


def test_final_dots_have_the_area_of_the_weights(chapter):
    grid = chapter.grid
    pattern = chapter.trace.head("adjective-noun").with_sink()["pattern"]  # sink: last key
    assert grid.mode == "dots" and grid.sink == chapter.trace.n
    full = grid.dot_radius(1.0)
    for i, j in grid.shown_cells():
        dot = grid.get_content(i, j)
        if pattern[j, i] == 0:
            assert dot is None
        else:
            assert (dot.width / 2 / full) ** 2 == pytest.approx(pattern[j, i], rel=1e-6)


def test_the_grammar_beat_names_the_links_the_parser_found(chapter):
    narration = dict(chapter.narration)["grammar"]
    for adjective, noun in (("fluffy", "creature"), ("blue", "creature"), ("verdant", "forest")):
        assert f"\u201c{adjective}\u201d modifies \u201c{noun}\u201d" in narration
    assert narration.count(" modifies ") == 3


def test_without_adjectives_no_word_is_said_to_answer():
    from render_helpers import render_sentence

    scene = render_sentence(AttentionPattern, "the cat sat on the mat")
    narration = dict(scene.narration)
    assert scene.adjective_answers == []
    assert "no adjective answers" in narration["question"]
    assert " answers." not in narration["question"]
    assert "found no adjective that modifies a noun" in narration["grammar"]
    # the head's mechanism is still told, for the focus query, with no key offering it
    p = scene.q + 1
    assert (
        f"at position {p}, still asks: “Does anything modify position {p}?”"
        in (narration["grammar in vectors"])
    )
    assert "No key here offers" in narration["grammar in vectors"]


@pytest.mark.parametrize("sentence", ["a fluffy blue creature", "they sang loudly"])
def test_query_key_picture_draws_true_angles_and_words_them_by_the_cosine(sentence):
    from attention_math import build_trace, example_from_sentence
    from scenes.facts.ch03_attention_pattern import alignment, query_key_picture

    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    q, k, other = trace.n - 1, trace.n - 2, 0
    shown = query_key_picture(trace, head, q, k, other)
    Q, K = head.Q, head.K

    def cos(a, b):  # independent of the chapter's helper
        return float(a @ b / np.sqrt((a @ a) * (b @ b)))

    drawn_q = shown.qk_coords[0]
    for row, key in ((1, k), (2, other)):
        drawn = shown.qk_coords[row]
        assert np.linalg.norm(drawn) == pytest.approx(np.linalg.norm(K[key]))
        assert cos(drawn, drawn_q) == pytest.approx(cos(Q[q], K[key]))
        angle = np.degrees(np.arccos(cos(Q[q], K[key])))
        said = f"the key of “{trace.words[key]}” {alignment(cos(Q[q], K[key]))} ({angle:.0f}°"
        assert said in shown.narration
    assert shown.qk_coords[1][1] >= 0 >= shown.qk_coords[2][1]  # one key above, one below
    # worded by the angle: +0.60 is 53°, leaning, not "nearly the same way"
    assert alignment(0.60) == "leans the same way"
    assert alignment(0.95) == "points nearly the same way"  # 18°
    assert alignment(0.01) == "is nearly perpendicular"
    assert alignment(-0.5) == "points away" and alignment(-0.95) == "points nearly the opposite way"


def test_the_grid_fills_the_stage_and_leaves_the_side_notes_their_room(chapter):
    grid, stage = chapter.grid, chapter.stage
    # chapter.scale_note: the formula and √d_k, right of the grid
    assert_grid_fills_the_stage(grid, stage, 0.65, chapter.scale_note)


def test_the_grammar_beat_credits_the_parser_only_with_the_links_it_found():
    """Links given by word order (the parser linked the adjective to no noun) are said to
    be so, on screen and aloud, never 'found by the parser'."""
    from attention_math import build_trace, example_from_sentence
    from scenes.facts.ch03_attention_pattern import grammar_said
    from scenes.focus import modifiers

    sentence = "A curious grey kitten slept under the warm wooden table."
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    how = {(r.source, r.target): r.how for r in trace.relations if r.kind == "modifies"}
    pairs = modifiers(trace)
    ordered = [p for p in pairs if how[p] == "order"]
    assert ordered and len(ordered) < len(pairs)  # both kinds, as the parser reads it today
    said = grammar_said(trace, pairs)
    parser_part, order_part = said.narration.split("goes to the noun right after it")
    for i, j in pairs:
        link = f"“{trace.words[i]}” modifies “{trace.words[j]}”"
        assert link in (order_part if (i, j) in ordered else parser_part)
    parsed = len(pairs) - len(ordered)
    assert said.links == f"{len(pairs)} adjective → noun links ({parsed} by the parser, " + (
        f"{len(ordered)} by word order)"
    )
    assert "or by word order" in said.source


def test_the_first_row_is_worked_as_it_is_said_and_slowly_enough_to_read(chapter):
    """The term-by-term working has a beat of its own, whose words begin with it, and
    each multiply-add is drawn, then stays on screen to be read: 1.5 s or more each."""
    from scenes.components.product import TERM_TIME

    assert dict(chapter.narration)["first row"].startswith("The first row, term by term")
    start = chapter.beat_starts["first row"]
    at, (working,) = next((t, a) for t, a in chapter.plays if t >= start - 1e-9)
    assert at == pytest.approx(start)  # the working starts with the beat's words
    product = chapter.product
    timings = working.anims_with_timings
    n = len(product.matrix.cols)  # the steps: frame the row, one per term, clear up
    terms = list(zip(timings["start"], timings["end"], timings["anim"]))[1 : 1 + n]
    for begin, end, step in terms:
        assert end - begin >= 1.5
        drawn = step.rate_func(TERM_TIME / step.run_time)  # the term fully drawn by then
        alphas = np.linspace(0, 1, 101)
        rates = [step.rate_func(a) for a in alphas]
        assert drawn == pytest.approx(1.0) and np.all(np.diff(rates) >= 0)
        assert all(
            r == pytest.approx(1.0) for a, r in zip(alphas, rates) if a * step.run_time >= TERM_TIME
        )


def test_the_angles_said_are_drawn_as_arcs_with_their_numbers(chapter):
    """Each key's arc in query/key space turns by the angle between the real Q and K,
    and is labelled with the number the narration and the caption give."""
    t, head = chapter.trace, chapter.trace.head("adjective-noun")
    Q = head.Q[chapter.q]
    narration = dict(chapter.narration)["query key space"]
    keys = [chapter.k] + ([chapter.other] if chapter.other is not None else [])
    assert len(chapter.arcs) == len(keys) == 2
    for (arc, label), key in zip(chapter.arcs, keys):
        K = head.K[key]
        angle = np.degrees(np.arccos(Q @ K / np.sqrt((Q @ Q) * (K @ K))))
        assert np.degrees(abs(arc.angle)) == pytest.approx(angle, abs=1e-6)
        assert label.text == f"{angle:.0f}°"
        assert f"the key of “{t.words[key]}”" in narration and f"({angle:.0f}°" in narration
        assert any(f"({angle:.0f}°)" in c for c in chapter.captions_said)


def test_the_grammar_link_is_told_by_the_heads_positions(chapter):
    """The link shown is one the parser found; its adjective offers the noun's position
    (counted from 1) and the noun's query asks for that position."""
    t = chapter.trace
    narration = dict(chapter.narration)["grammar in vectors"]
    adjective, noun = chapter.k, chapter.q
    assert any(
        r.kind == "modifies" and (r.source, r.target) == (adjective, noun) for r in t.relations
    )
    p = noun + 1
    assert narration.startswith(f"Take “{t.words[adjective]}”")
    assert f"“I modify the word at position {p}”" in narration
    assert f"“{t.words[noun]}”, at position {p}, asks: “Does anything modify position {p}?”" in (
        narration
    )
