"""What chapter 3 reads off the trace and says about it, without drawing: the query
product's words (:func:`query_said`), the query and key in their own space at true
angles and lengths (:func:`query_key_picture`), the grammar links the head follows
(:func:`grammar_said`, :func:`link_said`) and the dot products a beat quotes
(:func:`dot_products_said`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_math.grammar import MODEL_LABEL
from attention_math.projection import coords3, orthonormal_basis
from scenes.components.entries import fixed, signed
from scenes.focus import quoted

FORMULA_SAID = (
    "All of it in one line: V times the softmax of K-transpose Q over the square root "
    "of d_k (values come in chapter 6). K, Q and V hold one column per token; with "
    "keys as rows, each query's column of weights sums its keys' values: that sum "
    "is the query's change."
)


def scaling_said(dk: int) -> str:
    """The scaling beat's narration, for keys of ``dk`` numbers."""
    return f"For numerical stability every score is divided by \u221a{dk} = {np.sqrt(dk):.2f}."


def pattern_said(t, q: int, k: int, weight: str) -> str:
    """The pattern beat's narration: the biggest dot of query ``q`` is key ``k``'s."""
    return (
        "Drawn as dots whose area is the weight, this grid is the attention pattern: "
        f"the biggest dot in the column of {quoted(t, q)} is {quoted(t, k)} ({weight})."
    )


def question_said(t, question: str, q: int, k: int, answers: list[int]) -> str:
    """The question beat's narration: query ``q`` asks ``question``; the adjectives
    ``answers`` answer (without any, the beats follow key ``k``)."""
    said = ", ".join(quoted(t, i) for i in answers)
    if answers:
        answered = f"{said} answer{'s' if len(answers) == 1 else ''}."
    else:
        answered = (
            "no adjective answers: the parser found none in front of it. We follow its "
            f"strongest earlier key, {quoted(t, k)}, all the same."
        )
    return (
        f"{quoted(t, q)} asks: \u201c{question}\u201d; {answered} Every token can "
        "ask a question, its query, and offer an answer, its key; attention measures how "
        "well each question and each answer match."
    )


def softmax_said(t, head, q: int, answers: list[int], grid) -> str:
    """The softmax beat's narration: the weights query ``q`` gives ``answers`` (and the
    sink) as ``grid`` writes them, and the shown query that parks the most on the sink."""
    drawn = grid.drawn("pattern")  # [key, query]: the numbers as the grid writes them
    gives = [f"{fixed(drawn[i, q], 2)} to {quoted(t, i)}" for i in answers]
    shown = list(grid.query_range)
    idle = max((j for j in shown if j != q), key=lambda j: head.sink[j], default=None)
    rest = ""
    if head.has_sink:
        gives.append(f"{fixed(drawn[grid.sink, q], 2)} to the sink")
        if idle is not None:
            rest = (
                f" The sink, the last row, belongs to no word and has no value: "
                f"{quoted(t, idle)}, with nothing to find, parks "
                f"{fixed(drawn[grid.sink, idle], 2)} of its "
                "weight there and so takes almost nothing."
            )
    return (
        f"Softmax turns each column into weights that add up to 1: {quoted(t, q)} gives "
        + ", ".join(gives)
        + "."
        + rest
        + " Column by column, the highest scores take most of the weight and the lowest "
        "almost none."
    )


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def independent(vectors: list[np.ndarray]) -> list[np.ndarray]:
    """The vectors that add a new direction to the ones before them (in order)."""
    kept: list[np.ndarray] = []
    for v in vectors:
        candidate = np.vstack([*kept, v])
        if np.linalg.matrix_rank(candidate, tol=1e-8 * np.abs(candidate).max()) > len(kept):
            kept.append(v)
    return kept


