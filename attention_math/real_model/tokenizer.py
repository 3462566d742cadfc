"""GPT-2-style byte-level BPE, built from a GGUF file's ``tokenizer.ggml.*`` metadata.

Encoding a sentence takes four steps:

1. cut out control tokens written literally in the text (``<|endoftext|>``...);
2. pre-tokenise: for the ``smollm`` pre-tokenizer every digit is first split off on its own,
   then GPT-2's pattern cuts words, numbers, punctuation runs and spaces;
3. spell each piece's utf-8 bytes with GPT-2's byte-to-unicode alphabet (a space is ``Ġ``);
4. apply the merges, lowest rank first, and look the resulting symbols up in the vocabulary.

GPT-2's pattern uses the Unicode classes ``\\p{L}`` (letters) and ``\\p{N}`` (numbers), which
the standard ``re`` module lacks. They are rebuilt here, exactly, as explicit character ranges
from :mod:`unicodedata` (categories L* and N*), and ``\\s`` is replaced by the Unicode
White_Space set, so the split matches the reference one. The only possible difference is the
Unicode version: Python's ``unicodedata`` may be older or newer than the reference library's
tables, which matters only for characters assigned in between.

A token is shown as the text of its bytes (:meth:`BPETokenizer.display`). A byte-level
tokenizer often cuts a character of several utf-8 bytes (an emoji, most CJK, many accented
letters) between tokens; such a byte shows as ``<0xF0>``, as llama.cpp and SentencePiece write
byte tokens, never as the replacement character U+FFFD: ``" 🐈"`` is ``' <0xF0><0x9F>'``,
``'<0x90>'``, ``'<0x88>'``. :meth:`BPETokenizer.token_bytes` gives each token's bytes;
joined, they are the text's utf-8 bytes.

SmolLM's own tokenizer and llama.cpp split digits one by one (pre-tokenizer ``smollm``); the
tokenizer that ``transformers`` rebuilds from a GGUF file does not. Since the vocabulary has
no multi-digit tokens, the two agree except on numerals outside ASCII: ``" ½"`` is one piece
there and two here.
"""

from __future__ import annotations

import codecs
import math
import re
import sys
import unicodedata
from collections.abc import Sequence
from functools import cache

import numpy as np

CONTROL = 3  # tokenizer.ggml.token_type of control tokens such as <|endoftext|>

# tokenizer.ggml.pre values whose split is GPT-2's pattern -> whether digits go one by one.
_DIGIT_SPLITTING = {"default": False, "gpt2": False, "smollm": True}

# Unicode White_Space property (what \s means in the reference regex engines).
_WHITE_SPACE = r"\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"

# Letters and numbers all live below U+40000 (planes 4-16 hold none); scanning only that far
# keeps building the classes fast.
_LAST_SCANNED = min(sys.maxunicode, 0x3FFFF)


