"""Whether a text reads as a relative's order, follow-up or question about a clip (``relative.toml``).

The policy never lets any tier hide such a text (review at most): a relative who swears at the war
or calls herself "дуб дубом" before a question must never be hidden. The test is the same in every
language: the text names the clip, its material or its service, asks, requests or sends something,
speaks of the writer or her family ("я", "мой", "мы") and to no one as "ты" (abuse speaks to its
reader so; a relative writes "вы" to the community).
Pure, no I/O after loading.
"""

from __future__ import annotations

import re
import tomllib
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from moderation.classifier import Classification
from moderation.learned import read_words, word_search
from moderation.rules import RuleSet

_SENTENCES = re.compile(r"[.!?…\n]+")
# Sentence ends other than "?": a question is a piece of a sentence before a "?".
_STATEMENT_ENDS = re.compile(r"[.!…\n]+")
# A quoted span of two words or more: «...», “...”, "...", '...'.
_QUOTED = re.compile(r"«[^»]*\s[^»]*»|“[^”]*\s[^”]*”|\"[^\"]*\s[^\"]*\"|(?<!\w)'[^']*\s[^']*'(?!\w)")
# What every _QUOTED match opens with: most texts hold none, and this scan costs a third as much (the
# lookbehind of the last alternative keeps the engine from skipping ahead to a quote by itself).
_OPENING_QUOTE = re.compile("[«“\"']")
DEFAULT_RELATIVE = Path(__file__).resolve().parent / "model" / "relative.toml"

__all__ = ["RelativeWords", "asks", "bait_rules", "reads_as_relative", "spared"]


@dataclass(frozen=True, slots=True)
class _Words:
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    # A word starting with a prefix or a phrase among the words, as one search over ``joined``.
    _search: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_search", word_search(self.prefixes, self.phrases))

    @classmethod
    def of(cls, raw: dict[str, list[str]]) -> _Words:
        phrases = [" ".join(read_words(p)) for p in raw.get("phrases", [])]
        prefixes = [p for p in raw.get("prefixes", []) if " " not in p]
        return cls(tuple(prefixes), tuple(p for p in phrases if p))

    def found(self, words: list[str], joined: str) -> bool:
        """Some word starts with a prefix, or ``joined`` (the words as " word word ... ") holds a phrase."""
        if not words:
            return "" in self.phrases  # joined is "  ": it holds the empty phrase only
        return self._search.search(joined) is not None


