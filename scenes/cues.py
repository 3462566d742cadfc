"""A beat's narration as subtitle cues a viewer can read: two short lines at most each.

A beat says one to a few sentences, sometimes 150 words; as one cue it would cover the
picture for a minute. :func:`cues` cuts it at sentence ends first, then at clause marks
(";", ":", ","), then between words, into cues of at most ``CUE_CHARS`` characters, each
set on two lines of even length; :func:`timed` shares the beat's time among them by the
time each takes to read (a beat lasts at least :func:`reading_seconds`, so each cue then
gets its own reading time). Joined with spaces (and their
line breaks read as spaces) the cues give the narration back exactly.
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


def cues(text: str, limit: int = CUE_CHARS) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters (a single longer word stays
    whole), cut at sentence ends, then clause marks, then spaces; each on two lines
    at most (:func:`two_lines`)."""
    pieces: list[str] = []
    for sentence in _SENTENCE_END.split(text.strip()):
        pieces += _packed(_CLAUSE_END.split(sentence), limit)
    return [two_lines(piece) for piece in _no_orphans(pieces, limit) if piece]


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


__all__ = [
    "CUE_CHARS",
    "LINE_CHARS",
    "cue_seconds",
    "cues",
    "reading_seconds",
    "timed",
    "two_lines",
]
