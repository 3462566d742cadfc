"""What chapter 9 reads off the trace and says about it, without drawing: which question
each designed head asks and where it finds (or misses) its answer, how alike the heads'
patterns are (:func:`most_alike`, :func:`alike_said`), the tokens the small patterns show,
and every head's change to the lesson's noun (:func:`changes_of_every_head`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fnmatch import fnmatchcase
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from attention_math.grammar import THIRD_PERSON
from scenes.components import palette
from scenes.focus import NOUNS, Link, both, either, main_link, quoted, roles

if TYPE_CHECKING:
    from manim import ManimColor

ADJECTIVE_HEAD = "adjective-noun"
CONTEXT_HEAD = "context-meaning"
SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
# Most tokens a small pattern shows: with five patterns in a row, a weight-0.25 dot is then
# still about 4 px wide at 854 x 480.
THUMBNAIL_TOKENS = 22
DIFFERENT = 20  # percent of attention placed differently from which two patterns "differ"
# who asks a relation head's question, whether or not the sentence answers it: a noun
# looks for its adjectives, a verb for its subject, a third-person pronoun for its noun
ASKERS = {"modifies": ("noun", "propn"), "subject-of": ("verb",), "antecedent-of": ("pron",)}


def head_mark(h: int) -> str:
    """ "ΔE⁽²⁾" for the second head."""
    return f"ΔE{f'({h + 1})'.translate(SUPERSCRIPT)}"


def last_noun(trace) -> int:
    """The last noun of a sentence (its last token if it has none)."""
    nouns = [j for j, role in enumerate(roles(trace)) if role in NOUNS]
    return nouns[-1] if nouns else trace.n - 1


def verb_before(trace, j: int) -> int:
    """The last verb before token ``j`` (the token right before it if there is none)."""
    verbs = [i for i, role in enumerate(roles(trace)[:j]) if role in ("verb", "aux")]
    return verbs[-1] if verbs else max(j - 1, 0)


def asks(trace, head, j: int) -> bool:
    """Whether token ``j`` is one the head's question is for: for a head that follows a
    relation, a word something relates to in this sentence (a noun with adjectives, a verb
    with a subject); else a token with the head's query features; a head with neither
    (e.g. previous token) asks from every token."""
    rule = head.spec.relation
    if rule is not None:
        return any(r.kind == rule.kind and r.target == j for r in trace.relations)
    token = trace.tokens[j]
    patterns = [m.query for m in head.spec.matches]
    features = {f"role:{token.role}", *token.features}
    return not patterns or any(fnmatchcase(f, p) for p in patterns for f in features)


def unanswered(trace, head) -> list[int]:
    """The tokens that ask a relation head's question and find no answer here (a "her"
    whose noun the rule of thumb does not find); none for other heads."""
    rule = head.spec.relation
    if rule is None or rule.kind not in ASKERS:
        return []
    roles = ASKERS[rule.kind]
    return [
        j
        for j, token in enumerate(trace.tokens)
        if token.role in roles
        and (rule.kind != "antecedent-of" or token.text.lower() in THIRD_PERSON)
        and not asks(trace, head, j)
    ]


def strongest_answer(trace, head) -> Link | None:
    """The heaviest link from an earlier token into a token the head asks from."""
    best = None
    for j in range(trace.n):
        if j == 0 or not asks(trace, head, j):
            continue
        i = int(np.argmax(head.pattern[j, :j]))
        if best is None or head.pattern[j, i] > best.weight:
            best = Link(i, j, float(head.pattern[j, i]), "earlier")
    return best


def guessed_said(trace) -> str:
    """A sentence saying that the pronoun head's answers are a rule of thumb's guesses,
    when the sentence has any ("the dog chased the ball until it rolled": "it" is given
    the subject, the dog); nothing otherwise."""
    if not any(r.kind == "antecedent-of" for r in trace.relations):
        return ""
    return (
        " The pronoun head's answer is a rule of thumb's guess (an earlier subject the "
        "pronoun may stand for first, else the nearest such noun), not an understanding "
        "of the sentence."
    )


def answers_said(relations: list[tuple], trace=None) -> str:
    """How many heads find an answer on this sentence, from ``(head, link or None)``; with
    ``trace``, a head whose question is asked but not answered (:func:`unanswered`) is
    said to be so, not to have no word asking it."""
    silent = [head for head, link in relations if link is None]
    if not silent:
        return "On this sentence each finds its own answer, where a word asks its question."
    asked = [h for h in silent if trace is not None and unanswered(trace, h)]
    quiet = [h.name for h in silent if h not in asked]
    said = f"On this sentence {len(relations) - len(silent)} of them find an answer"
    if quiet:
        said += f"; no word here asks the question of {either(quiet)}"
    for head in asked:
        words = both([quoted(trace, j) for j in unanswered(trace, head)])
        said += f"; {words} asks the question of {head.name} but finds no answer here"
    return said + "."


def senses(trace, j: int, head) -> dict[str, float]:
    """Attention token ``j`` pays to each context cue (``cue:...`` features), summed."""
    found: dict[str, float] = {}
    for i, token in enumerate(trace.tokens):
        for feature in token.features:
            if feature.startswith("cue:"):
                name = feature.split(":", 1)[1]
                found[name] = found.get(name, 0.0) + float(head.pattern[j, i])
    return found


def cues_of(trace, sense: str) -> list[int]:
    """The tokens that are cues for ``sense`` (a ``cue:<sense>`` feature)."""
    return [i for i, token in enumerate(trace.tokens) if f"cue:{sense}" in token.features]


def cue_words(trace, sense: str) -> str:
    """ "“Hogwarts” and “wizard”": the cue tokens of ``sense``, quoted."""
    names = [quoted(trace, i) for i in cues_of(trace, sense)]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def thumbnail_positions(n: int) -> range:
    """The tokens the small patterns show: all, or the last ``THUMBNAIL_TOKENS``."""
    return range(max(0, n - THUMBNAIL_TOKENS), n)


def patterns_key(trace, shown: range) -> str:
    """How to read the small patterns of the ``shown`` tokens: which way keys and queries
    run, the sinks, and what a window of a long sentence leaves out."""
    first, last = (f"“{trace.words[i]}”" for i in (shown[0], shown[-1]))
    text = f"Keys are rows, queries are columns, in the sentence's order: {first} first"
    text += f", {last} last" if len(shown) > 1 else ""
    if any(h.has_sink for h in trace.heads):
        text += "; each bottom row: the head's sink"
    if len(shown) < trace.n:
        text += (
            f". The last {len(shown)} of {trace.n} tokens; the weight each column gives to "
            "earlier tokens is not drawn."
        )
    return text


def strongest_drawn(head, positions, least: float = 0.2) -> Link | None:
    """A small pattern's strongest link to an earlier token among the tokens it draws
    (``positions``), when it gives at least ``least``: the dot the picture names."""
    shown = list(positions)
    found = [
        Link(key=k, query=q, weight=float(head.pattern[q, k]), kind="earlier")
        for q in shown
        for k in shown
        if k < q and head.pattern[q, k] >= least
    ]
    return max(found, key=lambda link: (link.weight, -link.query), default=None)


def placed_differently(a: np.ndarray, b: np.ndarray) -> float:
    """The share of a query's attention that two ``[query, key]`` patterns put in
    different places (half the summed absolute difference over keys), averaged over the
    queries."""
    return float(np.mean(0.5 * np.abs(a - b).sum(axis=1)))


def tokens_answered(head) -> str:
    """ "1 token", "3 tokens", "none": the tokens that give half their attention or more
    to one other token (the head found its answer there)."""
    pattern = np.array(head.pattern, dtype=float)  # [query, key]
    np.fill_diagonal(pattern, 0.0)
    count = int(np.sum(pattern.max(axis=1) >= 0.5)) if pattern.size else 0
    return "none" if count == 0 else f"{count} token" + ("" if count == 1 else "s")


def answers_found(a, b) -> str:
    """What two heads find on this sentence (:func:`tokens_answered`), in words that read
    for any count: "A finds an answer for 2 tokens, B for none", "A and B each find an
    answer for 1 token", "neither A nor B finds an answer for any token"."""
    counts = {a.name: tokens_answered(a), b.name: tokens_answered(b)}
    if set(counts.values()) == {"none"}:
        return f"neither {a.name} nor {b.name} finds an answer for any token"
    if counts[a.name] == counts[b.name]:
        return f"{a.name} and {b.name} each find an answer for {counts[a.name]}"
    first, second = sorted(counts, key=lambda name: counts[name] == "none")  # "none" last
    return f"{first} finds an answer for {counts[first]}, {second} for {counts[second]}"


