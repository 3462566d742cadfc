"""Chapter 7 prints every parameter count from the core: each figure drawn is the
core's count (digit for digit), and the square value map's entries are real products."""

from __future__ import annotations

import re

import numpy as np
import pytest
from manim import DL, UR, ManimColor
from render_helpers import last_frame, render_scene, scene_duration

from attention_math import build_trace, load_example, parameter_counts
from attention_math.dims import PRESETS
from scenes.ch07_counting_parameters import SAMPLE, SHOWN, CountingParameters, square_value_sample
from scenes.components.entries import shown_array
from scenes.facts.ch07_counting_parameters import bar_percent, rest_said, rest_terms

EXPECTED_KEYS = {
    "head/W_Q",
    "head/W_K",
    "head/full_W_V",
    "head/W_V_down",
    "head/W_V_up",
    "head/total",
    "layer/attention",
    "model/attention",
    "model/mlp",
    "model/total",
    "dims/n_heads",
    "dims/n_layers",
}


@pytest.fixture(scope="module")
def chapter():
    return render_scene(CountingParameters)


def drawn(fig) -> str:
    return "".join(part.text for part in fig.submobjects)


def test_chapter_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert [name for name, _ in chapter.narration] == [
        "query-key",
        "full-value",
        "low-rank",
        "one-head",
        "one-layer",
        "all-layers",
        "share",
    ]
    assert last_frame(chapter)[..., :3].max() > 100  # the chapter ends on its picture


def test_every_figure_is_the_cores_count(chapter):
    counts = parameter_counts(chapter.trace.dims)
    dims = chapter.trace.dims
    assert {key for key, _ in chapter.figures} == EXPECTED_KEYS
    for key, fig in chapter.figures:
        expected = getattr(dims, key[5:]) if key.startswith("dims/") else counts[key]
        assert fig.get_value() == expected, key
        assert drawn(fig) == f"{expected:,}", key


def test_published_figures_appear(chapter):
    shown = {drawn(fig) for _, fig in chapter.figures}
    assert {"1,572,864", "150,994,944", "6,291,456", "603,979,776"} <= shown
    assert {"57,982,058,496", "175,181,291,520"} <= shown
    text = " ".join(narration for _, narration in chapter.narration)
    assert "57,982,058,496" in text and "about a third" in text


def test_tally_rows_are_the_four_matrices(chapter):
    counts = parameter_counts(chapter.trace.dims)
    keys = ("head/W_Q", "head/W_K", "head/W_V_down", "head/W_V_up")
    assert chapter.tally.values == [counts[k] for k in keys]


def test_square_value_map_entries_are_real_products(chapter):
    weights = chapter.trace.heads[0].weights
    W_V = chapter.full_value
    d = weights.W_V_up.shape[0]
    rows = [SAMPLE[i] % d for i in SHOWN]
    block = weights.W_V_up[rows] @ weights.W_V_down[:, rows]  # (5, 5) entries of up . down
    assert np.array_equal(W_V.displayed, shown_array(block * 10.0**W_V.exponent, 1))


def test_square_value_rms_without_forming_the_map():
    rng = np.random.default_rng(0)
    up, down = rng.standard_normal((300, 8)), rng.standard_normal((8, 300))
    _, exponent = square_value_sample(up, down)
    rms = np.sqrt(np.mean((up @ down) ** 2))
    assert exponent == -int(np.floor(np.log10(rms)))


def test_counts_follow_other_dims():
    trace = build_trace(load_example("tiny-robot"), dims="gpt2-small")
    counts = parameter_counts(trace.dims)
    assert counts["head/W_Q"] == 768 * 64  # the figures are read, not typed


def test_shapes_are_written_rows_by_columns_as_the_braces_count_them(chapter):
    d = chapter.trace.dims
    expected = {
        "head/W_Q": (d.d_head, d.d_model),
        "head/W_K": (d.d_head, d.d_model),
        "head/full_W_V": (d.d_model, d.d_model),
        "head/W_V_down": (d.d_head, d.d_model),
        "head/W_V_up": (d.d_model, d.d_head),
    }
    weights = chapter.trace.heads[0].weights
    assert weights.W_Q.shape == expected["head/W_Q"]
    assert weights.W_V_up.shape == expected["head/W_V_up"]
    assert set(chapter.shapes) == set(expected)
    for key, (rows, cols) in expected.items():
        row_brace, col_brace, product = chapter.shapes[key]
        assert (row_brace.value, col_brace.value) == (rows, cols)
        assert [drawn(f) for f in product.factors] == [f"{rows:,}", f"{cols:,}"]
        assert row_brace.direction[0] < 0 and col_brace.direction[1] < 0  # left, below


