"""Byte-level BPE on a tiny hand-made vocabulary (merges in tiny_gguf.MERGES)."""

from __future__ import annotations

import pytest
from tiny_gguf import tiny_vocab

from attention_math.real_model.tokenizer import BPETokenizer, byte_to_unicode, show_bytes


@pytest.fixture(scope="module")
def tok() -> BPETokenizer:
    tokens, merges, types = tiny_vocab()
    return BPETokenizer(tokens, merges, types, split_digits=True)


def byte_id(char: str) -> int:
    return 2 + ord(char)  # two control tokens, then the 256 bytes in order


def test_byte_alphabet_known_spellings():
    alphabet = byte_to_unicode()
    assert len(set(alphabet.values())) == 256
    assert (alphabet[ord(" ")], alphabet[ord("\n")], alphabet[0]) == ("Ġ", "Ċ", "Ā")
    assert alphabet[ord("a")] == "a" and alphabet[0xE9] == "é"


def test_merges_apply_in_rank_order(tok):
    ids, shown = tok.tokenize("a fluffy")
    assert shown == ["a", " fluffy"]
    assert ids == [byte_id("a"), tok.ids["Ġfluffy"]]
    # Without the leading space "Ġ f" never applies: l+u, then f+f, and nothing joins them.
    assert tok.display(tok.encode("fluff")) == ["f", "lu", "ff"]


def test_merge_takes_left_pair_first(tok):
    assert tok.display(tok.encode("fff")) == ["ff", "f"]


def test_pre_tokenizer_splits_like_gpt2_with_single_digits(tok):
    assert tok.pre_tokenize("I'd 42 cats!!  ok") == [
        "I", "'d", " ", "4", "2", " cats", "!!", " ", " ok",
    ]  # fmt: skip
    assert tok.pre_tokenize("café ½ x\n\n") == ["café", " ", "½", " x", "\n\n"]


def test_without_digit_splitting_numbers_keep_their_space(tok):
    tokens, merges, types = tiny_vocab()
    plain = BPETokenizer(tokens, merges, types, split_digits=False)
    assert plain.pre_tokenize("ab 123 ½") == ["ab", " 123", " ½"]


def test_unicode_letters_and_partial_characters(tok):
    ids = tok.encode("é")  # two utf-8 bytes, no merge joins them
    assert ids == [byte_id("Ã"), byte_id("©")]
    assert tok.display(ids) == ["<0xC3>", "<0xA9>"]  # the bytes they are, not U+FFFD
    assert tok.decode(tok.encode("naïve café <|endoftext|>ok")) == "naïve café <|endoftext|>ok"


MIXED = "a 🐈 in 東京, naïve"


def test_bytes_of_cut_characters_show_as_bytes_and_join_back(tok):
    ids = tok.encode(MIXED)
    shown = tok.display(ids)
    assert not any("\ufffd" in t for t in shown)
    assert b"".join(tok.token_bytes(ids)) == MIXED.encode("utf-8")
    # this vocabulary has single bytes only (and "Ġ" merges): every byte its own token
    assert shown[:6] == ["a", " ", "<0xF0>", "<0x9F>", "<0x90>", "<0x88>"]
    assert shown[-4:] == ["<0xC3>", "<0xAF>", "v", "e"]
    assert all(show_bytes(raw) == t for raw, t in zip(tok.token_bytes(ids), shown, strict=True))
    assert tok.decode(ids) == MIXED


def test_shown_bytes_keep_whole_characters_as_text():
    assert show_bytes(" 🐈".encode()) == " 🐈"
    assert show_bytes(" 🐈".encode()[:3]) == " <0xF0><0x9F>"
    assert show_bytes("é東".encode()[1:]) == "<0xA9>東"
    assert show_bytes(b"ok\xff") == "ok<0xFF>"  # never valid utf-8


def test_control_tokens_are_matched_whole(tok):
    assert tok.encode("<|endoftext|>a<|im_start|>") == [0, byte_id("a"), 1]
    assert tok.display([0, 1]) == ["<|endoftext|>", "<|im_start|>"]


def test_empty_text(tok):
    assert tok.tokenize("") == ([], [])


def test_from_gguf_metadata_reads_the_pre_tokenizer():
    tokens, merges, types = tiny_vocab()
    meta = {
        "tokenizer.ggml.model": "gpt2",
        "tokenizer.ggml.tokens": tokens,
        "tokenizer.ggml.merges": merges,
        "tokenizer.ggml.token_type": types,
    }
    assert not BPETokenizer.from_gguf_metadata(meta).split_digits
    smollm = BPETokenizer.from_gguf_metadata({**meta, "tokenizer.ggml.pre": "smollm"})
    assert smollm.split_digits
    with pytest.raises(ValueError, match="pre-tokenizer"):
        BPETokenizer.from_gguf_metadata({**meta, "tokenizer.ggml.pre": "llama3"})
    with pytest.raises(ValueError, match="byte-level"):
        BPETokenizer.from_gguf_metadata({**meta, "tokenizer.ggml.model": "llama"})
