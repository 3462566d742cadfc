"""Projections of real high-dimensional vectors into the 2D/3D pictures."""

from __future__ import annotations

import numpy as np


def orthonormal_basis(vectors: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Gram-Schmidt on the rows of ``vectors``, in order: (k, d) -> (k, d) orthonormal rows.

    The first basis vector points along the first vector, the second along the part
    of the second vector not explained by the first, and so on, so a picture built
    on it shows the first vector as an axis and the others relative to it.
    """
    vectors = np.atleast_2d(np.asarray(vectors, dtype=float))  # (k, d)
    q, r = np.linalg.qr(vectors.T)  # (d, k), (k, k)
    signs = np.sign(np.diag(r))
    signs[signs == 0] = 1.0
    if np.any(np.abs(np.diag(r)) < tol * max(1.0, np.abs(r).max())):
        raise ValueError("the vectors are linearly dependent; no basis to project onto")
    return (q * signs).T  # (k, d)


def span_basis(vectors: list[np.ndarray], k: int = 3) -> np.ndarray:
    """Orthonormal basis (at most ``k`` rows, in order) of the first of ``vectors`` that
    are independent of the ones kept before them: (k', d)."""
    kept: list[np.ndarray] = []
    for v in vectors:
        candidate = np.vstack([*kept, v])  # (len(kept) + 1, d)
        if np.linalg.matrix_rank(candidate, tol=1e-8 * np.abs(candidate).max()) > len(kept):
            kept.append(v)
        if len(kept) == k:
            break
    return orthonormal_basis(np.vstack(kept))  # (k', d)


def project(points: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Coordinates of ``points`` (n, d) along orthonormal ``basis`` rows (k, d): (n, k)."""
    return np.asarray(points) @ np.asarray(basis).T  # (n, d) @ (d, k) -> (n, k)


def coords3(points: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """:func:`project` for a 3D picture: (n, k) coordinates with k <= 3, padded with
    zeros to (n, 3)."""
    c = project(points, basis)  # (n, k)
    return np.hstack([c, np.zeros((len(c), 3 - c.shape[1]))])  # (n, 3)


def pca_basis(points: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean and top-``k`` principal directions of ``points`` (n, d): ((d,), (k, d)).

    Signs are fixed (largest-magnitude entry of each direction positive) so the
    picture does not flip between runs or machines.
    """
    points = np.asarray(points, dtype=float)
    mean = points.mean(axis=0)  # (d,)
    _, _, vt = np.linalg.svd(points - mean, full_matrices=False)  # vt: (min(n, d), d)
    basis = vt[:k]  # (k, d)
    flip = np.sign(basis[np.arange(len(basis)), np.abs(basis).argmax(axis=1)])
    return mean, basis * flip[:, None]
