"""compile_trie (moderation/trie.py) matches exactly what the plain ``re.compile`` matches.

Checked three ways: every pattern shape that could break the merge (ordered alternatives, empty ones,
classes, groups, lookbehinds, repeats, flags) on every short string over a small alphabet; every
pattern the offline tier compiles, on the labelled sets as the rules see them; and the merge itself,
so the fast path is known to be in use rather than the fallback.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from re import _parser as parser  # type: ignore[attr-defined]
from typing import Any

import pytest

from moderation.classifier import OfflineClassifier
from moderation.learned import GriefWords
from moderation.trie import _merge, compile_trie

DATA = Path(__file__).resolve().parent / "data"

TRICKY = [
    r"a|ab",
    r"ab|a",
    r"(?:ab|a)b",
    r"(?:a|ab)b",
    r"(?:ab||ac)c",  # an empty alternative: nothing merges across it
    r"(?:|ab|ac)",
    r"a(?:b|[bc]d|be)",  # a class between two "b" alternatives
    r"(?:(a)b|(a)c|ad)",
    r"(?P<x>ab)|(?P<y>ac)|a",
    r"(?<=ab|cd|ac)x",
    r"(?<!ab|ac)c",
    r"(?:ab|ac)+c",
    r"(?:ab|ac|a)*?b",
    r"(?:abc|abd|ab)(?=c)",
    r"x(?:ab|a)(?:b|bc)",
    r"(?:ab|cd|ae|cf|a)\b",
    r"\b(?:ab|ad|ba|bd)\w*",
    r"(?i:ab|aB|ac)",
    r"(?i)ab|aB|ac",
    r"(?>ab|a)b",
    r"(a)?(?(1)b|c)",
    r"(?:a(?:b|c)|a(?:b|d)|ab)x?",
    r"(?:ab|ab|ac)",
    r"\bab|\bac|\bb|c|\bad|\Bab|\Ba",  # shared assertions: only neighbours share them
    r"(?:\bab|\ba|\b)b",
    r"x\b(?:a|b)|x\bc|\bx",
    r"(?:ab|a)(?:b|c)|(?:a|b)c|(?:ab)c|(?:a(?:b|c))b",  # groups opened into their alternatives
    r"\b(?:a|ab|b)\b|\b(?:a|c)(?:b|)|(?:)a",
    r"(?:(a)|b)c|(?P<n>a)b",
]
ALPHABET = "abcdx B"


def _shorts() -> list[str]:
    return ["".join(p) for n in range(5) for p in itertools.product(ALPHABET, repeat=n)]


def _behaviour(pattern: re.Pattern[str], text: str) -> list[Any]:
    found: list[Any] = [(m.span(), m.groups(), m.lastgroup, m.lastindex) for m in pattern.finditer(text)]
    for at in range(len(text) + 1):
        match = pattern.match(text, at)
        found.append(None if match is None else (match.span(), match.groups()))
    return found


@pytest.mark.parametrize("source", TRICKY)
def test_tricky_patterns_match_as_plain(source: str) -> None:
    fast, plain = compile_trie(source), re.compile(source)
    assert (fast.pattern, fast.flags, fast.groupindex) == (plain.pattern, plain.flags, plain.groupindex)
    differing = [t for t in _shorts() if _behaviour(fast, t) != _behaviour(plain, t)]
    assert not differing


def test_literal_alternatives_are_merged_by_first_letter() -> None:
    parsed = parser.parse("сука|сучка|сволочь|мразь|мразота|[аб]|сон")
    _merge(parsed)
    [(op, (_, alternatives))] = parsed.data
    assert op is parser.BRANCH
    # с(...)|мраз(...)|[аб]|сон: the class is a barrier, "сон" after it stays apart.
    assert len(alternatives) == 4


def test_a_bad_pattern_still_raises() -> None:
    with pytest.raises(re.error):
        compile_trie("(?:ab")


def _patterns(clf: OfflineClassifier) -> list[re.Pattern[str]]:
    """Every compiled pattern of the offline tier and the grief words."""
    found: list[re.Pattern[str]] = []

    def add(value: object) -> None:
        if isinstance(value, re.Pattern):
            found.append(value)

    for group in clf.rules.groups:
        add(group.regex)
        for pattern in group.patterns:
            add(pattern)
        for ungated in group.ungated:
            add(ungated.needles)
        for rule in group.rules:
            add(rule.unless)
    for key in clf.rules.context.__slots__:
        add(getattr(clf.rules.context, key))
    for key in clf._aim.__slots__:
        add(getattr(clf._aim, key))
    for value in vars(clf._normalizer).values():
        add(value)
    add(clf._any_needle)
    add(GriefWords.load()._search)
    return found


def test_every_pattern_of_the_tier_matches_as_plain_on_the_labelled_sets() -> None:
    clf = OfflineClassifier()
    texts: list[str] = []
    for path in sorted(DATA.glob("moderation-*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts += clf.normalize(json.loads(line)["text"]).variants
    patterns = _patterns(clf)
    assert len(patterns) > 100 and len(texts) > 900
    differing = []
    for fast in patterns:
        plain = re.compile(fast.pattern, fast.flags)
        for text in texts:
            if [(m.span(), m.groups()) for m in fast.finditer(text)] != [
                (m.span(), m.groups()) for m in plain.finditer(text)
            ]:
                differing.append((fast.pattern[:60], text))
    assert not differing
