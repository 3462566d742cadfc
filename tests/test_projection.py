"""Projections into pictures, checked against plain dot products."""

import numpy as np
import pytest

from attention_math.projection import coords3, orthonormal_basis, project


@pytest.mark.parametrize("k", [1, 2, 3])
def test_coords3_are_dot_products_with_the_basis_then_zeros(k):
    rng = np.random.default_rng(k)
    basis = orthonormal_basis(rng.normal(size=(k, 50)))
    points = rng.normal(size=(4, 50))
    got = coords3(points, basis)
    assert got.shape == (4, 3)
    for n, point in enumerate(points):
        for axis in range(3):
            expected = float(sum(point[i] * basis[axis, i] for i in range(50))) if axis < k else 0
            assert got[n, axis] == pytest.approx(expected, abs=1e-12)
    assert np.array_equal(got[:, :k], project(points, basis))
