"""Chapter 6: the value is value-up · value-down · E, the 3D arrows are projections of
the real E and weighted values, the column's weighted terms add up to the head's ΔE, and
the strips of E, ΔE and E′ are the real entries."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import render_scene, scene_duration

from attention_math import build_trace, example_from_sentence
from scenes.ch06_values import (
    DOWN_ROWS,
    STRIP_CELLS,
    UP_ROWS,
    Values,
    adjective_terms,
    value_steps,
    value_vectors,
)
from scenes.components import palette
from scenes.components.entries import color_scale, shown_array
from scenes.focus import main_link


@pytest.fixture(scope="module")
def chapter():
    with pytest.MonkeyPatch.context() as mp:
        for name in ("ATTENTION_EXAMPLE", "ATTENTION_SENTENCE", "ATTENTION_SEED"):
            mp.delenv(name, raising=False)
        return render_scene(Values)


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "value-down",
        "value-up",
        "embedding-space",
        "weighted-sum",
        "every-token",
    ]


def test_noun_and_adjectives_come_from_the_pattern(chapter):
    words = chapter.trace.words
    assert words[chapter.noun] == "creature"
    assert [words[i] for i in chapter.terms.keys] == ["fluffy", "blue"]
    assert chapter.terms.own
    assert words[chapter.source] == "blue"


def test_value_is_up_times_down_times_E(chapter):
    t, head, s = chapter.trace, chapter.head, chapter.source
    W = head.weights
    expected = W.W_V_up @ (W.W_V_down @ t.E[s])  # (d_embed,)
    assert np.allclose(chapter.values[s], expected)
    assert np.array_equal(chapter.value_column.displayed, shown_array(expected[list(UP_ROWS)], 2))
    rows = [r % W.W_V_down.shape[0] for r in DOWN_ROWS]
    assert list(chapter.down_product.matrix.rows) == rows


def test_arrows_are_projections_of_the_real_vectors(chapter):
    t, head, j = chapter.trace, chapter.head, chapter.noun
    W = head.weights
    terms = [head.pattern[j, i] * (W.W_V_up @ (W.W_V_down @ t.E[i])) for i in chapter.terms.keys]
    points = np.cumsum([t.E[j], *terms], axis=0)
    basis = chapter.basis
    assert np.allclose(basis @ basis.T, np.eye(len(basis)))  # orthonormal
    assert np.allclose(basis[0], t.E[j] / np.linalg.norm(t.E[j]))  # first axis along E
    coords = np.zeros((len(points), 3))
    coords[:, : len(basis)] = points @ basis.T
    coords = coords[:, [0, 2, 1]]  # E across, the first term up
    whole, zoom = chapter.whole, chapter.zoom
    assert np.allclose(whole.coords("E")[1], coords[0])
    assert np.allclose(whole.coords("E final")[1], coords[-1])
    near = coords - coords[0]  # the zoom measures from the tip of E
    for k in range(len(terms)):
        start, end = zoom.coords(f"term {k}")
        assert np.allclose(start, near[k]) and np.allclose(end, near[k + 1])
        tip = zoom.get_arrow(f"term {k}").get_end()
        assert np.allclose(tip, zoom.to_screen(near[k + 1]), atol=1e-6)


def test_weighted_terms_sum_to_delta_E(chapter):
    head, j = chapter.head, chapter.noun
    total = sum(w * chapter.values[i] for i, w in chapter.term_weights)
    assert np.allclose(total, head.delta_E[j])
    for (i, w), row in zip(chapter.term_weights, chapter.term_rows, strict=True):
        assert w == head.pattern[j, i]
        assert row[0].get_fill_opacity() == pytest.approx(w)  # opacity follows the weight
    assert np.array_equal(
        chapter.delta_column.displayed, shown_array(head.delta_E[j][[0, 1, 2, -1]], 1)
    )


def test_strips_show_E_delta_and_E_prime(chapter):
    t, head = chapter.trace, chapter.head
    scale = color_scale(t.E)
    expected = {"E": t.E, "ΔE": head.delta_E, "E′": t.E + head.delta_E}
    for name, vectors in expected.items():
        for strip, i in zip(chapter.strips[name], chapter.shown, strict=True):
            colors = [c.get_fill_color().to_hex() for c in strip]
            assert colors == [
                palette.value_color(v, scale).to_hex() for v in vectors[i, :STRIP_CELLS]
            ]


@pytest.mark.parametrize("sentence", ["hello", "the dog ran"])
def test_sentences_without_adjectives_fall_back(sentence):
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    noun = main_link(trace, head).query
    terms = adjective_terms(trace, head, noun)
    assert not terms.own
    assert all(i < noun for i in terms.keys)
    assert (noun == 0) == (terms.keys == ())
    shown = value_steps(trace, head, value_vectors(head), noun, terms)
    assert "no adjective of its own" in shown.narration or "no earlier word" in shown.narration
    if terms.keys:  # the word followed is the strongest earlier one
        assert terms.keys == (int(np.argmax(head.pattern[noun, :noun])),)
    assert value_vectors(head).shape == (trace.n, trace.dims.d_embed)


def test_steps_are_named_in_the_sentences_order():
    trace = build_trace(example_from_sentence("a big red ball"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    terms = adjective_terms(trace, head, 3)
    assert terms.own and terms.keys == (1, 2)
    shown = value_steps(trace, head, value_vectors(head), 3, terms)
    assert shown.names == ("ball", "big ball", "big red ball")