@dataclass(frozen=True)
class QueryKeyPicture:
    """What the query/key-space beat shows and says (:func:`query_key_picture`)."""

    tokens: tuple[int, ...]  # drawn in embedding space: the query, its key, the contrast
    E_coords: np.ndarray  # (len(tokens), 3) their embeddings, projected
    qk_coords: np.ndarray  # (2 or 3, 2) Q of the query, K of its key, K of the contrast
    angles: tuple[float, ...]  # degrees from Q to K of its key (and of the contrast)
    narration: str
    caption: str


def degrees(c: float) -> float:
    """The angle, in degrees, between two vectors with cosine ``c``."""
    return float(np.degrees(np.arccos(np.clip(c, -1.0, 1.0))))


def alignment(c: float) -> str:
    """How a key with cosine ``c`` to the query points, in words, by the angle between
    them (the verb agrees with "the key"): "points nearly the same way" within 25°,
    "leans the same way" within 75°, "is nearly perpendicular" up to 105°, "points away"
    up to 155°, else "points nearly the opposite way"."""
    angle = degrees(c)
    if angle <= 25:
        return "points nearly the same way"
    if angle <= 75:
        return "leans the same way"
    if angle < 105:
        return "is nearly perpendicular"
    if angle < 155:
        return "points away"
    return "points nearly the opposite way"


def how_it_points(key: str, c: float) -> str:
    """ "the key of “blue” leans the same way (53°, cosine +0.60)"."""
    return f"the key of {key} {alignment(c)} ({degrees(c):.0f}°, cosine {signed(c, 2)})"


def query_key_picture(trace, head, q: int, k: int, other: int | None) -> QueryKeyPicture:
    """The embeddings of query ``q``, of its key ``k`` and of the contrast ``other`` (if
    any) projected onto the space they span; in query/key space Q[q] along the first axis
    and each key at its true angle to Q[q] and its true length (K[k] above the axis, the
    contrast below), and the cosines the narration and caption give."""
    Q, K = head.Q, head.K
    match = cosine(Q[q], K[k])
    tokens = list(dict.fromkeys([q, k] + ([other] if other is not None else [])))
    E_basis = orthonormal_basis(np.vstack(independent([trace.E[i] for i in tokens])))
    E_coords = coords3(np.vstack([trace.E[i] for i in tokens]), E_basis)  # (m, 3)

    def at_angle(key: int, side: float) -> list[float]:
        c = cosine(Q[q], K[key])
        length = float(np.linalg.norm(K[key]))
        return [length * c, side * length * float(np.sqrt(max(0.0, 1.0 - c * c)))]

    qk = [[float(np.linalg.norm(Q[q])), 0.0], at_angle(k, 1.0)]
    if other is not None:
        qk.append(at_angle(other, -1.0))
    said = how_it_points(quoted(trace, k), match)
    angles = [degrees(match)]
    if other is not None:
        said += "; " + how_it_points(quoted(trace, other), cosine(Q[q], K[other]))
        angles.append(degrees(cosine(Q[q], K[other])))
    narration = (
        "W_Q and W_K map embeddings into a small query/key space. Measured from the query "
        f"of {quoted(trace, q)}, {said}. A cosine is an angle, not yet an attention weight."
    )
    against = ""
    if other is not None:
        c = cosine(Q[q], K[other])
        against = f"; with K {trace.words[other]}: {signed(c, 2)} ({degrees(c):.0f}°)"
    caption = (
        f"Cosine of Q {trace.words[q]} and K {trace.words[k]}: {signed(match, 2)} "
        f"({degrees(match):.0f}°){against}. Each key at its true angle and length."
    )
    return QueryKeyPicture(tuple(tokens), E_coords, np.array(qk), tuple(angles), narration, caption)


@dataclass(frozen=True)
class GrammarSaid:
    """What the grammar beat says (:func:`grammar_said`)."""

    narration: str
    source: str  # under the row: where the links come from
    links: str  # "4 adjective → noun links (2 by the parser, 2 by word order)"


