"""Chapter 6: the value is value-up · value-down · E, the 3D arrows are projections of
the real E and weighted values, the column's drawn terms w·V add up to the head's ΔE,
E + ΔE = E′ boxes the entries that change most, the strips of E, ΔE and E′ are the real
entries, and every size the captions state is recomputed here."""

from __future__ import annotations

import re

import numpy as np
import pytest
from manim import DOWN, LEFT, RIGHT, UP
from render_helpers import (
    Timed,
    cue_saying,
    play_bringing,
    render_scene,
    render_sentence,
    scene_duration,
)

from attention_math import build_trace, example_from_sentence
from scenes.ch06_values import DOWN_ROWS, UP_ROWS, Values
from scenes.components import palette
from scenes.components.attention_grid import subscript
from scenes.components.entries import shown_array, signed
from scenes.cues import timed
from scenes.facts.ch06_values import (
    STRIP_CELLS,
    adjective_terms,
    changes,
    column_sum,
    value_steps,
    value_vectors,
)
from scenes.focus import main_link, quoted


class RecordedValues(Timed, Values):
    """The chapter, noting when each beat starts, each animation is played and each
    caption is shown."""

    def setup(self) -> None:
        super().setup()
        self.shown_at: list[tuple[str, str, float]] = []  # (beat, caption, time)

    def caption_shown(self, text: str) -> None:
        super().caption_shown(text)
        self.shown_at.append((self.narration[-1][0], text, self.time))


@pytest.fixture(scope="module")
def chapter():
    return render_scene(RecordedValues, frame_rate=RATE)


RATE = 15  # frames a second: a wait ends on a frame, so times are good to one frame


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "value-down",
        "value-up",
        "embedding-space",
        "steps",
        "weighted-sum",
        "update",
        "every-token",
        "sizes",
    ]


def test_a_captions_figures_come_no_earlier_than_the_words_that_say_them(chapter):
    """Each percentage a caption shows is said in its beat, and the caption does not
    appear before the subtitle cue that says it (with half a second to spare)."""
    starts = list(chapter.beat_starts.items())
    ends = [start for _, start in starts[1:]] + [scene_duration(chapter)]
    beats = {name: (start, end) for (name, start), end in zip(starts, ends)}
    said = dict(chapter.narration)
    checked = 0
    for name, text, at in chapter.shown_at:
        start, end = beats[name]
        cues = [(piece.replace("\n", " "), a) for piece, a, _ in timed(said[name], end - start)]
        for figure in re.findall(r"\d+%", text):
            cue_start = next(a for piece, a in cues if re.search(rf"(?<!\d){figure}", piece))
            assert at >= start + cue_start - 0.5, (name, figure, at - start, cue_start)
            checked += 1
    assert checked >= 3


def test_steps_are_drawn_while_they_are_said(chapter):
    """The beat that draws the steps in embedding space is the one that names them."""
    said = dict(chapter.narration)
    names = chapter.steps_shown.names
    assert " → ".join(f"“{n}”" for n in names) in said["steps"]
    assert "→" not in said["embedding-space"]


def test_the_shares_of_the_values_come_with_the_words_that_say_them(chapter):
    """Review: "takes its share of the value of each adjective" was said over E alone,
    before any share was drawn. No word of shares comes before the first share's arrow,
    which comes within a second of the cue naming the point it reaches; so does the tip
    of E with its words."""
    arrow = chapter.zoom.get_arrow("term 0")
    drawn = play_bringing(chapter, arrow)[0]
    assert cue_saying(chapter, "share").start >= drawn
    named = cue_saying(chapter, f"“{chapter.steps_shown.names[1]}”").start
    assert abs(drawn - named) <= 1.0, (drawn, named)
    for words in ("embedding E", "around its tip"):
        assert words in dict(chapter.narration)["embedding-space"]
    tip = chapter.zoom_tip
    assert abs(play_bringing(chapter, tip)[0] - cue_saying(chapter, "around its tip").start) <= 1.0


def test_each_part_of_the_weighted_sum_comes_with_its_words(chapter):
    """Review: the others' summed column and ΔE stood 10 s before "… more terms" and "The
    sum is ΔE" were said. Each part comes within a second of the cue that says it."""
    tables = chapter.tables
    parts = [
        (tables.index_top, "becomes a weighted sum"),  # the drawn terms' column of entries
        (tables.others, "more term"),
        (tables.delta, "The sum is ΔE"),
    ]
    for mob, words in parts:
        drawn, said = play_bringing(chapter, mob)[0], cue_saying(chapter, words).start
        assert said - 0.2 <= drawn <= said + 1.0, (words, drawn, said)


