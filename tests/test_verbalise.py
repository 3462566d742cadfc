"""The spoken form of the narration (voice/verbalise.py): each rule on its own, numbers
read back by an independent parser, and every beat of every chapter, for the default
example and two other sentences, made of words only."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest
from layout_helpers import SENTENCES, recorded

from scenes.order import CHAPTERS
from voice.verbalise import (
    NOT_TEXT,
    SAID_AS,
    for_piper,
    number_words,
    ordinal_words,
    phonemes,
    pronunciations,
    unmarked,
    verbalise,
)

CASES = [
    # numbers
    ("0.54", "zero point five four"),
    ("12,288", "twelve thousand two hundred eighty-eight"),
    (
        "57,982,058,496",
        "fifty-seven billion, nine hundred eighty-two million, fifty-eight thousand, "
        "four hundred ninety-six",
    ),
    ("3,000,000,000,007", "three trillion, seven"),
    ("1.00", "one point zero zero"),
    ("seed 2024", "seed two thousand twenty-four"),
    ("007", "zero zero seven"),
    ("2.7e-15", "two point seven times ten to the minus fifteen"),
    ("2.0e-15", "two point zero times ten to the minus fifteen"),
    ("−4.34×10⁻³", "minus four point three four times ten to the minus three"),
    ("−0.37", "minus zero point three seven"),
    ("-0.37", "minus zero point three seven"),
    ("(cosine +0.54)", "(cosine plus zero point five four)"),
    ("33.1 %", "thirty-three point one percent"),
    ("57%", "fifty-seven percent"),
    ("#8,406", "number eight thousand four hundred six"),
    ("2,048²", "two thousand forty-eight squared"),
    ("the 135th lowest", "the one hundred thirty-fifth lowest"),
    ("the 2nd and 3rd", "the second and third"),
    ("a 50-token text", "a fifty-token text"),
    ("chapters 3-5", "chapters three to five"),
    # symbols and names
    ("ΔE", "delta E"),
    ("ΔE⁽²⁾", "delta E of head two"),
    ("ΔE⁽ʰ⁾", "delta E of head h"),
    ("E′", "E prime"),
    ("E′ = E + ΔE", "E prime equals E plus delta E"),
    ("E + ΔE⁽¹⁾ + … = E′", "E plus delta E of head one plus and so on equals E prime"),
    ("(|ΔE| = 179)", "(the length of delta E equals one hundred seventy-nine)"),
    ("12% of |E|", "twelve percent of the length of E"),
    ("√d_k", "the square root of d k"),
    ("√dₖ", "the square root of d k"),
    ("√128 = 11.31", "the square root of one hundred twenty-eight equals eleven point three one"),
    ("W_Q, W_K, W_V, W_O", "W query, W key, W value, W output"),
    ("W_V↑ and W_V↓", "W value up and W value down"),
    ("W_{K}·E", "W key dot E"),
    ("K·Q", "K dot Q"),
    ("K_i·Q_j", "K i dot Q j"),
    ("Kᵀ", "K transpose"),
    ("KᵀQ", "K transpose Q"),
    ("K₁, Q₅₀, V₂", "K one, Q fifty, V two"),
    ("softmax(KᵀQ / √dₖ) V", "softmax of (K transpose Q over the square root of d k) V"),
    # × is "by" in a size, "times" in a worked-out product or before a quantity
    (
        "a 12,288 × 128 matrix",
        "a twelve thousand two hundred eighty-eight by one hundred twenty-eight matrix",
    ),
    ("8 × 8 = 64 cells", "eight times eight equals sixty-four cells"),
    ("2 × 3 × 4 = 24", "two times three times four equals twenty-four"),
    ("0.42 × the value", "zero point four two times the value"),
    ("tower -> Eiffel tower", "tower to Eiffel tower"),
    ("“blue” → “creature”", "blue to creature"),
    ("Adjective → noun head", "Adjective to noun head"),
    ("Σ w · V", "sum w dot V"),
    (
        "a ≥ b, c ≤ d, e ± f",
        "a greater than or equal to b, c less than or equal to d, e plus or minus f",
    ),
    ("set to −∞", "set to minus infinity"),
    ("e⁻∞ = 0", "e to the minus infinity equals zero"),
    ("wait... then…", "wait, then"),
    ("a small query/key space", "a small query key space"),
    ("verdant = ver + d + ant", "verdant equals ver plus d plus ant"),
    ("λ and σ", "lambda and sigma"),
    # quotes: removed, words and possessives kept
    ("“creature” takes 42%", "creature takes forty-two percent"),
    ("“creature”'s column", "creature's column"),
    ("“blue”’s key", "blue's key"),
    ("'mole' in three phrases", "mole in three phrases"),
    ("the heads' changes", "the heads changes"),
    ('"fluffy" modifies', "fluffy modifies"),
    ("“on + cat”", "on plus cat"),
    # abbreviations and names
    ("GPT-3's 2,048 tokens", "G P T three's two thousand forty-eight tokens"),
    ("the MLP block", "the M L P block"),
    ("a GPU, two GPUs", "a G P U, two G P U's"),
    ("e.g. this, i.e. that, cats vs. dogs", "for example this, that is that, cats versus dogs"),
    (
        "SmolLM2-135M-Instruct (4-bit)",
        "Smol L M two, one hundred thirty-five million Instruct (four-bit)",
    ),
    ("175B parameters", "one hundred seventy-five billion parameters"),
    ("L16H0 looks back", "layer sixteen head zero looks back"),
    ("Grant Sanderson's 3Blue1Brown lesson", "Grant Sanderson's three Blue one Brown lesson"),
    # a quoted token that is a punctuation mark alone is said by its name
    ("show 14 of them: “sheep” to “.”.", "show fourteen of them: sheep to the full stop."),
    ("“,” gets 0.2; the token “?”", "the comma gets zero point two; the token question mark"),
    # punctuation the voice reads as pauses
    ("“Any adjectives in front of me?”; “fluffy”", "Any adjectives in front of me? fluffy"),
]


@pytest.mark.parametrize(("written", "spoken"), CASES)
def test_rule(written, spoken):
    assert verbalise(written) == spoken


@pytest.mark.parametrize(
    "words",
    ["Ich will es nicht", "שלום עולם", "🙂 🐈", "日本語", "NASA R2D2 x²", "ÉLAN café"],
)
def test_quoted_words_pass_through(words):
    """The example's words, in any script, come out exactly as typed, only unquoted."""
    assert verbalise(f"The word “{words}” is token 3.") == f"The word {words} is token three."


