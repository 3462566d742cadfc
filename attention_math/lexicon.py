"""The lexicon: what the model "knows" about words (a role and a few meaning features).

Annotations are short strings: a role first, then ``kind:value`` features, for
example ``"adj texture:fluffy"``. The lexicon lives in ``assets/lexicon.toml``;
example files and inline ``word:role`` marks add to it.
"""

from __future__ import annotations

import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from .errors import InputError

ASSETS = Path(__file__).resolve().parent.parent / "assets"
LEXICON_PATH = ASSETS / "lexicon.toml"
MAX_FILE_BYTES = 256 * 1024  # an example file or the lexicon
_FEATURE = re.compile(r"^[a-z][a-z0-9_-]*:[a-z0-9_*-]+$")


@dataclass(frozen=True)
class Annotation:
    """What is known about one word: its role and its meaning features."""

    role: str
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class Lexicon:
    roles: tuple[str, ...]
    words: Mapping[str, Annotation]
    # colour names that are also nouns ("a lime", "a rose"): before a noun they modify it
    # ("a lime scarf"), and then they are adjectives with their colour (grammar.py)
    colour_nouns: frozenset[str] = frozenset()
    # nouns for people, by the pronouns that can stand for them (grammar.py: which noun a
    # pronoun stands for): "she"/"her" a female or any person, "he"/"his" a male or any
    female_nouns: frozenset[str] = frozenset()
    male_nouns: frozenset[str] = frozenset()
    person_nouns: frozenset[str] = frozenset()  # either: "teacher", "friend", "child"
    # nouns for animals: "she"/"he" may stand for one when no person comes before it
    animal_nouns: frozenset[str] = frozenset()

    def lookup(self, word: str) -> Annotation | None:
        return self.words.get(word.lower())

    def extended(self, extra: Mapping[str, Annotation]) -> Lexicon:
        """A copy with more (or overriding) words."""
        words = dict(self.words)
        words.update({w.lower(): a for w, a in extra.items()})
        return replace(self, words=MappingProxyType(words))

    def all_features(self) -> frozenset[str]:
        colours = {colour_feature(w) for w in self.colour_nouns}
        return frozenset(f for a in self.words.values() for f in a.features) | colours


def colour_feature(word: str) -> str:
    """The meaning feature of a colour name: ``lime`` -> ``colour:lime``."""
    return f"colour:{word.lower()}"


def roles_text(roles: tuple[str, ...]) -> str:
    """The roles as every message lists them: in the lexicon's order, comma-separated
    (the README lists the same, and a test keeps the two equal)."""
    return ", ".join(roles)


def parse_annotation(text: str, roles: tuple[str, ...], where: str) -> Annotation:
    """Parse ``"adj texture:fluffy"``; ``where`` names the place for error messages."""
    parts = text.split()
    if not parts:
        raise InputError(f"{where}: empty annotation (expected a role such as 'adj')")
    role, features = parts[0], tuple(parts[1:])
    if role not in roles:
        raise InputError(f"{where}: unknown role {role!r} (known roles: {roles_text(roles)})")
    for feature in features:
        if not _FEATURE.match(feature):
            raise InputError(f"{where}: malformed feature {feature!r} (expected kind:value)")
    return Annotation(role, features)


def parse_word_table(table: object, roles: tuple[str, ...], where: str) -> dict[str, Annotation]:
    """Validate a TOML ``[words]`` table of word -> annotation string."""
    if not isinstance(table, dict):
        raise InputError(f"{where}: 'words' must be a table of word = \"role features...\"")
    words: dict[str, Annotation] = {}
    for word, text in table.items():
        if not isinstance(text, str):
            raise InputError(f"{where}: words.{word} must be a string, not {type(text).__name__}")
        words[word.lower()] = parse_annotation(text, roles, f"{where}: words.{word}")
    return words


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Load and validate the lexicon file (cached per process)."""
    data = read_toml(path)
    roles = data.get("roles")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise InputError(f"{path}: 'roles' must be a list of strings")
    words = parse_word_table(data.get("words", {}), tuple(roles), str(path))
    lists = {name: _word_list(data, name, path) for name in WORD_LISTS}
    return Lexicon(tuple(roles), MappingProxyType(words), **lists)


WORD_LISTS = ("animal_nouns", "colour_nouns", "female_nouns", "male_nouns", "person_nouns")


def _word_list(data: dict, name: str, path: Path) -> frozenset[str]:
    """The lexicon's list ``name`` (absent: empty), with a one-line error unless it is a
    list of plain lowercase words."""
    words = data.get(name, [])
    if not isinstance(words, list) or not all(
        isinstance(w, str) and _FEATURE.match(colour_feature(w)) for w in words
    ):
        raise InputError(f"{path}: '{name}' must be a list of plain lowercase words")
    return frozenset(w.lower() for w in words)


def read_toml(path: Path, limit: int = MAX_FILE_BYTES) -> dict:
    """Read a TOML file with one-line errors, naming the file, for every way it can be
    broken: missing, a folder or a device instead of a file, unreadable, larger than
    ``limit`` bytes (``/dev/zero`` never ends), not UTF-8, malformed."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path}: not a regular file")
    if info.st_size > limit:
        raise InputError(f"{path}: too large ({info.st_size:,} bytes; the limit is {limit:,})")
    try:
        with path.open("rb") as file:
            raw = file.read(limit + 1)  # never more, whatever the file turned into
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise InputError(f"{path}: too large (more than {limit:,} bytes)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: malformed TOML ({exc})") from None
    except RecursionError:  # tomllib parses nested arrays and tables by recursion
        raise InputError(f"{path}: arrays or tables nested too deeply to read") from None
    except (ValueError, MemoryError) as exc:  # e.g. an integer of thousands of digits
        reason = str(exc).split(";")[0] or type(exc).__name__
        raise InputError(f"{path}: a value that cannot be read ({reason})") from None