CAT = (
    "A small grey cat watched the busy street from the sunny window, and then it slowly "
    "closed its eyes."
)
DOCTOR = "The young doctor carried a heavy black bag up the narrow wooden stairs."


class ZoomWatched(Values):
    """The chapter, noting at every frame the names of the zoom (around the tip of E)
    and its arrows, while they are on screen, and after each play whether it ended."""

    def setup(self) -> None:
        super().setup()
        self.zoom_seen: list[tuple[bool, list, list]] = []  # (a play's end, names, arrows)

    def update_to_time(self, t: float) -> None:
        super().update_to_time(t)
        self._note(False)

    def play(self, *animations, **kwargs) -> None:
        super().play(*animations, **kwargs)
        self._note(True)

    def _note(self, at_rest: bool) -> None:
        zoom = getattr(self, "zoom", None)
        if zoom is None or not any(m in self.mobjects for m in zoom.get_family()):
            return
        names = [(m.get_corner(DOWN + LEFT)[:2], m.get_corner(UP + RIGHT)[:2]) for m in zoom.labels]
        arrows = [(a.get_start()[:2], a.get_end()[:2]) for a in zoom.arrows]
        self.zoom_seen.append((at_rest, names, arrows))


def test_the_zooms_names_never_overlap():
    """Review ("small grey cat", about 56 s): the second step's name sat on the first's
    until the view turned. At every frame no two names of the zoom overlap and no arrow
    runs through a name; once each play is over they stand at least 0.15 apart."""
    from scenes.components.embedding_space import crosses

    scene = render_sentence(ZoomWatched, CAT, frame_rate=5)
    assert len(scene.steps_shown.names) == 3  # "cat", "small cat", "small grey cat"
    assert sum(len(names) == 2 for _, names, _ in scene.zoom_seen) > 10
    for at_rest, names, arrows in scene.zoom_seen:
        for k, (lo, hi) in enumerate(names):
            for a, b in arrows:
                assert not crosses(lo, hi, a, b)
            for lo2, hi2 in names[:k]:  # apart along x or along y
                room = max(*(lo2 - hi), *(lo - hi2))
                assert room > (0.15 if at_rest else 0.0), (at_rest, room)


def test_the_sums_keep_clear_of_the_frames_edge():
    """Review: the ΔE column stood 6 px from the right edge of the frame."""
    from manim import config

    scene = render_sentence(Values, DOCTOR, skip_animations=True)
    assert scene.tables.get_right()[0] <= config.frame_width / 2 - 0.3


@pytest.mark.parametrize("sentence", ["a big red ball", "a red ball", "the dog ran", "hello"])
def test_the_opening_says_no_share_over_e_alone(sentence):
    """The beat that draws E alone says nothing of the values it has not drawn yet."""
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    noun = main_link(trace, head).query
    terms = adjective_terms(trace, head, noun)
    shown = value_steps(trace, head, value_vectors(head), noun, terms)
    assert "share" not in shown.opening and "→" not in shown.opening
    assert "embedding E" in shown.opening
    if terms.keys:
        assert "share" in shown.narration or "× the value" in shown.narration


def test_noun_and_adjectives_come_from_the_pattern(chapter):
    words = chapter.trace.words
    assert words[chapter.noun] == "creature"
    assert [words[i] for i in chapter.terms.keys] == ["fluffy", "blue"]
    assert chapter.terms.own
    assert words[chapter.source] == "blue"


def test_value_is_up_times_down_times_E(chapter):
    t, head, s = chapter.trace, chapter.head, chapter.source
    W = head.weights
    expected = W.W_V_up @ (W.W_V_down @ t.E[s])  # (d_model,)
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


def by_hand_values(trace, head) -> np.ndarray:
    """Every token's value, W_V↑ · (W_V↓ · E), computed here: (n, d_model)."""
    W = head.weights
    return np.stack([W.W_V_up @ (W.W_V_down @ e) for e in trace.E])