def grammar_said(t, pairs: list[tuple[int, int]]) -> GrammarSaid:
    """The grammar beat's words about the adjective -> noun ``pairs`` (``modifies``
    relations): which the parser found and which were given by word order (an adjective
    the parser linked to no noun goes to the noun right after it)."""
    real = "in a real model, by earlier layers"
    if not pairs:
        return GrammarSaid(
            "How does a noun know which adjectives are its own? A parser read the sentence "
            "and found no adjective that modifies a noun, so no noun here has an adjective "
            "to find.",
            f"relations found by a parser ({MODEL_LABEL}); {real}",
            "",
        )
    by_order = {(r.source, r.target) for r in t.relations if r.kind == "modifies"}
    by_order &= {(r.source, r.target) for r in t.relations if r.how == "order"}
    parsed = [p for p in pairs if p not in by_order]
    ordered = [p for p in pairs if p in by_order]

    def said(links):
        return "; ".join(f"{quoted(t, i)} modifies {quoted(t, j)}" for i, j in links)

    if parsed and ordered:
        found = (
            f"A parser read the sentence: {said(parsed)}. An adjective it linked to no noun "
            f"goes to the noun right after it: {said(ordered)}."
        )
        source = f"relations found by a parser ({MODEL_LABEL}) or by word order; {real}"
        counts = f" ({len(parsed)} by the parser, {len(ordered)} by word order)"
    elif parsed:
        found = f"A parser read the sentence: {said(parsed)}."
        source = f"relations found by a parser ({MODEL_LABEL}); {real}"
        counts = " found by the parser"
    else:
        found = (
            "A parser read the sentence but linked no adjective to a noun, so each adjective "
            f"goes to the noun right after it: {said(ordered)}."
        )
        source = f"relations by word order (the parser, {MODEL_LABEL}, linked none); {real}"
        counts = " by word order"
    narration = f"How does a noun know which adjectives are its own? {found}"
    n = len(pairs)
    return GrammarSaid(
        narration, source, f"{n} adjective → noun link{'' if n == 1 else 's'}{counts}"
    )


def grammar_caption(
    links: str, pairs: list[tuple[int, int]], shown, drawn: int, paragraph: bool
) -> str:
    """The grammar beat's caption: ``links`` (:class:`GrammarSaid`), how many of the
    ``pairs`` are ``drawn`` among the ``shown`` tokens (a ``paragraph`` draws no arc
    across a line break), and "not just the word before" only where a drawn link
    passes another word."""
    if not pairs:
        return "No adjective modifies a noun in this sentence."
    hidden = ""
    if drawn < len(pairs):
        hidden = f" ({drawn} in this window)"
        if paragraph:
            hidden = f" ({drawn} drawn; the others cross a line break)"
    apart = any(j - i > 1 for i, j in pairs if i in shown and j in shown)
    follows = "follows them, not just the word before" if apart else "follows them"
    return f"{links}{hidden}: the adjective head {follows}."


@dataclass(frozen=True)
class LinkSaid:
    """What the grammar-in-vectors beat shows and says (:func:`link_said`)."""

    adjective: int | None  # the adjective of the link shown (None: the sentence has none)
    noun: int  # the token whose query asks
    offer: str  # the adjective's key: "I modify the word at position 4"
    ask: str  # the noun's query: "Does anything modify position 4?"
    narration: str
    caption: str