@dataclass(frozen=True, slots=True)
class RelativeWords:
    setting: _Words
    asking: _Words
    first_person: frozenset[str]
    kin: tuple[str, ...]
    second_person: frozenset[str]
    thanks: _Words
    not_thanks: tuple[str, ...]
    fate: _Words
    fate_reader: frozenset[str]
    fate_reader_endings: tuple[str, ...]
    reporting: tuple[str, ...]
    said: tuple[str, ...]
    act: tuple[str, ...]
    ty_endings: tuple[str, ...]
    question_tags: frozenset[str]
    closing_tags: tuple[tuple[str, ...], ...] = ()
    not_before_tag: frozenset[str] = frozenset()
    question_words: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path = DEFAULT_RELATIVE) -> RelativeWords:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        return cls(
            _Words.of(raw["setting"]),
            _Words.of(raw["asking"]),
            frozenset(raw["first_person"]["words"]),
            tuple(raw["kin"]["prefixes"]),
            frozenset(raw["second_person"]["words"]),
            _Words.of(raw["spare"]["thanks"]),
            tuple(" ".join(read_words(p)) for p in raw["spare"]["thanks"].get("not_phrases", [])),
            _Words.of(raw["spare"]["fate"]),
            frozenset(raw["spare"]["fate"]["reader"]),
            tuple(raw["spare"]["fate"]["reader_endings"]),
            tuple(raw["spare"]["reported"]["prefixes"]),
            tuple(raw["spare"]["reported"]["said"]),
            tuple(raw["spare"]["reported"]["act"]),
            tuple(raw["question"]["ty_endings"]),
            frozenset(raw["question"]["tags"]),
            tuple(tuple(read_words(t)) for t in raw["question"].get("closing_tags", [])),
            frozenset(raw["question"].get("not_before_tag", [])),
            frozenset(raw["question"].get("question_words", [])),
        )

    def asks(self, text: str) -> bool:
        """A question the learned score alone may not hide: a sentence ending in "?" (quotes aside)
        that calls no one "ты" and is more than a tag after abuse ("I wish you death. Got it?")."""
        if "?" not in text:
            return False
        if any(q in text for q in "«“\"'"):
            text = _QUOTED.sub(" ", text)
        questions = (q for part in _STATEMENT_ENDS.split(text) for q in part.split("?")[:-1])
        for question in questions:
            words = read_words(question)
            if not words or self.question_tags.issuperset(words) or self._tag_closes(words):
                continue
            if self.second_person.intersection(words) or any(
                len(w) > 4 and w.endswith(self.ty_endings) for w in words
            ):
                continue
            return True
        return False

    def _tag_closes(self, words: list[str]) -> bool:
        """A statement closed by a tag with no stop before it ("...the chatty ones Got it?", "...сдохни
        поняла?"): at least three words, then the tag, and not "я не поняла" (a relative who did not
        understand), nor a sentence that opens as a question ("Do I send photos here, got it?")."""
        if words[0] in self.question_words:
            return False
        for tag in self.closing_tags:
            rest = len(words) - len(tag)
            if rest >= 3 and tuple(words[rest:]) == tag and words[rest - 1] not in self.not_before_tag:
                return True
        return False

    def reads_as_relative(self, text: str) -> bool:
        words = read_words(text)
        joined = f" {' '.join(words)} "
        if not self.setting.found(words, joined):
            return False
        if not ("?" in text or self.asking.found(words, joined)):
            return False
        if not (self.first_person.intersection(words) or any(w.startswith(self.kin) for w in words)):
            return False
        return not any(self._ty_about_the_clip(sentence) for sentence in _SENTENCES.split(text))

    def spared(self, text: str) -> str:
        """Why the learned score alone may not hide the text ("reported", "thanks", "fate"), or "".
        "reported" comes first: it also keeps the rules from hiding."""
        if _OPENING_QUOTE.search(text) and _QUOTED.search(text):
            outside = read_words(_QUOTED.sub(" ", text))
            if any(w.startswith(self.reporting) for w in outside):
                return "reported"
        words = read_words(text)
        if self._reported_unquoted(words):
            return "reported"
        joined = f" {' '.join(words)} "
        ty = bool(self.second_person.intersection(words))
        if (
            not ty
            and self.thanks.found(words, joined)
            and not any(f" {p} " in joined for p in self.not_thanks)
        ):
            return "thanks"
        if not ty and self.fate.found(words, joined) and not self._reader(words):
            return "fate"
        return ""

    def _reported_unquoted(self, words: list[str]) -> bool:
        """Someone else said it (a saying word not after "ты/вы/you") and the admin is asked to act."""
        if not any(w.startswith(self.act) for w in words):
            return False
        readers = self.second_person | self.fate_reader | {"вы", "ви"}
        return any(
            w.startswith(self.said) and (at == 0 or words[at - 1] not in readers)
            for at, w in enumerate(words)
        )

    def _reader(self, words: list[str]) -> bool:
        return bool(self.fate_reader.intersection(words)) or any(
            w.endswith(self.fate_reader_endings) for w in words
        )

    def _ty_about_the_clip(self, sentence: str) -> bool:
        words = read_words(sentence)
        if not self.second_person.intersection(words):
            return False
        return self.setting.found(words, f" {' '.join(words)} ")


@lru_cache(maxsize=1)
def _default() -> RelativeWords:
    return RelativeWords.load()


def reads_as_relative(text: str, classification: Classification, classifier: object) -> bool:
    """With the shipped word lists (``RelativeWords.reads_as_relative``), unless one of the
    classifier's rules that make a message no order matched: an order as bait for harassment
    ("скинь фотки в купальнике, тогда закажу") is no order."""
    bait = bait_rules(classifier)
    if any(s.rule in bait for s in classification.signals):
        return False
    return _default().reads_as_relative(text)


_BAIT: weakref.WeakKeyDictionary[object, frozenset[str]] = weakref.WeakKeyDictionary()


def bait_rules(classifier: object) -> frozenset[str]:
    """The rules (``beats_order``) of a classifier with a rule set; worked out once per classifier."""
    found = _BAIT.get(classifier)
    if found is None:
        rules = getattr(classifier, "rules", None)
        bait = (r.name for r in rules.rules if r.beats_order) if isinstance(rules, RuleSet) else ()
        found = _BAIT[classifier] = frozenset(bait)
    return found


def asks(text: str) -> bool:
    """With the shipped word lists: see ``RelativeWords.asks``."""
    return _default().asks(text)


def spared(text: str) -> str:
    """With the shipped word lists: see ``RelativeWords.spared``."""
    return _default().spared(text)
