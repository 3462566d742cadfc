"""What chapter 13 reads off the real model's patterns and says about them, without
drawing: which heads to zoom into and what to say about each, the attention sink in the
designed head and in the real ones, the cells to frame. The explorer page quotes the same
sentences (video/explorer_real.py)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from attention_math.layout import key_by_query
from attention_math.real_model import HeadScore, RealAttention
from attention_math.real_model.head_finder import first_token_share, parked_share
from attention_math.real_model.tokenizer import whole_characters
from attention_math.trace import Trace
from scenes.components import entries
from scenes.components.piece_row import piece_text
from scenes.focus import quote, quoted

DECIMALS = 2  # of the weights a zoomed grid writes
MIN_TOKENS = 4  # below this, heads have too little to choose from to be told apart
BROAD_SHARE = 0.05  # a share counted as "reading" an earlier token in the broad head's example
SINK_SHARE = 0.5  # a "sink head" puts more than this share of its weight on the first token
CONTRAST_ROWS = 10  # most token rows a contrast grid draws (its window: the first and the last)
NOUNS = ("noun", "propn")  # the lesson's roles a designed adjective -> noun link ends on
# The heads to zoom into: (behaviour, largest first-token share allowed), in order.
ZOOMS = (("previous_token", 1.0), ("broad", 0.5), ("current_token", 1.0))
BEHAVIOUR_NAMES = {
    "previous_token": "looks at the previous token",
    "broad": "reads many earlier tokens",
    "current_token": "looks at the token itself",
}


def quoted_piece(token: str) -> str:
    """A model token as it looks on screen (see ``piece_text``), quoted like a word."""
    return quote(piece_text(token))


def behaviour_fact(behaviour: str, score: HeadScore) -> str:
    """What a zoomed head does, in numbers, as the chapter says it (and the explorer
    page quotes it)."""
    if behaviour == "previous_token":
        return (
            f"on average {score.previous_token:.0%} of each later token's weight goes to "
            "the token just before it"
        )
    if behaviour == "current_token":
        return f"on average {score.current_token:.0%} of each later token's weight stays on itself"
    return (
        f"on average {score.first_token:.0%} of each later token's weight goes to the "
        f"first token and {score.current_token:.0%} to itself; it spreads the rest over "
        "the tokens between"
    )


@dataclass(frozen=True)
class Reading:
    """How broadly one query reads the earlier tokens a grid draws
    (:func:`broad_reading`)."""

    query: int
    earlier: tuple[int, ...]  # the keys before the query that the grid draws
    keys: tuple[int, ...]  # those given at least BROAD_SHARE, as printed
    weights: tuple[float, ...]  # the printed weight of each key of ``earlier``

    @property
    def most(self) -> float:
        return max(self.weights)


def broad_reading(weights: np.ndarray, query: int, drawn_keys) -> Reading:
    """Which earlier tokens ``query`` reads: every key before it that the grid draws
    (the first token included, the query itself not), counted when its printed weight is
    at least ``BROAD_SHARE``. ``weights`` is ``[query, key]``."""
    earlier = tuple(k for k in drawn_keys if k < query)
    printed = tuple(entries.shown(weights[query, k], 2) for k in earlier)
    keys = tuple(k for k, w in zip(earlier, printed) if w >= BROAD_SHARE)
    return Reading(query, earlier, keys, printed)


def broad_example(reading: Reading, tokens, windowed: bool) -> str:
    """The broad head's example in words: the count, the threshold and the largest weight
    of :func:`broad_reading`, and whether the first token is among those counted."""
    n = len(reading.keys)
    k = len(reading.earlier)
    before = f"the {k} earlier tokens the grid shows" if windowed else f"the {k} tokens before it"
    first = quoted_piece(tokens[0])
    if 0 in reading.keys:
        note = f"the first, {first}, among them"
    else:
        note = f"the first, {first}, gets {reading.weights[reading.earlier.index(0)]:.2f}"
    return (
        f"For example, {quoted_piece(tokens[reading.query])} gives {BROAD_SHARE:.2f} or more "
        f"to {n if n else 'none'} of {before} ({note}), {reading.most:.2f} at most"
    )


def light_up(count: int, total: int) -> str:
    """``Most heads light up`` and the like, for ``count`` of ``total`` heads: most is
    more than half, many more than a fifth."""
    if count == 0:
        return "No head lights up"
    if count == 1:
        return "One head lights up"
    many = "Most" if count > total / 2 else "Many" if count > total / 5 else "Some"
    return f"{many} heads light up"


@dataclass(frozen=True)
class SinkContrast:
    """Where attention that finds nothing goes, in the designed head and in every real
    head: the designed head's share on its sink (:func:`parked_share`), each real head's
    share on the first token (:func:`first_token_share`, the real model has no sink slot);
    and the real head to show beside the designed one: the middle one when the real heads
    are sorted by that share (:func:`sink_contrast`)."""

    designed: float | None  # None when the lesson's sentence has a single word
    real: np.ndarray  # (layers, heads)
    layer: int  # the real head shown
    head: int
    rank: int  # its place from the lowest share, from 1

    @property
    def shown(self) -> float:
        return float(self.real[self.layer, self.head])

    @property
    def more(self) -> int:
        """Real heads whose share is above the designed head's (exactly: a count is not
        rounded, 0.7445 parks more than 0.7427 though both print 0.74)."""
        return int((self.real > self.designed).sum())

    def compared(self) -> str:
        """How the shown real head's share compares with the designed head's, as printed."""
        real, designed = entries.shown(self.shown, 2), entries.shown(self.designed, 2)
        if real == designed:
            return "about as much as the designed head"
        more = "more" if real > designed else "less"
        return f"{more} than the designed head"


def sink_contrast(designed_sink: np.ndarray, real_pattern: np.ndarray) -> SinkContrast:
    """:class:`SinkContrast` of a designed head's ``[query]`` sink weights and real
    ``[layer, head, query, key]`` patterns."""
    designed = parked_share(designed_sink)
    real = first_token_share(real_pattern)  # (layers, heads)
    order = sorted(np.ndindex(real.shape), key=lambda lh: (real[lh], lh))  # lowest first
    middle = (len(order) - 1) // 2
    layer, head = order[middle]
    return SinkContrast(designed, real, int(layer), int(head), middle + 1)


@dataclass(frozen=True)
class SinksSaid:
    """The contrast's words about the two heads' sinks (:func:`sinks_said`)."""

    designed: str  # the designed head's share on its sink
    real: str  # the shown real head's share on the first token
    compared: str  # the narration's comparison
    count: str  # the line that says which real head is shown and how many park more


def sinks_said(sinks: SinkContrast, designed_name: str, first_token: str) -> SinksSaid:
    """What the contrast says about ``sinks``: the designed head's share, the real head's
    (``first_token``: the real model's first token, quoted), how they compare."""
    total = sinks.real.size
    real_said = f"{first_token} gets {sinks.shown:.2f} of each later token's weight"
    chosen = (
        f"On the right, a typical real head, layer {sinks.layer}, head {sinks.head} (the "
        f"middle one of all {total} sorted by this measure)"
    )
    if sinks.designed is None:
        designed_said = "a single word: no later token to average"
        compared = (
            f"With a single word the designed head has nothing to compare. {chosen}: there "
            f"{real_said}."
        )
        count_line = (
            f"Real head shown: layer {sinks.layer}, head {sinks.head}, the middle of {total} "
            "by this average."
        )
    else:
        designed_said = f"its sink gets {sinks.designed:.2f} of each later token's weight"
        compared = (
            f"The designed {designed_name} head parks {sinks.designed:.2f} on its sink, a "
            "slot with no value. The real model has no such slot: its heads park on the "
            f"first token. {chosen}: there {real_said}, {sinks.compared()}. {sinks.more} of "
            f"{total} real heads park more than the designed head does."
        )
        count_line = (
            f"{sinks.more} of {total} real heads park more on the first token than the "
            "designed head on its sink."
        )
    return SinksSaid(designed_said, real_said, compared, count_line)


@dataclass(frozen=True)
class Contrast:
    """What the contrast beat shows and says (:func:`contrast`)."""

    sinks: SinkContrast
    narration: str
    designed_line: str  # under the designed grid: its share on its sink
    real_line: str  # under the real grid: the same share
    legend: str  # under both, with the first frame: what the frames are
    lines: tuple[str, ...]  # under both: the count, the designed head's job, the verdict
    job: tuple[int, int]  # (key, query) of the designed head's cell its job line quotes
    # pieces of the narration that bring in, in turn: the designed head's framed row,
    # share and the legend, the real head's framed row, its share, and each of ``lines``
    cues: tuple[str, ...] = ()


def drawn_weights(pattern: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """One head's ``[query, key]`` weights as its zoomed grid writes them: two decimals,
    each query's full column adding up to 1.00 as drawn
    (:func:`entries.columns_adding_up`: weights large enough to be quoted stay plainly
    rounded where the sum allows)."""
    drawn = entries.columns_adding_up(key_by_query(pattern), key_by_query(mask), DECIMALS)
    return drawn.T  # back to (query, key)


def describe_zoom(
    run: RealAttention, behaviour: str, score: HeadScore, grid, weights: np.ndarray
) -> tuple[int, list[int], str, str]:
    """The query and keys of the cells to frame in a zoomed head's ``grid`` (a
    PatternWindow: its drawn ``queries`` and ``keys``, ``is_window``), the behaviour in
    numbers, and one example (whose words name exactly the framed cells, with the weights
    as the grid writes them: ``weights``, ``[query, key]``, :func:`drawn_weights`)."""
    tokens = run.tokens
    shown = [q for q in grid.queries if q >= 1]
    # Prefer examples a viewer can read: tokens of whole characters, not bytes of
    # one (drawn as <0xF0>...).
    queries = [q for q in shown if whole_characters(run.token_bytes[q])] or shown
    fact = behaviour_fact(behaviour, score)
    if behaviour == "previous_token":
        after_first = [q for q in queries if q >= 2 and q - 1 in grid.keys] or queries
        query = max(after_first, key=lambda q: weights[q, q - 1])
        key = query - 1
    elif behaviour == "current_token":
        query = max(queries, key=lambda q: weights[q, q])
        key = query
    else:
        query = grid.queries[-1]
        reading = broad_reading(weights, query, grid.keys)
        return query, list(reading.keys), fact, broad_example(reading, tokens, grid.is_window)
    example = (
        f"For example, {quoted_piece(tokens[query])} puts {weights[query, key]:.2f} "
        f"of its weight on {quoted_piece(tokens[key])}"
    )
    return query, [key], fact, example


def adjective_links(trace: Trace) -> list[tuple[int, int]]:
    """Every (query, key) of the sentence where an adjective comes before a noun: the
    links the designed adjective -> noun head is built to make."""
    roles = [t.role for t in trace.tokens]
    return [
        (q, k) for q in range(trace.n) for k in range(q) if roles[q] in NOUNS and roles[k] == "adj"
    ]


def designed_tokens(trace: Trace, pattern: np.ndarray, size: int = CONTRAST_ROWS) -> int:
    """How many of the sentence's tokens, from the first, the designed head's contrast
    grid draws (``pattern``: its ``[query, key]`` weights). All of them, unless the grid's
    window (the first token and the last ``size - 1``) leaves out every adjective -> noun
    link: then the tokens up to the noun of the strongest link, so that the window of
    those shows it (all of them again when even that window cannot)."""
    n = trace.n
    links = adjective_links(trace)
    drawn = set(range(n)) if n <= size else {0, *range(n - size + 1, n)}
    if not links or any(q in drawn and k in drawn for q, k in links):
        return n
    query, key = max(links, key=lambda qk: pattern[qk])
    end = max(query + 1, size)
    return end if key == 0 or key >= end - size + 1 else n


def designed_example(trace: Trace, pattern: np.ndarray, grid) -> tuple[int, int, bool]:
    """(query, key, is adjective -> noun) of the designed head's strongest adjective ->
    noun weight in ``grid`` (its drawn ``queries`` and ``keys``), or of its strongest
    weight on an earlier token when the grid has no such pair (or on itself, for a
    one-word sentence)."""
    earlier = [(q, k) for q in grid.queries for k in grid.keys if k < q]
    links = set(adjective_links(trace))
    pairs = [qk for qk in earlier if qk in links]
    candidates = pairs or earlier or [(0, 0)]
    query, key = max(candidates, key=lambda qk: pattern[qk])
    return query, key, bool(pairs)


def drawn_columns(queries, n_tokens: int) -> str:
    """Which of the ``n_tokens - 1`` later tokens' columns a grid draws (``queries``: its
    drawn ones), counted from 1 as a viewer counts tokens."""
    later = [q for q in queries if q >= 1]
    if len(later) == n_tokens - 1:
        return f"all {n_tokens - 1}"
    return f"{len(later)} of {n_tokens - 1}, tokens {later[0] + 1}–{later[-1] + 1} of {n_tokens}"


def framed_line(designed: tuple, real: tuple) -> str:
    """The legend of the two framed rows, shown with the frames: what each average is
    taken over, and, when a grid leaves some later tokens' columns out, which columns it
    draws and that the averages take in the others too. ``designed`` and ``real``: (drawn
    queries, number of tokens) of each grid."""
    left, right = drawn_columns(*designed), drawn_columns(*real)
    if left.startswith("all") and right.startswith("all"):
        return "Framed: the row each average is taken over. Dot area = weight."
    return (
        f"Framed: the row each average is taken over (columns drawn: left {left}; right "
        f"{right}; each average also takes in the columns not drawn). Dot area = weight."
    )


def job_line(trace: Trace, pattern: np.ndarray, grid) -> tuple[str, tuple[int, int]]:
    """What the contrast says of the designed head's job (``pattern``: its ``[query, key]``
    weights), from the cell of it that ``grid`` draws, and that cell (key, query)."""
    query, key, adjective = designed_example(trace, pattern, grid)
    link = f"{quoted(trace, key)} → {quoted(trace, query)}: {pattern[query, key]:.2f}"
    if adjective:
        said = f"The designed head's job, adjectives to nouns: {link}"
    elif adjective_links(trace):  # only outside the tokens drawn: say so, of those
        said = (
            "No adjective before a noun among the tokens drawn; the designed head's "
            f"strongest link there: {link}"
        )
    else:
        said = f"No adjective before a noun here; the designed head's strongest link: {link}"
    return said, (key, query)


def contrast(
    trace: Trace, run: RealAttention, designed, sinks: SinkContrast, grids: tuple
) -> Contrast:
    """The words about the designed head (``designed``: the lesson's head) and the real
    head ``sinks`` picked, drawn side by side in ``grids`` (designed, real)."""
    left, right = grids
    said = sinks_said(sinks, designed.name, quoted_piece(run.tokens[0]))
    job, cell = job_line(trace, designed.pattern, left)
    verdict = "Real heads are learned, not designed."
    narration = (
        "Side by side, one measure for both heads: the weight later tokens park where "
        "they take almost nothing, on average (the first token, which can only look at "
        f"itself, left out). {said.compared} {job}. {verdict}"
    )
    count = f"{sinks.more} of {sinks.real.size} real heads" if sinks.designed is not None else None
    real_share = f"there {said.real}"
    cues = (
        said.compared[:24],
        "its heads park on the first token" if sinks.designed is not None else "On the right",
        real_share,
        count or real_share,  # a single word: the count line names the head shown, as said
        job,
        "Real heads are learned",
    )
    return Contrast(
        sinks,
        narration,
        designed_line=f"{said.designed} (average)",
        real_line=f"{said.real} (average)",
        legend=framed_line((left.queries, trace.n), (right.queries, len(run.tokens))),
        lines=(said.count, f"{job}.", verdict),
        job=cell,
        cues=cues,
    )
