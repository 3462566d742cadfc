"""Sentences to tokens, with roles from the lexicon and inline ``word:role`` marks."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .errors import InputError
from .lexicon import Annotation, Lexicon

MAX_SENTENCE_CHARS = 2_000
_TOKEN = re.compile(r"\w+(?:['’]\w+)*|[^\w\s]")
_INLINE = re.compile(r"^(?P<word>[^\s:]+):(?P<role>[A-Za-z]+)$")


@dataclass(frozen=True)
class Token:
    """One token as shown on screen, with what the model knows about it."""

    text: str
    role: str | None  # None: a word the lexicon does not know
    features: tuple[str, ...] = ()

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
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\t\n\r":
            if ch in "\u200d\ufe0f":  # joiners inside emoji sequences are fine
                continue
            raise InputError(
                f"the {what} contains the control or unassigned character U+{ord(ch):04X}"
            )
    return text


def tokenize(text: str, lexicon: Lexicon) -> tuple[Token, ...]:
    """Split into words and punctuation; ``tiny:adj`` marks a word's role inline.

    Punctuation gets the role ``punct``; a word the lexicon does not know gets
    no role (``Token.known`` is False).
    """
    check_text(text)
    tokens: list[Token] = []
    for chunk in text.split():
        inline = _INLINE.match(chunk)
        if inline:
            role = inline["role"].lower()
            if role not in lexicon.roles:
                raise InputError(
                    f"unknown role {role!r} in {chunk!r} (known roles: {', '.join(lexicon.roles)})"
                )
            word = inline["word"]
            known = lexicon.lookup(word)
            features = known.features if known else ()
            tokens.append(Token(word, role, features))
            continue
        for piece in _TOKEN.findall(chunk):
            tokens.append(_annotate(piece, lexicon))
    return tuple(tokens)


def _annotate(piece: str, lexicon: Lexicon) -> Token:
    found: Annotation | None = lexicon.lookup(piece)
    if found is not None:
        return Token(piece, found.role, found.features)
    if not any(ch.isalnum() for ch in piece):
        return Token(piece, "punct")
    if piece.isdigit():
        return Token(piece, "num")
    return Token(piece, None)


def unknown_words(tokens: tuple[Token, ...]) -> list[str]:
    """Distinct words without a role, in order of first appearance."""
    seen: dict[str, None] = {}
    for token in tokens:
        if not token.known:
            seen.setdefault(token.text, None)
    return list(seen)
