"""What chapter 1 reads off the trace, without drawing: what the tokens beat says
(:func:`token_words`), a token's embedding split into its word and its position
(:func:`word_part`, :func:`position_part`), the sense a supporting phrase settles, the
'mole' picture's points (:func:`mole_points`), which tokens get an embedding column,
where pictures go (:func:`spread`, :func:`fit`) and what the attention block's beats say
(:func:`block_words`, :func:`arc_words`)."""

from __future__ import annotations

import numpy as np

from attention_math import Trace
from attention_math.embeddings import direction
from attention_math.heads import load_design
from attention_math.projection import orthonormal_basis, pca_basis, project
from scenes.focus import quoted


def token_words(trace: Trace, shown: list[int], windowed: bool) -> str:
    """What the tokens beat says: how many tokens, what their colours mark and, when the
    pictures after it show a window of the row (``shown``), which one."""
    said = (
        f"The text is first cut into pieces called tokens: this sentence gives {trace.n}. "
        "Colours mark the role of each word."
    )
    if not windowed:
        return said
    first, last = quoted(trace, shown[0]), quoted(trace, shown[-1])
    return f"{said} The pictures after this show {len(shown)} of them: {first} to {last}."


def position_part(trace: Trace, i: int) -> np.ndarray:
    """The position vector folded into token ``i``'s embedding.

    :func:`attention_math.embeddings.embed` adds ``sqrt(d) * position_weight *
    direction("position:i")`` to the word's own vector; subtracting it gives the
    vector the word has wherever it stands.
    """
    d = trace.dims.d_model
    weight = load_design().embedding.position
    return np.sqrt(d) * weight * direction(f"position:{i}", d, trace.seed)  # (d_model,)


def word_part(trace: Trace, i: int) -> np.ndarray:
    """Token ``i``'s embedding without its position: the same for every occurrence."""
    return trace.E[i] - position_part(trace, i)  # (d_model,)


def last_index_of(trace: Trace, word: str) -> int:
    return max(i for i, w in enumerate(trace.words) if w.lower() == word)


def sense_of(trace: Trace) -> str:
    """The meaning the context settles, read from the cue words of the phrase."""
    cues = [f.split(":", 1)[1] for t in trace.tokens for f in t.features if f.startswith("cue:")]
    return cues[0] if cues else trace.sentence


