"""Subtitle cues: a beat's narration in pieces of two short lines, its time shared out."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scenes.cues import CUE_CHARS, cues, timed

LONG = (
    "Side by side, one measure for both heads: the weight each later token parks where it "
    "takes almost nothing, on average. The first token is left out: in the real model it "
    "can only look at itself. On the right is a typical real head, layer 22, head 0: the "
    "middle one of all 270 when they are sorted by this measure. There, “The” gets 0.61 of "
    "each later token's weight: less than the designed head parks on its sink."
)

words = st.text(alphabet=st.characters(blacklist_categories=("Z", "C")), min_size=1, max_size=30)
sentences = st.lists(words, min_size=1, max_size=80).map(" ".join)


def _rejoined(pieces: list[str]) -> str:
    return " ".join(p.replace("\n", " ") for p in pieces)


@given(sentences)
def test_cues_give_the_narration_back_and_stay_short(text):
    pieces = cues(text)
    assert _rejoined(pieces) == text
    for piece in pieces:
        flat = piece.replace("\n", " ")
        assert len(flat) <= CUE_CHARS or " " not in flat  # a single long word stays whole
        assert piece.count("\n") <= 1


def test_a_long_narration_is_cut_at_sentence_ends_into_two_line_cues():
    pieces = cues(LONG)
    assert len(pieces) >= 5 and _rejoined(pieces) == LONG
    flat = [p.replace("\n", " ") for p in pieces]
    assert not any(p.endswith(" the") for p in flat)  # cut at marks, not mid-phrase here
    assert any(p.endswith("itself.") for p in flat)  # a sentence end closes a cue
    assert all(len(line) <= 44 for p in pieces for line in p.split("\n"))


@pytest.mark.parametrize("seconds", [3.0, 40.0])
def test_the_time_is_shared_by_reading_time_without_gaps(seconds):
    shares = timed(LONG, seconds)
    assert shares[0][1] == 0.0 and shares[-1][2] == pytest.approx(seconds)
    for (_, _, end), (_, start, _) in zip(shares, shares[1:]):
        assert start == pytest.approx(end)
    for text, a, b in shares:  # each cue: 3 words or 17 characters a second, the slower
        words, chars = len(text.split()), len(text.replace("\n", " "))
        need = max(words / 3.0, chars / 17.0)
        assert (b - a) / need == pytest.approx(
            seconds
            / sum(max(len(t.split()) / 3.0, len(t.replace("\n", " ")) / 17.0) for t, _, _ in shares)
        )


@pytest.mark.parametrize(
    "text",
    [
        "Each French word asks a question of the English words: “je”, “ne”, “caresser”.",
        "The largest difference between the two 12,288-number columns is 7.1 × 10⁻¹⁵, "
        "rounding error.",
        "For example, “the” puts 0.92 of its weight on “from” and the rest of it is spread "
        "over the tokens in between.",
    ],
)
def test_no_cue_is_a_short_orphan_beside_a_longer_one(text):
    from scenes.cues import SHORT_CUE

    pieces = cues(text)
    assert _rejoined(pieces) == text
    if len(pieces) > 1:
        assert min(len(p) for p in pieces) >= SHORT_CUE, pieces


def test_a_beat_read_in_its_reading_time_never_runs_a_cue_past_the_reading_pace():
    """Short cues of long words ("Directions carry meaning.", numbers written out) get
    the time their characters need, cues of short words the time their words need."""
    from scenes.chapter import reading_seconds

    text = (
        "Directions carry meaning. After attention, each 'mole' moves toward its sense: "
        "animal, chemistry, skin. The example uses 12,288-dimensional embeddings, "
        "128-dimensional queries and keys, and 96 heads per layer."
    )
    text += " It is on the mat. It is a cat, and it is in the sun."
    for piece, start, end in timed(text, reading_seconds(text)):
        flat = piece.replace("\n", " ")
        assert len(flat) / (end - start) <= 17.0 + 1e-9, piece
        assert len(flat.split()) / (end - start) <= 3.0 + 1e-9, piece


@pytest.mark.parametrize(
    ("text", "whole"),
    [  # cues the reviews found cut mid-phrase
        (
            "Attention will update every embedding: E becomes E′ = E + ΔE. “creature” "
            "changes the most (at most |ΔE| = 63): the rest of the tokens barely move.",
            "(at most |ΔE| = 63):",
        ),
        (
            "All five heads park most of their weight on the sink in every layer of the "
            "model (97% or more) while the rest goes to the nouns.",
            "(97% or more)",
        ),
        (
            "The noun takes most of what it gets from its two adjectives, and very little "
            "from the other tokens (weights 0.39, 0.52) of the sentence.",
            "(weights 0.39, 0.52)",
        ),
        (
            "Across the passage, verb ← subject: “had” ← “butler” 0.94, “found” ← "
            "“gardener” 0.93, “saw” ← “maid” 0.87.",
            "“had” ← “butler” 0.94,",
        ),
    ],
)
def test_an_aside_a_formula_and_a_weight_stay_on_one_line(text, whole):
    pieces = cues(text)
    assert _rejoined(pieces) == text
    lines = [line for piece in pieces for line in piece.split("\n")]
    assert any(whole in line for line in lines), lines
    assert not any(line.endswith(("=", "×", "+", "←", "→")) for line in lines), lines


def test_said_at_is_when_the_cue_holding_a_phrase_shows():
    from scenes.cues import said_at

    seconds = 40.0
    shares = timed(LONG, seconds)
    at = 0
    for piece, start, _ in shares:
        flat = piece.replace("\n", " ")
        assert LONG[at : at + len(flat)] == flat
        for index in (at, at + len(flat) // 2, at + len(flat) - 1):
            assert said_at(LONG, index, seconds) == pytest.approx(start)
        at += len(flat) + 1
    phrase = LONG.index("On the right")
    cue = next(s for p, s, _ in shares if "On the right" in p.replace("\n", " "))
    assert cue > 0 and said_at(LONG, phrase, seconds) == pytest.approx(cue)


def test_a_number_after_a_sentence_end_still_starts_a_new_cue():
    text = (
        "There “a” gets 0.66 of each later token's weight, less than the designed head. "
        "111 of 270 real heads park more than the designed head does."
    )
    pieces = [p.replace("\n", " ") for p in cues(text)]
    assert any(p.startswith("111 of 270") for p in pieces), pieces
