"""The type scale: a few named font sizes, and the chapters draw text at those sizes only,
always passed as ``font_size`` (``size`` is a length or a count, never a font size)."""

from __future__ import annotations

import ast
from pathlib import Path

from scenes.components import palette

ROOT = Path(__file__).resolve().parents[2]
SCALE = ("FOOTNOTE", "NOTE", "SMALL", "LABEL", "BODY", "HEADING", "LARGE", "HEADLINE")
SCALE += ("PROMINENT", "DISPLAY", "TITLE")
# what takes a ``size`` that is not a font size: a screen length, rows, a dot's radius
SIZE_IS_NOT_TEXT = {"EmbeddingSpace", "PatternWindow", "dots", "normal", "uniform"}
# where a font size passed without its keyword goes
FONT_SIZE_ARGUMENT = {"literal": 1, "figure": 1, "typst": 1, "colored": 1, "number": 2}
FONT_SIZE_ARGUMENT |= {"numeral": 2, "paragraph": 2, "attention_formula": 0}


def test_scale_grows_in_order():
    sizes = [getattr(palette, name) for name in SCALE]
    assert all(isinstance(s, int) for s in sizes)
    assert sizes == sorted(set(sizes))
    assert (palette.FOOTNOTE, palette.BODY, palette.TITLE) == (16, 24, 48)


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield name, node


def test_chapters_use_the_named_sizes():
    files = [*ROOT.glob("scenes/ch*.py"), ROOT / "scenes/chapter.py", ROOT / "scenes/lesson.py"]
    literal_sizes = []
    for path in files:
        for name, node in calls(path):
            for kw in node.keywords:
                if kw.arg == "font_size" and isinstance(kw.value, ast.Constant):
                    literal_sizes.append(f"{path.name}:{node.lineno} {name}")
            at = FONT_SIZE_ARGUMENT.get(name, len(node.args))
            if at < len(node.args) and isinstance(node.args[at], ast.Constant):
                literal_sizes.append(f"{path.name}:{node.lineno} {name}")
    assert literal_sizes == []


def test_size_is_never_a_font_size():
    files = [*ROOT.glob("scenes/**/*.py"), *ROOT.glob("docs/**/*.py")]
    text_sizes = [
        f"{path.relative_to(ROOT)}:{node.lineno} {name}"
        for path in files
        for name, node in calls(path)
        if any(kw.arg == "size" for kw in node.keywords) and name not in SIZE_IS_NOT_TEXT
    ]
    assert text_sizes == []
