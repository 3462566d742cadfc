"""What chapter 6 reads off the trace and says about it, without drawing: every token's
value vector, the adjectives whose values a noun takes and its steps in embedding space
(:func:`value_steps`), a column as a weighted sum of values whose drawn entries add up
(:func:`column_sum`, which the explorer page shows too), and how much the head changes
every token (:func:`changes`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_math.projection import coords3, span_basis
from scenes.components import palette
from scenes.components.embedding_space import crosses
from scenes.components.entries import adding_up, color_scale, gaps, shown_array, signed
from scenes.components.sum_tables import SUM_DECIMALS
from scenes.focus import own_adjectives, percent, plural, quoted

STRIP_CELLS = 8  # entries per strip in the every-token picture
TOP_TERMS = 2  # heaviest terms of a column drawn one by one; the others are summed
FIRST_ENTRIES = 3  # the first entries of each vector drawn in the weighted sum ...
LARGEST = 2  # ... with the entries that ΔE changes most
AXES = [0, 2, 1]  # projection coordinate drawn on each picture axis (the 3rd is vertical)
CLEAR = 0.15  # the least room between two names in a picture ...
CLEAR_OF_ARROWS = 0.06  # ... and between a name and an arrow (a name's own stands 0.12 off)


def value_vectors(head) -> np.ndarray:
    """Every token's full value vector, value-up · value-down · E: (n, d_model)."""
    return head.V @ head.weights.W_V_up.T  # (n, d_head) @ (d_head, d_model)


@dataclass(frozen=True)
class Terms:
    """The earlier tokens whose values the chapter adds to ``noun``: its own adjectives
    (``own``) or, for a word without any, its strongest earlier token."""

    keys: tuple[int, ...]
    own: bool


def adjective_terms(trace, head, noun: int) -> Terms:
    """The adjectives that modify ``noun`` (as the parser found), in order; else the
    strongest earlier token; none for the first token."""
    found = own_adjectives(trace, noun)
    if found or noun == 0:
        return Terms(tuple(found), bool(found))
    return Terms((int(np.argmax(head.pattern[noun, :noun])),), False)


@dataclass(frozen=True)
class ValueSteps:
    """What the embedding-space beats show and say (:func:`value_steps`): ``opening``
    while E is drawn, ``narration`` while the steps are."""

    basis: np.ndarray  # (k, d_model) the projection, its first direction along E
    coords: np.ndarray  # (m, 3) E, then E plus one more term at each step, projected
    names: tuple[str, ...]  # the meaning at each point: "creature", "blue creature", ...
    legend: tuple[tuple, ...]  # colour and text of each line of the key (Legend's items)
    opening: str
    opening_caption: str
    narration: str
    caption: str


def value_steps(trace, head, values: np.ndarray, noun: int, found: Terms) -> ValueSteps:
    """The noun's embedding plus, one at a time, each term's share of its value
    (``A[noun, i] · value(i)``), projected to 3D; with no earlier token, plus the head's
    whole ΔE of the noun."""
    j, keys = noun, found.keys
    terms = [head.pattern[j, i] * values[i] for i in keys]  # each (d_model,)
    names = [trace.words[j]]
    for k, i in enumerate(keys):  # "fluffy creature", "fluffy blue creature"; "on + cat"
        if found.own:  # the adjectives added so far, in the sentence's order
            names.append(" ".join([*(trace.words[a] for a in keys[: k + 1]), trace.words[j]]))
        else:
            names.append(f"{names[-1]} + {trace.words[i]}")
    opening, narration = step_words(trace, head, j, found, names)
    if not keys:  # nothing to add step by step: this head's whole ΔE instead
        terms = [head.delta_E[j]]
        names.append(f"{trace.words[j]} in context")
    points = np.cumsum([trace.E[j], *terms], axis=0)  # E, E + term 1, E + terms 1-2, ...
    basis = span_basis([trace.E[j], *terms])  # first direction: along E
    coords = coords3(points, basis)[:, AXES]  # (m, 3)
    legend = [(palette.EMBEDDING, f"{names[0]}: its embedding E")]
    for k, i in enumerate(keys):
        legend.append((palette.VALUE, f"+ {head.pattern[j, i]:.2f} × value of {trace.words[i]}"))
        legend.append((palette.UPDATED, f"= {names[k + 1]}", "point"))  # a tip, named
    if not keys:
        legend.append((palette.DELTA, f"+ ΔE: {names[1]}"))
    opening_caption = (
        f"E of {quoted(trace, j)} in 3 of {trace.dims.d_model:,} dimensions: from the "
        "origin (left) and around its tip (right)."
    )
    caption = (
        "Each step: an attention weight times a value vector, seen in 3 of "
        f"{trace.dims.d_model:,} dimensions."
        if keys
        else f"The arrow: this head's whole ΔE, seen in 3 of {trace.dims.d_model:,} dimensions."
    )
    return ValueSteps(
        basis, coords, tuple(names), tuple(legend), opening, opening_caption, narration, caption
    )


