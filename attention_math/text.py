"""Sentences to tokens, with roles from the lexicon and inline ``word:role`` marks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import regex

from .errors import InputError
from .lexicon import Annotation, Lexicon, roles_text

MAX_SENTENCE_CHARS = 2_000
MAX_WORD_CHARS = 40  # a word labels rows of grids and boxes of token rows
MAX_MARKS = 8  # combining marks on one character (Hebrew with points and accents: ~5)
# Tokens are made of grapheme clusters (``\X``: a character with its combining marks,
# an emoji with its skin tone, a flag's two letters, emoji joined by zero-width
# joiners), never of bare code points: a word with marks (Devanagari, a decomposed
# "café") stays one word, a joined emoji is one token, and no token is a lone mark or
# joiner that draws nothing. A word is a run of clusters that start with a word
# character; any other cluster (punctuation, an emoji) is a token of its own.
_WORD = r"(?:(?=\w)\X)+"
_TOKEN = regex.compile(rf"{_WORD}(?:['’]{_WORD})*|\X")
_INLINE = re.compile(r"^(?P<word>[^\s:]+):(?P<role>[A-Za-z]+)$")
_INLINE_IN_TEXT = re.compile(r"(?<!\S)([^\s:]+):([A-Za-z]+)(?!\S)")
# Invisible characters that only join or select the look of the character before them
# (emoji sequences, Persian and Indic words): allowed after a visible character.
_JOINERS = frozenset("\u200c\u200d" + "".join(chr(c) for c in range(0xFE00, 0xFE10)))
_CLUSTER = regex.compile(r"\X")


@dataclass(frozen=True)
class Token:
    """One token as shown on screen, with what the model knows about it."""

    text: str
    role: str | None  # None: not placed yet (see attention_math.grammar)
    features: tuple[str, ...] = ()  # meaning features from the lexicon
    source: str | None = None  # who gave the role: inline, lexicon, form, tagger, guess,
    # tagger+colour (a colour name modifying a noun: attention_math.grammar)
    relations: tuple[str, ...] = ()  # e.g. "modifies:3" (see attention_math.grammar)

    @property
    def known(self) -> bool:
        return self.role is not None


def check_text(text: str, what: str = "sentence") -> str:
    """Reject text no chapter can show: empty, control characters, absurd length."""
    if not isinstance(text, str):
        raise InputError(f"the {what} must be text")
    if not text.strip():
        raise InputError(f"the {what} is empty")
    if len(text) > MAX_SENTENCE_CHARS:
        raise InputError(
            f"the {what} is {len(text)} characters long; the limit is {MAX_SENTENCE_CHARS}"
        )
    previous = " "
    for ch in text:
        if ch in _JOINERS:
            if previous.isspace():
                raise InputError(
                    f"the {what} has the joiner or variation selector U+{ord(ch):04X} "
                    "with no character before it"
                )
        elif "\udc80" <= ch <= "\udcff":  # how Python keeps a byte that is not UTF-8
            raise InputError(
                f"the {what} is not valid UTF-8 (the byte 0x{ord(ch) - 0xDC00:02X} "
                "is not part of a character)"
            )
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\t\n\r":
            raise InputError(
                f"the {what} contains the control, format or unassigned character U+{ord(ch):04X}"
            )
        previous = ch
    for cluster in _CLUSTER.findall(text):
        marks = sum(unicodedata.category(c)[0] == "M" and c not in _JOINERS for c in cluster)
        if marks > MAX_MARKS:
            raise InputError(
                f"the {what} has a character with {marks} combining marks "
                f"(U+{ord(cluster[0]):04X} ...); the limit is {MAX_MARKS}"
            )
    return text


def tokenize(text: str, lexicon: Lexicon) -> tuple[Token, ...]:
    """Split into words and punctuation; ``tiny:adj`` marks a word's role inline.

    Punctuation gets the role ``punct``; a word the lexicon does not know gets
    no role yet (``Token.known`` is False): :mod:`attention_math.grammar` places it.
    """
    return tokenize_spaced(text, lexicon)[0]


def tokenize_spaced(text: str, lexicon: Lexicon) -> tuple[tuple[Token, ...], tuple[bool, ...]]:
    """:func:`tokenize`, and for each token whether a space follows it."""
    check_text(text)
    tokens: list[Token] = []
    spaced: list[bool] = []
    for chunk in text.split():
        inline = _INLINE.match(chunk)
        if inline:
            role = inline["role"].lower()
            if role not in lexicon.roles:
                raise InputError(
                    f"unknown role {role!r} in {chunk!r} (known roles: {roles_text(lexicon.roles)})"
                )
            word = _short(inline["word"])
            known = lexicon.lookup(word)
            features = known.features if known else ()
            tokens.append(Token(word, role, features, "inline"))
            spaced.append(True)
            continue
        pieces = _TOKEN.findall(chunk)
        for n, piece in enumerate(pieces):
            tokens.append(_annotate(_short(piece), lexicon))
            spaced.append(n == len(pieces) - 1)
    return tuple(tokens), tuple(spaced)


def _short(word: str) -> str:
    """``word``, if it fits on a label: at most ``MAX_WORD_CHARS`` characters (grapheme
    clusters: an emoji sequence or a letter with its marks counts once)."""
    length = len(_CLUSTER.findall(word))
    if length > MAX_WORD_CHARS:
        shown = word[:20] + "..."
        raise InputError(
            f"the word {shown!r} is {length} characters long; the limit is {MAX_WORD_CHARS}"
        )
    return word


def _annotate(piece: str, lexicon: Lexicon) -> Token:
    found: Annotation | None = lexicon.lookup(piece)
    if found is not None:
        return Token(piece, found.role, found.features, "lexicon")
    if not any(ch.isalnum() for ch in piece):
        return Token(piece, "punct", (), "form")
    if piece.isdigit():
        return Token(piece, "num", (), "form")
    return Token(piece, None)


def without_inline_roles(sentence: str, lexicon: Lexicon) -> str:
    """``sentence`` as plain text: inline role marks (``tiny:adj``) are annotations for
    the designed model, not words, so they are dropped ("a tiny red robot"); a colon
    that does not name a role stays ("12:30", "ratio:foo")."""
    roles = set(lexicon.roles)
    return _INLINE_IN_TEXT.sub(lambda m: m[1] if m[2].lower() in roles else m[0], sentence)


def unknown_words(tokens: tuple[Token, ...]) -> list[str]:
    """Distinct words without a role, in order of first appearance."""
    seen: dict[str, None] = {}
    for token in tokens:
        if not token.known:
            seen.setdefault(token.text, None)
    return list(seen)