def idle_share(head) -> float:
    """The share of a token's attention a head leaves where it finds nothing, on its sink
    or on the token itself, averaged over the tokens."""
    return float(np.mean(head.sink + np.diag(head.pattern)))


def most_alike(heads) -> tuple:
    """``(head, head, share)``: the two heads whose patterns are closest, and the share of
    attention they place differently (:func:`placed_differently`)."""
    pairs = (
        (a, b, placed_differently(a.with_sink()["pattern"], b.with_sink()["pattern"]))
        for a, b in combinations(heads, 2)
    )  # the sinks count as places too: each column then holds all of its weight
    return min(pairs, key=lambda pair: pair[2])


def at_least(share: float) -> str:
    """``share`` as a whole percent rounded down, for "… or more": 0.949 is "94%", not
    the "95%" plain rounding would claim it reaches."""
    return f"{math.floor(100 * share + 1e-9)}%"


def _parked_said(a, b, percent: int, parked: float, n_tokens: int, n_heads: int):
    """:func:`alike_said` for two heads alike because both park most of their attention
    on their sinks (``parked``: the smaller of their average sink shares)."""
    found = answers_found(a, b)
    if n_tokens == 1:
        return (
            f"With a single token there is nothing to find: each of the {n_heads} heads "
            f"parks most of its attention on its sink ({at_least(parked)} or more)."
        ), f"One token: every head parks {at_least(parked)} or more on its sink. Dot area = weight."
    if tokens_answered(a) == tokens_answered(b) == "none":
        caption = (
            f"{a.name} and {b.name} find little to answer here: both park on their "
            f"sinks, so their patterns match ({percent}% placed differently)."
        )
    else:  # one of them answers somewhere: different jobs, alike only in idling
        caption = (
            f"{found}; besides that, both park on their sinks: only {percent}% of the "
            "attention placed differently."
        )
    return (
        f"{a.name} and {b.name} look alike here mostly because both park most of a "
        f"token's attention on their sinks ({at_least(parked)} or more, on average): {found}."
    ), f"{caption} Dot area = weight."


