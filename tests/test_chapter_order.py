"""The chapter list is the single source of the video's order; every entry is real."""

from __future__ import annotations

import ast

import pytest

from attention_math import InputError
from scenes.chapter import ChapterScene
from scenes.order import CHAPTERS, chapter, select_chapters


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


@pytest.mark.parametrize(
    "key", [3, "3", "03", " 3 ", "AttentionPattern", "attentionpattern", "ch03_attention_pattern"]
)
def test_a_chapter_is_named_by_number_module_or_scene(key):
    assert chapter(key) is CHAPTERS[2]
    assert select_chapters(str(key)) == (CHAPTERS[2],)  # the same rules


def test_a_selection_is_in_order_and_holds_each_chapter_once():
    assert select_chapters(None) == CHAPTERS
    assert [c.number for c in select_chapters("5, 1-3,masking, 2")] == [1, 2, 3, 4, 5]
    assert [c.number for c in select_chapters(" 12 - 13 ")] == [12, 13]


@pytest.mark.parametrize(
    "spec, message",
    [
        ("99", "no chapter 99; chapters are 1-13"),
        ("0-3", "no chapter 0;"),
        ("3-99", "no chapter 99;"),
        ("5-3", "the range '5-3' is empty; write it low-high"),
        ("Nope", "unknown chapter 'Nope'; use numbers or names (1=RecapOnEmbeddings, "),
        ("x" * 100, "unknown chapter '" + "x" * 40 + "...'"),
        ("9" * 5000, "no chapter " + "9" * 40 + "...;"),
        (", ,", "--chapters ', ,' names no chapter"),
    ],
)
def test_bad_names_are_one_line_errors_that_say_what_there_is(spec, message):
    with pytest.raises(InputError) as caught:
        select_chapters(spec)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    if "," not in spec and "-" not in spec:
        with pytest.raises(InputError, match="chapter"):
            chapter(spec)
