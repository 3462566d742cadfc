"""Example files (``assets/examples/*.toml``), loaded into validated objects.

An example file holds::

    title = "A fluffy blue creature"                          # required
    sentence = "a fluffy blue creature roamed the verdant forest"  # or: phrases = [...]
    target = "..."        # optional: a translation (the queries of cross-attention)
    description = "..."   # optional
    [words]               # optional: annotations for words the lexicon lacks
    verdant = "adj colour:green"

Limits: a file of at most 256 KiB, at most 8 phrases, a title of at most 200
characters; each phrase is checked as a ``--sentence`` is (``text.check_text``).
An example's ``name`` is its output folder (:func:`example_name`,
:func:`sentence_name`): distinct examples never share one.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .errors import InputError
from .lexicon import ASSETS, Annotation, Lexicon, load_lexicon, parse_word_table, read_toml
from .text import check_text

EXAMPLES_DIR = ASSETS / "examples"
DEFAULT_EXAMPLE = "fluffy-creature"
MAX_PHRASES = 8  # each is traced at full size; the chapters show the first
MAX_TITLE_CHARS = 200
_ALLOWED_KEYS = {"title", "sentence", "phrases", "target", "description", "words"}


@dataclass(frozen=True)
class Example:
    """A sentence (or a few short phrases) to explain, plus what it adds to the lexicon."""

    name: str  # file-name-safe and distinct for distinct examples: the output folder
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


def user_path(path: str | Path, base: Path | None = None) -> Path:
    """A path the user gave, absolute; relative ones are read from ``base`` (the folder
    the user ran the command in, which the command line knows), else the current one."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else (base or Path.cwd()) / path


def is_example_path(name_or_path: str) -> bool:
    """Whether ``--example`` names a file (has a ``/`` or ends in ``.toml``) rather than
    an example of ``assets/examples``."""
    return "/" in name_or_path or name_or_path.endswith(".toml")


def resolve_example_path(name_or_path: str, base: Path | None = None) -> Path:
    """A bare name means ``assets/examples/NAME.toml``; anything else is a path, relative
    ones read from ``base`` (:func:`user_path`)."""
    if is_example_path(name_or_path):
        return user_path(name_or_path, base)
    path = EXAMPLES_DIR / f"{name_or_path}.toml"
    if not path.is_file():
        shown = name_or_path if len(name_or_path) <= 60 else name_or_path[:60] + "..."
        raise InputError(
            f"no example named {shown!r}; available: {', '.join(available_examples())}"
        )
    return path


def load_example(name_or_path: str = DEFAULT_EXAMPLE, base: Path | None = None) -> Example:
    """Load and validate an example file (a relative path read from ``base``, see
    :func:`resolve_example_path`); every error names the file and the field."""
    path = resolve_example_path(name_or_path, base)
    data = read_toml(path)
    where = str(path)
    unknown = sorted(set(data) - _ALLOWED_KEYS)
    if unknown:
        raise InputError(
            f"{where}: unknown field(s) {', '.join(unknown)} "
            f"(allowed: {', '.join(sorted(_ALLOWED_KEYS))})"
        )
    title = _string(data, "title", where, required=True)
    _checked(title, where, "title", MAX_TITLE_CHARS)
    if ("sentence" in data) == ("phrases" in data):
        raise InputError(f"{where}: give exactly one of 'sentence' or 'phrases'")
    if "sentence" in data:
        phrases = (_string(data, "sentence", where, required=True),)
    else:
        raw = data["phrases"]
        if not isinstance(raw, list) or not raw or not all(isinstance(p, str) for p in raw):
            raise InputError(f"{where}: 'phrases' must be a non-empty list of strings")
        if len(raw) > MAX_PHRASES:
            raise InputError(
                f"{where}: 'phrases' has {len(raw)} phrases; the limit is {MAX_PHRASES}"
            )
        phrases = tuple(raw)
    for i, phrase in enumerate(phrases):
        _checked(phrase, where, "sentence" if "sentence" in data else f"phrases[{i}]")
    target = _string(data, "target", where, required=False)
    if target is not None:
        _checked(target, where, "target")
    words = parse_word_table(data.get("words", {}), load_lexicon().roles, where)
    description = _string(data, "description", where, required=False) or ""
    return Example(
        name=example_name(path),
        title=title,
        phrases=phrases,
        target=target,
        description=description,
        words=MappingProxyType(words),
    )


def one_line(sentence: str) -> str:
    """A sentence as it is rendered: tabs, line breaks and runs of spaces become one
    space, and none is left at either end."""
    return " ".join(sentence.split())


def example_from_sentence(sentence: str) -> Example:
    """An ad-hoc example for ``--sentence``; its name is derived from the text, taken on
    one line (:func:`one_line`): a sentence pasted with line breaks is the same
    sentence, in the same output folder."""
    check_text(sentence)
    sentence = one_line(sentence)
    return Example(name=sentence_name(sentence), title=sentence, phrases=(sentence,))


def example_name(path: Path) -> str:
    """The output name of an example file: its plain name in ``assets/examples``
    (``tiny-robot``); elsewhere the file's name and a short hash of where it is
    (``my-story-3f2a91c0``), so that it never shares a folder with a bundled example or
    another file of the same name."""
    real = path.resolve()
    if real.parent == EXAMPLES_DIR.resolve() and real.stem == slug(real.stem):
        return real.stem
    return f"{slug(real.stem, fallback='example')}-{_digest(str(real))}"


def sentence_name(sentence: str) -> str:
    """The output name of a ``--sentence``: its words in lowercase ASCII and a short
    hash of the exact text (``a-cat-sat-0c5e2b7d``): two sentences that differ in
    anything (case, punctuation, an emoji) never share a folder."""
    return f"{slug(sentence, fallback='sentence')}-{_digest(sentence)}"


def slug(text: str, limit: int = 40, fallback: str = "") -> str:
    """Lowercase ASCII words joined by dashes, at most ``limit`` characters (accents
    dropped: "Café" gives "cafe"); ``fallback`` when no such word is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:limit].strip("-") or fallback


def _digest(text: str) -> str:
    data = text.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=4).hexdigest()


def _string(data: dict, key: str, where: str, required: bool) -> str | None:
    if key not in data:
        if required:
            raise InputError(f"{where}: missing required field '{key}'")
        return None
    value = data[key]
    if not isinstance(value, str):
        raise InputError(f"{where}: '{key}' must be a string, not {type(value).__name__}")
    return value


def _checked(text: str, where: str, key: str, limit: int | None = None) -> None:
    try:
        check_text(text, key)
        if limit is not None and len(text) > limit:
            raise InputError(f"the {key} is {len(text)} characters long; the limit is {limit}")
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
