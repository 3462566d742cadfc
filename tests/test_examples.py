"""Example files and the names of output folders: every distinct example its own
folder; files read with limits and one-line errors that name the file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from attention_math import InputError, example_from_sentence, load_example
from attention_math.examples import (
    EXAMPLES_DIR,
    MAX_PHRASES,
    available_examples,
    resolve_example_path,
)
from attention_math.lexicon import MAX_FILE_BYTES, read_toml

NAME = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")  # safe in any file system, no spaces


@pytest.mark.parametrize(
    "first, second",
    [
        ("A cat sat.", "a cat sat"),
        ("a cat sat", "a cat sat!"),
        ("a cat \U0001f431 sat", "a cat \U0001f436 sat"),  # differ only in an emoji
        ("שלום עולם", "مرحبا بالعالم"),  # no ASCII word at all
        ("cafe\u0301", "caf\u00e9"),  # the same word, decomposed and composed
    ],
)
def test_distinct_sentences_get_distinct_readable_names(first, second):
    a, b = example_from_sentence(first).name, example_from_sentence(second).name
    assert a != b
    for name in (a, b):
        assert NAME.match(name) and len(name) <= 60, name
    assert example_from_sentence(first).name == a  # stable: a re-run reuses the folder


def test_a_sentence_is_taken_on_one_line():
    """Tabs, line breaks and runs of spaces are one space: the same sentence, drawn
    and named as one line."""
    spread = example_from_sentence(" the\tcat\n sat  ")
    assert spread.name == example_from_sentence("the cat sat").name
    assert spread.title == "the cat sat" and spread.phrases == ("the cat sat",)


def test_sentence_names_are_readable():
    name = example_from_sentence("A tiny red robot, again!").name
    assert re.fullmatch(r"a-tiny-red-robot-again-[0-9a-f]{8}", name)
    assert example_from_sentence("Café au lait").name.startswith("cafe-au-lait-")
    assert example_from_sentence("שלום").name.startswith("sentence-")
    assert len(example_from_sentence("word " * 300).name) <= 60


def test_bundled_examples_keep_their_plain_names():
    for stem in available_examples():
        assert load_example(stem).name == stem
        assert load_example(str(EXAMPLES_DIR / f"{stem}.toml")).name == stem


def test_example_files_elsewhere_never_share_a_name(tmp_path):
    bundled = (EXAMPLES_DIR / "tiny-robot.toml").read_text()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    copies = [tmp_path / "a" / "tiny-robot.toml", tmp_path / "b" / "tiny-robot.toml"]
    for path in copies:
        path.write_text(bundled)
    names = [load_example(str(p)).name for p in copies]
    assert len({"tiny-robot", *names}) == 3
    assert all(n.startswith("tiny-robot-") and NAME.match(n) for n in names)
    assert load_example(str(copies[0])).name == names[0]  # stable


def test_relative_example_paths_are_read_from_the_folder_given(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text('title = "Mine"\nsentence = "a small cat"\n')
    assert resolve_example_path("mine.toml", tmp_path) == tmp_path / "mine.toml"
    assert resolve_example_path("./mine.toml", tmp_path) == tmp_path / "mine.toml"
    assert load_example("mine.toml", tmp_path).title == "Mine"
    assert resolve_example_path("tiny-robot", tmp_path) == EXAMPLES_DIR / "tiny-robot.toml"
    # the core reads no environment: without a folder, the current one
    monkeypatch.setenv("ATTENTION_CALLER_DIR", "/nowhere")
    monkeypatch.chdir(tmp_path)
    assert load_example("mine.toml").title == "Mine"


def test_the_command_line_reads_relative_paths_from_the_callers_folder(tmp_path, monkeypatch):
    from attention_math.cli import caller_dir

    monkeypatch.setenv("ATTENTION_CALLER_DIR", str(tmp_path))
    assert caller_dir() == tmp_path
    monkeypatch.delenv("ATTENTION_CALLER_DIR")
    monkeypatch.chdir(tmp_path)
    assert caller_dir() == tmp_path


def _write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ('title = "x"\nsentence = "' + "a " * 200_000 + '"\n', "too large"),
        (b'title = "x"\nsentence = "\xff"\n', "not UTF-8"),
        ('title = 3\nsentence = "a"\n', "'title' must be a string"),
        ('title = ""\nsentence = "a"\n', "title is empty"),
        ('title = "' + "t" * 500 + '"\nsentence = "a"\n', "limit is 200"),
        ('title = "x"\nphrases = "a"\n', "non-empty list"),
        ('title = "x"\nphrases = [1, 2]\n', "non-empty list"),
        ('title = "x"\nphrases = ' + str(["a cat"] * 50) + "\n", f"limit is {MAX_PHRASES}"),
        ('title = "x"\nsentence = "' + "cat " * 600 + '"\n', "limit is 2000"),
        ('title = "x"\nsentence = "a\\u0000b"\n', "U+0000"),
        ('title = "x"\nsentence = "a b"\ntarget = 5\n', "'target' must be a string"),
        ('title = "x"\nsentence = "a b"\nwords = 5\n', "'words' must be a table"),
        ('title = "x"\nsentence = "a b"\n[words]\nb = 5\n', "words.b must be a string"),
        ('title = "x"\nsentence = "a b"\n[words]\nb = "verb!! x"\n', "unknown role"),
        ('title = "x"\nsentence = "a b"\ndescription = []\n', "'description' must be"),
        ('title = "x\nsentence = "a b"\n', "malformed TOML"),
    ],
)
def test_broken_example_files_get_one_line_naming_the_file(tmp_path, text, message):
    path = _write(tmp_path, "broken.toml", text)
    with pytest.raises(InputError) as error:
        load_example(str(path))
    assert message in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_files_are_read_with_a_limit(tmp_path):
    with pytest.raises(InputError, match="not a regular file"):
        read_toml(Path("/dev/zero"))  # endless: refused without reading
    with pytest.raises(InputError, match="is a folder"):
        read_toml(tmp_path)
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_toml(fifo)  # opening it would wait for a writer forever
    big = _write(tmp_path, "big.toml", "# " + "x" * MAX_FILE_BYTES + "\n")
    with pytest.raises(InputError, match="too large"):
        read_toml(big)
    fits = _write(tmp_path, "fits.toml", "a = 1\n" + "#" * (MAX_FILE_BYTES - 7) + "\n")
    assert read_toml(fits) == {"a": 1}


def test_a_file_that_grows_while_read_is_still_cut_at_the_limit(tmp_path, monkeypatch):
    path = _write(tmp_path, "small.toml", "a = 1\n")  # small when its size is checked
    reads = []

    class Growing:  # ...and endless when read, like a log being written
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, n=-1):
            reads.append(n)
            return b"#" * n

    monkeypatch.setattr(Path, "open", lambda self, *args, **kwargs: Growing())
    with pytest.raises(InputError, match="too large"):
        read_toml(path)
    assert reads == [MAX_FILE_BYTES + 1]  # never more than the limit and one byte


def test_unreadable_files_are_named(tmp_path, monkeypatch):
    path = _write(tmp_path, "secret.toml", 'title = "x"\nsentence = "a"\n')

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)  # (the tests may run as root, who reads all)
    with pytest.raises(InputError, match=r"secret\.toml: cannot read \(Permission denied\)"):
        load_example(str(path))
