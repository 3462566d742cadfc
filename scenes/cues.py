"""A beat's narration as subtitle cues a viewer can read: two short lines at most each.

A beat says one to a few sentences, sometimes 150 words; as one cue it would cover the
picture for a minute. :func:`cues` cuts it at sentence ends first, then at clause marks
(";", ":", ","), then between words, into cues of at most ``CUE_CHARS`` characters, each
set on two lines of even length; :func:`timed` shares the beat's time among them by the
time each takes to read (a beat lasts at least :func:`reading_seconds`, so each cue then
gets its own reading time). Joined with spaces (and their
line breaks read as spaces) the cues give the narration back exactly.

A short aside in brackets or quotes ("(weights 0.39, 0.52)", "“a fluffy blue
creature”"), a formula ("|ΔE| = 63", "56 × 56") and a number with the word before it
("butler 0.94") are never cut: :func:`_glued` joins them before cutting.
"""

from __future__ import annotations

import re
import textwrap

CUE_CHARS = 84  # two lines of 42 characters, the usual limit of a subtitle line
# Reading pace: subtitle guidelines ask for at most about 3 words, or 17-20 characters, a
# second; a cue needs whichever takes longer (characters count where words are long:
# "12,288-dimensional embeddings"; words where they are short: "it is on the mat").
READING_RATE = 3.0
READING_CHARS = 17.0
LINE_CHARS = 42
SHORT_CUE = 24  # a cue shorter than this is joined to its neighbour (or shares with it)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_CLAUSE_END = re.compile(r"(?<=[;:,])\s+")
GLUE = "\ue000"  # stands for a space no cue may be cut at, while cutting
GLUED_CHARS = LINE_CHARS  # the longest run kept whole: it must fit on one line
_PAIRS = {"(": ")", "[": "]", "\u201c": "\u201d", "\u2018": "\u2019"}
_OPERATORS = {"=", "\u2248", "+", "\u2212", "-", "\u00d7", "\u00b7", "\u2192", "\u2190", "/"}
_NUMBER = re.compile(r"^[\u2212\-]?\d[\d,.]*%?[)\].,;:]*$")