def alike_said(alike: tuple, n_tokens: int, n_heads: int) -> tuple[str, str]:
    """What the patterns beat says of its most alike pair of heads (:func:`most_alike`):
    ``(narration, caption)``. The words follow the share as shown, in whole percent, and
    two heads that look alike only because both leave most of their attention on their
    sinks or on each token itself (they find nothing in this sentence) are said to be so,
    not found alike."""
    a, b, share = alike
    percent = round(100 * share)
    parked = min(float(np.mean(a.sink)), float(np.mean(b.sink)))
    idle = min(idle_share(a), idle_share(b))
    found = answers_found(a, b)
    if percent < DIFFERENT and idle > 0.5 and parked <= 0.5 and n_tokens > 1:
        return (
            f"{a.name} and {b.name} look alike here mostly because both leave most of a "
            "token's attention on their sinks or on the token itself "
            f"({at_least(idle)} or more, on average): {found}."
        ), (
            f"Most alike here: {a.name} and {b.name}, both mostly on their sinks or on "
            f"each token itself ({percent}% placed differently). Dot area = weight."
        )
    if percent < DIFFERENT and parked > 0.5:
        return _parked_said(a, b, percent, parked, n_tokens, n_heads)
    if percent == 0:
        exactly = "" if share < 1e-9 else ", to the percent"
        caption = f"{a.name} and {b.name}: the same pattern here{exactly}. Dot area = weight."
        if n_tokens == 1:
            return (
                f"With a single token, each of the {n_heads} heads must give it all its "
                "attention: the patterns cannot differ."
            ), f"One token: all {n_heads} heads give it weight 1.00. Dot area = weight."
        return f"On this sentence {a.name} and {b.name} give the same pattern{exactly}.", caption
    caption = (
        f"Most alike here: {a.name} and {b.name}, {percent}% of the attention placed "
        "differently. Dot area = weight."
    )
    if percent >= DIFFERENT:
        return (
            f"Different matrices, different patterns: even the two most alike, {a.name} and "
            f"{b.name}, place {percent}% of a token's attention differently, on average."
        ), caption
    return (
        f"On this sentence {a.name} and {b.name} come out close: they place only "
        f"{percent}% of a token's attention differently, on average."
    ), caption


@dataclass(frozen=True)
class SumOfChanges:
    """What the sum beat shows and says (:func:`changes_of_every_head`)."""

    token: int  # the token updated: the noun the adjective head links most strongly
    columns: tuple[tuple[np.ndarray, ManimColor, str], ...]  # (vector, bracket colour, label)
    lengths: tuple[str, ...]  # each column's length as written under it
    narration: str
    caption: str


def changes_of_every_head(trace) -> SumOfChanges:
    """E of the lesson's noun, each head's ΔE of it and E′, left to right, with their lengths
    (written under the columns and quoted by the narration)."""
    j = main_link(trace, trace.head(ADJECTIVE_HEAD)).query
    columns = (
        (trace.E[j], palette.EMBEDDING, "E"),
        *((head.delta_E[j], palette.DELTA, head_mark(h)) for h, head in enumerate(trace.heads)),
        (trace.E_prime[j], palette.UPDATED, "E′"),
    )
    norms = [float(np.linalg.norm(vector)) for vector, _, _ in columns]
    lengths = tuple(f"{norm:.0f}" for norm in norms)
    changes = norms[1:-1]  # the heads' ΔE
    top = int(np.argmax(changes))
    # "almost nothing": under a twentieth of the largest change
    idle = [
        head.name
        for head, size in zip(trace.heads, changes, strict=True)
        if size < 0.05 * changes[top]
    ]
    said = (
        f"Every head proposes its own change to {quoted(trace, j)}; the numbers under the "
        f"columns are their lengths. {trace.heads[top].name} moves it most, by "
        f"{lengths[1 + top]}"
    )
    if idle:
        said += f"; {both(idle)} propose{'s' if len(idle) == 1 else ''} almost nothing"
    narration = said + ". They are all added to the embedding: E + ΔE⁽¹⁾ + … = E′."
    caption = (
        f"Entries 1, 2, 3 and the last of {trace.dims.d_model:,}; under each column, its length."
    )
    return SumOfChanges(j, columns, lengths, narration, caption)