def link_said(t, pairs: list[tuple[int, int]], q: int, k: int) -> LinkSaid:
    """How the head sees one ``modifies`` link: the focus link (``k`` modifies ``q``) if
    the parser's ``pairs`` hold it, else the first of them; the adjective's embedding
    holds "I modify the word at position p", which W_K turns into a key, and the query
    of the token at p asks for exactly that (W_Q; attention_math.heads, relation rows).
    Positions are counted from 1, as the chapter's Q and K subscripts are."""
    adjective, noun = (k, q) if (k, q) in pairs else pairs[0] if pairs else (None, q)
    p = noun + 1
    ask = f"Does anything modify position {p}?"
    offer = f"I modify the word at position {p}"
    real = "In a real model no parser runs: earlier layers write such facts into each vector."
    if adjective is None:
        narration = (
            f"The query of {quoted(t, noun)}, at position {p}, still asks: “{ask}” No key "
            f"here offers “{offer}”, so no key answers it. {real}"
        )
        caption = f"Query of {quoted(t, noun)}: “{ask}” No key answers."
    else:
        narration = (
            f"Take {quoted(t, adjective)}: its embedding carries a direction, “{offer}”, "
            f"and its key, W_K times that embedding, offers it. The query of "
            f"{quoted(t, noun)}, at position {p}, asks: “{ask}” W_Q and W_K are made so that "
            f"the two match, as the next steps show. {real}"
        )
        caption = (
            f"Key of {quoted(t, adjective)}: “{offer}”. Query of {quoted(t, noun)}: "
            f"“{ask}” They match."
        )
    return LinkSaid(adjective, noun, offer, ask, narration, caption)


def query_said(t, q: int) -> tuple[str, str]:
    """The query beat's narration and the first-row beat's."""
    d, dk = t.dims.d_model, t.dims.d_head
    return (
        f"The query of {quoted(t, q)} is W_Q times its embedding: {dk} numbers, each a sum "
        f"of {d:,} products. On screen: a few rows of W_Q and its first few columns.",
        "The first row, term by term: each weight in the row times the embedding entry "
        "beside it, each product added to the running sum on the right. Then every other "
        f"row at once: all {d:,} products of each give one of the query's {dk} numbers.",
    )


@dataclass(frozen=True)
class DotProducts:
    """What the dot-products beat highlights and says (:func:`dot_products_said`)."""

    low: tuple[int, int]  # (key, query) of the lowest score among the cells drawn
    rank: str  # how the focus pair ranks in its column, in words
    lowest: str  # the lowest score as written
    among: str  # " shown" when the grid is a window
    narration: str


def dot_products_said(t, head, q: int, k: int, grid) -> DotProducts:
    """The lowest score among the cells ``grid`` draws (a window may leave others out;
    ``grid``: its ``shown_cells()``, ``sink``, ``windowed`` and ``key_range``), how the
    focus pair (key ``k``, query ``q``) ranks in its column, and the beat's words."""
    raw = head.scores_raw
    shown = [(i, j) for i, j in grid.shown_cells() if i != grid.sink]
    low = min((c for c in shown if head.mask[c[1], c[0]]), key=lambda c: raw[c[1], c[0]])
    lowest = fixed(raw[low[1], low[0]], 1)
    among = " shown" if grid.windowed else ""
    best = int(np.argmax(np.where(head.mask[q], raw[q], -np.inf)))
    where = "" if best in grid.key_range else " (a row above those shown)"
    rank = (
        "the largest in its column"
        if best == k
        else f"though the key of {quoted(t, best)} scores higher there{where}, "
        f"{fixed(raw[q, best], 1)}"
    )
    narration = (
        f"Each cell is a dot product K_i·Q_j: keys down the left, queries across the top. "
        f"K\u00b7Q for {quoted(t, k)} and {quoted(t, q)} is {fixed(raw[q, k], 1)}, {rank}; "
        f"the lowest{among}, {lowest}, pairs "
        + (
            f"the key and the query of {quoted(t, low[0])} itself."
            if low[0] == low[1]
            else f"the key of {quoted(t, low[0])} with the query of {quoted(t, low[1])}."
        )
        + (
            f" The last row, the sink, is one learned score, "
            f"{fixed(head.spec.sink * np.sqrt(t.dims.d_head), 1)}, the same for every "
            "query: where a query "
            "can park its attention, as softmax will show."
            if head.has_sink
            else ""
        )
    )
    return DotProducts(low, rank, lowest, among, narration)
