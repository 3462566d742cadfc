"""The spoken form of a narration: on-screen notation turned into words a voice reads well.

Subtitles keep the written form ("E′ = E + ΔE", "√128 = 11.31"); the voice (Piper, voice
"joe", which turns text into phonemes with espeak-ng) gets ``verbalise(text)``:
"E prime equals E plus delta E", "the square root of one hundred twenty-eight equals
eleven point three one".

What espeak-ng (through Piper) cannot say well, and how this module handles it. (The
voice is not run here; this is reasoned from espeak-ng's English data, dictsource/en_list
and en_rules: it reads each character one fixed way wherever it stands, names what it
knows only when it spells, and skips or calls "symbol" what it does not know.)

* Numbers. It reads digits itself, inconsistently: long grouped numbers such as
  "57,982,058,496" risk being read group by group or digit by digit, "2.7e-15" as
  "two point seven e minus fifteen" (or with "e fifteen"), "135th" and "135M" as a number
  and letters. Every number is written out (:func:`number_words`): integers up to the
  trillions (from a million upward the groups set apart by commas, read as short
  pauses), decimals digit by digit after "point", scientific notation as "times ten to
  the minus fifteen", ordinals, "135M" as "one hundred thirty-five million". No digit
  is left for the voice.
* Signs. The true minus "−" (U+2212) is not in its data: "−0.37" would lose its sign.
  A hyphen before a number is read as a hyphen or not at all. Both become "minus"; "+"
  is "plus" everywhere, also as a sign ("+0.54").
* Operators and arrows. "×", "→", "↑", "↓", "√", "≤", "≥", "±", "∞" are not in its
  data; "|" is "vertical bar", "·" "middle dot", "/" "slash", "=" "equals" only in some
  places, "%" after a space may be dropped. Each has a rule below. "×" reads "by" in a
  size and "times" in a product: see :data:`RULES`.
* Greek letters. "Δ" and "Σ" make it switch to its Greek rules for one letter (or
  say "symbol"). They become English words ("delta", "sum", "lambda").
* Primes, superscripts, subscripts. "′" is "prime" only when spelled alone; "²" is read
  "two", so "2,048²" would be "two thousand forty-eight two"; "⁻³", "ᵀ", "⁽²⁾", "₅₀",
  "ₖ" are skipped. They are read "prime", "squared", "to the minus three", "transpose",
  "of head two" (a parenthesised superscript is a head's index in this project),
  "fifty", "k".
* Names and abbreviations. An all-caps name without an entry ("MLP", "GPT") is read
  as a made-up word, "GPT-3" with a hyphen, "L16H0" letter by letter, "e.g." as "e g".
  Here: letters apart ("M L P"), "G P T three", "layer sixteen head zero", "for
  example", "that is", "versus"; digits glued to letters are set apart ("3Blue1Brown").
* Quotes. Quotation marks may be read "left quote" / "right quote". They are removed;
  the apostrophe of "word's" (also ”’s after a quoted word) is kept.
* Ellipses. "…" may be read "ellipsis", "..." "dot dot dot". In a formula ("+ … =")
  they are "and so on"; after a word, a pause (comma).

Words in “curly” or "straight" double quotes are the example's words (any script,
emoji included): they pass through unchanged, without their quotes; only a quoted
token with no letter at all ("+", "3") is read like the rest.

A symbol no rule knows is left as it is: the tests, which allow only letters, spaces and
the punctuation , . ; : ? ! ' - ( ) in the spoken narration, then point at it.

Pronunciation. Quoted words are read by English spelling rules: the French sentence of
the translation example came out as "genie view pass", and a quoted function word in its
weak form ("“a” gets 0.05" heard as "it gets"). ``assets/pronunciations.toml`` gives
such words in IPA: its ``[words]`` are said in their own sounds, its ``[citation]``
function words as "the word" and their stressed form. This module writes them as
⟦phonemes⟧, its own notation; :func:`for_piper` turns that into Piper's ``[[ ]]``.
Matrix names are said by what they are for: "W_K" is "W key", "W_Q" "W query", "W_V"
"W value", "W_O" "W output" (as letters, "W K" was heard as "W Q" and "W O" as "W zero").

Text is never read as markup (:func:`unmarked`, the first step, also for quoted words).
Piper 1.8 reads ``[[ ... ]]`` as raw phonemes; espeak-ng, which it runs without SSML
and without its own phoneme input, still obeys a control character U+0001 (an embedded
command: "\x01V" switches the voice, "\x01B" has punctuation named), takes "[" before
U+0002 as the start of phonemes and gives characters of the private use area (U+E000 ...)
and some unassigned code points (U+0530) meanings of its own; a NUL, a lone surrogate or a
line break stops or splits Piper's line. Square brackets become round ones (both are read
as a pause) and every control, private-use, unassigned or surrogate character and every
line or paragraph separator a space; "⟦" and "⟧" become round brackets, so that only this
module writes phonemes (after that step), from ``assets/pronunciations.toml``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Mapping

from attention_math import InputError
from attention_math.lexicon import ASSETS, read_toml

PRONUNCIATIONS = ASSETS / "pronunciations.toml"

# ---------------------------------------------------------------- numbers as words

ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
SCALES = ("", " thousand", " million", " billion", " trillion")
ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}
SUFFIX_SCALES = {"K": "thousand", "M": "million", "B": "billion", "T": "trillion"}


def digit_words(digits: str) -> str:
    """ "054" -> "zero five four"."""
    return " ".join(ONES[int(d)] for d in digits)


def _below_thousand(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    words = [f"{ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, ones = divmod(rest, 10)
        words.append(TENS[tens] + (f"-{ONES[ones]}" if ones else ""))
    elif rest:
        words.append(ONES[rest])
    return " ".join(words)


def number_words(n: int) -> str:
    """12288 -> "twelve thousand two hundred eighty-eight". From a million upward the
    groups are set apart by commas (pauses); beyond the trillions, digit by digit."""
    if n == 0:
        return "zero"
    if n >= 1000 ** len(SCALES):
        return digit_words(str(n))
    groups, scale, rest = [], 0, n
    while rest:
        rest, group = divmod(rest, 1000)
        if group:
            groups.append(_below_thousand(group) + SCALES[scale])
        scale += 1
    return (", " if n >= 1_000_000 else " ").join(reversed(groups))


def ordinal_words(n: int) -> str:
    """135 -> "one hundred thirty-fifth"."""
    head, last = re.fullmatch(r"(.*?)([a-z]+)", number_words(n)).groups()
    if last in ORDINALS:
        last = ORDINALS[last]
    elif last.endswith("y"):
        last = last[:-1] + "ieth"
    else:
        last += "th"
    return head + last


def _integer(digits: str) -> str:
    """An integer as written ("12,288", "007"): leading zeros are read digit by digit."""
    plain = digits.replace(",", "")
    if len(plain) > 1 and plain.startswith("0"):
        return digit_words(plain)
    return number_words(int(plain))


def _number(m: re.Match) -> str:
    words = [_integer(m["whole"])] if m["whole"] else []
    if m["fraction"]:
        words.append("point " + digit_words(m["fraction"]))
    return " ".join(words)


# ------------------------------------------------ superscripts and subscripts

_SCRIPT_CATEGORIES = {"Lm", "No", "Sm", "Ps", "Pe"}  # not ª º (Lo), ™ (So)


def _script_table(tag: str) -> dict[str, str]:
    """Each superscript (``tag`` "<super>") or subscript ("<sub>") character and the
    plain character it stands for: "²" -> "2", "ᵀ" -> "T", "⁻" -> "−", "ₖ" -> "k"."""
    table = {}
    for cp in [*range(0x80, 0x2100), *range(0x1D00, 0x1DC0), *range(0x2C7C, 0x2C7E)]:
        ch = chr(cp)
        parts = unicodedata.decomposition(ch).split()
        if parts[:1] == [tag] and len(parts) == 2:
            if unicodedata.category(ch) in _SCRIPT_CATEGORIES:
                table[ch] = chr(int(parts[1], 16))
    return table


SUPERSCRIPTS = _script_table("<super>")
SUBSCRIPTS = _script_table("<sub>")
_SUPER_RUN = "[" + "".join(map(re.escape, SUPERSCRIPTS)) + "]+"
_SUB_RUN = "[" + "".join(map(re.escape, SUBSCRIPTS)) + "]+"


def _superscript(m: re.Match) -> str:
    return "^{" + "".join(SUPERSCRIPTS.get(ch, ch) for ch in m[0]) + "}"


def _subscript(m: re.Match) -> str:
    return "_{" + "".join(SUBSCRIPTS[ch] for ch in m[0]) + "}"


def _exponent(m: re.Match) -> str:
    """What follows "^": "(h)" a head's index, "T" transpose, 2 and 3 squared and cubed,
    anything else "to the ..."."""
    power = m["braced"] if m["braced"] is not None else m["bare"]
    head = re.fullmatch(r"\((.+)\)", power)
    if head:
        return f" of head {head[1]} "
    named = {"T": " transpose ", "2": " squared ", "3": " cubed "}
    return named.get(power, f" to the {power} ")


# ---------------------------------------------------------------- other rules


def _greek(m: re.Match) -> str:
    """A Greek letter outside quotes is a symbol: its English name ("λ" -> "lambda")."""
    name = unicodedata.name(m[0]).split()[-1].lower()
    return " " + {"lamda": "lambda"}.get(name, name) + " "


def _code_name(m: re.Match) -> str:
    """A hyphenated name with a capital and a digit ("GPT-3", "SmolLM2-135M-Instruct"):
    its hyphens are read as spaces, or as a pause between two numbers."""
    parts = m[0].split("-")
    if not (re.search(r"[A-Z]", m[0]) and re.search(r"[0-9]", m[0])):
        return m[0]
    out = parts[0]
    for part in parts[1:]:
        out += (", " if out[-1].isdigit() and part[0].isdigit() else " ") + part
    return out


def _spelled(m: re.Match) -> str:
    """An all-caps name, letter by letter: "MLP" -> "M L P", "GPUs" -> "G P U's"."""
    return " ".join(m[1]) + ("'s" if m[2] else "")


_NUM = r"[0-9][0-9,]*(?:\.[0-9]+)?"  # a number as written, before it is read

Rule = tuple[re.Pattern, str | Callable[[re.Match], str]]


def _rule(pattern: str, replacement: str | Callable[[re.Match], str]) -> Rule:
    return re.compile(pattern), replacement


# Applied in order to the text outside quotes. Each replacement pads itself with spaces
# where it may touch a word; the last step closes up spaces.
RULES: tuple[Rule, ...] = (
    # abbreviations
    _rule(r"\be\.g\.", "for example"),
    _rule(r"\bi\.e\.", "that is"),
    _rule(r"\bvs\.?(?=\s)", "versus"),
    _rule(r"\betc\.", "et cetera."),
    _rule(r"\bcf\.", "compare"),
    # a matrix by its job: "W_K" -> "W key" ("W K" is heard as "W Q")
    _rule(
        r"\bW_\{?([QKVO])\}?(?![A-Za-z0-9])",
        lambda m: " W " + {"Q": "query", "K": "key", "V": "value", "O": "output"}[m[1]] + " ",
    ),
    # a head's name: "L16H0" -> "layer 16 head 0"
    _rule(r"\bL([0-9]+)H([0-9]+)\b", r" layer \1 head \2 "),
    # superscripts and subscripts to ^{...} and _{...}; "e⁻∞" keeps its infinity
    _rule(_SUPER_RUN + "∞?", _superscript),
    _rule(_SUB_RUN, _subscript),
    # scientific notation: "2.7e-15", "4.34×10⁻³" -> "... times 10 to the -15"
    _rule(r"(?<![\w.])(" + _NUM + r")[eE]([−+-]?[0-9]+)\b", r"\1 times 10^{\2}"),
    _rule(r"\s*[×·]\s*(?=10\^)", " times "),
    # exponents: "^{(2)}" of head 2, "^{T}" transpose, "^{2}" squared, "^{-3}" to the -3
    _rule(r"\^(?:\{(?P<braced>[^}]*)\}|(?P<bare>[−+-]?[\w.∞]+))", _exponent),
    # subscripts and underscores: "d_{k}", "W_Q", "K_i" -> "d k", "W Q", "K i"
    _rule(r"_\{([^}]*)\}", r" \1 "),
    _rule(r"_", " "),
    # names: "GPT-3" -> "GPT 3"; "135M" -> "135 million"; "135th"; "3Blue1Brown"
    _rule(r"\b[A-Za-z0-9]+(?:-[A-Za-z0-9]+)+\b", _code_name),
    _rule(r"\b([0-9]+)([KMBT])\b", lambda m: f"{m[1]} {SUFFIX_SCALES[m[2]]}"),
    _rule(r"\b([0-9]+)(?:st|nd|rd|th)\b", lambda m: ordinal_words(int(m[1]))),
    _rule(r"(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])", " "),
    _rule(r"(?<=[a-z])(?=[A-Z])", " "),  # "SmolLM" -> "Smol LM"
    _rule(r"\b([A-Z]{2,})(s?)\b", _spelled),
    # roots, lengths, functions
    _rule(r"√\s*", " the square root of "),
    _rule(r"\|(?=\S)([^|]+?)(?<=\S)\|", r" the length of \1 "),
    _rule(r"\b(softmax|exp|log|max|min|argmax)\(", r"\1 of ("),
    # Greek: Δ delta, Σ (and ∑) the sum, others by name
    _rule(r"[Σ∑]", " sum "),
    _rule(r"[\u0391-\u03a1\u03a3-\u03a9\u03b1-\u03c9]", _greek),
    # arrows: "blue → creature", "tower -> Eiffel tower"; "W_V↑" value-up
    _rule(r"\s*(?:->|→|⟶|=>|⇒)\s*", " to "),
    _rule(r"\s*(?:<-|←)\s*", " from "),
    _rule(r"↑", " up "),
    _rule(r"↓", " down "),
    # "×": "by" between two numbers that give a size ("a 12,288 × 128 matrix"), "times"
    # where the product is worked out ("96 × 6,291,456 = ...", "8 × 8 = 64") or where a
    # number multiplies a quantity ("0.42 × the value of ...")
    _rule(r"\s*×\s*(?=" + _NUM + r"(?:\s*×\s*" + _NUM + r")*\s*=)", " times "),
    _rule(r"(?<=[0-9])\s*×\s*(?=[0-9])", " by "),
    _rule(r"\s*[×*]\s*", " times "),
    # comparisons and other operators
    _rule(r"\s*(?:≤|<=)\s*", " less than or equal to "),
    _rule(r"\s*(?:≥|>=)\s*", " greater than or equal to "),
    _rule(r"\s*(?:≠|!=)\s*", " is not equal to "),
    _rule(r"\s*≈\s*", " is about "),
    _rule(r"\s*=\s*", " equals "),
    _rule(r"\s*<\s*", " less than "),
    _rule(r"\s*>\s*", " greater than "),
    _rule(r"\s*±\s*", " plus or minus "),
    _rule(r"\s*\+\s*", " plus "),
    _rule(r"\s*·\s*", " dot "),
    _rule(r"(?<=[A-Za-z])/(?=[A-Za-z])", " "),  # "query/key space" -> "query key space"
    _rule(r"\s*/\s*", " over "),
    _rule(r"\s*%", " percent"),
    _rule(r"#\s*", " number "),
    _rule(r"&", " and "),
    _rule(r"~\s*", " about "),
    _rule(r"∞", " infinity "),
    _rule(r"″", " double prime "),
    _rule(r"′", " prime "),
    _rule(r"°", " degrees "),
    # minus: the true minus always; a hyphen before a number when no word precedes it;
    # a hyphen or en dash between numbers is a range; a spaced hyphen or a dash a pause
    _rule(r"\s*−\s*", " minus "),
    _rule(r"(?<![\w)\]])-(?=[0-9.]|\s*infinity)", " minus "),
    _rule(r"(?<=[0-9])\s*[-–]\s*(?=[0-9])", " to "),
    _rule(r"\s+-\s+|\s*[—–]\s*", ", "),
    # "…" and "...": "and so on" standing alone (in a formula), a pause after a word
    _rule(r"(?<!\S)(?:…|\.\.\.)(?=\s|$|[,.;:)])", " and so on "),
    _rule(r"…|\.\.\.", ", "),
    # numbers: "12,288", "0.54", ".5"; any digit left after that, digit by digit
    _rule(
        r"(?<![0-9.])(?P<whole>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.(?P<fraction>[0-9]+))?"
        r"(?![0-9])",
        _number,
    ),
    _rule(r"(?<![0-9A-Za-z])\.(?P<fraction>[0-9]+)(?P<whole>)", _number),
    _rule(r"[0-9]", lambda m: f" {ONES[int(m[0])]} "),
    # brackets the voice reads as pauses
    _rule(r"\[", "("),
    _rule(r"\]", ")"),
    _rule(r"[{}]", " "),
)

# ---------------------------------------------------------------- no markup

# what Piper and espeak-ng would read as markup or stop at, by Unicode category (see the
# module's notes): control, surrogate, private use, unassigned; line, paragraph separators
NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn", "Zl", "Zp"})
# "[[ ... ]]" is Piper's phoneme block; "⟦ ... ⟧" this module's (:func:`for_piper`)
BRACKETS = {"[": "(", "]": ")", "⟦": "(", "⟧": ")"}


def unmarked(text: str) -> str:
    """``text`` with nothing Piper or espeak-ng reads as markup: square brackets made round,
    every character of :data:`NOT_TEXT` a space::

    >>> unmarked("the cat [[ z z ]] sat\x01V")
    'the cat (( z z )) sat V'
    """
    return "".join(
        BRACKETS.get(ch) or (" " if unicodedata.category(ch) in NOT_TEXT else ch) for ch in text
    )


# Quoted words (the example's): double quotes, curly or straight.
QUOTED = re.compile(r"“([^”]*)”|\"([^\"]*)\"")
LETTER = r"[^\W\d_]"
FINISH: tuple[Rule, ...] = (
    _rule(r"[’‘]", "'"),
    # a straight quote not between two letters is a quotation mark: 'mole' -> mole
    _rule(rf"(?<!{LETTER})'|'(?!{LETTER})", ""),
    _rule(r"[“”„«»]", ""),  # quotation marks without their pair
    _rule(r"\s+", " "),
    _rule(r" (?=[,.;:?!)])", ""),
    _rule(r"\( ", "("),
    _rule(r"^[\s,;:]+", ""),
    _rule(r"([,;:])(?:\s*[,;:])+", r"\1"),  # ", ," -> ","
    _rule(r"[,;:]\s*(?=[.?!])", ""),
    _rule(r"(?<=[.?!])[,;:]", ""),  # "me?;" -> "me?"
    _rule(r"\.(?=[,;:])", ""),  # "et cetera.," -> "et cetera,"
    _rule(r"[,;:]+(?=\))", ""),  # "(the word, a,)" -> "(the word, a)"
    _rule(r"[\s,;:]+$", ""),
)


def _apply(rules: tuple[Rule, ...], text: str) -> str:
    for pattern, replacement in rules:
        text = pattern.sub(replacement, text)
    return text


# ------------------------------------------------------- words said in phonemes

SAID_AS = re.compile(r"⟦([^⟦⟧]*)⟧")  # this module's phonemes, for Piper's [[ ... ]]
# after these, a quoted function word needs no "the word" ("the first “the”")
NAMED_BEFORE = re.compile(
    r"\b(?:word|token|the|a|an|first|second|third|fourth|fifth|last|other|each|every|"
    r"this|that)\s*$",
    re.IGNORECASE,
)


def phonemes(text: str) -> bool:
    """Whether ``text`` is IPA only (lower-case and modifier letters, spaces): what a
    pronunciation may hold, never a bracket, digit or control character."""
    return bool(text.strip()) and all(
        ch == " " or unicodedata.category(ch) in ("Ll", "Lm") for ch in text
    )


@functools.cache
def pronunciations() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """(words said in their own sounds, function words' citation forms), each a lower-case
    word -> IPA, from ``assets/pronunciations.toml`` (checked: IPA only)."""
    data = read_toml(PRONUNCIATIONS)  # one-line errors, naming the file
    tables = []
    for name in ("words", "citation"):
        table = {str(k).lower(): v for k, v in data.get(name, {}).items()}
        bad = [k for k, v in table.items() if not isinstance(v, str) or not phonemes(v)]
        if bad:
            raise InputError(f"{PRONUNCIATIONS}: [{name}] {bad[0]} is not IPA only")
        tables.append(table)
    return tables[0], tables[1]


def for_piper(text: str) -> str:
    """``text`` as Piper reads it: this module's ⟦phonemes⟧ as Piper's ``[[ phonemes ]]``
    (IPA only), everything else :func:`unmarked`, so that nothing else is markup."""
    text = re.sub(r"⟧\s+⟦", " ", text)  # neighbours said as one run, as in a sentence
    out, start = [], 0
    for m in SAID_AS.finditer(text):
        out.append(unmarked(text[start : m.start()]))
        out.append(f"[[ {m[1].strip()} ]]" if phonemes(m[1]) else unmarked(m[0]))
        start = m.end()
    out.append(unmarked(text[start:]))
    return "".join(out)


# a quoted token that is a punctuation mark alone, said by its name ("“.”" was silent)
PUNCTUATION_NAMES = {
    ".": "full stop",
    ",": "comma",
    ";": "semicolon",
    ":": "colon",
    "!": "exclamation mark",
    "?": "question mark",
    "'": "apostrophe",
    "\u2019": "apostrophe",
    "-": "hyphen",
    "\u2013": "dash",
    "\u2014": "dash",
    "(": "opening bracket",
    ")": "closing bracket",
    "\u2026": "ellipsis",
    "/": "slash",
}


def _quoted(words: str, before: str = "") -> str:
    """Quoted words as they are said: a lone function word as "the word" and its citation
    form (unless ``before``, the text in front, already names it), a lone punctuation
    mark by its name ("the full stop", likewise), a word of ``[words]`` in its own
    sounds, any other unchanged; a token with no letter is read ("+")."""
    sounds, citation = pronunciations()
    alone = words.strip().lower()
    if alone in PUNCTUATION_NAMES:
        named = PUNCTUATION_NAMES[alone]
        return named if NAMED_BEFORE.search(before) else f"the {named}"
    if alone in citation:  # set apart by commas: heard best so (Whisper, 11 of 15)
        if NAMED_BEFORE.search(before):
            return f"⟦{citation[alone]}⟧"
        return f"the word, ⟦{citation[alone]}⟧,"

    def said(m: re.Match) -> str:
        if m[0].lower() in sounds:
            return f"⟦{sounds[m[0].lower()]}⟧"
        return m[0] if re.search(LETTER, m[0]) else _apply(RULES, m[0])

    return re.sub(r"\S+", said, words)


def verbalise(text: str) -> str:
    """The spoken form of a narration (see the module's notes)::

    >>> verbalise("E′ = E + ΔE, |ΔE| = 179")
    'E prime equals E plus delta E, the length of delta E equals one hundred seventy-nine'
    """
    text = unicodedata.normalize("NFC", unmarked(text))
    pieces, start = [], 0
    for m in QUOTED.finditer(text):
        pieces.append(_apply(RULES, text[start : m.start()]))
        pieces.append(_quoted(m[1] if m[1] is not None else m[2], "".join(pieces)))
        start = m.end()
    pieces.append(_apply(RULES, text[start:]))
    return _apply(FINISH, "".join(pieces)).strip()