def test_the_value_maps_said_together_are_on_screen(chapter):
    """Review: "together 3,145,728" was said and never shown."""
    counts = parameter_counts(chapter.trace.dims)
    together = counts["head/W_V_down"] + counts["head/W_V_up"]
    assert chapter.together.value == together
    assert drawn(chapter.together.result) == f"{together:,}"
    assert f"= {together:,}" in dict(chapter.narration)["low-rank"]
    # the full map as a multiple of W_Q, said and drawn
    multiple = counts["head/full_W_V"] // counts["head/W_Q"]
    assert [drawn(f) for f in chapter.multiple.factors] == [
        f"{multiple}",
        f"{counts['head/W_Q']:,}",
    ]
    assert f"{multiple} × {counts['head/W_Q']:,}" in dict(chapter.narration)["full-value"]


def test_the_shares_said_are_the_bars(chapter):
    counts = parameter_counts(chapter.trace.dims)
    total = counts["model/total"]
    rest = total - counts["model/attention"] - counts["model/mlp"]
    said = dict(chapter.narration)["share"]
    for value in (counts["model/attention"], counts["model/mlp"], rest):
        assert f"{100 * value / total:.1f} %" in said


def boxes_meet(a, b, pad: float = 0.0) -> bool:
    """Whether the bounding boxes of ``a`` and ``b`` overlap (``a``'s grown by ``pad``)."""
    (a0, a1), (b0, b1) = (a.get_corner(DL), a.get_corner(UR)), (b.get_corner(DL), b.get_corner(UR))
    return bool(np.all(a0[:2] - pad < b1[:2]) and np.all(b0[:2] < a1[:2] + pad))


def test_the_cross_strikes_the_entries_not_the_true_labels(chapter):
    """Review: the red cross struck through the "×10⁻³" factor of the entries."""
    W_V, cross = chapter.full_value, chapter.cross
    pad = cross.get_stroke_width() * 0.01 / 2  # half the stroke, in scene units
    assert boxes_meet(cross, W_V.body)  # it does cross the entries out
    row_brace, col_brace, product = chapter.shapes["head/full_W_V"]
    true = [W_V.get_label(), row_brace, col_brace, product, chapter.multiple]
    assert W_V.get_factor() is not None  # the default's entries are drawn scaled
    for label in [*true, W_V.get_factor()]:
        assert not boxes_meet(cross, label, pad)


def contrast_on_black(color) -> float:
    """WCAG contrast ratio of ``color`` against black (21 for white, 1 for black)."""
    channels = np.array(color.to_rgb(), dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    luminance = float(linear @ [0.2126, 0.7152, 0.0722])
    return (luminance + 0.05) / 0.05


def test_the_tally_is_legible_on_black(chapter):
    """Review: the value-down name in the tally was dark red on black, hard to read."""
    for label, fig in chapter.tally.rows:
        for mob in (label, fig):
            colors = {m.get_fill_color().to_hex() for m in mob.family_members_with_points()}
            for color in colors:  # the AA level for text
                assert contrast_on_black(ManimColor(color)) >= 4.5, color


def test_the_embeddings_figure_says_how_it_adds_up(chapter):
    """Review: 1,235,116,032 is an input and an output table of vocab_size x d_model
    numbers each; the bar and the narration say so, so that a student can check it."""
    d = chapter.trace.dims
    counts = parameter_counts(d)
    table = d.vocab_size * d.d_model
    rest = counts["model/total"] - counts["model/attention"] - counts["model/mlp"]
    assert rest == 2 * table  # GPT-3 as the lesson counts it
    name, fig, terms, _share = chapter.share_bar.labels["rest"]
    assert drawn(fig) == f"{rest:,}"
    assert f"2×{table:,}" in terms.text  # Text drops spaces
    assert f"an output table of {table:,} numbers each" in dict(chapter.narration)["share"]


def test_the_rest_adds_up_for_other_dims():
    counts = parameter_counts(PRESETS["gpt2-small"])
    rest = counts["model/total"] - counts["model/attention"] - counts["model/mlp"]
    written = rest_terms(counts)  # each part by name: GPT-2 small ties its tables
    parts = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", written)]
    assert sum(parts) == rest and len(parts) >= 2
    assert bar_percent(counts, "rest") in rest_said(counts) and written in rest_said(counts)
