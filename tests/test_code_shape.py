"""The shape of the code a newcomer reads: no function longer than a screen, and every
import pointing down the layers (core, voice, scenes, pipeline), never up."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("attention_math", "voice", "scenes", "video", "render_speed", "tests", "bench")
LONGEST = 60  # lines of one function, its signature and docstring included
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
