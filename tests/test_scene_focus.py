"""What chapters point at is chosen from the trace, for any sentence."""

from __future__ import annotations

import pytest
from conftest import SMALL

from attention_math import build_trace, example_from_sentence
from scenes.focus import links, main_link, own_adjectives


def trace_of(sentence: str):
    return build_trace(example_from_sentence(sentence), dims=SMALL)


def test_the_running_example_points_at_creature(fluffy_trace):
    head = fluffy_trace.head("adjective-noun")
    link = main_link(fluffy_trace, head)
    assert (fluffy_trace.words[link.key], fluffy_trace.words[link.query]) == ("blue", "creature")
    assert link.kind == "adjective-noun" and link.weight == head.pattern[3, 2]
    assert [(x.key, x.query) for x in links(fluffy_trace, head)] == [(1, 3), (2, 3), (6, 7)]


@pytest.mark.parametrize("sentence", ["tower", "a b c", "they slept quietly"])
def test_sentences_without_adjectives_fall_back(sentence):
    trace = trace_of(sentence)
    head = trace.head("adjective-noun")
    link = main_link(trace, head)
    if trace.n == 1:
        assert (link.key, link.query, link.kind) == (0, 0, "self")
    else:
        assert link.kind == "earlier" and link.key < link.query
        assert link.weight == max(head.pattern[j, i] for j in range(trace.n) for i in range(j))
    assert all(x.key < x.query for x in links(trace, head))


def test_a_noun_owns_only_the_adjectives_the_parser_found_for_it():
    trace = trace_of("the big dog chased a small cat")
    words = trace.words
    dog, cat = words.index("dog"), words.index("cat")
    assert own_adjectives(trace, dog) == [words.index("big")]
    assert own_adjectives(trace, cat) == [words.index("small")]  # not "big", also earlier
    assert own_adjectives(trace, words.index("chased")) == []


@pytest.mark.parametrize(
    "sentence, noun",
    [
        ("the red car passed the big old truck", "truck"),  # two adjectives beat one
        ("a big old truck passed the red car", "truck"),
        ("the tall man met the short woman", "man"),  # a tie goes to the earlier noun
    ],
)
def test_the_lesson_follows_the_noun_with_the_most_adjectives(sentence, noun):
    trace = build_trace(example_from_sentence(sentence))
    link = main_link(trace, trace.head("adjective-noun"))
    assert trace.words[link.query] == noun
    assert link.key in own_adjectives(trace, link.query)


def test_a_word_the_sentence_has_twice_is_told_apart_by_its_place():
    from attention_math import build_trace, example_from_sentence
    from scenes.focus import quoted

    trace = build_trace(
        example_from_sentence("The cat saw the dog and the bird"), dims="gpt2-small"
    )
    assert [quoted(trace, i) for i in (0, 3, 6)] == [
        "the first “The”",
        "the second “the”",
        "the third “the”",
    ]
    assert quoted(trace, 1) == "“cat”"  # once: just the word
