"""Sentences to tokens: grapheme clusters, not code points; text no chapter can show is
refused with one line; the roles are listed from one source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from attention_math import InputError
from attention_math.lexicon import load_lexicon
from attention_math.text import check_text, tokenize

README = Path(__file__).resolve().parent.parent / "README.md"
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"
FRENCH_FLAG = "\U0001f1eb\U0001f1f7"
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # with a skin-tone modifier
NAMASTE = "नमस्ते"  # Devanagari: letters with vowel signs and a virama (marks)
CAFE_DECOMPOSED = "cafe\u0301"  # e + COMBINING ACUTE ACCENT
PERSIAN = "می\u200cخواهم"  # a ZERO WIDTH NON-JOINER inside the word


def words(sentence: str) -> list[str]:
    return [t.text for t in tokenize(sentence, load_lexicon())]


@pytest.mark.parametrize(
    "sentence, expected",
    [
        (f"a {FAMILY} ran", ["a", FAMILY, "ran"]),
        (f"a {RAINBOW_FLAG} flew", ["a", RAINBOW_FLAG, "flew"]),
        (f"{FRENCH_FLAG} {THUMBS_MEDIUM}!", [FRENCH_FLAG, THUMBS_MEDIUM, "!"]),
        (f"{FAMILY}{FRENCH_FLAG}", [FAMILY, FRENCH_FLAG]),  # one token per emoji
        (f"{NAMASTE} world", [NAMASTE, "world"]),
        (f"a {CAFE_DECOMPOSED}.", ["a", CAFE_DECOMPOSED, "."]),
        ("the big cat שלום sat", ["the", "big", "cat", "שלום", "sat"]),
        ("مرحبا بالعالم", ["مرحبا", "بالعالم"]),
        (PERSIAN, [PERSIAN]),
        ("don't stop, 3.14", ["don't", "stop", ",", "3", ".", "14"]),
        ("1\ufe0f\u20e3 keycap", ["1\ufe0f\u20e3", "keycap"]),
    ],
)
def test_tokens_are_whole_grapheme_clusters(sentence, expected):
    assert words(sentence) == expected


def test_no_token_is_a_lone_joiner_or_mark():
    tokens = words(f"{FAMILY} {RAINBOW_FLAG} {NAMASTE} {CAFE_DECOMPOSED} {THUMBS_MEDIUM}")
    for token in tokens:
        assert token[0] not in "\u200d\u200c\ufe0f\u0301", token
        assert any(not c.isspace() and c not in "\u200d\ufe0f" for c in token)


def test_roles_of_exotic_tokens():
    lexicon = load_lexicon()
    roles = {t.text: t.role for t in tokenize(f"the {FAMILY} {NAMASTE} 42 !", lexicon)}
    assert roles == {"the": "det", FAMILY: "punct", NAMASTE: None, "42": "num", "!": "punct"}


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        (" \t\n", "empty"),
        ("x" * 5000, "5000 characters"),
        ("a\x00b", "U+0000"),
        ("a \udcff b", "not valid UTF-8 (the byte 0xFF"),  # a byte of argv/env not UTF-8
        ("a \ud800 b", "U+D800"),  # a lone surrogate that no byte stands for
        ("a \u200d b", "U+200D"),  # a joiner with nothing to join draws nothing
        ("\ufe0f", "U+FE0F"),
        ("a \u200e b", "U+200E"),  # a direction mark: invisible
        ("\U000e0067", "U+E0067"),  # a tag character
    ],
)
def test_text_no_chapter_can_show_is_refused(text, message):
    with pytest.raises(InputError, match=re.escape(message)):
        check_text(text)


def test_words_too_long_for_a_label_and_stacks_of_marks_are_refused():
    # a 1,900-letter word filled the screen of chapter 1 and shrank every grid label to
    # nothing; 400 accents on one letter drew a column as high as the frame
    tokenize("a " + "x" * 40 + " b", load_lexicon())  # the limit itself is fine
    tokenize("supercalifragilisticexpialidocious " + "\U0001f44d" * 40, load_lexicon())
    for sentence in ("a " + "x" * 41, "a " + "x" * 41 + ":noun", "x" * 1900):
        with pytest.raises(InputError, match="41 characters|1900 characters"):
            tokenize(sentence, load_lexicon())
    check_text("שָׁלוֹם " + "e\u0301\u0302")  # points and accents, a few to a letter
    with pytest.raises(InputError, match="400 combining marks"):
        check_text("a z" + "\u0301\u0302\u0303\u0304" * 100)


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_any_text_is_refused_with_one_line_or_tokenized_into_visible_tokens(text):
    """Whatever a user types: an InputError of one line, or tokens none of which is blank."""
    try:
        tokens = tokenize(text, load_lexicon())
    except InputError as exc:
        assert "\n" not in str(exc)
        return
    joined = "".join(t.text for t in tokens)
    assert joined == "".join(text.split()) or ":" in text  # nothing lost (inline roles aside)
    for token in tokens:
        assert token.text.strip() and not all(c in "\u200c\u200d\ufe0f" for c in token.text)


def test_unknown_role_lists_the_roles_of_the_lexicon_as_the_readme_does():
    roles = load_lexicon().roles
    with pytest.raises(InputError) as error:
        tokenize("a glorpy:adjective robot", load_lexicon())
    assert f"(known roles: {', '.join(roles)})" in str(error.value)
    readme = README.read_text(encoding="utf-8")
    listed = re.search(r"^Roles: (.*)\.$", readme, re.MULTILINE)
    assert listed, "README lists the roles on a line 'Roles: ...'"
    assert tuple(listed[1].split(", ")) == roles