def test_values_replace_the_keys_and_the_heaviest_terms_are_drawn(chapter):
    t, head, j, tables = chapter.trace, chapter.head, chapter.noun, chapter.tables
    values = by_hand_values(t, head)
    shown = chapter.column
    assert [t.words[i] for i, _ in shown.terms] == ["fluffy", "blue"]
    assert [t.words[i] for i in shown.others] == ["a", "creature"]
    entries = list(shown.entries)
    for (i, w), term in zip(shown.terms, tables.terms, strict=True):
        assert w == pytest.approx(head.pattern[j, i])
        assert np.all(np.abs(term.displayed - w * values[i][entries]) < 0.01)  # adding_up
        assert term.header[0].text.replace(" ", "") == f"{w:.2f}×V{subscript(i + 1)}"
    rest = sum(head.pattern[j, i] * values[i] for i in shown.others)
    assert np.all(np.abs(tables.others.displayed - rest[entries]) < 0.01)
    drawn = sum(term.vector for term in tables.terms) + tables.others.vector
    assert np.allclose(drawn, head.delta_E[j])  # the drawn terms add up to ΔE
    assert np.array_equal(tables.delta.displayed, shown_array(head.delta_E[j][entries], 2))
    # every row adds up as drawn: the terms to ΔE, and E + ΔE to E′
    d = 2
    added = np.round(sum(term.displayed for term in tables.terms) + tables.others.displayed, d)
    assert np.array_equal(added, tables.delta.displayed)
    e, dE, e2 = (tables.update_columns[n].displayed for n in ("E", "ΔE", "E′"))
    assert np.array_equal(np.round(e + dE, d), e2)
    keys, labels = chapter.key_labels, chapter.value_labels  # K₁, K₂, ... became V₁, V₂, ...
    assert sorted(labels) == sorted(keys) and j in labels
    sink = chapter.trace.n  # the sink's row comes after the tokens': no key, no value
    assert labels[sink].text == keys[sink].text == "none"
    for i in labels:
        if i == sink:
            continue
        assert (keys[i].text, labels[i].text) == (f"K{subscript(i + 1)}", f"V{subscript(i + 1)}")
        assert np.allclose(keys[i].get_center(), labels[i].get_center())


def test_E_plus_delta_E_boxes_the_largest_changes(chapter):
    t, head, j, tables = chapter.trace, chapter.head, chapter.noun, chapter.tables
    delta = head.delta_E[j]
    order = np.argsort(np.abs(delta))[::-1]
    shown = chapter.column
    assert set(shown.largest) == {int(order[0]), int(order[1])}
    assert set(shown.entries) == {0, 1, 2, int(order[0]), int(order[1])}
    entries = list(shown.entries)
    expected = {"E": t.E[j], "ΔE": delta, "E′": t.E[j] + delta}
    for name, vector in expected.items():  # ΔE and E′ rounded, E so that the sum adds up
        column = tables.update_columns[name]
        if name == "E":
            assert np.all(np.abs(column.displayed - vector[entries]) < 0.01)
        else:
            assert np.array_equal(column.displayed, shown_array(vector[entries], 2))
    for m, box in zip(shown.largest, tables.boxes, strict=True):
        entry = tables.update_columns["E′"].get_entry(m).get_center()
        assert box.get_left()[0] < entry[0] < box.get_right()[0]
        assert box.get_bottom()[1] < entry[1] < box.get_top()[1]
    ratio = np.linalg.norm(delta) / np.linalg.norm(t.E[j])
    top = int(order[0])
    assert f"|ΔE| is {100 * ratio:.0f}% of |E|" in shown.caption
    assert f"entry #{top + 1:,} goes from" in shown.caption
    assert signed(t.E[j, top] + delta[top], 2) in shown.caption
    drawn_E = tables.update_columns["E"].get_entry(top).text.replace("\u2212", "-")
    assert f"goes from {signed(float(drawn_E), 2)} to" in shown.caption  # as drawn
    assert f"{100 * ratio:.0f}% as long as E" in shown.update_narration
    assert "%" not in shown.narration  # said with the update, when its caption shows
    for i, _ in shown.terms:
        assert f"{head.pattern[j, i]:.2f} × the value of “{t.words[i]}”" in shown.narration