def step_words(trace, head, j: int, found: Terms, names: list[str]) -> tuple[str, str]:
    """What the embedding-space beats say: while E is drawn (E alone: the values come
    with the steps), then while the steps are (named ``names``: "creature", "fluffy
    creature", ...)."""
    keys = found.keys
    q = quoted(trace, j)
    weights = ", ".join(f"{head.pattern[j, i]:.2f}" for i in keys)
    steps = " → ".join(f"“{n}”" for n in names)
    start = (
        f"In embedding space, {q} starts at its embedding E, seen in 3 of "
        f"{trace.dims.d_model:,} dimensions: from the origin on the left, and around its "
        "tip on the right"
    )
    projected = " The arrows are projections of the computed vectors."
    opening = f"{start}."
    if found.own and len(keys) >= 2:
        narration = (  # the steps first: they are drawn as these words are said
            f"Step by step it moves: {steps}, each time by its share of a value (weights "
            f"{weights}).{projected}"
        )
    elif found.own:
        narration = (
            f"It moves: {steps}, by its share of the value of {quoted(trace, keys[0])} "
            f"(weight {weights}).{projected}"
        )
    elif keys:
        opening = (
            f"{q} has no adjective of its own (the parser found none), so we follow its "
            f"strongest earlier word, {quoted(trace, keys[0])}. {start}."
        )
        narration = (
            f"It moves to “{names[-1]}”, by {weights} × the value of "
            f"{quoted(trace, keys[0])}.{projected}"
        )
    else:  # nothing to add step by step: this head's whole ΔE instead
        opening = f"{q} has no earlier word to take a value from. {start}."
        narration = f"The arrow is this head's whole change to it, ΔE: E + ΔE = E′.{projected}"
    return opening, narration


def clearance(boxes: list, segments: list) -> float:
    """The room between the closest two ``boxes`` (lower-left and upper-right corners),
    apart along x or y; -1 when a segment (two points) runs within ``CLEAR_OF_ARROWS``
    of a box."""
    boxes = [(np.asarray(lo)[:2], np.asarray(hi)[:2]) for lo, hi in boxes]
    for lo, hi in boxes:
        for a, b in segments:
            margin = CLEAR_OF_ARROWS
            if crosses(lo - margin, hi + margin, np.asarray(a)[:2], np.asarray(b)[:2]):
                return -1.0
    return min(
        (max(*(c - b), *(a - d)) for k, (a, b) in enumerate(boxes) for c, d in boxes[:k]),
        default=np.inf,
    )


@dataclass(frozen=True)
class ColumnSum:
    """What the weighted-sum beat shows and says (:func:`column_sum`)."""

    query: int
    terms: tuple[tuple[int, float], ...]  # (key, weight) drawn one by one, in sentence order
    others: tuple[int, ...]  # the column's other keys, drawn as one summed term
    entries: tuple[int, ...]  # the entries of every vector drawn, in order
    largest: tuple[int, ...]  # the entries ΔE changes most (of all d_model), largest first
    ratio: float  # |ΔE| / |E| of the query
    # the entries as drawn, rounded so that both sums add up (entries.adding_up): the
    # terms then the others' sum (ΔE drawn = their sum), and E (E + ΔE = E′ as drawn)
    drawn_terms: tuple[np.ndarray, ...]
    drawn_E: np.ndarray
    narration: str  # said while the terms are drawn and summed
    sum_caption: str  # shown then
    update_narration: str  # said while E + ΔE = E′ is drawn ...
    caption: str  # ... and shown then

    @property
    def slots(self) -> list[int | None]:
        """The drawn entries top to bottom, ``None`` (a row of dots) where some are skipped."""
        rows: list[int | None] = [self.entries[0]]
        for entry, gap in zip(self.entries[1:], gaps(self.entries), strict=True):
            rows += [None, entry] if gap else [entry]
        return rows


