"""Parameter counts against the published figures; the orientation rule of weight matrices."""

import numpy as np
from conftest import SMALL

from attention_math import build_trace, example_from_sentence
from attention_math.dims import PRESETS, parameter_counts


def test_gpt3_attention_counts_from_the_lesson():
    c = parameter_counts(PRESETS["gpt3"])
    assert c["head/W_Q"] == c["head/W_K"] == 1_572_864
    assert c["head/full_W_V"] == 150_994_944
    assert c["head/total"] == 6_291_456
    assert c["layer/attention"] == 603_979_776
    assert c["model/attention"] == 57_982_058_496


def test_gpt3_total_is_the_published_175_181_291_520():
    assert parameter_counts(PRESETS["gpt3"])["model/total"] == 175_181_291_520


def test_gpt2_small_total_is_the_published_124_439_808():
    # GPT-2 small as released (biases, layer norms, learned positions, tied embedding).
    assert parameter_counts(PRESETS["gpt2-small"])["model/total"] == 124_439_808


def test_attention_is_about_a_third_of_gpt3():
    c = parameter_counts(PRESETS["gpt3"])
    assert 0.32 < c["model/attention"] / c["model/total"] < 0.34


def test_context_lengths_are_the_published_ones():
    # GPT-3 paper (Brown et al. 2020), section 2.1: n_ctx = 2048; GPT-2 config: n_ctx = 1024.
    assert PRESETS["gpt3"].context_length == 2048
    assert PRESETS["gpt2-small"].context_length == PRESETS["gpt2-small"].n_positions == 1024


def test_designed_weights_are_d_out_by_d_in():
    # the orientation rule of attention_math.dims: W_<name> is (d_out, d_in), E @ W.T
    trace = build_trace(example_from_sentence("a fluffy blue creature"), dims=SMALL)
    d, k, H = SMALL.d_model, SMALL.d_head, len(trace.heads)
    for head in trace.heads:
        W = head.weights
        assert W.W_Q.shape == W.W_K.shape == W.W_V_down.shape == (k, d)
        assert W.W_V_up.shape == (d, k)
        assert np.array_equal(head.Q, trace.E @ W.W_Q.T)
    assert trace.W_O.shape == (d, H * k)