@pytest.mark.parametrize("sentence", ["the cat sat on the mat", "hello"])
def test_every_column_sum_of_another_sentence(sentence):
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    values = by_hand_values(trace, head)
    for j in range(trace.n):
        shown = column_sum(trace, head, j)
        keys = [i for i, _ in shown.terms] + list(shown.others)
        assert sorted(keys) == list(range(j + 1))  # every key the query sees, once
        total = sum(w * values[i] for i, w in shown.terms)
        total = total + sum(head.pattern[j, i] * values[i] for i in shown.others)
        assert np.allclose(total, head.delta_E[j])
        weights = sorted((w for _, w in shown.terms), reverse=True)
        assert all(w >= 0.05 for w in weights[1:])  # no "0.00 × V" beside the heaviest
        if shown.others:  # the drawn terms are the heaviest
            assert len(shown.terms) <= 2
            assert min(weights) >= max(head.pattern[j, list(shown.others)])
            rest = head.pattern[j, list(shown.others)].sum()
            said = f"weighing {rest:.2f} together" if rest >= 0.005 else "of almost no weight"
            assert said in shown.narration
        else:
            assert "more term" not in shown.narration
        assert "adjective" not in shown.narration
    if trace.n == 1:  # one word, nothing to find: almost all of it on the sink
        shown = column_sum(trace, head, 0)
        assert shown.terms == ((0, pytest.approx(1.0 - head.sink[0])),)
        assert head.sink[0] > 0.9
        assert f"the {head.sink[0]:.2f} on the sink adds nothing" in shown.narration


def test_strips_show_E_delta_and_E_prime(chapter):
    t, head = chapter.trace, chapter.head
    scale = 2 * np.sqrt(np.mean(t.E**2))
    delta_scale = 2 * np.sqrt(np.mean(head.delta_E**2))  # ΔE has its own colour scale
    expected = {
        "E": (t.E, scale, palette.value_color),
        "ΔE": (head.delta_E, delta_scale, change_color),
        "E′": (t.E + head.delta_E, scale, palette.value_color),
    }
    for name, (vectors, level_scale, color) in expected.items():
        for strip, i in zip(chapter.strips[name], chapter.shown, strict=True):
            colors = [c.get_fill_color().to_hex() for c in strip]
            assert colors == [color(v, level_scale).to_hex() for v in vectors[i, :STRIP_CELLS]]
        for mark, strip, i in zip(chapter.marks[name], chapter.strips[name], chapter.shown):
            cell = int(np.argmax(np.abs(head.delta_E[i, :STRIP_CELLS])))
            assert np.allclose(mark.get_center(), strip[cell].get_center())
    ratios = np.linalg.norm(head.delta_E, axis=1) / np.linalg.norm(t.E, axis=1)
    assert [s.text for s in chapter.sizes] == [f"{100 * ratios[i]:.0f}%" for i in chapter.shown]


def change_color(value, scale):
    """Black at 0, the sign's hue at ``scale``: computed here from the palette's hues."""
    from manim import BLACK, interpolate_color

    hue = palette.POSITIVE if value >= 0 else palette.NEGATIVE
    return interpolate_color(BLACK, hue, min(abs(value) / scale, 1.0))


def test_a_change_of_almost_nothing_looks_like_nothing(chapter):
    """The ΔE strip of a token that barely changes is dark, and darker than the one of
    the token that changes most; its E strip is not (E keeps a floor of colour)."""
    head, t = chapter.head, chapter.trace
    ratios = np.linalg.norm(head.delta_E, axis=1) / np.linalg.norm(t.E, axis=1)
    least = min(chapter.shown, key=lambda i: ratios[i])
    most = max(chapter.shown, key=lambda i: ratios[i])
    assert ratios[least] < 0.05 < 0.5 < ratios[most]

    def brightness(name, i):
        strip = chapter.strips[name][chapter.shown.index(i)]
        return max(max(c.get_fill_color().to_rgb()) for c in strip)

    assert brightness("ΔE", least) < 0.15 < brightness("E", least)
    assert brightness("ΔE", most) > 0.6


@pytest.mark.parametrize("sentence", ["the cat sat on the mat", "hello"])
def test_every_token_says_how_large_the_change_is(sentence):
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    shown = changes(trace, head)
    ratios = np.linalg.norm(head.delta_E, axis=1) / np.linalg.norm(trace.E, axis=1)
    boost = np.sqrt(np.mean(trace.E**2)) / np.sqrt(np.mean(head.delta_E**2))
    assert f"colours ×{boost:.1f}" in shown.caption
    if trace.n == 1:
        assert f"|ΔE| is {100 * ratios[0]:.0f}% of |E|" in shown.sizes_narration
        assert "Every column" not in shown.narration
    else:
        low, high = int(np.argmin(ratios)), int(np.argmax(ratios))
        assert (
            f"from {100 * ratios[low]:.0f}% of |E| ({quoted(trace, low)}) to "
            f"{100 * ratios[high]:.0f}% ({quoted(trace, high)}"
        ) in shown.sizes_caption
        assert f"each of the {trace.n} tokens" in shown.narration


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
    assert "no adjective of its own" in shown.opening or "no earlier word" in shown.opening
    if terms.keys:  # the word followed is the strongest earlier one
        assert terms.keys == (int(np.argmax(head.pattern[noun, :noun])),)
    assert value_vectors(head).shape == (trace.n, trace.dims.d_model)