def sum_words(trace, head, j: int, terms, others, ratio: float) -> tuple[str, str, str]:
    """What the weighted-sum beats say and show: the narration and caption of the sum of
    ``terms`` ((key, weight)) and ``others``, then the narration of E + ΔE = E′."""
    q = quoted(trace, j)
    parts = " plus ".join(f"{w:.2f} × the value of {quoted(trace, i)}" for i, w in terms)
    if others:
        rest = float(head.pattern[j, list(others)].sum())
        weighing = f"weighing {rest:.2f} together" if rest >= 0.005 else "of almost no weight"
        parts += f", plus {plural(len(others), 'more term')} {weighing}"
    if head.has_sink and head.sink[j] >= 0.005:  # the rest of the column, as it is printed
        parts += f"; the {head.sink[j]:.2f} on the sink adds nothing, for the sink has no value"
    narration = (
        "In the grid the values take the place of the keys: each row now stands for the "
        f"value of its word. Column {q} becomes a weighted sum, {parts}. The sum is ΔE, "
        f"the change to {q}."
    )
    sum_caption = (
        f"Each term is a weight times a value; row by row, the drawn entries add up to ΔE, "
        f"the change to {q}."
    )
    update_narration = (  # in the order drawn: the sum, then its size and the boxes
        f"Then E + ΔE = E′: this head's update of {q}. ΔE is {percent(ratio)} as long as "
        f"E; the boxes mark the {count(LARGEST)} entries it changes most."
    )
    return narration, sum_caption, update_narration


def column_sum(trace, head, query: int, values: np.ndarray | None = None) -> ColumnSum:
    """Column ``query`` of the pattern as a weighted sum of values: its ``TOP_TERMS``
    heaviest keys one by one (after the first, only those of 0.05 or more) and the others
    summed (a single other of 0.05 or more on its own), the entries drawn (the first ones
    and those ΔE changes most) and how large ΔE is against E. ``values``: the head's
    :func:`value_vectors`, if at hand."""
    j = query
    keys = [int(i) for i in np.flatnonzero(head.mask[j])]  # the keys the query sees
    heaviest = sorted(keys, key=lambda i: (-head.pattern[j, i], i))
    # the heaviest, and the next ones if they weigh something: "0.00 × V" teaches nothing
    drawn = set(heaviest[:1]) | {i for i in heaviest[1:TOP_TERMS] if head.pattern[j, i] >= 0.05}
    rest = [i for i in keys if i not in drawn]
    if len(rest) == 1 and head.pattern[j, rest[0]] >= 0.05:  # one other: on its own
        drawn |= set(rest)
    terms = tuple((i, float(head.pattern[j, i])) for i in keys if i in drawn)
    others = tuple(i for i in keys if i not in drawn)
    delta, embedding = head.delta_E[j], trace.E[j]
    largest = tuple(int(c) for c in np.argsort(-np.abs(delta), kind="stable")[:LARGEST])
    entries = tuple(sorted({*range(min(FIRST_ENTRIES, len(delta))), *largest}))
    ratio = float(np.linalg.norm(delta) / np.linalg.norm(embedding))
    narration, sum_caption, update_narration = sum_words(trace, head, j, terms, others, ratio)
    values = value_vectors(head) if values is None else values  # (n, d_model)
    rows = list(entries)
    summed = [w * values[i, rows] for i, w in terms]  # the drawn terms of ΔE
    if others:
        summed.append(head.pattern[j, list(others)] @ values[list(others)][:, rows])
    drawn_terms = adding_up(summed, delta[rows], SUM_DECIMALS)  # add up to ΔE as drawn
    drawn_E = np.round(  # E drawn so that E + ΔE = E′ as drawn (ΔE as in the sum above)
        shown_array(embedding[rows] + delta[rows], SUM_DECIMALS)
        - shown_array(delta[rows], SUM_DECIMALS),
        SUM_DECIMALS,
    )
    top = largest[0]
    before = signed(drawn_E[rows.index(top)], SUM_DECIMALS)  # as the E column draws it
    after = signed(embedding[top] + delta[top], SUM_DECIMALS)
    caption = (
        f"|ΔE| is {percent(ratio)} of |E|. Boxed: the {len(largest)} of {len(delta):,} "
        f"entries that change most; entry #{top + 1:,} goes from {before} to {after}."
    )
    return ColumnSum(
        j,
        terms,
        others,
        entries,
        largest,
        ratio,
        tuple(drawn_terms),
        drawn_E,
        narration,
        sum_caption,
        update_narration,
        caption,
    )


