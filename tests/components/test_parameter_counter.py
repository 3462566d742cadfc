"""Parameter counter: figures draw the digits of their value, products are exact, braces
count up to their value in a real render."""

from __future__ import annotations

import pytest
from manim import DOWN, LEFT, Scene, Square
from render_helpers import render_scene

from attention_math import PRESETS, parameter_counts
from scenes.components.labels import literal
from scenes.components.parameter_counter import (
    Bottleneck,
    CountBrace,
    ProductLine,
    Tally,
    approx_billions,
    figure,
    grouped,
    rough_fraction,
)

GPT3 = PRESETS["gpt3"]
COUNTS = parameter_counts(GPT3)


def drawn(fig) -> str:
    """The characters a figure draws, in order."""
    return "".join(part.text for part in fig.submobjects)


def test_figure_draws_grouped_digits():
    fig = figure(COUNTS["model/total"])
    assert drawn(fig) == "175,181,291,520" == grouped(COUNTS["model/total"])


def test_product_line_is_exact_or_refused():
    line = ProductLine([GPT3.d_model, GPT3.d_head], COUNTS["head/W_Q"])
    assert [f.get_value() for f in line.factors] == [12_288, 128]
    assert drawn(line.result) == "1,572,864"
    with pytest.raises(ValueError):
        ProductLine([GPT3.d_model, GPT3.d_head], COUNTS["head/W_Q"] + 1)


def test_words_for_shares_and_billions():
    share = COUNTS["model/attention"] / COUNTS["model/total"]
    assert rough_fraction(share) == "about a third"
    assert rough_fraction(0.45) == "45 %"
    assert approx_billions(COUNTS["model/attention"]) == "58 B"


def test_tally_total_must_be_the_sum():
    tally = Tally(LEFT * 3)
    for key in ("head/W_Q", "head/W_K", "head/W_V_down", "head/W_V_up"):
        tally.add_row(literal(key), COUNTS[key])
    tally.add_total("total", COUNTS["head/total"])
    assert drawn(tally.total_figure) == "6,291,456"
    rows_y = [row.get_y() for row in tally.rows]
    assert rows_y == sorted(rows_y, reverse=True)  # each row under the previous one
    with pytest.raises(ValueError):
        Tally(LEFT).add_total("total", 1)


def test_bottleneck_prints_the_real_sizes():
    picture = Bottleneck(GPT3.d_model, GPT3.d_head)
    assert [drawn(f) for f in picture.sizes] == ["12,288", "128", "12,288"]
    assert picture.bars[1].height < picture.bars[0].height


class _Counting(Scene):
    def construct(self):
        square = Square()
        self.brace = CountBrace(square, GPT3.d_model, DOWN, "columns")
        self.add(square)
        self.play(self.brace.count_up())


def test_brace_counts_up_to_its_value_and_stays_under_its_target():
    scene = render_scene(_Counting)
    fig = scene.brace.figure
    assert fig.get_value() == GPT3.d_model and drawn(fig) == "12,288"
    assert fig in scene.mobjects or fig in scene.brace.get_family()
    # the figure faded in before counting: what is on screen at the end is opaque
    assert all(m.get_fill_opacity() == 1 for m in fig.family_members_with_points())
    assert scene.brace.text.get_top()[1] < scene.brace.brace.get_bottom()[1]


def test_a_count_up_shows_only_the_current_digits(monkeypatch):
    """Every picture of a count-up equals the picture of its number drawn alone: the
    digits it started with (listed by manim when the animation began) do not show
    through (they did, as a "0" under every digit)."""
    import numpy as np
    from manim import ORIGIN
    from manim.renderer.cairo_renderer import CairoRenderer

    from scenes.components.parameter_counter import count_up

    label = figure(0, font_size=60)
    seen = []  # (picture, the number it should show)
    add_frame = CairoRenderer.add_frame

    def recording(renderer, frame, num_frames=1):
        seen.append((frame.copy(), label.value))
        return add_frame(renderer, frame, num_frames)

    class Counting(Scene):
        def construct(self):
            self.add(label)
            self.play(count_up(label, 96, lambda m: m.move_to(ORIGIN), run_time=2))

    class Still(Scene):
        value = 0

        def construct(self):
            self.add(figure(self.value, font_size=60).move_to(ORIGIN))

    monkeypatch.setattr(CairoRenderer, "add_frame", recording)
    render_scene(Counting, frame_rate=6)
    monkeypatch.setattr(CairoRenderer, "add_frame", add_frame)
    middle = [(picture, value) for picture, value in seen if 0 < value < 96]
    assert len({value for _, value in middle}) >= 3
    for picture, value in middle:
        Still.value = value
        assert np.array_equal(picture, render_scene(Still).renderer.get_frame()), value


def test_a_product_never_shows_a_result_on_its_way_up():
    line = ProductLine([128, 12_288], 1_572_864)
    values = []

    class Writing(Scene):
        def construct(self):
            line.result.add_updater(lambda m: values.append(m.value))
            self.play(line.write())

    render_scene(Writing, frame_rate=6)
    assert len(values) > 5 and set(values) == {1_572_864}  # never "29,065" on its way