def test_words_with_a_pronunciation_are_said_in_their_sounds():
    """The French sentence in French phonemes (one run, as Piper says a sentence), a lone
    quoted function word as "the word" and its stressed form, unless already named; only
    in quotes."""
    sounds, citation = pronunciations()
    spoken = verbalise("It writes “Je ne veux pas le caresser”.")
    french = " ".join(sounds[w] for w in "je ne veux pas le caresser".split())
    assert for_piper(spoken) == f"It writes [[ {french} ]]."
    # set apart by commas, which a sentence's end or a bracket takes over
    assert verbalise("“a” gets 0.05") == f"the word, ⟦{citation['a']}⟧, gets zero point zero five"
    assert verbalise("pairs “a” with “The”.") == (
        f"pairs the word, ⟦{citation['a']}⟧, with the word, ⟦{citation['the']}⟧."
    )
    assert verbalise("(for “a”)") == f"(for the word, ⟦{citation['a']}⟧)"
    assert verbalise("the second “the” and the word “of”") == (
        f"the second ⟦{citation['the']}⟧ and the word ⟦{citation['of']}⟧"
    )
    assert verbalise("a cat and the dog") == "a cat and the dog"  # unquoted: as written
    assert verbalise("“a cat”") == "a cat"  # a function word inside a phrase: as written
    # every entry is IPA only; a pronunciation is never markup of any other kind
    for table in (sounds, citation):
        assert table and all(phonemes(v) for v in table.values())
    assert not phonemes("[[ z ]]") and not phonemes("a\x01b") and not phonemes("ab1")


def test_only_this_module_writes_phonemes():
    """⟦ ⟧ in the text (the user's) is brackets, not phonemes; Piper's [[ ]] never comes
    from the text."""
    for text in ("⟦ˈeɪ⟧ sat", "the “⟦ˈeɪ⟧” sat", "[[ˈeɪ]]"):
        said = for_piper(verbalise(text))
        assert "[[" not in said and "⟦" not in said, said
    assert for_piper("⟦ˈeɪ⟧ and ⟦[[x]]⟧") == "[[ ˈeɪ ]] and (((x)))"


def test_unquoted_foreign_text_does_not_crash():
    rng = random.Random(7)
    alphabet = [chr(c) for c in range(32, 0x2400)] + list("“”'\"−×→⁻²₁ΔΣ√|^_{}0123456789") * 40
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert isinstance(verbalise(text), str)
    assert verbalise("שלום 🙂") == "שלום 🙂"


# ------------------------------------------- nothing reaches Piper as markup