@dataclass(frozen=True)
class Changes:
    """How much this head changes every token (:func:`changes`)."""

    ratios: np.ndarray  # (n,) |ΔE| / |E| of each token
    boost: float  # ΔE is coloured on a scale this many times finer than E and E′
    marked: np.ndarray  # (n,) each token's entry, of the first STRIP_CELLS, ΔE changes most
    narration: str  # said while the strips are drawn ...
    caption: str  # ... and shown then
    sizes_narration: str  # said while the sizes |ΔE| / |E| are drawn ...
    sizes_caption: str  # ... and shown then


def changes(trace, head, shown=None) -> Changes:
    """Each token's |ΔE| / |E|, the colour scales of the strips and what the beat says;
    the smallest and largest change are those of the ``shown`` tokens (a row's window;
    default all), said to be "in this window" when some are left out."""
    delta = head.delta_E  # (n, d_model)
    ratios = np.linalg.norm(delta, axis=1) / np.linalg.norm(trace.E, axis=1)
    boost = color_scale(trace.E) / color_scale(delta)
    cells = min(STRIP_CELLS, trace.dims.d_model)
    marked = np.argmax(np.abs(delta[:, :cells]), axis=1)
    if trace.n == 1:
        sizes = f"|ΔE| is {percent(ratios[0])} of |E|"
        opening = f"With one token there is one column: {quoted(trace, 0)} gets its own ΔE"
    else:
        seen = list(range(trace.n)) if shown is None else list(shown)
        low = seen[int(np.argmin(ratios[seen]))]
        high = seen[int(np.argmax(ratios[seen]))]
        # every token whose change prints as the smallest / largest: "“a”, “on” and 2 more"
        lows = [i for i in seen if percent(ratios[i]) == percent(ratios[low])]
        highs = [i for i in seen if percent(ratios[i]) == percent(ratios[high])]
        where = "In this window, " if len(seen) < trace.n else ""
        sizes = (
            f"{where}|ΔE| goes from {percent(ratios[low])} of |E| ({named(trace, lows)}) "
            f"to {percent(ratios[high])} ({named(trace, highs)})"
        )
        opening = f"Every column does the same: each of the {trace.n} tokens gets its own ΔE"
    narration = f"{opening} from this head, and E + ΔE = E′ (this head's update alone)."
    caption = (
        f"ΔE drawn with colours ×{boost:.1f}, black where it is 0; boxed: each token's "
        f"largest change in these {cells} of {trace.dims.d_model:,} entries."
    )
    sizes_caption = f"{sizes}, as printed under each token."
    return Changes(ratios, float(boost), marked, narration, caption, f"{sizes}.", sizes_caption)


COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def count(n: int) -> str:
    """2 -> "two"; from 11 on, digits."""
    return COUNTS[n] if 0 <= n < len(COUNTS) else f"{n:,}"


def named(trace, tokens: list[int], most: int = 2) -> str:
    """ "“a”", "“a” and “on”", "“a”, “on” and three more": the first ``most`` tokens
    quoted."""
    quoted_ = [quoted(trace, i) for i in tokens[:most]]
    rest = len(tokens) - len(quoted_)
    if rest:
        return f"{', '.join(quoted_)} and {count(rest)} more"
    return " and ".join(quoted_) if len(quoted_) == 2 else quoted_[0]


def value_down_words(t, s: int, first: str) -> str:
    """What the value-down beat says of token ``s``: W_V in two steps, value-down's rows,
    the first terms then the whole sum, and the first output, ``first``, as drawn."""
    d, dk = t.dims.d_model, t.dims.d_head
    return (
        f"The value of {quoted(t, s)} is W_V times its embedding, in two steps. First "
        f"value-down squeezes its {d:,} numbers into {dk}. Each of the {dk} outputs is "
        f"one row of the matrix times the embedding: {d:,} products added up; here are "
        f"the first few terms, then the whole sum. All {d:,} products of the first row "
        f"give {first}, the first of the {dk} outputs."
    )


def value_up_words(t, s: int, first: str) -> str:
    """What the value-up beat says of token ``s``: back to the model's width, each entry
    a row of value-up times the value-down output, the first, ``first``, as drawn."""
    d, dk = t.dims.d_model, t.dims.d_head
    return (
        f"Then value-up turns those {dk} numbers back into a {d:,}-dimensional vector: "
        f"the value of {quoted(t, s)}, what it can add to another word's embedding. "
        f"Each of its {d:,} entries is one row of value-up times the {dk} numbers: "
        f"{dk} products added up. The first row's give {first}, the value's first entry."
    )