def test_steps_are_named_in_the_sentences_order():
    trace = build_trace(example_from_sentence("a big red ball"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    terms = adjective_terms(trace, head, 3)
    assert terms.own and terms.keys == (1, 2)
    shown = value_steps(trace, head, value_vectors(head), 3, terms)
    assert shown.names == ("ball", "big ball", "big red ball")
    assert "step by step" in shown.narration.lower()  # two steps


def test_one_adjective_is_one_step_not_step_by_step():
    trace = build_trace(example_from_sentence("a red ball"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    terms = adjective_terms(trace, head, 2)
    assert terms.own and terms.keys == (1,)
    shown = value_steps(trace, head, value_vectors(head), 2, terms)
    assert shown.names == ("ball", "red ball")
    assert "step by step" not in shown.narration.lower()
    assert f"the value of “red” (weight {head.pattern[2, 1]:.2f})." in shown.narration


def test_a_window_names_the_smallest_and_largest_change_it_shows():
    trace = build_trace(example_from_sentence("the cat sat on the mat"), dims="gpt2-small")
    head = trace.head("adjective-noun")
    ratios = np.linalg.norm(head.delta_E, axis=1) / np.linalg.norm(trace.E, axis=1)
    shown = range(2, 6)  # a window that leaves out the first two tokens
    said = changes(trace, head, shown).sizes_narration
    low = min(shown, key=lambda i: ratios[i])
    high = max(shown, key=lambda i: ratios[i])
    assert said.count("In this window, |ΔE| goes from") == 1
    assert f"{100 * ratios[low]:.0f}% of |E| ({quoted(trace, low)}" in said
    assert f"{100 * ratios[high]:.0f}% ({quoted(trace, high)}" in said


def test_a_long_sentences_change_sizes_stay_readable_and_apart():
    from render_helpers import render_sentence

    sentence = (
        "The young teacher lost her blue umbrella, so she borrowed one from a kind neighbour."
    )
    scene = render_sentence(Values, sentence, skip_animations=True)
    sizes = list(scene.sizes)
    assert len(sizes) >= 12
    pixels = 480 / 8.0  # per scene unit at 480p
    assert min(s.height for s in sizes) * pixels >= 7  # "124%" about 5 px before staggering
    for a, b in zip(sizes, sizes[1:]):  # neighbours: side by side or one row apart
        apart = a.get_right()[0] < b.get_left()[0] or a.get_bottom()[1] > b.get_top()[1]
        assert apart or b.get_bottom()[1] > a.get_top()[1]
    rows = {round(s.get_y(), 3) for s in sizes}
    assert len(rows) <= 2


def test_the_smallest_change_names_every_token_that_prints_as_smallest():
    """When several tokens' |ΔE| / |E| print as the same smallest percent, the words do
    not single one of them out."""
    from scenes.focus import percent

    sentence = (
        "The quiet young baker placed a warm golden loaf on the wooden shelf before she "
        "locked her shop."
    )
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    shown = range(8, trace.n)
    said = changes(trace, head, shown)
    printed = {i: percent(said.ratios[i]) for i in shown}
    lowest = min(printed.values(), key=lambda p: float(p.rstrip("%")))
    tied = [i for i in shown if printed[i] == lowest]
    part = said.sizes_caption.split(" to ")[0]
    if len(tied) == 1:
        assert quoted(trace, tied[0]) in part
    else:
        words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
        assert " and " in part and (len(tied) <= 2 or f"{words[len(tied) - 2]} more)" in part)


def test_a_weightless_key_is_not_drawn_as_a_main_term():
    """ "road" takes almost everything from "narrow": the weighted sum draws that term and
    sums the rest, instead of a "0.00 × the value of “Because”" beside it."""
    sentence = "Because the narrow mountain road was icy, the careful drivers slowed down."
    trace = build_trace(example_from_sentence(sentence), dims="gpt2-small")
    head = trace.head("adjective-noun")
    road = trace.words.index("road")
    shown = column_sum(trace, head, road)
    assert [trace.words[i] for i, _ in shown.terms] == ["narrow"]
    assert "0.00 × the value" not in shown.narration
