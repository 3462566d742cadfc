"""Example files (``assets/examples/*.toml``), loaded into validated objects.

An example file holds::

    title = "A fluffy blue creature"                          # required
    sentence = "a fluffy blue creature roamed the verdant forest"  # or: phrases = [...]
    target = "..."        # optional: a translation (the queries of cross-attention)
    description = "..."   # optional
    [words]               # optional: annotations for words the lexicon lacks
    verdant = "adj colour:green"
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .errors import InputError
from .lexicon import ASSETS, Annotation, Lexicon, load_lexicon, parse_word_table, read_toml
from .text import check_text

EXAMPLES_DIR = ASSETS / "examples"
DEFAULT_EXAMPLE = "fluffy-creature"
_ALLOWED_KEYS = {"title", "sentence", "phrases", "target", "description", "words"}


@dataclass(frozen=True)
class Example:
    """A sentence (or a few short phrases) to explain, plus what it adds to the lexicon."""

    name: str  # short, file-name-safe: used for output folders
    title: str
    phrases: tuple[str, ...]
    target: str | None = None
    description: str = ""
    words: Mapping[str, Annotation] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def sentence(self) -> str:
        """The first (usually only) phrase."""
        return self.phrases[0]

    def lexicon(self, base: Lexicon | None = None) -> Lexicon:
        return (base or load_lexicon()).extended(self.words)


def available_examples() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.toml"))


def resolve_example_path(name_or_path: str) -> Path:
    """A bare name means ``assets/examples/NAME.toml``; anything else is a path."""
    if "/" in name_or_path or name_or_path.endswith(".toml"):
        return Path(name_or_path)
    path = EXAMPLES_DIR / f"{name_or_path}.toml"
    if not path.exists():
        raise InputError(
            f"no example named {name_or_path!r}; available: {', '.join(available_examples())}"
        )
    return path


def load_example(name_or_path: str = DEFAULT_EXAMPLE) -> Example:
    """Load and validate an example file; every error names the file and the field."""
    path = resolve_example_path(name_or_path)
    data = read_toml(path)
    where = str(path)
    unknown = sorted(set(data) - _ALLOWED_KEYS)
    if unknown:
        raise InputError(
            f"{where}: unknown field(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(_ALLOWED_KEYS))})"
        )
    title = _string(data, "title", where, required=True)
    if ("sentence" in data) == ("phrases" in data):
        raise InputError(f"{where}: give exactly one of 'sentence' or 'phrases'")
    if "sentence" in data:
        phrases = (_string(data, "sentence", where, required=True),)
    else:
        raw = data["phrases"]
        if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
            raise InputError(f"{where}: 'phrases' must be a non-empty list of strings")
        phrases = tuple(raw)
    for i, phrase in enumerate(phrases):
        _checked(phrase, where, "sentence" if "sentence" in data else f"phrases[{i}]")
    target = _string(data, "target", where, required=False)
    if target is not None:
        _checked(target, where, "target")
    words = parse_word_table(data.get("words", {}), load_lexicon().roles, where)
    return Example(
        name=slug(path.stem),
        title=title,
        phrases=phrases,
        target=target,
        description=_string(data, "description", where, required=False) or "",
        words=MappingProxyType(words),
    )


def example_from_sentence(sentence: str) -> Example:
    """An ad-hoc example for ``--sentence``; its name is derived from the text."""
    check_text(sentence)
    return Example(name=slug(sentence), title=sentence.strip(), phrases=(sentence,))


def slug(text: str, limit: int = 48) -> str:
    """A file-name-safe name: lowercase ASCII words joined by dashes, plus a short hash
    when characters were dropped, so different sentences never share a folder."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    base = "-".join(words)[:limit].strip("-")
    if base == "-".join(words) and base:
        return base
    digest = hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()
    return f"{base}-{digest}" if base else f"sentence-{digest}"


def _string(data: dict, key: str, where: str, required: bool) -> str | None:
    if key not in data:
        if required:
            raise InputError(f"{where}: missing required field '{key}'")
        return None
    value = data[key]
    if not isinstance(value, str):
        raise InputError(f"{where}: '{key}' must be a string, not {type(value).__name__}")
    return value


def _checked(text: str, where: str, key: str) -> None:
    try:
        check_text(text, key)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
