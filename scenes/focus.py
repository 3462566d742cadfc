"""What a chapter points at, chosen from the trace so that any sentence works.

The lesson's running example highlights "creature" attending to "fluffy"; another
sentence has other nouns and adjectives, or none at all. These helpers pick the
tokens to talk about from the relations the parser found (which adjective modifies
which noun) and the computed pattern, and fall back gracefully (strongest link to an
earlier token; a sentence of one token attends to itself).

Example::

    link = main_link(trace, trace.head("adjective-noun"))
    f"{quoted(trace, link.query)} takes {percent(link.weight)} from {quoted(trace, link.key)}"
"""

from __future__ import annotations

from dataclasses import dataclass

from attention_math import HeadTrace, Trace

NOUNS = ("noun", "propn")
ADJECTIVES = ("adj",)


@dataclass(frozen=True)
class Link:
    """Query token ``query`` takes ``weight`` of its attention from key token ``key``."""

    key: int
    query: int
    weight: float
    kind: str  # "adjective-noun", "earlier" or "self"


def roles(trace: Trace) -> list[str | None]:
    return [t.role for t in trace.tokens]


def modifiers(trace: Trace) -> list[tuple[int, int]]:
    """Every (adjective, noun) pair the parser found (``modifies`` relations, see
    attention_math.grammar), in sentence order of the adjective."""
    return sorted({(r.source, r.target) for r in trace.relations if r.kind == "modifies"})


def own_adjectives(trace: Trace, noun: int) -> list[int]:
    """The adjectives before ``noun`` that the parser found modifying it, in order."""
    return [i for i, j in modifiers(trace) if j == noun and i < noun]


def adjective_noun_links(trace: Trace, head: HeadTrace, min_weight: float = 0.2) -> list[Link]:
    """Every adjective -> noun link the parser found, with the adjective before its noun
    and carrying at least ``min_weight``, in order of the noun, then the adjective."""
    return [
        Link(i, j, float(head.pattern[j, i]), "adjective-noun")
        for j in range(trace.n)
        for i in own_adjectives(trace, j)
        if head.pattern[j, i] >= min_weight
    ]


def earlier_links(head: HeadTrace, count: int = 3, min_weight: float = 0.2) -> list[Link]:
    """The ``count`` strongest links from an earlier token to a later one."""
    n = head.pattern.shape[0]
    pairs = [(float(head.pattern[j, i]), i, j) for j in range(n) for i in range(j)]
    pairs = sorted((p for p in pairs if p[0] >= min_weight), reverse=True)[:count]
    return [Link(i, j, w, "earlier") for w, i, j in sorted(pairs, key=lambda p: (p[2], p[1]))]


def links(trace: Trace, head: HeadTrace, min_weight: float = 0.2) -> list[Link]:
    """Adjective -> noun links if the sentence has any, otherwise the strongest earlier links."""
    return adjective_noun_links(trace, head, min_weight) or earlier_links(head, 3, min_weight)


def main_link(trace: Trace, head: HeadTrace) -> Link:
    """The one link a chapter talks about.

    The richest adjective -> noun group: the noun with the most adjectives before it
    (the lesson's "creature", described by both "fluffy" and "blue"; ties go to the
    earlier noun), with its strongest adjective; else the strongest link to an earlier
    token; for a single token, the token and itself.
    """
    found = adjective_noun_links(trace, head, 0.0)
    if found:
        count = {j: len(own_adjectives(trace, j)) for j in {link.query for link in found}}
        query = max(count, key=lambda j: (count[j], -j))
        return max((link for link in found if link.query == query), key=lambda x: x.weight)
    found = earlier_links(head, 1, 0.0)
    if found:
        return found[0]
    return Link(0, 0, float(head.pattern[0, 0]), "self")


def quote(text: str) -> str:
    """Words as narration and captions quote them: “creature”."""
    return f"\u201c{text}\u201d"


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def quoted(trace: Trace, index: int) -> str:
    """The trace's token ``index``, quoted: “creature”; a word the sentence has more than
    once is told apart by its place among them: the second “the”."""
    word = trace.words[index]
    same = [i for i, w in enumerate(trace.words) if w.casefold() == word.casefold()]
    if len(same) == 1:
        return quote(word)
    k = same.index(index)
    if k < len(ORDINALS):
        return f"the {ORDINALS[k]} {quote(word)}"
    return f"{quote(word)} (token {index + 1})"


def percent(weight: float) -> str:
    """0.4551 -> "46%"."""
    return f"{100 * weight:.0f}%"


def plural(count: int, word: str) -> str:
    """3, "token" -> "3 tokens"; 1, "token" -> "1 token"."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def both(names: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b and c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def either(names: list[str]) -> str:
    """["a"] -> "a"; ["a", "b", "c"] -> "a, b or c"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
