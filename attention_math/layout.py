"""The one place where the core's ``[query, key]`` layout turns into the screen's.

On screen (and in the JSON export) keys are rows, listed down the left, and
queries are columns, listed across the top; softmax runs down each column. The
core computes ``[query, key]`` arrays. Everything that shows a pattern calls
:func:`key_by_query` and nothing else transposes.
"""

from __future__ import annotations

import numpy as np


def key_by_query(matrix: np.ndarray) -> np.ndarray:
    """``[query, key]`` -> ``[key, query]``: row i is key i, column j is query j."""
    return np.asarray(matrix).T
