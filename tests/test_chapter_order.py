"""The chapter list is the single source of the video's order; every entry is real."""

from __future__ import annotations

import ast

import pytest

from scenes.chapter import ChapterScene
from scenes.order import CHAPTERS, chapter


def test_numbers_are_consecutive_and_files_exist():
    assert [c.number for c in CHAPTERS] == list(range(1, len(CHAPTERS) + 1))
    for c in CHAPTERS:
        assert c.file.exists(), c.file


@pytest.mark.parametrize("ch", CHAPTERS, ids=lambda c: c.module)
def test_scene_class_matches_its_entry(ch):
    cls = ch.load()
    assert issubclass(cls, ChapterScene)
    assert cls.number == ch.number
    assert chapter(ch.scene) is ch and chapter(ch.number) is ch


@pytest.mark.parametrize("ch", CHAPTERS, ids=lambda c: c.module)
def test_scenes_use_no_randomness(ch):
    tree = ast.parse(ch.file.read_text())
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    attrs = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    imported = {
        alias.name for n in ast.walk(tree) if isinstance(n, ast.Import) for alias in n.names
    }
    assert "random" not in imported and "random" not in names
    assert not {"default_rng", "rand", "randn", "uniform"} & attrs