# what Piper 1.8 and espeak-ng read in a line as other than text (voice/verbalise.py)
MARKUP = [
    "the cat [[ z z z z z z z z z z z z ]] sat",  # Piper: raw phonemes
    "[[ˈhɛloʊ]] and ]] [[ again",
    "a \x01Vfr b",  # espeak-ng: an embedded command, a voice change
    "\x01B1 spoken, punctuation",  # ... punctuation named
    "\x01" + "20S slow",  # ... a setting
    "[\x02 h@'loU",  # espeak-ng's own start of phonemes
    "a\x00b",  # stops Piper's line (embedded null)
    "one\ntwo\rthree\x0bfour\x1cfive\x85six\u2028seven\u2029eight",  # line breaks
    "private \ue000< \ue028 \U000f0000 use",  # espeak-ng's own codes
    "unassigned \u0530 \u0378 \ufffe",
    "a lone \ud800 surrogate",
]


def markup_left(spoken: str) -> list[str]:
    return [c for c in spoken if c in "[]" or unicodedata.category(c) in NOT_TEXT]


@pytest.mark.parametrize("text", MARKUP)
def test_nothing_is_left_that_piper_reads_as_markup(text):
    """Outside quotes and inside them (the example's words, which otherwise pass through
    as typed), the spoken form has no markup; the words are still there."""
    for narration in (text, f"The sentence “{text}” is read.", f'Say "{text}".'):
        spoken = verbalise(narration)
        assert not markup_left(spoken), (narration, spoken)
        assert not markup_left(for_piper(spoken)), (narration, spoken)
        letters = re.findall(r"[a-z]+", unmarked(text))
        assert all(word in spoken for word in letters), (narration, spoken)


def test_unmarked_leaves_text_without_markup_as_it_is():
    for text in ("E′ = E + ΔE", "“fluffy” (blue) creature’s", "שלום 🙂 👨‍👩‍👧 日本語"):
        assert unmarked(text) == text
    assert unmarked("[[ z ]]\x01V\x00") == "(( z )) V "


# ------------------------------------------- numbers, read back by a separate parser

SMALL = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen".split()
    )
}
SMALL.update(
    {
        w: 10 * k
        for k, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)
    }
)
SCALE = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}


def read_back(words: str) -> int:
    """The integer that English number words name."""
    total = group = 0
    for word in words.replace(",", " ").replace("-", " ").split():
        if word == "hundred":
            group *= 100
        elif word in SCALE:
            total += group * SCALE[word]
            group = 0
        else:
            group += SMALL[word]
    return total + group


def test_integers_read_back():
    rng = random.Random(3)
    values = [0, 7, 19, 20, 100, 101, 1000, 10**6, 10**12, 10**15 - 1]
    values += [rng.randrange(10 ** rng.randint(1, 15)) for _ in range(3000)]
    for n in values:
        assert read_back(number_words(n)) == n, n
        assert read_back(verbalise(f"{n:,}")) == n, n
        assert read_back(verbalise(str(n))) == n, n


def test_ordinals():
    expected = {1: "first", 2: "second", 3: "third", 5: "fifth", 8: "eighth", 9: "ninth"}
    expected |= {12: "twelfth", 20: "twentieth", 21: "twenty-first", 100: "one hundredth"}
    expected |= {135: "one hundred thirty-fifth", 1000: "one thousandth"}
    assert {n: ordinal_words(n) for n in expected} == expected


# ------------------------------------------------ every narration of every chapter

SPOKEN = re.compile(r"[A-Za-z ,.;:?!'()\-]+")  # what the voice reads as words and pauses


@pytest.fixture(scope="module")
def narrations() -> list[tuple[str, int, str, str]]:
    """(sentence, chapter, beat, narration) of every beat, for the sentences the layout
    test records (the same recordings, made once per session: layout_helpers.recorded)."""
    return [
        (sentence, chapter.number, beat, text)
        for sentence in SENTENCES
        for chapter in CHAPTERS
        for beat, text in recorded(chapter.number, sentence).narration
    ]


def test_every_narration_is_spoken_in_words(narrations):
    assert {number for _, number, _, _ in narrations} == {ch.number for ch in CHAPTERS}
    for sentence, number, beat, text in narrations:
        spoken = verbalise(text)
        where = f"{sentence}, chapter {number}, {beat!r}: {spoken!r}"
        said = SAID_AS.findall(spoken)  # words in phonemes: IPA only
        assert all(phonemes(p) for p in said), where
        assert SPOKEN.fullmatch(SAID_AS.sub("word", spoken)), where
        # every quoted word comes through as written, or in its own sounds
        sounds, citation = pronunciations()
        for quoted in re.findall(r"“([^”]*)”", text):
            for word in quoted.split():
                own = sounds.get(word.lower()) or citation.get(word.lower())
                assert word in spoken or (own and own in said) or not re.search("[A-Za-z]", word), (
                    where
                )
