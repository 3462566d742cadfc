"""The shape of the code a newcomer reads: no function longer than a screen, and every
import pointing down the layers (core, voice, scenes, pipeline), never up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("attention_math", "voice", "scenes", "video", "render_speed", "tests", "bench")
LONGEST = 60  # lines of one function, its signature and docstring included
LONGEST_CHAPTER = 550  # lines of a chapter file: its beats; what it says is in scenes/facts
# what each layer may import from the project (a package is free to import itself)
MAY_IMPORT = {
    "attention_math": set(),
    "voice": {"attention_math"},
    "scenes": {"attention_math", "voice", "render_speed"},
    "video": {"attention_math", "voice", "scenes", "render_speed"},
}


def sources() -> list[Path]:
    found = []
    for package in PACKAGES:
        found += sorted((ROOT / package).rglob("*.py"))
    return found


def functions(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def imported(path: Path) -> set[str]:
    """The top-level project packages ``path`` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names & set(PACKAGES)


def test_the_sources_are_found():
    paths = {p.relative_to(ROOT).as_posix() for p in sources()}
    assert {"scenes/ch06_values.py", "voice/service.py", "video/cli.py"} <= paths


def test_no_function_is_longer_than_a_screen():
    long = [
        f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines} lines)"
        for path in sources()
        for node in functions(path)
        if (lines := node.end_lineno - node.lineno + 1) > LONGEST
    ]
    assert not long, "\n".join(long)


@pytest.mark.parametrize("package", sorted(MAY_IMPORT))
def test_imports_point_down_the_layers(package):
    upward = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(wrong))}"
        for path in sorted((ROOT / package).rglob("*.py"))
        if (wrong := imported(path) - MAY_IMPORT[package] - {package})
    ]
    assert not upward, "\n".join(upward)


def test_components_do_not_reach_into_chapters():
    reaching = []
    for path in sorted((ROOT / "scenes" / "components").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("scenes.ch"):
                reaching.append(f"{path.relative_to(ROOT)} imports {node.module}")
    assert not reaching, "\n".join(reaching)


def test_chapter_files_hold_their_beats_not_a_toolbox():
    long = [
        f"{path.name} ({lines} lines)"
        for path in sorted((ROOT / "scenes").glob("ch[0-9][0-9]_*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST_CHAPTER
    ]
    assert not long, "\n".join(long)


def _runtime_imports(path: Path) -> set[str]:
    """The modules ``path`` imports when it runs (not those under ``if TYPE_CHECKING``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    names = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_facts_draw_nothing_and_sit_below_the_chapters():
    """scenes/facts/ holds what chapters say and show, computed without drawing: it never
    imports manim nor a chapter (the chapters and the explorer page import it)."""
    found = sorted((ROOT / "scenes" / "facts").glob("ch*.py"))
    assert found
    wrong = [
        f"{path.name} imports {name}"
        for path in found
        for name in sorted(_runtime_imports(path))
        if name == "manim" or name.startswith(("manim.", "scenes.ch"))
    ]
    assert not wrong, "\n".join(wrong)
