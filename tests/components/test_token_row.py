"""Token rows: equal boxes tinted by role, and a window with "…" for long sentences."""

from __future__ import annotations

import pytest

from scenes.components import palette
from scenes.components.token_row import ELLIPSIS, TokenParagraph, TokenRow


def test_boxes_have_equal_height_and_role_tints(fluffy_trace):
    roles = [t.role for t in fluffy_trace.tokens]
    row = TokenRow(fluffy_trace.words, roles)
    heights = {round(row.get_box(i).height, 6) for i in row.shown}
    assert len(heights) == 1
    assert not row.windowed and list(row.shown) == list(range(fluffy_trace.n))
    for i, role in enumerate(roles):
        assert row.get_box(i).get_stroke_color() == palette.role_tint(role)
        assert row.get_label(i).text == fluffy_trace.words[i]


def test_a_long_sentence_shows_a_window_around_the_focus_with_ellipses():
    words = [f"word{i}" for i in range(64)]
    row = TokenRow(words, focus=40, max_width=12)
    assert row.windowed and 40 in row.shown
    assert row.width <= 12 + 1e-6
    assert [m.text for m in row.ellipses] == [ELLIPSIS, ELLIPSIS]
    with pytest.raises(KeyError):
        row.get_box(0)


def test_max_tokens_limits_the_window():
    row = TokenRow(list("abcdefghij"), focus=9, max_tokens=4)
    assert list(row.shown) == [6, 7, 8, 9]


def test_a_paragraph_keeps_every_token_in_order_within_its_width():
    words = [f"w{i}" for i in range(40)]
    passage = TokenParagraph(words, width=6)
    assert all(line.width <= 6 + 1e-6 for line in passage.submobjects)
    assert [passage.get_token(i)[1].text for i in range(40)] == words


def test_punctuation_sits_on_the_line_of_the_words():
    # centred by its ink, a comma would float up like an apostrophe, a full stop like "·"
    row = TokenRow(["the", "cat", ",", "sat", "."], [None] * 5)
    labels = [row.get_label(i) for i in range(5)]
    lines = [label.get_baseline() for label in labels]
    assert max(lines) - min(lines) < 1e-6  # one baseline for every label
    comma, stop, cat = labels[2], labels[4], labels[1]
    assert comma.get_bottom()[1] < lines[0] < comma.get_top()[1]  # a comma hangs below it
    assert abs(stop.get_bottom()[1] - lines[0]) < 0.02  # a full stop stands on it
    assert stop.get_top()[1] < cat.get_y()  # low in the box, not at mid-height


def test_a_window_shows_as_many_whole_pairs_as_it_can():
    words = (
        "the tired farmer fed his three brown horses before the long cold winter night .".split()
    )
    pairs = [(1, 2), (6, 7), (10, 13), (11, 13)]  # adjective -> noun
    plain = TokenRow(words, font_size=34, max_width=6.0, min_scale=1.0, focus=13)
    chosen = TokenRow(words, font_size=34, max_width=6.0, min_scale=1.0, focus=13, pairs=pairs)
    assert plain.windowed and chosen.windowed
    assert len(chosen.shown) <= len(plain.shown) + 1  # the same room

    def whole(row):
        return sum(i in row.shown and j in row.shown for i, j in pairs)

    assert whole(chosen) >= whole(plain)
    # no window that fits the same room holds more: a plain search over every run
    full = TokenRow(words, font_size=34, max_width=1e9)
    widths = [full.get_token(i).width + full.buff for i in range(len(words))]
    room = sum(widths[i] for i in chosen.shown) + 0.5  # about the room the window had
    best = 0
    for start in range(len(words)):
        for stop in range(start + 1, len(words) + 1):
            if sum(widths[start:stop]) <= room - 0.5:
                best = max(best, sum(start <= i < stop and start <= j < stop for i, j in pairs))
    assert whole(chosen) == best


def test_of_windows_showing_as_many_pairs_the_longest_wins():
    """A run that starts near the sentence's end is short; it must not win a tie on pairs
    over a long run because its middle sits nearer the focus."""
    words = (
        "although the heavy rain had stopped , the young sailors waited at the harbor until "
        "the captain raised the bright red flag ."
    ).split()
    pairs = [(2, 3), (8, 9), (19, 21), (20, 21)]
    row = TokenRow(words, focus=21, pairs=pairs)  # the default size: chapter 1's row
    plain = TokenRow(words, focus=21)
    assert row.windowed and 21 in row.shown
    assert len(row.shown) >= len(plain.shown) - 1  # not a stub of the last few tokens


def test_focus_first_keeps_the_focus_and_its_own_pairs_in_view():
    words = (
        "because the narrow mountain road was icy , the careful drivers slowed down near the "
        "sharp bend while snow covered the distant peaks ."
    ).split()
    pairs = [(2, 4), (9, 10), (15, 16), (21, 22)]
    row = TokenRow(words, focus=4, pairs=pairs, focus_first=True)
    assert row.windowed and 4 in row.shown and 2 in row.shown  # "narrow road" whole