def mole_points(moles: tuple[Trace, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The 'mole' picture in 3D: the word alone (3,), then each phrase's 'mole' before
    attention, E (word plus position), and after it, E′ (each (phrases, 3)).

    The three directions: along the word alone, then the two in which the phrases'
    changes ΔE = E′ − E differ most. Each arrow from E to E′ is then its ΔE projected;
    the position vectors, nearly orthogonal to these directions, leave each E close to
    the tip of the word alone.
    """
    ks = [last_index_of(tr, "mole") for tr in moles]
    alone = word_part(moles[0], ks[0])  # (d_model,)
    before = np.stack([tr.E[k] for tr, k in zip(moles, ks, strict=True)])  # (phrases, d)
    after = np.stack([tr.E_prime[k] for tr, k in zip(moles, ks, strict=True)])  # (phrases, d)
    _, differ = pca_basis(after - before, 2)  # (2, d_model)
    basis = orthonormal_basis(np.vstack([alone, differ]))  # (3, d_model)
    return project(alone, basis), project(before, basis), project(after, basis)


def spread(xs: list[float], pitch: float) -> list[float]:
    """``xs`` (increasing) moved apart to at least ``pitch``, keeping their centre."""
    out = list(xs)
    for k in range(1, len(out)):
        out[k] = max(out[k], out[k - 1] + pitch)
    shift = (sum(xs) - sum(out)) / len(out)
    return [x + shift for x in out]


def space_extent(points: np.ndarray) -> float:
    return 1.15 * float(np.abs(points).max())


def column_tokens(shown: list[int], focus: int, count: int) -> list[int]:
    """At most ``count`` consecutive tokens of ``shown`` (positions in order), with
    ``focus`` among them when it is shown: the ones that get an embedding column."""
    if len(shown) <= count:
        return shown
    at = shown.index(focus) if focus in shown else len(shown) - 1
    start = min(max(0, at - count // 2), len(shown) - count)
    return shown[start : start + count]


def fit(points: np.ndarray, width: float, height: float) -> tuple[float, np.ndarray]:
    """How to scale (about the origin) and then shift the screen ``points`` (n, 3) so
    that their bounding box is as large as fits ``width`` × ``height`` and centred on
    the origin: (scale, shift)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    size = np.maximum(hi - lo, 1e-9)
    scale = float(min(width / size[0], height / size[1]))
    return scale, -scale * (lo + hi) / 2


def block_words(trace: Trace) -> str:
    """What the attention-block beat says while its two rows come: E below, then E′."""
    return (
        "Attention sits between two rows of embeddings. Below, E: the vectors going in. "
        f"Above, E′: the vectors coming out, every token updated, with all {len(trace.heads)} "
        "heads' changes added."
    )


def arc_words(trace: Trace, head: str, strongest: tuple[int, int] | None, weight: float) -> str:
    """What the arcs beat says: what the arcs of ``head`` are and, when one is drawn, the
    ``strongest`` (key, query) of ``weight``, as its caption quotes it."""
    if strongest is None:
        return (
            f"Arcs would show one head's weights of 0.05 or more ({head}), each from an "
            "earlier token: here no weight reaches 0.05, so none is drawn."
        )
    said = (
        f"The arcs are one head's weights of 0.05 or more ({head}): each token takes "
        "context from earlier tokens only, so every arc runs forward."
    )
    key, query = (quoted(trace, i) for i in strongest)
    return (
        f"{said} The strongest drawn: {key} into {query}, {weight:.2f}. Boxed: the E of "
        f"{key} and the E′ of {query}."
    )


def evenly_foreshortened(segments: np.ndarray) -> np.ndarray:
    """A unit direction (3,) to look along at the three ``segments`` (3, 3), linearly
    independent, that shortens them all by the same factor, as little as it can: on the
    screen they keep the proportions of their true lengths.

    A segment of direction ``u`` seen along ``n`` keeps ``sqrt(1 - (u·n)²)`` of its
    length, so ``n`` makes the same angle with each of them (up to sign): ``n`` solves
    ``U n = s`` for signs ``s``; the sign pattern that turns ``n`` most nearly square
    to all three wins.
    """
    units = segments / np.linalg.norm(segments, axis=1, keepdims=True)  # (3, 3)
    best, best_cos = None, np.inf
    for signs in ((1, 1, 1), (1, 1, -1), (1, -1, 1), (-1, 1, 1)):
        n = np.linalg.solve(units, np.array(signs, dtype=float))
        n /= np.linalg.norm(n)
        cos = abs(float(units[0] @ n))  # the same for all three
        if cos < best_cos:
            best, best_cos = n, cos
    return best


def facing(
    points: np.ndarray, depth: np.ndarray, right: np.ndarray, up: np.ndarray, aspect: float = 1.0
) -> np.ndarray:
    """A rotation (3, 3) of the data space that turns ``depth`` into the view's depth
    (``right`` × ``up``, the screen's directions in data space), turned about it so that
    ``points`` (n, 3) fill a box of width/height ``aspect`` best, the first point then
    as near to up and right as that allows. Rotated points are ``R`` times each point: lengths
    and angles kept."""
    a = np.cross(depth, [1.0, 0.0, 0.0] if abs(depth[0]) < 0.9 else [0.0, 1.0, 0.0])
    a /= np.linalg.norm(a)
    b = np.cross(depth, a)  # (a, b, depth) right-handed
    options = []
    for angle in np.linspace(0, 2 * np.pi, 144, endpoint=False):
        x = np.cos(angle) * a + np.sin(angle) * b  # what the screen's right shows
        y = np.cross(depth, x)
        screen = np.column_stack([points @ x, points @ y])  # (n, 2)
        size = np.maximum(np.ptp(screen, axis=0), 1e-9)
        scale = min(aspect / size[0], 1.0 / size[1])
        first = screen[0] / max(np.linalg.norm(screen[0]), 1e-9)
        options.append((scale, first @ np.array([1.0, 1.0]) / np.sqrt(2), x, y))
    best = max(scale for scale, *_ in options)
    _, _, x, y = max((o for o in options if o[0] >= 0.97 * best), key=lambda o: o[1])
    screen_depth = np.cross(right, up)
    return np.outer(right, x) + np.outer(up, y) + np.outer(screen_depth, depth)


def tower_words(names: list[str], steps: list[float], length: float, d: int) -> str:
    """What the tower beat says: each phrase in its own sentence (each picture comes
    with its words), then the lengths its caption quotes."""
    first, second, third = (f"'{name}'" for name in names)
    return (
        f"Each modifier moves the vector further. First {first} alone. Then {second}: "
        f"the step from {first} is an arrow from its tip. Then {third}: one more step. "
        "Real vectors after attention, in the 3 directions they span, seen from where "
        f"the steps keep their proportions: {steps[0]:.0f} and {steps[1]:.0f} units long, "
        f"against {length:.0f} for {first} alone, lengths in all {d:,} dimensions."
    )


def position_words(trace: Trace, j: int) -> str:
    """What the position beat says, in the order its picture comes: token ``j``, then the
    word's vector with the position's, then their sum."""
    return (
        f"Position is folded in: {quoted(trace, j)} is token {j + 1}, so the vector of "
        f"position {j + 1} is added to the word's own vector. The sum is the embedding the "
        "model starts from; the parts are rounded so that every sum adds up as drawn."
    )


def meaning_words(moles: tuple[Trace, ...], d: int) -> str:
    """What the 'mole' beat says: each phrase's sense and what its picture shows."""
    return (
        "Directions carry meaning. After attention, each 'mole' moves toward its sense: "
        + ", ".join(sense_of(tr) for tr in moles)
        + f". The picture shows 3 chosen directions of the {d:,}: along 'mole' alone, and "
        "the two in which the changes differ most. In each phrase 'mole' starts near the "
        "tip of 'mole' alone (its word plus its position); an arrow for each change "
        "attention made, ΔE, takes it to 'mole' in its phrase."
    )


def under(
    xs: list[float], width: float, room: float, sizes=(1.0, 0.85, 0.7)
) -> tuple[float, list[float], bool]:
    """Where columns ``width`` wide go under tokens at ``xs`` (increasing) in a frame
    ``room`` wide centred on 0: the largest of ``sizes`` at which they fit and each stays
    nearer its own token than any other, moved apart as little as they need
    (:func:`packed`) and then into the frame, as (size, centres, whether they fit); at
    the smallest size when none fits."""
    for size in sizes:
        centres = packed(xs, size * width + 0.12)
        half = (room - size * width) / 2  # farthest a centre may stand from the middle
        shift = max(0.0, -half - centres[0]) - max(0.0, centres[-1] - half)
        centres = [x + shift for x in centres]
        nearest = [int(np.argmin(np.abs(np.array(xs) - c))) for c in centres]
        fits = centres[-1] - centres[0] + size * width <= room and nearest == list(range(len(xs)))
        if fits:
            break
    return size, centres, fits


def packed(xs: list[float], pitch: float) -> list[float]:
    """``xs`` (increasing) moved apart to at least ``pitch``, as little as can be (least
    squares): a run of k-th points at ``x_k - k * pitch`` made non-decreasing by pooling
    neighbours that break the order into their mean (pool-adjacent-violators)."""
    blocks: list[list[float]] = []  # [mean, count] of pooled runs
    for k, x in enumerate(xs):
        blocks.append([x - k * pitch, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, n1), (m2, n2) = blocks.pop(-2), blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    ys = [m for m, n in blocks for _ in range(int(n))]
    return [y + k * pitch for k, y in enumerate(ys)]
