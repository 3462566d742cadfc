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