def _bytes_as_hex(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decoding error handler: bytes that are no whole utf-8 character become ``<0xF0>``."""
    stray = error.object[error.start : error.end]
    return "".join(f"<0x{b:02X}>" for b in stray), error.end


BYTES_AS_HEX = "attention-math-bytes-as-hex"  # the handler's name for bytes.decode
codecs.register_error(BYTES_AS_HEX, _bytes_as_hex)


def whole_characters(raw: bytes) -> bool:
    """Whether a token's bytes are whole utf-8 characters (it can be shown as text)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def punctuation_only(text: str) -> bool:
    """Whether ``text`` holds nothing but punctuation and spaces."""
    return all(unicodedata.category(c).startswith("P") or c.isspace() for c in text)


def show_bytes(raw: bytes) -> str:
    """``raw`` as text, any byte that is not part of a whole utf-8 character as ``<0xNN>``:
    ``b" \xf0\x9f"`` -> ``' <0xF0><0x9F>'``."""
    return raw.decode("utf-8", errors=BYTES_AS_HEX)


@cache
def byte_to_unicode() -> dict[int, str]:
    """GPT-2's reversible spelling of the 256 byte values as printable characters.

    Printable Latin-1 bytes stand for themselves; the others (controls, space...) are moved
    to code points 256 and up, in order, so that no token ever contains a space.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(0xA1, 0xAC + 1), *range(0xAE, 0xFF + 1)]
    spelled = {b: chr(b) for b in printable}
    for n, b in enumerate(b for b in range(256) if b not in spelled):
        spelled[b] = chr(256 + n)
    return spelled


@cache
def unicode_to_byte() -> dict[str, int]:
    return {char: byte for byte, char in byte_to_unicode().items()}


def _class_bodies(majors: str) -> dict[str, str]:
    """For each major category (``"L"``, ``"N"``...), a regex character-class body listing
    every code point of that category as ranges."""
    ranges: dict[str, list[str]] = {major: [] for major in majors}
    run_major, run_start = "", 0
    for code in range(_LAST_SCANNED + 2):
        major = unicodedata.category(chr(code))[0] if code <= _LAST_SCANNED else ""
        if major != run_major:
            if run_major in ranges:
                ranges[run_major].append(f"\\U{run_start:08x}-\\U{code - 1:08x}")
            run_major, run_start = major, code
    return {major: "".join(body) for major, body in ranges.items()}


@cache
def _split_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(digit splitter, GPT-2 pattern), with ``\\p{L}``, ``\\p{N}``, ``\\s`` spelled out."""
    bodies = _class_bodies("LN")
    letter, number, space = bodies["L"], bodies["N"], _WHITE_SPACE
    gpt2 = (
        rf"'s|'t|'re|'ve|'m|'ll|'d| ?[{letter}]+| ?[{number}]+| ?[^{space}{letter}{number}]+"
        rf"|[{space}]+(?![^{space}])|[{space}]+"
    )
    return re.compile(f"[{number}]"), re.compile(gpt2)


class BPETokenizer:
    """Byte-level BPE tokenizer.

    Parameters
    ----------
    tokens
        The vocabulary, spelled in the byte-to-unicode alphabet, indexed by token id.
    merges
        Merge rules ``"left right"``, best (lowest rank) first.
    token_types
        Per-token type codes (GGUF ``tokenizer.ggml.token_type``); control tokens (type 3)
        written in the text are matched whole.
    split_digits
        Split every digit off on its own before the GPT-2 pattern (SmolLM's pre-tokenizer).
    """

    def __init__(
        self,
        tokens: Sequence[str],
        merges: Sequence[str],
        token_types: Sequence[int] | np.ndarray | None = None,
        split_digits: bool = True,
    ) -> None:
        self.tokens = list(tokens)
        self.ids = {token: i for i, token in enumerate(self.tokens)}
        self.ranks = {tuple(merge.split(" ", 1)): rank for rank, merge in enumerate(merges)}
        types = np.zeros(len(self.tokens), dtype=int) if token_types is None else token_types
        controls = [t for t, kind in zip(self.tokens, types, strict=True) if kind == CONTROL]
        by_length = sorted(controls, key=len, reverse=True)  # longest match first
        self.control_pattern = re.compile("|".join(map(re.escape, by_length))) if controls else None
        self.split_digits = split_digits
        self._bpe_cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_gguf_metadata(cls, metadata: dict) -> BPETokenizer:
        """Build from ``tokenizer.ggml.*`` keys; only the ``gpt2`` (byte-level) model is known."""
        model = metadata.get("tokenizer.ggml.model")
        if model != "gpt2":
            raise ValueError(f"tokenizer model {model!r} is not byte-level BPE ('gpt2')")
        pre = metadata.get("tokenizer.ggml.pre", "default")
        if pre not in _DIGIT_SPLITTING:
            raise ValueError(f"pre-tokenizer {pre!r} is not supported (only gpt2 / smollm)")
        return cls(
            metadata["tokenizer.ggml.tokens"],
            metadata["tokenizer.ggml.merges"],
            metadata.get("tokenizer.ggml.token_type"),
            split_digits=_DIGIT_SPLITTING[pre],
        )

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text`` (no beginning-of-sequence token is added)."""
        ids: list[int] = []
        for piece, is_control in self._control_split(text):
            if is_control:
                ids.append(self.ids[piece])
                continue
            for word in self.pre_tokenize(piece):
                spelled = "".join(byte_to_unicode()[b] for b in word.encode("utf-8"))
                ids.extend(self.ids[symbol] for symbol in self._bpe(spelled))
        return ids

    def display(self, ids: Sequence[int]) -> list[str]:
        """Each token as readable text: ``'Ġfluffy'`` -> ``' fluffy'``.

        Bytes of a token that are only part of a multi-byte character show as ``<0xNN>``
        (:func:`show_bytes`): ``'ĠðŁ'``, the space and first two bytes of an emoji, shows
        as ``' <0xF0><0x9F>'``.
        """
        return [show_bytes(raw) for raw in self.token_bytes(ids)]

    def token_bytes(self, ids: Sequence[int]) -> list[bytes]:
        """The bytes each token stands for; joined, those of the text."""
        return [_token_bytes(self.tokens[i]) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        """The text of a run of tokens (bytes joined first, so split characters come back;
        a character the run cuts shows as ``<0xNN>`` bytes)."""
        return show_bytes(b"".join(self.token_bytes(ids)))

    def tokenize(self, text: str) -> tuple[list[int], list[str]]:
        """``(ids, display strings)`` of ``text``."""
        ids = self.encode(text)
        return ids, self.display(ids)

    def pre_tokenize(self, text: str) -> list[str]:
        """Cut ``text`` into the pieces that BPE works on separately."""
        digit, gpt2 = _split_patterns()
        chunks = _isolate(digit, text) if self.split_digits else [text]
        return [word for chunk in chunks for word in gpt2.findall(chunk)]

    def _control_split(self, text: str) -> list[tuple[str, bool]]:
        if self.control_pattern is None:
            return [(text, False)]
        pieces, start = [], 0
        for match in self.control_pattern.finditer(text):
            pieces += [(text[start : match.start()], False), (match.group(), True)]
            start = match.end()
        pieces.append((text[start:], False))
        return [(piece, is_control) for piece, is_control in pieces if piece]

    def _bpe(self, word: str) -> tuple[str, ...]:
        """Merge the symbols of one spelled piece, best-ranked pair first, until none applies."""
        if word in self._bpe_cache:
            return self._bpe_cache[word]
        symbols = list(word)
        while len(symbols) > 1:
            pairs = set(zip(symbols, symbols[1:], strict=False))
            best = min(pairs, key=lambda pair: self.ranks.get(pair, math.inf))
            if best not in self.ranks:
                break
            symbols = _merge(symbols, best)
        self._bpe_cache[word] = tuple(symbols)
        return self._bpe_cache[word]


def _token_bytes(token: str) -> bytes:
    """The bytes a token stands for; a token outside the byte alphabet is plain text."""
    to_byte = unicode_to_byte()
    if all(char in to_byte for char in token):
        return bytes(to_byte[char] for char in token)
    return token.encode("utf-8")


def _merge(symbols: list[str], pair: tuple[str, str]) -> list[str]:
    """Replace every non-overlapping occurrence of ``pair``, left to right, by its join."""
    merged, i = [], 0
    while i < len(symbols):
        if i + 1 < len(symbols) and (symbols[i], symbols[i + 1]) == pair:
            merged.append(symbols[i] + symbols[i + 1])
            i += 2
        else:
            merged.append(symbols[i])
            i += 1
    return merged


def _isolate(pattern: re.Pattern[str], text: str) -> list[str]:
    """Split ``text`` so that each match of ``pattern`` is a piece of its own."""
    pieces, start = [], 0
    for match in pattern.finditer(text):
        pieces += [text[start : match.start()], match.group()]
        start = match.end()
    pieces.append(text[start:])
    return [piece for piece in pieces if piece]
