"""Context arcs run only from earlier to later tokens, as strong as the pattern."""

from __future__ import annotations

import pytest

from scenes.components.context_arcs import ContextArcs, arc_style
from scenes.components.token_row import TokenRow


def test_arcs_follow_the_pattern_forward_only(fluffy_trace):
    head = fluffy_trace.head("adjective-noun")
    row = TokenRow(fluffy_trace.words)
    arcs = ContextArcs.over_row(row, head.pattern, min_weight=0.05)
    expected = {
        (i, j) for j in range(fluffy_trace.n) for i in range(j) if head.pattern[j, i] >= 0.05
    }
    assert set(arcs.pairs()) == expected
    for i, j in arcs.pairs():
        width, opacity = arc_style(head.pattern[j, i])
        arc = arcs.get_arc(i, j)
        assert arc.get_stroke_width() == pytest.approx(width)
        assert arc.get_stroke_opacity() == pytest.approx(opacity)
        assert arcs.weight(i, j) == head.pattern[j, i]
        assert arc.get_start()[0] < arc.get_end()[0]  # from the earlier token to the later one


def test_max_height_flattens_long_arcs(fluffy_trace):
    head = fluffy_trace.head("adjective-noun")
    row = TokenRow(fluffy_trace.words)
    arcs = ContextArcs.over_row(row, head.pattern, min_weight=0.0, max_height=0.5)
    top = row.get_top()[1]
    assert max(arcs.get_arc(*p).get_top()[1] for p in arcs.pairs()) <= top + 0.5 + 0.2


def test_the_strongest_arc_is_the_heaviest_drawn_one_by_a_plain_search(fluffy_trace):
    head = fluffy_trace.head("adjective-noun")
    row = TokenRow(fluffy_trace.words)
    for columns in (None, [3]):  # every column; only "creature"'s
        arcs = ContextArcs.over_row(row, head.pattern, columns, min_weight=0.05)
        best, best_weight = None, -1.0
        for j in range(fluffy_trace.n):
            for i in range(j):
                drawn = (i, j) in set(arcs.pairs())
                if drawn and head.pattern[j, i] > best_weight:
                    best, best_weight = (i, j), head.pattern[j, i]
        assert arcs.strongest() == best
    assert ContextArcs.over_row(row, head.pattern, min_weight=2.0).strongest() is None


def _height_over(arc, x: float) -> float:
    """The arc's height at ``x``, from its drawn path (sampled finely), not the formula."""
    import numpy as np

    points = np.array([arc.point_from_proportion(t) for t in np.linspace(0, 1, 2001)])
    return float(np.interp(x, points[:, 0], points[:, 1]))


def test_an_arc_over_another_leaves_room_for_the_inner_arcs_label():
    import numpy as np

    words = ["the", "torn", "old", "brown", "nets"]
    pattern = np.zeros((5, 5))
    pattern[4, 1:4] = [0.3, 0.3, 0.3]  # three nested arcs into "nets"
    row = TokenRow(words)
    plain = ContextArcs.over_row(row, pattern, [4], min_weight=0.1)
    roomy = ContextArcs.over_row(row, pattern, [4], min_weight=0.1, label_room=0.4)
    # without room, the outer arc passes within 0.4 of the inner arc's apex
    apex = plain.apex(3, 4)
    assert _height_over(plain.get_arc(2, 4), apex[0]) - apex[1] < 0.4
    for inner, outer in [((3, 4), (2, 4)), ((2, 4), (1, 4)), ((3, 4), (1, 4))]:
        apex = roomy.apex(*inner)
        assert _height_over(roomy.get_arc(*outer), apex[0]) - apex[1] >= 0.4 - 0.01
    # the apex is the arc's highest point, and the arcs still join the same boxes
    for pair in roomy.pairs():
        assert roomy.apex(*pair)[1] == pytest.approx(roomy.get_arc(*pair).get_top()[1], abs=0.02)
        assert roomy.get_arc(*pair).get_start() == pytest.approx(plain.get_arc(*pair).get_start())
