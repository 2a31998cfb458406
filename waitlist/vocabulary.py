"""Word lists the dialog understands (waitlist/data/*.toml): answers, commands, relations, despair.

Data, not code: adding "ага" to the yes answers or "сколько стоит видео" to the price question is an
edit of a TOML file. Everything is compared after ``language.normalize``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from waitlist.language import normalize

__all__ = [
    "Vocabulary",
    "answers",
    "commands",
    "crisis_pattern",
    "crisis_patterns",
    "first_words",
    "relations",
]


def _load(name: str) -> dict[str, Any]:
    source = resources.files("waitlist").joinpath("data", name)
    return tomllib.loads(source.read_text(encoding="utf-8"))


def _phrases(items: Iterable[str]) -> tuple[tuple[str, ...], ...]:
    """Each entry as its words, longest first (so "все верно" is tried before "все")."""
    words = {tuple(normalize(item).split()) for item in items}
    return tuple(sorted((w for w in words if w), key=len, reverse=True))


@dataclass(frozen=True)
class Vocabulary:
    """Entries of several kinds (yes, no, ...) and fillers that may stand around them."""

    kinds: dict[str, tuple[tuple[str, ...], ...]]
    fillers: tuple[tuple[str, ...], ...]

    @classmethod
    def of(cls, kinds: dict[str, Sequence[str]], fillers: Sequence[str]) -> Vocabulary:
        return cls({k: _phrases(v) for k, v in kinds.items()}, _phrases(fillers))

    def covers(self, words: Sequence[str], kind: str) -> bool:
        """``words`` are only entries of ``kind`` (at least one) and fillers."""
        entries, i, found = self.kinds[kind], 0, False
        while i < len(words):
            step = _match(entries, words, i)
            if step:
                found = True
            else:
                step = _match(self.fillers, words, i)
                if not step:
                    return False
            i += step
        return found

    def kind_of(self, text: str) -> str | None:
        """The one kind the whole message is made of, or None (free words, or two kinds at once)."""
        words = normalize(text).split()
        if not words:
            return None
        found = [kind for kind in self.kinds if self.covers(words, kind)]
        return found[0] if len(found) == 1 else None

    def strip_fillers(self, words: Sequence[str]) -> list[str]:
        """``words`` without the fillers at their start and end."""
        rest = list(words)
        changed = True
        while changed and rest:
            changed = False
            step = _match(self.fillers, rest, 0)
            if step and step < len(rest):
                rest, changed = rest[step:], True
            for filler in self.fillers:
                if len(filler) < len(rest) and tuple(rest[-len(filler) :]) == filler:
                    rest, changed = rest[: -len(filler)], True
                    break
        return rest


def _match(entries: tuple[tuple[str, ...], ...], words: Sequence[str], at: int) -> int:
    """How many words of the longest entry found at ``words[at:]`` (0: none)."""
    for entry in entries:
        if tuple(words[at : at + len(entry)]) == entry:
            return len(entry)
    return 0


@cache
def answers() -> Vocabulary:
    data = _load("answers.toml")
    return Vocabulary.of(data["kinds"], data["fillers"])


@dataclass(frozen=True)
class Commands:
    phrases: dict[tuple[str, ...], str]  # words -> command name
    prefixes: tuple[tuple[tuple[str, ...], str], ...]  # (words, command), longest first
    prefix_words: int
    fillers: Vocabulary

    def find(self, text: str) -> str | None:
        words = self.fillers.strip_fillers(normalize(text).split())
        if not words:
            return None
        exact = self.phrases.get(tuple(words))
        if exact is not None or len(words) > self.prefix_words:
            return exact
        return next((name for prefix, name in self.prefixes if tuple(words[: len(prefix)]) == prefix), None)


@cache
def commands() -> Commands:
    data = _load("commands.toml")
    phrases: dict[tuple[str, ...], str] = {}
    prefixes: list[tuple[tuple[str, ...], str]] = []
    for name, entry in data.items():
        if not isinstance(entry, dict):
            continue
        phrases.update({words: name for words in _phrases(entry.get("phrases", ()))})
        prefixes += [(words, name) for words in _phrases(entry.get("prefixes", ()))]
    prefixes.sort(key=lambda p: len(p[0]), reverse=True)
    return Commands(phrases, tuple(prefixes), int(data["prefix_words"]), Vocabulary.of({}, data["fillers"]))


@dataclass(frozen=True)
class Relations:
    forms: dict[str, str]  # a word as written -> the relation as stored
    around: frozenset[str]
    longest: int = 8  # more words than this is not a name with a relation, but a sentence

    def split(self, text: str) -> tuple[str | None, str]:
        """(relation, name) of an answer such as "Мой папа, Николай Петрович Иванов"; (None, text) if
        no relation is named; the name is "" when only the relation is ("мама")."""
        tokens = re.findall(r"[\w'-]+", text)
        if len(tokens) > self.longest:
            return None, text.strip()
        relation: str | None = None
        name: list[str] = []
        for token in tokens:
            word = normalize(token)
            if relation is None and word in self.forms:
                relation = self.forms[word]
            elif word not in self.around:
                name.append(token)
        return (relation, " ".join(name)) if relation is not None else (None, text.strip())


@cache
def relations() -> Relations:
    data = _load("relations.toml")
    forms = {normalize(form): base for base, all_forms in data["relations"].items() for form in all_forms}
    return Relations(forms, frozenset(normalize(w) for w in data["around"]))


@cache
def crisis_patterns() -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in _load("crisis.toml")["patterns"])


@cache
def crisis_pattern() -> re.Pattern[str]:
    """The crisis patterns as one alternation: it matches a text where any of them does (none has a
    group reference), in one scan instead of one per pattern (every message of a relative is asked)."""
    return re.compile("|".join(f"(?:{p.pattern})" for p in crisis_patterns()))


@dataclass(frozen=True)
class FirstWords:
    greetings: tuple[tuple[str, ...], ...]
    request: tuple[str, ...]  # stems
    min_chars: int

    def story_part(self, text: str) -> str:
        """The sentences of ``text`` that tell of the person: no greeting, no request for the clip."""
        kept: list[str] = []
        for sentence in re.split(r"(?<=[.!?…])\s+|\n+", text.strip()):
            words = normalize(sentence).split()
            while step := _match(self.greetings, words, 0):
                words = words[step:]
                sentence = _drop_words(sentence, step)
            joined = " ".join(words)
            if words and not any(re.search(rf"\b{re.escape(stem)}", joined) for stem in self.request):
                kept.append(sentence.strip(" ,;:-—"))
        story = " ".join(kept).strip()
        return story if len(story) >= self.min_chars else ""


def _drop_words(sentence: str, count: int) -> str:
    """``sentence`` without its first ``count`` words (and what stands between them)."""
    found = list(re.finditer(r"[\w']+", sentence))
    return sentence[found[count - 1].end() :] if len(found) >= count else ""


@cache
def first_words() -> FirstWords:
    data = _load("first_words.toml")
    stems = tuple(normalize(s) for s in data["request"])
    return FirstWords(_phrases(data["greetings"]), stems, int(data["min_chars"]))