def cues(text: str, limit: int = CUE_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (a single longer word stays
    whole), cut at sentence ends, then clause marks, then spaces; each on two lines
    at most (:func:`two_lines`)."""
    glued = _glued(text.strip())
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(glued):
        pieces += _packed(_CLAUSE_END.split(sentence), limit)
    return [two_lines(piece).replace(GLUE, " ") for piece in _no_orphans(pieces, limit) if piece]


def _glued(text: str) -> str:
    """``text`` with :data:`GLUE` for each space a cue should not be cut at: inside a
    short bracket or quote, around an operator, before a number (not after a sentence or
    clause mark); a run so joined that
    would not fit one line (:data:`GLUED_CHARS`) is left free."""
    if GLUE in text:
        return text
    chars = list(text)
    for start, end in _bracketed(text):
        if end - start < GLUED_CHARS:
            for k in range(start, end):
                if chars[k] == " ":
                    chars[k] = GLUE
    words = text.split(" ")
    at = 0
    for k, word in enumerate(words[:-1]):
        at += len(word)  # the space after words[k]
        after = words[k + 1]
        if word.endswith((".", "!", "?", "\u2026", ";", ":", ",")):
            pass  # a sentence or clause ends here: cut as ever
        elif word in _OPERATORS or after in _OPERATORS or _NUMBER.match(after):
            chars[at] = GLUE
        at += 1
    runs = "".join(chars).split(" ")
    return " ".join(run if len(run) <= GLUED_CHARS else run.replace(GLUE, " ") for run in runs)


def _bracketed(text: str) -> list[tuple[int, int]]:
    """(start, end) of each matched pair of brackets or curly quotes in ``text``."""
    found, stack = [], []
    for k, char in enumerate(text):
        if char in _PAIRS:
            stack.append((char, k))
        elif stack and char == _PAIRS[stack[-1][0]]:
            found.append((stack.pop()[1], k))
    return found


def _no_orphans(pieces: list[str], limit: int) -> list[str]:
    """``pieces`` with none shorter than ``SHORT_CUE`` next to another ("caresser”." or
    "For example," alone for half a second): a short one is joined to its shorter
    neighbour when both fit ``limit``, else the two are cut again into halves as even as
    their words allow."""
    pieces = list(pieces)
    k = 0
    while k < len(pieces):
        if len(pieces[k]) >= SHORT_CUE or len(pieces) < 2:
            k += 1
            continue
        neighbours = [j for j in (k - 1, k + 1) if 0 <= j < len(pieces)]
        j = min(neighbours, key=lambda j: len(pieces[j]))
        a, b = sorted((j, k))
        both = pieces[a] + " " + pieces[b]
        if len(both) <= limit:
            pieces[a : b + 1] = [both]
            k = a
            continue
        pieces[a : b + 1] = _halves(both)
        k = b + 1
    return pieces


def _halves(text: str) -> list[str]:
    """``text`` cut between words into two parts of lengths as near each other as can be."""
    words = text.split(" ")
    best = min(
        range(1, len(words)),
        key=lambda n: abs(len(" ".join(words[:n])) - len(" ".join(words[n:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def _packed(parts: list[str], limit: int) -> list[str]:
    """``parts`` (in order) joined with spaces into as few pieces of at most ``limit``
    characters as they fit in; a part too long on its own is cut between words, into
    pieces of even length."""
    pieces: list[str] = []
    for part in parts:
        if pieces and len(pieces[-1]) + 1 + len(part) <= limit:
            pieces[-1] += " " + part
        elif len(part) <= limit:
            pieces.append(part)
        else:
            count = -(-len(part) // limit)  # pieces needed, then as even as words allow
            pieces += textwrap.wrap(
                part, -(-len(part) // count), break_long_words=False, break_on_hyphens=False
            )
    return pieces


def two_lines(piece: str) -> str:
    """``piece`` on one line if it fits ``LINE_CHARS``, else on two lines of even length."""
    if len(piece) <= LINE_CHARS:
        return piece
    if " " not in piece:
        return piece
    return "\n".join(_halves(piece))


def cue_seconds(piece: str) -> float:
    """How long one cue takes to read: :data:`READING_RATE` words or
    :data:`READING_CHARS` characters a second, whichever takes longer."""
    flat = piece.replace("\n", " ")
    return max(len(flat.split()) / READING_RATE, len(flat) / READING_CHARS)


def reading_seconds(text: str) -> float:
    """How long ``text`` takes to read as its subtitle cues (:func:`cue_seconds`)."""
    return sum(cue_seconds(piece) for piece in cues(text)) if text.strip() else 0.0


def timed(text: str, seconds: float) -> list[tuple[str, float, float]]:
    """:func:`cues` of ``text`` with each one's (start, end) in seconds from the beat's
    start, sharing ``seconds`` by the time each takes to read (:func:`cue_seconds`):
    every cue of a beat gets its share, "Directions carry meaning." and
    "12,288-dimensional embeddings" alike; given :func:`reading_seconds` or more, none
    is read faster than the reading pace."""
    pieces = cues(text)
    needs = [cue_seconds(p) for p in pieces]
    total = sum(needs) or 1
    out, at = [], 0.0
    for piece, need in zip(pieces, needs, strict=True):
        length = seconds * need / total
        out.append((piece, at, at + length))
        at += length
    return out


def said_at(text: str, index: int, seconds: float) -> float:
    """When the cue holding character ``index`` of ``text`` starts, the beat's
    ``seconds`` shared as :func:`timed` shares them: the moment its subtitle shows."""
    at = 0  # where each cue starts in ``text`` (cues rejoin with single spaces)
    for piece, start, _ in timed(text, seconds):
        at += len(piece) + 1
        if index < at:
            return start
    return seconds


__all__ = [
    "CUE_CHARS",
    "LINE_CHARS",
    "cue_seconds",
    "cues",
    "reading_seconds",
    "said_at",
    "timed",
    "two_lines",
]
