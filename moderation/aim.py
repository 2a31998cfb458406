"""Aim: whether an insult a rule matched is said to the reader, as ordered lists of small named checks.

A "loose" rule (an insult noun: урод, мразь) runs ``LOOSE_CHECKS``, a "tight" one (a word that is also
an interjection or a plain word: сука, блядь) runs ``TIGHT_CHECKS``. Each check looks at the match in
its sentence and answers True (aimed), False (not aimed) or None (no opinion); the first answer
decides, so a check's place in its list is part of its meaning. The words the checks read live in
``data/aim.toml`` and ``data/context.toml``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from moderation.normalize import CYR
from moderation.rules import ContextPatterns
from moderation.trie import compile_trie

SENTENCE_END_RE = re.compile(r"[.!?\n;]")
WORD_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_CLAUSE_RE = re.compile(r"[^,!?.:;\-—)\n]*(?:[,!?.:;\-—)\n]|$)")
_CYRILLIC_RE = re.compile(f"[{CYR}]")
# What follows an interjection: a comma, a dash, a sentence's end or the text's.
_SET_OFF_RE = re.compile(r"\s*(?:[,.!?;:—…-]|$)")
# Words in a message at most this long make the message nothing but what it says to the reader.
SHORT_MESSAGE_WORDS = 4
_TIGHT_SHORT_WORDS = 2
_LOOSE_WINDOW = 4
_NEXT_WORDS = 6
# The shortest word read as a verb in the clause before a name-calling ("брат" is no verb).
_VERB_MIN = 5


def _any(words: list[str]) -> str:
    return "|".join(words)


@dataclass(frozen=True, slots=True)
class AimWords:
    """The word lists of ``data/aim.toml``, compiled."""

    adjective_end: re.Pattern[str]
    noun_adjective: re.Pattern[str]
    possessive_prepositions: frozenset[str]
    from_words: frozenset[str]
    indefinite_suffixes: frozenset[str]
    exclamation_opener: list[str]
    imperative: re.Pattern[str]
    past_plural: re.Pattern[str]
    said_before: re.Pattern[str]

    @classmethod
    def load(cls, data_dir: Path) -> AimWords:
        path = data_dir / "aim.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{path}: not valid TOML: {exc}") from exc
        words = {key: [str(w) for w in value] for key, value in data.items()}
        return cls(
            adjective_end=compile_trie(rf"(?:{_any(words['adjective_endings'])})$"),
            noun_adjective=compile_trie(
                rf"\s+(?!(?:{_any(words['pronouns_not_adjectives'])})\b)"
                rf"\w+(?:{_any(words['adjective_after_noun_endings'])})\s*(?:[,!?.:—]|-(?!\w))"
            ),
            possessive_prepositions=frozenset(words["possessive_prepositions"]),
            from_words=frozenset(words["from_words"]),
            indefinite_suffixes=frozenset(words["indefinite_suffixes"]),
            exclamation_opener=words["exclamation_opener"],
            imperative=compile_trie(rf"\w{{2,}}(?:{_any(words['imperative_endings'])})"),
            past_plural=compile_trie(rf"\w{{3,}}(?:{_any(words['past_plural_endings'])})"),
            # Starts only where a sentence does: a match can begin nowhere else (from a later start the
            # same saying verb is ahead), and trying every letter made a long sentence quadratic.
            said_before=compile_trie(
                rf"(?<![^.!?\n])[^.!?\n]+(?=[,—-]+\s*(?:{_any(words['saying_verbs'])})\b"
                rf"(?!\s*(?:{_any(words['saying_by_the_writer'])})\b))"
            ),
        )


def sentence_bounds(text: str, match: re.Match[str]) -> tuple[int, int]:
    """Where the sentence holding a match starts and ends (its end mark excluded)."""
    start = max((m.end() for m in SENTENCE_END_RE.finditer(text, 0, match.start())), default=0)
    end_match = SENTENCE_END_RE.search(text, match.end())
    return start, end_match.start() if end_match else len(text)


class Around:
    """A match in its text, with what the checks read around it (the sentence's words split once, if asked).

    Plain slots and properties, not ``functools.cached_property``: that takes a lock on every first
    access in Python 3.11, which made each aim decision half as slow again.
    """

    __slots__ = ("_after", "_before", "aim", "ctx", "match", "text", "words")

    def __init__(
        self, text: str, match: re.Match[str], words: int, ctx: ContextPatterns, aim: AimWords
    ) -> None:
        self.text, self.match, self.words, self.ctx, self.aim = text, match, words, ctx, aim
        self._before: list[str] | None = None
        self._after: list[str] = []

    def _split(self) -> list[str]:
        start, end = sentence_bounds(self.text, self.match)
        self._after = WORD_RE.findall(self.text, self.match.end(), end)
        self._before = WORD_RE.findall(self.text, start, self.match.start())
        return self._before

    @property
    def before(self) -> list[str]:
        """The words before the match in its sentence."""
        return self._split() if self._before is None else self._before

    @property
    def after(self) -> list[str]:
        if self._before is None:
            self._split()
        return self._after

    @property
    def head(self) -> str:
        return self.text[: self.match.start()]

    @property
    def tail(self) -> str:
        return self.text[self.match.end() :]

    def addressed(self, words: list[str]) -> bool:
        return any(self.ctx.address.fullmatch(w) for w in words)

    def adjectives(self, words: list[str]) -> bool:
        return all(self.ctx.tight_adjectives.fullmatch(w) for w in words)

    def they_acted_next(self) -> bool:
        """A past plural verb among the next words, none of them said to the reader ("... Убили сына")."""
        following = WORD_RE.findall(self.tail, 0, 120)[:_NEXT_WORDS]
        if self.addressed(following):
            return False
        return any(self.aim.past_plural.fullmatch(w) for w in following)

    def ends_like_adjective(self) -> bool:
        return self.aim.adjective_end.search(self.match.group()) is not None

    def cyrillic(self) -> bool:
        """The match is ru / uk, which the verb endings are written for."""
        return _CYRILLIC_RE.search(self.match.group()) is not None


Verdict = bool | None
Check = Callable[[Around], Verdict]


# --- Checks shared by both lists ---


def interjection(a: Around) -> Verdict:
    """An interjection set off by punctuation ("Курва, третій похорон ...", "..., бля.") in a sentence
    with no second-person word; not a noun with an adjective ("сука тупая")."""
    ctx = a.ctx
    if ctx.interjection is None or not ctx.interjection.fullmatch(a.match.group()):
        return None
    if _SET_OFF_RE.match(a.text, a.match.end()) is None:
        return None
    if a.before and ctx.tight_adjectives.fullmatch(a.before[-1]):
        return None
    if ctx.kin_vocative is not None and ctx.kin_vocative.search(a.text):
        return False  # "Брат, курва, зачем ты туда пошёл": the "ты" is the one she mourns
    if any(ctx.address.fullmatch(w) or ctx.targets.fullmatch(w) for w in a.before + a.after):
        return None
    return False


# --- Loose: near a second-person word or a named target, said to someone, or the whole message ---


def short_message(a: Around) -> Verdict:
    return True if a.words <= SHORT_MESSAGE_WORDS else None


def speaks_of_herself(a: Around) -> Verdict:
    """First person next to it ("я дура, что не сохранила"): aimed only if "ты/вы" is right there too."""
    if any(a.ctx.first_person.fullmatch(w) for w in a.before[-2:] + a.after[:1]):
        return a.addressed(a.before[-1:] + a.after[:1])
    return None


def demonstrative_or_they_acted(a: Around) -> Verdict:
    """ "эти твари убили ...", "ублюдки бомбили": about the killers, however near a "вы"."""
    ctx = a.ctx
    if ctx.third_person and a.before and ctx.third_person.fullmatch(a.before[-1]):
        return False
    if ctx.third_person_after and any(ctx.third_person_after.fullmatch(w) for w in a.after[:2]):
        return False
    return None


def demonstrative_after(a: Around) -> Verdict:
    """ "твари эти ...": "эти" after the word, about someone else."""
    ctx = a.ctx
    return False if ctx.third_person and a.after and ctx.third_person.fullmatch(a.after[0]) else None


def from_elsewhere(a: Around) -> Verdict:
    """ "гієни з ритуальних агенцій", "стервятники из похоронки": people from elsewhere."""
    if a.after and a.after[0] in a.aim.from_words and not a.addressed(a.before[-1:]):
        return False
    return None


def someone_unnamed(a: Around) -> Verdict:
    """ "какой-то (конченый) урод в комментариях назвал ...": someone unnamed, reported."""
    indefinite = a.ctx.indefinite
    if indefinite is None:
        return None
    last = a.before[-3:]
    for at, word in enumerate(last):
        joined = f"{last[at - 1]}-{word}" if at and word in a.aim.indefinite_suffixes else word
        if indefinite.fullmatch(joined):
            return False
    return None


def near_address(a: Around) -> Verdict:
    """A second-person word or a named target (автор, админ) within a few words."""
    near = a.before[-_LOOSE_WINDOW:] + a.after[:_LOOSE_WINDOW]
    return True if any(a.ctx.address.fullmatch(w) or a.ctx.targets.fullmatch(w) for w in near) else None


def opens_sentence(a: Around) -> Verdict:
    """The insult opens its sentence in a short clause ("Шарлатанка и мошенница, ..."), after an
    insulting adjective or two ("ебаная мразь, ...") or "ну и" ("ну и мудачьё тут собралось"); or the
    sentence is the insult and a few words without a verb ("Долбоёбы все до одного.", "Стервятница в
    чистом виде."), not an adjective ("Конченая жизнь без него."). Not when the next words tell what
    they did ("Твари. Просто твари. Убили моего мальчика")."""
    opener = a.aim.exclamation_opener
    lead_words = a.before[len(opener) :] if a.before[: len(opener)] == opener else a.before
    if not (a.adjectives(lead_words) and len(lead_words) <= 2):
        return None
    clause = _CLAUSE_RE.match(a.tail)
    opens = clause is not None and len(WORD_RE.findall(clause.group())) <= 2
    if (
        not opens
        and a.ctx.verb_like is not None
        and len(a.after) <= SHORT_MESSAGE_WORDS
        and not a.ends_like_adjective()
        and a.cyrillic()
    ):
        verb_like = a.ctx.verb_like
        opens = not any(verb_like.fullmatch(w) for w in a.after)
    return True if opens and not a.they_acted_next() else None


def closes_sentence(a: Around) -> Verdict:
    """After a comma at the sentence's end ("спасибо, урод"), maybe with an insulting adjective or two
    (", гнида ебучая")."""
    head = a.head.rstrip()
    closes = len(a.after) <= 2 and a.adjectives(a.after) and bool(head) and head[-1] in ",-—:"
    return True if closes else None


def set_off_by_commas(a: Around) -> Verdict:
    """A name thrown at someone between commas ("... заказывают, ебланы, лайки им подавай"), unless
    what follows says what they did; not an apposition to someone named before it ("Мой сосед, урод,
    снёс ...", "Кто-то, сволочи, украл ..."): the clause before the comma must hold a verb, or the rest
    of the sentence tell them what to do ("..., ебланы, верните деньги")."""
    head = a.head
    if not (head.rstrip()[-1:] == "," and a.tail.lstrip()[:1] == ","):
        return None
    if a.ends_like_adjective() or a.they_acted_next() or a.ctx.verb_like is None:
        return None
    verb_like = a.ctx.verb_like
    clause_before = WORD_RE.findall(
        head[max(head.rfind(c, 0, len(head.rstrip()) - 1) for c in ",.!?;:—\n") + 1 :]
    )
    if (
        not a.cyrillic()
        or any(len(w) >= _VERB_MIN and verb_like.fullmatch(w) for w in clause_before)
        or any(a.ctx.address.fullmatch(w) or a.aim.imperative.fullmatch(w) for w in a.after)
    ):
        return True
    return None


def otherwise_not_aimed(a: Around) -> Verdict:
    return False


LOOSE_CHECKS: tuple[Check, ...] = (
    short_message,
    interjection,
    speaks_of_herself,
    demonstrative_or_they_acted,
    demonstrative_after,
    from_elsewhere,
    someone_unnamed,
    near_address,
    opens_sentence,
    closes_sentence,
    set_off_by_commas,
    otherwise_not_aimed,
)


# --- Tight: right next to "ты/вы/you" (particles aside) or to an insulting adjective, or alone ---


def two_words_or_fewer(a: Around) -> Verdict:
    return True if a.words <= _TIGHT_SHORT_WORDS else None


def apology_for_swearing(a: Around) -> Verdict:
    """ "Спасибо вам, сука, до слёз. Простите за мат.": swearing, not at her."""
    apology = a.ctx.apology
    return False if apology is not None and apology.search(a.text) else None


def adjective_before(a: Around) -> Verdict:
    """ "тупая сука"."""
    return True if a.before and a.ctx.tight_adjectives.fullmatch(a.before[-1]) else None


def noun_then_adjective(a: Around) -> Verdict:
    """ "Сука жадная, ...": a noun and an adjective open the sentence (an interjection has none)."""
    return True if not a.before and a.aim.noun_adjective.match(a.text, a.match.end()) else None


def next_to_address(a: Around) -> Verdict:
    """ "ты сука", "сука ты" (particles aside); not "ролики у вас мерзкие", "у тебя сука ощенилась":
    what the reader has, not the reader."""
    particles = a.ctx.tight_particles
    trimmed_before = [w for w in a.before[-3:] if w not in particles]
    trimmed_after = [w for w in a.after[:3] if w not in particles]
    if len(trimmed_before) >= 2 and trimmed_before[-2] in a.aim.possessive_prepositions:
        trimmed_before = []
    return a.addressed(trimmed_before[-1:] + trimmed_after[:1])


TIGHT_CHECKS: tuple[Check, ...] = (
    two_words_or_fewer,
    apology_for_swearing,
    interjection,
    adjective_before,
    noun_then_adjective,
    next_to_address,
)


def aimed(checks: tuple[Check, ...], around: Around) -> tuple[bool, str]:
    """The first answer of ``checks`` and the name of the check that gave it."""
    for check in checks:
        verdict = check(around)
        if verdict is not None:
            return verdict, check.__name__
    raise ValueError("an aim check list must end with a check that always answers")
