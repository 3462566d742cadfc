"""An embedding column draws real entries of the vector, rounded, with dots for the rest."""

from __future__ import annotations

from scenes.components.embedding_column import EmbeddingColumn
from scenes.components.entries import shown, signed


def test_entries_are_the_real_entries_rounded(fluffy_trace):
    vector = fluffy_trace.E[3]
    column = EmbeddingColumn(vector, (0, 1, 2, 3, -1))
    d = len(vector)
    assert column.indices == [0, 1, 2, 3, d - 1]
    for i in column.indices:
        assert column.get_entry(i).text == signed(vector[i], 1)
    assert column.displayed.tolist() == [shown(vector[i], 1) for i in column.indices]
    assert len(column.dot_rows) == 1  # indices 4 .. d-2 are skipped once


def test_contiguous_indices_need_no_dots(fluffy_trace):
    column = EmbeddingColumn(fluffy_trace.E[0], (5, 6, 7), decimals=2)
    assert len(column.dot_rows) == 0
    assert [e.text for e in column.get_entries()] == [
        signed(fluffy_trace.E[0, i], 2) for i in (5, 6, 7)
    ]
