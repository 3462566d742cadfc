"""Chapter 5: the large picture is a real 50-token pattern, drawn by its own numbers."""

from __future__ import annotations

import numpy as np
import pytest
from render_helpers import last_frame, render_default, scene_duration

from attention_math import load_example
from scenes.ch05_context_size import PASSAGES, ContextSize


@pytest.fixture(scope="module")
def chapter():
    return render_default(ContextSize)


def test_is_a_lesson_of_at_least_40_seconds(chapter):
    assert scene_duration(chapter) >= 40
    assert last_frame(chapter)[..., :3].max() > 100  # it ends on its final picture
    assert [name for name, _ in chapter.narration] == [
        "small grid",
        "large grid",
        "quadratic",
        "methods",
    ]


def test_large_pattern_is_the_passage_run_through_the_head(chapter):
    big = chapter.big
    assert big.n == 50
    assert big.sentence == " ".join(load_example(name).sentence for name in PASSAGES)
    pattern = big.head("adjective-noun").pattern  # [query, key]
    levels = chapter.heatmap.levels  # [key, query]
    assert levels.shape == (50, 50)
    for i in range(50):
        for j in range(50):
            if i > j:
                assert levels[i, j] == -1 and pattern[j, i] == 0
            else:
                assert levels[i, j] == round(np.sqrt(pattern[j, i]) * 15)
