"""Every environment variable the project reads is declared once, in
attention_math/environment.py, and README's table lists exactly those."""

from __future__ import annotations

import re
from pathlib import Path

from attention_math.environment import VARIABLES

ROOT = Path(__file__).resolve().parent.parent
CODE = ("attention_math", "scenes", "video", "voice", "render_speed", "bench")
NAME = re.compile(r"ATTENTION_[A-Z_]+")


def test_readme_lists_every_variable_with_its_option_and_doc():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Environment variables", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `ATTENTION_")]
    listed = {}
    for row in rows:
        name, option, doc = (cell.strip() for cell in row.strip("|").split("|"))
        listed[name.strip("`")] = (option.replace("`", ""), doc)
    assert listed == {v.name: (v.flag or "—", v.doc) for v in VARIABLES}


def test_no_code_names_a_variable_outside_the_table():
    names = {v.name for v in VARIABLES}
    for package in CODE:
        for path in (ROOT / package).rglob("*.py"):
            if path.name == "environment.py":
                continue
            code = "\n".join(  # string literals only: docstrings and comments may name them
                line for line in path.read_text().splitlines() if not line.lstrip().startswith("#")
            )
            for literal in re.findall(r"[\"'](ATTENTION_[A-Z_]+)[\"']", code):
                raise AssertionError(f"{path.relative_to(ROOT)} spells {literal} itself")
            for mentioned in NAME.findall(code):
                assert mentioned in names, f"{path.relative_to(ROOT)}: {mentioned} is not declared"
    script = (ROOT / "render.sh").read_text()
    assert set(NAME.findall(script)) <= names
